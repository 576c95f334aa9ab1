"""Every cross table carries its test, computed from the table as published (tabletests.py).

R values: tests/r_reference/table_tests.R on table_tests.csv (the published rows of tables 11-14 of the
shipped example at --min-group 1 and 5, written by make_table_tests.py); output in table_tests_output.txt.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuldtid.stats.significance import test_difference
from fuldtid.stats.tables import CrossRow, Table
from fuldtid.stats.tabletests import cross_table_test, published_counts, test_dict, test_note

from memo_helpers import example_tableset, rebuild

# (table, min group) -> R's p-value of the published table, unweighted:
#   fisher.test(x) (2 x 2) and fisher.test(x, workspace = 2e8) (r x c with an expected count below 5)
R_UNWEIGHTED = {(11, 1): 1.0, (12, 1): 0.0146360500877853, (13, 1): 0.0218951902474918,
                (14, 1): 0.00611853007730646, (11, 5): None, (12, 5): 0.0146360500877853,
                (13, 5): 0.0082761943555911, (14, 5): 0.00571255562723243}
# svychisq(~g + a, subset(rk, !is.na(g)), statistic = "F"): (F, ndf, ddf, p)
R_WEIGHTED = {
    (11, 1): (1.22199788796926, 1, 330, 0.269774195638678),
    (12, 1): (10.181193672638, 1, 330, 0.00155510657521417),
    (13, 1): (2.88471596517176, 8.59031232307462, 2834.80306661462, 0.0025713633831505),
    (14, 1): (3.59257865981449, 8.99612253260763, 2968.72043576052, 0.000184647835552029),
    (11, 5): None,  # one published group (the rest hidden together): nothing to compare
    (12, 5): (10.181193672638, 1, 330, 0.00155510657521417),
    (13, 5): (4.18876054803913, 6.04864150498988, 1996.05169664666, 0.000326364341071693),
    (14, 5): (4.22207723593758, 6.99784900975278, 2309.29017321842, 0.000122601663935436),
}


@pytest.mark.parametrize("mg", [1, 5])
def test_unweighted_tests_match_r(mg):
    ts = example_tableset(min_group=mg)
    for number in (11, 12, 13, 14):
        t = ts.table(number)
        p = R_UNWEIGHTED[(number, mg)]
        if p is None:
            assert t.test.method == "ingen test"
            continue
        # Tables 13 and 14 (11 x 2, far too many tables to enumerate) are exact too: the network algorithm.
        assert not t.test.method.startswith("Monte Carlo")
        assert t.test.p_value == pytest.approx(p, rel=1e-8, abs=1e-12), number


@pytest.mark.parametrize("mg", [1, 5])
def test_weighted_tests_match_r(mg):
    ts = example_tableset(min_group=mg, population=True)
    for number in (11, 12, 13, 14):
        test = ts.table(number).test
        if R_WEIGHTED[(number, mg)] is None:
            assert test.method == "ingen test"
            continue
        F, ndf, _, p = R_WEIGHTED[(number, mg)]
        assert test.method == "Rao-Scott corrected chi-square test (F)"
        assert (test.statistic, test.df, test.p_value) == pytest.approx((F, ndf, p), rel=1e-6)


def test_the_test_uses_the_published_rows_only():
    ts = example_tableset(min_group=5)
    t = ts.table(13)
    counts = published_counts(t)
    # Hidden groups are merged as the table shows them; the "not stated" row is no group to compare.
    assert list(counts.index) == [r.label for r in t.rows
                                  if not r.suppressed and r.label != t.missing_row and r.total]
    assert "Øvrige grupper" in counts.index
    assert t.test == test_difference(counts)
    # At --min-group 1 the same table shows every group and tests them.
    assert ts.table(13).test.p_value != example_tableset(min_group=1).table(13).test.p_value


def _table(rows, columns=("Ja", "Nej"), missing=None):
    return Table(number=99, kind="cross", title="t", field="f", question="q", among="alle", base=0,
                 rows=tuple(rows), columns=columns, by="b", missing_row=missing)


def test_published_counts_of_a_hand_made_table():
    rows = [CrossRow("A", {"Ja": 10, "Nej": 2}, 12, {}),
            CrossRow("B", None, None, None, suppressed=True),
            CrossRow("Øvrige grupper", {"Ja": 3, "Nej": 9}, 12, {}, members=("C", "D")),
            CrossRow("Ikke angivet", {"Ja": 5, "Nej": 0}, 5, {})]
    t = _table(rows, missing="Ikke angivet")
    assert published_counts(t).to_dict("index") == {"A": {"Ja": 10, "Nej": 2},
                                                    "Øvrige grupper": {"Ja": 3, "Nej": 9}}
    test = cross_table_test(None, t)
    # R: fisher.test(matrix(c(10, 3, 2, 9), 2))$p.value = 0.0122781377997423
    assert test.method == "Fisher's exact test"
    assert test.p_value == pytest.approx(0.0122781377997423, rel=1e-9)
    d = test_dict(test)
    assert d["p_value"] == 0.012 and d["p_text"] == "p = 0,012" and d["significant"] is True
    assert "statistisk sikker" in test_note(test) and "Metode: Fishers eksakte test" in test_note(test)


def test_a_table_with_one_shown_group_has_no_test():
    rows = [CrossRow("A", {"Ja": 10, "Nej": 2}, 12, {}), CrossRow("B", None, None, None, suppressed=True)]
    test = cross_table_test(None, _table(rows))
    assert test.method == "ingen test"
    d = test_dict(test)
    assert d["p_value"] is None and d["significant"] is False and "kan ikke testes" in d["sentence"]


def test_every_cross_table_carries_its_test_in_every_output(tmp_path):
    from fuldtid.report import tables_json
    from fuldtid.render.xlsx import tables_workbook
    import io

    import openpyxl

    ts = example_tableset(min_group=5, population=True)
    d = json.loads(tables_json(ts))
    cross = [t for t in d["tables"] if t["kind"] == "cross"]
    assert [t["number"] for t in cross] == [11, 12, 13, 14]
    tested = 0
    for t in cross:
        test = t["test"]
        if test["method"] == "ingen test":  # table 11: one published group only
            assert test["p_value"] is None
            continue
        tested += 1
        assert test["method"].startswith("Rao-Scott") and test["p_text"].startswith("p ")
        assert test["p_value"] == round(ts.table(t["number"]).test.p_value, 3)
    wb = openpyxl.load_workbook(io.BytesIO(tables_workbook(ts)))
    text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert text.count("Metode: Rao–Scott-korrigeret chi-i-anden-test (F), F = ") == tested == 3
    from fuldtid.render.memo import build_memo

    notes = [n for b in build_memo(ts).tables() if b.table_kind == "cross" for n in b.notes]
    assert sum("Metode: Rao–Scott" in n for n in notes) == tested


def test_altered_answers_change_the_test():
    # Answers where the areas differ sharply: the published test says so.
    ts = example_tableset(min_group=5)
    r = ts.survey.responses.copy()
    area = r["omraade"].astype("object")
    ned = r["ned_i_tid"].astype("object")
    r["ned_i_tid"] = pd.Categorical(ned.where(ned.isna(), area.map({"Rådgivning og Visitation": "Ja",
                                                                     "Resterende tilbud": "Nej"})),
                                    categories=r["ned_i_tid"].cat.categories)
    # (At --min-group 1: answers that follow the area exactly would make the anonymity rule hide the areas'
    # crossings with the routing groups, and with them the table's rows.)
    t = rebuild(ts, responses=r, min_group=1).table(12)
    assert t.test.significant and t.test.p_value < 1e-6


def test_memo_names_a_largest_group_only_when_the_test_supports_it():
    from fuldtid.render.memo import build_memo

    ts = example_tableset(min_group=5)
    text = build_memo(ts).text()
    assert "Andelen ligger mellem" in text and "så tallene viser ikke, at nogen gruppe skiller sig ud" in text
    # Answers where those on 1-9 hours all want more hours and the others rarely do: now the figure's test
    # finds the difference, and the memo names the largest and smallest group, with the test.
    r = ts.survey.responses.copy()
    wants = r["op_i_tid"].astype("object")
    hours = r["timetal"].astype("object")
    wants = wants.where(wants.isna() | hours.ne("1-9 timer"), "Ja")
    wants = wants.where(wants.isna() | hours.eq("1-9 timer") | ~hours.isin(["20-29 timer", "30-36 timer"]), "Nej")
    r["op_i_tid"] = pd.Categorical(wants, categories=r["op_i_tid"].cat.categories)
    text = build_memo(rebuild(ts, responses=r, min_group=1)).text()
    assert "Andelen er størst blandt dem på 1-9 timer (100%, 19 af 19)" in text
    assert "Forskellen mellem grupperne er statistisk sikker (p < 0,001)." in text


@pytest.mark.parametrize("mg", [1, 5])
def test_figure_tests_match_r(mg):
    from fuldtid.stats.figuredata import all_figures
    from fuldtid.stats.tabletests import share_test

    # table_tests.R, "figure" lines: groups x (answer compared or not) as the bars are published;
    # unweighted chisq.test(x, correct = FALSE), weighted svychisq(~group + y, subset(rk, !is.na(group)), "F").
    # At --min-group 5 figure 3 merges "1-9 timer" with those who gave no hours (who have no weight).
    r = {1: (0.568033524437353, 1.05388333760101, 2.88555561950181, 0.366298315400218),
         3: (0.654922500106412, 1.01467770070278, 3.52816622855799, 0.393047167149718) if mg == 1 else
            (0.843494925133333, 0.752955697311885, 2.57177635706555, 0.501963618932714)}
    for weighted in (False, True):
        ts = example_tableset(min_group=mg, population=weighted)
        figs = {f.number: f for f in all_figures(ts)}
        for number, value in ((1, "Ja"), (3, "Nej")):
            test = share_test(ts.survey, figs[number], value, ts.weighting)
            p, F, ndf, pw = r[number]
            if weighted:
                assert (test.statistic, test.df, test.p_value) == pytest.approx((F, ndf, pw), rel=1e-6)
            else:
                assert test.p_value == pytest.approx(p, rel=1e-9)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=2, max_size=6))
def test_network_algorithm_equals_full_enumeration(rows):
    from fuldtid.stats.significance import exact_rx2_pvalue, exact_rxc_pvalue

    table = np.array(rows)
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2 or (table.sum(axis=0) == 0).any():
        return
    full = exact_rxc_pvalue(table, 10**7)
    assert exact_rx2_pvalue(table) == pytest.approx(full, rel=1e-9, abs=1e-12)
    assert exact_rx2_pvalue(table.T) == pytest.approx(full, rel=1e-9, abs=1e-12)

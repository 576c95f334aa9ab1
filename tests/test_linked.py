"""Anonymity across everything one export releases (fuldtid.stats.linked), checked as an attacker would.

The attacker (tests/sdc_attacker.py) holds every breakdown of a question by one or two background fields, in
both orders, among every group, plus the report's tables and figures, and solves integer programs for the
range of every count of every group below the threshold. Exports: the shipped example and variants of it the
code was not written against (background answers reshuffled, respondents dropped).
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from fuldtid.stats.breakdown import breakdown
from fuldtid.errors import DefinitionError
from fuldtid.stats.linked import Protector
from fuldtid.report import analyse, tables_json
from fuldtid.stats.tables import build_tables

from linked_decisions import variant  # the example with other small groups (shared with the decision fixture)
from sdc_attacker import attack

EXAMPLE = "surveys/examples/vjh_2022"


BATTERY = [
    ("op_i_tid", ("overenskomst",)),
    ("op_i_tid", ("overenskomst", "koen")),
    ("ned_i_tid", ("omraade", "overenskomst")),
    ("mulighed", ("timetal",)),
    ("mulighed", ("koen", "alder")),
]


@pytest.mark.parametrize("question,fields", BATTERY)
def test_attacker_pins_no_small_group_in_the_example(example_survey, question, fields):
    ts = build_tables(example_survey, None, min_group=5)
    assert attack(example_survey, ts, question, fields, 5) == []


@pytest.mark.parametrize("seed,min_group", [(1, 5), (2, 5), (3, 3), (4, 8)])
def test_attacker_pins_no_small_group_in_other_exports(example_survey, seed, min_group):
    s = variant(example_survey, seed)
    ts = build_tables(s, None, min_group=min_group)
    for question, fields in [("op_i_tid", ("overenskomst", "koen")), ("mulighed", ("timetal",)),
                             ("ned_i_tid", ("alder",))]:
        assert attack(s, ts, question, fields, min_group) == [], (question, fields)


def test_the_attack_finds_what_per_table_protection_leaves_open(example_survey):
    """The attacker is not toothless: protecting each breakdown on its own (the first round's rule) leaves
    small groups pinned once both orders of a pair are combined."""
    import fuldtid.stats.linked as linked
    from sdc_attacker import NA, build_model, pinned

    m = build_model(example_survey, "op_i_tid", ("overenskomst", "koen"))
    # Publish what per-table protection shows: every row of at least 5, all inner rows of a shown outer row.
    r = example_survey.responses
    deltid = example_survey.group_mask("deltid")
    d = r[deltid & r["op_i_tid"].notna()]
    for a, b in (("overenskomst", "koen"), ("koen", "overenskomst")):
        for outer, sub in d.groupby(d[a].astype("object").fillna(NA), sort=False):
            counts = sub["op_i_tid"].astype("object").value_counts().to_dict()
            if len(sub) >= 5:
                m.publish("deltid", {a: [outer]}, counts)
                for inner, sub2 in sub.groupby(sub[b].astype("object").fillna(NA), sort=False):
                    if len(sub2) >= 5:
                        m.publish("deltid", {a: [outer], b: [inner]},
                                  sub2["op_i_tid"].astype("object").value_counts().to_dict())
    m.publish("deltid", {}, d["op_i_tid"].astype("object").value_counts().to_dict())
    assert linked  # the module under test is not involved in this attack
    assert pinned(m, 5) != []


def test_a_pair_of_fields_hides_the_same_cells_in_either_order(example_survey):
    p = Protector(example_survey, 5)
    ab = p.level("op_i_tid", ("overenskomst", "koen"))
    ba = p.level("op_i_tid", ("koen", "overenskomst"))
    for g in ab.hidden:
        assert {c[::-1] for c in ab.hidden[g]} == set(ba.hidden[g])
    one = breakdown(example_survey, "op_i_tid", ["overenskomst", "koen"], min_group=5)
    other = breakdown(example_survey, "op_i_tid", ["koen", "overenskomst"], min_group=5)
    shown_one = {(r.group, r.label) for r in one.rows if r.group and not r.suppressed and not r.members}
    shown_other = {(r.label, r.group) for r in other.rows if r.group and not r.suppressed and not r.members}
    assert shown_one == shown_other


def test_the_same_decisions_whichever_output_is_asked_first(example_survey):
    first = Protector(example_survey, 5)
    first.level("op_i_tid", ("overenskomst", "koen"))
    a = first.level("op_i_tid", ("overenskomst",))
    second = Protector(example_survey, 5)
    b = second.level("op_i_tid", ("overenskomst",))
    assert a.hidden == b.hidden


def _swap_pair(survey):
    """Two part-timers alike in every background field but agreement, both agreements hidden among the
    part-timers, one answering Ja and one Nej."""
    p = Protector(survey, 5)
    hidden = {c[0] for c in p.level("op_i_tid", ("overenskomst",)).hidden["deltid"]}
    r = survey.responses
    cand = r[survey.group_mask("deltid") & r["op_i_tid"].notna() & r["overenskomst"].isin(hidden)]
    keys = ["koen", "alder", "timetal", "omraade", "center", "tilbud", "stilling", "mulighed"]
    for _, grp in cand.groupby([cand[k].astype("object").fillna("-") for k in keys], sort=False):
        if grp["overenskomst"].nunique() > 1 and grp["op_i_tid"].nunique() > 1:
            ja = grp[grp["op_i_tid"] == "Ja"].iloc[0]
            nej = grp[(grp["op_i_tid"] == "Nej") & (grp["overenskomst"] != ja["overenskomst"])]
            if len(nej):
                return ja.name, nej.iloc[0].name
    return None


def test_swapping_answers_between_hidden_groups_changes_no_output(example_survey):
    """Two exports that differ only in how answers are split among hidden groups give identical outputs."""
    base = example_survey
    pair = None
    for seed in range(40):
        s = variant(base, seed, keep=1.0)
        pair = _swap_pair(s)
        if pair is not None:
            break
    assert pair is not None, "no export in the search had two such respondents"
    r = s.responses.copy()
    a, b = pair
    r.loc[a, "op_i_tid"], r.loc[b, "op_i_tid"] = r.loc[b, "op_i_tid"], r.loc[a, "op_i_tid"]
    # The groups built on the answer (those who want more hours) follow the answer: no routing is broken,
    # because both already answered the follow-up questions of neither group differently in this test's
    # outputs (op_i_tid breakdowns only).
    swapped = dataclasses.replace(s, responses=r)
    for by in (["overenskomst"], ["overenskomst", "koen"], ["koen", "overenskomst"], ["koen"]):
        one = breakdown(s, "op_i_tid", by, min_group=5).to_dict()
        two = breakdown(swapped, "op_i_tid", by, min_group=5).to_dict()
        assert one == two, by
    t1 = build_tables(s, None, min_group=5)
    t2 = build_tables(swapped, None, min_group=5)
    for n in (1, 10, 11, 13):
        assert t1.table(n).to_dict() == t2.table(n).to_dict(), n


def test_memo_at_the_default_threshold_shows_every_answer_category_of_tables_1_to_9():
    ts = analyse(f"{EXAMPLE}/export", coding=f"{EXAMPLE}/coding.csv")
    assert ts.min_group == 5
    for t in ts.tables:
        if t.number <= 9:
            assert not any(r.suppressed or r.members for r in t.rows), t.number
    t2 = ts.table(2)
    assert t2.row("10-19 timer").count == 2  # 2 of 65: an answer, not a group of people
    assert ts.table(6).row("1-9 timer").count == 13
    assert ts.table(9).row("Tilbuddets organisering").count == 8


def test_background_tables_hide_small_groups_and_merge_them(example_survey):
    ts = build_tables(example_survey, None, min_group=5)
    t10 = ts.table(10)
    hidden = [r.label for r in t10.rows if r.suppressed]
    merged = [r for r in t10.rows if r.members]
    assert hidden and len(merged) == 1
    assert merged[0].count == sum(
        int((example_survey.responses["overenskomst"] == h).sum()) for h in hidden)
    assert merged[0].count >= 5


def test_tables_json_holds_no_respondent_ids_and_no_small_register_counts():
    from memo_helpers import example_tableset

    # the definition's threshold (5, as the test above checks), built once for every test that needs it
    ts = example_tableset(min_group=5, population=True)
    d = json.loads(tables_json(ts))
    assert all("respondentids" not in e for e in d["excluded"])
    assert "respondentid" not in json.dumps(d)
    for m in d["weighting"]["margins"]:
        assert m["sample_count"] is None or m["sample_count"] >= 5
    assert any(m["sample_count"] is None for m in d["weighting"]["margins"])


def test_breakdowns_are_by_background_fields_and_of_questions(example_survey):
    with pytest.raises(DefinitionError, match="background"):
        breakdown(example_survey, "mulighed", ["op_i_tid"], min_group=5)
    with pytest.raises(DefinitionError, match="background field"):
        breakdown(example_survey, "koen", ["overenskomst"], min_group=5)
    with pytest.raises(DefinitionError, match="twice"):
        breakdown(example_survey, "op_i_tid", ["koen", "koen"], min_group=5)


def test_the_test_of_difference_uses_the_published_rows_only(example_survey):
    from fuldtid.stats.significance import test_difference

    b = breakdown(example_survey, "op_i_tid", ["overenskomst"], min_group=5)
    published = pd.DataFrame(
        [r.counts for r in b.rows if not r.suppressed and r.label != "Ikke angivet" and r.total],
        index=[r.label for r in b.rows if not r.suppressed and r.label != "Ikke angivet" and r.total])
    assert b.test.p_value == pytest.approx(test_difference(published).p_value)
    d = b.to_dict()
    assert d["test"]["p_value"] == round(d["test"]["p_value"], 3)


def test_a_group_below_the_threshold_shows_nothing(example_survey):
    s = variant(example_survey, 7, keep=0.15)  # few respondents: some routing groups fall below 5
    p = Protector(s, 5)
    small = [g for g in s.definition.groups
             if 0 < int((s.group_mask(g) & s.responses["mulighed"].notna()).sum()) < 5]
    for g in small:
        b = breakdown(s, "mulighed", ["koen"], among=g, min_group=5)
        assert all(r.suppressed for r in b.rows) and not b.overall
        assert p.level("mulighed", ()).is_hidden(g, ())


def test_uniform_rows_lists_shown_groups_that_all_gave_one_answer(example_survey):
    """Attribute disclosure is reported, not hidden: e.g. none of the 10 administrative part-timers wants more
    hours (the memo's table 13 shows 0 of 10)."""
    from fuldtid.stats.linked import uniform_rows

    rows = uniform_rows(Protector(example_survey, 5), "op_i_tid", ("overenskomst",))
    admin = [u for u in rows if u.group == "deltid" and u.cell == ("Administration og IT mv., KL",)]
    assert admin and admin[0].answer == "Nej" and admin[0].size == 10
    r = example_survey.responses
    for u in rows:
        mask = example_survey.group_mask(u.group) & r["op_i_tid"].notna() & (r["overenskomst"] == u.cell[0])
        assert set(r.loc[mask, "op_i_tid"].astype(str)) == {u.answer} and int(mask.sum()) == u.size >= 5


def test_a_hidden_group_shows_no_counts_in_any_format(tmp_path):
    """The part-timers' answers to "mulighed" are hidden whole (with the 2 respondents without hours, they
    would give those two away by subtraction): every format shows "*" or nothing, never a count of 0."""
    from click.testing import CliRunner

    from fuldtid.cli import cli

    args = ["breakdown", f"{EXAMPLE}/export", "--question", "mulighed", "--by", "koen", "--among", "deltid"]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0, text.output
    total = next(line for line in text.output.splitlines() if line.startswith("I alt"))
    assert "0 (0%)" not in total and total.split()[2:5] == ["*", "*", "*"]
    out = tmp_path / "b.json"
    assert CliRunner().invoke(cli, [*args, "--out", str(out)]).exit_code == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["overall"]["counts"] == {} and all(r.get("suppressed") for r in d["rows"])
    csv = tmp_path / "b.csv"
    assert CliRunner().invoke(cli, [*args, "--out", str(csv)]).exit_code == 0
    last = csv.read_text(encoding="utf-8-sig").splitlines()[-1].split(";")
    assert last[2:5] == ["", "", ""]


@pytest.mark.parametrize("seed", [7, 11])
def test_attacker_pins_nothing_in_a_drafted_questionnaire(tmp_path, seed):
    """Another questionnaire entirely (a well-being survey drafted by `fuldtid init`), at the default threshold."""
    import yaml
    from click.testing import CliRunner

    from fuldtid.cli import cli
    from exportwriter import write_export
    from fuldtid.model.survey import load_survey
    from questionnaires import wellbeing

    variables, data = wellbeing(n=150, seed=seed)
    export = write_export(variables, data, tmp_path / "eksport")
    assert CliRunner().invoke(cli, ["init", str(export), "--out", str(tmp_path / "s.yaml")]).exit_code == 0
    d = yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))
    background = list(d["background"])
    questions = [k for k, f in d["fields"].items() if f.get("type", "single") == "single" and k not in background]
    s = load_survey(export, tmp_path / "s.yaml")
    ts = build_tables(s, None, min_group=5)
    for q in questions[:2]:
        assert attack(s, ts, q, tuple(background[:2]), 5) == [], q

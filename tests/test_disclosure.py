"""Tests of the anonymity protection: attackers that try to recover hidden groups from a ProtectedTable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fuldtid.stats.disclosure import (
    OTHER_LABEL,
    ProtectedTable,
    _choose_hidden,
    protect,
    protect_nested,
    protect_oneway,
)
from fuldtid.errors import DefinitionError

PUBLISHED = Path(__file__).resolve().parent / "data" / "published_tables.yaml"

# Table 13 of the memo (part-timers' wish for more hours by agreement), as printed.
TABLE_13 = {
    "Administration og IT mv., KL": (0, 10),
    "Akademikere, KL": (1, 2),
    "Ergo- Fysio- og Jordemødre, basis KL": (3, 13),
    "Hjemmevejledere og pæd.pers., døgninst.": (1, 4),
    "Husassistenter, KL": (0, 2),
    "Led. værkst.pers. mv., klientv., KL": (0, 1),
    "Oms.- og pæd.medhj. samt pæd. ass., KL": (17, 21),
    "Pædagogisk uddannede ledere": (0, 0),
    "Social- og sundhedspersonale, KL": (3, 23),
    "Socialpædagoger og pæd.pers.døgninst.mv.": (32, 55),
    "Socialrådgiver/socialformidlere, KL": (3, 3),
    "Syge- og sundhedspersonale - basis, KL": (0, 2),
    "Overenskomst ikke angivet": (5, 13),
}


def frame(rows: dict[str, tuple[int, ...]], columns: tuple[str, ...] = ("Ja", "Nej")) -> pd.DataFrame:
    return pd.DataFrame(list(rows.values()), index=list(rows), columns=list(columns))


# --- the attacker --------------------------------------------------------------------------------------------


def attack(table: ProtectedTable) -> dict[str, tuple[tuple[int, int], dict[str, tuple[int, int]]]]:
    """Everything a reader can derive about each hidden group from what the table shows.

    Uses only the shown rows, the merged row and the overall row: the hidden groups' sum (overall minus shown rows,
    per column and in total; checked against the merged row), and what the reader knows about single hidden groups:
    at least 1 respondent, since empty groups are shown as such (unless there are fewer respondents than hidden
    groups, which only happens when empty groups are hidden too, and then each holds at most 1), and at most as many
    as the smallest shown group (the algorithm hides small groups first). Returns per hidden label the range of its
    total and of each of its cells. With one sum constraint and box bounds these ranges are exact: every value in
    them is reached by some table that shows the same numbers (fill the cells in any order, a transportation problem).
    """
    shown = [row for row in table.rows if not row.suppressed and not row.merged]
    hidden = [row.label for row in table.rows if row.suppressed]
    for row in table.rows:
        if row.suppressed:  # "across the columns": a hidden row shows neither its total nor any cell
            assert row.counts is None and row.total is None
    if not hidden:
        return {}
    rest = {c: table.overall[c] - sum(row.counts[c] for row in shown) for c in table.columns}
    rest_total = table.overall_total - sum(row.total for row in shown)
    merged = table.merged_row
    if merged is not None:
        assert dict(merged.counts) == rest and merged.total == rest_total
        assert set(merged.members) == set(hidden)
    k = len(hidden)
    low = 1 if rest_total >= k else 0
    shown_sizes = [row.total for row in shown if row.total > 0]
    high = min(shown_sizes) if shown_sizes else rest_total
    if rest_total < k:
        high = 1
    total_range = (max(low, rest_total - (k - 1) * high), min(high, rest_total - (k - 1) * low))
    cells = {
        c: (max(0, v - (k - 1) * min(v, total_range[1])), min(v, total_range[1])) for c, v in rest.items()
    }
    return {label: (total_range, cells) for label in hidden}


def pinned(result: tuple[tuple[int, int], dict[str, tuple[int, int]]]) -> bool:
    (lo, hi), cells = result
    return lo == hi or all(a == b for a, b in cells.values())


def check_protected(counts: pd.DataFrame, table: ProtectedTable) -> None:
    """All properties a protected table must have, given the unprotected counts."""
    m = table.min_group
    truth = {str(label): [int(v) for v in row] for label, row in zip(counts.index, counts.to_numpy())}
    columns = [str(c) for c in counts.columns]

    # Nothing lost, nothing changed: shown rows are the input, shown + hidden = overall.
    assert table.columns == tuple(columns)
    assert table.overall == {c: int(v) for c, v in zip(columns, counts.sum(axis=0))}
    assert table.overall_total == int(counts.to_numpy().sum())
    assert [row.label for row in table.rows if not row.merged] == list(truth)
    for row in table.rows:
        if not row.suppressed and not row.merged:
            assert list(row.counts.values()) == truth[row.label] and row.total == sum(truth[row.label])
    hidden = [row.label for row in table.rows if row.suppressed]
    assert table.n_suppressed == len(hidden)
    for j, c in enumerate(columns):
        shown_sum = sum(row.counts[c] for row in table.rows if not row.suppressed and not row.merged)
        assert shown_sum + sum(truth[label][j] for label in hidden) == table.overall[c]
    merged = table.merged_row
    if merged is not None:
        assert merged is table.rows[-1] and merged.label == OTHER_LABEL
        assert merged.members == tuple(hidden)  # in input order
        assert list(merged.counts.values()) == [sum(truth[label][j] for label in hidden) for j in range(len(columns))]

    # Every group below the threshold is hidden; nothing shown is below it except empty rows.
    for label, values in truth.items():
        if 0 < sum(values) < m:
            assert label in hidden
    for row in table.rows:
        if not row.suppressed and row.total:
            assert row.total >= m or table.warning is not None

    # The attacker pins down no hidden group below the threshold, and its ranges hold the truth (it is sound).
    if table.warning is None:
        results = attack(table)
        for label, result in results.items():
            (lo, hi), cells = result
            size = sum(truth[label])
            assert lo <= size <= hi
            for j, c in enumerate(columns):
                assert cells[c][0] <= truth[label][j] <= cells[c][1]
            if 0 < size < m:
                assert not pinned(result), (label, result)
    else:
        # Full protection by hiding is impossible only for a table smaller than min_group, or one where every
        # group has exactly one respondent and no empty group can be hidden among them.
        sizes = [sum(v) for v in truth.values()]
        assert table.overall_total < m or (all(s <= 1 for s in sizes) and 0 not in sizes)


tables = st.integers(1, 15).flatmap(
    lambda n_groups: st.integers(1, 4).flatmap(
        lambda n_cols: st.lists(
            st.lists(st.integers(0, 12), min_size=n_cols, max_size=n_cols), min_size=n_groups, max_size=n_groups
        ).map(
            lambda rows: pd.DataFrame(
                rows, index=[f"g{i}" for i in range(len(rows))], columns=[f"c{j}" for j in range(len(rows[0]))]
            )
        )
    )
)
# Counts drawn mostly small, so that many groups fall below the threshold and secondary hiding is exercised.
sparse_tables = st.integers(1, 15).flatmap(
    lambda n_groups: st.integers(1, 4).flatmap(
        lambda n_cols: st.lists(
            st.lists(st.sampled_from([0, 0, 0, 1, 1, 2, 3, 5, 12]), min_size=n_cols, max_size=n_cols),
            min_size=n_groups,
            max_size=n_groups,
        ).map(
            lambda rows: pd.DataFrame(
                rows, index=[f"g{i}" for i in range(len(rows))], columns=[f"c{j}" for j in range(len(rows[0]))]
            )
        )
    )
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=tables, min_group=st.integers(2, 10), merge=st.booleans(), strict=st.booleans())
def test_attacker_cannot_recover_hidden_groups(counts, min_group, merge, strict):
    check_protected(counts, protect(counts, min_group, merge=merge, strict=strict))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=sparse_tables, min_group=st.integers(2, 10), merge=st.booleans(), strict=st.booleans())
def test_attacker_cannot_recover_hidden_groups_sparse(counts, min_group, merge, strict):
    check_protected(counts, protect(counts, min_group, merge=merge, strict=strict))


@settings(max_examples=100, deadline=None)
@given(counts=tables, min_group=st.integers(2, 10))
def test_oneway_tables_are_protected(counts, min_group):
    series = counts.iloc[:, 0]
    table = protect_oneway(series, min_group)
    check_protected(series.to_frame(), table)


@settings(max_examples=100, deadline=None)
@given(counts=tables, min_group=st.integers(-0, 1))
def test_min_group_one_shows_everything(counts, min_group):
    table = protect(counts, min_group)
    assert table.n_suppressed == 0 and table.merged_row is None and table.warning is None
    assert [list(row.counts.values()) for row in table.rows] == counts.to_numpy().tolist()


# --- an attacker who also knows the algorithm ----------------------------------------------------------------


def resimulation_ranges(totals: list[int], min_group: int, strict: bool) -> dict[int, set[int]]:
    """Sizes each hidden group can have for a reader who re-runs the algorithm on every guess of hidden sizes.

    The algorithm decides on group totals only, and any guess of totals can be filled with cells matching the
    shown column sums, so the guesses of totals that reproduce the hidden set are exactly what the reader cannot
    tell apart.
    """
    hidden, _ = _choose_hidden(totals, min_group, strict)
    order = sorted(hidden)
    rest = sum(totals[i] for i in order)
    possible: dict[int, set[int]] = {i: set() for i in order}

    def guess(position: int, left: int, chosen: list[int]) -> None:
        if position == len(order) - 1:
            trial = list(totals)
            for i, t in zip(order, chosen + [left]):
                trial[i] = t
            if _choose_hidden(trial, min_group, strict)[0] == hidden:
                for i, t in zip(order, chosen + [left]):
                    possible[i].add(t)
            return
        for t in range(left + 1):
            guess(position + 1, left - t, chosen + [t])

    guess(0, rest, [])
    return possible


@settings(max_examples=150, deadline=None)
@given(totals=st.lists(st.integers(0, 12), min_size=1, max_size=8), min_group=st.integers(2, 10))
def test_strict_mode_defeats_a_reader_who_reruns_the_algorithm(totals, min_group):
    hidden, warning = _choose_hidden(totals, min_group, True)
    assume(hidden and warning is None and len(hidden) <= 4 and sum(totals[i] for i in hidden) <= 20)
    # the private helper decides what protect() hides
    table = protect(pd.DataFrame({"n": totals}, index=[f"g{i}" for i in range(len(totals))]), min_group, strict=True)
    assert {int(label[1:]) for label in table.suppressed_labels} == hidden
    possible = resimulation_ranges(totals, min_group, True)
    for i in hidden:
        assert totals[i] in possible[i]
        if 0 < totals[i] < min_group:
            assert len(possible[i]) > 1, (totals, i, possible)


def test_default_mode_is_open_to_a_reader_who_reruns_the_algorithm():
    # Documented limitation of the default (the rule): sizes [3, 2, 4, 2] at min_group 3 hide the two 2s
    # (4 >= 3, so no secondary group). A reader who re-runs the algorithm finds that any other split of the 4
    # (1 + 3, 3 + 1) would have hidden group 0 instead (same size, earlier position): the sizes are pinned at 2.
    assert resimulation_ranges([3, 2, 4, 2], 3, strict=False) == {1: {2}, 3: {2}}
    # Strict mode hides the smallest shown group too; then several splits remain possible.
    possible = resimulation_ranges([3, 2, 4, 2], 3, strict=True)
    assert sorted(possible) == [0, 1, 3] and all(len(v) > 1 for v in possible.values())


# --- the memo's tables ---------------------------------------------------------------------------------------


def test_published_table_13_matches_reference_file():
    reference = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))["tables"][13]["rows"]
    assert {label: tuple(v[:2]) for label, v in reference.items()} == TABLE_13


def test_table_13_at_min_group_5():
    table = protect(frame(TABLE_13), 5)
    hidden = ("Akademikere, KL", "Husassistenter, KL", "Led. værkst.pers. mv., klientv., KL",
              "Syge- og sundhedspersonale - basis, KL")
    assert table.suppressed_labels == hidden
    assert table.n_suppressed == 4 and table.warning is None
    merged = table.merged_row
    assert merged.label == "Øvrige grupper" and merged.members == hidden
    assert merged.counts == {"Ja": 1, "Nej": 7} and merged.total == 8
    assert table.overall == {"Ja": 65, "Nej": 149} and table.overall_total == 214
    rows = {row.label: row for row in table.rows}
    assert rows["Hjemmevejledere og pæd.pers., døgninst."].counts == {"Ja": 1, "Nej": 4}  # exactly 5: shown
    assert rows["Socialpædagoger og pæd.pers.døgninst.mv."].total == 87
    empty = rows["Pædagogisk uddannede ledere"]
    assert not empty.suppressed and empty.empty and empty.total == 0 and empty.reason == "ingen svar"
    assert rows["Akademikere, KL"].counts is None and rows["Akademikere, KL"].total is None
    assert "Øvrige grupper" in rows["Akademikere, KL"].reason
    assert len(table.shown_labels) == 9
    check_protected(frame(TABLE_13), table)


def test_table_13_strict_also_hides_the_smallest_shown_group():
    table = protect(frame(TABLE_13), 5, strict=True)
    assert "Hjemmevejledere og pæd.pers., døgninst." in table.suppressed_labels
    assert table.merged_row.counts == {"Ja": 2, "Nej": 11} and table.merged_row.total == 13
    check_protected(frame(TABLE_13), table)


def test_table_13_without_merging():
    table = protect(frame(TABLE_13), 5, merge=False)
    assert table.merged_row is None and table.n_suppressed == 4 and len(table.rows) == 13
    assert all(row.reason and "Øvrige" not in row.reason for row in table.rows if row.suppressed)


def test_table_13_at_min_group_1_is_the_memo():
    table = protect(frame(TABLE_13), 1)
    assert table.n_suppressed == 0
    assert {row.label: tuple(row.counts.values()) for row in table.rows} == TABLE_13


def test_table_11_single_small_group_takes_the_next_smallest_with_it():
    # Rådgivning og Visitation (2) alone would be overall minus the rest: "Tilbud ikke angivet" (44) is hidden too.
    counts = frame(
        {"Rådgivning og Visitation": (0, 2), "Resterende tilbud": (52, 116), "Tilbud ikke angivet": (13, 31)}
    )
    table = protect(counts, 5)
    assert table.suppressed_labels == ("Rådgivning og Visitation", "Tilbud ikke angivet")
    assert table.merged_row.counts == {"Ja": 13, "Nej": 33}
    assert table.shown_labels == ("Resterende tilbud",)


def test_table_10_oneway():
    reference = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))["tables"][10]["rows"]
    series = pd.Series({label: v[0] for label, v in reference.items()})
    table = protect_oneway(series, 5)
    assert table.columns == ("Antal",) and table.overall_total == 333
    assert table.suppressed_labels == ("Husassistenter, KL", "Led. værkst.pers. mv., klientv., KL",
                                       "Pædagogisk uddannede ledere", "Syge- og sundhedspersonale - basis, KL")
    assert table.merged_row.total == 8


# --- edge cases ----------------------------------------------------------------------------------------------


def test_singletons_hide_the_empty_groups_among_them():
    # Five groups of one: shown empty groups would tell the reader each hidden group holds exactly one person.
    counts = frame({"a": (1, 0), "b": (0, 1), "c": (1, 0), "d": (0, 0), "e": (0, 1), "f": (1, 0)})
    table = protect(counts, 5)
    assert table.suppressed_labels == ("a", "b", "c", "d", "e", "f") and table.warning is None
    check_protected(counts, table)


def test_unprotectable_tables_carry_a_warning():
    tiny = protect(frame({"a": (1, 2), "b": (0, 0)}), 5)
    assert tiny.warning and "færre end 5" in tiny.warning
    ones = protect(frame({f"g{i}": (1, 0) for i in range(6)}), 5)
    assert ones.warning and "ét svar" in ones.warning


def test_several_hidden_groups_whose_sum_is_small_take_another():
    counts = frame({"a": (1, 0), "b": (1, 1), "c": (5, 5), "d": (3, 3), "e": (9, 9)})
    table = protect(counts, 5)
    # 1 + 2 = 3 < 5: the smallest shown group (d, 6) goes too.
    assert table.suppressed_labels == ("a", "b", "d")
    assert table.merged_row.total == 9


def test_ties_are_broken_by_position():
    counts = frame({"a": (3, 3), "b": (1, 0), "c": (3, 3)})
    assert protect(counts, 5).suppressed_labels == ("a", "b")
    assert protect(counts, 5, strict=True).suppressed_labels == ("a", "b", "c")


def test_merged_label_never_collides_with_a_group():
    counts = frame({"Øvrige grupper": (10, 10), "a": (1, 0), "b": (0, 2), "c": (4, 4)})
    table = protect(counts, 5)
    assert table.merged_row.label == "Øvrige grupper (samlet)"
    assert table.shown_labels == ("Øvrige grupper",)


def test_bad_input():
    with pytest.raises(DefinitionError, match="min_group"):
        protect(frame(TABLE_13), -1)
    with pytest.raises(ValueError, match="non-negative"):
        protect(frame({"a": (-1, 2)}), 5)
    with pytest.raises(ValueError, match="duplicate"):
        protect(pd.DataFrame([[1, 2], [3, 4]], index=["a", "a"]), 5)


def test_empty_input():
    table = protect(pd.DataFrame(columns=["Ja", "Nej"], dtype=int), 5)
    assert table.rows == () and table.overall == {"Ja": 0, "Nej": 0} and table.overall_total == 0


# --- nested breakdowns ---------------------------------------------------------------------------------------


def nested_frame(data: dict[tuple[str, str], tuple[int, int]]) -> pd.DataFrame:
    return pd.DataFrame(list(data.values()), index=pd.MultiIndex.from_tuples(list(data)), columns=["Ja", "Nej"])


def test_nested_protects_both_levels():
    counts = nested_frame({
        ("Center A", "x"): (3, 10), ("Center A", "y"): (1, 1), ("Center A", "z"): (2, 6),
        ("Center B", "x"): (1, 0), ("Center B", "y"): (0, 2),
        ("Center C", "x"): (4, 4), ("Center C", "y"): (6, 6),
        ("Center D", "x"): (20, 30),
    })
    nested = protect_nested(counts, 5)
    outer = nested.outer
    # B (3) is below 5; C (20) is the smallest other outer group and goes with it.
    assert outer.suppressed_labels == ("Center B", "Center C")
    assert outer.merged_row.counts == {"Ja": 11, "Nej": 12}
    assert set(nested.inner) == {"Center A", "Center D"}
    a = nested.inner["Center A"]
    assert a.overall == {"Ja": 6, "Nej": 17}  # the outer subtotal acts as the overall row
    assert a.suppressed_labels == ("y", "z") and a.merged_row.counts == {"Ja": 3, "Nej": 7}
    assert nested.inner["Center D"].n_suppressed == 0
    assert nested.overall_total == 96 and nested.columns == ("Ja", "Nej") and nested.min_group == 5
    check_protected(counts.groupby(level=0, sort=False).sum(), outer)
    check_protected(counts.loc["Center A"], a)


@settings(max_examples=60, deadline=None)
@given(counts=tables, outer_of=st.lists(st.integers(0, 3), min_size=15, max_size=15), min_group=st.integers(2, 10))
def test_nested_property(counts, outer_of, min_group):
    keys = [(f"o{outer_of[i]}", label) for i, label in enumerate(counts.index)]
    nested_counts = counts.set_axis(pd.MultiIndex.from_tuples(keys))
    nested = protect_nested(nested_counts, min_group)
    check_protected(nested_counts.groupby(level=0, sort=False).sum(), nested.outer)
    assert set(nested.inner) == set(nested.outer.shown_labels)
    for label, inner in nested.inner.items():
        check_protected(nested_counts.loc[label], inner)


def test_nested_warning_collects_inner_warnings():
    counts = nested_frame({("A", f"x{i}"): (1, 0) for i in range(5)} | {("B", "y"): (3, 4)})
    nested = protect_nested(counts, 5)
    assert nested.outer.warning is None
    assert nested.warning.startswith("A: Alle grupper har præcis ét svar")
    assert protect_nested(nested_frame({("B", "y"): (3, 4), ("B", "z"): (3, 4)}), 5).warning is None


def test_nested_needs_a_two_level_index():
    with pytest.raises(ValueError, match="MultiIndex"):
        protect_nested(frame(TABLE_13), 5)


def test_also_hide_forces_a_group_hidden_and_keeps_the_table_safe():
    counts = pd.DataFrame({"Ja": [10, 4, 6], "Nej": [10, 4, 6]}, index=["A", "B", "C"])
    pt = protect(counts, 5, also_hide=["B"])
    hidden = set(pt.suppressed_labels)
    assert "B" in hidden
    # B alone (8) would equal overall minus the shown rows: a second group is hidden with it.
    assert len(hidden) >= 2
    merged = pt.merged_row
    assert merged is not None and merged.total == sum(counts.loc[list(hidden)].sum(axis=1))
    # Without the link nothing would be hidden.
    assert not protect(counts, 5).suppressed_labels

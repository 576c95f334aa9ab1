"""Anonymity protection (statistical disclosure control) for breakdown tables.

The rule: a group (row) with fewer than ``min_group`` respondents shows no counts, and no hidden count may be
recoverable by arithmetic on what is shown. Everything here is a pure function on counts.

What a reader of a :class:`ProtectedTable` sees: the counts and totals of the shown rows, the overall row (always),
the labels of all rows, and, with ``merge=True``, one "Øvrige grupper" row holding the sum of the hidden rows. From
that the reader can always compute the hidden rows' sum (overall minus shown rows, per column and in total), so the
protection rests on three conditions on the hidden, non-empty groups (k of them, S respondents in all):

* ``S >= min_group``: their sum is itself a group large enough to show (the "Øvrige grupper" row is safe);
* ``k >= 2``: no single hidden group equals the sum;
* ``S > k``: since empty groups are shown as such, every hidden group is known to hold at least one person; if
  ``S == k`` every hidden group would be known to hold exactly one. (When every non-empty group is a hidden
  group of one, the empty groups are hidden among them instead, so that none is known to be non-empty.)

Under these conditions each hidden group's size can be anything from 1 to ``S - k + 1`` (at least two values), so
neither its total nor its counts can be pinned down. This still holds for a reader who knows the algorithm's bound
that every hidden group is at most as large as the smallest shown group. "Across the columns" needs no extra step:
a hidden row shows neither its total nor any cell.

A reader who knows the algorithm itself (smallest groups hidden first, ties by position, secondary groups only
when needed) and re-runs it on guessed sizes can sometimes still narrow a hidden group down, e.g. sizes
[3, 2, 4, 2] at min_group 3. ``strict=True`` closes that: whenever anything is hidden it hides at least one further
group, and groups of equal size together; in tests no re-running reader could pin a hidden group down then
(except where every group has one respondent, which ``warning`` reports). It hides more rows, so it is an option.

Not covered (by design of the rule, as in all minimum-group-size rules): a shown or merged group in which everybody
gave the same answer reveals that answer for each of its members; and combining *different* tables of the same
respondents (e.g. the same groups among part-timers and among everybody) is outside a single table's protection.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fuldtid.errors import DefinitionError

OTHER_LABEL = "Øvrige grupper"
EMPTY_REASON = "ingen svar"


@dataclass(frozen=True)
class ProtectedRow:
    """One row of a protected table.

    ``counts``/``total`` are None when the row is suppressed. A merged "Øvrige grupper" row has ``members`` = the
    labels of the groups merged into it; any other row has ``members == (label,)``. ``reason`` says why a row is
    suppressed, merged or empty (short Danish text), None when the row is shown as is.
    """

    label: str
    counts: Mapping[str, int] | None
    total: int | None
    suppressed: bool
    members: tuple[str, ...]
    reason: str | None

    @property
    def merged(self) -> bool:
        """True for the "Øvrige grupper" row."""
        return self.members != (self.label,)

    @property
    def empty(self) -> bool:
        """True for a shown row without respondents (render without percentages)."""
        return not self.suppressed and self.total == 0


@dataclass(frozen=True)
class ProtectedTable:
    """A count table after anonymity protection.

    ``rows`` lists every input group in input order (suppressed ones with ``suppressed=True``), followed by the
    merged "Øvrige grupper" row when ``merge=True`` and something was hidden. A renderer that shows the merged row
    may leave out the suppressed rows (their labels are the merged row's ``members``) or list them as hidden.
    ``overall``/``overall_total`` are the column sums of the full input and are always shown.
    ``warning`` (Danish) is set when the table cannot be fully protected by hiding rows (the whole table is smaller
    than ``min_group``, or every group has exactly one respondent and there is no empty group to hide among):
    the caller should then not publish it, or publish only the overall row.
    """

    columns: tuple[str, ...]
    rows: tuple[ProtectedRow, ...]
    overall: Mapping[str, int]
    overall_total: int
    min_group: int
    n_suppressed: int
    warning: str | None = None

    @property
    def merged_row(self) -> ProtectedRow | None:
        """The "Øvrige grupper" row, if any."""
        return next((row for row in self.rows if row.merged), None)

    @property
    def shown_labels(self) -> tuple[str, ...]:
        """Labels of the input groups shown with their own counts (including empty rows), in input order.

        Per-group statistics (e.g. :func:`fuldtid.stats.significance.group_differences`) may only be reported for these.
        """
        return tuple(row.label for row in self.rows if not row.suppressed and not row.merged)

    @property
    def suppressed_labels(self) -> tuple[str, ...]:
        """Labels of the hidden input groups, in input order."""
        return tuple(row.label for row in self.rows if row.suppressed)


@dataclass(frozen=True)
class NestedProtectedTable:
    """A two-level breakdown after anonymity protection.

    ``outer`` protects the outer groups (rows = outer subtotals) against the overall row, exactly like
    :func:`protect`. ``inner`` maps the label of every outer group that is shown with its own counts (not
    suppressed, not merged) to a :class:`ProtectedTable` of its inner groups, protected with the outer subtotal
    acting as that table's overall row. Hidden outer groups have no inner table: nothing below them is shown.
    """

    outer: ProtectedTable
    inner: Mapping[str, ProtectedTable]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.outer.columns

    @property
    def overall(self) -> Mapping[str, int]:
        return self.outer.overall

    @property
    def overall_total(self) -> int:
        return self.outer.overall_total

    @property
    def min_group(self) -> int:
        return self.outer.min_group

    @property
    def warning(self) -> str | None:
        """The outer table's warning and those of the inner tables (prefixed with their outer group), or None.

        An inner table with a warning (every inner group has exactly one respondent) should be shown as its outer
        subtotal only.
        """
        notes = [self.outer.warning] if self.outer.warning else []
        notes += [f"{label}: {table.warning}" for label, table in self.inner.items() if table.warning]
        return " ".join(notes) or None


def _check_min_group(min_group: int) -> int:
    if isinstance(min_group, bool) or not isinstance(min_group, (int, np.integer)) or min_group < 0:
        raise DefinitionError(
            f"min_group must be a whole number of 0 or more, got {min_group!r}: "
            "set min_group in the survey definition or pass --min-group N (5 is the default)."
        )
    return int(min_group)


def _labels(index: pd.Index, what: str) -> list[str]:
    labels = [str(label) for label in index]
    if len(set(labels)) != len(labels):
        dupes = sorted({label for label in labels if labels.count(label) > 1})
        raise ValueError(f"duplicate {what} labels in count table: {dupes}")
    return labels


def _count_matrix(counts: pd.DataFrame) -> np.ndarray:
    try:
        values = counts.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError("count table must hold numbers only") from exc
    if values.size and (np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any()):
        raise ValueError("count table must hold non-negative whole numbers (no NaN)")
    return values.astype(np.int64).reshape(len(counts.index), len(counts.columns))


def other_label(labels: Collection[str]) -> str:
    """The merged row's label: "Øvrige grupper", unless a group happens to be called that."""
    label = OTHER_LABEL
    while label in labels:
        label += " (samlet)"
    return label


def _choose_hidden(totals: list[int], min_group: int, strict: bool = False,
                   forced: frozenset[int] = frozenset()) -> tuple[set[int], str | None]:
    """Indices of the groups to hide, and a warning if full protection is impossible.

    ``forced``: groups to hide whatever their size (hidden in a linked table of the same people)."""
    primary = {i for i, t in enumerate(totals) if 0 < t < min_group} | {i for i in forced if totals[i] > 0}
    hidden = set(primary)
    if not hidden:
        return hidden, None

    def unsafe() -> bool:
        size = sum(totals[i] for i in hidden)
        nonempty = sum(1 for i in hidden if totals[i] > 0)
        # (nonempty < 2 is implied by the other two, since a group >= min_group is never hidden alone; kept as
        # the plain statement of the rule.)
        return size < min_group or nonempty < 2 or size <= nonempty

    # Secondary suppression: the smallest shown groups first. Default: one at a time, ties by input position
    # (deterministic). Strict: always at least one, and all groups of the same size together, so that a reader who
    # re-runs this algorithm cannot use the tie-break or "no secondary was needed" to narrow down hidden sizes.
    candidates = sorted((t, i) for i, t in enumerate(totals) if t >= min_group)
    added_size: int | None = None
    for size, i in candidates:
        if strict and size == added_size:
            hidden.add(i)
            continue
        if not unsafe() and (added_size is not None or not strict):
            break
        hidden.add(i)
        added_size = size
    if not unsafe():
        return hidden, None

    size = sum(totals[i] for i in hidden)
    if size < min_group:
        return hidden, (
            f"Hele tabellen bygger på færre end {min_group} svar ({size}); "
            "den bør ikke offentliggøres, da selv totalen kan afsløre enkeltpersoner."
        )
    # Every non-empty group holds exactly one respondent and all are hidden: showing the empty groups would tell
    # the reader that each hidden group holds exactly one person, so hide the empty groups among them.
    empty = {i for i, t in enumerate(totals) if t == 0}
    if empty:
        return hidden | empty, None
    return hidden, (
        "Alle grupper har præcis ét svar, så antallet i hver gruppe kan udledes af totalen; "
        "tabellen bør kun vises som total."
    )


choose_hidden = _choose_hidden  # the single-table rule, for fuldtid.stats.linked


def protect(counts: pd.DataFrame, min_group: int, *, merge: bool = True, strict: bool = False,
            also_hide: Collection[str] = ()) -> ProtectedTable:
    """Hide groups below ``min_group`` and any further groups needed so that no hidden count can be recovered.

    ``counts``: index = group labels in display order, columns = answer labels, non-negative whole numbers.
    Groups below ``min_group`` (and above 0) are hidden; further groups are hidden, smallest first (ties by input
    position), until the hidden groups number at least two, hold at least ``min_group`` respondents together and
    more respondents than groups (see the module docstring for why this suffices). With ``merge=True`` their sum is
    shown as one "Øvrige grupper" row at the end, otherwise they are only marked suppressed (the reader could
    compute the same sum from the overall row, so both are equally safe). Empty groups are shown with total 0.
    ``min_group <= 1`` shows everything unchanged.

    ``strict=True`` also protects against a reader who knows this algorithm and re-runs it on guessed sizes: it
    hides at least one further group whenever anything is hidden, and groups of equal size together (no
    tie-break). It costs more hidden rows; see the module docstring.

    ``also_hide`` names groups to hide whatever their size: groups hidden in another published table of the
    same people, which would otherwise give this table's count away by subtraction (linked tables).
    """
    min_group = _check_min_group(min_group)
    labels = _labels(counts.index, "group")
    columns = tuple(_labels(counts.columns, "column"))
    matrix = _count_matrix(counts)
    totals = [int(t) for t in matrix.sum(axis=1)]
    overall_counts = matrix.sum(axis=0)
    overall = {col: int(v) for col, v in zip(columns, overall_counts)}
    overall_total = int(overall_counts.sum())

    forced = frozenset(i for i, label in enumerate(labels) if label in set(also_hide))
    hidden, warning = _choose_hidden(totals, min_group, strict, forced) if min_group > 1 else (set(), None)
    reason = f"skjult af hensyn til anonymiteten (grupper under {min_group} svar)"
    if merge:
        reason += f"; indgår i {other_label(labels)}"

    rows: list[ProtectedRow] = []
    for i, label in enumerate(labels):
        if i in hidden:
            rows.append(ProtectedRow(label, None, None, True, (label,), reason))
        else:
            cells = {col: int(v) for col, v in zip(columns, matrix[i])}
            rows.append(ProtectedRow(label, cells, totals[i], False, (label,), None if totals[i] else EMPTY_REASON))

    if merge and hidden:
        order = sorted(hidden)
        merged_counts = matrix[order].sum(axis=0)
        rows.append(
            ProtectedRow(
                label=other_label(labels),
                counts={col: int(v) for col, v in zip(columns, merged_counts)},
                total=int(merged_counts.sum()),
                suppressed=False,
                members=tuple(labels[i] for i in order),
                reason=f"{len(order)} grupper slået sammen af hensyn til anonymiteten",
            )
        )
    return ProtectedTable(
        columns=columns,
        rows=tuple(rows),
        overall=overall,
        overall_total=overall_total,
        min_group=min_group,
        n_suppressed=len(hidden),
        warning=warning,
    )


def protect_oneway(
    counts: pd.Series, min_group: int, *, merge: bool = True, strict: bool = False, also_hide: Collection[str] = ()
) -> ProtectedTable:
    """Protect a one-way frequency table: each category is a group whose size is its count.

    The result has a single column named after the series (or "Antal" when it has no name).
    """
    name: Hashable = counts.name if counts.name is not None else "Antal"
    return protect(counts.to_frame(name=name), min_group, merge=merge, strict=strict, also_hide=also_hide)


def protect_nested(
    counts: pd.DataFrame, min_group: int, *, merge: bool = True, strict: bool = False
) -> NestedProtectedTable:
    """Protect a two-level breakdown (index = 2-level MultiIndex: outer group, inner group).

    The outer groups are protected against the overall row; the inner groups of every shown outer group are
    protected against that outer group's subtotal. See :class:`NestedProtectedTable` for the shape.
    """
    if not isinstance(counts.index, pd.MultiIndex) or counts.index.nlevels != 2:
        raise ValueError("protect_nested needs counts indexed by a 2-level MultiIndex (outer group, inner group)")
    outer_keys = list(dict.fromkeys(counts.index.get_level_values(0)))
    outer_labels = _labels(pd.Index(outer_keys), "outer group")
    by_outer = {
        label: counts.loc[[key == k for k in counts.index.get_level_values(0)]].droplevel(0)
        for key, label in zip(outer_keys, outer_labels)
    }
    subtotals = pd.DataFrame(
        [frame.to_numpy().sum(axis=0) for frame in by_outer.values()],
        index=pd.Index(outer_labels),
        columns=counts.columns,
    )
    outer = protect(subtotals, min_group, merge=merge, strict=strict)
    inner = {
        label: protect(by_outer[label], min_group, merge=merge, strict=strict)
        for label in outer.shown_labels
    }
    return NestedProtectedTable(outer=outer, inner=inner)

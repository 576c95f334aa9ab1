"""The numbers behind the memo's figures: what each bar shows, protected as the tables are.

Computing a figure's numbers is kept apart from drawing it, so the numbers can be tested and quoted in the
prose without importing any plotting library. Bars of groups below the anonymity threshold are not drawn on
their own: they are hidden, and merged into one "Øvrige grupper" bar, by the same rule as the tables
(:mod:`fuldtid.stats.disclosure`), so no hidden count can be worked out from the figure and the tables together.

With weights (issue 4), every bar also carries the weighted share and its 95% interval, estimated as the
tables' weighted column is (:func:`fuldtid.stats.weighting.weighted_share`), and is drawn as a point with an error
bar on the unweighted bar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pandas as pd

from fuldtid import fmt
from fuldtid.model.definition import FigureSpec

if TYPE_CHECKING:
    from fuldtid.model.survey import Survey
    from fuldtid.stats.tables import TableSet
    from fuldtid.stats.weighting import Weights

nan = float("nan")

COLUMNS = ["group", "category", "count", "total", "pct"]
# With weights: the weighted share and its 95% interval per bar (percent; NaN where nothing can be estimated).
WEIGHTED_COLUMNS = ["w_pct", "w_low", "w_high"]


@dataclass(frozen=True)
class FigureData:
    """The numbers behind one figure.

    ``data`` has one row per bar (``distribution``, ``share``) or per bar of a group (``cross``), with the
    columns ``group`` (the bar's label: an answer for a distribution, a group of ``by`` otherwise),
    ``category`` (the answer counted), ``count``, ``total`` (the group's respondents) and ``pct``
    (count / total × 100; None when the group is empty). Groups hidden for anonymity are not in ``data``;
    when some are hidden, their sum is the group ``merged_label`` and their labels are in ``hidden``.
    With weights (``weighted`` True), ``data`` also has ``w_pct``, ``w_low`` and ``w_high``: the weighted
    share of the bar and its 95% interval (NaN where the bar's group has no weighted respondent).
    """

    number: int
    kind: str
    title: str
    field: str
    by: str | None
    value: str | None
    among: str
    n: int
    data: pd.DataFrame
    hidden: tuple[str, ...] = ()
    merged_label: str | None = None
    min_group: int = 1
    weighted: bool = False
    # A distribution of a weighting variable among everyone: weighted, it equals the population file's by
    # construction, so no weighted share is estimated (and none drawn) for it.
    weighting_variable: bool = False

    @property
    def caption(self) -> str:
        return f"Figur {self.number}: {self.title} (n={fmt.number(self.n)})"

    def groups(self) -> list[str]:
        """The bars' group labels in drawing order."""
        return list(dict.fromkeys(self.data["group"]))

    def group_rows(self) -> pd.DataFrame:
        """One row per group (its first category): group, total, and for ``share`` its count and pct."""
        return self.data.drop_duplicates("group").reset_index(drop=True)

    def pct(self, group: str, category: str | None = None) -> float | None:
        d = self.data[self.data["group"] == group]
        if category is not None:
            d = d[d["category"] == category]
        if d.empty:
            raise KeyError((group, category))
        value = d["pct"].iloc[0]
        return None if value is None or pd.isna(value) else float(value)

    def weighted_pct(self, group: str, category: str | None = None) -> tuple[float, float, float] | None:
        """(share, ci_low, ci_high) of a bar in percent, or None without weights or estimate."""
        if not self.weighted:
            return None
        d = self.data[self.data["group"] == group]
        if category is not None:
            d = d[d["category"] == category]
        if d.empty:
            raise KeyError((group, category))
        values = tuple(float(d[c].iloc[0]) for c in WEIGHTED_COLUMNS)
        # A share without an interval (one respondent) keeps its NaN ends.
        return None if pd.isna(values[0]) else values  # type: ignore[return-value]

    def key(self) -> tuple:
        """A hashable digest of everything drawn, for caching rendered figures across formats."""
        rows = tuple(
            (str(g), str(c), int(n), int(t), None if p is None or pd.isna(p) else round(float(p), 9))
            for g, c, n, t, p in self.data[COLUMNS].itertuples(index=False)
        )
        w = ()
        if self.weighted:
            w = tuple(tuple(None if pd.isna(v) else round(float(v), 9) for v in row)
                      for row in self.data[WEIGHTED_COLUMNS].itertuples(index=False))
        return (self.kind, self.title, self.value, self.n, rows, w)


def _frame(records: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    rows = [(g, c, n, t, (100.0 * n / t) if t else None) for g, c, n, t in records]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["count"] = df["count"].astype("int64")
    df["total"] = df["total"].astype("int64")
    df["pct"] = df["pct"].astype("object")
    return df


NOT_GIVEN = "Ikke angivet"


def _groups(survey: Survey, question: str | None, by: str, among: str, min_group: int
            ) -> tuple[list[tuple[str, dict[str, int], int]], tuple[str, ...], str | None, int]:
    """The bars of a figure by ``by``, from the one cross-tabulate-and-protect core
    (:func:`fuldtid.stats.crosstab.group_table`, the same decisions as the tables' and the breakdowns'): shown
    groups with their answer counts, then "Øvrige grupper" (the hidden ones together); the hidden labels; the
    merged label; and the respondents behind the figure. Those who did not give ``by`` are drawn only inside
    the merged bar when the protection hides them (so it holds the same people as the tables' merged row);
    otherwise they are left out, and the shares are of those who gave it, as in the 2022 memo."""
    from fuldtid.stats.crosstab import group_table

    g = group_table(survey, question, by, among, min_group)
    if g.whole:
        return [], tuple(r.label for r in g.rows), None, int(sum(g.overall_counts.values()))
    records = [(r.label, dict(r.counts or {}), int(r.total or 0)) for r in g.rows
               if not r.hidden and (r.label != NOT_GIVEN or r.merged)]
    merged = g.merged
    return records, g.hidden, merged.label if merged is not None else None, sum(n for _, _, n in records)


def distribution_data(survey: Survey, spec: FigureSpec, min_group: int = 1, weights: Weights | None = None) -> FigureData:
    """Shares of each answer of ``spec.field`` among the group ``spec.among`` (unanswered left out; for a
    background field, whose categories are groups of people, protected like its table)."""
    from fuldtid.stats.linked import background_fields

    if spec.field in background_fields(survey.definition):
        records, hidden, merged, n = _groups(survey, None, spec.field, spec.among, min_group)
        rows = [(label, label, total, n) for label, _, total in records]
    else:
        values = survey.responses.loc[survey.group_mask(spec.among).to_numpy(), spec.field]
        counts = values.value_counts(sort=False).reindex(list(survey.options(spec.field)), fill_value=0)
        n = int(counts.sum())
        hidden, merged = (), None
        rows = [(str(o), str(o), int(c), n) for o, c in counts.items()]
        if min_group > 1:
            from fuldtid.stats.linked import protected_rows, protector_for

            _, whole = protected_rows(protector_for(survey, min_group), spec.field, (), spec.among, [()])
            if whole:
                rows, hidden = [], tuple(r[0] for r in rows)
    fig = FigureData(spec.number, spec.kind, spec.title, spec.field, None, None, spec.among, n,
                     _frame(rows), hidden, merged, min_group)
    return fig if weights is None else _with_weighted(fig, survey, weights)


def share_data(survey: Survey, spec: FigureSpec, min_group: int = 1, weights: Weights | None = None) -> FigureData:
    """The share answering ``spec.value`` in each group of ``spec.by`` (within ``spec.among``)."""
    assert spec.by is not None
    groups, hidden, merged, n = _groups(survey, spec.field, spec.by, spec.among, min_group)
    value = str(spec.value)
    records = [(g, value, c.get(value, 0), t) for g, c, t in groups if t > 0]
    fig = FigureData(spec.number, spec.kind, spec.title, spec.field, spec.by, value, spec.among,
                     n, _frame(records), hidden, merged, min_group)
    return fig if weights is None else _with_weighted(fig, survey, weights)


def cross_data(survey: Survey, spec: FigureSpec, min_group: int = 1, weights: Weights | None = None) -> FigureData:
    """The shares of every answer of ``spec.field`` in each group of ``spec.by`` (within ``spec.among``)."""
    assert spec.by is not None
    groups, hidden, merged, n = _groups(survey, spec.field, spec.by, spec.among, min_group)
    records = [(g, str(cat), k, t) for g, c, t in groups if t > 0 for cat, k in c.items()]
    fig = FigureData(spec.number, spec.kind, spec.title, spec.field, spec.by, None, spec.among,
                     n, _frame(records), hidden, merged, min_group)
    return fig if weights is None else _with_weighted(fig, survey, weights)


def figure_data(survey: Survey, spec: FigureSpec, min_group: int = 1, weights: Weights | None = None) -> FigureData:
    """The numbers behind the figure ``spec`` (see :class:`FigureData`); with ``weights`` (a
    :class:`fuldtid.stats.weighting.Weights`) also the weighted share of every bar."""
    if spec.kind == "distribution":
        return distribution_data(survey, spec, min_group, weights)
    if spec.kind == "share":
        return share_data(survey, spec, min_group, weights)
    return cross_data(survey, spec, min_group, weights)


def all_figures(tableset: TableSet) -> tuple[FigureData, ...]:
    """Every figure of the survey definition, protected at the table set's anonymity threshold, with
    weighted shares when the table set is weighted."""
    s = tableset.survey
    w = tableset.weighting
    return tuple(figure_data(s, spec, tableset.min_group, w) for spec in s.definition.figures)


# --- weighted shares -----------------------------------------------------------------------------


def _members(fig: FigureData, label: str) -> tuple[str, ...]:
    """The answers (distribution) or groups (share, cross) a bar's label stands for."""
    return fig.hidden if fig.merged_label is not None and label == fig.merged_label else (label,)


def _with_weighted(fig: FigureData, survey: Survey, weights: Weights) -> FigureData:
    """``fig`` with the weighted share of every bar, as :mod:`fuldtid.stats.weighted` estimates the tables':
    y = the bar's answer, domain = the figure's group, answered (and, by a second field, in the bar's group)."""
    if getattr(weights, "cells", None) is None or not isinstance(getattr(weights, "weights", None), pd.Series):
        return fig  # weights without the raked design (not from rake()) give no interval: draw as unweighted
    from fuldtid.model.definition import ALL

    margins = {m.variable for m in getattr(getattr(weights, "population", None), "margins", ())}
    if fig.kind == "distribution" and fig.field in margins and fig.among == ALL:
        return replace(fig, weighting_variable=True)
    from fuldtid.stats.tablemodel import published_share

    r = survey.responses
    answer = r[fig.field].astype("object")
    domain = survey.group_mask(fig.among) & answer.notna()
    by = None
    if fig.by is not None:
        # Those who did not give ``by`` are drawn only within a merged bar (NOT_GIVEN among its members).
        by = r[fig.by].astype("object").where(r[fig.by].notna(), NOT_GIVEN)
    out = []
    for g, c in fig.data[["group", "category"]].itertuples(index=False):
        if by is None:
            y, dom = answer.isin(_members(fig, g)), domain
        else:
            y, dom = answer == c, domain & by.isin(_members(fig, g))
        # As every published weighted share (rounded, large enough groups): drawn points and the alt text must
        # not be finer than the tables.
        est = published_share(weights, y.fillna(False).astype(bool), dom.astype(bool), fig.min_group)
        out.append((est.pct, est.ci_low, est.ci_high) if est is not None else (nan, nan, nan))
    d = fig.data.copy()
    for i, col in enumerate(WEIGHTED_COLUMNS):
        d[col] = pd.Series([float(v[i]) for v in out], index=d.index, dtype="float64")
    return replace(fig, data=d, weighted=True)

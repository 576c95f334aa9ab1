"""The values of a table: rows, cross rows, weighted shares and who is left out, immutable and format-free.

Computing them is :mod:`fuldtid.stats.tables`; rendering them (terminal, XLSX, JSON, DOCX, HTML) lives in
:mod:`fuldtid.render`. A table's base is the respondents in its group who answered its question. Everyone else in
the group is listed as an :class:`Exclusion` with the reason, so nobody is lost silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import pandas as pd

    from fuldtid.stats.significance import DifferenceTest
    from fuldtid.stats.weighting import Estimate, Weights

OTHER_CATEGORIES = "Øvrige kategorier"
NOT_GIVEN = "Ikke angivet"


@dataclass(frozen=True)
class Weighted:
    """A weighted estimate of a share (percent units) with its 95% interval and the staff it stands for.

    ``ci_low``/``ci_high`` are None where no interval can be estimated; ``note`` (Danish) says why."""

    pct: float
    ci_low: float | None
    ci_high: float | None
    population_count: float
    note: str | None = None

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"pct": self.pct, "ci_low": self.ci_low, "ci_high": self.ci_high,
                             "population_count": self.population_count}
        if self.note:
            d["ci_note"] = self.note
        return d


@dataclass(frozen=True)
class Row:
    """A row of a one-way or coded table."""

    label: str
    count: int | None
    pct: float | None  # unrounded percent of the base, None where the base is 0 or the row is hidden
    examples: tuple[str, ...] = ()
    suppressed: bool = False
    members: tuple[str, ...] = ()  # for a merged row ("Øvrige grupper"): the labels merged into it
    weighted: Weighted | None = None  # with a population file


@dataclass(frozen=True)
class CrossRow:
    """A row of a cross table: one group's answers, with row percentages."""

    label: str
    counts: Mapping[str, int] | None
    total: int | None
    pcts: Mapping[str, float | None] | None
    suppressed: bool = False
    members: tuple[str, ...] = ()
    weighted: Mapping[str, Weighted] | None = None  # per column, with a population file


@dataclass(frozen=True)
class Exclusion:
    """Respondents left out of a table (``table`` None: out of several), with the reason."""

    table: int | None
    reason: str
    respondentids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.respondentids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "reason": self.reason,
            "count": self.count,
        }  # no respondent ids: they are pseudonymous microdata (write_exclusions writes them for the analyst)


@dataclass(frozen=True)
class Table:
    number: int
    kind: str  # "oneway" | "coded" | "cross"
    title: str  # the title without "(n=...)"
    field: str
    question: str
    among: str
    base: int
    rows: tuple[Row, ...] | tuple[CrossRow, ...]
    columns: tuple[str, ...] = ()
    by: str | None = None
    overall: Mapping[str, int] | None = None  # cross tables: column totals
    excluded: tuple[Exclusion, ...] = ()
    n_codes: int | None = None  # coded tables: codes given (> base when answers got several)
    min_group: int = 1
    n_suppressed: int = 0
    missing_row: str | None = None  # the row of those who did not answer the row field (e.g. "Har ikke svaret")
    variables: tuple[str, ...] = ()  # the export variable(s) the table counts (s_3; s_4_1, s_4_2, ...)
    test: DifferenceTest | None = None  # cross tables: the test on the published rows (tabletests.py)

    @property
    def hidden_whole(self) -> bool:
        """The whole table is hidden (its group is below the threshold, or would give a smaller one away):
        then neither its base nor how many of it were left out is published either."""
        return bool(self.rows) and all(getattr(r, "suppressed", False) for r in self.rows)

    @property
    def full_title(self) -> str:
        return f"{self.title} (n={'*' if self.hidden_whole else self.base})"

    @property
    def caption(self) -> str:
        return f"Tabel {self.number}: {self.full_title}"

    def row(self, label: str) -> Row | CrossRow:
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(label)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "number": self.number,
            "kind": self.kind,
            "title": self.full_title,
            "question": self.question,
            "variables": list(self.variables),
            "field": self.field,
            "among": self.among,
            "base": None if self.hidden_whole else self.base,
        }
        if self.kind == "grid":
            d["columns"] = list(self.columns)
            d["rows"] = [_cross_row_dict(r) for r in self.rows]
        elif self.kind == "cross":
            from fuldtid.stats.tabletests import test_dict

            d["by"] = self.by
            d["columns"] = list(self.columns)
            d["rows"] = [_cross_row_dict(r) for r in self.rows]
            d["overall"] = {
                "counts": dict(self.overall or {}),
                "total": None if self.hidden_whole else self.base,
                "pcts": {c: _pct(n, self.base) for c, n in (self.overall or {}).items()},
            }
            d["test"] = test_dict(self.test)
        else:
            d["rows"] = [_row_dict(r) for r in self.rows]
        if self.n_codes is not None:
            d["codes"] = self.n_codes
        d["excluded"] = None if self.hidden_whole else sum(e.count for e in self.excluded)
        d["min_group"] = self.min_group
        d["suppressed"] = self.n_suppressed
        return d


def _row_dict(r: Row) -> dict[str, Any]:
    if r.suppressed:
        return {"label": r.label, "count": None, "suppressed": True}
    d: dict[str, Any] = {"label": r.label, "count": r.count, "pct": r.pct}
    if r.members:
        d["members"] = list(r.members)
    if r.examples:
        d["examples"] = list(r.examples)
    if r.weighted is not None:
        d["weighted"] = r.weighted.to_dict()
    return d


def _cross_row_dict(r: CrossRow) -> dict[str, Any]:
    # Every row has label and count (the contract of tables.json); a cross row's count is its total.
    if r.suppressed:
        return {"label": r.label, "count": None, "suppressed": True}
    d: dict[str, Any] = {"label": r.label, "count": r.total, "counts": dict(r.counts or {}), "total": r.total,
                         "pcts": dict(r.pcts or {})}
    if r.members:
        d["members"] = list(r.members)
    if r.weighted is not None:
        d["weighted"] = {c: w.to_dict() for c, w in r.weighted.items()}
    return d


def _pct(count: int, base: int) -> float | None:
    return 100.0 * count / base if base else None


# A weighted share is a sum of the raking weights of the respondents behind it, and there are only as many
# distinct weights as cells of the weighting variables (VJH: 6, gender x hours band). At full precision a
# row's weighted share or population count splits back into how many of each cell are in it - which can
# give away a crossing the anonymity rule hides (tests/attacks/test_weighted_counts.py). So the weighted
# numbers a release publishes are rounded where they are made (published_share below, the one way the tables,
# the figures and the comparison of waves get a weighted share), as the memo prints them: shares and their
# intervals to whole percent, the staff a share stands for to tens (fives below ten); and only for groups of at
# least weighted_min respondents. The unrounded estimates stay in fuldtid.stats.weighting (Estimate), which the
# R comparisons test.


def weighted_min(min_group: int) -> int:
    """The fewest respondents a group needs for its weighted share to be published (0: every group).

    Rounding alone does not protect a small row: the weight of an under-30-hours part-timer is three times a
    30-36-hours one's, so a whole-percent weighted share of a row of 5 still splits it by raking cell (the red
    team's tests/attacks/test_weighted_counts.py). A group of at least four times the threshold (20 at the
    default) has too many splits for that; smaller groups show their counts, not a weighted share."""
    return 0 if min_group <= 1 else max(20, 4 * min_group)


def published_pct(x: float) -> float:
    """A weighted share or interval bound as a release publishes it: whole percent."""
    from fuldtid.fmt import round_half_up

    return float(round_half_up(x))


def published_count(x: float) -> float:
    """The staff a weighted share stands for, as a release publishes it: to tens (fives below ten)."""
    from fuldtid.fmt import round_half_up

    step = 10 if x >= 10 else 5
    return float(round_half_up(x / step) * step)


def published_share(weights: Weights, y: pd.Series, domain: pd.Series, min_group: int, *,
                    method: str = "beta") -> Estimate | None:
    """The weighted share of ``y`` within ``domain`` as a release at ``min_group`` publishes it, or None when
    it publishes none (nobody in the domain is weighted, the domain has fewer than :func:`weighted_min`
    respondents, or there is no estimate).

    Above a threshold of 1 the share and its interval are whole percent and the staff it stands for is rounded
    (:func:`published_pct`, :func:`published_count`); at 1, where nothing is protected, they are exact. The
    standard error is left as estimated: only the comparison of waves publishes it, rounded there.
    ``method`` is the interval's (:func:`fuldtid.stats.weighting.weighted_share`)."""
    from fuldtid.errors import WeightingError
    from fuldtid.stats.weighting import weighted_share

    behind = int((domain & weights.weights.notna()).sum())
    if not behind or behind < weighted_min(min_group):
        return None
    try:
        e = weighted_share(weights, y, domain, method=method)
    except WeightingError:
        return None
    if math.isnan(e.pct):
        return None
    if min_group <= 1:
        return e

    def bound(x: float) -> float:
        return x if math.isnan(x) else published_pct(x)

    return replace(e, pct=published_pct(e.pct), ci_low=bound(e.ci_low), ci_high=bound(e.ci_high),
                   population_count=published_count(e.population_count))

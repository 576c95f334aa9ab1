"""Comparing two waves of the same questionnaire: what changed since last time, and is it real?

Both waves are read through the same survey definition, so questions are matched by their text (a later
wave whose ``s_N`` names shifted compares all the same). Every single-choice table of the report (the
one-way tables) and every single-choice distribution figure (VJH: "mulighed", age, gender, hours) is
compared answer by answer:

* per wave the count, the base and the share (percent of the base), as that wave's own report shows them;
* the change in percentage points (later minus earlier) and Fisher's exact test on the 2 × 2 table
  wave × (this answer or not), two-sided, as R's ``fisher.test``;
* with a population file per wave (each wave raked to its own), the difference of the two weighted shares
  with a 95% interval and a p-value, the waves taken as independent samples: SE = √(SE_A² + SE_B²) from
  each wave's linearised, finite-population-corrected standard error (R: ``SE(svymean(~y, subset(rake(...),
  domain)))``), interval difference ± 1.96 SE, p = 2 Φ(−|difference| / SE).

Anonymity: each wave is protected by itself, by the rule of the rest of fuldtid (its tables from
:func:`fuldtid.stats.tables.build_tables`, its figures from :func:`fuldtid.stats.figuredata.figure_data`), and the comparison
only uses what both protected releases show: an answer hidden (or merged into "Øvrige grupper") in either
wave has no change, a question whose group is below the threshold in either wave is not compared, and merged
rows are compared only when they merge the same answers in both waves. Every number shown is one either
wave's report shows, or computed from such numbers only.

Answer categories are aligned by label. One that exists in only one wave (a new answer option, an agreement
that is gone) is shown and flagged, never dropped; its change is not computed, and the question is flagged
as having different answer options, since the shares of the other answers are then not quite comparable.

Longer than 500 lines: aligning two waves' answers, the per-answer tests and the protection rules above are
one procedure, read top to bottom; the rendering of a comparison is :mod:`fuldtid.render.compare_render`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from fuldtid.model.definition import FigureSpec
from fuldtid.errors import DefinitionError
from fuldtid.stats.tables import Row, Table, TableSet

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from fuldtid.model.definition import Definition
    from fuldtid.read.exportmodel import Export
    from fuldtid.stats.figuredata import FigureData

ALPHA = 0.05
Z95 = 1.959963984540054  # qnorm(0.975)
# R's fisher.test counts tables as extreme as the observed one up to this relative error.
_FISHER_REL_ERR = 1 + 1e-7
WAVES = ("A", "B")


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightedShare:
    """A wave's weighted share (percent) with its linearised standard error (percent) and 95% logit interval."""

    share: float
    se: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, float]:
        return {"share": self.share, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True)
class WaveShare:
    """One answer in one wave, as that wave's protected report shows it.

    ``count``/``share`` are None when the answer is hidden there (``hidden``); ``share`` is percent of ``base``.
    """

    count: int | None
    base: int
    share: float | None
    hidden: bool = False
    weighted: WeightedShare | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.hidden:
            return {"hidden": True, "base": self.base}
        d: dict[str, Any] = {"count": self.count, "base": self.base, "share": self.share}
        if self.weighted is not None:
            d["weighted"] = self.weighted.to_dict()
        return d


@dataclass(frozen=True)
class WeightedChange:
    """Difference of the weighted shares (later − earlier, percentage points), 95% interval and p-value."""

    difference: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float | None  # None when the standard error is 0 (no variation in either wave)

    def to_dict(self) -> dict[str, Any]:
        return {"difference": self.difference, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "p_value": self.p_value, "test": "z-test, independent samples, linearised SE with fpc"}


# status of an answer in the comparison
COMPARED = "compared"
HIDDEN = "hidden"  # hidden (or merged) in at least one wave: no change shown
ONLY_A = "only_in_a"
ONLY_B = "only_in_b"
NOT_COMPARABLE = "not_comparable"  # a merged row whose members differ between the waves
NO_ANSWERS = "no_answers"  # nobody answered the question in one of the waves


@dataclass(frozen=True)
class AnswerChange:
    """One answer of a question in both waves. ``a``/``b`` is None where the answer is not an option."""

    label: str
    status: str
    a: WaveShare | None
    b: WaveShare | None
    members: tuple[str, ...] = ()  # a merged "Øvrige grupper" row: the answers in it
    difference: float | None = None  # unweighted, percentage points (b − a)
    fisher_p: float | None = None
    weighted: WeightedChange | None = None

    @property
    def compared(self) -> bool:
        return self.status == COMPARED

    @property
    def p_value(self) -> float | None:
        """The p-value that decides whether the change is real: the weighted test when there are weights
        (it speaks of the whole staff), else Fisher's exact test."""
        if self.weighted is not None:
            return self.weighted.p_value
        return self.fisher_p

    @property
    def significant(self) -> bool:
        p = self.p_value
        return p is not None and p < ALPHA

    def to_dict(self, labels: tuple[str, str]) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label, "status": self.status}
        if self.members:
            d["members"] = list(self.members)
        d["waves"] = {lab: (None if w is None else w.to_dict()) for lab, w in zip(labels, (self.a, self.b))}
        if self.compared:
            d["unweighted"] = {"difference": self.difference, "p_value": self.fisher_p,
                               "test": "Fisher's exact test, two-sided"}
            if self.weighted is not None:
                d["weighted"] = self.weighted.to_dict()
        return d


@dataclass(frozen=True)
class QuestionChange:
    """One single-choice question (a one-way table or a distribution figure) in both waves."""

    source: str  # "table" | "figure"
    number: int
    title: str
    field: str
    question: str
    among: str
    base_a: int | None  # None: the question is not in the wave
    base_b: int | None
    answers: tuple[AnswerChange, ...]
    notes: tuple[str, ...] = ()
    options_differ: bool = False
    weighted: bool = False

    @property
    def compared(self) -> tuple[AnswerChange, ...]:
        return tuple(a for a in self.answers if a.compared)

    def answer(self, label: str) -> AnswerChange:
        for a in self.answers:
            if a.label == label:
                return a
        raise KeyError(label)

    def to_dict(self, labels: tuple[str, str]) -> dict[str, Any]:
        return {
            "source": self.source,
            "number": self.number,
            "title": self.title,
            "field": self.field,
            "question": self.question,
            "among": self.among,
            "base": {labels[0]: self.base_a, labels[1]: self.base_b},
            "options_differ": self.options_differ,
            "weighted": self.weighted,
            "answers": [a.to_dict(labels) for a in self.answers],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Comparison:
    """Two waves compared: ``a`` the earlier, ``b`` the later (as given)."""

    a: TableSet
    b: TableSet
    labels: tuple[str, str]
    questions: tuple[QuestionChange, ...]
    min_group: int
    weighted: bool

    def question(self, field_name: str, among: str | None = None) -> QuestionChange:
        for q in self.questions:
            if q.field == field_name and (among is None or q.among == among):
                return q
        raise KeyError(field_name)

    def table(self, number: int) -> QuestionChange:
        for q in self.questions:
            if q.source == "table" and q.number == number:
                return q
        raise KeyError(number)

    def to_dict(self) -> dict[str, Any]:
        def wave(ts: TableSet, label: str) -> dict[str, Any]:
            s = ts.survey
            first, last = s.export.period
            return {
                "label": label,
                "source": str(s.export.path),
                "distributed": s.distributed,
                "answered": s.answered,
                "period": [_iso(first), _iso(last)],
                "population_file": (str(ts.weighting.population.path) if ts.weighting is not None else None),
            }

        return {
            "survey": self.a.survey.definition.name,
            "waves": [wave(self.a, self.labels[0]), wave(self.b, self.labels[1])],
            "min_group": self.min_group,
            "weighted": self.weighted,
            "units": {"share": "percent of the base", "difference": "percentage points, later minus earlier",
                      "se": "percent (share) or percentage points (difference)"},
            "questions": [q.to_dict(self.labels) for q in self.questions],
        }


def _iso(ts: pd.Timestamp | None) -> str | None:
    import pandas as pd

    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


# --- statistics ----------------------------------------------------------------------------------


def fisher_2x2(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on [[a, b], [c, d]], as R's ``fisher.test``: the sum of the
    probabilities of the tables with the observed margins that are no more probable than the observed one
    (up to R's relative error 1e-7)."""
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2
    lo, hi = max(0, c1 - r2), min(r1, c1)
    if hi <= lo:
        return 1.0

    def logp(x: int) -> float:
        return (_lchoose(r1, x) + _lchoose(r2, c1 - x)) - _lchoose(n, c1)

    logs = [logp(x) for x in range(lo, hi + 1)]
    top = max(logs)
    probs = [math.exp(v - top) for v in logs]
    observed = probs[a - lo]
    total = sum(probs)
    p = sum(q for q in probs if q <= observed * _FISHER_REL_ERR) / total
    return min(1.0, p)


def _lchoose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def weighted_change(a: WeightedShare, b: WeightedShare) -> WeightedChange:
    """b − a for independent samples, in percentage points, with the normal 95% interval and p-value."""
    diff = b.share - a.share
    se = math.sqrt(a.se ** 2 + b.se ** 2)
    if se > 0:
        p: float | None = math.erfc(abs(diff) / se / math.sqrt(2))
    else:
        p = None
    return WeightedChange(diff, se, diff - Z95 * se, diff + Z95 * se, p)


def share_interval(count: int, base: int) -> tuple[float, float]:
    """The 95% exact (Clopper–Pearson) interval of an unweighted share, in percent (R: ``binom.test(x,
    n)$conf.int``); used to draw an interval when the waves are not weighted. Never of zero width for a
    non-empty base (0 of 30: 0–11.6%)."""
    from fuldtid.stats.weighting import clopper_pearson

    lo, hi = clopper_pearson(count, base)
    return (100 * lo, 100 * hi)


# --- one wave's shown rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shown:
    """A question in one wave as its protected release shows it."""

    base: int
    categories: tuple[str, ...]  # every answer the wave has (its options, plus a "not stated" row)
    rows: Mapping[str, tuple[int, tuple[str, ...]] | None]  # label -> (count, members) or None if hidden
    merged: tuple[tuple[str, int, tuple[str, ...]], ...]  # (label, count, members) of merged rows
    missing_label: str | None = None  # a table's "not stated" row (answer missing)
    present: bool = True  # False: the question is not in this wave's export
    too_small: bool = False  # base below the threshold: nothing is compared


def _shown_table(t: Table, ts: TableSet, present: bool) -> _Shown:
    rows: dict[str, tuple[int, tuple[str, ...]] | None] = {}
    merged = []
    for r in t.rows:
        assert isinstance(r, Row)
        if r.suppressed or r.count is None:
            rows[r.label] = None
        elif r.members:  # the merged "Øvrige grupper" row: its members are listed as suppressed rows
            merged.append((r.label, int(r.count), tuple(r.members)))
        else:
            rows[r.label] = (int(r.count), ())
    categories = tuple(rows)
    return _Shown(t.base, categories, rows, tuple(merged), t.missing_row, present,
                  too_small=0 < t.base < ts.min_group)


def _shown_figure(fig: FigureData, options: Sequence[str], min_group: int, present: bool) -> _Shown:
    rows: dict[str, tuple[int, tuple[str, ...]] | None] = {o: None for o in options}
    merged = []
    hidden = set(fig.hidden)
    for g, n in fig.data[["group", "count"]].itertuples(index=False):
        if fig.merged_label is not None and g == fig.merged_label and g not in options:
            merged.append((str(g), int(n), tuple(fig.hidden)))
        elif g not in hidden:
            rows[str(g)] = (int(n), ())
    return _Shown(int(fig.n), tuple(options), rows, tuple(merged), None, present,
                  too_small=0 < int(fig.n) < min_group)


# --- weighted shares per wave ------------------------------------------------------------------------


def _weighted_share(ts: TableSet, field_name: str, among: str, members: Sequence[str], missing_label: str | None
                    ) -> WeightedShare | None:
    """The weighted share of the answers ``members`` (``missing_label`` = no answer) among the question's base,
    as the report's weighted column estimates it (:mod:`fuldtid.stats.weighted`)."""
    w = ts.weighting
    if w is None or getattr(w, "cells", None) is None:
        return None
    from fuldtid.stats.tablemodel import published_share

    s = ts.survey
    answer = s.responses[field_name].astype("object")
    group = s.group_mask(among)
    domain = group if missing_label is not None else group & answer.notna()
    labels = [m for m in members if m != missing_label]
    y = answer.isin(labels)
    if missing_label is not None and missing_label in members:
        y |= answer.isna()
    # As every weighted number of a release (rounded, large enough groups), with R's logit interval; the
    # standard error, published only here, to a tenth of a percentage point.
    e = published_share(w, y.fillna(False).astype(bool), domain.astype(bool), ts.min_group, method="logit")
    if e is None or any(math.isnan(v) for v in (e.se, e.ci_low, e.ci_high)):
        return None
    se = round(100 * e.se, 1) if ts.min_group > 1 else 100 * e.se
    return WeightedShare(e.pct, se, e.ci_low, e.ci_high)


def _weighting_variables(ts: TableSet) -> set[str]:
    w = ts.weighting
    return set() if w is None else {m.variable for m in w.population.margins}


# --- comparing ---------------------------------------------------------------------------------------


def wave_labels(a: TableSet, b: TableSet) -> tuple[str, str]:
    """The waves' names in prose and tables: the year each was collected (from the answers' dates), or the
    month and year when both fall in one year; "Tidligere måling" / "Ny måling" when the data carry no dates."""
    from fuldtid.danish import MONTHS

    first_a, first_b = a.survey.export.period[0], b.survey.export.period[0]
    if first_a is None or first_b is None:
        return ("Tidligere måling", "Ny måling")
    if first_a.year != first_b.year:
        return (str(first_a.year), str(first_b.year))
    la = f"{MONTHS[first_a.month - 1]} {first_a.year}"
    lb = f"{MONTHS[first_b.month - 1]} {first_b.year}"
    return (la, lb) if la != lb else ("Tidligere måling", "Ny måling")


def _items(ts: TableSet) -> list[tuple[str, int, str, str, str]]:
    """(source, number, field, among, title) of every single-choice table and distribution figure."""
    d = ts.survey.definition
    out = [("table", s.number, s.field, s.among, s.title) for s in d.tables if s.kind == "oneway"]
    seen = {(f, among) for _, _, f, among, _ in out}
    for s in d.figures:
        if s.kind != "distribution" or (s.field, s.among) in seen:
            continue
        f = d.fields.get(s.field)
        if f is not None and f.is_open:
            continue
        seen.add((s.field, s.among))
        out.append(("figure", s.number, s.field, s.among, s.title))
    return out


def _present(ts: TableSet, field_name: str) -> bool:
    m = next((m for m in ts.survey.matches if m.field == field_name), None)
    return m is None or m.variable is not None  # derived fields have no match of their own


def _shown(ts: TableSet, source: str, number: int, field_name: str, among: str, title: str, min_group: int) -> _Shown:
    present = _present(ts, field_name)
    if source == "table":
        return _shown_table(ts.table(number), ts, present)
    from fuldtid.stats.figuredata import figure_data

    spec = FigureSpec(number, "distribution", field_name, title, among=among)
    fig = figure_data(ts.survey, spec, min_group)
    return _shown_figure(fig, ts.survey.options(field_name), min_group, present)


def compare_waves(a: TableSet, b: TableSet, labels: tuple[str, str] | None = None) -> Comparison:
    """Compare wave ``a`` (earlier) with wave ``b`` (later), both read through the same survey definition.

    Each table set is protected at its own threshold (``build_tables``); the comparison uses the larger of
    the two for the figures' questions. With a population file in both waves the weighted differences are
    added; with one in only one wave they are left out (a weighted share cannot be compared with an
    unweighted one).
    """
    da, db = a.survey.definition, b.survey.definition
    if da.name != db.name:
        raise DefinitionError(f"{a.survey.export.path} was read with the survey definition {da.name!r} and "
                              f"{b.survey.export.path} with {db.name!r}; compare two waves of one questionnaire")
    labels = labels or wave_labels(a, b)
    min_group = max(int(a.min_group), int(b.min_group), 1)
    weighted = a.weighting is not None and b.weighting is not None
    margins = _weighting_variables(a) | _weighting_variables(b)
    questions = []
    for source, number, field_name, among, title in _items(a):
        try:
            sa = _shown(a, source, number, field_name, among, title, min_group)
            sb = _shown(b, source, number, field_name, among, title, min_group)
        except KeyError:
            continue  # a table the definition has but a wave could not build
        q_weighted = weighted and field_name not in margins
        questions.append(_compare_question(a, b, source, number, field_name, among, title, sa, sb, q_weighted,
                                           field_name in margins and weighted, labels, min_group))
    return Comparison(a, b, labels, tuple(questions), min_group, weighted)


def _compare_question(a: TableSet, b: TableSet, source: str, number: int, field_name: str, among: str, title: str,
                      sa: _Shown, sb: _Shown, weighted: bool, is_margin: bool, labels: tuple[str, str],
                      min_group: int) -> QuestionChange:
    notes = []
    for s, lab in ((sa, labels[0]), (sb, labels[1])):
        if not s.present:
            notes.append(f"Spørgsmålet findes ikke i målingen {lab}.")
        elif s.too_small:
            notes.append(f"Færre end {min_group} har svaret i målingen {lab}: spørgsmålet sammenlignes ikke af "
                         "hensyn til anonymiteten.")
    comparable = sa.present and sb.present and not sa.too_small and not sb.too_small
    cats_a = set(sa.categories)
    cats_b = set(sb.categories)
    order = list(sa.categories) + [c for c in sb.categories if c not in cats_a]
    options_differ = sa.present and sb.present and cats_a != cats_b
    if options_differ:
        only_a = [c for c in sa.categories if c not in cats_b]
        only_b = [c for c in sb.categories if c not in cats_a]
        parts = []
        if only_a:
            parts.append(f"kun i {labels[0]}: " + ", ".join(f"»{c}«" for c in only_a))
        if only_b:
            parts.append(f"kun i {labels[1]}: " + ", ".join(f"»{c}«" for c in only_b))
        notes.append("Svarmulighederne er ikke de samme i de to målinger (" + "; ".join(parts) + "), så andelene "
                     "er ikke helt sammenlignelige.")
    if is_margin:
        notes.append("Vægtet efter dette spørgsmål: de vægtede andele er registerets, så kun de uvægtede "
                     "sammenlignes.")
    answers = []
    for label in order:
        ra = sa.rows.get(label, None) if label in cats_a else None
        rb = sb.rows.get(label, None) if label in cats_b else None
        wa = _wave_share(a, sa, field_name, among, label, ra, weighted) if label in cats_a and sa.present else None
        wb = _wave_share(b, sb, field_name, among, label, rb, weighted) if label in cats_b and sb.present else None
        if label not in cats_a or not sa.present:
            answers.append(AnswerChange(label, ONLY_B, None, wb))
        elif label not in cats_b or not sb.present:
            answers.append(AnswerChange(label, ONLY_A, wa, None))
        elif ra is None or rb is None or not comparable:
            answers.append(AnswerChange(label, HIDDEN, wa, wb))
        else:
            answers.append(_change(label, wa, wb, ()))
    merged_b = {frozenset(m): (lab, n, m) for lab, n, m in sb.merged}
    for lab, n, members in sa.merged:
        wa = _merged_share(a, sa, field_name, among, n, members, weighted)
        other = merged_b.pop(frozenset(members), None)
        if other is not None and comparable:
            wb = _merged_share(b, sb, field_name, among, other[1], other[2], weighted)
            answers.append(_change(lab, wa, wb, tuple(members)))
        else:
            answers.append(AnswerChange(lab, NOT_COMPARABLE, wa, None, members=tuple(members)))
    for lab, n, members in merged_b.values():
        wb = _merged_share(b, sb, field_name, among, n, members, weighted)
        answers.append(AnswerChange(lab, NOT_COMPARABLE, None, wb, members=tuple(members)))
    for s, lab in ((sa, labels[0]), (sb, labels[1])):
        if s.present and s.base == 0:
            notes.append(f"Ingen har svaret på spørgsmålet i målingen {lab}, så det sammenlignes ikke.")
    if any(x.status == HIDDEN for x in answers) and comparable:
        notes.append(f"Svar, der er skjult i en af målingerne (færre end {min_group}), sammenlignes ikke.")
    if any(x.status == NOT_COMPARABLE for x in answers):
        notes.append("»Øvrige grupper« rummer ikke de samme svar i de to målinger og sammenlignes ikke.")
    question = a.survey.definition.fields[field_name].text if field_name in a.survey.definition.fields else title
    return QuestionChange(source, number, title, field_name, question, among,
                          sa.base if sa.present else None, sb.base if sb.present else None, tuple(answers),
                          tuple(notes), options_differ, weighted and any(x.weighted for x in answers))


def _wave_share(ts: TableSet, s: _Shown, field_name: str, among: str, label: str,
                row: tuple[int, tuple[str, ...]] | None, weighted: bool) -> WaveShare:
    if row is None or s.too_small:
        return WaveShare(None, s.base, None, hidden=True)
    n = row[0]
    w = _weighted_share(ts, field_name, among, (label,), s.missing_label) if weighted else None
    return WaveShare(n, s.base, 100.0 * n / s.base if s.base else None, weighted=w)


def _merged_share(ts: TableSet, s: _Shown, field_name: str, among: str, n: int, members: Sequence[str],
                  weighted: bool) -> WaveShare:
    if s.too_small:
        return WaveShare(None, s.base, None, hidden=True)
    w = _weighted_share(ts, field_name, among, members, s.missing_label) if weighted else None
    return WaveShare(n, s.base, 100.0 * n / s.base if s.base else None, weighted=w)


def _change(label: str, wa: WaveShare, wb: WaveShare, members: tuple[str, ...]) -> AnswerChange:
    if wa.hidden or wb.hidden or wa.count is None or wb.count is None:
        return AnswerChange(label, HIDDEN, wa, wb, members)
    if not wa.base or not wb.base:
        return AnswerChange(label, NO_ANSWERS, wa, wb, members)
    diff = (wb.share or 0.0) - (wa.share or 0.0)
    p = fisher_2x2(wa.count, wa.base - wa.count, wb.count, wb.base - wb.count)
    wc = weighted_change(wa.weighted, wb.weighted) if wa.weighted is not None and wb.weighted is not None else None
    return AnswerChange(label, COMPARED, wa, wb, members, diff, p, wc)


# --- reading both waves --------------------------------------------------------------------------------


def compare_exports(export_a: str | Path | Export, export_b: str | Path | Export, *,
                    survey: str | Path | Definition | None = None, coding: Sequence[str | Path | None] = (None, None),
                    population: Sequence[str | Path | None] = (None, None), min_group: int | None = None,
                    trim: float | None = None) -> Comparison:
    """Read two exports (paths or Exports; ``a`` the earlier) through one survey definition and compare them.

    ``coding`` and ``population`` are pairs in the order of the exports (None where there is none).
    """
    from fuldtid.model.definition import Definition, load_definition
    from fuldtid.stats.analysis import analyse

    definition = survey if isinstance(survey, Definition) else load_definition(survey)
    ts = [analyse(e, survey=definition, coding=c, population=p, min_group=min_group, trim=trim)
          for e, c, p in zip((export_a, export_b), coding, population)]
    return compare_waves(ts[0], ts[1])

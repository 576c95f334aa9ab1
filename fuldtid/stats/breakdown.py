"""Follow-up breakdowns (the unions' requests): one single-choice question by one or two fields,
anonymity-protected, with a test of whether the groups differ."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from fuldtid.model.definition import ALL
from fuldtid.errors import DefinitionError
from fuldtid.model.survey import Survey

if TYPE_CHECKING:
    from fuldtid.model.definition import Definition
    from fuldtid.read.exportmodel import Export
    from fuldtid.stats.crosstab import GroupTable
    from fuldtid.stats.significance import DifferenceTest
    from fuldtid.stats.tablemodel import Weighted
    from fuldtid.stats.weighting import Weights

NOT_STATED = "Ikke angivet"


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    counts: Mapping[str, int] | None
    total: int | None
    pcts: Mapping[str, float | None] | None
    suppressed: bool = False
    group: str | None = None  # nested breakdowns: the outer group
    subtotal: bool = False  # nested breakdowns: the outer group's own row
    members: tuple[str, ...] = ()  # a merged "Øvrige grupper" row: the groups in it
    weighted: Mapping[str, Weighted] | None = None  # per column
    differs: bool | None = None  # share of the first column differs from the other groups (Holm)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label}
        if self.group is not None:
            d["group"] = self.group
        if self.subtotal:
            d["subtotal"] = True
        if self.suppressed:
            d["suppressed"] = True
            return d
        d.update({"counts": dict(self.counts or {}), "total": self.total, "pcts": dict(self.pcts or {})})
        if self.members:
            d["members"] = list(self.members)
        if self.weighted:
            d["weighted"] = {c: w.to_dict() for c, w in self.weighted.items()}
        if self.differs is not None:
            d["differs"] = self.differs
        return d


@dataclass(frozen=True)
class BreakdownSource:
    """The survey behind a breakdown: organisation, title, export file and when the answers came in."""

    organisation: str
    survey_title: str
    export_name: str
    first: pd.Timestamp | None  # the first and last answer
    last: pd.Timestamp | None

    @classmethod
    def of(cls, survey: Survey) -> "BreakdownSource":
        first, last = survey.export.period
        return cls(survey.definition.organisation, survey.definition.title, Path(str(survey.export.path)).name,
                   first, last)


@dataclass(frozen=True)
class Breakdown:
    question: str
    question_text: str
    by: tuple[str, ...]
    among: str
    among_label: str
    min_group: int
    columns: tuple[str, ...]
    rows: tuple[BreakdownRow, ...]
    overall: Mapping[str, int]
    overall_total: int | None  # None when the whole breakdown is hidden: its size is the hidden group's
    test: DifferenceTest | None
    excluded: Mapping[str, int] = field(default_factory=dict)  # reason -> respondents
    weighted: bool = False
    warning: str | None = None
    by_nouns: tuple[str, ...] = ()  # the by fields as Danish nouns ("område"), from the definition's wording
    marked_column: str | None = None  # the answer the † marks compare (the field's of_interest, else the first)
    nested_marks: bool = False  # two --by fields: inner groups are compared within each outer group
    source: "BreakdownSource | None" = None  # where the answers come from: the documents' source line

    @property
    def title(self) -> str:
        by = " og ".join(self.by_nouns or self.by)
        n = "*" if self.overall_total is None else self.overall_total
        return f"{self.question_text} fordelt på {by} ({self.among_label}, n={n})"

    def to_dict(self) -> dict[str, Any]:
        from fuldtid.stats.tabletests import test_dict

        test = test_dict(self.test)
        return {
            "question": self.question,
            "question_text": self.question_text,
            "by": list(self.by),
            "among": self.among,
            "min_group": self.min_group,
            "columns": list(self.columns),
            "rows": [r.to_dict() for r in self.rows],
            "overall": {
                "counts": dict(self.overall),
                "total": self.overall_total,
                "pcts": {c: _pct(n, self.overall_total) for c, n in self.overall.items()},
            },
            "test": test,
            "excluded": dict(self.excluded),
            "warning": self.warning,
        }


def _pct(n: int, total: int | None) -> float | None:
    return 100.0 * n / total if total else None


def _single_choice(survey: Survey, name: str, role: str) -> tuple[str, ...]:
    if name not in survey.responses.columns:
        known = ", ".join(n for n in survey.responses.columns if isinstance(survey.responses[n].dtype, pd.CategoricalDtype))
        raise DefinitionError(f"{role} {name!r} is not a field of the survey; single-choice fields: {known}")
    if not isinstance(survey.responses[name].dtype, pd.CategoricalDtype):
        f = survey.definition.fields.get(name)
        what = "a multiple-choice question" if f is not None and f.is_multiple else "an open question"
        raise DefinitionError(f"{role} {name!r} is {what}; a breakdown needs a single-choice field")
    return survey.options(name)


def default_among(survey: Survey, question: str) -> str:
    """The question's own routing: op_i_tid is asked of part-timers, so it is broken down among them."""
    f = survey.definition.fields.get(question)
    return f.among if f is not None else ALL


def breakdown(
    survey: Survey,
    question: str,
    by: Sequence[str],
    *,
    among: str | None = None,
    min_group: int | None = None,
    weights: Weights | None = None,
    alpha: float = 0.05,
) -> Breakdown:
    """Counts and row percentages of ``question`` by one or two fields, with anonymity protection."""
    from fuldtid.model.wording import Wording
    from fuldtid.stats.significance import from_weighted_chisq, test_difference
    from fuldtid.stats.weighting import weighted_chisq

    question = survey.resolve_field(question)
    by = [survey.resolve_field(b) for b in by]
    if not 1 <= len(by) <= 2:
        raise DefinitionError("a breakdown takes one or two --by fields")
    if question in by:
        raise DefinitionError(f"--question {question!r} cannot also be a --by field")
    if len(set(by)) < len(by):
        raise DefinitionError(f"--by {by[0]!r} is given twice; give two different fields, or one")
    columns = _single_choice(survey, question, "--question")
    for b in by:
        _single_choice(survey, b, "--by")
    among = among or default_among(survey, question)
    if min_group is None:
        min_group = survey.definition.min_group
    in_group = survey.group_mask(among).to_numpy()
    excluded: dict[str, int] = {}
    no_answer = survey.responses.loc[in_group, question].isna()
    if no_answer.any():
        f_ = survey.definition.fields.get(question)
        excluded[f"svarede ikke på »{f_.text if f_ is not None else question}«"] = int(no_answer.sum())
    from fuldtid.stats.linked import protector_for

    protector = protector_for(survey, min_group)
    for b in by:
        if min_group > 1 and b not in protector.background:
            raise DefinitionError(
                f"--by {b!r} is not a background field of the survey definition "
                f"({', '.join(protector.background)}); a breakdown is by who the respondents are. "
                "For a routing group use --among; to break down by another field, list it under 'background'."
            )
    if min_group > 1 and question in protector.background:
        raise DefinitionError(
            f"--question {question!r} is a background field: its categories are groups of people, not answers. "
            f"Break a question down by it instead (--by {question})."
        )
    from fuldtid.stats.crosstab import group_table

    outer = group_table(survey, question, by[0], among, min_group, not_given_label=NOT_STATED)
    whole = outer.whole
    warning = _whole_warning(min_group) if whole else None
    rows = _rows(outer, None, subtotal=len(by) == 2)
    if len(by) == 2 and not whole:
        nested = []
        for r in rows:
            nested.append(r)
            if r.suppressed or r.members:
                continue
            inner = group_table(survey, question, by[1], among, min_group, within=(by[0], r.label),
                                not_given_label=NOT_STATED, drop_empty=True)
            nested.extend(_rows(inner, r.label))
        rows = nested
    overall = dict(outer.overall_counts)
    overall_total = int(sum(overall.values()))
    # Everything below is computed from the published rows: the shown groups and "Øvrige grupper" (the hidden
    # groups together), never from a hidden group's own counts; "Ikke angivet" is not compared.
    test = None
    outer_rows = [r for r in rows if r.group is None and not r.suppressed and r.counts is not None
                  and r.label != NOT_STATED]
    tested = _published_counts(outer_rows, columns)
    f = survey.definition.fields.get(question)
    column = f.of_interest if f is not None and f.of_interest in columns else columns[0]
    answer = survey.responses[question]
    base = survey.group_mask(among) & answer.notna()
    if weights is not None:
        rows = _add_weighted(survey, rows, question, by, among, columns, weights, min_group)
    if whole:
        test = None
    elif weights is not None:
        # Rao-Scott F test on the raked design (R: svychisq(~group + question, subset(design, published groups)))
        groups = _respondent_groups(survey, outer_rows, by[0], base)
        test = from_weighted_chisq(weighted_chisq(weights, groups, answer.astype("object").where(groups.notna())),
                                   alpha)
    elif len(tested) >= 2:
        test = test_difference(tested, alpha)
    diffs: dict[tuple[str | None, str], bool] = {}
    if not whole and len(tested) >= 2:
        diffs.update(((None, k), v) for k, v in _marks(survey, tested, outer_rows, by[0], base, answer, column,
                                                      weights, alpha).items())
    if len(by) == 2 and not whole:
        # The nested field is tested too: the inner groups within each outer group, against each other.
        for outer in outer_rows:
            inner_rows = [r for r in rows if r.group == outer.label and not r.suppressed and r.counts is not None
                          and r.label != NOT_STATED]
            inner = _published_counts(inner_rows, columns)
            if len(inner) < 2:
                continue
            within = base & survey.responses[by[0]].astype("object").fillna(NOT_STATED).isin(
                outer.members or (outer.label,))
            diffs.update(((outer.label, k), v) for k, v in _marks(survey, inner, inner_rows, by[1], within, answer,
                                                                 column, weights, alpha).items())
    # Marks only for groups shown on their own: a hidden group's share is never hinted at.
    rows = [_with_differs(r, diffs.get((r.group, r.label))) if not r.members and not r.suppressed else r
            for r in rows]
    if whole:
        # Nothing of a hidden group is published: not its size, nor how many of it skipped the question
        # (with the sizes of the shown groups either would give a smaller group away).
        overall, overall_total, excluded = {}, None, {}
    return Breakdown(
        question=question,
        question_text=f.text if f is not None else question,
        by=tuple(by),
        among=among,
        among_label=survey.definition.groups[among].label,
        min_group=min_group,
        columns=tuple(columns),
        rows=tuple(rows),
        overall=overall,
        overall_total=overall_total,
        test=test,
        excluded=excluded,
        weighted=weights is not None,
        warning=warning,
        marked_column=column,
        nested_marks=len(by) == 2,
        by_nouns=tuple(Wording(survey.definition).noun(b) for b in by),
        source=BreakdownSource.of(survey),
    )


def _whole_warning(min_group: int) -> str:
    return (f"Gruppen har færre end {min_group} svar, eller dens tal ville afsløre en mindre gruppe; "
            "der vises ingen tal.")


def _rows(table: GroupTable, group: str | None, *, subtotal: bool = False) -> list[BreakdownRow]:
    """Rows of one protected table (:class:`fuldtid.stats.crosstab.GroupTable`): shown groups, hidden ones (no
    counts) and "Øvrige grupper" (their sum)."""
    out = []
    for r in table.rows:
        if r.hidden:
            out.append(BreakdownRow(r.label, None, None, None, suppressed=True, group=group, subtotal=subtotal,
                                    reason="skjult af hensyn til anonymiteten"))
            continue
        cells = {c: int(n) for c, n in (r.counts or {}).items()}
        total = int(r.total or 0)
        reason = (f"{len(r.members)} grupper slået sammen af hensyn til anonymiteten" if r.members else
                  None if total else "ingen svar")
        out.append(BreakdownRow(r.label, cells, total, {c: _pct(n, total) for c, n in cells.items()}, group=group,
                                subtotal=subtotal, members=r.members, reason=reason))
    return out


def _with_differs(r: BreakdownRow, differs: bool | None) -> BreakdownRow:
    from dataclasses import replace

    return replace(r, differs=differs)


def _published_counts(rows: Sequence[BreakdownRow], columns: Sequence[str]) -> pd.DataFrame:
    """The published counts of some rows: groups x answers."""
    return pd.DataFrame([[int((r.counts or {})[c]) for c in columns] for r in rows],
                        index=[r.label for r in rows], columns=list(columns), dtype="int64")


def _respondent_groups(survey: Survey, rows: Sequence[BreakdownRow], by: str, inside: pd.Series) -> pd.Series:
    """Per respondent, the published row of ``by`` it is counted in (NaN outside ``inside`` or in no row)."""
    values = survey.responses[by].astype("object").fillna(NOT_STATED)
    group = pd.Series(pd.NA, index=values.index, dtype="object")
    for r in rows:
        group[values.isin(r.members or (r.label,)).to_numpy()] = r.label
    return group.where(inside)


def _marks(survey: Survey, counts: pd.DataFrame, rows: Sequence[BreakdownRow], by: str, inside: pd.Series,
           answer: pd.Series, column: str, weights: Weights | None, alpha: float) -> dict[str, bool]:
    """Which published groups' share of ``column`` differs from the other groups' (unweighted z test, or the
    design-based one with weights), Holm-corrected across more than two groups."""
    from fuldtid.stats.significance import group_differences, group_differences_weighted

    if weights is None:
        return {d.label: d.differs for d in group_differences(counts, column, alpha)}
    groups = _respondent_groups(survey, rows, by, inside)
    y = (answer.astype("object") == column).where(groups.notna())
    return {d.label: d.differs for d in group_differences_weighted(weights, groups, y, list(counts.index), alpha)}
def _add_weighted(survey: Survey, rows: list[BreakdownRow], question: str, by: Sequence[str], among: str,
                  columns: Sequence[str], weights: Weights, min_group: int = 1) -> list[BreakdownRow]:
    from dataclasses import replace

    from fuldtid.stats.weighted import answer_shares

    r = survey.responses
    base = survey.group_mask(among) & r[question].notna()
    answer = r[question]
    out = []
    for row in rows:
        if row.suppressed or not row.total:
            out.append(row)
            continue
        labels = row.members or (row.label,)
        level = 0 if (row.subtotal or len(by) == 1) else 1
        col = r[by[level]].astype("object").fillna(NOT_STATED)
        domain = base & col.isin(labels)
        if level == 1 and row.group is not None:
            domain &= r[by[0]].astype("object").fillna(NOT_STATED) == row.group
        out.append(replace(row, weighted=answer_shares(weights, answer, columns, domain, min_group)))
    return out


def run_breakdown(export: str | Path | Export, question: str, by: Sequence[str], *,
                  survey: str | Path | Definition | None = None, among: str | None = None,
                  population: str | Path | None = None, min_group: int | None = None,
                  trim: float | None = None) -> Breakdown:
    """Read an export and make one breakdown: what ``fuldtid breakdown`` does before rendering."""
    from fuldtid.model.survey import load_survey

    s = load_survey(export, survey)
    weights = None
    if population is not None:
        from fuldtid.stats.weighted import weigh_survey

        weights = weigh_survey(s, population, trim=trim)
    return breakdown(s, question, by, among=among, min_group=min_group, weights=weights)

"""The memo's tables, computed from a survey (and a coding file for the coded reasons).

Tables are immutable values; rendering them (terminal, XLSX, JSON, DOCX, HTML) lives elsewhere.
A table's base is the respondents in its group who answered its question. Everyone else in the
group is listed as an :class:`Exclusion` with the reason, so nobody is lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from fuldtid.model.coding import Coding
from fuldtid.model.definition import TableSpec
from fuldtid.model.survey import Survey
from fuldtid.stats.tablemodel import (NOT_GIVEN, OTHER_CATEGORIES, CrossRow, Exclusion, Row, Table,  # noqa: F401
                                      Weighted, _pct)

if TYPE_CHECKING:
    from fuldtid.stats.release import SurveyFacts
    from fuldtid.stats.weighting import Weights


@dataclass(frozen=True)
class TableSet:
    """Every table of a survey's report, with who was left out and which tables await coding."""

    survey: Survey
    tables: tuple[Table, ...]
    excluded: tuple[Exclusion, ...]
    pending: tuple[TableSpec, ...] = ()  # coded tables without a coding file
    coding: Coding | None = None
    min_group: int = 1
    weighting: Weights | None = None  # raking weights, when a population file was given
    extra: Mapping[str, Any] = field(default_factory=dict)

    def table(self, number: int) -> Table:
        for t in self.tables:
            if t.number == number:
                return t
        raise KeyError(number)

    def all_exclusions(self) -> list[Exclusion]:
        return [*self.excluded, *(e for t in self.tables for e in t.excluded)]

    @property
    def facts(self) -> SurveyFacts:
        """What may be said about the survey itself (:class:`fuldtid.stats.release.SurveyFacts`): source,
        asked, answered, period, the definition; no answers."""
        hit = self.__dict__.get("_facts")
        if hit is None:
            from fuldtid.stats.release import SurveyFacts

            hit = SurveyFacts.of(self.survey)
            object.__setattr__(self, "_facts", hit)
        return hit

    @property
    def sources(self) -> dict[str, str | None]:
        """The files this table set was computed from, by role (no output may overwrite them)."""
        w = self.weighting
        return {
            "export": str(self.survey.export.path),
            "survey definition": getattr(self.survey.definition, "path", None),
            "coding file": str(self.coding.path) if self.coding is not None and getattr(self.coding, "path", None)
            else None,
            "population file": str(w.population.path) if w is not None else None,
        }

    def to_dict(self) -> dict[str, Any]:
        s = self.survey
        first, last = s.export.period
        return {
            "survey": s.definition.name,
            "title": s.definition.title,
            "source": str(s.export.path),
            "distributed": s.distributed,
            "answered": s.answered,
            "response_rate": s.response_rate,
            "period": [_iso(first), _iso(last)],
            "min_group": self.min_group,
            "excluded": [e.to_dict() for e in self.all_exclusions()],
            "pending": [
                {"number": t.number, "title": t.title, "reason": "afventer kodning af de åbne svar"}
                for t in self.pending
            ],
            "tables": [t.to_dict() for t in self.tables],
            **({"weighting": _weighting_dict(self.weighting, self)} if self.weighting is not None else {}),
        }


def _weighting_dict(w: Weights, tableset: "TableSet") -> dict[str, Any]:
    """The weighting diagnostics as published (:func:`fuldtid.stats.release.weighting_facts`)."""
    from fuldtid.stats.release import weighting_facts

    return weighting_facts(w, tableset.survey, tableset.min_group).to_dict()


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


# --- computing -------------------------------------------------------------------------------


def _ids(mask: pd.Series) -> tuple[str, ...]:
    return tuple(str(i) for i in mask.index[mask.to_numpy(dtype=bool)])


def _missing_reason(survey: Survey, name: str) -> str:
    f = survey.definition.fields.get(name)
    text = f.text if f is not None else name
    return f"svarede ikke på »{text}«"


def _group_exclusions(survey: Survey) -> list[Exclusion]:
    """Respondents whose group cannot be told: the field defining it is unanswered, or holds an answer
    that no group covers (e.g. a new option in a later wave)."""
    out = []
    groups = survey.definition.groups.values()
    for name in dict.fromkeys(g.field for g in groups if g.field is not None and g.within is None):
        defining = [g for g in groups if g.field == name and g.within is None]
        labels = " eller ".join(g.label for g in defining)
        column = survey.responses[name]
        missing = column.isna()
        if missing.any():
            out.append(Exclusion(None, f"{_missing_reason(survey, name)}: indgår ikke i tabeller over {labels}",
                                 _ids(missing)))
        # Only an option the definition does not list can fall outside every group by accident; the
        # listed ones are outside on purpose (e.g. "Ja" is not in the group of those answering "Nej").
        field = survey.definition.fields.get(name)
        # Without options of its own, a field takes the export's labels: all of them are listed.
        listed = set(field.options or survey.options(name)) if field is not None else set()
        covered = {v for g in defining for v in g.values} | listed
        for value in column.dropna().unique():
            if str(value) not in covered:
                mask = column == value
                out.append(Exclusion(None, f"svarede »{value}« på »{_question(survey, name)}«, som ingen gruppe "
                                     f"dækker: indgår ikke i tabeller over {labels}", _ids(mask)))
    return out


def oneway_table(survey: Survey, spec: TableSpec, min_group: int = 1) -> Table:
    """The answers to ``spec.field`` among ``spec.among``. A background field's categories are groups of people:
    its table is counted and protected by :func:`fuldtid.stats.crosstab.group_table` (those who did not give it
    are a row of their own); a question's answers are shown in full, or not at all when the group is too small
    (:func:`protect_table`)."""
    background = spec.field in _background(survey)
    if background:
        return _group_sizes_table(survey, spec, min_group)
    r = survey.responses
    in_group = survey.group_mask(spec.among)
    values = r.loc[in_group.to_numpy(), spec.field]
    options = survey.options(spec.field)
    counts = values.value_counts(sort=False).reindex(options, fill_value=0)
    missing = values.isna()
    excluded: tuple[Exclusion, ...] = ()
    rows_counts: list[tuple[str, int]] = [(str(k), int(v)) for k, v in counts.items()]
    missing_row = spec.missing_row
    if missing_row:
        rows_counts.append((missing_row, int(missing.sum())))
    elif missing.any():
        excluded = (Exclusion(spec.number, _missing_reason(survey, spec.field), _ids(missing)),)
    base = sum(n for _, n in rows_counts)
    rows = tuple(Row(label, n, _pct(n, base)) for label, n in rows_counts)
    return Table(number=spec.number, kind="oneway", title=spec.title, field=spec.field,
                 question=_question(survey, spec.field), among=spec.among, base=base, rows=rows, excluded=excluded,
                 missing_row=missing_row)


def _group_sizes_table(survey: Survey, spec: TableSpec, min_group: int) -> Table:
    from fuldtid.stats.crosstab import NOT_GIVEN as GIVEN_NOT, group_table

    label = spec.missing_row or GIVEN_NOT
    g = group_table(survey, None, spec.field, spec.among, min_group,
                    not_given="always" if spec.missing_row else "if_any", not_given_label=label)
    base = int(g.overall_counts["n"])
    rows: tuple[Row, ...]
    if g.whole:
        rows = tuple(Row(r.label, None, None, suppressed=True) for r in g.rows)
    else:
        rows = tuple(Row(r.label, None, None, suppressed=True) if r.hidden else
                     Row(r.label, r.total, _pct(int(r.total or 0), base), members=r.members) for r in g.rows)
    has_missing = any(r.label == label and not r.merged for r in g.rows)
    return Table(number=spec.number, kind="oneway", title=spec.title, field=spec.field,
                 question=_question(survey, spec.field), among=spec.among, base=base, rows=rows,
                 missing_row=label if has_missing else None, min_group=min_group,
                 n_suppressed=len(rows) if g.whole else len(g.hidden))


def cross_table(survey: Survey, spec: TableSpec, min_group: int = 1) -> Table:
    """``spec.field`` by the groups of ``spec.by`` among ``spec.among``, counted and protected by
    :func:`fuldtid.stats.crosstab.group_table`; those who did not answer the question are counted as left out."""
    from fuldtid.stats.crosstab import group_table

    assert spec.by is not None
    r = survey.responses
    in_group = survey.group_mask(spec.among).to_numpy()
    no_answer = r.loc[in_group, spec.field].isna()
    excluded = []
    if no_answer.any():
        excluded.append(Exclusion(spec.number, _missing_reason(survey, spec.field), _ids(no_answer)))
    missing_label = spec.missing_row or NOT_GIVEN
    g = group_table(survey, spec.field, spec.by, spec.among, min_group,
                    not_given="always" if spec.missing_row else "if_any", not_given_label=missing_label)
    columns = g.columns
    rows = []
    for row in g.rows:
        if row.hidden:
            rows.append(CrossRow(row.label, None, None, None, suppressed=True))
        else:
            counts = dict(row.counts or {})
            total = int(row.total or 0)
            rows.append(CrossRow(row.label, counts, total, {c: _pct(n, total) for c, n in counts.items()},
                                 members=row.members))
    overall = dict(g.overall_counts)
    return Table(
        number=spec.number, kind="cross", title=spec.title, field=spec.field,
        question=_question(survey, spec.field), among=spec.among, base=sum(overall.values()), rows=tuple(rows),
        columns=columns, by=spec.by, overall=None if g.whole else overall, excluded=tuple(excluded),
        missing_row=missing_label, min_group=min_group, n_suppressed=len(rows) if g.whole else len(g.hidden),
    )


def coded_table(survey: Survey, spec: TableSpec, coding: Coding, *, quotes: int = 2) -> Table:
    from fuldtid.stats.quotes import choose_quotes

    f = survey.definition.fields[spec.field]
    in_group = survey.group_mask(spec.among)
    codes = coding.for_field(spec.field)
    group_ids = set(_ids(in_group))
    inside = codes[codes["respondentid"].isin(group_ids)]
    outside = codes[~codes["respondentid"].isin(group_ids)]
    excluded = []
    if len(outside):
        excluded.append(
            Exclusion(
                spec.number,
                f"kodet, men hører ikke til gruppen ({survey.definition.groups[spec.among].label})",
                tuple(sorted(set(outside["respondentid"]))),
            )
        )
    coded_ids = set(inside["respondentid"])
    answers = survey.responses.loc[in_group.to_numpy(), spec.field]
    not_coded = pd.Series(~answers.index.isin(list(coded_ids)), index=answers.index)
    has_text = answers.notna()
    if (not_coded & has_text).any():
        excluded.append(Exclusion(spec.number, "svaret er ikke kodet i en kategori", _ids(not_coded & has_text)))
    if (not_coded & ~has_text).any():
        excluded.append(Exclusion(spec.number, _missing_reason(survey, spec.field), _ids(not_coded & ~has_text)))
    base = len(coded_ids)
    per_cat = inside.groupby("kategori")["respondentid"].nunique()
    texts = survey.responses[spec.field]
    rows = []
    for cat in f.categories:
        n = int(per_cat.get(cat, 0))
        chosen = choose_quotes(inside[inside["kategori"] == cat], texts, quotes)
        rows.append(Row(cat, n, _pct(n, base), examples=chosen))
    return Table(
        number=spec.number,
        kind="coded",
        title=spec.title,
        field=spec.field,
        question=f.text,
        among=spec.among,
        base=base,
        rows=tuple(rows),
        excluded=tuple(excluded),
        n_codes=int(sum(r.count or 0 for r in rows)),
    )


def _background(survey: Survey) -> tuple[str, ...]:
    from fuldtid.stats.linked import background_fields

    return background_fields(survey.definition)


def multiple_table(survey: Survey, spec: TableSpec) -> Table:
    """A multiple-choice question: a row per option, counted among those in the group who answered it.

    The base is the respondents of the question's group (who were shown it) with an answer on its options;
    an option's count is how many of them ticked it, so the percentages add up to more than 100.
    """
    in_group = survey.group_mask(spec.among).to_numpy()
    choices = survey.choices[spec.field].loc[in_group]
    seen = choices.notna().any(axis=1) if choices.shape[1] else pd.Series(False, index=choices.index)
    excluded: tuple[Exclusion, ...] = ()
    if (~seen).any():
        excluded = (Exclusion(spec.number, _missing_reason(survey, spec.field), _ids(~seen)),)
    base = int(seen.sum())
    rows = []
    for option in choices.columns:
        n = int(choices.loc[seen.to_numpy(), option].fillna(False).astype(bool).sum())
        rows.append(Row(str(option), n, _pct(n, base)))
    return Table(number=spec.number, kind="multiple", title=spec.title, field=spec.field,
                 question=_question(survey, spec.field), among=spec.among, base=base, rows=tuple(rows),
                 excluded=excluded)


def grid_table(survey: Survey, spec: TableSpec) -> Table:
    """A grid (several statements answered on one scale): a row per item with its answers' row percentages.

    The base is the respondents of the group who answered at least one item; each row's total is those who
    answered that item.
    """
    in_group = survey.group_mask(spec.among).to_numpy()
    sub = survey.responses.loc[in_group, list(spec.fields)]
    columns = list(dict.fromkeys(str(o) for f in spec.fields for o in survey.options(f)))
    texts = [_question(survey, f) for f in spec.fields]
    stem = _common_stem(texts)
    rows = []
    for f, text in zip(spec.fields, texts):
        counts = {c: 0 for c in columns}
        counts.update({str(k): int(v) for k, v in sub[f].value_counts(sort=False).items()})
        total = sum(counts.values())
        label = text[len(stem):].strip(" -–") if stem else text
        rows.append(CrossRow(label or text, counts, total, {c: _pct(n, total) for c, n in counts.items()}))
    answered_any = sub.notna().any(axis=1)
    excluded: tuple[Exclusion, ...] = ()
    if (~answered_any).any():
        excluded = (Exclusion(spec.number, f"svarede ikke på nogen af udsagnene i »{stem or spec.title}«",
                              _ids(~answered_any)),)
    return Table(number=spec.number, kind="grid", title=spec.title, field=spec.fields[0],
                 question=stem or spec.title, among=spec.among, base=int(answered_any.sum()), rows=tuple(rows),
                 columns=tuple(columns), excluded=excluded)


def _common_stem(texts: list[str]) -> str:
    """The question shared by a grid's items: the text before " - " when all items have the same one."""
    stems = {t.rpartition(" - ")[0].strip() for t in texts}
    return stems.pop() if len(stems) == 1 and "" not in stems else ""


def _question(survey: Survey, name: str) -> str:
    f = survey.definition.fields.get(name)
    return f.text if f is not None else name


def build_tables(survey: Survey, coding: Coding | None = None, *, min_group: int | None = None) -> TableSet:
    """Every table of the survey definition, anonymity-protected at ``min_group``.

    ``min_group`` None takes the survey definition's threshold; 1 shows every count (the memo as printed).
    """
    if min_group is None:
        min_group = survey.definition.min_group
    tables: list[Table] = []
    pending: list[TableSpec] = []
    for spec in survey.definition.tables:
        if spec.kind == "oneway":
            t = oneway_table(survey, spec, min_group)
        elif spec.kind == "cross":
            t = cross_table(survey, spec, min_group)
        elif spec.kind == "multiple":
            t = multiple_table(survey, spec)
        elif spec.kind == "grid":
            t = grid_table(survey, spec)
        elif coding is None or coding.for_field(spec.field).empty:
            # No codes for this question (no coding file, or a coding sheet not yet filled in): the table
            # awaits coding rather than being shown empty as if it were a result.
            pending.append(spec)
            continue
        else:
            t = coded_table(survey, spec, coding)
        used = spec.fields or (spec.field, *((spec.by,) if spec.by else ()))
        tables.append(replace(t, variables=tuple(v for f in used for v in survey.variables_of(f))))
    tables = [protect_table(t, survey, min_group) for t in tables]
    excluded = _group_exclusions(survey)
    index = survey.responses.index
    counted = np.zeros(len(index), dtype=bool)
    for t in tables:
        left_out = [i for e in t.excluded for i in e.respondentids]
        counted |= survey.group_mask(t.among).to_numpy() & ~index.isin(left_out)
    never = pd.Series(~counted, index=index)
    if never.any():
        excluded.append(Exclusion(None, "indgår ikke i nogen tabel", _ids(never)))
    from fuldtid.stats.tabletests import add_tests

    return add_tests(TableSet(survey, tuple(tables), tuple(excluded), tuple(pending), coding, min_group))


def protect_table(t: Table, survey: Survey, min_group: int) -> Table:
    """The table as it may be published at ``min_group`` (see :mod:`fuldtid.stats.linked` for the rule).

    Tables of groups of people (a cross table's rows, a background field's categories) are protected where they
    are counted (:func:`fuldtid.stats.crosstab.group_table`). A table of a question's answers (reasons, ticked
    options, a grid's items, a single-choice question) is shown in full when its group is at or above the
    threshold, and not at all when it is below (or would give a smaller group away).
    """
    if min_group <= 1:
        return replace(t, min_group=min_group)
    if t.kind == "cross" or (t.kind == "oneway" and t.field in _background(survey)):
        return t
    from fuldtid.stats.linked import protected_rows, protector_for

    protector = protector_for(survey, min_group)
    if t.kind in ("coded", "multiple", "grid"):
        whole = 0 < t.base < min_group or () in protector.level(None, ()).primary.get(t.among, frozenset())
        return _hide_all(t, min_group) if whole else replace(t, min_group=min_group)
    _, whole = protected_rows(protector, t.field, (), t.among, [()])
    return _hide_all(t, min_group) if whole or 0 < t.base < min_group else replace(t, min_group=min_group)


def _hide_all(t: Table, min_group: int) -> Table:
    """A table whose group is too small: no row shows a count."""
    if t.kind in ("cross", "grid"):
        rows: tuple[CrossRow, ...] | tuple[Row, ...] = tuple(CrossRow(r.label, None, None, None, suppressed=True) for r in t.rows)
        return replace(t, rows=rows, overall=None, min_group=min_group, n_suppressed=len(rows))
    rows = tuple(Row(r.label, None, None, suppressed=True) for r in t.rows)
    return replace(t, rows=rows, min_group=min_group, n_suppressed=len(rows))

"""The memo's tables, computed from a survey (and a coding file for the coded reasons).

Tables are immutable values; rendering them (terminal, XLSX, JSON, DOCX, HTML) lives elsewhere.
A table's base is the respondents in its group who answered its question. Everyone else in the
group is listed as an :class:`Exclusion` with the reason, so nobody is lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from fuldtid.model.coding import Coding
from fuldtid.model.definition import TableSpec
from fuldtid.model.survey import Survey


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
    test: Any = None  # cross tables: fuldtid.stats.significance.DifferenceTest on the published rows (tabletests.py)

    @property
    def full_title(self) -> str:
        return f"{self.title} (n={self.base})"

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
            "base": self.base,
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
                "total": self.base,
                "pcts": {c: _pct(n, self.base) for c, n in (self.overall or {}).items()},
            }
            d["test"] = test_dict(self.test)
        else:
            d["rows"] = [_row_dict(r) for r in self.rows]
        if self.n_codes is not None:
            d["codes"] = self.n_codes
        d["excluded"] = sum(e.count for e in self.excluded)
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


@dataclass(frozen=True)
class TableSet:
    """Every table of a survey's report, with who was left out and which tables await coding."""

    survey: Survey
    tables: tuple[Table, ...]
    excluded: tuple[Exclusion, ...]
    pending: tuple[TableSpec, ...] = ()  # coded tables without a coding file
    coding: Coding | None = None
    min_group: int = 1
    weighting: Any = None  # fuldtid.stats.weighting.Weights when a population file was given
    extra: Mapping[str, Any] = field(default_factory=dict)

    def table(self, number: int) -> Table:
        for t in self.tables:
            if t.number == number:
                return t
        raise KeyError(number)

    def all_exclusions(self) -> list[Exclusion]:
        return [*self.excluded, *(e for t in self.tables for e in t.excluded)]

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


def _weighting_dict(w: Any, tableset: "TableSet") -> dict[str, Any]:
    """The weighting diagnostics, with the respondent counts of register categories that are (or contain)
    groups the anonymity rule hides left out: they are the same groups of people as a size table's rows."""
    from fuldtid.stats.weighted import weights_dict

    d = weights_dict(w)
    if tableset.min_group <= 1:
        return d
    from fuldtid.stats.linked import protected_rows, protector_for

    protector = protector_for(tableset.survey, tableset.min_group)
    covers = {(m.variable, c.label): c.covers or (c.label,)
              for m in w.population.margins for c in m.categories}
    for margin in d["margins"]:
        labels = covers.get((margin["variable"], margin["category"]), (margin["category"],))
        field_ = margin["variable"]
        hide = margin["sample_count"] < tableset.min_group and margin["sample_count"] > 0
        if field_ in tableset.survey.responses.columns and not hide:
            hidden, whole = protected_rows(protector, None, (field_,), "alle", [(lab,) for lab in labels])
            hide = whole or bool(hidden)
        if hide:
            margin["sample_count"] = None
            margin["sample_share"] = None
            margin["hidden"] = "skjult af hensyn til anonymiteten"
    return d


def _iso(ts: Any) -> str | None:
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


def oneway_table(survey: Survey, spec: TableSpec) -> Table:
    r = survey.responses
    in_group = survey.group_mask(spec.among)
    values = r.loc[in_group.to_numpy(), spec.field]
    options = survey.options(spec.field)
    counts = values.value_counts(sort=False).reindex(options, fill_value=0)
    missing = values.isna()
    excluded: tuple[Exclusion, ...] = ()
    rows_counts: list[tuple[str, int]] = [(str(k), int(v)) for k, v in counts.items()]
    background = spec.field in _background(survey)
    missing_row = spec.missing_row or (NOT_GIVEN if background and missing.any() else None)
    if missing_row:
        rows_counts.append((missing_row, int(missing.sum())))
    elif missing.any():
        excluded = (Exclusion(spec.number, _missing_reason(survey, spec.field), _ids(missing)),)
    base = sum(n for _, n in rows_counts)
    rows = tuple(Row(label, n, _pct(n, base)) for label, n in rows_counts)
    return Table(
        number=spec.number,
        kind="oneway",
        title=spec.title,
        field=spec.field,
        question=_question(survey, spec.field),
        among=spec.among,
        base=base,
        rows=rows,
        excluded=excluded,
        missing_row=missing_row,
    )


def cross_table(survey: Survey, spec: TableSpec) -> Table:
    assert spec.by is not None
    r = survey.responses
    in_group = survey.group_mask(spec.among).to_numpy()
    sub = r.loc[in_group, [spec.field, spec.by]]
    columns = survey.options(spec.field)
    row_options = list(survey.options(spec.by))
    no_answer = sub[spec.field].isna()
    excluded = []
    if no_answer.any():
        excluded.append(Exclusion(spec.number, _missing_reason(survey, spec.field), _ids(no_answer)))
    sub = sub[~no_answer.to_numpy()]
    by = sub[spec.by]
    # Those who did not give the row field are a row of their own (a group like any other, protected alike).
    missing_label = spec.missing_row or NOT_GIVEN
    if spec.missing_row or by.isna().any():
        by = by.cat.add_categories([missing_label]).fillna(missing_label)
        row_options.append(missing_label)
    crosstab = pd.crosstab(by, sub[spec.field], dropna=False).reindex(
        index=row_options, columns=list(columns), fill_value=0
    )
    rows = []
    for label, line in crosstab.iterrows():
        counts = {str(c): int(n) for c, n in line.items()}
        total = sum(counts.values())
        rows.append(CrossRow(str(label), counts, total, {c: _pct(n, total) for c, n in counts.items()}))
    overall = {str(c): int(n) for c, n in crosstab.sum(axis=0).items()}
    return Table(
        number=spec.number,
        kind="cross",
        title=spec.title,
        field=spec.field,
        question=_question(survey, spec.field),
        among=spec.among,
        base=sum(overall.values()),
        rows=tuple(rows),
        columns=tuple(str(c) for c in columns),
        by=spec.by,
        overall=overall,
        excluded=tuple(excluded),
        missing_row=missing_label,
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
            t = oneway_table(survey, spec)
        elif spec.kind == "cross":
            t = cross_table(survey, spec)
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

    Rows that are groups of people (a cross table's rows, the categories of a background field) are hidden
    where the linked protection of everything one export releases says so, and the hidden ones are shown
    together as "Øvrige grupper". A table of a question's answers is shown in full when its group is at or
    above the threshold, and not at all when it is below (or would give a smaller group away).
    """
    if min_group <= 1:
        return replace(t, min_group=min_group)
    from fuldtid.stats.linked import NA, protected_rows, protector_for

    protector = protector_for(survey, min_group)
    if t.kind in ("coded", "multiple", "grid"):
        # Answers to a question (reasons, ticked options, a grid's items): shown in full for a group at or
        # above the threshold, not at all below it.
        whole = 0 < t.base < min_group or () in protector.level(None, ()).primary.get(t.among, frozenset())
        return _hide_all(t, min_group) if whole else replace(t, min_group=min_group)
    background = t.field in protector.background
    if t.kind == "oneway" and not background:
        _, whole = protected_rows(protector, t.field, (), t.among, [()])
        return _hide_all(t, min_group) if whole or 0 < t.base < min_group else replace(t, min_group=min_group)
    if t.kind == "oneway":
        question, field_ = None, t.field
    else:
        question, field_ = t.field, t.by
    assert field_ is not None

    def key(label: str) -> tuple[str]:
        return (NA,) if label == t.missing_row else (label,)

    hidden, whole = protected_rows(protector, question, (field_,), t.among, [key(r.label) for r in t.rows])
    if whole:
        return _hide_all(t, min_group)
    hidden_labels = [r.label for r in t.rows if key(r.label) in hidden]
    if not hidden_labels:
        return replace(t, min_group=min_group)
    from fuldtid.stats.disclosure import other_label

    other = other_label([r.label for r in t.rows])
    if t.kind == "cross":
        rows: list[Any] = []
        merged = {c: 0 for c in t.columns}
        for r in t.rows:
            if r.label in hidden_labels:
                rows.append(CrossRow(r.label, None, None, None, suppressed=True))
                for c in t.columns:
                    merged[c] += int(r.counts[c])  # type: ignore[index]
            else:
                rows.append(r)
        total = sum(merged.values())
        rows.append(CrossRow(other, merged, total, {c: _pct(n, total) for c, n in merged.items()},
                             members=tuple(hidden_labels)))
    else:
        rows = [Row(r.label, None, None, suppressed=True) if r.label in hidden_labels else r for r in t.rows]
        n = sum(int(r.count or 0) for r in t.rows if r.label in hidden_labels)
        rows.append(Row(other, n, _pct(n, t.base), members=tuple(hidden_labels)))
    return replace(t, rows=tuple(rows), min_group=min_group, n_suppressed=len(hidden_labels))


def _hide_all(t: Table, min_group: int) -> Table:
    """A table whose group is too small: no row shows a count."""
    if t.kind in ("cross", "grid"):
        rows: tuple[Any, ...] = tuple(CrossRow(r.label, None, None, None, suppressed=True) for r in t.rows)
        return replace(t, rows=rows, overall=None, min_group=min_group, n_suppressed=len(rows))
    rows = tuple(Row(r.label, None, None, suppressed=True) for r in t.rows)
    return replace(t, rows=rows, min_group=min_group, n_suppressed=len(rows))

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

from .coding import Coding
from .definition import ALL, TableSpec
from .survey import Survey


OTHER_CATEGORIES = "Øvrige kategorier"


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
            "respondentids": list(self.respondentids),
        }


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
    test: Any = None  # cross tables: fuldtid.significance.DifferenceTest on the published rows (tabletests.py)
    # coded tables: the respondents behind each category, so a merged row counts people, not mentions
    category_ids: Mapping[str, frozenset[str]] | None = field(default=None, repr=False, compare=False)

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
            "field": self.field,
            "among": self.among,
            "base": self.base,
        }
        if self.kind == "cross":
            from .tabletests import test_dict

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
        return {"label": r.label, "suppressed": True}
    d: dict[str, Any] = {"label": r.label, "count": r.count, "pct": r.pct}
    if r.members:
        d["members"] = list(r.members)
    if r.examples:
        d["examples"] = list(r.examples)
    if r.weighted is not None:
        d["weighted"] = r.weighted.to_dict()
    return d


def _cross_row_dict(r: CrossRow) -> dict[str, Any]:
    if r.suppressed:
        return {"label": r.label, "suppressed": True}
    d: dict[str, Any] = {"label": r.label, "counts": dict(r.counts or {}), "total": r.total, "pcts": dict(r.pcts or {})}
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
    weighting: Any = None  # fuldtid.weighting.Weights when a population file was given
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
            **({"weighting": _weighting_dict(self.weighting)} if self.weighting is not None else {}),
        }


def _weighting_dict(w: Any) -> dict[str, Any]:
    from .weighted import weights_dict

    return weights_dict(w)


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
        listed = set(field.options or ()) if field is not None else set()
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
    if spec.missing_row:
        rows_counts.append((spec.missing_row, int(missing.sum())))
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
        missing_row=spec.missing_row,
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
    if spec.missing_row:
        by = by.cat.add_categories([spec.missing_row]).fillna(spec.missing_row)
        row_options.append(spec.missing_row)
    else:
        no_group = by.isna()
        if no_group.any():
            excluded.append(Exclusion(spec.number, _missing_reason(survey, spec.by), _ids(no_group)))
            sub, by = sub[~no_group.to_numpy()], by[~no_group.to_numpy()]
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
        missing_row=spec.missing_row,
    )


def coded_table(survey: Survey, spec: TableSpec, coding: Coding, *, quotes: int = 2) -> Table:
    from .quotes import choose_quotes

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
        category_ids={cat: frozenset(inside.loc[inside["kategori"] == cat, "respondentid"]) for cat in f.categories},
    )


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
        elif coding is None or coding.for_field(spec.field).empty:
            # No codes for this question (no coding file, or a coding sheet not yet filled in): the table
            # awaits coding rather than being shown empty as if it were a result.
            pending.append(spec)
            continue
        else:
            t = coded_table(survey, spec, coding)
        tables.append(t)
    tables = protect_linked(tables, min_group, survey.definition.groups)
    excluded = _group_exclusions(survey)
    index = survey.responses.index
    counted = np.zeros(len(index), dtype=bool)
    for t in tables:
        left_out = [i for e in t.excluded for i in e.respondentids]
        counted |= survey.group_mask(t.among).to_numpy() & ~index.isin(left_out)
    never = pd.Series(~counted, index=index)
    if never.any():
        excluded.append(Exclusion(None, "indgår ikke i nogen tabel", _ids(never)))
    from .tabletests import add_tests

    return add_tests(TableSet(survey, tuple(tables), tuple(excluded), tuple(pending), coding, min_group))


MISSING_KEY = "\x00ikke angivet"


def _row_field(t: Table) -> str:
    """The field whose answers make a table's rows: tables with the same one count the same groups."""
    return t.by if t.kind == "cross" and t.by is not None else t.field


def _hidden_keys(t: Table, missing_row: str | None) -> set[str]:
    keys = set()
    for r in t.rows:
        labels = r.members if r.members else ((r.label,) if r.suppressed else ())
        for label in labels:
            keys.add(MISSING_KEY if label == missing_row else label)
    return keys


def _ancestors(groups: Mapping[str, Any], name: str) -> set[str]:
    out = {name, ALL}
    while groups[name].within is not None:
        name = groups[name].within
        out.add(name)
    return out


def _linked_sets(tables: list[Table], groups: Mapping[str, Any]) -> list[int]:
    """For each table, the number of its linked set: tables whose rows are the same field's groups and
    whose respondents nest (one table's group contains the other's), directly or through others."""
    parent = list(range(len(tables)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(tables):
        for j in range(i + 1, len(tables)):
            b = tables[j]
            if a.kind == "coded" or b.kind == "coded" or _row_field(a) != _row_field(b):
                continue
            if a.among in _ancestors(groups, b.among) or b.among in _ancestors(groups, a.among):
                parent[find(j)] = find(i)
    return [find(i) for i in range(len(tables))]


def protect_linked(tables: list[Table], min_group: int, groups: Mapping[str, Any]) -> list[Table]:
    """Protect every table, then make linked tables hide the same groups.

    Linked tables count the same people by the same groups: table 10 (agreement, everyone) with tables 13
    and 14 (agreement, part- and full-timers). A group hidden in one but shown in another could be worked
    out by subtraction (10 - 14 = 13, up to the few without hours), so a group hidden in one linked table is
    hidden in all of them, repeated until nothing changes. Tables 11 and 12 count disjoint groups of people
    (part- and full-timers) with no table of everyone by area, so they are not linked."""
    if min_group <= 1:
        return [protect_table(t, min_group) for t in tables]
    sets = _linked_sets(tables, groups)
    forced: dict[int, set[str]] = {}
    while True:
        protected = [
            protect_table(t, min_group, also_hide=_labels_for(forced.get(sets[i], set()), t.missing_row))
            for i, t in enumerate(tables)
        ]
        changed = False
        for i, t in enumerate(protected):
            if t.kind == "coded":
                continue  # reasons are categories of answers, not groups of people shared with other tables
            keys = _hidden_keys(t, t.missing_row)
            known = forced.setdefault(sets[i], set())
            if not keys <= known:
                known |= keys
                changed = True
        if not changed:
            return protected


def _labels_for(keys: set[str], missing_row: str | None) -> set[str]:
    return {missing_row if k == MISSING_KEY else k for k in keys if k != MISSING_KEY or missing_row}


def protect_table(t: Table, min_group: int, also_hide: set[str] | frozenset[str] = frozenset()) -> Table:
    """Hide counts of groups smaller than ``min_group`` (and of ``also_hide``) so that none can be recovered."""
    if min_group <= 1:
        return replace(t, min_group=min_group)
    from .disclosure import protect, protect_oneway

    if t.kind == "cross":
        counts = pd.DataFrame(
            [[r.counts[c] for c in t.columns] for r in t.rows],  # type: ignore[index]
            index=[r.label for r in t.rows],
            columns=list(t.columns),
        )
        pt = protect(counts, min_group, also_hide=also_hide)
        if pt.warning is not None:
            # Too few answers to hide anyone among: only the total is shown.
            hidden = tuple(CrossRow(r.label, None, None, None, suppressed=True) for r in t.rows)
            return replace(t, rows=hidden, min_group=min_group, n_suppressed=len(hidden))
        rows = []
        for pr in pt.rows:
            if pr.suppressed or pr.counts is None:
                rows.append(CrossRow(pr.label, None, None, None, suppressed=True, members=pr.members))
            else:
                counts_ = {c: int(pr.counts[c]) for c in t.columns}
                total = int(pr.total or 0)
                members = pr.members if len(pr.members) > 1 or pr.members != (pr.label,) else ()
                rows.append(CrossRow(pr.label, counts_, total, {c: _pct(n, total) for c, n in counts_.items()}, members=members))
        return replace(t, rows=tuple(rows), min_group=min_group, n_suppressed=pt.n_suppressed)
    # Coded categories overlap (an answer may have several codes), so their counts don't add up to the
    # base; protecting them as if they were groups is then on the safe side.
    by_label = {r.label: r for r in t.rows}
    series = pd.Series([r.count for r in t.rows], index=[r.label for r in t.rows], dtype="int64")
    pt = protect_oneway(series, min_group, also_hide=also_hide)
    if pt.warning is not None:
        hidden_rows = tuple(Row(r.label, None, None, suppressed=True) for r in t.rows)
        return replace(t, rows=hidden_rows, min_group=min_group, n_suppressed=len(hidden_rows))
    rows = []
    for pr in pt.rows:
        if pr.suppressed or pr.total is None:
            rows.append(Row(pr.label, None, None, suppressed=True, members=pr.members))
        else:
            members = pr.members if pr.members != (pr.label,) else ()
            # Quotes stay only with a category shown on its own.
            examples = by_label[pr.label].examples if pr.label in by_label and not members else ()
            # Merged reasons are categories, not groups of people: name them so.
            label = OTHER_CATEGORIES if members and t.kind == "coded" else pr.label
            count = int(pr.total)
            if members and t.kind == "coded" and t.category_ids is not None:
                # One answer may have several of the merged categories: count the people, not the mentions,
                # and hide the row when they are fewer than the threshold.
                count = len(frozenset().union(*(t.category_ids.get(m, frozenset()) for m in members)))
                if count < min_group:
                    rows.append(Row(label, None, None, suppressed=True, members=members))
                    continue
            rows.append(Row(label, count, _pct(count, t.base), examples=examples, members=members))
    return replace(t, rows=tuple(rows), min_group=min_group, n_suppressed=pt.n_suppressed)

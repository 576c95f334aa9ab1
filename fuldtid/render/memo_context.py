"""What the memo's builders share: the context of one memo being built (:class:`_Ctx`) over a
:class:`~fuldtid.stats.release.Release`, the lookups in its tables, and the analysis sections the definition
implies (questions that route on, :class:`_Wish`; opinions with coded explanations, :class:`_Opinion`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, TypeVar

import pandas as pd

from fuldtid import fmt
from fuldtid.danish import join_da, quoted
from fuldtid.model.definition import ALL, TableSpec, survey_option_text
from fuldtid.model.wording import Wording
from fuldtid.render.grid import WEIGHTED_NOTE, Grid, exclusion_note, table_grid
from fuldtid.stats.figuredata import FigureData
from fuldtid.stats.release import Release
from fuldtid.stats.tables import Row, Table, Weighted
from fuldtid.render.blocks import (Block, FigureBlock, PendingTable, Run,
                                   TableBlock)

if TYPE_CHECKING:
    from fuldtid.model.definition import Group

_T = TypeVar("_T")

# Groups smaller than this are not singled out as "largest" or "smallest" share: one answer moves their
# share by 20 percentage points or more. The anonymity threshold raises it further.
COMPARE_MIN = 5
# Differences in percentage points below which a sample share "matches" the population share.
REPRESENTATION_TOLERANCE = 3.0
CODING_COMMAND = "fuldtid coding-sheet {export} --out kodning.xlsx"


def pct_interval(w: Weighted) -> str:
    """``24–37%``; where there is none, why not."""
    return fmt.interval(w.ci_low, w.ci_high) or f"kan ikke angives: {w.note or 'for få besvarelser'}"


def shown_rows(t: Table, exclude: Iterable[str] = ()) -> list[Row]:
    """Rows with a count a reader can see: not hidden, not a merged "Øvrige grupper" row."""
    skip = set(exclude)
    return [r for r in t.rows if isinstance(r, Row) and not r.suppressed and not r.members
            and r.count is not None and r.label not in skip]


def ranked(rows: Sequence[_T], key: Callable[[_T], Any]) -> list[list[_T]]:
    """Rows grouped by equal key (any sortable value), largest first (ties stay in their table order)."""
    tiers: dict[Any, list[_T]] = {}
    for r in rows:
        tiers.setdefault(key(r), []).append(r)
    return [tiers[k] for k in sorted(tiers, reverse=True)]


def n_pct(count: int, share: float | None) -> str:
    """``65 (30%)``"""
    return f"{fmt.number(count)} ({fmt.pct(share)})"


def paren(count: int, share: float | None, tied: bool = False) -> str:
    """``(17, 31%)`` or, for several categories with the same count, ``(7 hver, 27%)``."""
    return f"({fmt.number(count)}{' hver' if tied else ''}, {fmt.pct(share)})"


@dataclass
class _Ctx:
    ts: Release
    intro: str | None
    conclusion: str | None
    blocks: list[Block] = field(default_factory=list)
    used_tables: set[int] = field(default_factory=set)
    used_figures: set[int] = field(default_factory=set)
    figures: dict[int, FigureData] = field(default_factory=dict)
    _section: int = 0
    _sub: int = 0
    _appendix: int = 0

    def __post_init__(self) -> None:
        self.facts = self.ts.facts
        self.definition = self.facts.definition
        self.min_group = max(1, int(self.ts.min_group))
        self.compare_min = max(COMPARE_MIN, self.min_group)
        self.tables = {t.number: t for t in self.ts.tables}
        self.pending = {s.number: s for s in self.ts.pending}
        self.specs = {s.number: s for s in self.definition.tables}
        self.figures = {f.number: f for f in self.ts.figures}
        self.fig_specs = {s.number: s for s in self.definition.figures}
        self.w = Wording(self.definition)
        self.wishes = _wishes(self)
        self.opinions = _opinions(self)

    # numbering -------------------------------------------------------------------------------
    def section(self) -> str:
        """The next section number; a section without subsections of its own resets them."""
        self._section += 1
        self._sub = 0
        return str(self._section)

    def appendix(self) -> str:
        self._appendix += 1
        return str(self._appendix)

    def subsection(self) -> str:
        self._sub += 1
        return f"{self._section}.{self._sub}"

    # lookups ---------------------------------------------------------------------------------
    def table_for(self, field_name: str, kind: str | None = None) -> Table | None:
        for t in self.ts.tables:
            if t.field == field_name and (kind is None or t.kind == kind):
                return t
        return None

    def spec_for(self, field_name: str) -> TableSpec | None:
        for s in self.definition.tables:
            if s.field == field_name:
                return s
        return None

    def has_field(self, name: str) -> bool:
        return name in self.facts.fields

    def group_label(self, group: str) -> str:
        if group == ALL:  # said after "af de": "af de 83 svarende"
            return self.w.text("respondents", "svarende") or "svarende"
        g = self.definition.groups.get(group)
        return g.label if g is not None else group

    def population(self, genitive: bool = False) -> str:
        """Who the weights stand for, from the wording (VJH: medarbejdergruppen); neutral: populationen."""
        if genitive:
            return self.w.text("population_group_genitive", "populationens") or "populationens"
        return self.w.text("population_group", "populationen") or "populationen"

    def role(self, name: str) -> str | None:
        """The field (or group) that plays a role in the appendix on the respondents (``memo: appendix:``)."""
        return self.definition.memo.get("appendix", {}).get(name) if self.definition.memo else None

    def citeable(self, n: int) -> bool:
        """A count outside the tables (a group's size) may be quoted: zero, or at the threshold or above."""
        return n == 0 or n >= self.min_group

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    # tables and figures ----------------------------------------------------------------------
    def table_ref(self, number: int) -> str:
        return f"tabel {number}"

    def add_table(self, number: int, weighted: bool = False) -> None:
        if number in self.used_tables:
            return
        if number in self.tables:
            t = self.tables[number]
            g = table_grid(t)
            if weighted and t.kind == "oneway" and any(isinstance(r, Row) and r.weighted for r in t.rows):
                g = weighted_grid(t, g)
            # Whom the weights stand for is the definition's word (VJH: medarbejdergruppen), not the grid's.
            notes = [f"Vægtet: andelen skønnet for hele {self.population()} ud fra populationsfilen, med "
                     "95%-konfidensinterval." if n == WEIGHTED_NOTE else n for n in g.notes]
            left_out = "" if t.hidden_whole else exclusion_note([(e.count, e.reason) for e in t.excluded])
            if left_out:
                notes.append(left_out)
            self.add(TableBlock(t.number, t.caption, g, t.kind, tuple(notes)))
            self.used_tables.add(number)
        elif number in self.pending:
            spec = self.pending[number]
            cmd = CODING_COMMAND.format(export=self.facts.export_path) + survey_option_text(self.definition)
            self.add(PendingTable(number, f"Tabel {number}: {spec.title}", (
                Run("Tabellen afventer kodning af de åbne svar. Lav et kodeark med "),
                Run(cmd, code=True),
                Run(", udfyld kategorierne, og dan notatet igen med "),
                Run("--coding kodning.xlsx", code=True),
                Run("."),
            )))
            self.used_tables.add(number)

    def add_figure(self, number: int) -> FigureData | None:
        f = self.figures.get(number)
        if f is None or number in self.used_figures:
            return None
        notes = []
        if f.weighted:
            notes.append("Søjlerne viser besvarelserne; punkterne viser den vægtede andel (skønnet for hele "
                         f"{self.population()}) med 95%-konfidensinterval.")
            if any(f.weighted_pct(g, c if f.kind == "cross" else None) is not None
                   and pd.isna(f.weighted_pct(g, c if f.kind == "cross" else None)[1])  # type: ignore[index]
                   for g, c in f.data[["group", "category"]].itertuples(index=False)):
                notes.append("Et punkt uden interval har intet konfidensinterval: det bygger på én besvarelse, "
                             "eller andelen er fastlagt af vægtningen.")
        if f.weighting_variable:
            notes.append(f"{self.w.noun(f.field)[:1].upper()}{self.w.noun(f.field)[1:]} er en af vægtningens "
                         "variable: vægtet svarer fordelingen per konstruktion til populationsfilens, så der "
                         "vises ingen vægtet andel; figuren viser besvarelserne.")
        if f.hidden:
            notes.append(f"Små grupper vises ikke for sig af hensyn til anonymiteten (grænsen er {self.min_group} "
                         "svar)" + (f"; {quoted(f.merged_label)} omfatter {join_da(list(f.hidden))}."
                                    if f.merged_label and f.merged_label in f.groups() else "."))
        note = " ".join(notes)
        self.add(FigureBlock(number, f.caption, f, alt=figure_alt(f), note=note))
        self.used_figures.add(number)
        return f


@dataclass(frozen=True)
class _Wish:
    """A question whose answers route respondents on to follow-up questions, found from the definition's
    groups (VJH: "Ønsker du at gå op i tid?" -> to how many hours, why, why not)."""

    table: Table  # the question's one-way table
    yes: str  # the answer after which the follow-up one-way table is asked
    target: Table | None  # that follow-up table (VJH: the wished hours)
    reasons: tuple[str, ...]  # coded follow-up fields: after ``yes`` first, then after the other answers
    yes_reason: str | None  # the coded field asked after ``yes`` (why), if any

    @property
    def field(self) -> str:
        return self.table.field


@dataclass(frozen=True)
class _Opinion:
    """A question with an open follow-up coded for one of its answers, shown with its figures (VJH: "Oplever
    du, at det er muligt ...?" and the explanations of those answering "Nej")."""

    field: str
    value: str  # the answer whose explanations are coded
    coded: str  # the coded field
    distribution: FigureData | None
    cross: FigureData | None


def _routed_groups(c: _Ctx, field_name: str) -> list[Group]:
    return [g for g in c.definition.groups.values() if g.name != ALL and g.field == field_name and g.values]


def _wishes(c: _Ctx) -> list[_Wish]:
    """One-way tables of questions whose answers define groups, with what is asked in those groups."""
    candidates = [t for t in c.ts.tables if t.kind == "oneway" and _routed_groups(c, t.field)]
    claimed = {t.number for t in candidates}
    coded = [s for s in c.definition.tables if s.kind == "coded"]
    out = []
    for t in candidates:
        routed = _routed_groups(c, t.field)
        follow = next(((g, x) for g in routed for x in c.ts.tables
                       if x.kind == "oneway" and x.among == g.name and x.number not in claimed), None)
        yes_group = follow[0] if follow is not None else routed[0]
        order = [yes_group, *(g for g in routed if g is not yes_group)]
        reasons = tuple(s.field for g in order for s in coded if s.among == g.name)
        yes_reason = next((s.field for s in coded if s.among == yes_group.name), None)
        if follow is None and not reasons:
            continue  # groups of this question's answers, but nothing asked in them: an ordinary table
        if follow is not None:
            claimed.add(follow[1].number)
        out.append(_Wish(t, yes_group.values[0], follow[1] if follow is not None else None, reasons, yes_reason))
    return out


def _opinions(c: _Ctx) -> list[_Opinion]:
    """Single-choice questions (not routing questions) with a coded table asked in a group of their answers."""
    wished = {w.field for w in c.wishes}
    out: list[_Opinion] = []
    for spec in c.definition.tables:
        g = c.definition.groups.get(spec.among)
        if spec.kind != "coded" or g is None or not g.field or not g.values or g.field in wished:
            continue
        f = c.definition.fields.get(g.field)
        if f is None or f.is_open or any(o.field == g.field for o in out):
            continue
        dist = next((x for x in c.figures.values() if x.field == g.field and x.kind == "distribution"), None)
        cross = next((x for x in c.figures.values() if x.field == g.field and x.kind == "cross"), None)
        out.append(_Opinion(g.field, g.values[0], spec.field, dist, cross))
    return out


def weighted_grid(t: Table, g: Grid) -> Grid:
    """The table's grid with a column of weighted shares and their 95% intervals next to the unweighted ones."""
    from fuldtid.render.grid import with_weighted

    return with_weighted(t, g)


def figure_alt(f: FigureData) -> str:
    """A text alternative listing every bar, for screen readers and when images are off."""
    parts = []
    for g, c, p in f.data[["group", "category", "pct"]].itertuples(index=False):
        share = fmt.pct(p) if p is not None and not pd.isna(p) else "-"
        w = f.weighted_pct(g, c if f.kind == "cross" else None)
        if w is not None:
            ci = fmt.interval(w[1], w[2])
            share += f" (vægtet {fmt.pct(w[0])}" + (f", 95%-konfidensinterval {ci})" if ci else ")")
        parts.append(f"{g}: {share}" if f.kind != "cross" else f"{g}, {c}: {share}")
    return f"{f.title}. " + "; ".join(parts)

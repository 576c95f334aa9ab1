"""The memo (notat) as a format-agnostic content model, with all its Danish prose computed from the data.

:func:`build_memo` turns a :class:`~fuldtid.stats.tables.TableSet` into a :class:`Memo`: a title block and a flat
sequence of blocks (headings, paragraphs, bullet lists, tables, figures). The DOCX and HTML renderers only
lay these blocks out, so both formats say exactly the same thing.

Every number in a sentence is read from the tables or the figures' data at the moment the memo is built;
nothing about the 2022 results is written into the text. Sentences are chosen by what the data shows (the
largest group, ties, empty groups, singular or plural, a question nobody answered), and counts that the
tables hide for anonymity are never quoted, nor are groups below the threshold named.

What is particular to one questionnaire is not in this module: the words (what giving an answer means,
nouns, whom a coded category covers, the sentences around a figure) come from the ``wording:`` section of
the survey definition (:class:`Wording`, with neutral fallbacks), and the analysis sections are found
from the definition's groups and tables (:func:`_wishes`, :func:`_opinions`). The appendix on the
respondents finds its fields by the roles the definition gives them (``memo: appendix:`` age, sex, job,
workplace, agreement, hours); extra sections come from ``memo: sections:``; other tables and figures land in
"Øvrige tabeller og figurer".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Mapping, Sequence

import pandas as pd

from fuldtid import fmt
from fuldtid.model.definition import ALL, FigureSpec, TableSpec, survey_option_text
from fuldtid.stats.figuredata import FigureData, all_figures, distribution_data
from fuldtid.render.grid import WEIGHTED_NOTE, Grid, exclusion_note, table_grid
from fuldtid.stats.tables import CrossRow, Row, Table, TableSet, Weighted
from fuldtid.stats.significance import format_p
from fuldtid.stats.tabletests import share_test

# Groups smaller than this are not singled out as "largest" or "smallest" share: one answer moves their
# share by 20 percentage points or more. The anonymity threshold raises it further.
COMPARE_MIN = 5
# Differences in percentage points below which a sample share "matches" the population share.
REPRESENTATION_TOLERANCE = 3.0
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")
CODING_COMMAND = "fuldtid coding-sheet {export} --out kodning.xlsx"


# --- the content model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    level: int  # 1 = section, 2 = subsection, 3 = unnumbered sub-heading
    text: str
    number: str | None = None

    @property
    def display(self) -> str:
        if self.number is None:
            return self.text
        return f"{self.number}. {self.text}" if "." not in self.number else f"{self.number} {self.text}"


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    runs: tuple[Run, ...]
    style: str = "body"  # "body" | "lead" (bold lead-in such as "Hovedpointer") | "note" (small print)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class ListItem:
    runs: tuple[Run, ...]
    children: tuple["ListItem", ...] = ()

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class BulletList:
    kind: ClassVar[str] = "list"
    items: tuple[ListItem, ...]
    ordered: bool = False


@dataclass(frozen=True)
class TableBlock:
    """A table as display strings (the grid every renderer shares) with its caption and notes."""

    kind: ClassVar[str] = "table"
    number: int
    caption: str
    grid: Grid
    table_kind: str  # "oneway" | "coded" | "cross" | "multiple" | "grid"
    notes: tuple[str, ...] = ()  # the grid's notes and who is left out of the table

    @property
    def widths(self) -> tuple[float, ...]:
        """Relative column widths: the label and quotes get the room."""
        header = self.grid.header
        if self.table_kind in ("cross", "grid"):
            return (3.2, *([1.3] * (len(header) - 1)))
        return tuple(4.0 if h == "Eksempler" else 2.6 if i == 0 else 1.6 if h.startswith("Vægtet") else 1.0
                     for i, h in enumerate(header))


@dataclass(frozen=True)
class PendingTable:
    """A coded table whose open answers have not been coded yet: said instead of printing an empty table."""

    kind: ClassVar[str] = "pending"
    number: int
    caption: str
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class FigureBlock:
    kind: ClassVar[str] = "figure"
    number: int
    caption: str
    data: FigureData
    alt: str
    note: str = ""


Block = Heading | Paragraph | BulletList | TableBlock | PendingTable | FigureBlock


@dataclass(frozen=True)
class Memo:
    title: str
    organisation: str
    meta: tuple[str, ...]
    blocks: tuple[Block, ...]

    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]

    def figures(self) -> list[FigureBlock]:
        return [b for b in self.blocks if isinstance(b, FigureBlock)]

    def text(self) -> str:
        """All prose as plain text (headings, paragraphs, list items), for tests and search."""
        out: list[str] = []

        def items(xs: Iterable[ListItem], depth: int) -> None:
            for it in xs:
                out.append("  " * depth + "- " + it.text)
                items(it.children, depth + 1)

        for b in self.blocks:
            if isinstance(b, Heading):
                out.append(b.display)
            elif isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, BulletList):
                items(b.items, 0)
            elif isinstance(b, PendingTable):
                out.append(b.caption)
                out.append("".join(r.text for r in b.runs))
            elif isinstance(b, (TableBlock, FigureBlock)):
                out.append(b.caption)
        return "\n".join(out)


def para(*parts: str | Run, style: str = "body") -> Paragraph:
    return Paragraph(tuple(p if isinstance(p, Run) else Run(p) for p in parts), style)


def item(*parts: str | Run, children: Sequence[ListItem] = ()) -> ListItem:
    return ListItem(tuple(p if isinstance(p, Run) else Run(p) for p in parts), tuple(children))


# --- Markdown (the analyst's introduction and conclusion) ----------------------------------------

_INLINE = re.compile(r"(\*\*[^*\n]+\*\*|__[^_\n]+__|\*[^*\n]+\*|_[^_\n]+_|`[^`\n]+`)")


def inline_runs(text: str) -> tuple[Run, ...]:
    """``**fed**``, ``*kursiv*`` and ```kode``` as runs; everything else is literal text."""
    runs = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if (part.startswith("**") and part.endswith("**")) or (part.startswith("__") and part.endswith("__")):
            runs.append(Run(part[2:-2], bold=True))
        elif part.startswith("`") and part.endswith("`"):
            runs.append(Run(part[1:-1], code=True))
        elif len(part) > 2 and part[0] in "*_" and part[-1] == part[0]:
            runs.append(Run(part[1:-1], italic=True))
        else:
            runs.append(Run(part))
    return tuple(runs)


_BULLET = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_blocks(text: str) -> list[Block]:
    """A small, safe subset of Markdown: paragraphs, ``#`` headings, ``-``/``1.`` lists (two levels), and
    bold/italic/code inline. Anything else (links, HTML) stays literal text; renderers escape it."""
    blocks: list[Block] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    buf: list[str] = []
    items: list[tuple[int, str]] = []
    ordered = False

    def flush_para() -> None:
        if buf:
            blocks.append(Paragraph(inline_runs(" ".join(s.strip() for s in buf))))
            buf.clear()

    def flush_list() -> None:
        if not items:
            return
        top: list[ListItem] = []
        base = min(i for i, _ in items)
        for indent, body in items:
            li = ListItem(inline_runs(body))
            if indent > base and top:
                top[-1] = ListItem(top[-1].runs, (*top[-1].children, li))
            else:
                top.append(li)
        blocks.append(BulletList(tuple(top), ordered))
        items.clear()

    for line in lines:
        if not line.strip():
            flush_para()
            flush_list()
            continue
        h = _HEADING.match(line)
        b = _BULLET.match(line)
        if h:
            flush_para()
            flush_list()
            blocks.append(Heading(3, h.group(2)))
        elif b:
            flush_para()
            if not items:
                ordered = b.group(2)[0].isdigit()
            items.append((len(b.group(1).expandtabs(4)), b.group(3)))
        elif items:  # a continuation line of a list item
            indent, body = items[-1]
            items[-1] = (indent, body + " " + line.strip())
        else:
            buf.append(line)
    flush_para()
    flush_list()
    return blocks


# --- Danish wording -----------------------------------------------------------------------------


def count_noun(n: int, singular: str, plural: str) -> str:
    """``1 medarbejder``, ``2 medarbejdere``, ``1.172 medarbejdere``."""
    return f"{fmt.number(n)} {singular if n == 1 else plural}"


def join_da(parts: Sequence[str], last: str = "og") -> str:
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def quoted(label: str) -> str:
    return f"»{label}«"


def da_date(ts: Any) -> str:
    t = pd.Timestamp(ts)
    return f"{t.day}. {MONTHS[t.month - 1]} {t.year}"


def da_period(first: Any, last: Any) -> str | None:
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return None
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    if a.date() == b.date():
        return f"den {da_date(a)}"
    if a.year == b.year:
        start = f"{a.day}. {MONTHS[a.month - 1]}"
        return f"fra den {start} til den {da_date(b)}"
    return f"fra den {da_date(a)} til den {da_date(b)}"


def pct_interval(w: Weighted) -> str:
    """``24–37%``; where there is none, why not."""
    return fmt.interval(w.ci_low, w.ci_high) or f"kan ikke angives: {w.note or 'for få besvarelser'}"


def about(n: float) -> str:
    """A population count as prose: rounded to tens from 100 up, to fives from 20 up."""
    if n >= 100:
        return fmt.number(round(n / 10) * 10)
    if n >= 20:
        return fmt.number(round(n / 5) * 5)
    return fmt.number(round(n))


class Wording:
    """How the memo words one questionnaire: the ``wording:`` section of its survey definition.

    Every lookup has a neutral fallback that is true of any questionnaire, so a definition without wording
    still gets a correct memo; the VJH phrasing lives in ``surveys/vjh.yaml``, not here.
    """

    def __init__(self, definition: Any) -> None:
        self.definition = definition
        raw = getattr(definition, "wording", None) or {}
        self.raw: Mapping[str, Any] = raw
        self._fields: Mapping[str, Mapping[str, Any]] = raw.get("fields") or {}
        self._figures: Mapping[int, Mapping[str, str]] = raw.get("figures") or {}

    def of(self, field_name: str | None) -> Mapping[str, Any]:
        """The wording of one field (empty when it has none)."""
        return self._fields.get(field_name or "", {})

    def fill(self, template: str, where: str, /, **values: Any) -> str:
        """A wording text with its {placeholders} filled in; a placeholder the memo does not know is the
        definition's error, reported with the file and the text it is in."""
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            from fuldtid.errors import DefinitionError

            known = ", ".join("{" + k + "}" for k in values) or "none"
            raise DefinitionError(
                f"{getattr(self.definition, 'path', 'survey definition')}: wording {where}: cannot fill in "
                f"{template!r} ({type(exc).__name__}: {exc}); this text may use: {known}"
            ) from exc

    def text(self, key: str, default: str | None = None, /, **values: Any) -> str | None:
        """A top-level text (``intro``, ``analysis_heading``, ...), filled in, or ``default``."""
        t = self.raw.get(key)
        return default if t is None else self.fill(t, key, **values)

    def field_text(self, field_name: str | None, key: str, default: str | None = None, /,
                   **values: Any) -> str | None:
        t = self.of(field_name).get(key)
        return default if t is None else self.fill(t, f"field {field_name!r}: {key}", **values)

    def figure_text(self, figure: int, key: str, default: str | None = None, /, **values: Any) -> str | None:
        t = self._figures.get(figure, {}).get(key)
        return default if t is None else self.fill(t, f"figure {figure}: {key}", **values)

    def answer(self, field_name: str, label: str, subordinate: bool = False) -> str:
        """What a respondent does by giving ``label``: a main clause, or a subordinate clause ("..., der
        ikke ønsker ..."). Fallback: ``svarer »label«``."""
        pair = self.of(field_name).get("answers", {}).get(label)
        if pair is not None:
            return pair[1] if subordinate else pair[0]
        target = self.target(field_name)
        if target is not None:
            return f"{target[0]} {self.fill(target[1], f'field {field_name!r}: target', label=label)}"
        return f"svarer {quoted(label)}"

    def target(self, field_name: str) -> tuple[str, str] | None:
        """(verb, rest) of a wished value, so a count fits between them; None without wording."""
        return self.of(field_name).get("target")

    def has_group_phrase(self, field_name: str | None) -> bool:
        return "group" in self.of(field_name)

    def group(self, field_name: str | None, label: str) -> str:
        """A group of a field's answers: ``dem på 10-19 timer``; fallback ``gruppen »10-19 timer«``."""
        t = self.field_text(field_name, "group", None, label=label)
        return t if t is not None else f"gruppen {quoted(label)}"

    def among(self, field_name: str | None, label: str) -> str:
        """``blandt dem på 10-19 timer`` / ``i gruppen »X«``"""
        return f"{'blandt' if self.has_group_phrase(field_name) else 'i'} {self.group(field_name, label)}"

    def noun(self, field_name: str) -> str:
        """The field as a noun (``køn``); fallback: its name."""
        return self.of(field_name).get("noun", field_name)

    def group_noun(self, field_name: str, plural: bool = False) -> str:
        """A group of the field's answers as a noun (``aldersgruppe``); fallback ``gruppe``."""
        pair = self.of(field_name).get("group_noun", ("gruppe", "grupper"))
        return pair[1] if plural else pair[0]

    def plural(self, field_name: str, label: str) -> str:
        """The people who gave an answer, as a plural noun (``kvinder``); fallback ``»Kvinde«``."""
        return self.of(field_name).get("plurals", {}).get(label, quoted(label))

    def categories(self, field_name: str) -> Mapping[str, str]:
        """Coded category -> whom it covers."""
        return self.of(field_name).get("categories", {})


# --- reading the tables ---------------------------------------------------------------------------


def shown_rows(t: Table, exclude: Iterable[str] = ()) -> list[Row]:
    """Rows with a count a reader can see: not hidden, not a merged "Øvrige grupper" row."""
    skip = set(exclude)
    return [r for r in t.rows if isinstance(r, Row) and not r.suppressed and not r.members
            and r.count is not None and r.label not in skip]


def ranked(rows: Sequence[Any], key: Any) -> list[list[Any]]:
    """Rows grouped by equal key, largest first (ties stay in their table order)."""
    tiers: dict[Any, list[Any]] = {}
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
    ts: TableSet
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
        self.survey = self.ts.survey
        self.definition = self.survey.definition
        self.min_group = max(1, int(self.ts.min_group))
        self.compare_min = max(COMPARE_MIN, self.min_group)
        self.tables = {t.number: t for t in self.ts.tables}
        self.pending = {s.number: s for s in self.ts.pending}
        self.specs = {s.number: s for s in self.definition.tables}
        self.figures = {f.number: f for f in all_figures(self.ts)}
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
        return name in self.survey.responses.columns

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
            left_out = exclusion_note([(e.count, e.reason) for e in t.excluded])
            if left_out:
                notes.append(left_out)
            self.add(TableBlock(t.number, t.caption, g, t.kind, tuple(notes)))
            self.used_tables.add(number)
        elif number in self.pending:
            spec = self.pending[number]
            cmd = CODING_COMMAND.format(export=self.survey.export.path) + survey_option_text(self.definition)
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


# --- the sections the definition implies ---------------------------------------------------------


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


def _routed_groups(c: _Ctx, field_name: str) -> list[Any]:
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


# --- sentences ----------------------------------------------------------------------------------


def exclusion_sentence(count: int, reason: str) -> str:
    """``2 respondenter svarede ikke på »…« og indgår ikke i tabeller over …``"""
    if reason.startswith("svarede ikke"):
        return f"{count_noun(count, 'respondent', 'respondenter')} {reason.replace('«: ', '« og ', 1)}."
    return f"{count_noun(count, 'besvarelse', 'besvarelser')}: {reason}."


def _top_phrase(w: Wording, tier: list[Row], field_name: str) -> str:
    """``Størstedelen (60%) ønsker at gå op til 37 timer`` / ``Flest (47%) ...`` / ties."""
    share = tier[0].pct
    if len(tier) == 1:
        lead = "Størstedelen" if share is not None and share > 50 else "Flest"
        return f"{lead} ({fmt.pct(share)}) {w.answer(field_name, tier[0].label)}"
    labels = join_da([r.label for r in tier])
    if w.target(field_name) is not None:
        return f"Lige mange ({fmt.pct(share)} hver) {w.answer(field_name, labels)}"
    return f"Lige mange ({fmt.pct(share)} hver) svarer {join_da([quoted(r.label) for r in tier], 'og')}"


def coded_summary(t: Table) -> str:
    """Which categories are named most and least often, with counts and shares."""
    rows = shown_rows(t)
    if t.base == 0:
        return "Ingen svar er kodet i kategorierne."
    named = [r for r in rows if (r.count or 0) > 0]
    if not named:
        return "Ingen af de viste kategorier er brugt."
    tiers = ranked(named, key=lambda r: r.count)
    first = tiers[0]
    if len(first) == 1:
        r = first[0]
        s = (f"Flest svar hører til kategorien {quoted(r.label)} "
             f"({fmt.number(r.count or 0)} af {fmt.number(t.base)}, {fmt.pct(r.pct)})")
    else:
        s = (f"Flest svar hører til kategorierne {join_da([quoted(r.label) for r in first])} "
             f"({fmt.number(first[0].count or 0)} hver af {fmt.number(t.base)}, {fmt.pct(first[0].pct)})")
    if len(tiers) > 1:
        second = tiers[1]
        s += (f", dernæst {join_da([quoted(r.label) for r in second])} "
              f"{paren(second[0].count or 0, second[0].pct, len(second) > 1)}")
    s += "."
    if len(tiers) > 2:
        last = tiers[-1]
        # Hidden categories are smaller than every shown one: "fewest" is only said of those shown.
        hidden = any(getattr(r, "suppressed", False) or getattr(r, "members", ()) for r in t.rows)
        s += (f" {'Af de kategorier, der vises for sig, hører færrest' if hidden else 'Færrest hører'} til "
              f"{join_da([quoted(r.label) for r in last])} {paren(last[0].count or 0, last[0].pct, len(last) > 1)}.")
    empty = [r for r in rows if r.count == 0]
    if empty:
        s += f" Ingen svar hører til {join_da([quoted(r.label) for r in empty], 'eller')}."
    return s


def category_list(w: Wording, field_name: str, spec_categories: Sequence[str]) -> BulletList | None:
    """The coded categories with whom each covers, when the wording describes them."""
    desc = w.categories(field_name)
    cats = list(spec_categories)
    if not desc or not cats:
        return None
    items = [item(Run(c, bold=True), f": {desc[c]}." if c in desc else "") for c in cats]
    return BulletList(tuple(items))


def yes_no_sentence(w: Wording, t: Table, group_noun: str) -> str:
    """``65 (30%) af de 214 deltidsansatte, der har svaret på spørgsmålet, ønsker at gå op i tid, mens ...``"""
    if t.base == 0:
        return f"Ingen {group_noun} har svaret på spørgsmålet »{t.question}«."
    rows = shown_rows(t)
    hidden = any(getattr(r, "suppressed", False) or getattr(r, "members", ()) for r in t.rows)
    if not rows:
        return (f"{count_noun(t.base, group_noun.split(',')[0], group_noun.split(',')[0])} har svaret på "
                "spørgsmålet; fordelingen vises ikke af hensyn til anonymiteten.")
    first, rest = rows[0], rows[1:]
    of = f"af de {fmt.number(t.base)} {group_noun}, der har svaret på spørgsmålet," if t.base != 1 else \
        f"af de {group_noun}, der har svaret på spørgsmålet,"
    s = f"{n_pct(first.count or 0, first.pct)} {of} {w.answer(t.field, first.label)}"
    if rest:
        s += ", mens " + join_da([f"{n_pct(r.count or 0, r.pct)} {w.answer(t.field, r.label, True)}"
                                  for r in rest])
    s += "."
    if hidden:
        s += " Øvrige svar vises ikke af hensyn til anonymiteten."
    return s


# --- sections -----------------------------------------------------------------------------------


def _title_meta(c: _Ctx) -> tuple[str, ...]:
    s = c.survey
    first, last = s.export.period
    period = da_period(first, last)
    meta = [f"Spørgeskemaundersøgelse blandt {s.definition.population_description}"]
    if period:
        meta.append(f"Data indsamlet {period}")
    return tuple(meta)


def _key_points(c: _Ctx) -> list[ListItem]:
    points: list[ListItem] = []
    w = c.w
    for wish in c.wishes:
        t, yes_label = wish.table, _headline(c, wish)
        noun = c.group_label(t.among)
        yes = next((r for r in t.rows if isinstance(r, Row) and r.label == yes_label), None)
        if t.base == 0:
            points.append(item(f"Ingen {noun} har svaret på, om de {w.answer(t.field, yes_label, True)}."))
            continue
        if yes is None or yes.suppressed or yes.members:
            points.append(item(f"Andelen af de {noun}, der {w.answer(t.field, yes_label, True)}, vises ikke "
                               "af hensyn til anonymiteten."))
            continue
        subs: list[ListItem] = []
        tt = wish.target
        if yes_label != wish.yes:
            pass  # the follow-ups belong to another answer than the one the point is about
        elif tt is not None and tt.base > 0:
            tiers = ranked([r for r in shown_rows(tt) if (r.count or 0) > 0], key=lambda r: r.count)
            if tiers:
                subs.append(item(_top_phrase(w, tiers[0], tt.field) + "."))
        ct = c.table_for(wish.yes_reason, "coded") if wish.yes_reason and yes_label == wish.yes else None
        if ct is not None and ct.base > 0:
            named = [r for r in shown_rows(ct) if (r.count or 0) > 0]
            tiers = ranked(named, key=lambda r: r.count)
            if tiers:
                top = tiers[0]
                subs.append(item(
                    f"Den hyppigste begrundelse er {join_da([quoted(r.label) for r in top])} ({fmt.pct(top[0].pct)}"
                    + (" hver)" if len(top) > 1 else ")")
                    + (f", dernæst {join_da([quoted(r.label) for r in tiers[1]])} ({fmt.pct(tiers[1][0].pct)}"
                       + (" hver)" if len(tiers[1]) > 1 else ")") if len(tiers) > 1 else "") + "."))
        elif yes_label == wish.yes and wish.yes_reason and any(s.field == wish.yes_reason for s in c.ts.pending):
            subs.append(item("Begrundelserne afventer kodning af de åbne svar."))
        who = "alle" if t.among == ALL else f"de {noun}"
        points.append(item(f"{fmt.pct(yes.pct)} af {who}, der har svaret, {w.answer(t.field, yes_label)}.",
                           children=subs))
    for op in c.opinions:
        if not c.has_field(op.field) or op.value not in c.survey.options(op.field):
            continue
        among = op.distribution.among if op.distribution is not None else ALL
        f = distribution_data(c.survey, FigureSpec(0, "distribution", op.field, "", among=among), c.min_group)
        if f.n == 0 or op.value not in f.groups():
            continue
        subs = []
        by = _largest_share_group(c, op.field, op.value, op.cross.by, among) if op.cross and op.cross.by else None
        if by is not None and by[3].significant:
            assert op.cross is not None and op.cross.by is not None
            subs.append(item(f"Andelen er størst {w.among(op.cross.by, by[0])} ({fmt.pct(by[1])})"
                             + (f" af de {w.group_noun(op.cross.by, plural=True)}, der kan sammenlignes"
                                if by[2] else "") + f"; {by[3].sentence[:1].lower()}{by[3].sentence[1:]}"))
        elif by is not None:
            assert op.cross is not None and op.cross.by is not None
            subs.append(item(f"Andelen adskiller sig ikke statistisk sikkert mellem "
                             f"{w.group_noun(op.cross.by, plural=True)}"
                             + (f" ({format_p(by[3].p_value)})." if by[3].method != "ingen test" else ".")))
        tc = c.table_for(op.coded, "coded")
        if tc is not None and tc.base > 0:
            tiers = ranked([r for r in shown_rows(tc) if (r.count or 0) > 0], key=lambda r: r.count)
            if tiers:
                subs.append(item(f"Den hyppigste forklaring er {join_da([quoted(r.label) for r in tiers[0]])} "
                                 f"({fmt.pct(tiers[0][0].pct)})."))
        who = "alle" if among == ALL else f"de {c.group_label(among)}"
        points.append(item(f"{fmt.pct(f.pct(op.value))} af {who}, der har svaret, "
                           f"{w.answer(op.field, op.value)}.", children=subs))
    return points


def _headline(c: _Ctx, wish: _Wish) -> str:
    """The answer a key point leads with: the wording's ``headline``; else the answer a follow-up question is
    asked after (VJH: "Ja", then how many hours); else the most common answer, not merely the answer that
    happens to define a group (a group of those answering "Nej", asked why, does not make "Nej" the finding)."""
    chosen = c.w.of(wish.field).get("headline")
    if chosen:
        return str(chosen)
    if wish.target is not None:
        return wish.yes
    tiers = ranked([r for r in shown_rows(wish.table) if (r.count or 0) > 0], key=lambda r: r.count)
    return tiers[0][0].label if tiers and len(tiers[0]) == 1 else wish.yes


def _largest_share_group(c: _Ctx, field_name: str, value: str, by: str,
                         among: str = ALL) -> tuple[str, float, bool, Any] | None:
    """The group of ``by`` (big enough to compare) with the largest share answering ``value``, whether
    some groups were left out of the comparison (too small or hidden), and the test of the groups as shown
    (say "largest" only when it is significant); None on a tie."""
    if not c.has_field(by):
        return None
    f, hidden, fig = _share_by(c, field_name, value, by, among)
    groups = [(g, p) for g, t, p in f if t >= c.compare_min and p is not None]
    left_out = hidden or any(0 < t < c.compare_min for _, t, _ in f)
    if len(groups) < 2:
        return None
    best = max(p for _, p in groups)
    top = [g for g, p in groups if p == best]
    test = share_test(c.survey, fig, value, c.ts.weighting)
    return (top[0], best, left_out, test) if len(top) == 1 else None


def _share_by(c: _Ctx, field_name: str, value: str, by: str,
              among: str = ALL) -> tuple[list[tuple[str, int, float | None]], bool, FigureData]:
    """(group, group size, share answering value) for the shown groups of ``by``, whether any is hidden, and
    the figure data they come from."""
    from fuldtid.stats.figuredata import share_data

    spec = FigureSpec(0, "share", field_name, "", among=among, by=by, value=value)
    f = share_data(c.survey, spec, c.min_group)
    merged = f.merged_label
    rows = [(g, int(t), None if p is None or pd.isna(p) else float(p))
            for g, t, p in f.group_rows()[["group", "total", "pct"]].itertuples(index=False) if g != merged]
    return rows, bool(f.hidden), f


def _compare_groups_sentence(c: _Ctx, rows: list[tuple[str, int, int, float | None]], phrase_sub: str | None,
                             by_field: str | None, hidden: bool = False, test: Any = None) -> str:
    """Largest and smallest share among groups big enough to compare: rows are (label, count, total, pct).

    ``phrase_sub`` None: the share was named in the sentence before ("Andelen er størst ...").
    ``test`` (a :class:`~fuldtid.stats.significance.DifferenceTest` of the groups as published): a largest and a
    smallest group are only named when it finds a difference; otherwise the sentence says plainly that the
    groups do not differ demonstrably, and gives the range of their shares."""
    subject = f"Andelen, der {phrase_sub}," if phrase_sub else "Andelen"
    big = [r for r in rows if r[2] >= c.compare_min and r[3] is not None]
    small = [r for r in rows if 0 < r[2] < c.compare_min]
    caveat = (f" Grupper med færre end {c.compare_min} svar sammenlignes ikke, fordi én besvarelse flytter "
              "deres andel meget." if small else "")
    if hidden:
        caveat += " Grupper, der er skjult af hensyn til anonymiteten, indgår ikke i sammenligningen."
    if not big:
        return f"Ingen af grupperne har {c.compare_min} svar eller flere, så de sammenlignes ikke." if rows else ""
    if len(big) == 1:
        lbl, n, t, p = big[0]
        what = f"andelen, der {phrase_sub}," if phrase_sub else "andelen"
        where = c.w.among(by_field, lbl)
        rest = ("Der er ingen anden gruppe at sammenligne med: de øvrige er for små eller skjult af hensyn til "
                "anonymiteten." if hidden else
                f"Der er ingen anden gruppe med mindst {c.compare_min} svar at sammenligne med.")
        small_note = (f" Grupper med færre end {c.compare_min} svar sammenlignes ikke, fordi én besvarelse flytter "
                      "deres andel meget." if small and not hidden else "")
        return (f"{where[:1].upper()}{where[1:]} er {what} {fmt.pct(p)} ({fmt.number(n)} af {fmt.number(t)}). "
                f"{rest}{small_note}")
    tiers = ranked(big, key=lambda r: round(r[3], 9))
    hi, lo = tiers[0], tiers[-1]

    def names(tier: list[tuple[str, int, int, float | None]]) -> str:
        if len(tier) == 1:
            lbl, n, t, p = tier[0]
            return f"{c.w.among(by_field, lbl)} ({fmt.pct(p)}, {fmt.number(n)} af {fmt.number(t)})"
        prep = "blandt" if c.w.has_group_phrase(by_field) else "i"
        return (f"{prep} {join_da([c.w.group(by_field, r[0]) for r in tier])} "
                f"({fmt.pct(tier[0][3])} hver)")

    if len(tiers) == 1:
        return f"{subject} er den samme i alle grupperne ({fmt.pct(hi[0][3])}).{caveat}"
    if (test is None or not test.significant) and fmt.pct(lo[0][3]) == fmt.pct(hi[0][3]):
        return (f"{subject} er {fmt.pct(hi[0][3])} i alle grupperne med mindst {c.compare_min} svar, og "
                f"{_no_difference(test)}{caveat}")
    if test is None or not test.significant:
        return (f"{subject} ligger mellem {fmt.pct(lo[0][3])} og {fmt.pct(hi[0][3])} i grupperne med mindst "
                f"{c.compare_min} svar, men {_no_difference(test)}{caveat}")
    spread = (hi[0][3] or 0) - (lo[0][3] or 0)
    return (f"{subject} er størst {names(hi)} og mindst {names(lo)}; forskellen er "
            f"{count_noun(int(fmt.round_half_up(spread)), 'procentpoint', 'procentpoint')}. "
            f"{test.sentence}{caveat}")


def _no_difference(test: Any) -> str:
    """The end of a sentence saying that the groups do not demonstrably differ (or cannot be tested)."""
    if test is None or test.method == "ingen test":
        return "forskellen mellem grupperne kan ikke testes, så tallene viser ikke, at nogen gruppe skiller sig ud."
    from fuldtid.stats.significance import format_p

    return (f"forskellen mellem grupperne er ikke statistisk sikker ({format_p(test.p_value)}), så tallene viser "
            "ikke, at nogen gruppe skiller sig ud.")


def _intro(c: _Ctx) -> None:
    c.add(Heading(1, "Indledning", c.section()))
    if c.intro and c.intro.strip():
        c.add(*markdown_blocks(c.intro))
    else:
        d = c.definition
        where = f" i {d.organisation}" if d.organisation else ""
        c.add(para(c.w.text("intro", f"Notatet viser resultaterne af spørgeskemaundersøgelsen »{d.title}« blandt "
                                     f"{d.population_description}{where}.",
                            population=d.population_description, organisation=d.organisation, title=d.title)))
    points = _key_points(c)
    if points:
        c.add(para(Run("Hovedpointer", bold=True), style="lead"), BulletList(tuple(points)))


def _data_basis(c: _Ctx) -> None:
    s = c.survey
    d = c.definition
    c.add(Heading(1, "Datagrundlag", c.section()))
    where = f" i {d.organisation}" if d.organisation else ""
    sent = (f"Spørgeskemaet blev sendt til {count_noun(s.distributed, 'person', 'personer')}"
            if d.population_description == "medarbejdere" else
            f"Spørgeskemaet blev sendt til de {fmt.number(s.distributed)} {d.population_description}{where}")
    if d.population_description == "medarbejdere":
        sent += where
    if s.answered == 0:
        answered = "Ingen har besvaret det."
    else:
        rate = fmt.pct(100.0 * s.response_rate)
        answered = (f"{fmt.number(s.answered)} har besvaret skemaet, hvilket giver en svarprocent på {rate}."
                    if s.answered != 1 else f"Én har besvaret skemaet (svarprocent {rate}).")
    first, last = s.export.period
    period = da_period(first, last)
    text = f"{sent}. {answered}"
    if period:
        text += f" Besvarelserne er indsamlet {period}."
    c.add(para(text))
    if s.answered and 100.0 * s.response_rate < 50:
        c.add(para("Da under halvdelen har svaret, kan de, der har svaret, adskille sig fra dem, der ikke har; "
                   "resultaterne skal læses med det forbehold."))
    exclusions = list(c.ts.excluded)
    if exclusions:
        c.add(para("Nogle besvarelser mangler oplysninger og indgår derfor ikke i alle tabeller:"),
              BulletList(tuple(item(exclusion_sentence(e.count, e.reason)) for e in exclusions)))
    if c.min_group > 1:
        c.add(para(f"Af hensyn til anonymiteten vises antal og andele ikke for grupper med færre end "
                   f"{c.min_group} besvarelser; de er markeret med * i tabellerne, og om nødvendigt er flere "
                   "grupper skjult, så de små gruppers tal ikke kan regnes ud."))
    if any(t.kind == "cross" for t in c.ts.tables) or any(f.kind != "distribution" for f in c.figures.values()):
        c.add(para("Når notatet sammenligner grupper, er forskellen testet på grupperne, som tabellen eller figuren "
                   "viser dem; en forskel kaldes statistisk sikker, når testen giver p < 0,05. Tabeller fordelt på grupper "
                   "oplyser deres test i en note."))
    w = c.ts.weighting
    if w is not None:
        _representation(c, w)


def _nouns_in_reason(c: _Ctx, reason: str) -> str:
    """``mangler koen og timetal`` (the weighting's reason, in field names) as ``mangler køn og timetal``."""
    if not reason.startswith("mangler "):
        return reason
    names = [x for part in reason[len("mangler "):].split(" og ") for x in part.split(", ")]
    return "mangler " + join_da([c.w.noun(x) for x in names])


def _margin_sentence(c: _Ctx, variable: str, diags: list[Any]) -> str:
    """Which categories of one weighting variable are over- or under-represented among the answers."""
    noun = c.w.noun(variable)
    over, under, even = [], [], []
    for m in diags:
        if m.sample_count and m.sample_count < c.min_group:
            continue  # a category this small is not named
        diff = 100.0 * (m.sample_share - m.population_share)
        entry = (m.category, fmt.pct(100 * m.sample_share), fmt.pct(100 * m.population_share))
        if diff >= REPRESENTATION_TOLERANCE:
            over.append(entry)
        elif diff <= -REPRESENTATION_TOLERANCE:
            under.append(entry)
        else:
            even.append(entry)
    said = [False]

    def desc(entries: list[tuple[str, str, str]]) -> str:
        out = []
        for cat, sample, pop in entries:
            # The first mention says what the two shares are; later ones are short.
            out.append(f"{quoted(cat)} ({sample} mod {pop})" if said[0] else
                       f"{quoted(cat)} ({sample} af besvarelserne mod {pop} af medarbejderne)")
            said[0] = True
        return join_da(out)

    if not over and not under:
        return f"Fordelingen på {noun} svarer nogenlunde til {c.population(True)}: {desc(even)}." if even else ""
    parts = []
    if over:
        parts.append(f"{desc(over)} er overrepræsenteret")
    if under:
        parts.append(f"{desc(under)} er underrepræsenteret")
    return f"Fordelingen på {noun} afviger: " + "; ".join(parts) + "."


def _representation(c: _Ctx, w: Any) -> None:
    by_var: dict[str, list[Any]] = {}
    for m in getattr(w, "margins", ()):
        by_var.setdefault(m.variable, []).append(m)
    sentences = [s for v, ms in by_var.items() if (s := _margin_sentence(c, v, ms))]
    pop = getattr(w, "population", None)
    size = getattr(pop, "size", None)
    intro = f"Besvarelserne er sammenlignet med {c.population(True)} sammensætning"
    if size:
        intro += f" ({count_noun(int(size), 'medarbejder', 'medarbejdere')} ifølge populationsfilen)"
    c.add(para(intro + ". " + " ".join(sentences)))
    nouns = join_da([c.w.noun(v) for v in by_var])
    text = (f"For at rette op på skævheder er svarene vægtet, så de svarer til {c.population(True)} fordeling på "
            f"{nouns}. Vægtede andele er et skøn over, hvordan hele {c.population()} ville have svaret, og står "
            "sammen med et 95%-konfidensinterval, der viser usikkerheden (et eksakt interval beregnet ud fra det "
            "effektive antal besvarelser, så det også holder for små grupper og andele nær 0% eller 100%).")
    eff = getattr(w, "effective_n", None)
    if eff:
        text += (f" Vægtningen gør skønnene mindre præcise: de {fmt.number(w.n_weighted)} vægtede besvarelser "
                 f"giver samme præcision som ca. {fmt.number(eff)} uvægtede (designeffekt "
                 f"{fmt.number(w.design_effect, 2)}).")
    c.add(para(text))
    if getattr(w, "n_left_out", 0):
        reasons = {_nouns_in_reason(c, r): n for r, n in (getattr(w, "left_out_reasons", {}) or {}).items()}
        if len(reasons) == 1 and next(iter(reasons.values())) == w.n_left_out:
            c.add(para(f"{count_noun(w.n_left_out, 'besvarelse', 'besvarelser')} {next(iter(reasons))} og kan "
                       "derfor ikke vægtes; de indgår ikke i de vægtede tal."))
        else:
            why = join_da([f"{count_noun(n, 'besvarelse', 'besvarelser')} {r}" for r, n in reasons.items()])
            c.add(para(f"{count_noun(w.n_left_out, 'besvarelse', 'besvarelser')} kan ikke vægtes og indgår ikke "
                       "i de vægtede tal" + (f" ({why})." if why else ".")))


def _target_sentence(c: _Ctx, t: Table, base_table: Table | None, noun: str) -> list[Paragraph]:
    """The most wished value (VJH: the hours wished for), and what it is of the whole question's group."""
    comma = "," if "," in noun else ""
    if t.base == 0:
        question = c.definition.fields[t.field].text if t.field in c.definition.fields else t.question
        return [para(c.w.field_text(t.field, "empty", f"Ingen {noun}{comma} har svaret på spørgsmålet »{question}«.",
                                    group=f"{noun}{comma}") or "")]
    tiers = ranked([r for r in shown_rows(t) if (r.count or 0) > 0], key=lambda r: r.count)
    if not tiers:
        return []
    top = tiers[0]
    target = c.w.target(t.field)
    verb, rest = target or ("svarer", "{label}")
    label = (lambda x: x) if target else quoted  # the wording's own phrase, or the answer as given

    def phrase(lbl: str) -> str:
        return c.w.fill(rest, f"field {t.field!r}: target", label=lbl)

    if len(top) == 1:
        r = top[0]
        lead = "størstedelen" if (r.pct or 0) > 50 else "flest"
        s = (f"Af de {fmt.number(t.base)} {noun}{comma} {verb} {lead}, "
             f"{n_pct(r.count or 0, r.pct)}, {phrase(label(r.label))}.")
        if base_table is not None and base_table.base:
            share = 100.0 * (r.count or 0) / base_table.base
            s += (f" Det svarer til {fmt.pct(share)} af alle {fmt.number(base_table.base)} "
                  f"{c.group_label(base_table.among)}, der har svaret.")
    else:
        labels = join_da([label(r.label) for r in top], "eller")
        s = (f"Af de {fmt.number(t.base)} {noun}{comma} er der lige mange "
             f"({fmt.pct(top[0].pct)} hver), der {verb} {phrase(labels)}.")
    return [para(s)]


def _implausible_targets(c: _Ctx, target: str, current: str, among: str, up: bool) -> int:
    """Respondents whose wished value is not above (up) / below (down) their current one (the same answer
    scale): they most likely answered "by how many" rather than "to how many"."""
    if not (c.has_field(target) and c.has_field(current)):
        return 0
    r = c.survey.responses.loc[c.survey.group_mask(among).to_numpy(), [current, target]].dropna()
    if r.empty:
        return 0
    order = {lbl: i for i, lbl in enumerate(c.survey.options(current))}
    now = r[current].astype("object").map(order)
    want = r[target].astype("object").map(order)
    ok = now.notna() & want.notna()
    bad = (want <= now) if up else (want >= now)
    return int((bad & ok).sum())


def _wish_section(c: _Ctx, wish: _Wish) -> None:
    """A question that routes on (VJH 3.1 and 3.2): its table, the wished values, a figure by another field,
    and the coded reasons for each answer."""
    w = c.w
    t1 = wish.table
    noun = c.group_label(t1.among)
    c.add(Heading(2, w.field_text(t1.field, "heading", t1.title) or t1.title, c.subsection()))
    lead = ""
    group = c.definition.groups.get(t1.among)
    if "group_size" in w.of(t1.field) and group is not None and group.field and c.has_field(group.field):
        stated = int(c.survey.responses[group.field].notna().sum())
        size = int(c.survey.group_mask(t1.among).sum())
        if stated and c.citeable(size):
            lead = (w.field_text(t1.field, "group_size", "", size=fmt.number(size), stated=fmt.number(stated),
                                 group=noun, pct=fmt.pct(100.0 * size / stated)) or "") + " "
    c.add(para(lead + yes_no_sentence(w, t1, noun)))
    c.add_table(t1.number, weighted=True)
    t2 = wish.target
    if t2 is not None:
        c.add(*_target_sentence(c, t2, t1, c.group_label(t2.among)))
        c.add_table(t2.number, weighted=True)
        c.add(*_target_notes(c, t2, group.field if group is not None else None))
    f1 = next((f for f in c.figures.values() if f.field == t1.field and f.kind == "share"), None)
    if f1 is not None:
        c.add(Heading(3, w.figure_text(f1.number, "heading", f1.title) or f1.title))
        rows = [(g, int(n), int(t), None if p is None or pd.isna(p) else float(p))
                for g, n, t, p in f1.data[["group", "count", "total", "pct"]].itertuples(index=False)
                if g != f1.merged_label]
        answer = w.answer(t1.field, str(f1.value), True)
        default = f"Figur {f1.number} viser for hver gruppe af {w.noun(f1.by or '')}, hvor stor en andel der {answer}."
        test = share_test(c.survey, f1, str(f1.value), c.ts.weighting)
        c.add(para(f"{w.figure_text(f1.number, 'text', default, number=f1.number, answer=answer)} "
                   + _compare_groups_sentence(c, rows, None, f1.by, bool(f1.hidden), test)))
        c.add_figure(f1.number)
    for reason in wish.reasons:
        _reasons(c, reason)


def _target_notes(c: _Ctx, t: Table, current: str | None) -> list[Paragraph]:
    """What the wording says about wished values that look misread (not above / below the current value,
    or the lowest answer), with the counts from the data."""
    w = c.w
    out = []
    for key, up in (("not_above_current", True), ("not_below_current", False)):
        if key in w.of(t.field) and current is not None:
            odd = _implausible_targets(c, t.field, current, t.among, up=up)
            if odd and c.citeable(odd):
                out.append(para(w.field_text(t.field, key, "", count=count_noun(odd, "besvarelse", "besvarelser"),
                                             n=fmt.number(odd)) or ""))
    if "lowest" in w.of(t.field) and c.has_field(t.field) and c.survey.options(t.field):
        low = next((r for r in shown_rows(t) if r.label == c.survey.options(t.field)[0]), None)
        if low is not None and (low.count or 0) > 0:
            out.append(para(w.field_text(t.field, "lowest", "", n_pct=n_pct(low.count or 0, low.pct),
                                         label=quoted(low.label)) or ""))
    return out


def _reasons(c: _Ctx, field_name: str) -> None:
    """An open question's coded table, with its categories described as the wording says."""
    spec = c.spec_for(field_name)
    if spec is None or field_name not in c.definition.fields:
        return
    f = c.definition.fields[field_name]
    c.add(Heading(3, c.w.field_text(field_name, "heading", spec.title) or spec.title))
    cats = f.categories
    t = c.tables.get(spec.number)
    group = c.definition.coding_group(field_name)
    label = c.group_label(group)
    # A label with a relative clause ("deltidsansatte, der ...") closes it with a comma.
    who = "Alle" if group == ALL else f"{label[:1].upper()}{label[1:]}{',' if ',' in label else ''}"
    default = f"{who} har kunnet svare på spørgsmålet »{f.text}«."
    text = (f"{c.w.field_text(field_name, 'lead', default)} Svarene er læst og inddelt i "
            f"{count_noun(len(cats), 'kategori', 'kategorier')}")
    lst = category_list(c.w, field_name, cats)
    c.add(para(text + (":" if lst is not None else f": {join_da([quoted(x) for x in cats])}.")))
    if lst is not None:
        c.add(lst)
    c.add_table(spec.number)
    if t is not None:
        c.add(para(coded_summary(t)))


def _opinion_section(c: _Ctx, op: _Opinion) -> None:
    """A question shown in figures, with the coded explanations of one answer (VJH 3.3)."""
    w = c.w
    f2, f3 = op.distribution, op.cross
    spec = c.spec_for(op.coded)
    title = (f2.title if f2 is not None else spec.title if spec is not None else op.field)
    c.add(Heading(2, w.field_text(op.field, "heading", title) or title, c.subsection()))
    question = c.definition.fields[op.field].text
    if f2 is not None:
        if f2.n == 0:
            c.add(para(w.figure_text(f2.number, "empty", f"Ingen har svaret på spørgsmålet »{question}«.",
                                     number=f2.number) or ""))
        else:
            parts = [f"{fmt.pct(f2.pct(g))} {quoted(g)}" for g in f2.groups() if f2.pct(g) is not None]
            default = (f"Figur {f2.number} viser svarene fra de {fmt.number(f2.n)}, der har svaret på spørgsmålet "
                       f"»{question}«. Svarene fordeler sig med {join_da(parts)}.")
            c.add(para(w.figure_text(f2.number, "text", default, number=f2.number, n=fmt.number(f2.n),
                                     shares=join_da(parts)) or ""))
        c.add_figure(f2.number)
    if f3 is not None:
        cats = list(dict.fromkeys(f3.data["category"]))
        value = op.value if op.value in cats or not cats else str(cats[0])
        rows = [(g, int(n), int(t), None if p is None or pd.isna(p) else float(p))
                for g, cat, n, t, p in f3.data[["group", "category", "count", "total", "pct"]].itertuples(index=False)
                if cat == value and g != f3.merged_label]
        default = f"Figur {f3.number} viser svarene fordelt på {w.noun(f3.by or '')}."
        c.add(para(f"{w.figure_text(f3.number, 'text', default, number=f3.number)} "
                   + _compare_groups_sentence(c, rows, w.answer(op.field, value, True), f3.by, bool(f3.hidden),
                                              share_test(c.survey, f3, value, c.ts.weighting))))
        c.add_figure(f3.number)
    if spec is not None:
        _reasons(c, op.coded)
        group = c.definition.groups.get(c.definition.coding_group(op.coded))
        if group is not None and group.values and f2 is not None:
            uncoded = w.of(op.coded).get("uncoded")
            others = [g for g in f2.groups() if g not in group.values and g != f2.merged_label
                      and (uncoded is None or g in uncoded)]
            if others:
                answers = join_da([quoted(v) for v in group.values], "eller")
                default = ("Kun svarene fra dem, der har svaret {answers}, er kodet; de {shares}, der har svaret "
                           "{others}, indgår ikke i tabellen.")
                template = w.of(op.coded).get("coded_only", default)
                c.add(para(w.fill(template, f"field {op.coded!r}: coded_only", answers=answers,
                                  shares=join_da([fmt.pct(f2.pct(g)) for g in others]),
                                  others=join_da([quoted(g) for g in others], "eller"))))


def _weighted_section(c: _Ctx) -> None:
    if c.ts.weighting is None:
        return
    items_: list[ListItem] = []
    changes: list[tuple[float, Table, Row]] = []
    tables = [(wish, t) for wish in c.wishes for t in (wish.table, wish.target) if t is not None]
    for wish, t in tables:
        field_name = t.field
        for r in shown_rows(t):
            if r.weighted is not None and r.pct is not None:
                changes.append((abs(r.weighted.pct - r.pct), t, r))
        if t is wish.table:
            r = next((r for r in shown_rows(t) if r.label == wish.yes), None)
            if r is None or r.weighted is None:
                continue
            w = r.weighted
            items_.append(item(
                f"Vægtet til hele {c.population()} er andelen af de {c.group_label(t.among)}, der "
                f"{c.w.answer(field_name, wish.yes, True)}, ca. {fmt.pct(w.pct)} (95%-konfidensinterval "
                f"{pct_interval(w)}), svarende til omkring {about(w.population_count)} medarbejdere. "
                f"Uvægtet er andelen {fmt.pct(r.pct)} (tabel {t.number})."))
        else:
            tiers = ranked([r for r in shown_rows(t) if r.weighted is not None and (r.count or 0) > 0],
                           key=lambda r: r.count)
            if tiers and len(tiers[0]) == 1:
                r = tiers[0][0]
                w = r.weighted
                assert w is not None
                items_.append(item(
                    f"Blandt de {c.group_label(t.among)}{',' if ',' in c.group_label(t.among) else ''} "
                    "er den vægtede andel, der "
                    f"{c.w.answer(field_name, r.label, True)}, {fmt.pct(w.pct)} (95%-konfidensinterval "
                    f"{pct_interval(w)}) mod {fmt.pct(r.pct)} uvægtet (tabel {t.number})."))
    if not items_:
        return
    c.add(Heading(2, "Vægtede resultater", c.subsection()))
    c.add(para("Vægtningen retter for, at nogle grupper har svaret oftere end andre. Sådan ændrer den de "
               "vigtigste resultater:"), BulletList(tuple(items_)))
    if changes:
        d, t, r = max(changes, key=lambda x: (x[0], -x[1].number))
        if fmt.round_half_up(d) < 1:
            c.add(para("Vægtningen ændrer ingen af andelene i tabellerne med et helt procentpoint eller mere."))
        else:
            c.add(para(f"Den største forskel mellem vægtet og uvægtet andel er "
                       f"{count_noun(int(fmt.round_half_up(d)), 'procentpoint', 'procentpoint')} "
                       f"(tabel {t.number}, {quoted(r.label)}). Konfidensintervallerne viser, at de vægtede "
                       "andele er skøn med en vis usikkerhed."))


def _conclusion(c: _Ctx) -> None:
    c.add(Heading(1, "Konklusion", c.section()))
    if c.conclusion and c.conclusion.strip():
        c.add(*markdown_blocks(c.conclusion))
        return
    parts = []
    for wish in c.wishes:
        t, label = wish.table, _headline(c, wish)
        r = next((r for r in shown_rows(t) if r.label == label), None)
        if r is not None and t.base:
            who = "alle" if t.among == ALL else f"de {c.group_label(t.among)}"
            parts.append(f"{fmt.pct(r.pct)} af {who}, der har svaret, {c.w.answer(t.field, label, True)}")
    text = "Undersøgelsen viser, at " + ", og at ".join(parts) + "." if parts else ""
    for op in c.opinions:
        if not c.has_field(op.field) or op.value not in c.survey.options(op.field):
            continue
        among = op.distribution.among if op.distribution is not None else ALL
        f = distribution_data(c.survey, FigureSpec(0, "distribution", op.field, "", among=among), c.min_group)
        if f.n and op.value in f.groups():
            text += f" {fmt.pct(f.pct(op.value))} {c.w.answer(op.field, op.value)}."
    s = c.survey
    if s.answered:
        text += (f" Resultaterne bygger på {count_noun(s.answered, 'besvarelse', 'besvarelser')} "
                 f"(svarprocent {fmt.pct(100.0 * s.response_rate)})")
        text += (", så de skal læses med forbehold for, at de, der har svaret, kan adskille sig fra dem, der ikke "
                 "har." if 100.0 * s.response_rate < 50 else ".")
    if text.strip():
        c.add(para(text.strip()))


def _appendix(c: _Ctx) -> None:
    start = len(c.blocks)
    _respondents(c)
    if len(c.blocks) > start:  # an appendix only when the definition has something to put in it
        heading = (c.definition.memo.get("appendix", {}) if c.definition.memo else {}).get("heading")
        c.blocks.insert(start, Heading(1, f"Bilag {c.appendix()}: {heading or 'Respondenterne'}"))


def _respondents(c: _Ctx) -> None:
    w = c.ts.weighting
    margins: dict[str, list[Any]] = {}
    for m in getattr(w, "margins", ()) if w is not None else ():
        margins.setdefault(m.variable, []).append(m)
    # Which field is age, sex, ... comes from the definition (memo: appendix:); fuldtid names none itself.
    age_field, sex_field, hours_field = c.role("age"), c.role("sex"), c.role("hours")
    age = next((f for f in c.figures.values() if f.field == age_field and f.kind == "distribution"), None)
    sex = next((f for f in c.figures.values() if f.field == sex_field and f.kind == "distribution"), None)
    if age is not None or sex is not None:
        c.add(Heading(3, join_da([w for w, f in (("Alder", age), ("køn" if age else "Køn", sex)) if f is not None])))
    if age is not None:
        c.add(para(f"{_figure_intro(c, age)} " + _distribution_sentence(c, age, c.w.group_noun(age.field))))
        c.add_figure(age.number)
    if sex is not None:
        text = f"{_figure_intro(c, sex)} "
        parts = [f"{fmt.pct(sex.pct(g))} {c.w.plural(sex.field, g)}"
                 for g in sex.groups() if g != sex.merged_label and sex.pct(g) is not None]
        text += (f"Af de {fmt.number(sex.n)}, der har svaret, er {join_da(parts)}." if parts and sex.n else
                 "Ingen har oplyst deres køn." if not sex.n else "")
        if sex_field in margins:
            text += " " + _margin_sentence(c, sex_field, margins[sex_field])
        c.add(para(text.strip()))
        c.add_figure(sex.number)
    _job_titles(c)
    t10 = c.table_for(c.role("agreement"), "oneway") if c.role("agreement") else None
    if t10 is not None:
        spec = c.specs.get(t10.number)
        missing = spec.missing_row if spec is not None else None
        c.add(Heading(3, "Overenskomst"))
        rows = [r for r in shown_rows(t10, exclude=[missing] if missing else []) if (r.count or 0) > 0]
        tiers = ranked(rows, key=lambda r: r.count)
        text = f"Tabel {t10.number} viser, hvilken overenskomst de svarende er ansat efter."
        if tiers:
            top = tiers[0]
            text += (f" Flest er ansat efter {join_da([quoted(r.label) for r in top])} "
                     f"{paren(top[0].count or 0, top[0].pct, len(top) > 1)}")
            if len(tiers) > 1:
                nxt = tiers[1]
                text += (f", dernæst {join_da([quoted(r.label) for r in nxt])} "
                         f"{paren(nxt[0].count or 0, nxt[0].pct, len(nxt) > 1)}")
            text += "."
        miss = next((r for r in shown_rows(t10) if missing and r.label == missing), None)
        if miss is not None and (miss.count or 0) > 0:
            text += f" {n_pct(miss.count or 0, miss.pct)} har ikke svaret på spørgsmålet."
        c.add(para(text))
        c.add_table(t10.number)
    hours = next((f for f in c.figures.values() if f.field == hours_field and f.kind == "distribution"), None)
    if hours is not None:
        c.add(Heading(3, "Timetal"))
        text = f"{_figure_intro(c, hours)} "
        full = c.definition.groups.get(c.role("full_time") or "")
        part = c.definition.groups.get(c.role("part_time") or "")
        if hours.n and full is not None and part is not None and c.has_field(hours_field):
            r = c.survey.responses[hours_field].dropna().astype("object")
            n_full, n_part = int(r.isin(full.values).sum()), int(r.isin(part.values).sum())
            if c.citeable(n_full) and c.citeable(n_part):
                text += (f"{fmt.pct(100.0 * n_full / hours.n)} er ansat på fuld tid og "
                         f"{fmt.pct(100.0 * n_part / hours.n)} på deltid. ")
        text += _distribution_sentence(c, hours, c.w.group_noun(hours.field))
        if hours_field in margins:
            text += " " + _margin_sentence(c, hours_field, margins[hours_field])
        c.add(para(text.strip()))
        c.add_figure(hours.number)


def _figure_intro(c: _Ctx, f: FigureData) -> str:
    """``Figur 4 viser de svarendes alder.``, or the wording's own sentence for the figure."""
    noun = c.w.of(f.field).get("noun") or f"{f.title[:1].lower()}{f.title[1:]}"
    default = f"Figur {f.number} viser de svarendes {noun}."
    return c.w.figure_text(f.number, "text", default, number=f.number) or default


def _distribution_sentence(c: _Ctx, f: FigureData, noun: str) -> str:
    if f.n == 0:
        return "Ingen har svaret på spørgsmålet."
    rows = [(g, int(n), p) for g, n, p in f.data[["group", "count", "pct"]].itertuples(index=False)
            if g != f.merged_label]
    named = [r for r in rows if r[1] > 0]
    if not named:
        return ""
    tiers = ranked(named, key=lambda r: r[1])
    hi = tiers[0]
    s = (f"Den største {noun} er {join_da([quoted(r[0]) for r in hi])} "
         f"({fmt.pct(hi[0][2])}{' hver' if len(hi) > 1 else ''})")
    if len(tiers) > 1:
        lo = tiers[-1]
        # Hidden groups are smaller than every shown one, so "the smallest" is only said of those shown.
        s += (f", den mindste{' af dem, der vises for sig,' if f.hidden else ''} "
              f"{join_da([quoted(r[0]) for r in lo])} ({fmt.pct(lo[0][2])}{' hver' if len(lo) > 1 else ''})")
    s += "."
    empty = [r[0] for r in rows if r[1] == 0]
    if empty:
        s += f" Ingen af de svarende hører til {join_da([quoted(e) for e in empty], 'eller')}."
    return s


def _job_titles(c: _Ctx) -> None:
    job, workplace = c.role("job"), c.role("workplace")
    if not job or not c.has_field(job):
        return
    values = c.survey.responses[job].dropna()
    options = c.survey.options(job)
    counts = values.astype("object").value_counts()
    used = [o for o in options if counts.get(o, 0) > 0]
    c.add(Heading(3, "Stilling og arbejdssted"))
    if values.empty:
        c.add(para("Ingen har oplyst deres stillingsbetegnelse."))
        return
    text = (f"De svarende fordeler sig på {fmt.number(len(used))} af de {fmt.number(len(options))} "
            "stillingsbetegnelser i skemaet.")
    big = sorted([o for o in used if counts[o] >= c.min_group], key=lambda o: (-counts[o], options.index(o)))
    if big:
        cut = counts[big[min(3, len(big) - 1)]]
        top = [o for o in big if counts[o] >= cut]
        text += (" Flest svar kommer fra " + ("stillingsbetegnelserne " if len(top) > 1 else "stillingsbetegnelsen ")
                 + join_da([f"{o} ({fmt.number(counts[o])})" for o in top]) + ".")
    c.add(para(text))
    none = [o for o in options if counts.get(o, 0) == 0]
    if none:
        c.add(para(f"Der er ingen svar fra {count_noun(len(none), 'stillingsbetegnelse', 'stillingsbetegnelser')}:"),
              BulletList(tuple(item(o) for o in none)))
    if workplace and c.has_field(workplace):
        t = c.survey.responses[workplace].dropna().astype("object")
        opts = c.survey.options(workplace)
        n_used = len(set(t) & set(opts))
        if opts:
            c.add(para(f"Der er svar fra medarbejdere i {fmt.number(n_used)} af de {fmt.number(len(opts))} tilbud"
                       + (f"; {fmt.number(int(c.survey.responses[workplace].isna().sum()))} af de svarende har "
                          "ikke oplyst deres tilbud." if c.survey.responses[workplace].isna().any() else ".")))


def _follow_up(c: _Ctx) -> None:
    cross = [t for t in c.ts.tables if t.kind == "cross" and t.number not in c.used_tables]
    if not cross:
        return
    c.add(Heading(1, f"Bilag {c.appendix()}: Opfølgende analyse"))
    nums = [t.number for t in cross]
    wished = {w.field for w in c.wishes}
    what = "svarene"
    if all(t.field in wished for t in cross):
        what = c.w.text("follow_up_subject", "svarene") or what
    if len(nums) > 1:
        c.add(para(f"Tabellerne {_number_range(nums)} viser {what} fordelt på "
                   f"{join_da(list(dict.fromkeys(c.w.noun(t.by or '') for t in cross)))}. "
                   "Andelene er af hver gruppe (rækkeprocenter)."))
    for t in cross:
        spec = c.specs.get(t.number)
        missing = spec.missing_row if spec is not None else None
        value = t.columns[0] if t.columns else None
        if value is None:
            continue
        rows = []
        hidden = False
        for r in t.rows:
            if isinstance(r, CrossRow) and (r.suppressed or r.members):
                hidden = True
            if not isinstance(r, CrossRow) or r.suppressed or r.members or r.label == missing or r.counts is None:
                continue
            rows.append((r.label, int(r.counts.get(value, 0)), int(r.total or 0),
                         (r.pcts or {}).get(value) if r.total else None))
        s = _compare_groups_sentence(c, rows, c.w.answer(t.field, value, True), None, hidden, t.test)
        c.add(para(f"Tabel {t.number} viser {t.title[:1].lower()}{t.title[1:]}. {s}".strip()))
        c.add_table(t.number)


def _number_range(nums: Sequence[int]) -> str:
    nums = sorted(nums)
    if len(nums) > 2 and nums == list(range(nums[0], nums[-1] + 1)):
        return f"{nums[0]}–{nums[-1]}"
    return join_da([str(n) for n in nums])


def _leftovers(c: _Ctx) -> None:
    """Tables and figures of a definition that the memo's layout has no place for still appear."""
    tables = [t for t in c.ts.tables if t.number not in c.used_tables]
    pend = [s for s in c.ts.pending if s.number not in c.used_tables]
    figs = [f for f in c.figures.values() if f.number not in c.used_figures]
    if not (tables or pend or figs):
        return
    c.add(Heading(1, "Øvrige tabeller og figurer"))
    for n in sorted([t.number for t in tables] + [s.number for s in pend]):
        c.add_table(n)
        t = c.tables.get(n)
        if t is not None and t.kind == "coded":
            c.add(para(coded_summary(t)))
        elif t is not None and (s := _table_sentence(t)):
            c.add(para(s))
    for f in figs:
        c.add_figure(f.number)


def _table_sentence(t: Table, numbered: bool = False) -> str:
    """What a one-way or multiple-choice table shows first: its most common answer(s); ``numbered``: said as
    "I tabel 3 har flest svaret ..." before the table."""
    if t.kind not in ("oneway", "multiple") or not t.base:
        return ""
    tiers = ranked([r for r in shown_rows(t) if (r.count or 0) > 0], key=lambda r: r.count)
    if not tiers:
        return ""
    top = tiers[0]
    verb = "svaret" if t.kind == "oneway" else "sat kryds ved"
    start = f"I tabel {t.number} har flest" if numbered else "Flest har"
    return (f"{start} {verb} {join_da([quoted(r.label) for r in top], 'og')} "
            f"{paren(top[0].count or 0, top[0].pct, len(top) > 1)}.")


def _sections(c: _Ctx) -> None:
    """The definition's own sections (``memo: sections:``): a heading, a text, its tables and figures.

    A definition without them, and without questions the memo builds sections from (routing, coded
    follow-ups), gets one neutral section with its tables in order (cross tables stay in the follow-up
    appendix), so the memo opens with the results and not with whichever group a definition happens to name.
    """
    sections = c.definition.memo.get("sections") if c.definition.memo else None
    if sections is None:
        if c.wishes or c.opinions:
            return
        numbers = tuple(s.number for s in c.definition.tables if s.kind != "cross")
        if not numbers:
            return
        sections = ({"heading": c.w.text("analysis_heading", "Resultater") or "Resultater", "text": "",
                     "tables": numbers, "figures": ()},)
    for sec in sections:
        c.add(Heading(1, sec["heading"], c.section()))
        if sec["text"]:
            c.add(*markdown_blocks(sec["text"]))
        for n in sec["tables"]:
            if n in c.used_tables:
                continue
            t = c.tables.get(n)
            if t is not None and t.kind == "coded":
                c.add_table(n)
                c.add(para(coded_summary(t)))
                continue
            if t is not None and (s := _table_sentence(t, numbered=True)):
                c.add(para(s))
            c.add_table(n)
        for n in sec["figures"]:
            f = c.figures.get(n)
            if f is None or n in c.used_figures:
                continue
            text = _figure_intro(c, f)
            if f.kind == "distribution":
                text += " " + _distribution_sentence(c, f, c.w.group_noun(f.field))
            c.add(para(text.strip()))
            c.add_figure(n)


def build_memo(tableset: TableSet, *, intro: str | None = None, conclusion: str | None = None) -> Memo:
    """The whole memo as content blocks, with prose computed from ``tableset``.

    ``intro``/``conclusion`` are the analyst's own Markdown texts; without them a neutral text is used.
    """
    c = _Ctx(tableset, intro, conclusion)
    _intro(c)
    _data_basis(c)
    if c.wishes or c.opinions:
        c.add(Heading(1, c.w.text("analysis_heading", "Resultater") or "Resultater", c.section()))
    for wish in c.wishes:
        _wish_section(c, wish)
    for op in c.opinions:
        _opinion_section(c, op)
    _sections(c)
    _weighted_section(c)
    if "comparison" in c.ts.extra:  # fuldtid report --previous: the development since the previous wave
        from fuldtid.render.compare_memo import add_change_section

        add_change_section(c, c.ts.extra["comparison"])
    _conclusion(c)
    _appendix(c)
    _follow_up(c)
    _leftovers(c)
    d = c.definition
    return Memo(d.title, d.organisation, _title_meta(c), tuple(c.blocks))

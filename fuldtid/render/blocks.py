"""The memo's content model: headings, paragraphs, lists, tables and figures as immutable blocks.

The memo is built once as these blocks (:mod:`fuldtid.render.memo`); the DOCX and HTML renderers only lay them
out, so both formats say exactly the same thing. The analyst's own introduction and conclusion are Markdown,
read into the same blocks by :func:`markdown_blocks` (written by hand: headings, paragraphs, bullet and numbered
lists, bold, italic and code are all the memo allows, and a Markdown library would accept far more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Iterable, Sequence


from fuldtid.render.grid import Grid
from fuldtid.stats.figuredata import FigureData


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



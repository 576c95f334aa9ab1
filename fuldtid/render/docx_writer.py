"""The one DOCX writer: a memo's content blocks (:mod:`fuldtid.render.blocks`) laid out in Word, in the
memo's look (template, A4, Danish). The memo, the breakdown and the comparison documents are all written by
:func:`render_docx`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from fuldtid.render.docx_look import DocumentInfo, clear_body, column_widths, finish, front_block, open_template, set_a4
from fuldtid.render.docx_look import set_properties
from fuldtid.render.blocks import BulletList, FigureBlock, Heading, ListItem, Memo, Paragraph, PendingTable, Run, TableBlock

if TYPE_CHECKING:
    import datetime as dt

    from docx.document import Document
    from docx.styles.style import BaseStyle
    from docx.text.paragraph import Paragraph as DocxParagraph

TEXT_WIDTH_CM = 16.0
TABLE_FONT_PT = 9.0  # the Tabeltekst style
KEEP_WHOLE_ROWS = 12  # tables up to this many lines (a third of a page) are never split over two pages
FIGURE_WIDTH_CM = 14.5
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
# (size pt, bold, italic) for styles a user's template may lack; added on the fly, based on Normal.
FALLBACK_STYLES = {
    "Title": (20, True, False),
    "Subtitle": (10.5, False, False),
    "Heading 1": (14, True, False),
    "Heading 2": (12, True, False),
    "Heading 3": (10.5, True, False),
    "Caption": (9.5, True, False),
    "Tabeltekst": (9, False, False),
    "Tabeloverskrift": (9, True, False),
    "Note": (8.5, False, True),
    "List Bullet": (10.5, False, False),
    "List Bullet 2": (10.5, False, False),
    "List Number": (10.5, False, False),
}




class _Writer:
    def __init__(self, doc: Document) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self.doc = doc
        self._names = {s.name for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        self._table_style = next(
            (n for n in ("Notat tabel", "Table Grid") if n in {s.name for s in doc.styles}), None
        )
        self._ids: dict[str, str] = {}
        section = doc.sections[-1]
        try:  # the template's own text width (page less margins); the default's is 16 cm
            width = (section.page_width - section.left_margin - section.right_margin) / 360000  # type: ignore[operator]
            self.text_width_cm = width if 8 < width < 30 else TEXT_WIDTH_CM
        except TypeError:  # a template without page size or margins
            self.text_width_cm = TEXT_WIDTH_CM
        self._has_numbering = True
        try:
            doc.part.numbering_part  # noqa: B018 - raises when the template has no list definitions
        except (KeyError, NotImplementedError):
            self._has_numbering = False

    # styles ----------------------------------------------------------------------------------
    def style(self, name: str) -> BaseStyle:
        """A paragraph style of the template, added (based on Normal) when the template lacks it."""
        if name not in self._names:
            from docx.enum.style import WD_STYLE_TYPE
            from docx.shared import Pt

            size, bold, italic = FALLBACK_STYLES.get(name, (10.5, False, False))
            st = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = self.doc.styles["Normal"]
            st.font.size = Pt(size)
            st.font.bold = bold
            st.font.italic = italic
            if name.startswith("Heading") or name == "Caption":
                st.paragraph_format.keep_with_next = True
            self._names.add(name)
        return self.doc.styles[name]

    def style_id(self, name: str) -> str:
        """The style's id, cached: python-docx looks a style up by scanning every style on each assignment,
        which made setting styles most of the time spent on a memo."""
        sid = self._ids.get(name)
        if sid is None:
            sid = self._ids[name] = self.style(name).style_id
        return sid

    def new_paragraph(self, style: str) -> DocxParagraph:
        p = self.doc.add_paragraph()
        p._p.style = self.style_id(style)
        return p

    # blocks ----------------------------------------------------------------------------------
    def runs(self, paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
        for r in runs:
            run = paragraph.add_run(r.text)
            if r.bold:
                run.bold = True
            if r.italic:
                run.italic = True
            if r.code:
                run.font.name = "Consolas"

    def paragraph(self, runs: tuple[Run, ...], style: str = "Normal") -> DocxParagraph:
        p = self.new_paragraph(style)
        self.runs(p, runs)
        return p

    def items(self, items: tuple[ListItem, ...], ordered: bool, depth: int = 0) -> None:
        name = "List Number" if ordered and depth == 0 else "List Bullet" if depth == 0 else "List Bullet 2"
        builtin = name in self._names and self._has_numbering
        for it in items:
            p = self.new_paragraph(name)
            if not builtin:  # a template without list styles: a visible bullet instead
                p.add_run(("    " * depth) + ("– " if depth else "• "))
            self.runs(p, it.runs)
            if it.children:
                self.items(it.children, False, depth + 1)

    def front(self, lines: list[tuple[str, str]]) -> None:
        """Date, sagsbehandler and recipient under the title, as a memo's front block."""
        for k, (label, value) in enumerate(lines):
            p = self.paragraph((Run(f"{label}: ", bold=True), Run(value)), "Subtitle")
            if k == len(lines) - 1:
                from docx.shared import Pt

                p.paragraph_format.space_after = Pt(12)

    def table(self, b: TableBlock) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm

        self.paragraph((Run(b.caption),), "Caption").paragraph_format.keep_with_next = True
        if b.grid.question:
            self.paragraph((Run(b.grid.question),), "Note").paragraph_format.keep_with_next = True
        g = b.grid
        lines = [g.header, *g.rows, g.total]
        table = self.doc.add_table(rows=len(lines), cols=len(g.header))
        if self._table_style:
            table.style = self.doc.styles[self._table_style]
        table.autofit = False
        quotes = [0.55 if h == "Eksempler" else 1.0 for h in g.header]
        numeric = [i > 0 and g.header[i] != "Eksempler" for i in range(len(g.header))]
        col_cm = [Cm(w) for w in column_widths(lines, self.text_width_cm, TABLE_FONT_PT, bold_rows=(0, -1),
                                               max_share=quotes, nowrap=numeric)]
        for col, width in zip(table.columns, col_cm):
            col.width = width  # the grid LibreOffice lays out by; cells' widths below are what Word uses
        body, head = self.style_id("Tabeltekst"), self.style_id("Tabeloverskrift")
        last = len(lines) - 1
        # A short table is kept on one page with its caption; a long one at least keeps its first rows
        # with the caption and its total row with the row above it and with the notes below.
        keep_all = len(lines) <= KEEP_WHOLE_ROWS
        for r, line in enumerate(lines):
            row = table.rows[r]
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            keep = keep_all or r <= 1 or r >= last - 1
            if r == last:
                keep = bool(b.notes)
            cells = row.cells  # one call per row: much faster than table.cell(r, c)
            for c, text in enumerate(line):
                cell = cells[c]
                cell.width = col_cm[c]
                p = cell.paragraphs[0]
                p._p.style = head if r in (0, last) else body
                if text:
                    p.add_run(text)  # "\n" becomes a line break
                if numeric[c]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if keep:
                    p.paragraph_format.keep_with_next = True
        # The header row repeats on every page a long table runs over.
        header_flag = OxmlElement("w:tblHeader")
        header_flag.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header_flag)
        for k, note in enumerate(b.notes):
            p = self.paragraph((Run(note),), "Note")
            if k < len(b.notes) - 1:
                p.paragraph_format.keep_with_next = True
        if not b.notes:
            self.paragraph((Run(""),), "Note")

    def pending(self, b: PendingTable) -> None:
        self.paragraph((Run(b.caption),), "Caption")
        self.paragraph(b.runs)

    def figure(self, b: FigureBlock) -> None:
        from docx.shared import Cm

        from fuldtid.render.figures import render_png

        self.paragraph((Run(b.caption),), "Caption")
        png = render_png(b.data)
        p = self.new_paragraph("Normal")
        # The note may go to the next page rather than leave half a page empty before a tall figure.
        shape = p.add_run().add_picture(io.BytesIO(png), width=Cm(min(FIGURE_WIDTH_CM, self.text_width_cm - 0.5)))
        shape._inline.docPr.set("descr", b.alt)  # the text alternative for screen readers
        if b.note:
            self.paragraph((Run(b.note),), "Note")

    def heading(self, b: Heading) -> None:
        self.paragraph((Run(b.display),), HEADING_STYLES.get(b.level, "Heading 3"))


def _space_after_list(doc: Document) -> None:
    """List paragraphs sit close together; the last one gets a normal paragraph's space after it."""
    from docx.shared import Pt

    last = doc.paragraphs[-1] if doc.paragraphs else None
    if last is not None:
        last.paragraph_format.space_after = Pt(6)


def render_docx(memo: Memo, template: str | Path | None = None, *, info: DocumentInfo | None = None,
                data_date: dt.date | None = None) -> bytes:
    """Lay the memo's blocks out in a copy of the Word template and return the .docx bytes.

    ``data_date`` (the last answer's time) dates the document when ``info`` gives no date."""
    doc = open_template(template)
    clear_body(doc)
    set_a4(doc)
    full, front = front_block(info, data_date, memo.organisation)
    w = _Writer(doc)
    if memo.organisation:
        w.paragraph((Run(memo.organisation),), "Subtitle")
    w.paragraph((Run(memo.title),), "Title")
    for line in memo.meta:
        w.paragraph((Run(line),), "Subtitle")
    if front:
        w.front(front)
    for b in memo.blocks:
        if isinstance(b, Heading):
            w.heading(b)
        elif isinstance(b, Paragraph):
            w.paragraph(b.runs, "Note" if b.style == "note" else "Normal")
        elif isinstance(b, BulletList):
            w.items(b.items, b.ordered)
            _space_after_list(doc)
        elif isinstance(b, TableBlock):
            w.table(b)
        elif isinstance(b, PendingTable):
            w.pending(b)
        elif isinstance(b, FigureBlock):
            w.figure(b)
    set_properties(doc, title=memo.title, subject=" – ".join(x for x in (memo.organisation, *memo.meta[:1]) if x),
                   author=full.author, day=full.date)
    return finish(doc, full.date)

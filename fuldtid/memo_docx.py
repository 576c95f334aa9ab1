"""The memo as a Word document: real Word tables, embedded figures, the template's styles, header and footer.

The output is byte-identical for identical input: fixed document properties, figures rendered
deterministically, and the zip rewritten with fixed timestamps (:func:`fuldtid.ziputil.normalise_zip`).
python-docx is imported here only, when a DOCX is asked for.
"""

from __future__ import annotations

import datetime as dt
import io
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import OutputError
from .memo import BulletList, FigureBlock, Heading, ListItem, Memo, Paragraph, PendingTable, Run, TableBlock, build_memo
from .tables import TableSet

DEFAULT_TEMPLATE = "notat.docx"
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
TEXT_WIDTH_CM = 16.0
FIGURE_WIDTH_CM = 15.5
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


def memo_docx(tableset: TableSet, *, intro: str | None = None, conclusion: str | None = None,
              docx_template: str | Path | None = None, **_other: Any) -> bytes:
    """The memo of ``tableset`` as DOCX bytes; ``docx_template`` is an organisation's own .docx to take
    styles, header and footer from (default: the shipped ``notat.docx``)."""
    return render_docx(build_memo(tableset, intro=intro, conclusion=conclusion), docx_template)


def _open_template(path: str | Path | None):
    from docx import Document

    if path is None:
        with resources.files("fuldtid.templates").joinpath(DEFAULT_TEMPLATE).open("rb") as fh:
            return Document(io.BytesIO(fh.read()))
    p = Path(path)
    if not p.is_file():
        raise OutputError(f"{p}: Word template not found; pass an existing .docx with --docx-template")
    try:
        return Document(str(p))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise OutputError(
            f"{p}: not a Word document (.docx) that can be used as a template ({type(exc).__name__}); "
            "save it from Word as .docx (not .doc or .dotx) and pass it with --docx-template"
        ) from exc


class _Writer:
    def __init__(self, doc: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self.doc = doc
        self._names = {s.name for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        self._table_style = next(
            (n for n in ("Notat tabel", "Table Grid") if n in {s.name for s in doc.styles}), None
        )
        self._ids: dict[str, str] = {}
        self._has_numbering = True
        try:
            doc.part.numbering_part  # noqa: B018 - raises when the template has no list definitions
        except (KeyError, NotImplementedError):
            self._has_numbering = False

    # styles ----------------------------------------------------------------------------------
    def style(self, name: str) -> Any:
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

    def new_paragraph(self, style: str) -> Any:
        p = self.doc.add_paragraph()
        p._p.style = self.style_id(style)
        return p

    # blocks ----------------------------------------------------------------------------------
    def runs(self, paragraph: Any, runs: tuple[Run, ...]) -> None:
        for r in runs:
            run = paragraph.add_run(r.text)
            if r.bold:
                run.bold = True
            if r.italic:
                run.italic = True
            if r.code:
                run.font.name = "Consolas"

    def paragraph(self, runs: tuple[Run, ...], style: str = "Normal") -> Any:
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

    def table(self, b: TableBlock) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        self.paragraph((Run(b.caption),), "Caption")
        if b.grid.question:
            self.paragraph((Run(b.grid.question),), "Note").paragraph_format.keep_with_next = True
        g = b.grid
        lines = [g.header, *g.rows, g.total]
        table = self.doc.add_table(rows=len(lines), cols=len(g.header))
        if self._table_style:
            table.style = self.doc.styles[self._table_style]
        table.autofit = False
        widths = b.widths
        scale = TEXT_WIDTH_CM / sum(widths)
        col_cm = [Cm(w * scale) for w in widths]
        for col, width in zip(table.columns, col_cm):
            col.width = width  # the grid LibreOffice lays out by; cells' widths below are what Word uses
        body, head = self.style_id("Tabeltekst"), self.style_id("Tabeloverskrift")
        numeric = [i > 0 and g.header[i] != "Eksempler" for i in range(len(g.header))]
        last = len(lines) - 1
        for r, line in enumerate(lines):
            cells = table.rows[r].cells  # one call per row: much faster than table.cell(r, c)
            for c, text in enumerate(line):
                cell = cells[c]
                cell.width = col_cm[c]
                p = cell.paragraphs[0]
                p._p.style = head if r in (0, last) else body
                if text:
                    p.add_run(text)  # "\n" becomes a line break
                if numeric[c]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        # The header row repeats on every page a long table runs over.
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        header_flag = OxmlElement("w:tblHeader")
        header_flag.set(qn("w:val"), "true")
        tr_pr.append(header_flag)
        for note in b.notes:
            self.paragraph((Run(note),), "Note")
        if not b.notes:
            self.paragraph((Run(""),), "Note")

    def pending(self, b: PendingTable) -> None:
        self.paragraph((Run(b.caption),), "Caption")
        self.paragraph(b.runs)

    def figure(self, b: FigureBlock) -> None:
        from docx.shared import Cm

        from .figures import render_png

        self.paragraph((Run(b.caption),), "Caption")
        png = render_png(b.data)
        p = self.new_paragraph("Normal")
        p.paragraph_format.keep_with_next = bool(b.note)
        shape = p.add_run().add_picture(io.BytesIO(png), width=Cm(FIGURE_WIDTH_CM))
        shape._inline.docPr.set("descr", b.alt)  # the text alternative for screen readers
        if b.note:
            self.paragraph((Run(b.note),), "Note")

    def heading(self, b: Heading) -> None:
        self.paragraph((Run(b.display),), HEADING_STYLES.get(b.level, "Heading 3"))


def _space_after_list(doc: Any) -> None:
    """List paragraphs sit close together; the last one gets a normal paragraph's space after it."""
    from docx.shared import Pt

    last = doc.paragraphs[-1] if doc.paragraphs else None
    if last is not None:
        last.paragraph_format.space_after = Pt(6)


def _clear_body(doc: Any) -> None:
    """Drop the template's own text, keeping its section settings (page size, header, footer)."""
    body = doc.element.body
    for el in list(body):
        if not el.tag.endswith("}sectPr"):
            body.remove(el)


def _fix_properties(doc: Any, memo: Memo) -> None:
    cp = doc.core_properties
    cp.title = memo.title
    cp.subject = memo.organisation
    cp.author = memo.organisation or "fuldtid"
    cp.last_modified_by = "fuldtid"
    cp.keywords = ""
    cp.comments = ""
    cp.revision = 1
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME


def render_docx(memo: Memo, template: str | Path | None = None) -> bytes:
    """Lay the memo's blocks out in a copy of the Word template and return the .docx bytes."""
    from .ziputil import normalise_zip

    doc = _open_template(template)
    _clear_body(doc)
    w = _Writer(doc)
    if memo.organisation:
        w.paragraph((Run(memo.organisation),), "Subtitle")
    w.paragraph((Run(memo.title),), "Title")
    for line in memo.meta:
        w.paragraph((Run(line),), "Subtitle")
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
    _fix_properties(doc, memo)
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())

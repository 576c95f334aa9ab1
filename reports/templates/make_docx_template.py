"""Build the default Word template of the memo, ``notat.docx``, reproducibly.

Run ``python reports/templates/make_docx_template.py`` after changing a style here; the same script
always writes the same bytes (fixed document properties and zip timestamps). An organisation's own
letterhead replaces this file with ``fuldtid report --docx-template FILE``: the memo then takes that
document's styles, header and footer, and adds the few styles below that it lacks.

The template is python-docx's built-in document (which carries Word's standard styles such as
"Heading 1", "List Bullet", "Caption" and "Table Grid") restyled in one restrained, black-and-white
friendly look on A4, with "Side X af Y" in the footer, and Danish (da-DK) as the language of every style.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "notat.docx"
FONT = "Arial"  # metric-compatible substitutes (Liberation Sans) exist on every platform
TEXT = "222222"

# name: (size pt, bold, italic, colour, space before pt, space after pt)
PARAGRAPH_STYLES = {
    "Normal": (10.5, False, False, TEXT, 0, 6),
    "Title": (20, True, False, "111111", 0, 4),
    "Subtitle": (10.5, False, False, "555555", 0, 2),
    "Heading 1": (14, True, False, "111111", 18, 6),
    "Heading 2": (12, True, False, "111111", 14, 4),
    "Heading 3": (10.5, True, False, "111111", 10, 3),
    "Caption": (9.5, True, False, "111111", 10, 3),
}
# Styles the memo adds: table text, table headings, small print under tables and figures.
CUSTOM_STYLES = {
    "Tabeltekst": (9, False, False, TEXT, 1, 1),
    "Tabeloverskrift": (9, True, False, "111111", 1, 1),
    "Note": (8.5, False, True, "444444", 2, 6),
}


def _set_font(style, size: float, bold: bool, italic: bool, colour: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    f = style.font
    f.name = FONT
    f.size = Pt(size)
    f.bold = bold
    f.italic = italic
    f.color.rgb = RGBColor.from_string(colour)
    # East-Asian and complex-script fonts too, else Word keeps the theme font for some characters.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)


def style_paragraph(style, spec: tuple) -> None:
    from docx.shared import Pt

    size, bold, italic, colour, before, after = spec
    _set_font(style, size, bold, italic, colour)
    pf = style.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if style.name.startswith("Heading") or style.name == "Caption":
        pf.keep_with_next = True


def add_field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) whose value Word and LibreOffice fill in when the page is laid out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind: str):
        r = OxmlElement("w:r")
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r.append(el)
        return r

    run = paragraph.add_run()
    run._r.addprevious(fld("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run._r.addnext(fld("end"))
    sep = fld("separate")
    run._r.addnext(sep)
    placeholder = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    placeholder.append(t)
    sep.addnext(placeholder)


def fix_properties(doc, title: str) -> None:
    cp = doc.core_properties
    fixed = dt.datetime(2000, 1, 1, 0, 0, 0)
    cp.title = title
    cp.subject = ""
    cp.author = "fuldtid"
    cp.last_modified_by = "fuldtid"
    cp.keywords = ""
    cp.comments = ""
    cp.category = ""
    cp.revision = 1
    cp.created = fixed
    cp.modified = fixed
    cp.last_printed = fixed


def build() -> bytes:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    sys.path.insert(0, str(HERE.parent.parent))
    from fuldtid.render.docx_look import set_language
    from fuldtid.ziputil import normalise_zip

    doc = Document()
    for name, spec in PARAGRAPH_STYLES.items():
        style_paragraph(doc.styles[name], spec)
    for name, spec in CUSTOM_STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
        style_paragraph(style, spec)
    # The Title style's blue bottom border is not part of a restrained look.
    title_ppr = doc.styles["Title"].element.pPr
    if title_ppr is not None:
        for el in list(title_ppr):
            if el.tag.endswith("}pBdr"):
                title_ppr.remove(el)
    # Nor is the letter-spacing of Title and Subtitle.
    for name in ("Title", "Subtitle"):
        rpr = doc.styles[name].element.rPr
        for el in list(rpr) if rpr is not None else ():
            if el.tag.endswith("}spacing"):
                rpr.remove(el)
    for name in ("List Bullet", "List Bullet 2", "List Number"):
        doc.styles[name].paragraph_format.space_after = Pt(2)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.1)

    header = section.header.paragraphs[0]
    header.text = "Notat"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.style = doc.styles["Note"]
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style = doc.styles["Note"]
    footer.add_run("Side ")
    add_field(footer, "PAGE")
    footer.add_run(" af ")
    add_field(footer, "NUMPAGES")

    # python-docx's built-in document carries a thumbnail of some other page: file browsers would show it.
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/metadata/thumbnail")]:
        rels.pop(rid)

    set_language(doc)  # Danish (da-DK) in the document defaults and every style: Word spell-checks in Danish
    fix_properties(doc, "Notat")
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def main() -> None:
    data = build()
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()

"""One look for every Word document fuldtid writes (the memo and the breakdowns).

The document starts from the organisation's own template (``--docx-template``) or the shipped
``notat.docx``; this module then makes it a Danish A4 document: A4 paper, Danish (da-DK) set as the
language of the document defaults and of every style (so Word spell-checks the text as Danish), and
document properties that say what it is (title, author, date). The date is the document's own date
(``--date``) or the day the last answer came in, never the clock, so a rerun writes the same bytes.

:class:`DocumentInfo` carries what the front block shows: date, sagsbehandler (author) and recipient.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from fuldtid.errors import OutputError

if TYPE_CHECKING:
    from docx.document import Document
    from docx.opc.coreprops import CoreProperties
    from docx.oxml.xmlchemy import BaseOxmlElement

DEFAULT_TEMPLATE = "notat.docx"
LANGUAGE = "da-DK"
A4_CM = (21.0, 29.7)
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def da_long_date(d: dt.date) -> str:
    """``29. november 2026``"""
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class DocumentInfo:
    """Who wrote the document, for whom and when: the front block and the document properties.

    ``date`` None: the date of the data (the last answer). ``author`` None: the definition's organisation.
    """

    date: dt.date | None = None
    author: str | None = None
    recipient: str | None = None

    def resolved(self, data_date: dt.date | None, organisation: str) -> "DocumentInfo":
        """This info with the date and author filled in from the data and the definition where not given."""
        day = self.date
        if day is None and data_date is not None and data_date == data_date:  # NaT is not equal to itself
            day = data_date.date() if isinstance(data_date, dt.datetime) else data_date
        return DocumentInfo(day, self.author or (organisation or None), self.recipient)

    def front_lines(self, *, author_given: bool) -> list[tuple[str, str]]:
        """(label, value) lines of the front block: date always (when known), sagsbehandler and recipient
        only when the analyst gave them."""
        out = []
        if self.date is not None:
            out.append(("Dato", da_long_date(self.date)))
        if author_given and self.author:
            out.append(("Sagsbehandler", self.author))
        if self.recipient:
            out.append(("Til", self.recipient))
        return out


def front_block(info: DocumentInfo | None, data_date: dt.date | None, organisation: str
                ) -> tuple[DocumentInfo, list[tuple[str, str]]]:
    """The resolved info and the front block's lines for a document whose data ends on ``data_date``."""
    given = info or DocumentInfo()
    full = given.resolved(data_date, organisation)
    return full, full.front_lines(author_given=given.author is not None)


def open_template(path: str | Path | None) -> Document:
    """A python-docx Document from the user's template or the shipped default."""
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


def clear_body(doc: Document) -> None:
    """Drop the template's own text, keeping its section settings (page size, header, footer)."""
    body = doc.element.body
    for el in list(body):
        if not el.tag.endswith("}sectPr"):
            body.remove(el)


def set_a4(doc: Document) -> None:
    """A4 paper in every section, keeping the template's margins and orientation."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    short, long_ = Cm(A4_CM[0]), Cm(A4_CM[1])
    for section in doc.sections:
        landscape = section.orientation == WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = (long_, short) if landscape else (short, long_)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_AFTER_LANG = {_W + x for x in ("eastAsianLayout", "specVanish", "oMath", "rPrChange")}


def _set_lang(rpr: BaseOxmlElement, language: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        after = next((el for el in rpr if el.tag in _AFTER_LANG), None)  # keep the schema's order
        if after is not None:
            after.addprevious(lang)
        else:
            rpr.append(lang)
    lang.set(qn("w:val"), language)


def set_language(doc: Document, language: str = LANGUAGE) -> None:
    """Danish as the language of the document defaults, every style and the theme fonts."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr, language)
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) not in ("paragraph", "character", "table"):
            continue
        style_rpr = style.find(qn("w:rPr"))
        if style_rpr is None:
            style_rpr = OxmlElement("w:rPr")
            style.append(style_rpr)
        _set_lang(style_rpr, language)
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), language)


def set_properties(doc: Document, *, title: str, subject: str, author: str | None, day: dt.date | None,
                   keywords: Sequence[str] = ()) -> None:
    """Document properties from the content, never from the clock: created and modified are ``day``
    (the document's date) at midnight; without a date, the properties carry none."""
    cp = doc.core_properties
    cp.title = _clip(title)
    cp.subject = _clip(subject)
    cp.author = _clip(author or "fuldtid")
    cp.last_modified_by = _clip(author or "fuldtid")
    cp.keywords = _clip(", ".join(keywords))
    cp.comments = "Dannet med fuldtid"
    cp.category = "Notat"
    cp.language = LANGUAGE
    cp.revision = 1
    when = dt.datetime(day.year, day.month, day.day) if day is not None else None
    _set_date(cp, "created", when)
    _set_date(cp, "modified", when)
    _drop(cp, "lastPrinted")


def _clip(text: str, limit: int = 255) -> str:
    """A property value within Word's 255-character limit."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _set_date(cp: CoreProperties, name: str, when: dt.datetime | None) -> None:
    if when is not None:
        setattr(cp, name, when)
    else:
        _drop(cp, name)


def _drop(cp: CoreProperties, local: str) -> None:
    """Remove a date property (python-docx has no way to unset one)."""
    el = cp._element
    for child in list(el):
        if child.tag.endswith("}" + local):
            el.remove(child)


def finish(doc: Document, day: dt.date | None = None) -> bytes:
    """The document's bytes, zip normalised so that equal content gives equal bytes; ``day`` is the date the
    properties carry. Danish is set on every style here, after the writer added the styles it needed, and a
    template's thumbnail (a picture of some other page, which file browsers would show) is dropped."""
    from fuldtid.ziputil import normalise_zip

    set_language(doc)
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/metadata/thumbnail")]:
        rels.pop(rid)

    buf = io.BytesIO()
    doc.save(buf)
    when = dt.datetime(day.year, day.month, day.day) if day is not None else None
    return normalise_zip(buf.getvalue(), when)


# Advance widths of Arial (Liberation Sans) in em, for laying out table columns without a font engine.
_NARROW = {c: 0.278 for c in "ijl.,:;'|!ftI ()[]/-"}
_NARROW.update({"r": 0.333, "t": 0.278, "f": 0.278, "-": 0.333, "(": 0.333, ")": 0.333})
_WIDE = {"m": 0.833, "w": 0.722, "M": 0.833, "W": 0.944, "æ": 0.889, "Æ": 1.0, "%": 0.889, "@": 1.015}


def text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """The printed width of ``text`` in Arial at ``size_pt`` (an estimate within a few percent)."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += _NARROW[ch]
        elif ch in _WIDE:
            em += _WIDE[ch]
        elif ch.isdigit():
            em += 0.556
        elif ch.isupper():
            em += 0.667
        else:
            em += 0.556 if ch in "abdeghnopquøåç" else 0.5
    return em * size_pt * (1.06 if bold else 1.0) * 2.54 / 72


_BREAKS = re.compile(r"\s+|(?<=[/\-–])(?=\w)")
CELL_PADDING_CM = 0.45  # the cell's left and right margins and a little air
SAFETY = 1.12  # a template's font may be wider than Arial (or be replaced by a wider one where it is missing)


def column_widths(lines: Sequence[Sequence[str]], total_cm: float, size_pt: float = 9.0,
                  *, bold_rows: Sequence[int] = (0,), max_share: Sequence[float] | None = None,
                  nowrap: Sequence[bool] | None = None) -> list[float]:
    """Column widths (cm) adding up to ``total_cm`` in which no word is broken: every column is at least as
    wide as its longest word; room left over goes to the columns whose text would otherwise wrap, in
    proportion to how much they lack. ``max_share`` caps a column's natural width as a share of the total
    (long quotes wrap instead of taking the page); a ``nowrap`` column keeps each cell on one line below
    its header (``52 (31%)`` is one number)."""
    n = max(len(line) for line in lines)
    least = [0.0] * n
    natural = [0.0] * n
    for r, line in enumerate(lines):
        bold = r in bold_rows or r - len(lines) in bold_rows
        for c, text in enumerate(line):
            for part in str(text).split("\n"):
                natural[c] = max(natural[c], SAFETY * text_width_cm(part, size_pt, bold) + CELL_PADDING_CM)
                if nowrap is not None and nowrap[c] and r > 0:
                    least[c] = max(least[c], 1.08 * SAFETY * text_width_cm(part, size_pt, bold) + CELL_PADDING_CM)
                    continue
                for word in _BREAKS.split(part):  # lines break at spaces and after a slash or hyphen
                    least[c] = max(least[c], SAFETY * text_width_cm(word, size_pt, bold) + CELL_PADDING_CM)
    if max_share is not None:
        natural = [max(lo, min(nat, share * total_cm)) for lo, nat, share in zip(least, natural, max_share)]
    if sum(natural) <= total_cm:
        # Everything fits on one line: the label column takes what is left, so numbers sit close.
        widths = list(natural)
        widths[0] += total_cm - sum(widths)
        return widths
    if sum(least) >= total_cm:
        return [w * total_cm / sum(least) for w in least]  # nothing to spare: shrink in proportion
    spare = total_cm - sum(least)
    lack = [nat - lo for nat, lo in zip(natural, least)]
    return [lo + spare * lk / sum(lack) for lo, lk in zip(least, lack)]

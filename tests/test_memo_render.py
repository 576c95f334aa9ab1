"""The memo rendered: DOCX and HTML carry every caption, every table cell as the shared grid, the figures,
nothing remote, escaped text, and the same bytes on every run."""

from __future__ import annotations

import io
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fuldtid.errors import OutputError
from fuldtid.render.memo import build_memo

from memo_helpers import example_tableset, rebuild


@pytest.fixture(scope="module")
def html(ts):
    from fuldtid.render.memo_html import memo_html

    return memo_html(ts)


@pytest.fixture(scope="module")
def docx_bytes(ts):
    from fuldtid.render.memo_docx import memo_docx

    return memo_docx(ts)


def expected_lines(block) -> list[tuple[str, ...]]:
    g = block.grid
    return [tuple(g.header), *g.rows, tuple(g.total)]


# --- HTML ---------------------------------------------------------------------------------------------


class Parsed(HTMLParser):
    """Tables (by id) as rows of cell texts, captions, images and every URL-bearing attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[tuple[str, ...]]] = {}
        self.captions: list[str] = []
        self.images: list[dict[str, str]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for k in ("src", "href", "action", "srcset"):
            if k in a:
                self.urls.append(a[k] or "")
        if tag == "table":
            self._table = a.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag in ("figcaption",) or (tag == "span" and a.get("class") == "caption") or (
                tag == "p" and a.get("class") == "caption"):
            self._caption = []
        elif tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(tuple(self._row))
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag in ("figcaption", "span", "p") and self._caption is not None:
            self.captions.append("".join(self._caption))
            self._caption = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def parse(html: str) -> Parsed:
    p = Parsed()
    p.feed(html)
    return p


def test_html_tables_equal_the_grids(memo, html):
    p = parse(html)
    assert len(p.tables) == 14
    for b in memo.tables():
        assert p.tables[f"tabel-{b.number}"] == expected_lines(b), b.number


def test_html_has_every_caption_in_order(ts, memo, html):
    p = parse(html)
    expected = [b.caption for b in memo.blocks if b.kind in ("table", "figure", "pending")]
    assert p.captions == expected
    assert sum(c.startswith("Tabel ") for c in p.captions) == 14
    assert sum(c.startswith("Figur ") for c in p.captions) == 6


def test_html_is_self_contained(html):
    p = parse(html)
    assert len(p.images) == 6
    assert all(img["src"].startswith("data:image/svg+xml;base64,") and img["alt"] for img in p.images)
    assert all(u.startswith("data:") for u in p.urls)
    assert "http://" not in html and "https://" not in html
    assert "url(" not in html and "@import" not in html
    assert "script" not in p.tags and "link" not in p.tags


def test_html_figures_are_the_rendered_svgs(memo, html):
    import base64

    from fuldtid.render.figures import render_svg

    p = parse(html)
    for img, b in zip(p.images, memo.figures()):
        svg = base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")
        assert svg == render_svg(b.data)
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert "<dc:date>" not in svg  # no timestamp: the same input gives the same bytes


def test_html_is_byte_identical_on_a_second_run(ts, html):
    from fuldtid.render.memo_html import memo_html

    assert memo_html(ts) == html


def test_html_escapes_answers_and_markdown(ts):
    from fuldtid.render.memo_html import memo_html

    t3 = ts.table(3)
    quote = t3.row("Økonomi").examples[0]
    r = ts.survey.responses.copy()
    rid = r.index[(r["op_hvorfor"] == quote).to_numpy()][0]
    r.loc[rid, "op_hvorfor"] = "<script>alert('x')</script> mere i løn & bedre <b>vilkår</b>"
    altered = rebuild(ts, responses=r)
    assert altered.table(3).row("Økonomi").examples[0].startswith("<script>")
    out = memo_html(altered, intro="Se <img src=x onerror=alert(1)> **her**", conclusion="<iframe></iframe>")
    assert "<script>" not in out and "<img src=x" not in out and "<iframe>" not in out
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; mere i løn &amp; bedre &lt;b&gt;vilkår&lt;/b&gt;" in out
    assert "Se &lt;img src=x onerror=alert(1)&gt; <strong>her</strong>" in out
    p = parse(out)
    cell = p.tables["tabel-3"][1][3]
    assert cell.startswith("”<script>alert('x')</script> mere i løn & bedre <b>vilkår</b>”")


def test_html_says_which_tables_await_coding(ts):
    from fuldtid.render.memo_html import memo_html

    out = memo_html(rebuild(ts, coding=None))
    p = parse(out)
    assert sorted(p.tables) == [f"tabel-{n}" for n in sorted(map(str, [1, 2, 5, 6, 10, 11, 12, 13, 14]))]
    assert out.count('class="pending"') == 5
    assert f"<code>fuldtid coding-sheet {ts.survey.export.path} --out kodning.xlsx</code>" in out


def test_html_has_print_styles(html):
    assert "@media print" in html and "@page" in html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="da">' in html


# --- DOCX ---------------------------------------------------------------------------------------------


def open_docx(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def test_docx_tables_equal_the_grids(memo, docx_bytes):
    doc = open_docx(docx_bytes)
    assert len(doc.tables) == 14
    for table, b in zip(doc.tables, memo.tables()):
        got = [tuple(c.text for c in row.cells) for row in table.rows]
        assert got == expected_lines(b), b.number


def test_docx_captions_headings_and_figures(memo, docx_bytes):
    doc = open_docx(docx_bytes)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == [b.caption for b in memo.blocks if b.kind in ("table", "figure", "pending")]
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "1. Indledning") in headings
    assert ("Heading 2", "3.1 Deltidsansattes ønske om arbejdstid") in headings
    assert len(doc.inline_shapes) == 6
    descr = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert descr == [b.alt for b in memo.figures()]
    assert doc.paragraphs[1].text == memo.title and doc.paragraphs[1].style.name == "Title"


def test_docx_is_byte_identical_and_dated_by_the_data(ts, docx_bytes):
    import datetime as dt

    from fuldtid.render.memo_docx import memo_docx

    assert memo_docx(ts) == docx_bytes
    doc = open_docx(docx_bytes)
    cp = doc.core_properties
    last = ts.survey.export.period[1]
    day = dt.datetime(last.year, last.month, last.day)
    assert cp.created.replace(tzinfo=None) == cp.modified.replace(tzinfo=None) == day
    assert cp.revision == 1 and cp.title == ts.survey.definition.title
    assert cp.author == ts.survey.definition.organisation and cp.language == "da-DK"
    assert cp.last_printed is None
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 6
        assert "docProps/thumbnail.jpeg" not in z.namelist()


def test_docx_uses_the_default_template_header_and_footer(docx_bytes):
    doc = open_docx(docx_bytes)
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == "Notat"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert round(section.page_width.cm, 1) == 21.0  # A4


def test_docx_with_an_organisations_template(ts, tmp_path):
    from docx import Document
    from docx.shared import RGBColor

    from fuldtid.render.memo_docx import memo_docx

    tpl = Document()
    tpl.sections[0].header.paragraphs[0].text = "Aarhus Kommune · Sociale Forhold og Beskæftigelse"
    tpl.sections[0].footer.paragraphs[0].text = "Fagligt sekretariat"
    tpl.add_paragraph("Denne tekst i skabelonen skal ikke med i notatet.")
    tpl.styles["Heading 2"].font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    tpl.styles["Heading 3"].element.getparent().remove(tpl.styles["Heading 3"].element)  # a template without it
    path = tmp_path / "brevpapir.docx"
    tpl.save(path)
    out = open_docx(memo_docx(ts, docx_template=path))
    assert out.sections[0].header.paragraphs[0].text == "Aarhus Kommune · Sociale Forhold og Beskæftigelse"
    assert out.sections[0].footer.paragraphs[0].text == "Fagligt sekretariat"
    assert "Denne tekst i skabelonen" not in "\n".join(p.text for p in out.paragraphs)
    assert out.styles["Heading 2"].font.color.rgb == RGBColor(0x12, 0x34, 0x56)
    h3 = [p for p in out.paragraphs if p.text == "Alder og køn"]
    assert h3 and h3[0].style.name == "Heading 3"  # added by the memo since the template lacked it
    assert len(out.tables) == 14


def test_docx_template_errors(ts, tmp_path):
    from fuldtid.render.memo_docx import memo_docx

    with pytest.raises(OutputError, match="not found"):
        memo_docx(ts, docx_template=tmp_path / "mangler.docx")
    bad = tmp_path / "tekst.docx"
    bad.write_text("ikke et Word-dokument")
    with pytest.raises(OutputError, match=r"tekst\.docx: not a Word document"):
        memo_docx(ts, docx_template=bad)


def test_default_template_is_rebuilt_byte_identically(tmp_path):
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "reports" / "templates"))
    try:
        import make_docx_template
    finally:
        sys.path.pop(0)
    assert make_docx_template.build() == (root / "reports" / "templates" / "notat.docx").read_bytes()


# --- through the report -------------------------------------------------------------------------------


def test_report_writes_both_memos(ts, tmp_path, html, docx_bytes):
    from fuldtid.report import write_report

    written = write_report(ts, tmp_path, ("docx", "html"))
    assert sorted(p.name for p in written) == ["notat.docx", "notat.html"]
    assert (tmp_path / "notat.html").read_text(encoding="utf-8") == html
    assert (tmp_path / "notat.docx").read_bytes() == docx_bytes


def test_weighted_memo_renders_the_weighted_column(tmp_path):
    from fuldtid.render.memo_docx import memo_docx
    from fuldtid.render.memo_html import memo_html

    tsw = example_tableset(min_group=5, population=True)
    memo = build_memo(tsw)
    p = parse(memo_html(tsw))
    doc = open_docx(memo_docx(tsw))
    for table, b in zip(doc.tables, memo.tables()):
        assert [tuple(c.text for c in row.cells) for row in table.rows] == expected_lines(b)
        assert p.tables[f"tabel-{b.number}"] == expected_lines(b)
    assert p.tables["tabel-1"][0] == ("Svar", "Antal", "Procent", "Vægtet (95%-KI)")
    assert any("*" in cell for row in p.tables["tabel-13"] for cell in row)  # small groups hidden


def test_weighted_memo_embeds_the_weighted_figures():
    import base64

    from fuldtid.render.figures import render_svg
    from fuldtid.render.memo_docx import memo_docx
    from fuldtid.render.memo_html import memo_html

    tsw = example_tableset(min_group=5, population=True)
    memo = build_memo(tsw)
    # Figures 5 and 6 (gender, hours) are the weighting variables: no weighted share, and a note says why.
    assert [b.number for b in memo.figures() if not b.data.weighted] == [5, 6]
    html = memo_html(tsw)
    p = parse(html)
    for img, b in zip(p.images, memo.figures()):
        assert base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8") == render_svg(b.data)
        assert ("vægtet" in img["alt"]) == b.data.weighted
    note = "punkterne viser den vægtede andel (skønnet for hele medarbejdergruppen) med 95%-konfidensinterval"
    assert html.count(note) == 4
    why = "er en af vægtningens variable: vægtet svarer fordelingen per konstruktion til populationsfilens"
    assert html.count(why) == 2 and "Køn er en af vægtningens" in html and "Timetal er en af" in html
    doc = open_docx(memo_docx(tsw))
    assert sum(note in para.text for para in doc.paragraphs) == 4
    assert sum(why in para.text for para in doc.paragraphs) == 2

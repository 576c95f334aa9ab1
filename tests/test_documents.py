"""Documents an analyst can send as they are: the Word look (A4, Danish, dated properties, front block),
Danish method names, workbooks with numbers, the Danish CSV, the memo's finish, validate --population.

Most tests run on an export that differs from the shipped example: background answers shuffled, the
gender of 15 respondents missing, and the answers collected three years later.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fuldtid.cli import cli
from fuldtid.render.docx_look import CELL_PADDING_CM, SAFETY, DocumentInfo, column_widths, text_width_cm
from exportwriter import write_export

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHUFFLED = ("s_1", "s_2", "s_4", "s_5")  # køn, alder, overenskomst, tilbud: not routed on


@pytest.fixture(scope="module")
def other_export(tmp_path_factory, example_export):
    rng = np.random.default_rng(15)
    data = example_export.data.copy()
    answered = data.index[data["answered"]]
    for col in SHUFFLED:
        data.loc[answered, col] = rng.permutation(data.loc[answered, col].to_numpy())
    data.loc[answered[:15], "s_1"] = pd.NA
    for col in ("starttime", "closetime"):
        data[col] = data[col] + pd.DateOffset(years=3)
    path = tmp_path_factory.mktemp("other") / "eksport2025.zip"
    return write_export(example_export.variables, data, path, form="csv-zip")


@pytest.fixture(scope="module")
def other_tables(other_export, example_dir):
    from fuldtid.report import analyse

    return analyse(other_export, coding=example_dir / "coding.csv", population=example_dir / "population.csv")


@pytest.fixture(scope="module")
def letter_template(tmp_path_factory):
    """A template as a kommune might have it: python-docx's default, US Letter and en-US."""
    from docx import Document

    p = tmp_path_factory.mktemp("tpl") / "brevpapir.docx"
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "Aarhus Kommune – brevpapir"
    doc.save(p)
    return p


def _styles_xml(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/styles.xml").decode("utf-8")


def _assert_danish_a4(docx: bytes) -> None:
    from docx import Document

    doc = Document(io.BytesIO(docx))
    for section in doc.sections:
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    styles = doc.styles.element
    default_lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default_lang is not None and default_lang.get(f"{W}val") == "da-DK"
    for style in styles.findall(f"{W}style"):
        if style.get(f"{W}type") == "paragraph":
            lang = style.find(f"{W}rPr/{W}lang")
            assert lang is not None and lang.get(f"{W}val") == "da-DK", style.get(f"{W}styleId")
    assert "en-US" not in _styles_xml(docx).replace('w:eastAsia="en-US"', "")


# --- the Word look ----------------------------------------------------------------------------------


def test_memo_in_a_letter_template_becomes_a_danish_a4_document_dated_by_the_data(other_tables, letter_template):
    from docx import Document

    from fuldtid.render.memo_docx import memo_docx

    data = memo_docx(other_tables, docx_template=letter_template)
    assert memo_docx(other_tables, docx_template=letter_template) == data  # same bytes on a rerun
    _assert_danish_a4(data)
    doc = Document(io.BytesIO(data))
    assert doc.sections[0].header.paragraphs[0].text == "Aarhus Kommune – brevpapir"
    last = other_tables.survey.export.period[1]
    assert last.year == 2025
    cp = doc.core_properties
    assert cp.created.replace(tzinfo=None) == dt.datetime(last.year, last.month, last.day)
    assert cp.modified == cp.created and cp.last_printed is None
    assert cp.author == "Voksne, Job og Handicap, Aarhus Kommune" and cp.language == "da-DK"
    text = [p.text for p in doc.paragraphs[:8]]
    assert f"Dato: {last.day}. {['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'][last.month - 1]} 2025" in text
    assert not any(t.startswith(("Sagsbehandler:", "Til:")) for t in text)  # not given: not shown


def test_date_author_and_recipient_from_the_options(other_tables):
    from docx import Document

    from fuldtid.render.memo_docx import memo_docx
    from fuldtid.render.memo_html import memo_html

    info = DocumentInfo(dt.date(2025, 12, 1), "Anna Holm", "MED-udvalget")
    doc = Document(io.BytesIO(memo_docx(other_tables, info=info)))
    cp = doc.core_properties
    assert cp.created.replace(tzinfo=None) == dt.datetime(2025, 12, 1) and cp.author == "Anna Holm"
    text = [p.text for p in doc.paragraphs[:8]]
    assert {"Dato: 1. december 2025", "Sagsbehandler: Anna Holm", "Til: MED-udvalget"} <= set(text)
    html = memo_html(other_tables, info=info)
    assert "<dt>Sagsbehandler</dt><dd>Anna Holm</dd>" in html and "<dt>Til</dt><dd>MED-udvalget</dd>" in html
    assert '<meta name="date" content="2025-12-01">' in html


def test_an_export_without_answer_times_gives_an_undated_document(tmp_path, example_export):
    from docx import Document

    from fuldtid.stats.breakdown import run_breakdown
    from fuldtid.render.breakdown_render import breakdown_docx

    data = example_export.data.copy()
    data["starttime"] = pd.NaT
    data["closetime"] = pd.NaT
    path = write_export(example_export.variables, data, tmp_path / "utid.zip", form="csv-zip")
    b = run_breakdown(path, "op_i_tid", ["koen"])
    assert b.source is not None and b.source.last is None
    docx = breakdown_docx(b)
    assert breakdown_docx(b) == docx
    doc = Document(io.BytesIO(docx))
    assert doc.core_properties.created is None and doc.core_properties.modified is None
    assert not any(p.text.startswith("Dato:") for p in doc.paragraphs)
    dated = Document(io.BytesIO(breakdown_docx(b, info=DocumentInfo(dt.date(2024, 3, 1)))))
    assert any(p.text == "Dato: 1. marts 2024" for p in dated.paragraphs)


def test_breakdown_docx_has_the_memos_look_source_and_date(other_export, letter_template, tmp_path):
    from docx import Document

    out = tmp_path / "b.docx"
    args = ["breakdown", str(other_export), "--question", "op_i_tid", "--by", "overenskomst",
            "--docx-template", str(letter_template), "--author", "Anna Holm", "--date", "2026-01-05", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    _assert_danish_a4(data)
    assert CliRunner().invoke(cli, args).exit_code == 0 and out.read_bytes() == data
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "SurveyXact-eksport eksport2025.zip" in text and "2025" in text
    assert "Dato: 5. januar 2026" in text and "Sagsbehandler: Anna Holm" in text
    assert doc.core_properties.author == "Anna Holm"
    # The memo's styles: caption, table text, notes; no python-docx default look.
    used = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Caption", "Note"} <= used
    table = doc.tables[0]
    assert table.rows[0].cells[-1].text == "I alt"
    assert "Total" not in text and not re.search(r"\b(exact|corrected|simulations|chi-square)\b", text)
    widths = [c.width.cm for c in table.columns]
    sec = doc.sections[0]
    text_width = (sec.page_width - sec.left_margin - sec.right_margin) / 360000  # A4 less the template's margins
    assert sum(widths) == pytest.approx(text_width, abs=0.05) and text_width == pytest.approx(21.0 - 2 * 3.175, abs=0.01)
    # No group name broken inside a word: the label column holds the longest word of every label.
    labels = [row.cells[0].text for row in table.rows]
    longest = max(text_width_cm(w, 9) for lab in labels for w in re.split(r"\s+|(?<=[/\-–])(?=\w)", lab))
    assert widths[0] >= longest


# --- column widths ----------------------------------------------------------------------------------


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåABCDEFG.,", min_size=1, max_size=14)
labels = st.lists(words, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, st.integers(0, 999), st.integers(0, 100)), min_size=1, max_size=12),
       st.floats(10, 20))
def test_column_widths_fill_the_page_and_break_no_word(rows, total):
    lines = [("", "Ja", "I alt")] + [(lab, f"{n} ({p}%)", str(n)) for lab, n, p in rows]
    widths = column_widths(lines, total, nowrap=[False, True, True])
    assert sum(widths) == pytest.approx(total)
    # The label column holds its longest word, a number column its widest cell (each as printed).
    least = [max(text_width_cm(w, 9) for line in lines for w in str(line[0]).split() or [""]),
             *(max(text_width_cm(str(line[c]), 9) for line in lines[1:]) for c in (1, 2))]
    if sum(SAFETY * 1.08 * lo + CELL_PADDING_CM for lo in least) <= total:
        assert all(w >= lo for w, lo in zip(widths, least))
    else:  # too many columns for the page: all shrink alike, none to nothing
        assert min(widths) > 0


# --- Danish names -----------------------------------------------------------------------------------


def test_every_method_of_the_significance_module_has_a_danish_name():
    from fuldtid.danish import method_name
    from fuldtid.stats.significance import test_difference

    cases = [
        np.array([[3, 7], [8, 2]]),                        # 2 x 2: Fisher
        np.array([[1, 4, 2], [5, 1, 3]]),                  # small expected: exact
        np.array([[30, 40, 2], [50, 20, 3], [40, 45, 1], [20, 30, 4]]),  # larger: Monte Carlo or exact
        np.array([[60, 40], [45, 55], [70, 30]]),          # chi-square
    ]
    seen = set()
    for counts in cases:
        t = test_difference(pd.DataFrame(counts))
        name = method_name(t.method)
        seen.add(name.split(" (")[0])
        assert not re.search(r"\b(test of|exact|simulations|chi-square|corrected|Fisher's)\b", name), name
    assert "Fishers eksakte test" in seen and "chi-i-anden-test" in seen
    assert method_name("Monte Carlo exact test (19999 simulations, seed 2022)") == \
        "Monte Carlo-test (19.999 simuleringer, seed 2022)"
    assert method_name("Rao-Scott corrected chi-square test (F)") == "Rao–Scott-korrigeret chi-i-anden-test (F)"


@pytest.mark.parametrize("ext", [".csv", ".json", ".xlsx", ".docx", ".html"])
def test_no_english_method_names_in_any_breakdown_format(other_export, example_dir, tmp_path, ext):
    out = tmp_path / f"b{ext}"
    result = CliRunner().invoke(cli, ["breakdown", str(other_export), "--question", "op_i_tid", "--by", "omraade",
                                      "--population", str(example_dir / "population.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if ext == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data)).active
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    elif ext == ".docx":
        from docx import Document

        doc = Document(io.BytesIO(data))
        text = "\n".join(p.text for p in doc.paragraphs)
    else:
        text = data.decode("utf-8-sig")
    if ext == ".json":
        import json

        d = json.loads(text)
        assert d["test"]["method_name"] == "Rao–Scott-korrigeret chi-i-anden-test (F)"
        return
    assert "Total" not in text and "chi-square" not in text and "corrected" not in text
    if ext != ".csv":
        assert "Rao–Scott-korrigeret chi-i-anden-test (F)" in text


# --- workbooks and the CSV ----------------------------------------------------------------------------


def test_breakdown_workbook_holds_numbers_with_a_header_row_frozen_and_a4(other_export, example_dir, tmp_path):
    from openpyxl import load_workbook

    from fuldtid.stats.breakdown import run_breakdown
    from fuldtid.render.breakdown_render import breakdown_xlsx
    from fuldtid.render.xlsx import PCT_FORMAT

    b = run_breakdown(other_export, "ned_i_tid", ["omraade"], population=example_dir / "population.csv")
    ws = load_workbook(io.BytesIO(breakdown_xlsx(b)))["Opdeling"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 2).value == "Ja, antal")
    header = [c.value for c in ws[header_row]]
    assert header[:6] == ["Område", "Ja, antal", "Ja, andel", "Nej, antal", "Nej, andel", "I alt, antal"]
    assert "Ja, vægtet andel" in header and "Ja, 95%-KI nedre" in header
    assert ws.freeze_panes == f"B{header_row + 1}"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    shown = [r for r in b.rows if not r.suppressed]
    for k, r in enumerate(b.rows):
        cells = [c.value for c in ws[header_row + 1 + k]]
        assert cells[0] == r.label
        if r.suppressed:
            assert cells[1] == "*"
            continue
        assert cells[1] == r.counts["Ja"] and isinstance(cells[1], int)
        assert cells[2] == pytest.approx((r.pcts["Ja"] or 0) / 100)
        assert ws.cell(header_row + 1 + k, 3).number_format == PCT_FORMAT
        assert cells[5] == r.total
    total = [c.value for c in ws[header_row + 1 + len(b.rows)]]
    assert total[0] == "I alt" and total[5] == b.overall_total
    assert shown
    assert breakdown_xlsx(b) == breakdown_xlsx(b)  # same bytes on a rerun
    props = load_workbook(io.BytesIO(breakdown_xlsx(b))).properties
    last = b.source.last
    assert props.created == dt.datetime(last.year, last.month, last.day) and last.year == 2025
    assert props.title == b.title and props.language == "da-DK"


def test_csv_is_for_danish_excel(other_export, tmp_path):
    from fuldtid.stats.breakdown import run_breakdown
    from fuldtid.render.breakdown_render import breakdown_csv

    b = run_breakdown(other_export, "op_i_tid", ["omraade"], min_group=1)
    data = breakdown_csv(b)
    assert data.startswith("\ufeff".encode("utf-8"))
    lines = data.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    pct_col = header.index("pct_Ja")
    for line, r in zip(lines[1:], b.rows):
        cell = line.split(";")[pct_col]
        if r.pcts and r.pcts["Ja"] is not None:
            assert re.fullmatch(r"\d+,\d{4}", cell) and "." not in cell
            assert float(cell.replace(",", ".")) == pytest.approx(r.pcts["Ja"], abs=5e-5)


# --- the memo's finish -----------------------------------------------------------------------------


def test_memo_prose_has_no_field_names_and_one_exclusion_line_per_table(other_tables):
    from fuldtid.render.memo import build_memo

    memo = build_memo(other_tables)
    text = memo.text()
    assert "koen" not in text
    # 15 did not give their gender and 2 their hours: 2 is a group below the threshold, so no count of those
    # left out of the weighting is given (15 with the total of 17 would give the 2 away).
    assert ("Nogle besvarelser kan ikke vægtes og indgår ikke i de vægtede tal, fordi de mangler køn eller "
            "mangler timetal; antallet vises ikke") in text
    assert not re.search(r"\b(15|17|2) besvarelser (mangler|kan ikke)", text)
    for field in other_tables.survey.definition.fields:
        if "_" in field or field in ("koen", "omraade"):
            assert not re.search(rf"\b{field}\b", text), field
    for b in memo.tables():
        assert sum(n.startswith("Ikke med i tabellen") for n in b.notes) <= 1
        assert b.grid.total[0] == "I alt"
        for row in b.grid.rows:
            quotes = [q for cell in row[1:] for q in cell.split("\n") if q.startswith("”")]
            assert len(quotes) == len(set(quotes))


def test_merged_groups_are_explained_from_the_table(other_tables):
    from fuldtid.render.grid import table_grid

    merged_seen = 0
    for t in other_tables.tables:
        merged = [r for r in t.rows if len(r.members) > 1 and not r.suppressed]
        notes = table_grid(t).notes
        for r in merged:
            merged_seen += 1
            n = r.count if t.kind != "cross" else r.total
            note = next(x for x in notes if x.startswith(f"»{r.label}« samler"))
            assert f"samler {len(r.members)} " in note and f"i alt {n} besvarelse" in note
        in_merged = {m for r in merged for m in r.members}
        star = [x for x in notes if x.startswith("*")]
        if merged and all(h.label in in_merged for h in t.rows if h.suppressed):
            # every hidden group is in "Øvrige grupper": the note says so, not "færre end 5"
            assert star == [f"* Vises ikke for sig af hensyn til anonymiteten; tælles med i »{merged[0].label}«."]
    assert merged_seen


def test_same_quote_is_shown_once():
    from fuldtid.render.grid import unique_quotes

    assert unique_quotes(["For lidt tid.", "for  lidt tid.", "Andet", "For lidt tid."]) == ["For lidt tid.", "Andet"]


def test_table_rows_are_kept_together_and_the_total_row_not_orphaned(other_tables):
    from docx import Document

    from fuldtid.render.memo_docx import memo_docx

    doc = Document(io.BytesIO(memo_docx(other_tables)))
    for table in doc.tables:
        rows = table.rows
        for row in rows:
            assert row._tr.find(f"{W}trPr/{W}cantSplit") is not None
        # the row before the total keeps with the total row, so "I alt" never starts a page alone
        before_total = rows[-2].cells[0].paragraphs[0]
        assert before_total.paragraph_format.keep_with_next
        assert rows[0].cells[0].paragraphs[0].paragraph_format.keep_with_next


def test_figures_use_the_body_font_and_print_sharp(other_tables):
    from PIL import Image

    from fuldtid.render import figures
    from fuldtid.render.memo import build_memo

    f = build_memo(other_tables).figures()[0].data
    png = figures.render_png(f)
    im = Image.open(io.BytesIO(png))
    dpi = im.info.get("dpi", (0, 0))[0]
    assert dpi >= 200 and im.width >= 6 * 200
    svg = figures.render_svg(f)
    assert svg == figures.render_svg(f) and "<svg" in svg
    import matplotlib.font_manager as fm

    assert fm.findfont(fm.FontProperties(family=figures.FONT), fallback_to_default=False).endswith(".ttf")
    assert figures.FONT == "Liberation Sans"


# --- validate --population --------------------------------------------------------------------------


def test_validate_checks_the_population_file(other_export, example_dir, tmp_path):
    ok = CliRunner().invoke(cli, ["validate", str(other_export), "--population", str(example_dir / "population.csv"),
                                  "--coding", str(example_dir / "coding.csv")])
    assert ok.exit_code == 0, ok.output
    assert "Population file" in ok.output and "koen" in ok.output and "Weighting:" in ok.output
    assert re.search(r"koen\s+\(not answered\)\s+15 respondents", ok.output)
    # A register that counts fewer men than answered is a problem the analyst must see.
    bad = tmp_path / "pop.csv"
    bad.write_text("variabel;kategori;antal;omfatter\nkoen;Kvinde;1100;\nkoen;Mand;72;\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(other_export), "--population", str(bad)])
    assert result.exit_code == 1
    assert "PROBLEM: more answered than the register counts" in result.output


def test_validate_reports_an_unreadable_population_file_in_two_lines(other_export, tmp_path):
    bad = tmp_path / "pop.csv"
    bad.write_text("variabel;kategori;antal\nkoen;Ukendt;10\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(other_export), "--population", str(bad)])
    assert result.exit_code != 0
    assert "pop.csv" in result.output and "Traceback" not in result.output


def test_the_weighted_note_names_whom_the_weights_stand_for_in_the_definitions_words():
    import io

    import openpyxl

    from fuldtid.render.grid import weighted_note
    from fuldtid.render.xlsx import tables_workbook
    from memo_helpers import example_tableset, with_definition

    tsw = example_tableset(min_group=5, population=True)
    assert "hele medarbejdergruppen" in weighted_note(tsw.survey.definition)  # vjh.yaml: population_group
    assert "hele populationen" in weighted_note(None)
    for ts, words in ((tsw, "hele medarbejdergruppen"), (with_definition(tsw, wording={}), "hele populationen")):
        wb = openpyxl.load_workbook(io.BytesIO(tables_workbook(ts)))
        text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
        assert f"Vægtet: andelen skønnet for {words} ud fra populationsfilen" in text

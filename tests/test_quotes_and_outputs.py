"""Personal data masked in quotes; outputs safe against formula injection; writes whole or not at all."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuldtid.atomic import atomic_path
from fuldtid.stats.quotes import mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skriv til anne.hansen@aarhus.dk tak", "skriv til [e-mail] tak"),
        ("ring på 86 12 34 56 efter kl 15", "ring på [telefonnr.] efter kl 15"),
        ("mit nr er +45 86123456", "mit nr er [telefonnr.]"),
        ("cpr 010190-1234 står i sagen", "cpr [CPR-nr.] står i sagen"),
        ("cpr 0101901234", "cpr [CPR-nr.]"),
        ("jeg arbejder 30-36 timer, 2 weekender", "jeg arbejder 30-36 timer, 2 weekender"),
        ("Åbningstidspunktet er fra 9-15", "Åbningstidspunktet er fra 9-15"),
    ],
)
def test_mask_personal_data(text, expected):
    assert mask_personal_data(text) == expected


@given(st.from_regex(r"[0-3][0-9][01][0-9][0-9]{2}-[0-9]{4}", fullmatch=True), st.text(alphabet="abc æøå", max_size=10))
def test_every_cpr_shape_is_masked(cpr, prefix):
    assert cpr not in mask_personal_data(f"{prefix} {cpr} {prefix}")


def test_example_quotes_carry_no_personal_data(example_tables):
    import re

    for t in example_tables.tables:
        for r in t.rows:
            for q in getattr(r, "examples", ()):
                assert "@" not in q
                assert not re.search(r"\d{6}-?\d{4}", q)
                assert not re.search(r"\d{2} \d{2} \d{2} \d{2}", q)


def test_xlsx_text_never_becomes_a_formula(tmp_path):
    from openpyxl import load_workbook

    from fuldtid.render.xlsx import new_workbook, set_cell, workbook_bytes

    wb = new_workbook()
    ws = wb.create_sheet("x")
    for i, v in enumerate(['=HYPERLINK("http://x","klik")', "+45 12", "-5 timer", "@SUM(A1)"], start=1):
        set_cell(ws, i, 1, v)
    data = workbook_bytes(wb)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    wb2 = load_workbook(io.BytesIO(data))
    assert wb2["x"]["A1"].value == '=HYPERLINK("http://x","klik")'
    assert wb2["x"]["A1"].data_type == "s"


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "tables.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["tables.json"]
    with atomic_path(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"


def test_report_writes_nothing_when_a_format_fails(example_tables, tmp_path, monkeypatch):
    from fuldtid import report

    def broken(*_a, **_k):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("fuldtid.render.xlsx.tables_workbook", broken)
    with pytest.raises(RuntimeError):
        report.write_report(example_tables, tmp_path / "out", ["json", "xlsx"])
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_tables_workbook_holds_numbers(example_tables):
    from openpyxl import load_workbook

    from fuldtid.render.xlsx import PCT_FORMAT, tables_workbook

    wb = load_workbook(io.BytesIO(tables_workbook(example_tables)))
    assert wb.sheetnames == [f"Tabel {n}" for n in range(1, 15)]
    ws = wb["Tabel 1"]
    assert ws["A1"].value == "Tabel 1: Deltidsansattes ønske om at gå op i tid (n=214)"
    assert [c.value for c in ws[4]][:3] == ["Svar", "Antal", "Procent"]  # one header row
    assert [c.value for c in ws[5]][:2] == ["Ja", 65]
    assert ws["C5"].value == pytest.approx(65 / 214) and ws["C5"].number_format == PCT_FORMAT
    assert [c.value for c in ws[7]][:3] == ["I alt", 214, 1.0]
    assert ws.freeze_panes == "B5"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1  # 9: A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    ws13 = wb["Tabel 13"]
    assert [c.value for c in ws13[4]][:6] == ["Gruppe", "Ja, antal", "Ja, andel", "Nej, antal", "Nej, andel", "I alt, antal"]
    row = [c.value for c in ws13[6]][:6]
    assert row[0] == "Akademikere, KL" and row[1] == 1 and row[3] == 2 and row[5] == 3
    assert row[2] == pytest.approx(1 / 3) and row[4] == pytest.approx(2 / 3)

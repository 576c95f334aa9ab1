"""The coding sheet: what it holds, that it is safe, and that it reads back as the coding file it is."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuldtid.model.coding import Coding, read_coding
from fuldtid.render.codingsheet import BANNER, CATEGORY_SHEET, GUIDE_SHEET, coding_sheet, context_fields
from fuldtid.stats.suggest import suggest
from fuldtid.model.survey import load_survey
from fuldtid.stats.tables import build_tables

QUESTION_SHEETS = ["s_9 op_hvorfor", "s_10 op_hvorfor_ikke", "s_13 ned_hvorfor", "s_14 ned_hvorfor_ikke",
                   "s_16 mulighed_uddyb"]


# --- a tiny hand-made export ------------------------------------------------------------------------

OPTIONS = {
    "s_1": ("Hvad er dit køn?", ["Kvinde", "Mand"]),
    "s_2": ("Hvor gammel er du?", ["Under 19 år", "19-29 år", "30-39 år", "40-49 år", "50-59 år",
                                   "60 år eller derover"]),
    "s_3": ("Hvad er din stillingsbetegnelse?", ["Pædagog", "Socialpædagog"]),
    "s_4": ("Hvilken overenskomst er du ansat efter?", ["Akademikere, KL"]),
    "s_5": ("Hvilket tilbud er du ansat i?", ["Rådgivning og Visitation, Team Handicap"]),
    "s_6": ("Hvor mange timer om ugen er du ansat til?", ["1-9 timer", "10-19 timer", "20-29 timer",
                                                         "30-36 timer", "37 timer"]),
    "s_7": ("Ønsker du at gå op i tid?", ["Ja", "Nej"]),
    "s_8": ("Til hvor mange timer om ugen ønsker du at gå op?", ["1-9 timer", "10-19 timer", "20-29 timer",
                                                                "30-36 timer", "37 timer"]),
    "s_9": ("Hvorfor ønsker du at gå op i tid?", None),
    "s_10": ("Hvorfor ønsker du ikke at gå op i tid?", None),
    "s_11": ("Ønsker du at gå ned i tid?", ["Ja", "Nej"]),
    "s_12": ("Til hvor mange timer om ugen ønsker du at gå ned?", ["1-9 timer", "10-19 timer", "20-29 timer",
                                                                  "30-36 timer"]),
    "s_13": ("Hvorfor ønsker du at gå ned i tid?", None),
    "s_14": ("Hvorfor ønsker du ikke at gå ned i tid?", None),
    "s_15": ("Oplever du, at det er muligt at gå op eller ned i tid på din arbejdsplads?", ["Ja", "Nej", "Ved ikke"]),
    "s_16": ("Uddyb gerne dit svar", None),
}


def _cell(v: object) -> str:
    s = "" if v is None else str(v)
    if any(ch in s for ch in ';"\r\n'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def write_trio(folder: Path, rows: list[dict]) -> Path:
    """A SurveyXact CSV trio (UTF-8) of the VJH questionnaire; ``rows`` map s_N to a code or a text."""
    folder.mkdir(parents=True, exist_ok=True)
    structure = ["questionName;variableName;questionType;subType;questionText;choiceValue;choiceText;"]
    labels = []
    for var, (text, options) in OPTIONS.items():
        if options is None:
            structure.append(f"{var};{var};open;text;{text};;;")
            continue
        for i, o in enumerate(options, start=1):
            structure.append(f"{var};{var};single;radio;{text};{i};{o};")
            labels.append(f"{var};{i};{o}")
    header = ["respondentid", "email", *OPTIONS, *(f"statoverall_{i}" for i in range(1, 6))]
    lines = [";".join(header)]
    for r in rows:
        answered = r.get("answered", True)
        status = [0, int(not answered), 0, int(answered), 0]
        values = [r["respondentid"], "someone@mail.example", *(r.get(v) for v in OPTIONS), *status]
        lines.append(";".join(_cell(v) for v in values))
    for name, content in (("dataset.csv", lines), ("structure.csv", structure), ("labels.csv", labels)):
        (folder / name).write_bytes(("\r\n".join(content) + "\r\n").encode("utf-8"))
    return folder


HAZARDS = {
    "2001": "=HYPERLINK(\"http://evil.example\",\"klik\")",
    "2002": "+45 gange om ugen, lønnen er for lav",
    "2003": "-5 timer ville passe mig",
    "2004": "@mig: jeg vil tjene mere",
    "2005": "ring på 86 12 34 56 for løn",
}


@pytest.fixture()
def small_survey(tmp_path: Path):
    rows = [
        # Part-timers who want more hours (s_9), with hazards in their answers.
        *({"respondentid": rid, "s_6": 3, "s_7": 1, "s_9": text, "s_15": 1} for rid, text in HAZARDS.items()),
        {"respondentid": "2006", "s_6": 2, "s_7": 1, "s_9": "x" * 40_000, "s_15": 1},
        {"respondentid": "2007", "s_6": 2, "s_7": 1, "s_9": None, "s_15": 1},  # routed, no answer
        {"respondentid": "2008", "s_6": 4, "s_7": 2, "s_10": "Det passer mig fint", "s_15": 2,
         "s_16": "Der er ingen penge til flere timer"},
        {"respondentid": "2009", "s_6": 5, "s_11": 2, "s_14": "Har ikke råd og er glad for jobbet", "s_15": 3,
         "s_16": "ved ikke om det kan lade sig gøre"},  # s_16 of a "Ved ikke": not coded, not in the sheet
        {"respondentid": "2010", "s_6": 5, "s_11": 1, "s_13": "For mere fritid med familien", "s_15": 1,
         "s_16": "Det kan man godt"},  # s_16 of a "Ja": not in the sheet
        {"respondentid": "2011", "answered": False},
    ]
    return load_survey(write_trio(tmp_path / "export", rows))


def _open(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def _table(ws) -> tuple[list[str], list[dict[str, object]]]:
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=3)]
    return header, rows


def _codes(frame: pd.DataFrame) -> list[tuple[str, str, str, bool]]:
    return sorted((str(a), str(b), str(c), bool(d)) for a, b, c, d in
                  frame[["respondentid", "field", "kategori", "citat"]].itertuples(index=False))


# --- on the shipped example ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_coding(example_survey, example_dir):
    return read_coding(example_dir / "coding.csv", example_survey)


@pytest.fixture(scope="module")
def empty_sheet(example_survey) -> bytes:
    return coding_sheet(example_survey)


def test_sheets_and_layout(empty_sheet: bytes, example_survey) -> None:
    wb = _open(empty_sheet)
    assert wb.sheetnames == [GUIDE_SHEET, *QUESTION_SHEETS, CATEGORY_SHEET]
    assert wb[CATEGORY_SHEET].sheet_state == "hidden"
    headers = {
        "s_9 op_hvorfor": ["timetal", "op_i_tid"],
        "s_10 op_hvorfor_ikke": ["timetal", "op_i_tid"],
        "s_13 ned_hvorfor": ["timetal", "ned_i_tid"],
        "s_14 ned_hvorfor_ikke": ["timetal", "ned_i_tid"],
        "s_16 mulighed_uddyb": ["mulighed"],
    }
    for name, context in headers.items():
        ws = wb[name]
        assert len(name) <= 31
        assert ws["A1"].value.startswith(BANNER) and ws["B1"].value is None  # a one-cell banner
        header, _ = _table(ws)
        assert header == ["respondentid", "variabel", *context, "svar", "forslag", "kategori", "citat"]
        assert ws.freeze_panes == "A3"
        svar = header.index("svar") + 1
        assert ws.cell(row=3, column=svar).alignment.wrap_text
        assert ws.column_dimensions[ws.cell(row=2, column=svar).column_letter].width >= 60


def test_one_row_per_non_empty_routed_answer(empty_sheet: bytes, example_survey) -> None:
    wb = _open(empty_sheet)
    r = example_survey.responses
    expected = {
        "s_9 op_hvorfor": ("op_hvorfor", "op_ja"),
        "s_10 op_hvorfor_ikke": ("op_hvorfor_ikke", "op_nej"),
        "s_13 ned_hvorfor": ("ned_hvorfor", "ned_ja"),
        "s_14 ned_hvorfor_ikke": ("ned_hvorfor_ikke", "ned_nej"),
        "s_16 mulighed_uddyb": ("mulighed_uddyb", "mulighed_nej"),
    }
    counts = {}
    for name, (field, group) in expected.items():
        _, rows = _table(wb[name])
        texts = r.loc[example_survey.group_mask(group), field].dropna()
        assert [row["respondentid"] for row in rows] == [str(i) for i in texts.index]
        assert [row["svar"] for row in rows] == list(texts)
        assert {row["variabel"] for row in rows} == {name.split()[0]}
        assert all(row["kategori"] is None and row["citat"] is None for row in rows)
        codebook = example_survey.definition.fields[field].codebook
        assert [row["forslag"] or "" for row in rows] == ["; ".join(suggest(t, codebook)) for t in texts]
        counts[name.split()[0]] = len(rows)
    assert counts == {"s_9": 58, "s_10": 128, "s_13": 27, "s_14": 68, "s_16": 28}
    # s_16 is answered by many more than those who find a change impossible; only theirs are coded.
    assert r["mulighed_uddyb"].notna().sum() > counts["s_16"]
    _, rows = _table(wb["s_16 mulighed_uddyb"])
    assert {row["mulighed"] for row in rows} == {"Nej"}
    _, rows = _table(wb["s_9 op_hvorfor"])
    assert {row["op_i_tid"] for row in rows} == {"Ja"}
    assert {row["timetal"] for row in rows} <= {"1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer"}


def test_category_drop_downs(empty_sheet: bytes, example_survey) -> None:
    wb = _open(empty_sheet)
    lists = wb[CATEGORY_SHEET]
    for name in QUESTION_SHEETS:
        ws = wb[name]
        field = example_survey.definition.fields[name.split()[1]]
        (dv,) = ws.data_validations.dataValidation
        assert dv.type == "list" and dv.allow_blank and not dv.showErrorMessage
        m = re.fullmatch(r"'Kategorier'!\$([A-Z])\$2:\$\1\$(\d+)", dv.formula1)
        assert m, dv.formula1
        col, last = m.group(1), int(m.group(2))
        assert [lists[f"{col}{i}"].value for i in range(2, last + 1)] == list(field.categories)
        header, rows = _table(ws)
        kategori = ws.cell(row=2, column=header.index("kategori") + 1).column_letter
        assert str(dv.sqref) == f"{kategori}3:{kategori}{len(rows) + 2}"
    # Categories with commas are cells of the list sheet, not an inline list.
    assert "Fritid, familietid og uddannelse" in [c.value for c in lists["B"]]


def test_guide_warns_and_explains(empty_sheet: bytes) -> None:
    ws = _open(empty_sheet)[GUIDE_SHEET]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    assert ws["A1"].value.startswith("FORTROLIGT") and ws["A1"].font.bold
    assert "personoplysninger" in text and "slet" in text
    assert "fuldtid report surveys/examples/vjh_2022/export --coding" in text.replace(str(Path.cwd()) + "/", "")
    assert "kun svarene fra medarbejdere, der ikke oplever det muligt at ændre timetal kodes" in text
    assert "s_16 mulighed_uddyb: Uddyb gerne dit svar – 28 svar" in text
    # Only one cell per row: the reader never takes the guide for a coding table.
    assert all(row[1].value is None for row in ws.iter_rows(max_col=2))


def test_deterministic(example_survey, example_coding, empty_sheet: bytes) -> None:
    assert coding_sheet(example_survey) == empty_sheet
    # No clock in the file (openpyxl stamps the time of saving unless undone).
    with zipfile.ZipFile(io.BytesIO(empty_sheet)) as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["2000-01-01T00:00:00Z"] * 2
    assert coding_sheet(example_survey, example_coding) == coding_sheet(example_survey, example_coding)


def test_round_trip_keeps_existing_codes_exactly(example_survey, example_coding, tmp_path: Path) -> None:
    path = tmp_path / "ark.xlsx"
    path.write_bytes(coding_sheet(example_survey, example_coding))
    back = read_coding(path, example_survey)
    assert _codes(back.codes) == _codes(example_coding.codes)
    assert len(back.codes) == 288 and back.codes["citat"].sum() == example_coding.codes["citat"].sum()
    # Two categories of one answer share one row.
    _, rows = _table(_open(path.read_bytes())["s_14 ned_hvorfor_ikke"])
    assert sum(";" in (row["kategori"] or "") for row in rows) == 2


def _fill_in(data: bytes, codes: pd.DataFrame, path: Path) -> None:
    """Do what the analyst does: type the categories (and quote marks) into an empty sheet."""
    wb = _open(data)
    by_answer = {}
    for rid, field, cat, citat in codes[["respondentid", "field", "kategori", "citat"]].itertuples(index=False):
        cats, quoted = by_answer.get((rid, field), ([], False))
        by_answer[(rid, field)] = ([*cats, cat], quoted or bool(citat))
    for name in QUESTION_SHEETS:
        ws = wb[name]
        header, _ = _table(ws)
        kcol, ccol = header.index("kategori") + 1, header.index("citat") + 1
        for r in range(3, ws.max_row + 1):
            key = (ws.cell(row=r, column=1).value, name.split()[1])
            if key in by_answer:
                cats, quoted = by_answer.pop(key)
                ws.cell(row=r, column=kcol).value = " ;".join(c.lower() for c in cats)  # sloppy typing
                ws.cell(row=r, column=ccol).value = "x" if quoted else None
    assert not by_answer  # every coded answer has a row
    wb.save(path)


def test_filled_in_sheet_gives_the_same_tables_as_coding_csv(example_survey, example_coding, empty_sheet,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "udfyldt.xlsx"
    _fill_in(empty_sheet, example_coding.codes, path)
    from_sheet = read_coding(path, example_survey)
    # Quote marks are per answer in the sheet, as in coding.csv's answers (no answer has mixed marks).
    assert _codes(from_sheet.codes) == _codes(example_coding.codes)
    a = build_tables(example_survey, example_coding, min_group=1)
    b = build_tables(example_survey, from_sheet, min_group=1)
    assert [t.to_dict() for t in b.tables] == [t.to_dict() for t in a.tables]
    assert [t.to_dict()["base"] for t in b.tables if t.kind == "coded"] == [55, 121, 26, 62, 22]


# --- on a hand-made export ------------------------------------------------------------------------------


def test_answers_are_text_never_formulas(small_survey) -> None:
    # The export reader refuses control bytes in a CSV, but an .xlsx or .sav export can carry them.
    small_survey.responses.loc["2005", "op_hvorfor"] = "ring på 86 12 34 56 \x07 for løn"
    data = coding_sheet(small_survey)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    _, rows = _table(_open(data)["s_9 op_hvorfor"])
    svar = {row["respondentid"]: row["svar"] for row in rows}
    for rid in ("2001", "2002", "2003", "2004"):
        assert svar[rid] == HAZARDS[rid]
    # A control character Excel cannot store is replaced, the rest of the answer kept.
    assert svar["2005"] == "ring på 86 12 34 56   for løn"
    # An answer beyond Excel's cell limit is cut, and says so.
    assert len(svar["2006"]) == 32_767 and svar["2006"].endswith("[…forkortet]")
    assert "2007" not in svar  # no answer, no row


def test_routing_and_uncoded_groups_on_small_export(small_survey) -> None:
    wb = _open(coding_sheet(small_survey))
    _, s16 = _table(wb["s_16 mulighed_uddyb"])
    assert [(r["respondentid"], r["mulighed"], r["forslag"]) for r in s16] == [
        ("2008", "Nej", "Manglende ressourcer")
    ]
    _, s14 = _table(wb["s_14 ned_hvorfor_ikke"])
    assert [(r["timetal"], r["ned_i_tid"], r["forslag"]) for r in s14] == [("37 timer", "Nej", None)]  # ambiguous
    _, s10 = _table(wb["s_10 op_hvorfor_ikke"])
    assert [r["forslag"] for r in s10] == ["Tilfredshed"]


def test_existing_codes_outside_the_rows_and_mixed_quote_marks_survive(small_survey, tmp_path: Path) -> None:
    existing = tmp_path / "coding.csv"
    existing.write_text(
        "respondentid;variabel;kategori;citat\n"
        "2002;s_9;Økonomi;1\n"
        "2002;s_9;Overskud og ansvar;\n"  # only one of two categories is marked as a quote
        "2007;s_9;Ansættelsesvilkår;\n"  # a code for a respondent with no answer text
        "2008;s_10;Tilfredshed;\n"
        "2009;s_14;Tilfredshed;1\n"
        "2009;s_14;Økonomi;1\n",
        encoding="utf-8",
    )
    coding = read_coding(existing, small_survey)
    sheet = tmp_path / "ark.xlsx"
    sheet.write_bytes(coding_sheet(small_survey, coding))
    assert _codes(read_coding(sheet, small_survey).codes) == _codes(coding.codes)
    wb = _open(sheet.read_bytes())
    _, s9 = _table(wb["s_9 op_hvorfor"])
    assert [(r["kategori"], r["citat"]) for r in s9 if r["respondentid"] == "2002"] == [
        ("Økonomi", "1"), ("Overskud og ansvar", None)
    ]
    assert [(r["svar"], r["kategori"]) for r in s9 if r["respondentid"] == "2007"] == [(None, "Ansættelsesvilkår")]
    _, s14 = _table(wb["s_14 ned_hvorfor_ikke"])
    assert [(r["kategori"], r["citat"]) for r in s14] == [("Tilfredshed; Økonomi", "1")]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_existing_coding_reads_back_exactly(small_survey, tmp_path: Path, data) -> None:
    d = small_survey.definition
    answered = list(small_survey.responses.index)
    records = []
    for field in ("op_hvorfor", "op_hvorfor_ikke", "ned_hvorfor_ikke", "mulighed_uddyb"):
        for rid in data.draw(st.lists(st.sampled_from(answered), unique=True, max_size=4)):
            cats = data.draw(st.lists(st.sampled_from(d.fields[field].categories), min_size=1, max_size=3,
                                      unique=True))
            records += [(rid, field, c, data.draw(st.booleans())) for c in cats]
    codes = pd.DataFrame(records, columns=["respondentid", "field", "kategori", "citat"])
    existing = Coding(tmp_path / "x.csv", codes)
    sheet = tmp_path / "ark.xlsx"
    sheet.write_bytes(coding_sheet(small_survey, existing))
    assert _codes(read_coding(sheet, small_survey).codes) == _codes(codes)


def test_guide_names_the_export_as_asked(small_survey) -> None:
    ws = _open(coding_sheet(small_survey, export_name="eksport.zip"))[GUIDE_SHEET]
    assert "fuldtid report eksport.zip --coding <dette ark>.xlsx" in [c.value for c in ws["A"]]


def test_context_fields_follow_the_group_chain(small_survey) -> None:
    d = small_survey.definition
    assert context_fields(d, "op_ja") == ["timetal", "op_i_tid"]
    assert context_fields(d, "ned_nej") == ["timetal", "ned_i_tid"]
    assert context_fields(d, "mulighed_nej") == ["mulighed"]
    assert context_fields(d, "alle") == []

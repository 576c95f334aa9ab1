"""Reading SurveyXact exports: every form, encoding and separator, and every way an export can be bad."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fuldtid.errors import ExportError
from fuldtid.read.export import Export, Variable, is_admin_column, read_export
from exportwriter import write_export

REPO = Path(__file__).resolve().parents[1]

# A SurveyXact CSV trio written by hand (not by our writer), as cp1252 with ';' and CR LF.
STRUCTURE = """\
questionName;variableName;questionType;subType;questionText;choiceValue;choiceText;
s_1;s_1;Closed;Single;Hvad er dit køn?;1;Kvinde;
s_1;s_1;Closed;Single;Hvad er dit køn?;2;Mand;
s_6;s_6;Closed;Single;Hvor mange timer om ugen er du ansat til?;;;
s_7;s_7;Closed;Single;Ønsker du at gå op i tid?;;;
s_16;s_16;Open;String;Uddyb gerne dit svar ;;;
"""
LABELS = """\
s_1;1;Kvinde
s_1;2;Mand
s_6;5;37 timer
s_6;1;1-9 timer
s_6;2;10-19 timer
s_6;3;20-29 timer
s_6;4;30-36 timer\u0020
s_7;1;Ja
s_7;2;Nej
"""
ADMIN = "statinternal_1;created;closetime;starttime;email"
STATUS = "statoverall_1;statoverall_2;statoverall_3;statoverall_4;statoverall_5"
DATASET = f"""\
respondentid;{ADMIN};s_1;s_6;s_7;s_16;{STATUS}
81234567;x;25-07-2022 08:00:00;28-07-2022 10:05:00;28-07-2022 10:00:00;anna@example.dk;1;3;1;"Mere tid; ""tak""
og æøå";0;0;0;1;0
81234568.0;x;25-07-2022 08:00:00;;01-08-2022 11:00:00;bo@example.dk;2;5;;  ;0;0;1;0;0
81234569;x;25-07-2022 08:00:00;;;carl@example.dk;;;;;0;1;0;0;0
81234570;x;25-07-2022 08:00:00;;;dora@example.dk;;;;;1;0;0;0;0
"""


def write_trio(folder: Path, dataset: str = DATASET, structure: str = STRUCTURE, labels: str = LABELS,
               encoding: str = "cp1252", names=("dataset.csv", "structure.csv", "labels.csv")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in zip(names, (dataset, structure, labels)):
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return folder


@pytest.fixture
def trio(tmp_path: Path) -> Path:
    return write_trio(tmp_path / "eksport")


def error_of(path: Path) -> str:
    with pytest.raises(ExportError) as info:
        read_export(path)
    message = str(info.value)
    assert len(message.splitlines()) <= 2, message
    assert "Traceback" not in message
    return message


# --------------------------------------------------------------------------------------------------
# The hand-written export


def test_reads_hand_written_trio(trio: Path) -> None:
    exp = read_export(trio)
    assert exp.form == "csv-folder" and exp.encoding == "cp1252" and exp.separator == ";"
    assert list(exp.variables) == ["s_1", "s_6", "s_7", "s_16"]
    assert exp.variables["s_1"] == Variable("s_1", "Hvad er dit køn?", "single", {1: "Kvinde", 2: "Mand"})
    # Labels come in code order, stripped, even when Labels lists them out of order.
    assert list(exp.variables["s_6"].labels.items()) == [
        (1, "1-9 timer"), (2, "10-19 timer"), (3, "20-29 timer"), (4, "30-36 timer"), (5, "37 timer")]
    assert exp.variables["s_16"] == Variable("s_16", "Uddyb gerne dit svar", "open", {})
    assert (exp.distributed, exp.answered) == (4, 2)
    assert exp.response_rate == pytest.approx(0.5)
    d = exp.data
    assert list(d.index) == ["81234567", "81234568", "81234569", "81234570"]
    assert d.index.name == "respondentid"
    assert list(d.columns) == ["s_1", "s_6", "s_7", "s_16", "answered", "status", "starttime", "closetime"]
    assert str(d["s_1"].dtype) == "Int64" and str(d["s_6"].dtype) == "Int64"
    assert d["s_1"].tolist() == [1, 2, pd.NA, pd.NA]
    assert d["s_7"].tolist() == [1, pd.NA, pd.NA, pd.NA]
    assert d.loc["81234567", "s_16"] == 'Mere tid; "tak"\r\nog æøå'
    assert d["s_16"].isna().tolist() == [False, True, True, True]  # blank answer is missing
    assert d["answered"].tolist() == [True, True, False, False]
    assert d["status"].tolist()[:3] == ["Gennemført", "Delvist besvaret", "Distribueret"]
    assert d["status"].iloc[3] == "Ny"
    assert d["starttime"].dtype == "datetime64[ns]" and d["closetime"].dtype == "datetime64[ns]"
    assert d.loc["81234567", "closetime"] == pd.Timestamp("2022-07-28 10:05:00")
    assert exp.period == (pd.Timestamp("2022-07-28 10:05:00"), pd.Timestamp("2022-08-01 11:00:00"))
    assert exp.warnings == ()


def test_administrative_columns_never_leave_the_reader(trio: Path) -> None:
    exp = read_export(trio)
    assert not any(is_admin_column(c) for c in exp.data.columns if c not in ("starttime", "closetime"))
    dump = exp.data.astype(str).to_csv() + repr(exp.warnings) + repr(exp.variables)
    assert "@example.dk" not in dump and "email" not in dump and "statinternal" not in dump


def test_status_column_none_when_no_flag(tmp_path: Path) -> None:
    ds = DATASET.replace("81234570;x;25-07-2022 08:00:00;;;dora@example.dk;;;;;1;0;0;0;0",
                         "81234570;x;25-07-2022 08:00:00;;;dora@example.dk;;;;;0;0;0;0;0")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert pd.isna(exp.data.loc["81234570", "status"])
    assert exp.answered == 2


@pytest.mark.parametrize("names", [
    ("Dataset.csv", "Structure.csv", "Labels.csv"),
    ("DATASET.CSV", "STRUCTURE.CSV", "LABELS.CSV"),
    ("dataset (1).csv", "structure (1).csv", "labels (1).csv"),
])
def test_file_names_case_insensitive(tmp_path: Path, names) -> None:
    assert read_export(write_trio(tmp_path / "e", names=names)).distributed == 4


def test_folder_one_level_down_and_path_to_dataset_file(tmp_path: Path) -> None:
    write_trio(tmp_path / "ud" / "SurveyXact eksport")
    assert read_export(tmp_path / "ud").distributed == 4
    assert read_export(tmp_path / "ud" / "SurveyXact eksport" / "dataset.csv").form == "csv-folder"


@pytest.mark.parametrize("sub", ["", "eksport/"])
def test_zip_top_level_or_one_folder(tmp_path: Path, trio: Path, sub: str) -> None:
    z = tmp_path / "eksport.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in trio.iterdir():
            zf.write(f, sub + f.name)
        zf.writestr("__MACOSX/._dataset.csv", b"junk")
    exp = read_export(z)
    assert exp.form == "csv-zip" and (exp.distributed, exp.answered) == (4, 2)


def test_structure_without_trailing_column_and_with_header_trailing(tmp_path: Path) -> None:
    plain = "\n".join(line[:-1] for line in STRUCTURE.splitlines()) + "\n"
    assert read_export(write_trio(tmp_path / "a", structure=plain)).variables["s_16"].kind == "open"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_hand_written_encodings_and_separators(tmp_path: Path, encoding: str, sep: str) -> None:
    def conv(text: str) -> str:
        # Structure/Labels texts contain no separators; the quoted open answer keeps its ';'.
        parts = text.split('"')
        parts[0::2] = [p.replace(";", sep) for p in parts[0::2]]
        return '"'.join(parts)

    labels = LABELS.replace("s_6;4;30-36 timer ", "s_6;4;30-36 timer")
    folder = write_trio(tmp_path / "e", conv(DATASET), conv(STRUCTURE), conv(labels), encoding=encoding)
    exp = read_export(folder)
    assert exp.separator == sep
    assert exp.encoding == encoding
    assert exp.variables["s_1"].text == "Hvad er dit køn?"
    assert exp.data.loc["81234567", "s_16"] == 'Mere tid; "tak"\r\nog æøå'
    assert (exp.distributed, exp.answered) == (4, 2)


def test_labels_from_structure_when_labels_lacks_them(tmp_path: Path) -> None:
    labels = "".join(line + "\n" for line in LABELS.splitlines() if not line.startswith("s_1;"))
    exp = read_export(write_trio(tmp_path / "e", labels=labels))
    assert exp.variables["s_1"].labels == {1: "Kvinde", 2: "Mand"}


def test_closed_variable_without_labels_read_as_text_with_warning(tmp_path: Path) -> None:
    labels = "".join(line + "\n" for line in LABELS.splitlines() if not line.startswith("s_7;"))
    exp = read_export(write_trio(tmp_path / "e", labels=labels))
    assert exp.variables["s_7"].kind == "open"
    assert exp.data.loc["81234567", "s_7"] == "1"
    assert any("s_7" in w for w in exp.warnings)


def test_multiple_choice_dummies(tmp_path: Path) -> None:
    structure = STRUCTURE + ("s_20;s_20_1;Closed;Multiple;Hvad laver du?;1;Pleje;\n"
                             "s_20;s_20_2;Closed;Multiple;Hvad laver du?;2;Køkken;\n")
    labels = LABELS + "s_20_1;0;Ikke valgt\ns_20_1;1;Valgt\ns_20_2;0;Ikke valgt\ns_20_2;1;Valgt\n"
    ds = (f"respondentid;s_1;s_6;s_7;s_16;s_20_1;s_20_2;{STATUS}\n"
          "1;1;3;1;;1;0;0;0;0;1;0\n"
          "2;2;5;;;0;1;0;0;1;0;0\n"
          "3;;;;;;;0;1;0;0;0\n")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds, structure=structure, labels=labels))
    assert exp.variables["s_20_1"].text == "Hvad laver du? - Pleje"
    assert exp.variables["s_20_2"].labels == {0: "Ikke valgt", 1: "Valgt"}
    assert exp.data["s_20_1"].tolist() == [1, 0, pd.NA]
    assert exp.data["s_20_2"].tolist() == [0, 1, pd.NA]


def test_unknown_column_is_warned_and_dropped(tmp_path: Path) -> None:
    ds = (f"respondentid;email;afdeling;s_1;s_6;s_7;s_16;{STATUS}\n"
          "1;a@example.dk;Syd;1;3;1;;0;0;0;1;0\n")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert list(exp.data.columns[:4]) == ["s_1", "s_6", "s_7", "s_16"]
    assert "afdeling" not in exp.data.columns and "email" not in exp.data.columns
    assert any("afdeling" in w for w in exp.warnings)
    assert not any("email" in w for w in exp.warnings)


def test_structure_variable_missing_from_dataset_is_warned(tmp_path: Path) -> None:
    ds = (f"respondentid;s_1;s_6;s_16;{STATUS}\n"
          "1;1;3;;0;0;0;1;0\n")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert "s_7" not in exp.variables and "s_7" not in exp.data.columns
    assert any("s_7" in w and "lacks" in w for w in exp.warnings)


def test_dates_in_iso_and_unreadable(tmp_path: Path) -> None:
    ds = DATASET.replace("28-07-2022 10:05:00", "2022-07-28T10:05:00").replace(
        "01-08-2022 11:00:00", "i går")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert exp.data.loc["81234567", "closetime"] == pd.Timestamp("2022-07-28 10:05:00")
    assert pd.isna(exp.data.loc["81234568", "starttime"])
    assert any("starttime" in w and "not dates" in w for w in exp.warnings)


def test_no_times_gives_empty_period(tmp_path: Path) -> None:
    ds = DATASET.replace(";closetime;starttime;", ";aa;bb;")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert exp.period == (None, None)
    assert exp.data["closetime"].isna().all()


def test_double_encoded_text_warns(tmp_path: Path) -> None:
    ds = DATASET.replace("æøå", "Ã¦Ã¸Ã¥")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds, encoding="utf-8"))
    assert any("encoded twice" in w for w in exp.warnings)


# --------------------------------------------------------------------------------------------------
# Round trips through the writer, in every form


VARS = {
    "s_1": Variable("s_1", "Hvad er dit køn?", "single", {1: "Kvinde", 2: "Mand"}),
    "s_6": Variable("s_6", "Hvor mange timer om ugen er du ansat til?", "single",
                    {1: "1-9 timer", 2: "10-19 timer", 3: "20-29 timer", 4: "30-36 timer", 5: "37 timer"}),
    "s_9": Variable("s_9", "Hvorfor ønsker du at gå op i tid?", "open", {}),
    "s_16": Variable("s_16", "Uddyb gerne dit svar", "open", {}),
}


def sample_data(n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    statuses = np.array(["Gennemført", "Delvist besvaret", "Distribueret", "Ny", "Frafaldet"], dtype=object)
    status = statuses[rng.integers(0, 5, n)]
    status[0] = "Gennemført"
    status[1] = None
    answered = np.isin(status, ["Gennemført", "Delvist besvaret"])
    s1 = pd.array(np.where(answered, rng.integers(1, 3, n), 0), dtype="Int64")
    s1[~answered] = pd.NA
    s6 = pd.array(rng.integers(1, 6, n), dtype="Int64")
    s6[~answered] = pd.NA
    texts = ['=SUM(A1:A2)', 'Mere tid; "tak"\nog æøå', "+45 12345678", "-", "@x", "Å, ja"]
    s9 = pd.array([texts[i % len(texts)] if a else None for i, a in enumerate(answered)], dtype="str")
    s16 = pd.array([None] * n, dtype="str")
    start = pd.Timestamp("2022-07-28 09:00:00") + pd.to_timedelta(np.arange(n) * 3671, unit="s")
    return pd.DataFrame({
        "s_1": s1, "s_6": s6, "s_9": s9, "s_16": s16, "answered": answered,
        "status": pd.array(status, dtype="str"),
        "starttime": pd.Series(start).where(answered).to_numpy(dtype="datetime64[ns]"),
        "closetime": pd.Series(start + pd.Timedelta(minutes=5)).where(status == "Gennemført")
        .to_numpy(dtype="datetime64[ns]"),
    }, index=pd.Index([str(81200000 + 7 * i) for i in range(n)], name="respondentid", dtype="str"))


def assert_same(exp: Export, data: pd.DataFrame, variables=VARS) -> None:
    pd.testing.assert_frame_equal(exp.data, data)
    assert dict(exp.variables) == dict(variables)


CSV_CASES = [(enc, sep, nl) for enc in ("cp1252", "utf-8", "utf-8-sig", "utf-16")
             for sep in (";", ",", "\t") for nl in ("\r\n", "\n")]


@pytest.mark.parametrize("encoding,sep,newline", CSV_CASES)
def test_round_trip_csv_folder(tmp_path: Path, encoding: str, sep: str, newline: str) -> None:
    data = sample_data()
    path = write_export(VARS, data, tmp_path / "e", encoding=encoding, separator=sep, newline=newline)
    exp = read_export(path)
    assert (exp.encoding, exp.separator) == (encoding, sep)
    assert_same(exp, data)


@pytest.mark.parametrize("folder", [None, "SurveyXact"])
def test_round_trip_zip(tmp_path: Path, folder) -> None:
    data = sample_data()
    exp = read_export(write_export(VARS, data, tmp_path / "e.zip", form="csv-zip", zip_folder=folder))
    assert exp.form == "csv-zip"
    assert_same(exp, data)


@pytest.mark.parametrize("parts", [None, 2, 3])
def test_round_trip_xlsx(tmp_path: Path, parts) -> None:
    data = sample_data()
    exp = read_export(write_export(VARS, data, tmp_path / "e.xlsx", form="xlsx", split_dataset=parts))
    assert exp.form == "xlsx" and exp.encoding is None
    assert_same(exp, data)


def test_round_trip_sav(tmp_path: Path) -> None:
    data = sample_data()
    exp = read_export(write_export(VARS, data, tmp_path / "e.sav", form="sav"))
    assert exp.form == "sav"
    assert_same(exp, data)


def test_rewrite_a_read_export_in_every_form(tmp_path: Path, trio: Path) -> None:
    first = read_export(trio)
    for form, name in [("csv-folder", "f"), ("csv-zip", "f.zip"), ("xlsx", "f.xlsx"), ("sav", "f.sav")]:
        again = read_export(write_export(first.variables, first.data, tmp_path / name, form=form))
        pd.testing.assert_frame_equal(again.data, first.data)
        assert dict(again.variables) == dict(first.variables)


def test_writer_includes_admin_columns_and_structure_quirks(tmp_path: Path) -> None:
    path = write_export(VARS, sample_data(), tmp_path / "e", encoding="utf-8")
    header = (path / "dataset.csv").read_text("utf-8").splitlines()[0].split(";")
    assert header[0] == "respondentid" and "email" in header and header[-1] == "statoverall_5"
    assert "@example.dk" in (path / "dataset.csv").read_text("utf-8")
    structure = (path / "structure.csv").read_text("utf-8").splitlines()
    assert all(line.endswith(";") for line in structure)
    assert (path / "labels.csv").read_text("utf-8").splitlines()[0] == "s_1;1;Kvinde"


def test_writer_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_export(VARS, sample_data(), tmp_path / "x", form="pdf")
    with pytest.raises(ValueError):
        write_export(VARS, sample_data(), tmp_path / "x", split_dataset=2)
    bad = sample_data()
    bad["answered"] = ~bad["answered"]
    with pytest.raises(ValueError):
        write_export(VARS, bad, tmp_path / "x")


def test_excel_style_ids_and_codes(tmp_path: Path) -> None:
    """Ids and codes as Excel writes them after a round trip through a spreadsheet."""
    ds = DATASET.replace("81234567;", "81234567.0;").replace(";1;3;1;\"Mere", ";1.0;3.0;1;\"Mere")
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert "81234567" in exp.data.index and exp.data.loc["81234567", "s_6"] == 3


# --------------------------------------------------------------------------------------------------
# Bad input: one clear ExportError naming the file and the place


def test_missing_path(tmp_path: Path) -> None:
    assert "no such file or folder" in error_of(tmp_path / "findes.ikke")


@pytest.mark.parametrize("name", ["eksport.xlsx", "eksport.sav", "eksport.zip"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    assert "empty" in error_of(tmp_path / name)


def test_empty_dataset_csv(tmp_path: Path, trio: Path) -> None:
    (trio / "dataset.csv").write_bytes(b"")
    msg = error_of(trio)
    assert "dataset.csv" in msg and "empty" in msg


def test_header_only_dataset(tmp_path: Path) -> None:
    msg = error_of(write_trio(tmp_path / "e", dataset=DATASET.splitlines()[0] + "\n"))
    assert "dataset.csv" in msg and "no respondent rows" in msg


@pytest.mark.parametrize("name,kind", [("eksport.xlsx", "Excel"), ("eksport.sav", "SPSS"), ("eksport.zip", "zip")])
def test_text_renamed(tmp_path: Path, name: str, kind: str) -> None:
    (tmp_path / name).write_text("respondentid;s_1\n1;2\n", encoding="utf-8")
    msg = error_of(tmp_path / name)
    assert name in msg and kind in msg


def test_not_an_export_at_all(tmp_path: Path) -> None:
    (tmp_path / "noter.txt").write_text("hej", encoding="utf-8")
    assert "not a SurveyXact export" in error_of(tmp_path / "noter.txt")


def test_old_xls(tmp_path: Path) -> None:
    (tmp_path / "e.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xlsx" in error_of(tmp_path / "e.xls")


def test_zip_without_trio(tmp_path: Path) -> None:
    z = tmp_path / "e.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("data.csv", "a;b\n")
    msg = error_of(z)
    assert "e.zip" in msg and "dataset.csv" in msg and "data.csv" in msg


def test_folder_without_trio(tmp_path: Path) -> None:
    (tmp_path / "tom").mkdir()
    (tmp_path / "tom" / "dataset.csv").write_text("x", encoding="utf-8")
    msg = error_of(tmp_path / "tom")
    assert "tom" in msg and "structure.csv" in msg


@pytest.mark.parametrize("form,name", [("xlsx", "e.xlsx"), ("sav", "e.sav"), ("csv-zip", "e.zip")])
def test_truncated_binary_forms(tmp_path: Path, form: str, name: str) -> None:
    path = write_export(VARS, sample_data(), tmp_path / name, form=form)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) * 2 // 3])
    assert name in error_of(path)


def test_dataset_cut_mid_row(tmp_path: Path) -> None:
    ds = DATASET[: DATASET.index("81234570") + 30]
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv, line 6" in msg and "fields" in msg


def test_dataset_cut_inside_quoted_text(tmp_path: Path) -> None:
    ds = DATASET[: DATASET.index("og æøå")]
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv, line 2" in msg and "never ends" in msg


def test_too_few_and_too_many_fields_name_the_physical_line(tmp_path: Path) -> None:
    # The quoted answer on line 2 spans two lines, so the third respondent is on line 5.
    few = DATASET.replace("carl@example.dk;;;;;0;1;0;0;0", "carl@example.dk;;;;0;1;0;0;0")
    msg = error_of(write_trio(tmp_path / "a", dataset=few))
    assert "dataset.csv, line 5" in msg and "cut off" in msg
    many = DATASET.replace("carl@example.dk;;;;;0;1;0;0;0", "carl@example.dk;;;;;;0;1;0;0;0")
    msg = error_of(write_trio(tmp_path / "b", dataset=many))
    assert "dataset.csv, line 5" in msg and "separator" in msg
    first = DATASET.replace(";1;3;1;\"Mere", ";1;3;1;1;\"Mere")  # first data row: no index guessing
    assert "line 2" in error_of(write_trio(tmp_path / "c", dataset=first))


def test_missing_respondentid_numbers_the_rows(tmp_path: Path) -> None:
    # An anonymous survey is exported without respondent ids: the rows are numbered, and a warning says so.
    ds = DATASET.replace("respondentid;", "id;", 1)
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert exp.numbered
    assert list(exp.data.index) == ["1", "2", "3", "4"]
    assert exp.data["s_6"].tolist() == [3, 5, pd.NA, pd.NA]
    assert any("no respondentid" in w and "numbered" in w for w in exp.warnings)


def test_empty_respondentid(tmp_path: Path) -> None:
    ds = DATASET.replace("81234569;", ";")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv, line 5" in msg and "respondentid is empty" in msg


def test_missing_statoverall(tmp_path: Path) -> None:
    ds = DATASET.replace("statoverall_4;", "statxxx_4;")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv" in msg and "statoverall_4" in msg


def test_duplicated_respondentid(tmp_path: Path) -> None:
    ds = DATASET.replace("81234570;", "81234569;")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "respondentid 81234569" in msg and "line 5" in msg and "line 6" in msg
    assert "dataset.csv" in msg


def test_duplicated_respondentid_across_normalisation(tmp_path: Path) -> None:
    ds = DATASET.replace("81234570;", "81234567.0;")
    assert "respondentid 81234567 appears more than once" in error_of(write_trio(tmp_path / "e", dataset=ds))


def test_code_without_label(tmp_path: Path) -> None:
    ds = DATASET.replace(";2;5;;  ;", ";2;7;;  ;")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv, line 4" in msg and "s_6" in msg and "code 7" in msg and "81234568" in msg
    assert "labels.csv" in msg


def test_code_not_a_number(tmp_path: Path) -> None:
    ds = DATASET.replace(";2;5;;  ;", ";2;fem;;  ;")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv, line 4" in msg and "s_6" in msg and "'fem'" in msg and "81234568" in msg


def test_status_value_not_0_or_1(tmp_path: Path) -> None:
    ds = DATASET.replace("carl@example.dk;;;;;0;1;0;0;0", "carl@example.dk;;;;;0;2;0;0;0")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "line 5" in msg and "statoverall_2" in msg


def test_two_statuses(tmp_path: Path) -> None:
    ds = DATASET.replace("carl@example.dk;;;;;0;1;0;0;0", "carl@example.dk;;;;;0;1;0;1;0")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "line 5" in msg and "statoverall_2 and statoverall_4" in msg


def test_structure_and_labels_disagree(tmp_path: Path) -> None:
    labels = LABELS.replace("s_1;2;Mand", "s_1;2;Kvinde")
    msg = error_of(write_trio(tmp_path / "e", labels=labels))
    assert "structure.csv (line 3)" in msg and "labels.csv (line 2)" in msg and "s_1 code 2" in msg


def test_labels_twice_with_different_text(tmp_path: Path) -> None:
    labels = LABELS + "s_7;1;Måske\n"
    msg = error_of(write_trio(tmp_path / "e", labels=labels))
    assert "labels.csv" in msg and "line 8" in msg and "line 10" in msg


def test_labels_line_with_unquoted_separator(tmp_path: Path) -> None:
    labels = LABELS.replace("s_7;2;Nej", "s_7;2;Nej; tak")
    msg = error_of(write_trio(tmp_path / "e", labels=labels))
    assert "labels.csv, line 9" in msg and "4 fields" in msg


def test_structure_not_a_structure(tmp_path: Path) -> None:
    msg = error_of(write_trio(tmp_path / "e", structure="a;b;c\n1;2;3\n"))
    assert "structure.csv" in msg and "variableName" in msg


def test_zero_answered(tmp_path: Path) -> None:
    ds = DATASET.replace(";0;0;0;1;0", ";0;1;0;0;0").replace(";0;0;1;0;0", ";0;1;0;0;0")
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "none of the 4 respondents has answered" in msg


def test_binary_bytes_in_csv(tmp_path: Path, trio: Path) -> None:
    raw = (trio / "dataset.csv").read_bytes()
    (trio / "dataset.csv").write_bytes(raw[:200] + b"\x00\x01\x02" + raw[200:])
    msg = error_of(trio)
    assert "dataset.csv, line" in msg and "cp1252" in msg


def test_undecodable_bytes_name_encodings(tmp_path: Path, trio: Path) -> None:
    raw = (trio / "labels.csv").read_bytes()
    (trio / "labels.csv").write_bytes(raw.replace(b"Mand", b"M\x81nd"))
    msg = error_of(trio)
    assert "labels.csv, line 2" in msg and "UTF-8" in msg and "cp1252" in msg


def test_xlsx_missing_sheet(tmp_path: Path) -> None:
    import openpyxl

    path = write_export(VARS, sample_data(), tmp_path / "e.xlsx", form="xlsx")
    wb = openpyxl.load_workbook(path)
    del wb["Labels"]
    wb.save(path)
    msg = error_of(path)
    assert "e.xlsx" in msg and "Labels" in msg


def test_xlsx_parts_with_different_respondents(tmp_path: Path) -> None:
    import openpyxl

    path = write_export(VARS, sample_data(), tmp_path / "e.xlsx", form="xlsx", split_dataset=2)
    wb = openpyxl.load_workbook(path)
    wb["Dataset(2)"]["A3"] = 99999999
    wb.save(path)
    msg = error_of(path)
    assert "Dataset(2)" in msg and "same respondents" in msg


def test_xlsx_code_without_label_names_row(tmp_path: Path) -> None:
    import openpyxl

    data = sample_data()
    path = write_export(VARS, data, tmp_path / "e.xlsx", form="xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Dataset"]
    col = [c.value for c in ws[1]].index("s_6") + 1
    ws.cell(row=4, column=col, value=9)
    wb.save(path)
    msg = error_of(path)
    assert "sheet Dataset, row 4" in msg and "code 9" in msg and data.index[2] in msg


def test_sav_code_without_label_names_case(tmp_path: Path) -> None:
    import pyreadstat

    data = sample_data()
    path = write_export(VARS, data, tmp_path / "e.sav", form="sav")
    df, meta = pyreadstat.read_sav(str(path))
    df.loc[3, "s_6"] = 8.0
    pyreadstat.write_sav(df, str(path), column_labels=meta.column_names_to_labels,
                         variable_value_labels=meta.variable_value_labels)
    msg = error_of(path)
    assert "e.sav, case 4" in msg and "code 8" in msg


def test_code_cell_of_only_a_control_character_is_missing_and_said(tmp_path: Path) -> None:
    """A single-choice cell holding only a control byte (damage; SurveyXact never writes one) is read as no
    answer, and the reader's notes say on which line control characters were replaced (found by hypothesis:
    test_mangled_dataset_is_read_correctly_or_refused, b"\\x01" in s_6)."""
    data = sample_data()
    path = write_export(VARS, data, tmp_path / "e", encoding="cp1252", separator=";", newline="\n")
    lines = (path / "dataset.csv").read_bytes().split(b"\n")
    col = lines[0].split(b";").index(b"s_6")
    row = lines[1].split(b";")
    row[col] = b"\x01"
    lines[1] = b";".join(row)
    (path / "dataset.csv").write_bytes(b"\n".join(lines))
    exp = read_export(path)
    assert pd.isna(exp.data["s_6"].iloc[0])
    assert exp.data["s_6"].iloc[1:].tolist() == data["s_6"].iloc[1:].tolist()
    assert any("line 2: 1 control character(s)" in w for w in exp.warnings), exp.warnings


@pytest.mark.parametrize("edit", ["trailing separator", "quoted header", "blank first line"])
def test_parsing_while_scanning_when_the_first_line_misleads(edit: str, tmp_path: Path, monkeypatch) -> None:
    """Where the first line names the columns differently from the checked header (every row ending in a
    separator), or not plainly (quotes), or comes after a blank line, the data read is the same as after the
    checks."""
    import fuldtid.read.csvform as csvform

    data = sample_data()
    path = write_export(VARS, data, tmp_path / "e", encoding="utf-8", separator=";", newline="\n")
    raw = (path / "dataset.csv").read_bytes()
    lines = raw.split(b"\n")
    if edit == "trailing separator":
        lines = [ln + b";" if ln else ln for ln in lines]
    elif edit == "quoted header":
        lines[0] = b";".join(b'"' + h + b'"' for h in lines[0].split(b";"))
    else:
        lines.insert(0, b"")
    (path / "dataset.csv").write_bytes(b"\n".join(lines))
    monkeypatch.setattr(csvform, "_PARSE_WHILE_SCANNING", 1 << 40)
    after_checks = read_export(path)
    monkeypatch.setattr(csvform, "_PARSE_WHILE_SCANNING", 0)
    while_scanning = read_export(path)
    pd.testing.assert_frame_equal(while_scanning.data, after_checks.data)
    if edit != "trailing separator":  # (that edit also lands inside a quoted text with a line break)
        pd.testing.assert_frame_equal(after_checks.data, data)
    else:
        assert after_checks.data.shape == data.shape


def test_import_is_light() -> None:
    code = ("import sys, fuldtid.read.export, exportwriter; "
            "print([m for m in ('openpyxl', 'pyreadstat', 'scipy', 'statsmodels') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO / "tests")
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------------
# The shipped example


EXAMPLE = REPO / "surveys" / "examples" / "vjh_2022" / "export"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the example export is not generated yet")
def test_example_export_in_every_form(tmp_path: Path) -> None:
    exp = read_export(EXAMPLE)
    assert (exp.distributed, exp.answered) == (1172, 333)
    assert exp.encoding == "cp1252" and exp.separator == ";"
    assert round(exp.response_rate * 100) == 28
    assert "email" not in exp.data.columns
    for form, name in [("csv-zip", "e.zip"), ("xlsx", "e.xlsx"), ("sav", "e.sav"),
                       ("csv-folder", "utf16")]:
        kw = {"encoding": "utf-16", "separator": "\t"} if name == "utf16" else {}
        again = read_export(write_export(exp.variables, exp.data, tmp_path / name, form=form, **kw))
        assert (again.distributed, again.answered) == (1172, 333)
        pd.testing.assert_frame_equal(again.data, exp.data)


# --------------------------------------------------------------------------------------------------
# Quirks of hand-edited CSV files


SMALL = f"respondentid;s_1;s_6;s_7;s_16;{STATUS}\n"


def test_stray_quotes_inside_unquoted_text(tmp_path: Path) -> None:
    ds = SMALL + '1;1;3;1;en 5" skærm;0;0;0;1;0\n2;2;;;a""b;0;0;1;0;0\n3;;;;"c";0;1;0;0;0\n'
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert exp.data["s_16"].tolist() == ['en 5" skærm', 'a""b', "c"]
    assert (exp.distributed, exp.answered) == (3, 2)


def test_blank_lines_and_lone_cr_line_ends(tmp_path: Path) -> None:
    ds = SMALL + "1;1;3;1;;0;0;0;1;0\n\n2;2;;;;0;0;1;0;0\n"
    exp = read_export(write_trio(tmp_path / "a", dataset=ds))
    assert list(exp.data.index) == ["1", "2"]
    folder = write_trio(tmp_path / "b")
    (folder / "dataset.csv").write_bytes(ds.replace("\n", "\r").encode("cp1252"))
    exp = read_export(folder)
    assert list(exp.data.index) == ["1", "2"] and exp.answered == 2


def test_every_dataset_line_with_extra_separator(tmp_path: Path) -> None:
    ds = SMALL + "1;1;3;1;;0;0;0;1;0;\n2;2;;;;0;0;1;0;0;\n"
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert exp.data["s_1"].tolist() == [1, 2]


def test_utf16_without_byte_order_mark(tmp_path: Path) -> None:
    folder = write_trio(tmp_path / "e")
    (folder / "dataset.csv").write_bytes(DATASET.encode("utf-16-le"))
    exp = read_export(folder)
    assert exp.encoding == "utf-16-le" and exp.distributed == 4


def test_duplicate_column_in_header(tmp_path: Path) -> None:
    ds = f"respondentid;s_1;s_1;s_6;s_7;s_16;{STATUS}\n1;1;1;3;1;;0;0;0;1;0\n"
    msg = error_of(write_trio(tmp_path / "e", dataset=ds))
    assert "dataset.csv, line 1" in msg and "'s_1' appears twice" in msg


def test_cp1252_text_that_happens_to_be_valid_utf8(tmp_path: Path) -> None:
    """'Å–' in cp1252 is also valid UTF-8 ('Ŗ'); the export's other files show it is cp1252."""
    ds = f"respondentid;s_1;s_6;s_7;s_16;{STATUS}\n1;1;3;1;Å–;0;0;0;1;0\n"
    exp = read_export(write_trio(tmp_path / "e", dataset=ds))
    assert exp.encoding == "cp1252"
    assert exp.data.loc["1", "s_16"] == "Å–"


def test_labels_with_a_header_line(tmp_path: Path) -> None:
    exp = read_export(write_trio(tmp_path / "e", labels="variableName;value;label\n" + LABELS))
    assert exp.variables["s_7"].labels == {1: "Ja", 2: "Nej"}

"""Exports of other questionnaires and other shapes than VJH's, in every form, read back and counted.

Each export is written by exportwriter in the shape the issue names (no respondent ids, stato_
status columns, Multiple questions as 0/1 options, grids, labels only in labels.csv, Structure lines with
or without a trailing separator) and read back; the counts are compared with a direct count of the files
(tests/questionnaires.py reads them with the csv module).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuldtid.read.export import read_export
from exportwriter import write_export
from questionnaires import anonymous_pulse, answered_rows, count_codes, read_dataset_rows, wellbeing

SUFFIX = {"csv-folder": "", "csv-zip": ".zip", "xlsx": ".xlsx", "sav": ".sav"}


def _path(tmp: Path, form: str, name: str = "eksport") -> Path:
    return tmp / f"{name}{SUFFIX[form]}"


@pytest.mark.parametrize("form", list(SUFFIX))
@pytest.mark.parametrize("ids", [True, False])
def test_every_form_reads_back_the_same_answers(tmp_path: Path, form: str, ids: bool) -> None:
    variables, data = wellbeing(60)
    p = write_export(variables, data, _path(tmp_path, form), form=form, respondent_ids=ids,
                     status_prefix="stato", structure_choices=False, admin_columns=not ids)
    exp = read_export(p)
    assert exp.numbered is (not ids)
    assert exp.distributed == 60 and exp.answered == int(data["answered"].sum())
    expected_ids = list(data.index) if ids else [str(i) for i in range(1, 61)]
    assert list(exp.data.index) == expected_ids
    for name, var in variables.items():
        got = exp.variables[name]
        assert got.kind == var.kind, name
        assert got.text == var.text
        if var.kind != "open":
            assert dict(got.labels) == dict(var.labels)
            assert exp.data[name].tolist() == data[name].tolist()
        else:
            assert exp.data[name].fillna("").tolist() == data[name].fillna("").tolist()
    assert {got.question for got in exp.variables.values() if got.kind == "multiple"} == {"s_5"}
    assert exp.variables["s_5_2"].option == "Bedre ledelse"
    assert exp.variables["s_5_2"].question_text == "Hvad kunne gøre din hverdag bedre? (flere svar mulige)"
    if not ids:
        assert any("no respondentid" in w for w in exp.warnings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(encoding=st.sampled_from(["cp1252", "utf-8", "utf-8-sig", "utf-16"]),
       separator=st.sampled_from([";", ",", "\t"]),
       ids=st.booleans(), stato=st.booleans(), choices=st.booleans(), trailing=st.booleans(),
       newline=st.sampled_from(["\r\n", "\n"]), seed=st.integers(0, 10_000))
def test_csv_dialects_count_like_the_files(tmp_path_factory, encoding, separator, ids, stato, choices,
                                           trailing, newline, seed) -> None:
    variables, data = anonymous_pulse(40, seed)
    folder = tmp_path_factory.mktemp("csv")
    write_export(variables, data, folder, encoding=encoding, separator=separator, newline=newline,
                 respondent_ids=ids, status_prefix="stato" if stato else "statoverall",
                 structure_choices=choices, trailing_separator=trailing)
    if trailing:  # some exports end Labels lines with a separator too
        raw = (folder / "labels.csv").read_bytes()
        nl = newline.encode(encoding.replace("-sig", "")) if encoding != "utf-16" else None
        if nl is not None:
            (folder / "labels.csv").write_bytes(raw.replace(nl, separator.encode() + nl))
    exp = read_export(folder)
    rows = read_dataset_rows(folder, separator)
    answered = answered_rows(rows)
    assert exp.distributed == len(rows)
    assert exp.answered == len(answered)
    assert exp.numbered is (not ids)
    mine = exp.data[exp.data["answered"]]
    for name, var in variables.items():
        if var.kind == "open":
            continue
        counted = count_codes(answered, name)
        got = mine[name].value_counts().to_dict()
        assert {int(k): int(v) for k, v in got.items()} == counted, name
    assert [v.kind for v in exp.variables.values()] == [v.kind for v in variables.values()]


def test_labels_only_in_labels_file(tmp_path: Path) -> None:
    # Structure gives Single questions no choices (as real exports often do): the labels come from labels.csv.
    variables, data = wellbeing(30)
    p = write_export(variables, data, tmp_path / "e", structure_choices=False)
    structure = (p / "structure.csv").read_bytes().decode("cp1252")
    assert "Helt uenig" not in structure
    exp = read_export(p)
    assert exp.variables["s_4_2"].labels == variables["s_4_2"].labels


def test_multiple_without_labels_gets_surveyxacts_labels(tmp_path: Path) -> None:
    variables, data = anonymous_pulse(20)
    p = write_export(variables, data, tmp_path / "e")
    lines = (p / "labels.csv").read_bytes().decode("cp1252").splitlines()
    (p / "labels.csv").write_bytes("\r\n".join(ln for ln in lines if not ln.startswith("q_4_")).encode("cp1252"))
    exp = read_export(p)
    assert exp.variables["q_4_1"].kind == "multiple"
    assert exp.variables["q_4_1"].labels == {0: "Ikke valgt", 1: "Valgt"}


def test_split_workbook_without_ids_joins_by_position(tmp_path: Path) -> None:
    variables, data = wellbeing(25)
    p = write_export(variables, data, tmp_path / "e.xlsx", form="xlsx", split_dataset=3, respondent_ids=False)
    exp = read_export(p)
    assert exp.numbered and exp.distributed == 25
    assert exp.data["s_4_3"].tolist() == data["s_4_3"].tolist()


def test_two_statuses_named_by_their_columns(tmp_path: Path) -> None:
    variables, data = anonymous_pulse(10)
    p = write_export(variables, data, tmp_path / "e", status_prefix="stato", respondent_ids=False)
    text = (p / "dataset.csv").read_bytes().decode("cp1252").splitlines()
    header = text[0].split(";")
    row = text[1].split(";")
    row[header.index("stato_1")] = "1"
    row[header.index("stato_4")] = "1"
    text[1] = ";".join(row)
    (p / "dataset.csv").write_bytes("\r\n".join(text).encode("cp1252"))
    from fuldtid.errors import ExportError

    with pytest.raises(ExportError) as info:
        read_export(p)
    assert "line 2" in str(info.value) and "stato_1 and stato_4" in str(info.value)


def test_readsx_shaped_export(tmp_path: Path) -> None:
    """The shape of NIFU's readSX example: no admin columns, no ids, status in the middle, extra columns."""
    st_text = ("questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\n"
               "v_1;v_1_1;Closed;Multiple;Hvilke fag? (flere kryss er mulig);1;Design \n"
               "v_1;v_1_2;Closed;Multiple;Hvilke fag? (flere kryss er mulig);2;Forskning\n"
               "s_2;s_2;Closed;Single;Hvilket program?;;\n"
               "a_p;a_p;Open;String;Andre fag:;;\n")
    lb_text = ("v_1_1;0;Ikke valgt\nv_1_1;1;Valgt\nv_1_2;0;Ikke valgt\nv_1_2;1;Valgt\n"
               "s_2;1;Idrettsfag \ns_2;2;Studiespesialisering \n")
    ds_text = ("v_1_1;v_1_2;s_2;a_p;stato_1;stato_2;stato_3;stato_4;stato_5;s_1;s_3\n"
               "0;1;2;;0;0;0;1;0;;\n"
               "0;0;;;0;1;0;0;0;;\n"
               "1;1;1;Psykologi og tysk;0;0;1;0;0;;\n")
    folder = tmp_path / "readsx"
    folder.mkdir()
    for name, text in (("structure.csv", st_text), ("labels.csv", lb_text), ("dataset.csv", ds_text)):
        (folder / name).write_bytes(text.encode("cp1252"))
    exp = read_export(folder)
    assert exp.numbered and exp.distributed == 3 and exp.answered == 2
    assert exp.variables["v_1_1"].option == "Design" and exp.variables["v_1_1"].question == "v_1"
    assert exp.data["v_1_2"].tolist() == [1, 0, 1]
    assert exp.data.loc["3", "a_p"] == "Psykologi og tysk"
    assert any("s_1" in w for w in exp.warnings)  # columns without Structure are named, not silently dropped

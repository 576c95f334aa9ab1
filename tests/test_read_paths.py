"""The reader's faster paths (issue 18) give exactly what the plain ones gave.

The Dataset record scan works a chunk at a time: a tiny chunk must find the same records and field
counts as one chunk for the whole file. The mixed-UTF-8 check skips its regex scan when no UTF-8 lead
byte is followed by a continuation byte: it must decide as the regex does. Exports and side files share
one encoding decision. The command line runs BLAS on one thread unless the user says otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fuldtid.errors import ExportError, PopulationError
from fuldtid.read import csvtext, textsniff
from fuldtid.read.export import read_export
from fuldtid.read.tabular import decode

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "surveys" / "examples" / "vjh_2022"

# Quoted fields holding the separator, a doubled quote, LF and CR LF; a stray quote inside a field.
TRICKY = (b'respondentid;s_1;s_16\r\n1;2;"a;b ""c""\r\nd"\r\n2;1;plain\r\n\r\n3;;"x\ny;z"\r\n'
          b'4;2;5" tall\r\n5;1;"";\r\n')


def _scan(data: bytes, chunk: int | None, monkeypatch: pytest.MonkeyPatch) -> csvtext._Records:
    if chunk is not None:
        monkeypatch.setattr(csvtext, "_CHUNK", chunk)
    return csvtext._scan_records(data, ";", "test.csv")


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 16, 64])
def test_record_scan_same_with_any_chunk(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _scan(TRICKY, None, monkeypatch)
    part = _scan(TRICKY, chunk, monkeypatch)
    for name in ("counts", "lines", "starts", "ends"):
        assert getattr(part, name).tolist() == getattr(whole, name).tolist(), name
    # The records as pandas sees them: header, four rows of three fields, one with a fourth (empty) field.
    assert whole.counts.tolist() == [3, 3, 3, 3, 3, 4]
    assert whole.lines.tolist() == [1, 2, 4, 6, 8, 9]


def test_record_scan_counts_match_python_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    cells = ["", "1", "ab", '"q;r"', '"s""t"', '"u\nv"', "æø"]
    rows = [";".join(rng.choice(cells, size=rng.integers(1, 6))) for _ in range(300)]
    data = "\n".join(rows).encode("utf-8")
    import csv
    import io

    expected = [len(r) for r in csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";")
                if r != []]
    for chunk in (None, 13, 101):
        got = _scan(data, chunk, monkeypatch).counts.tolist()
        assert got == expected


def test_export_read_with_tiny_chunks_is_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = read_export(EXAMPLE)
    monkeypatch.setattr(csvtext, "_CHUNK", 4099)
    chunked = read_export(EXAMPLE)
    pd.testing.assert_frame_equal(chunked.data, plain.data)
    assert chunked.variables == plain.variables
    assert (chunked.distributed, chunked.answered) == (1172, 333)


_REGEX_VALID = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _is_mixed_by_regex(raw: bytes) -> bool:
    high = sum(b >= 128 for b in raw)
    if not high:
        return False
    valid = _REGEX_VALID.findall(raw)
    stray = high - sum(len(v) for v in valid)
    if stray <= 0:
        return False
    return stray <= len(valid) or textsniff._PLAUSIBLE_UTF8.search(raw) is not None


@pytest.mark.parametrize("raw", [
    b"", b"plain ascii", "Løn og æbler".encode("cp1252"), "Løn og æbler".encode("utf-8"),
    "Løn".encode("utf-8") + b" \xe6ble", b"\xe2\x80\x93 dash \xf8", b"\xc3", b"x\xc3", b"\xc2\xa0\xff",
    b"\xf4\x8f\xbf\xbf\xe6", b"\xe6\xc3\xa6\xe6\xe6",
])
def test_is_mixed_decides_as_the_regex(raw: bytes) -> None:
    assert textsniff.is_mixed(raw) == _is_mixed_by_regex(raw)


def test_is_mixed_random_bytes_decide_as_the_regex() -> None:
    rng = np.random.default_rng(7)
    alphabet = np.array([0x41, 0x20, 0xE6, 0xF8, 0xC3, 0xA6, 0xB8, 0xE2, 0x80, 0x93, 0xF0, 0xBF], dtype=np.uint8)
    for _ in range(400):
        raw = rng.choice(alphabet, size=rng.integers(1, 12)).tobytes()
        assert textsniff.is_mixed(raw) == _is_mixed_by_regex(raw), raw


def test_lead_then_continuation_across_the_chunk_edge() -> None:
    # A lead byte as the last byte of the first 16 MiB chunk and its continuation as the first of the next.
    raw = bytearray(b"a" * ((1 << 24) + 8))
    raw[(1 << 24) - 1] = 0xC3
    raw[1 << 24] = 0xA6
    assert textsniff._lead_then_continuation(bytes(raw))
    raw[1 << 24] = ord("a")
    assert not textsniff._lead_then_continuation(bytes(raw))


@pytest.mark.parametrize("raw, siblings, expected", [
    (b"\xef\xbb\xbfa;b", False, "utf-8-sig"),
    (b"\xff\xfea\x00", False, "utf-16"),
    ("a;b".encode("utf-16-le"), False, "utf-16-le"),
    ("a;b".encode("utf-16-be"), False, "utf-16-be"),
    ("Løn;b".encode("utf-8"), False, "utf-8"),
    ("Løn;b".encode("cp1252"), False, "cp1252"),
    ("Å–".encode("cp1252"), False, "utf-8"),   # cp1252 bytes that happen to be valid UTF-8 ...
    ("Å–".encode("cp1252"), True, "cp1252"),   # ... are cp1252 when a sibling file surely is
    (b"plain", True, "utf-8"),
])
def test_one_encoding_decision(raw: bytes, siblings: bool, expected: str) -> None:
    assert textsniff.sniff_encoding(raw, "f.csv", ExportError, siblings_cp1252=siblings) == expected


def test_side_files_do_not_guess_utf16_without_bom(tmp_path: Path) -> None:
    raw = "a;b".encode("utf-16-le")
    assert textsniff.sniff_encoding(raw, "p.csv", PopulationError, bomless_utf16=False) == "utf-8"
    assert decode(raw, tmp_path / "p.csv", PopulationError) == "a\x00;\x00b\x00"


def test_mixed_file_refused_alike_by_export_and_side_file(tmp_path: Path) -> None:
    raw = "køn;Løn og æbler\n".encode("utf-8") * 3 + b"stray \xe6\n"
    with pytest.raises(ExportError) as exp:
        csvtext._decode(raw, "dataset.csv")
    with pytest.raises(PopulationError) as side:
        decode(raw, tmp_path / "p.csv", PopulationError)
    assert "dataset.csv, line 4: the file is UTF-8 but this line holds byte 0xe6" in str(exp.value)
    assert "p.csv, line 4: the file is UTF-8 but this line holds byte 0xe6" in str(side.value)


def test_export_decodes_cp1252_and_utf8_alike() -> None:
    text = "respondentid;s_16\n1;Løn – æbler\n"
    a = csvtext._decode(text.encode("cp1252"), "d.csv")
    b = csvtext._decode(text.encode("utf-8"), "d.csv")
    assert (a.encoding, b.encoding) == ("cp1252", "utf-8")
    assert a.text() == b.text() == text


@pytest.mark.parametrize("env, expected", [({}, "1"), ({"OPENBLAS_NUM_THREADS": "2"}, "2")])
def test_cli_runs_blas_on_one_thread_unless_told(env: dict, expected: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                              "MKL_NUM_THREADS")}
    code = ("import os, fuldtid.cli, pyarrow; "
            "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['MKL_NUM_THREADS'], pyarrow.cpu_count())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**clean, **env})
    # pyarrow's CSV reader keeps every core: OMP_NUM_THREADS, which it sizes its pool by, is left alone.
    assert out.stdout.split() == [expected, "1", str(os.cpu_count())]


# --------------------------------------------------------------------------------------------------
# .xlsx: python-calamine and openpyxl give the same Export (and the same messages)

from fuldtid.read import xlsxform  # noqa: E402
from exportwriter import write_export  # noqa: E402


def _both(path: Path, monkeypatch: pytest.MonkeyPatch):
    """(calamine result, openpyxl result), each an Export or the ExportError's message."""
    def attempt():
        try:
            return read_export(path)
        except ExportError as exc:
            return str(exc)

    assert xlsxform._calamine_book(path) is not None, "calamine did not read the workbook"
    fast = attempt()
    with monkeypatch.context() as m:
        m.setattr(xlsxform, "_calamine_book", lambda p: None)
        slow = attempt()
    return fast, slow


def _assert_same_export(fast, slow) -> None:
    assert not isinstance(fast, str) and not isinstance(slow, str), (fast, slow)
    pd.testing.assert_frame_equal(fast.data, slow.data)
    assert fast.variables == slow.variables
    assert fast.warnings == slow.warnings and fast.form == slow.form == "xlsx"


def test_calamine_reads_the_example_as_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example = read_export(EXAMPLE)
    path = write_export(example.variables, example.data, tmp_path / "e.xlsx", form="xlsx", split_dataset=2)
    fast, slow = _both(path, monkeypatch)
    _assert_same_export(fast, slow)
    assert (fast.distributed, fast.answered) == (1172, 333)
    pd.testing.assert_frame_equal(fast.data, example.data)


def _synthetic(n: int, folder: Path) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        out = folder / "syn.xlsx"
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "make_export.py"), str(n), str(out),
                        "--form", "xlsx", "--seed", "5"], check=True, capture_output=True)
        return out
    finally:
        sys.path.remove(str(REPO / "benchmarks"))


def test_calamine_reads_a_synthetic_export_as_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(_synthetic(1500, tmp_path), monkeypatch)
    _assert_same_export(fast, slow)
    assert fast.distributed == 1500
    assert fast.data["s_16"].notna().sum() > 0 and fast.data["closetime"].notna().sum() > 0


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


STRUCTURE_ROWS = [["questionName", "variableName", "questionType", "subType", "questionText", "choiceValue",
                   "choiceText"],
                  ["s_1", "s_1", "Closed", "Single", "Køn", 1, "Kvinde"],
                  ["s_1", "s_1", "Closed", "Single", "Køn", 2, "Mand"],
                  ["s_16", "s_16", "Open", "String", "Uddyb_x000B_", None, None]]
LABEL_ROWS = [["s_1", 1, "Kvinde"], ["s_1", 2, "Mand"]]
HEADER = ["respondentid", "s_1", "s_16", "starttime", "closetime"] + [f"statoverall_{k}" for k in range(1, 6)]


def test_calamine_cells_as_openpyxl_gives_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    rows = [[None] * 4, [None, *HEADER],  # an empty first row and column
            [None, 81234567, 1, "Mere tid_x000B_og æøå", dt.datetime(2022, 7, 28, 9, 30), dt.date(2022, 7, 29),
             0, 0, 0, 1, 0],
            [None, "81234568", 2.0, "  ", "28-07-2022 10:00:00", None, 0, 0, 1, 0, 0],
            [None, 81234569.0, None, 12.5, None, None, 0, 1, 0, 0, 0]]
    path = _workbook(tmp_path / "cells.xlsx", {"Dataset": rows, "Structure": STRUCTURE_ROWS, "Labels": LABEL_ROWS})
    fast, slow = _both(path, monkeypatch)
    _assert_same_export(fast, slow)
    assert fast.data.index.tolist() == ["81234567", "81234568", "81234569"]
    assert fast.data["s_1"].tolist()[:2] == [1, 2]
    assert fast.data["s_16"].tolist()[0] == "Mere tid og æøå" and fast.data["s_16"].tolist()[2] == "12.5"
    assert str(fast.data["closetime"].iloc[0]) == "2022-07-29 00:00:00"
    assert fast.variables["s_1"].labels == {1: "Kvinde", 2: "Mand"}


def test_calamine_messages_name_the_same_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[None], [None], [*HEADER], [81234567, 1, "x", None, None, 0, 0, 0, 1, 0],
            [81234568, 7, "y", None, None, 0, 0, 0, 1, 0]]
    path = _workbook(tmp_path / "bad.xlsx", {"Dataset": rows, "Structure": STRUCTURE_ROWS, "Labels": LABEL_ROWS})
    fast, slow = _both(path, monkeypatch)
    assert isinstance(fast, str) and fast == slow
    assert "bad.xlsx, sheet Dataset, row 5" in fast and "code 7" in fast


def test_calamine_leaves_huge_whole_numbers_to_openpyxl(tmp_path: Path) -> None:
    rows = [HEADER, [12345678901234567, 1, "x", None, None, 0, 0, 0, 1, 0]]
    path = _workbook(tmp_path / "big.xlsx", {"Dataset": rows, "Structure": STRUCTURE_ROWS, "Labels": LABEL_ROWS})
    assert xlsxform._calamine_book(path) is None  # a float cannot hold it exactly: openpyxl reads the file
    assert read_export(path).distributed == 1


def test_damaged_workbook_message_is_openpyxls(tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    good = _workbook(tmp_path / "good.xlsx", {"Dataset": [HEADER], "Structure": STRUCTURE_ROWS,
                                              "Labels": LABEL_ROWS})
    path.write_bytes(good.read_bytes()[:600])
    assert xlsxform._calamine_book(path) is None
    with pytest.raises(ExportError) as exc:
        read_export(path)
    assert str(exc.value).startswith(f"{path}: ")

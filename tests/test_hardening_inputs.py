"""Hostile and damaged inputs (issue 16): limits checked before reading, .sav read in a child process,
encoding decided per file with evidence, control characters kept readable."""

from __future__ import annotations

import io
import os
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fuldtid.read import limits
from fuldtid.cli import cli
from fuldtid.errors import CodingError, ExportError, PopulationError
from fuldtid.read.export import Variable, read_export
from exportwriter import write_export
from fuldtid.read.limits import Limits, using

VARS = {
    "s_1": Variable("s_1", "Hvad er dit køn?", "single", {1: "Kvinde", 2: "Mand"}),
    "s_9": Variable("s_9", "Hvorfor?", "open", {}),
}


def data(n: int = 6, answer: str = "Løn og æøå") -> pd.DataFrame:
    answered = np.arange(n) % 3 != 2
    return pd.DataFrame({
        "s_1": pd.array([1 + i % 2 if a else None for i, a in enumerate(answered)], dtype="Int64"),
        "s_9": pd.array([f"{answer} {i}" if a else None for i, a in enumerate(answered)], dtype="str"),
        "answered": answered,
    }, index=pd.Index([str(81200000 + i) for i in range(n)], name="respondentid", dtype="str"))


def error_of(path: Path) -> str:
    with pytest.raises(ExportError) as info:
        read_export(path)
    message = str(info.value)
    assert len(message.splitlines()) <= 2, message
    return message


# --------------------------------------------------------------------------------------------------
# Limits


def test_declared_size_over_the_limit_is_refused_before_unpacking(tmp_path):
    path = write_export(VARS, data(), tmp_path / "e.zip", form="csv-zip")
    with using(Limits(max_size=200)):
        msg = error_of(path)
    assert "e.zip:" in msg and "over the limit of 200 bytes" in msg and "--max-size" in msg


def test_a_lying_zip_entry_is_an_error(tmp_path):
    # The zip claims 100 bytes for a dataset of 50,000 (central directory and local header alike):
    # unpacking stops at the claim and the checksum fails; it is never read as a shorter file.
    path = write_export(VARS, data(), tmp_path / "e.zip", form="csv-zip")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["dataset.csv"] += b"\r\n" * 25_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    raw = bytearray(path.read_bytes())
    true_size = struct.pack("<I", len(members["dataset.csv"]))
    assert raw.count(true_size) == 2
    path.write_bytes(bytes(raw).replace(true_size, struct.pack("<I", 100)))
    msg = error_of(path)
    assert "e.zip:dataset.csv: cannot be unpacked" in msg and "download it again" in msg


def test_the_stream_stops_at_the_limit(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dataset.csv", b"\n" * 50_000)
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    info = zf.infolist()[0]
    with using(Limits(max_size=10_000)), pytest.raises(ExportError, match="over the limit of 9.8 KB"):
        limits.read_member(zf, info, "x.zip:dataset.csv", ExportError)
    with using(Limits(max_size=10_000)), pytest.raises(ExportError, match="over the limit of 39.1 KB"):
        limits.drain_member(zf, info, "x.zip:dataset.csv", ExportError, factor=4)
    with using(Limits(max_size=100_000)):
        assert limits.read_member(zf, info, "x.zip:dataset.csv", ExportError) == b"\n" * 50_000


def test_blank_lines_zip_is_refused_by_lines(tmp_path):
    path = write_export(VARS, data(), tmp_path / "e.zip", form="csv-zip")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["dataset.csv"] += b"\r\n" * 5000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    with using(Limits(max_rows=1000)):
        msg = error_of(path)
    assert "dataset.csv: holds 5,0" in msg and "lines, over the limit of 1,000 rows" in msg
    assert "--max-rows" in msg
    assert read_export(path).distributed == 6  # under the default limits the blank lines are skipped


def test_rows_over_the_limit(tmp_path):
    path = write_export(VARS, data(30), tmp_path / "e", form="csv-folder")
    with using(Limits(max_rows=20)):
        assert "holds 30 rows, over the limit of 20" in error_of(path)
    xlsx = write_export(VARS, data(30), tmp_path / "e.xlsx", form="xlsx")
    with using(Limits(max_rows=20)):
        assert "over the limit of 20" in error_of(xlsx)


def _sheet_bomb(tmp_path: Path, rows: int, cols: int, dimension: str | None) -> Path:
    """A workbook whose Dataset sheet is replaced by ``rows`` x ``cols`` cells (tiny when zipped)."""
    src = write_export(VARS, data(), tmp_path / "src.xlsx", form="xlsx")
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            if name != "xl/worksheets/sheet1.xml":
                zout.writestr(name, zin.read(name))
                continue
            row = b"<row>" + b'<c t="n"><v>1</v></c>' * cols + b"</row>"
            dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
            zout.writestr(name, b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main">' + dim + b"<sheetData>" + row * rows
                          + b"</sheetData></worksheet>")
    return out


def test_xlsx_cells_counted_before_openpyxl_reads(tmp_path):
    bomb = _sheet_bomb(tmp_path, 400, 50, None)  # no dimension: the cells are counted in the XML
    with using(Limits(max_cells=10_000)):
        msg = error_of(bomb)
    assert "sheet1.xml: holds 20,000 cells, over the limit of 10,000" in msg and "--max-cells" in msg


def test_xlsx_declared_dimension_checked(tmp_path):
    bomb = _sheet_bomb(tmp_path, 3, 3, "A1:XFD1048576")
    msg = error_of(bomb)
    assert "holds 1,048,576 rows, over the limit of 1,000,000" in msg


def test_xlsx_bomb_memory_and_time_bounded(tmp_path):
    """A small workbook of 6 million cells is refused in seconds with little memory, by a fresh process."""
    bomb = _sheet_bomb(tmp_path, 240_000, 25, None)
    assert bomb.stat().st_size < 2_000_000
    # The child's own usage (os.wait4), not RUSAGE_CHILDREN: that is the largest of every child this test
    # process (an xdist worker) ever waited for.
    proc = subprocess.Popen([sys.executable, "-m", "fuldtid.cli", "validate", str(bomb)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 1 and "over the limit of 5,000,000" in stderr, stderr
    assert "Traceback" not in stderr
    assert usage.ru_utime < 30
    # Linux counts the memory a child had before exec (a copy of this process) in its peak, so the peak says
    # something only when this process is small; in a big test worker the time above is the check.
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 400_000:
        assert usage.ru_maxrss < 600_000  # KB: pandas and friends, not the sheet


def test_cli_limit_options(tmp_path):
    path = write_export(VARS, data(30), tmp_path / "e", form="csv-folder")
    r = CliRunner().invoke(cli, ["--max-rows", "20", "validate", str(path)])
    assert r.exit_code == 1 and "holds 30 rows, over the limit of 20" in r.output
    r = CliRunner().invoke(cli, ["--max-rows", "10", "validate", str(path)])
    assert r.exit_code == 1 and "holds 31 lines, over the limit of 10 rows" in r.output
    r = CliRunner().invoke(cli, ["--max-size", "1KB", "validate", str(path)])
    assert r.exit_code == 1 and "over the limit of 1 KB" in r.output
    r = CliRunner().invoke(cli, ["--max-size", "lots", "validate", str(path)])
    assert r.exit_code == 2 and "not a size" in r.output
    assert limits.parse_size("2GB") == 2 << 30 and limits.parse_size("300 mb") == 300 << 20


# --------------------------------------------------------------------------------------------------
# SPSS


def _sav(tmp_path: Path, n: int = 6) -> Path:
    return write_export(VARS, data(n), tmp_path / "e.sav", form="sav")


def test_damaged_sav_that_crashes_the_reader_is_an_error(tmp_path):
    path = _sav(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[180] = 53  # the first variable record's type code: a string width readstat trusts
    path.write_bytes(bytes(raw))
    crash = subprocess.run([sys.executable, "-c", f"import pyreadstat; pyreadstat.read_sav({str(path)!r})"],
                           capture_output=True)
    msg = error_of(path)
    assert "e.sav" in msg and "damaged" in msg
    if crash.returncode < 0:  # this pyreadstat does crash on it: the message says so
        assert f"signal {-crash.returncode}" in msg


@pytest.mark.parametrize("announced", [3, 9, 100])
def test_sav_header_case_count_must_match_the_rows(tmp_path, announced):
    path = _sav(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[80:84] = struct.pack("<i", announced)
    path.write_bytes(bytes(raw))
    assert f"header announces {announced} cases but the file holds 6" in error_of(path)


def test_sav_unknown_case_count_and_limits(tmp_path):
    path = _sav(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[80:84] = struct.pack("<i", -1)
    path.write_bytes(bytes(raw))
    exp = read_export(path)
    assert exp.distributed == 6 and exp.data.loc["81200000", "s_9"] == "Løn og æøå 0"
    with using(Limits(max_rows=4)):
        assert "holds more than 4 cases, over the limit of 4" in error_of(path)


def test_sav_huge_announced_count_refused_before_reading(tmp_path):
    path = _sav(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[80:84] = struct.pack("<i", 0x35000003)  # readstat would allocate for 889 million cases
    path.write_bytes(bytes(raw))
    assert "holds 889,192,451 cases, over the limit of 1,000,000" in error_of(path)


# --------------------------------------------------------------------------------------------------
# Encoding and control characters


def test_utf8_with_a_stray_cp1252_byte_is_an_error_naming_the_line(tmp_path):
    path = write_export(VARS, data(), tmp_path / "e", form="csv-folder", encoding="utf-8")
    ds = path / "dataset.csv"
    raw = ds.read_bytes()
    lines = raw.split(b"\r\n")
    assert "Løn".encode("utf-8") in lines[2]
    lines[2] = lines[2].replace("Løn".encode("utf-8"), "Løn".encode("cp1252"))
    ds.write_bytes(b"\r\n".join(lines))
    msg = error_of(path)
    assert "dataset.csv, line 3: the file is UTF-8 but this line holds byte 0xf8" in msg
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 1 and "OK" not in r.output and "line 3" in r.output


def test_cp1252_files_are_still_read_and_never_mojibake(tmp_path):
    path = write_export(VARS, data(), tmp_path / "e", form="csv-folder", encoding="cp1252")
    exp = read_export(path)
    assert exp.encoding == "cp1252" and exp.data.loc["81200000", "s_9"] == "Løn og æøå 0"
    path = write_export(VARS, data(), tmp_path / "u", form="csv-folder", encoding="utf-8")
    exp = read_export(path)
    assert exp.encoding == "utf-8" and exp.data.loc["81200000", "s_9"] == "Løn og æøå 0"
    assert not any("Ã" in str(v) for v in exp.data["s_9"].dropna())


def test_mixed_side_files_name_the_line(tmp_path):
    from fuldtid.model.population import read_population
    from fuldtid.read.tabular import read_sheets

    coding = tmp_path / "coding.csv"
    coding.write_bytes("respondentid;variabel;kategori\n1;s_9;Løn\n2;s_9;Tid\n3;s_9;Løn\n".encode("utf-8")
                       + "4;s_9;Løn\n".encode("cp1252"))
    with pytest.raises(CodingError, match=r"coding.csv, line 5: the file is UTF-8"):
        read_sheets(coding, "coding file", CodingError)
    pop = tmp_path / "pop.csv"
    pop.write_bytes("variabel;kategori;antal\nkoen;Kvinde;5\n".encode("cp1252"))
    pop_mixed = tmp_path / "mixed.csv"
    pop_mixed.write_bytes("variabel;kategori;antal\nkøn;Kvinde;5\nkøn;Mand;4\n".encode("utf-8")
                          + "timer;Fuldtid æ;3\n".encode("cp1252"))
    with pytest.raises(PopulationError, match="line 4: the file is UTF-8"):
        read_population(pop_mixed, {"køn": ["Kvinde", "Mand"], "timer": ["Fuldtid æ"]})


def test_control_characters_in_a_csv_answer_are_replaced(tmp_path):
    path = write_export(VARS, data(), tmp_path / "e", form="csv-folder", encoding="utf-8")
    ds = path / "dataset.csv"
    ds.write_bytes(ds.read_bytes().replace("Løn og æøå 1".encode(), "Løn\x0bog\x0cæøå 1".encode()))
    exp = read_export(path)
    assert exp.data.loc["81200001", "s_9"] == "Løn og æøå 1"
    assert any("line 3: 2 control character(s) (e.g. a vertical tab" in w for w in exp.warnings)


def test_binary_data_is_still_refused(tmp_path):
    path = write_export(VARS, data(), tmp_path / "e", form="csv-folder", encoding="utf-8")
    ds = path / "dataset.csv"
    ds.write_bytes(ds.read_bytes().replace(b"Kvinde", b"Kv\x00nde") + b"\x01\x02" * 100)
    assert "does not look like a text export" in error_of(path)


@pytest.mark.parametrize("form", ["sav", "xlsx"])
def test_control_characters_from_sav_and_xlsx_are_replaced(tmp_path, form):
    frame = data(answer="Tid\x0bnok\x07")
    frame.loc["81200001", "s_9"] = "\x0b"  # only a control character: an empty answer
    variables = dict(VARS, s_1=Variable("s_1", "Køn\x0b?", "single", {1: "Kvinde\x0c", 2: "Mand"}))
    if form == "sav":
        path = write_export(variables, frame, tmp_path / "e.sav", form="sav")
    else:
        # openpyxl refuses to write them; Excel stores them escaped, as _x000B_, which openpyxl gives as is.
        path = write_export(_escape(variables), _escape(frame), tmp_path / "e.xlsx", form="xlsx")
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for n, b in members.items():
                zf.writestr(n, b.replace(b"VTAB", b"_x000B_").replace(b"BELL", b"_x0007_").replace(b"FORMFEED", b"_x000C_"))
    exp = read_export(path)
    assert exp.data.loc["81200000", "s_9"] == "Tid nok  0"
    assert pd.isna(exp.data.loc["81200001", "s_9"])
    assert exp.variables["s_1"].text == "Køn ?" and exp.variables["s_1"].labels[1] == "Kvinde"


def _escape(obj):
    table = str.maketrans({"\x0b": "VTAB", "\x07": "BELL", "\x0c": "FORMFEED"})
    if isinstance(obj, pd.DataFrame):
        out = obj.copy()
        out["s_9"] = out["s_9"].map(lambda v: v.translate(table) if isinstance(v, str) else v).astype("str")
        return out
    return {k: Variable(v.name, v.text.translate(table), v.kind, {c: t.translate(table) for c, t in v.labels.items()})
            for k, v in obj.items()}


def test_control_characters_reach_no_writer(tmp_path, example_dir):
    """An export (.sav) whose answers and labels hold Word's control characters gives every output."""
    example = read_export(example_dir / "export")
    frame = example.data.copy()
    open_vars = [v for v, var in example.variables.items() if var.kind == "open"]
    for v in open_vars:
        present = frame[v].notna()
        frame.loc[present, v] = frame.loc[present, v] + "\x0bmere\x0c tekst"
    path = write_export(example.variables, frame, tmp_path / "e.sav", form="sav")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["report", str(path), "--coding", str(example_dir / "coding.csv"),
                                 "--out", str(out), "--format", "xlsx,docx,html"])
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == {"tabeller.xlsx", "notat.docx", "notat.html"}
    html = (out / "notat.html").read_text("utf-8")
    assert "\x0b" not in html and "\x0c" not in html
    sheet = tmp_path / "kodning.xlsx"
    r = CliRunner().invoke(cli, ["coding-sheet", str(path), "--out", str(sheet)])
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(sheet) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/"))
    assert "mere  tekst" in xml or "mere tekst" in xml


def test_side_file_workbooks_are_bounded_too(tmp_path, example_dir):
    import openpyxl

    from fuldtid.model.population import read_population
    from fuldtid.read.tabular import read_sheets

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondentid", "variabel", "kategori"])
    for i in range(300):
        ws.append([str(81200000 + i), "s_9", "Løn"])
    path = tmp_path / "kodning.xlsx"
    wb.save(path)
    assert len(read_sheets(path, "coding file", CodingError)[0].rows) == 300
    with using(Limits(max_cells=500)), pytest.raises(CodingError, match="holds 301 rows of 3 columns, over the limit of 500 cells"):
        read_sheets(path, "coding file", CodingError)
    with using(Limits(max_rows=100)), pytest.raises(PopulationError, match="holds 301 rows, over the limit of 100"):
        read_population(path, {"koen": ["Kvinde"]})
    r = CliRunner().invoke(cli, ["--max-cells", "500", "validate", str(example_dir / "export"), "--coding", str(path)])
    assert r.exit_code == 1 and "--max-cells" in r.output


_LINE = st.text(alphabet=st.sampled_from("abc xyzæøåÆØÅé,.;0123"), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_LINE, st.sampled_from(["utf-8", "cp1252"])), min_size=1, max_size=8))
def test_a_side_file_is_read_right_or_refused_never_mojibake(lines):
    """Lines saved in UTF-8 or cp1252, mixed at random: the text comes back exactly, or the file is
    refused naming a line; never silently garbled."""
    from fuldtid.read.tabular import decode

    raw = b"\n".join(text.encode(enc) for text, enc in lines)
    original = "\n".join(text for text, _ in lines)
    try:
        got = decode(raw, Path("kodning.csv"), CodingError)
    except CodingError as exc:
        assert "kodning.csv, line" in str(exc)
        encodings = {enc for text, enc in lines if not text.isascii()}
        assert encodings == {"utf-8", "cp1252"}  # refused only when really mixed
        return
    assert got == original

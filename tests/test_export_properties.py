"""Property tests: any export round-trips, and a mangled export is either read correctly or refused.

"Read correctly" is judged by an independent reading of the mangled bytes with Python's csv module: the
reader may refuse more than that oracle does, but whenever it returns an Export, every respondent, code,
text and status must be what the file says. Never another exception, never a silently different count.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fuldtid.errors import ExportError
from fuldtid.read.export import Variable, read_export
from exportwriter import write_export

VARS = {
    "s_1": Variable("s_1", "Hvad er dit køn?", "single", {1: "Kvinde", 2: "Mand"}),
    "s_6": Variable("s_6", "Hvor mange timer om ugen er du ansat til?", "single",
                    {1: "1-9 timer", 2: "10-19 timer", 3: "20-29 timer", 4: "30-36 timer", 5: "37 timer"}),
    "s_10": Variable("s_10", "Hvorfor ønsker du ikke at gå op i tid?", "open", {}),
    "s_16": Variable("s_16", "Uddyb gerne dit svar", "open", {}),
}
STATUSES = ["Ny", "Distribueret", "Delvist besvaret", "Gennemført", "Frafaldet", None]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text an employee might type, restricted to what cp1252 can hold, with the characters that stress CSV.
ALPHABET = st.sampled_from(list("abcæøåÆØÅ xyz;,\t\"'=+-@<>&\n0123456789.éü€–"))
ANSWER = st.one_of(st.none(), st.text(ALPHABET, min_size=1, max_size=25))


@st.composite
def exports(draw, max_rows: int = 10) -> pd.DataFrame:
    n = draw(st.integers(1, max_rows))
    ids = draw(st.lists(st.integers(1, 10**9), min_size=n, max_size=n, unique=True))
    status = draw(st.lists(st.sampled_from(STATUSES), min_size=n, max_size=n))
    status[draw(st.integers(0, n - 1))] = "Gennemført"  # an export needs someone who answered
    s1 = draw(st.lists(st.sampled_from([1, 2, None]), min_size=n, max_size=n))
    s6 = draw(st.lists(st.sampled_from([1, 2, 3, 4, 5, None]), min_size=n, max_size=n))
    texts = [draw(ANSWER) for _ in range(n)]
    texts = [t.strip() if t and t.strip() else None for t in texts]
    secs = draw(st.lists(st.one_of(st.none(), st.integers(0, 40 * 86400)), min_size=n, max_size=n))
    start = pd.Series([pd.Timestamp("2022-07-20") + pd.Timedelta(seconds=s) if s is not None else pd.NaT
                       for s in secs], dtype="datetime64[ns]")
    return pd.DataFrame({
        "s_1": pd.array(s1, dtype="Int64"),
        "s_6": pd.array(s6, dtype="Int64"),
        "s_10": pd.array(texts, dtype="str"),
        "s_16": pd.array([None] * n, dtype="str"),
        "answered": [s in ("Delvist besvaret", "Gennemført") for s in status],
        "status": pd.array(status, dtype="str"),
        "starttime": start.to_numpy(),
        "closetime": (start + pd.Timedelta(minutes=3)).to_numpy(),
    }, index=pd.Index([str(i) for i in ids], name="respondentid", dtype="str"))


CSV_STYLE = st.tuples(st.sampled_from(["cp1252", "utf-8", "utf-8-sig", "utf-16"]),
                      st.sampled_from([";", ",", "\t"]), st.sampled_from(["\r\n", "\n"]))


@settings(max_examples=60, **SETTINGS)
@given(data=exports(), style=CSV_STYLE)
def test_csv_round_trip(data: pd.DataFrame, style) -> None:
    encoding, sep, newline = style
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(VARS, data, Path(tmp) / "e", encoding=encoding, separator=sep, newline=newline)
        exp = read_export(path)
        ascii_only = (path / "dataset.csv").read_bytes().isascii()
    # Plain ASCII is valid UTF-8 too, and reads the same either way.
    assert exp.encoding == encoding or (encoding == "cp1252" and ascii_only and exp.encoding == "utf-8")
    assert exp.separator == sep
    pd.testing.assert_frame_equal(exp.data, data)
    assert dict(exp.variables) == VARS


@settings(max_examples=20, **SETTINGS)
@given(data=exports(), form=st.sampled_from(["csv-zip", "xlsx", "sav"]), parts=st.sampled_from([None, 2]))
def test_binary_forms_round_trip(data: pd.DataFrame, form: str, parts) -> None:
    ext = {"csv-zip": ".zip", "xlsx": ".xlsx", "sav": ".sav"}[form]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(VARS, data, Path(tmp) / f"e{ext}", form=form,
                            split_dataset=parts if form == "xlsx" else None)
        exp = read_export(path)
    pd.testing.assert_frame_equal(exp.data, data)


# --------------------------------------------------------------------------------------------------
# Mangled Dataset files against the csv-module oracle


def oracle(raw: bytes, encoding: str, sep: str) -> pd.DataFrame | None:
    """The respondents as Python's csv module reads the bytes, or None when the table is malformed."""
    try:
        # The reader replaces control characters (other than tab, LF, CR) by spaces, and says so.
        text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", raw.decode(encoding))
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False) if r]
    except (UnicodeDecodeError, csv.Error):
        return None
    if len(rows) < 2:
        return None
    header = [h.strip() for h in rows[0]]
    width = len(header)
    if all(len(r) == width + 1 for r in rows[1:]):
        header.append("")
        width += 1
    if any(len(r) != width for r in rows[1:]):
        return None
    frame = pd.DataFrame(rows[1:], columns=[h or f"blank{i}" for i, h in enumerate(header)])
    return frame


def normal_id(cell: str) -> str:
    cell = cell.strip()
    if re.fullmatch(r"\d+\.0*", cell):
        return cell.split(".")[0]
    return cell


def check_against_oracle(exp, raw: bytes) -> None:
    table = oracle(raw, exp.encoding, exp.separator)  # the codec names are Python's
    assert table is not None, "the reader accepted a table the csv module finds malformed"
    assert exp.distributed == len(table)
    if re.search("[\x01-\x08\x0b\x0c\x0e-\x1f]", raw.decode(exp.encoding)):
        assert any("control character" in w for w in exp.warnings)
    if "respondentid" in table:
        assert list(exp.data.index) == [normal_id(c) for c in table["respondentid"]]
    else:  # no id column (an anonymous survey, or a damaged header): rows numbered, and said so
        assert exp.numbered and list(exp.data.index) == [str(i) for i in range(1, len(table) + 1)]
        assert any("no respondentid" in w for w in exp.warnings)
    answered = [(a.strip() == "1") or (b.strip() == "1") for a, b in zip(table["statoverall_3"], table["statoverall_4"])]
    assert exp.data["answered"].tolist() == answered
    assert exp.answered == sum(answered)
    for name, var in exp.variables.items():
        got = exp.data[name].tolist()
        cells = [c.strip() for c in table[name]]
        if var.kind == "single":
            want = [int(float(c)) if c else pd.NA for c in cells]
        else:
            want = [c if c else np.nan for c in cells]
        assert [g if not pd.isna(g) else "NA" for g in got] == [w if not pd.isna(w) else "NA" for w in want], name


@st.composite
def mangles(draw, raw: bytes):
    """One edit of the bytes: drop/duplicate a line, cut, flip/insert/delete a byte, swap a separator."""
    kind = draw(st.sampled_from(["drop", "dup", "cut", "flip", "insert", "delete", "sep", "digit"]))
    lines = raw.split(b"\n")
    if kind in ("drop", "dup") and len(lines) > 1:
        k = draw(st.integers(0, len(lines) - 1))
        lines[k:k + 1] = [] if kind == "drop" else [lines[k], lines[k]]
        return b"\n".join(lines)
    pos = draw(st.integers(0, max(len(raw) - 1, 0)))
    if kind == "cut":
        return raw[:pos]
    if kind == "flip":
        return raw[:pos] + bytes([draw(st.integers(0, 255))]) + raw[pos + 1:]
    if kind == "insert":
        return raw[:pos] + draw(st.sampled_from([b";", b",", b"\t", b'"', b"\n", b"\r", b"7", b"\xe6"])) + raw[pos:]
    if kind == "delete":
        return raw[:pos] + raw[pos + 1:]
    if kind == "sep":
        seps = [m.start() for m in re.finditer(rb"[;,\t]", raw)]
        if seps:
            at = draw(st.sampled_from(seps))
            return raw[:at] + draw(st.sampled_from([b";", b",", b"\t", b"|"])) + raw[at + 1:]
        return raw
    digits = [m.start() for m in re.finditer(rb"\d", raw)]
    if digits:
        at = draw(st.sampled_from(digits))
        return raw[:at] + str(draw(st.integers(0, 9))).encode() + raw[at + 1:]
    return raw


@settings(max_examples=150, **SETTINGS)
@given(data=exports(), style=CSV_STYLE, pick=st.data())
def test_mangled_dataset_is_read_correctly_or_refused(data: pd.DataFrame, style, pick) -> None:
    encoding, sep, newline = style
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(VARS, data, Path(tmp) / "e", encoding=encoding, separator=sep, newline=newline)
        raw = (path / "dataset.csv").read_bytes()
        mangled = pick.draw(mangles(raw))
        (path / "dataset.csv").write_bytes(mangled)
        try:
            exp = read_export(path)
        except ExportError as exc:
            assert "dataset.csv" in str(exc)
            event("refused")
            return
    event("read")
    check_against_oracle(exp, mangled)


@settings(max_examples=80, **SETTINGS)
@given(data=exports(), style=CSV_STYLE, which=st.sampled_from(["structure.csv", "labels.csv"]), pick=st.data())
def test_mangled_metadata_never_changes_the_counts(data: pd.DataFrame, style, which: str, pick) -> None:
    encoding, sep, newline = style
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(VARS, data, Path(tmp) / "e", encoding=encoding, separator=sep, newline=newline)
        raw = (path / which).read_bytes()
        (path / which).write_bytes(pick.draw(mangles(raw)))
        try:
            exp = read_export(path)
        except ExportError:
            return
    assert (exp.distributed, exp.answered) == (len(data), int(data["answered"].sum()))
    assert list(exp.data.index) == list(data.index)
    for name, var in exp.variables.items():
        if var.kind == "single" and name in data.columns:
            assert exp.data[name].tolist() == data[name].tolist()


@settings(max_examples=60, **SETTINGS)
@given(data=exports(max_rows=6), form=st.sampled_from(["csv-zip", "xlsx", "sav"]),
       cut=st.floats(0, 1, exclude_max=True), flip=st.booleans(), pick=st.data())
def test_damaged_binary_forms_are_refused_or_intact(data: pd.DataFrame, form: str, cut: float, flip: bool,
                                                    pick) -> None:
    ext = {"csv-zip": ".zip", "xlsx": ".xlsx", "sav": ".sav"}[form]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(VARS, data, Path(tmp) / f"e{ext}", form=form)
        raw = path.read_bytes()
        if flip and form != "sav":  # zip members carry a CRC; SPSS data has no checksum to catch a flip
            at = pick.draw(st.integers(0, len(raw) - 1))
            raw = raw[:at] + bytes([raw[at] ^ pick.draw(st.integers(1, 255))]) + raw[at + 1:]
        else:
            raw = raw[: int(len(raw) * cut)]
        path.write_bytes(raw)
        try:
            exp = read_export(path)
        except ExportError as exc:
            assert path.name in str(exc)
            return
    assert (exp.distributed, exp.answered) == (len(data), int(data["answered"].sum()))
    pd.testing.assert_frame_equal(exp.data[["s_1", "s_6", "answered"]], data[["s_1", "s_6", "answered"]])


def _read_or_error(path: Path) -> tuple[str, object]:
    try:
        exp = read_export(path)
    except ExportError as exc:
        return "error", str(exc)
    return "read", (exp.data, exp.warnings, exp.distributed, exp.answered)


@settings(max_examples=60, **SETTINGS)
@given(data=exports(), style=CSV_STYLE, pick=st.data())
def test_parsing_while_scanning_changes_nothing(data: pd.DataFrame, style, pick) -> None:
    """A large Dataset is parsed in a thread while its rows are checked (fuldtid/read/csvform.py); on any file,
    damaged or not, that gives exactly what parsing after the checks gives: the same data or the same error."""
    import fuldtid.read.csvform as csvform

    encoding, sep, newline = style
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(VARS, data, Path(tmp) / "e", encoding=encoding, separator=sep, newline=newline)
        raw = (path / "dataset.csv").read_bytes()
        (path / "dataset.csv").write_bytes(pick.draw(mangles(raw)))
        before = csvform._PARSE_WHILE_SCANNING
        try:
            csvform._PARSE_WHILE_SCANNING = 1 << 40  # never: parse after the checks
            after_checks = _read_or_error(path)
            csvform._PARSE_WHILE_SCANNING = 0  # always
            while_scanning = _read_or_error(path)
        finally:
            csvform._PARSE_WHILE_SCANNING = before
    assert while_scanning[0] == after_checks[0], (while_scanning, after_checks)
    if after_checks[0] == "error":
        assert while_scanning[1] == after_checks[1]
    else:
        frame_a, warnings_a, *counts_a = after_checks[1]
        frame_b, warnings_b, *counts_b = while_scanning[1]
        pd.testing.assert_frame_equal(frame_b, frame_a)
        assert (warnings_b, counts_b) == (warnings_a, counts_a)



@settings(max_examples=40, **SETTINGS)
@given(n=st.integers(0, 3 * 4096 + 7), byte=st.sampled_from([10, 13, 34]), seed=st.integers(0, 2**32 - 1))
def test_positions_a_chunk_at_a_time_are_flatnonzero(n: int, byte: int, seed: int) -> None:
    """The record scan finds line ends and quotes a chunk at a time (bounded memory beside the parser); that is
    exactly np.flatnonzero(a == byte), across chunk boundaries too."""
    import fuldtid.read.csvtext as csvtext

    a = np.random.default_rng(seed).integers(0, 40, n).astype(np.uint8)
    before = csvtext._CHUNK
    try:
        csvtext._CHUNK = 4096
        got = csvtext._positions(a, byte)
    finally:
        csvtext._CHUNK = before
    assert got.dtype == np.intp and np.array_equal(got, np.flatnonzero(a == byte))

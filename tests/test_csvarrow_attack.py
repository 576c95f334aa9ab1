"""Adversarial tests of the pyarrow road for a CSV Dataset (fuldtid/read/csvarrow.py).

The promise: for any Dataset the arrow road gives exactly what the pandas road gives (the same data, warnings
and counts, or the same error message), or it declines and the pandas road runs. Forcing the road
(``csvform._ARROW_FROM = 0`` / ``1 << 40``) lets small files take either one; ``csvarrow._BLOCK`` made small
spreads a file over many parsing blocks, so that the dictionaries of several chunks must be unified.

The property test draws Datasets from an alphabet of hazards (stray and doubled quotes, separators and line breaks
inside quotes, lone CR and mixed line ends, blank and whitespace lines, short and long rows, trailing separators,
odd headers, BOM, UTF-16, cp1252 letters, control characters, codes such as ' 3', '+2', '1e0', 'nan', 'inf',
unknown codes, duplicate ids) and asserts both roads agree. The differences it found first (a CR LF split by
pyarrow's block edge, pandas' shifted row after a lone-CR blank line, numbers spelled by pandas' float parser,
'True' read as 1, a header longer than 64 KiB) were fixed in the reader; each is kept below as a regression test,
and in the alphabet.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import fuldtid.read.csvform as csvform
from fuldtid.read import csvarrow
from fuldtid.read.csvtext import _decode
from test_export import LABELS, STRUCTURE
from test_export_properties import SETTINGS, _read_or_error

STATUS_COLUMNS = [f"statoverall_{k}" for k in range(1, 6)]
COLUMNS = ["respondentid", "closetime", "starttime", "s_1", "s_6", "s_7", "s_16", *STATUS_COLUMNS]
PYTHON_CODEC = {"cp1252": "cp1252", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}


# --------------------------------------------------------------------------------------------------
# Helpers


def write_folder(folder: Path, dataset: bytes, encoding: str = "cp1252") -> Path:
    """A CSV trio: the hand-written Structure and Labels (CR LF, in ``encoding``) and the Dataset's bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    meta_encoding = "utf-8" if encoding == "utf-16" else encoding  # a UTF-16 Dataset beside UTF-8 metadata
    (folder / "structure.csv").write_bytes(STRUCTURE.replace("\n", "\r\n").encode(meta_encoding))
    (folder / "labels.csv").write_bytes(LABELS.replace("\n", "\r\n").encode(meta_encoding))
    (folder / "dataset.csv").write_bytes(dataset)
    return folder


def both_roads(folder: Path, block: int | None = None, taken: list | None = None) -> tuple[tuple, tuple]:
    """``_read_or_error`` with the pandas road forced, then with the arrow road forced (blocks of ``block``).
    ``taken`` collects whether csvarrow.parse gave a frame (True) or declined (False)."""
    before = csvform._ARROW_FROM, csvarrow._BLOCK, csvarrow.parse
    real_parse = csvarrow.parse

    def spy(*args, **kwargs):
        out = real_parse(*args, **kwargs)
        if taken is not None:
            taken.append(out is not None)
        return out

    try:
        csvform._ARROW_FROM = 1 << 40
        pandas_road = _read_or_error(folder)
        csvform._ARROW_FROM = 0
        if block is not None:
            csvarrow._BLOCK = block
        csvarrow.parse = spy
        arrow_road = _read_or_error(folder)
    finally:
        csvform._ARROW_FROM, csvarrow._BLOCK, csvarrow.parse = before
    return pandas_road, arrow_road


def assert_same(pandas_road: tuple, arrow_road: tuple) -> None:
    assert arrow_road[0] == pandas_road[0], (str(pandas_road)[:500], str(arrow_road)[:500])
    if pandas_road[0] == "error":
        assert arrow_road[1] == pandas_road[1]
        return
    frame_p, warnings_p, *counts_p = pandas_road[1]
    frame_a, warnings_a, *counts_a = arrow_road[1]
    pd.testing.assert_frame_equal(frame_a, frame_p)
    assert (warnings_a, counts_a) == (warnings_p, counts_p)


def roads_agree(tmp_path: Path, dataset: bytes, encoding: str = "cp1252", block: int | None = None) -> list:
    """Both roads give the same; returns whether the arrow road parsed ([True]), declined ([False]) or was
    not tried ([]: an error before the Dataset's parse, or a header that is not plain)."""
    taken: list = []
    assert_same(*both_roads(write_folder(tmp_path / "e", dataset, encoding), block, taken))
    return taken


HEADER = ";".join(COLUMNS)


def plain_rows(n: int, nl: str = "\r\n") -> str:
    return "".join(f"{i};;;{1 + i % 2};{1 + i % 5};;svar {i % 3};0;0;{i % 2};{1 - i % 2};0{nl}" for i in range(1, n + 1))


# --------------------------------------------------------------------------------------------------
# The road is really taken (so that the property cannot pass vacuously)


def test_arrow_road_is_taken_for_a_plain_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = (HEADER + "\r\n" + plain_rows(5)).encode("cp1252")
    folder = write_folder(tmp_path / "e", dataset)
    parsed: list[object] = []
    real_parse = csvarrow.parse

    def spy(*args, **kwargs):
        out = real_parse(*args, **kwargs)
        parsed.append(out)
        return out

    monkeypatch.setattr(csvarrow, "parse", spy)
    monkeypatch.setattr(csvform, "_ARROW_FROM", 0)
    monkeypatch.setattr(csvarrow, "_BLOCK", 256)  # several chunks, dictionaries unified
    kind, got = _read_or_error(folder)
    assert kind == "read", got
    assert len(parsed) == 1 and isinstance(parsed[0], pd.DataFrame) and len(parsed[0]) == 5
    assert isinstance(parsed[0]["s_1"].dtype, pd.CategoricalDtype)
    # and, called directly, parse gives a frame
    dec = _decode(dataset, "dataset.csv")
    keep = ["respondentid", "s_1", "s_16", "statoverall_3"]
    frame = real_parse(dec, ";", COLUMNS, keep)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == keep and len(frame) == 5
    taken: list = []
    assert_same(*both_roads(folder, block=256, taken=taken))
    assert taken == [True]


def test_arrow_road_declines_a_stray_quote(tmp_path: Path) -> None:
    dataset = (HEADER + "\r\n" + '1;;;1;3;1;en 5" skærm;0;0;0;1;0\r\n').encode("cp1252")
    assert csvarrow.parse(_decode(dataset, "dataset.csv"), ";", COLUMNS, ["respondentid"]) is None
    roads_agree(tmp_path, dataset)


# --------------------------------------------------------------------------------------------------
# The property: any Dataset drawn from the hazards reads the same on both roads

CODES = ["", "", "1", "2", "3", "5", "1.0", "2.0", " 3", "3 ", "+2", "1e0", "1.5", "nan", "inf", "-inf", "9",
         "-0", "x", "æ", "0x1", "1,0", "1.50", ".5", "INF", "1e20", "True", "false"]
FLAGS = ["0", "1", "", "1.0", " 1", "0.0", "0.5", "x", "ja", "2", "-1", ".5", "2e0", "TRUE", "False"]
IDS = ["1", "2", "3", "4", "01", "1.0", "2.0", "1e0", " 5", "6 ", "", "æ7", "x", "8", "9", "10", "11", "12"]
TIMES = ["", "28-07-2022 10:05:00", "2022-07-28 10:05:00", "28.07.2022 10:05:00", "x", "31-02-2022 10:00:00"]
# Pieces of an answer; a quote, a separator or a line break in an unquoted cell is itself a hazard.
SAFE_PIECES = ["a", "b", "æ", "ø", "€", " ", "'", "\x0b", "_x000B_", "1", "x" * 40]
RISKY_PIECES = ['"', '""', ";", ",", "\t", "\r", "\n", "\r\n"]


@st.composite
def fields(draw, values, hazards: frozenset) -> str:
    """One cell: written as is, quoted (doubling quotes), or quoted with text after the closing quote."""
    value = draw(values)
    hows = ["plain", "plain", "quoted"] + (["quoted+text"] if "text after quote" in hazards else [])
    how = draw(st.sampled_from(hows))
    if how == "plain":
        if "raw cells" not in hazards:
            for piece in RISKY_PIECES:  # a cell that needs quotes gets them
                if piece in value:
                    how = "quoted"
        if how == "plain":
            return value
    quoted = '"' + value.replace('"', '""') + '"'
    return quoted + "x" if how == "quoted+text" else quoted


@st.composite
def datasets(draw, max_rows: int = 8) -> tuple[str, str, int | None]:
    """(the Dataset's text, its encoding, a block size for pyarrow or None)."""
    # Each example runs a few hazards; files with none of the gate's hazards are the ones pyarrow parses.
    hazards = frozenset(draw(st.lists(st.sampled_from(
        ["raw cells", "text after quote", "ragged rows", "blank lines", "line ends", "odd header"]), max_size=2)))
    text_values = st.lists(st.sampled_from(SAFE_PIECES + RISKY_PIECES), max_size=6).map("".join)
    sep = draw(st.sampled_from([";", ",", "\t"]))
    nl = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    columns = list(COLUMNS)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    header_kind = draw(st.sampled_from(
        ["plain", "upper", "quoted", "duplicate", "unknown", "no id", "blank first", "space first", "spaced"]
        if "odd header" in hazards else ["plain", "plain", "plain", "upper", "unknown", "no id", "spaced"]))
    if header_kind == "no id":
        columns.remove("respondentid")
    names = list(columns)
    if header_kind == "upper":
        names = [n.upper() if n.startswith("resp") or n.startswith("s_") else n for n in names]
    elif header_kind == "quoted":
        names = [f'"{n}"' if n == "s_16" else n for n in names]
    elif header_kind == "duplicate":
        names.append("s_1")
        columns.append("s_1")
    elif header_kind == "unknown":
        names.append("ekstra")
        columns.append("ekstra")
    elif header_kind == "spaced":
        names = [f" {n} " for n in names]
    header = sep.join(names)
    trailing = draw(st.sampled_from(["none", "none", "header", "rows", "all"] if "ragged rows" in hazards
                                    else ["none", "none", "none", "all"]))
    if trailing in ("header", "all"):
        header += sep
    if header_kind == "blank first":
        header = nl + header
    elif header_kind == "space first":
        header = " " + nl + header

    def column_values(name: str):
        if name == "respondentid":
            return st.sampled_from(IDS)
        if name in ("s_1", "s_6", "s_7"):
            return st.sampled_from(CODES)
        if name.startswith("statoverall"):
            return st.sampled_from(FLAGS)
        if name in ("starttime", "closetime"):
            return st.sampled_from(TIMES)
        return text_values

    n = draw(st.integers(0, max_rows))
    lines = [header]
    for _ in range(n):
        row = [draw(fields(column_values(c), hazards)) for c in columns]
        if "ragged rows" in hazards and draw(st.integers(0, 3)) == 0:  # a row one field short or long
            if draw(st.booleans()):
                row.pop()
            else:
                row.append("")
        line = sep.join(row)
        if trailing in ("rows", "all"):
            line += sep
        lines.append(line)
        if "blank lines" in hazards and draw(st.integers(0, 2)) == 0:  # a blank or whitespace-only line
            lines.append(draw(st.sampled_from(["", "", " ", "\t", sep])))
    mixed = "line ends" in hazards
    ends = [draw(st.sampled_from(["\r\n", "\n", "\r"])) if mixed else nl for _ in lines]
    text = "".join(line + end for line, end in zip(lines, ends))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no newline after the last row
    encoding = draw(st.sampled_from(["cp1252", "cp1252", "utf-8", "utf-8-sig", "utf-16"]))
    block = draw(st.sampled_from([None, None, 256, 1024]))  # a block must hold the longest row
    return text, encoding, block


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(PYTHON_CODEC[encoding])
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _quoted_crlf_on_a_block_edge(payload: bytes, block: int) -> bool:
    """A CR LF inside quotes split by a block edge: pyarrow drops the LF (apache/arrow#51368; the reader moves
    the edges, see test_quoted_crlf_on_a_block_edge)."""
    for edge in range(block, len(payload), block):
        if payload[edge - 1:edge + 1] == b"\r\n" and payload.count(b'"', 0, edge) % 2:
            return True
    return False


def _cr_blank_line_before_a_separator(payload: bytes) -> bool:
    """A blank line ended by a lone CR, then a row that starts with the separator: pandas' tokenizer eats that
    separator (its first field), shifting the row one column left (the reader takes blank lines out first)."""
    return re.search(rb"[\r\n]\r[;,\t]", payload) is not None


@settings(max_examples=150, **SETTINGS)
@given(case=datasets())
def test_both_roads_agree_on_any_dataset(case) -> None:
    text, encoding, block = case
    raw = _encode(text, encoding)
    payload = raw if encoding in ("cp1252", "utf-8") else text.encode("utf-8")  # the bytes pyarrow parses
    if _quoted_crlf_on_a_block_edge(payload, block or csvarrow._BLOCK):
        event("a quoted CR LF on a block edge")
    if _cr_blank_line_before_a_separator(payload):
        event("a lone-CR blank line before a separator")
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp) / "e", raw, encoding)
        taken: list = []
        assert_same(*both_roads(folder, block, taken))
    event({(): "arrow not tried (refused before, or header not plain)", (True,): "arrow parsed",
           (False,): "arrow declined"}[tuple(taken)])


# --------------------------------------------------------------------------------------------------
# Hand-written hazards that held (kept as regressions)

SMALL = "respondentid;s_1;s_6;s_7;s_16;" + ";".join(STATUS_COLUMNS) + "\n"


@pytest.mark.parametrize("body", [
    "1;1;3;1;x;0;0;0;1;0\n2;2;;;y;0;0;1;0;0\n",
    "1;1;3;1;x;0;0;0;1;0\n1.0;2;;;y;0;0;1;0;0\n",                    # duplicate id: both lines named
    "1;1;3;1;x;0;0;0;1;0\n\n\n2;2;;;y;0;0;1;0;0\n2;1;;;;0;0;1;0;0\n",  # duplicate id after blank lines
    '1;1;3;1;"a\r\nb;""c""";0;0;0;1;0\n2;2;;;"";0;0;1;0;0\n',          # CR LF, separator, "" inside quotes
    '1;1;3;1;"a\rb\nc";0;0;0;1;0\n2;2;;;"\r";0;0;1;0;0\n',
    "1;1;3;1;x;0;0;0;1\n",                                            # a row one field short
    "1;1;3;1;x;0;0;0;1;0;\n",                                         # ... one long
    "1;1;3;1;x;0;0;0;1;0;\n2;2;;;;0;0;1;0;0;\n",                      # a trailing separator on every row
    "",                                                                # header only
    "\n\n",
    "1;1;3;1;x;0;0;0;1;0",                                            # no newline at the end
    "1;9;3;1;x;0;0;0;1;0\n",                                          # an unknown code
    "1; 3;+2;1e0;x;0;0;0;1;0\n",
    "1;nan;3;1;x;0;0;0;1;0\n",
    "1;inf;3;1;x;0;0;0;1;0\n",
    "1;1.5;3;1;x;0;0;0;1;0\n",
    "1;;;;x;0;0;0;x;0\n",
    ";1;3;1;x;0;0;0;1;0\n",                                           # empty respondentid
    "æ1;1;3;1;æøå\x0b;0;0;0;1;0\n",
    "1;1;3;1;x;0;0;1;1;0\n",                                          # two statuses
    " \n1;1;3;1;x;0;0;0;1;0\n",                                       # whitespace-only line
    "\n\n1;1;3;1;x;0;0;0;1;0\n",                                      # blank lines after the header
    "1;1;3;1;x;0;0;0;1;0\n \n",                                       # ... and a last line of a space
    "1;1;3;1;x;0;0;0;1;0\n\t\n",
    "1;1;3;1;x;0;0;0;yes;0\n",                                        # a status word: both roads read text
    '1;1;3;1;"";0;0;0;1;0\n2;2;;;" ";0;0;1;0;0\n',                     # quoted empty and blank answers
    '"1";"1";"3";"";"x";"0";"0";"0";"1";"0"\n',                        # every cell quoted
    "1;1;3;1;x\x00y;0;0;0;1;0\n",                                      # a NUL byte: refused as binary
])
@pytest.mark.parametrize("nl", ["\n", "\r\n", "\r"])
def test_hand_written_hazards_agree(tmp_path: Path, body: str, nl: str) -> None:
    roads_agree(tmp_path, (SMALL + body).replace("\n", nl).encode("cp1252"), block=256)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_bom_and_utf16_agree(tmp_path: Path, encoding: str) -> None:
    text = SMALL.replace("\n", "\r\n") + "1;1;3;1;æ€;0;0;0;1;0\r\n2;2;;;ø;0;0;1;0;0\r\n"
    assert roads_agree(tmp_path, text.encode(encoding), "utf-8") == [True]


def test_two_byte_order_marks(tmp_path: Path) -> None:
    """The second BOM stays in the data: the first column's name is not 'respondentid' on either road."""
    text = SMALL.replace("\n", "\r\n") + "1;1;3;1;x;0;0;0;1;0\r\n"
    roads_agree(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8-sig"), "utf-8")


def test_cp1252_letters_in_ids_and_answers_across_blocks(tmp_path: Path) -> None:
    rows = "".join(f"æ{i};{1 + i % 2};;;{'øå' * (i % 4)} €;0;0;0;1;0\r\n" for i in range(1, 120))
    dataset = (SMALL.replace("\n", "\r\n") + rows).encode("cp1252")
    assert roads_agree(tmp_path, dataset, block=256) == [True]


def test_many_blocks_unify_their_dictionaries(tmp_path: Path) -> None:
    """Values first seen in late blocks, an empty cell in some blocks only, quoted breaks across blocks."""
    rows = []
    for i in range(1, 400):
        text = ["", "svar", f"svar {i % 37}", '"to; linjer\nog ""citat"""', "æøå"][i % 5]
        rows.append(f"{i};{'' if i % 7 else 1 + i % 2};{1 + i // 80};{1 + i % 2};{text};0;0;{i % 2};{1 - i % 2};0")
    dataset = (SMALL + "\n".join(rows) + "\n").encode("cp1252")
    for block in (256, 1000, None):
        assert roads_agree(tmp_path / str(block), dataset, block=block) == [True]


# --------------------------------------------------------------------------------------------------
# Differences found, and fixed in the reader: each kept as a regression test


@pytest.mark.parametrize("flag", ["2", "-1", "1.50", ".5", "2e0", "inf", "+inf"])
def test_status_number_other_than_0_1_is_quoted_alike(tmp_path: Path, flag: str) -> None:
    roads_agree(tmp_path, (SMALL + f"1;1;3;1;x;{flag};0;0;1;0\n").encode("cp1252"))


@pytest.mark.parametrize("code", ["1.50", ".5", "INF", "Infinity", "+inf", "1e20", "1e400", "2.50e0",
                                  "18446744073709551617"])
def test_bad_code_is_quoted_alike(tmp_path: Path, code: str) -> None:
    roads_agree(tmp_path, (SMALL + f"1;{code};3;1;x;0;0;0;1;0\n").encode("cp1252"))


@pytest.mark.parametrize("row", ["1;True;3;1;x;0;0;0;1;0", "1;TRUE;3;1;x;0;0;0;1;0", "1;1;3;1;x;False;0;0;true;0",
                                 "1;False;3;1;x;0;0;0;1;0"])
def test_true_false_words_in_number_columns(tmp_path: Path, row: str) -> None:
    roads_agree(tmp_path, (SMALL + row + "\n").encode("cp1252"))


@pytest.mark.parametrize("dataset", [
    # anonymous survey: both roads read, the pandas road with respondent 2's answers shifted
    "s_1;s_6;s_7;s_16;statoverall_1;statoverall_2;statoverall_3;statoverall_4;statoverall_5\r"
    "1;3;1;x;0;0;0;1;0\r\r;1;2;;0;0;0;1;0\r",
    # an empty respondentid: the arrow road refuses the row, the pandas road reads it as respondent 2
    SMALL.replace("\n", "\r") + "1;1;3;1;x;0;0;0;1;0\r\r;2;1;2;;0;0;0;1;0\r",
    # LF line ends with one lone-CR blank line
    SMALL + "1;1;3;1;x;0;0;0;1;0\n\r;2;1;2;;0;0;0;1;0\n",
])
def test_row_starting_with_separator_after_cr_blank_line(tmp_path: Path, dataset: str) -> None:
    roads_agree(tmp_path, dataset.encode("cp1252"))


def test_header_longer_than_64_kib(tmp_path: Path) -> None:
    base = SMALL.rstrip("\n")
    header = base + ";" + "x" * (65535 - len(base) - 1)  # byte 65536 is the ';' after this long name
    dataset = (header + ";late1;late2\r\n" + "1;1;3;1;x;0;0;0;1;0;y;z\r\n").encode("cp1252")
    pandas_road, arrow_road = both_roads(write_folder(tmp_path / "e", dataset))
    assert pandas_road[0] == "error" and "12 fields where the header has 13" in pandas_road[1]
    assert_same(pandas_road, arrow_road)  # the arrow road reads it, warning of an unknown column 'xxx...'


def test_quoted_crlf_on_a_block_edge(tmp_path: Path) -> None:
    block = csvarrow._BLOCK
    head = SMALL.replace("\n", "\r\n")
    filler_row = "{i};1;3;1;" + "f" * 900 + ";0;0;0;1;0\r\n"
    rows, size, i = [], len(head), 1
    while size < block - 2000:
        row = filler_row.format(i=i)
        rows.append(row)
        size += len(row)
        i += 1
    # The last row before the edge: '"...' so that its CR is the block's last byte, then LF and the rest.
    prefix = f"{i};1;3;1;\"linje"
    pad = block - 1 - size - len(prefix)
    edge_row = prefix + "p" * pad + "\r\nlinje 2\";0;0;0;1;0\r\n"
    dataset = (head + "".join(rows) + edge_row + "999999;2;;;slut;0;0;1;0;0\r\n").encode("cp1252")
    assert dataset[block - 1:block + 1] == b"\r\n"
    folder = write_folder(tmp_path / "e", dataset)
    pandas_road, arrow_road = both_roads(folder)
    assert pandas_road[0] == "read"
    assert pandas_road[1][0].loc[str(i), "s_16"].endswith("\r\nlinje 2")
    assert_same(pandas_road, arrow_road)


@pytest.mark.parametrize("code", ["inf", "-inf", "1e400"])
def test_no_runtime_warning_on_the_arrow_road(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """An 'inf' code once made _category_codes cast inf to int64 before refusing it, and numpy's RuntimeWarning
    'invalid value encountered in cast' escaped (the pandas road raises the same error without one)."""
    folder = write_folder(tmp_path / "e", (SMALL + f"1;{code};3;1;x;0;0;0;1;0\n").encode("cp1252"))
    monkeypatch.setattr(csvform, "_ARROW_FROM", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        kind, message = _read_or_error(folder)
    assert kind == "error" and f"holds {code!r}" in message


def test_lone_cr_line_ends_read_one_row_each(tmp_path: Path) -> None:
    """Found on the lowest versions (pandas 3.0.0): with every line ended by a lone CR and a row starting with a
    space, pandas' parser read a row too many and the pandas road refused the file as malformed; both roads now
    read the one row (pandas from the records joined by LF)."""
    header = "respondentid;closetime;starttime;s_1;s_6;s_7;s_16;" + ";".join(STATUS_COLUMNS)
    dataset = (header + "\r 5;;;;;;;0;0;0;1;0\r").encode("cp1252")
    pandas_road, arrow_road = both_roads(write_folder(tmp_path / "e", dataset))
    assert pandas_road[0] == "read" and len(pandas_road[1][0]) == 1
    assert_same(pandas_road, arrow_road)

"""A large Dataset parsed by pyarrow's multithreaded CSV reader: the raw columns ``_assemble`` converts.

Why this exists (issue 18): at 10^6 rows pandas' C parser (one thread, a Python string for every cell), the
record scan that checks its field counts, and the conversion of every cell afterwards took about 60 % of a
weighted report. pyarrow parses the same bytes on every core and keeps a column as small integer codes into
its distinct values (a dictionary). Handed on as a pandas Categorical, ``_assemble`` converts and checks each
distinct value once instead of every cell (``assemble._per_category``). What is ours is the glue: which files
may take this road, and arrow's columns as the raw columns pandas' parse would give (text, '' missing).

The road is taken only when the two parsers cannot disagree, and anything else goes back to the pandas parse
with its checks and messages, unchanged:

- the quoting is plain: every quote opens at the start of a field and closes at its end (``""`` inside a
  quoted field is a literal quote, as for pandas) — a stray quote inside a field is where tokenizers differ;
- the file starts with its header (no blank line first), whose names were read from the first line;
- arrow finds exactly as many fields in every row as the header has (otherwise it raises, and the pandas
  road names the line);
- no parsing block ends inside a CR LF (``_block_size``: pyarrow would drop the LF of one in a quoted answer).

Cells are text on both roads (codes too), so a message quotes a cell as the file has it. The physical line of a
row (for messages that name one) is found only when a message asks for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from fuldtid.read.csvtext import _Decoded, _plain_quoting, _scan_records
from fuldtid.read.exportmodel import _TIME_COLUMNS

# Columns whose values are nearly all different are read as plain text, not through a dictionary.
_MOSTLY_UNIQUE = ("respondentid", *_TIME_COLUMNS)

_BLOCK = 1 << 22  # bytes per parsing task: 50 tasks for a 200 MB Dataset, spread over the cores


def parse(dec: _Decoded, sep: str, names: list[str], keep: list[str]) -> pd.DataFrame | None:
    """The ``keep`` columns as text (Categorical where values repeat), or None when this file must take the
    pandas road."""
    data = dec.data
    block = _block_size(data)
    if data[:1] in (b"\r", b"\n") or block is None or not _plain_quoting(data, sep):
        return None
    import pyarrow as pa
    import pyarrow.csv as pcsv

    dictionary = pa.dictionary(pa.int32(), pa.binary())
    types = {c: (pa.binary() if c.lower() in _MOSTLY_UNIQUE else dictionary) for c in keep}
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True, block_size=block),
            parse_options=pcsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True, escape_char=False,
                                            newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(include_columns=keep, column_types=types, null_values=[],
                                                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowException:  # a row of another width, a field longer than a block: pandas' road says which
        return None
    columns: dict[str, pd.Series] = {}
    for name in keep:
        column = table.column(name)
        if name.lower() in _TIME_COLUMNS and (times := _day_first_times(column)) is not None:
            columns[name] = pd.Series(times)
        elif name.lower() in _MOSTLY_UNIQUE:
            texts = [_plain_texts(chunk, dec.codec, pa) for chunk in column.chunks]
            columns[name] = pd.Series(np.concatenate(texts) if texts else np.zeros(0, dtype=object), dtype="str")
        else:
            columns[name] = pd.Series(_categorical(column, dec.codec))
    rows = table.num_rows
    table = column = None  # the last column would keep the table's buffers alive
    # pyarrow's allocator keeps the freed table's memory for reuse (150 MB at 10^6 rows), which nothing here
    # reuses: give it back before the conversions that follow allocate theirs (read_export's peak 884 -> 824 MB).
    pa.default_memory_pool().release_unused()
    return pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)


def _block_size(data: bytes) -> int | None:
    """A block size near ``_BLOCK`` at which no block ends between the CR and the LF of a CR LF, or None.

    pyarrow reads the bytes in blocks of this size; where one ends right after the CR of a CR LF inside a quoted
    answer, it loses the LF (apache/arrow#51368, open in pyarrow 26: the answer silently changes). The blocks
    start at multiples of the size, so a size whose edges miss every CR LF is enough.
    """
    for size in range(_BLOCK, _BLOCK + 64):
        edges = range(size, len(data), size)
        if not any(data[k - 1] == 13 and data[k] == 10 for k in edges):
            return size
    return None


def _categorical(column: Any, codec: str) -> pd.Categorical:
    """A dictionary column (chunks with dictionaries of their own) as one Categorical; '' is missing."""
    column = column.unify_dictionaries()
    if not column.num_chunks:
        return pd.Categorical.from_codes(np.zeros(0, dtype=np.int32), categories=pd.Index([], dtype="str"))
    values = [v.decode(codec) for v in column.chunk(0).dictionary.to_pylist()]
    codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in column.chunks])
    if "" in values:
        empty = values.index("")
        at = np.arange(len(values), dtype=np.int32)
        renumber = at - (at > empty).astype(np.int32)
        renumber[empty] = -1
        codes = renumber[codes]
        del values[empty]
    return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype="str"), validate=False)


def _day_first_times(column: Any) -> np.ndarray | None:
    """A time column as datetime64 (NaT where empty) when every value is in SurveyXact's 'DD-MM-YYYY HH:MM:SS' and
    a real time; else None and the column goes on as text. The same test and arithmetic as the reader's fast path
    for text (``assemble._fast_dayfirst``), on the bytes instead of a Python string per cell."""
    from fuldtid.read.assemble import _dayfirst_characters

    chunk = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if len(chunk) == 0:
        return None
    offsets, raw = _binary_buffers(chunk)
    lengths = np.diff(offsets)
    present = lengths > 0
    if not present.any() or (lengths[present] != 19).any():
        return None
    parsed = _dayfirst_characters(raw.reshape(-1, 19))  # the present values, in order: nothing between them
    if parsed is None or np.isnat(parsed).any():
        return None
    out = np.full(len(chunk), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[present] = parsed
    return out


def _binary_buffers(chunk: Any) -> tuple[np.ndarray, np.ndarray]:
    """A binary array's value offsets (one more than its cells) and the bytes they index, without copying."""
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = chunk.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] if len(chunk) and data is not None else \
        np.zeros(0, dtype=np.uint8)
    return offsets, raw


def _plain_texts(chunk: Any, codec: str, pa: Any) -> np.ndarray:
    """A binary chunk as an object array of str, None where the cell is empty."""
    offsets, raw = _binary_buffers(chunk)
    if codec == "utf-8" or not len(raw) or int(raw.max()) < 0x80:  # the Dataset's bytes were checked as UTF-8
        out = chunk.cast(pa.string()).to_numpy(zero_copy_only=False)
    else:
        out = np.array([v.decode(codec) for v in chunk.to_pylist()], dtype=object)
    out[offsets[1:] == offsets[:-1]] = None
    return out


def lazy_places(dec: _Decoded, sep: str) -> Callable[[int], str]:
    """``place(i)``: the physical line of data row i, found by the record scan when first asked."""
    lines: list[np.ndarray] = []

    def place(i: int) -> str:
        if not lines:
            lines.append(_scan_records(dec.data, sep, dec.source).lines[1:])
        return f"line {int(lines[0][i])}"

    return place

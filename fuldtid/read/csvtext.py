"""A CSV file's bytes made ready for parsing: encoding, separator, and where each record starts and how
many fields it has (pandas' C parser pads short rows silently, so the counts are checked here)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fuldtid.errors import ExportError
from fuldtid.read import textsniff
from fuldtid.read.exportmodel import _CHUNK


@dataclass
class _Decoded:
    """A CSV file's bytes ready for parsing."""

    source: str
    encoding: str        # what was detected, as reported to the user
    data: bytes          # without byte-order mark; UTF-16 is transcoded to UTF-8
    codec: str           # how ``data`` decodes
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        return self.data.decode(self.codec)


def _plain_bytes(raw: bytes) -> bool:
    """No byte-order mark and no UTF-16 look: UTF-8 or cp1252 must be told apart by content."""
    return not raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) and not (
        len(raw) >= 4 and (raw[1:4:2] == b"\x00\x00") != (raw[0:4:2] == b"\x00\x00"))


def _decode(raw: bytes, source: str, siblings_cp1252: bool = False) -> _Decoded:
    """Detect the encoding: byte-order mark, else strict UTF-8, else cp1252; refuse binary data.

    ``siblings_cp1252`` says another file of the same export is cp1252. A cp1252 text can happen to
    be valid UTF-8 (e.g. 'Å–'); then decoding it as UTF-8 gives letters cp1252 cannot even hold, and
    cp1252 is taken instead.
    """
    if not raw or raw.isspace():
        raise ExportError(f"{source}: the file is empty. Export the data again from SurveyXact.")
    enc = textsniff.sniff_encoding(raw, source, ExportError, siblings_cp1252=siblings_cp1252)
    if enc == "utf-8-sig":
        data, codec = raw[3:], "utf-8"
        _strict(data, codec, source, enc)
    elif enc.startswith("utf-16"):
        data, codec = _transcode_utf16(raw, enc, source), "utf-8"
    else:
        data, codec = raw, enc
        # cp1252 leaves five bytes undefined; finding them is cheaper than decoding everything.
        if enc == "cp1252" and any(b in raw for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")):
            _strict(raw, codec, source, "UTF-8 nor cp1252")
    data, notes = textsniff.readable_controls(data, source, enc, ExportError)
    out = _Decoded(source, enc, data, codec, notes)
    if codec == "utf-8" and b"\xc3\x83\xc2" in data:  # 'Ã¦': UTF-8 read as cp1252 and saved again
        out.warnings.append(
            f"{source}: some texts look encoded twice (e.g. 'Ã¦' for 'æ'); check the Danish letters."
        )
    return out


def _strict(data: bytes, codec: str, source: str, tried: str) -> None:
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExportError(
            f"{source}, line {line}: the text is neither {tried} (byte 0x{data[exc.start]:02x}).\n"
            "Export the data again from SurveyXact as UTF-8 or ANSI (cp1252)."
            if " nor " in tried else
            f"{source}, line {line}: not valid {tried} text (byte 0x{data[exc.start]:02x}).\n"
            "Export the data again from SurveyXact."
        ) from None


def _transcode_utf16(raw: bytes, codec: str, source: str) -> bytes:
    try:
        return raw.decode(codec).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportError(
            f"{source}: not valid UTF-16 text (at byte {exc.start}); the file may be cut off.\n"
            "Export the data again from SurveyXact."
        ) from None


def _detect_separator(first_line: str, source: str, want: Callable[[list[str]], bool] | None) -> str:
    """Pick ;  ,  or tab from a header line (:func:`fuldtid.read.textsniff.sniff_separator`, the one rule for
    every file): the one ``want`` accepts, else the one splitting most."""
    from fuldtid.read.textsniff import sniff_separator

    sep = sniff_separator(first_line, (lambda fields: float(want(fields))) if want is not None else None)
    if sep is None and want is not None:
        sep = sniff_separator(first_line)
    if sep is None:
        raise ExportError(
            f"{source}, line 1: cannot find the separator (tried ';', ',' and tab).\n"
            "Export the data again from SurveyXact as CSV."
        )
    return sep


@dataclass
class _Records:
    """Where pandas' C parser will see records in a CSV byte string."""

    counts: np.ndarray   # fields per non-blank record
    lines: np.ndarray    # physical line (1-based) where each non-blank record starts
    starts: np.ndarray   # byte offsets of each non-blank record
    ends: np.ndarray     # byte offsets after each record (terminator excluded)
    blank: int = 0       # blank lines between the records
    lone_cr: int = 0     # records ended by a lone CR (old Mac line ends)


def _scan_records(data: bytes, sep: str, source: str) -> _Records:
    """Count the fields of every record without a Python loop over rows.

    pandas' C parser silently pads a row that is too short, so the field counts are checked here. The
    quoting rules follow pandas' tokenizer: a quote opens a quoted field only at the start of a field,
    ``""`` inside one is a literal quote, and a line ends at LF, CR LF or a lone CR outside quotes.
    """
    a = np.frombuffer(data, dtype=np.uint8)
    n = len(a)
    s = ord(sep)
    quotes = _positions(a, 34)
    opens, closes = _quoted_spans(a, quotes, s, data, source)

    def outside(pos: np.ndarray) -> np.ndarray:
        if not len(opens) or not len(pos):
            return np.ones(len(pos), dtype=bool)
        k = np.searchsorted(opens, pos, side="right") - 1
        return ~((k >= 0) & (pos < closes[np.maximum(k, 0)]))

    lf = _positions(a, 10)
    cr = _positions(a, 13)
    if len(cr):
        nxt = np.where(cr + 1 < n, a[np.minimum(cr + 1, n - 1)], 0)
        cr = cr[nxt != 10]
        terms = np.union1d(lf, cr) if len(cr) else lf
    else:
        terms = lf
    rec_terms = terms[outside(terms)]
    lone_cr = int(np.count_nonzero(outside(cr))) if len(cr) else 0
    starts = np.concatenate(([0], rec_terms + 1))
    ends = np.concatenate((rec_terms, [n]))
    if starts[-1] >= n:
        starts, ends = starts[:-1], ends[:-1]
    # The CR of a CR LF pair belongs to the terminator, not to the last field.
    eff_ends = ends.copy()
    crlf = (eff_ends > starts) & (eff_ends < n)
    crlf &= a[np.minimum(eff_ends, n - 1)] == 10
    crlf &= a[np.maximum(eff_ends - 1, 0)] == 13
    eff_ends[crlf] -= 1
    keep = eff_ends > starts
    blank = int(len(keep) - np.count_nonzero(keep))
    starts, ends = starts[keep], eff_ends[keep]
    lines = np.searchsorted(terms, starts, side="left") + 1

    # Separators per record = all separators in the record minus those inside its quoted fields.
    at_start, at_end, at_open, at_close = _separators_before(a, ord(sep), (starts, ends, opens, closes))
    counts = at_end - at_start + 1
    if len(opens):
        rec = np.searchsorted(starts, opens, side="right") - 1
        counts -= np.bincount(rec, weights=at_close - at_open, minlength=len(starts)).astype(np.int64)
    return _Records(counts, lines, starts, ends, blank, lone_cr)


def _positions(a: np.ndarray, byte: int) -> np.ndarray:
    """The offsets of ``byte`` in ``a``, a chunk at a time: ``np.flatnonzero(a == byte)`` would first make a
    boolean array as large as the file (200 MB at 10^6 rows), while the Dataset is being parsed beside it."""
    parts = [np.flatnonzero(a[lo:lo + _CHUNK] == byte) + lo for lo in range(0, len(a), _CHUNK)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def _separators_before(a: np.ndarray, s: int, positions: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """For each sorted array of byte offsets, how many separator bytes lie before each offset.

    Works through the bytes a chunk at a time (the separators' offsets in the chunk, then a binary
    search), so memory stays bounded; a running cumulative sum was four times slower.
    """
    n = len(a)
    out = [np.zeros(len(p), dtype=np.int64) for p in positions]
    base = 0
    for lo in range(0, max(n, 1), _CHUNK):
        hi = min(lo + _CHUNK, n)
        seps = np.flatnonzero(a[lo:hi] == s)
        for pos, acc in zip(positions, out):
            i0, i1 = np.searchsorted(pos, [lo, hi])
            acc[i0:i1] = base + np.searchsorted(seps, pos[i0:i1] - lo, side="left")
            if hi == n:
                acc[i1:] = base + len(seps)
        base += len(seps)
    return out


def _plain_quoting(data: bytes, sep: str) -> bool:
    """Every quote in ``data`` opens a field at its start or closes one at its end, pairing up in order
    (``""`` inside a quoted field counts as a closing and an opening quote next to each other)."""
    a = np.frombuffer(data, dtype=np.uint8)
    quotes = _positions(a, 34)
    return not len(quotes) or _paired_at_boundaries(a, quotes, ord(sep))


def _paired_at_boundaries(a: np.ndarray, quotes: np.ndarray, s: int) -> bool:
    """The quotes pair up and every pair sits where pandas would open and close a field."""
    if len(quotes) % 2:
        return False
    n = len(a)
    o, c = quotes[0::2], quotes[1::2]
    prev = np.where(o > 0, a[np.maximum(o - 1, 0)], 10)
    nxt = np.where(c + 1 < n, a[np.minimum(c + 1, n - 1)], 10)
    ok = np.array([s, 10, 13, 34])
    return bool(np.isin(prev, ok).all() and np.isin(nxt, ok).all())


def _quoted_spans(a: np.ndarray, quotes: np.ndarray, s: int, data: bytes, source: str
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets of the opening and closing quote of every quoted field."""
    if not len(quotes):
        return quotes, quotes
    if _paired_at_boundaries(a, quotes, s):
        return quotes[0::2], quotes[1::2]
    # Stray quotes inside unquoted fields: walk the quotes (not the rows) like pandas' tokenizer.
    qs = quotes.tolist()
    opens: list[int] = []
    closes: list[int] = []
    at = -1
    k = 0
    while k < len(qs):
        p = qs[k]
        if at < 0:
            if p == 0 or a[p - 1] in (s, 10, 13):
                at = p
            k += 1
        elif k + 1 < len(qs) and qs[k + 1] == p + 1:
            k += 2
        else:
            opens.append(at)
            closes.append(p)
            at = -1
            k += 1
    if at >= 0:
        line = data.count(b"\n", 0, at) + data.count(b"\r", 0, at) - data.count(b"\r\n", 0, at) + 1
        raise ExportError(
            f"{source}, line {line}: a quoted text starts here but never ends; the file is cut off "
            "or damaged.\nExport the data again from SurveyXact."
        )
    return np.array(opens, dtype=np.intp), np.array(closes, dtype=np.intp)


def _csv_rows(dec: _Decoded, sep: str) -> list[tuple[int, list[str]]]:
    """All non-blank rows of a small CSV file with the line each starts on."""
    reader = csv.reader(io.StringIO(dec.text(), newline=""), delimiter=sep, quotechar='"')
    rows = []
    line = 1
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ExportError(f"{dec.source}, line {line}: cannot be read as CSV ({exc}).") from None
    return rows


def _first_line(dec: _Decoded) -> str:
    text = dec.data[:65536].decode(dec.codec, errors="replace")
    return re.split(r"\r\n|\r|\n", text.lstrip("\r\n"), maxsplit=1)[0]

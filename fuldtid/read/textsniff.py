"""Evidence for a text file's encoding, and control characters made readable.

SurveyXact writes UTF-8 or Windows-1252 (cp1252), and analysts save side files from Excel or an editor in
either. A file is UTF-8 when it decodes as UTF-8. When it does not, the bytes decide: in a cp1252 file the
Danish letters are single bytes that are almost never valid UTF-8; in a UTF-8 file that someone edited in
another program, valid UTF-8 letters outnumber the stray bytes. Such a mixed file is refused, naming its
lines, instead of being read whole as cp1252 (which would turn every 'Løn' into 'LÃ¸n').

Control characters (a vertical tab or form feed pasted from Word) are not binary data: they are replaced
by a space, so answers stay readable and the XLSX/DOCX writers (which refuse them) never see them.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Callable, TypeVar, overload

from fuldtid.errors import SurveyError

if TYPE_CHECKING:
    import pandas as pd

    from fuldtid.read.exportmodel import Variable

_T = TypeVar("_T")

_VALID_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = bytes(range(128, 256))

#: Characters XML 1.0 (and so XLSX and DOCX) cannot hold; tab, LF and CR are fine.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel stores a control character in a cell as _x000B_; openpyxl gives that text as it is.
_ESCAPED = re.compile("_x00[01][0-9A-Fa-f]_")
_ANY = re.compile(f"{CONTROL_CHARS.pattern}|{_ESCAPED.pattern}")
_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
_KEEP_BYTES = bytes(range(32, 256)) + b"\t\n\r"
_NAMES = {0x0B: "vertical tab", 0x0C: "form feed", 0x08: "backspace", 0x07: "bell", 0x1B: "escape"}


def invalid_utf8_lines(raw: bytes, limit: int = 5) -> tuple[list[int], int, int]:
    """Lines (1-based) holding bytes that are not UTF-8 (at most ``limit``), their total count and the
    first such byte."""
    lines: list[int] = []
    total = 0
    first = -1
    pos = 0
    while pos < len(raw):
        try:
            raw[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            at = pos + exc.start
            total += 1
            if first < 0:
                first = raw[at]
            line = raw.count(b"\n", 0, at) + 1
            if (not lines or lines[-1] != line) and len(lines) < limit:
                lines.append(line)
            pos = pos + exc.end
    return lines, total, first


# UTF-8 spellings of what Danish text holds (Latin-1 letters and signs, typographic dashes, quotes, the
# euro); read as cp1252 they are mojibake ("Ã¸", "â€“") that no cp1252 text holds.
_PLAUSIBLE_UTF8 = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x93\x94\x98\x99\x9c\x9d\xa6]|\xe2\x82\xac")


def _lead_then_continuation(raw: bytes) -> bool:
    """True when some byte 0xc2-0xf4 (a UTF-8 lead byte) is followed by a byte 0x80-0xbf."""
    import numpy as np  # lazy: textsniff is imported by light modules too

    a = np.frombuffer(raw, dtype=np.uint8)
    for lo in range(0, max(len(a) - 1, 0), 1 << 24):
        hi = min(lo + (1 << 24), len(a) - 1)
        # Lead bytes are rare (a cp1252 text's letters are single bytes), so look only after those.
        at = lo + np.flatnonzero(a[lo:hi] >= 0xC2)
        at = at[a[at] <= 0xF4]
        nxt = a[at + 1]
        if ((nxt >= 0x80) & (nxt <= 0xBF)).any():
            return True
    return False


def is_mixed(raw: bytes) -> bool:
    """True for bytes that are not UTF-8 but partly are: stray non-UTF-8 bytes beside UTF-8 spellings of
    Danish letters (which a cp1252 text never holds), or beside more valid multi-byte UTF-8 sequences
    than stray bytes."""
    if not _lead_then_continuation(raw):
        # No lead byte is followed by a continuation byte: neither pattern below can match, so there are
        # no valid sequences and nothing plausible, and the regex scan (about 1 s per 20 MB) is skipped.
        # This is the usual cp1252 export.
        return False
    high = len(raw) - len(raw.translate(None, _HIGH))
    if not high:
        return False
    valid = _VALID_MULTIBYTE.findall(raw)
    stray = high - sum(len(v) for v in valid)
    if stray <= 0:
        return False
    return stray <= len(valid) or _PLAUSIBLE_UTF8.search(raw) is not None


def refuse_mixed(raw: bytes, source: str, error: Callable[[str], SurveyError]) -> None:
    """Raise when ``raw`` (which does not decode as UTF-8) is UTF-8 with a few stray non-UTF-8 bytes."""
    if not is_mixed(raw):
        return
    lines, total, first = invalid_utf8_lines(raw)
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"
    more = f" ({total} bytes in all)" if total > len(lines) else ""
    raise error(
        f"{source}, {where}: the file is UTF-8 but {'this line holds' if len(lines) == 1 else 'these lines hold'} "
        f"byte 0x{first:02x} that is not{more}, probably from a program that saved part of it as "
        "Windows-1252.\nRetype the Danish letters there and save the file as UTF-8, or export it again."
    )


def sniff_encoding(raw: bytes, source: str, error: Callable[[str], SurveyError], *,
                   siblings_cp1252: bool = False, bomless_utf16: bool = True) -> str:
    """The one decision, for exports and side files alike, of which encoding a text file's bytes are in.

    A byte-order mark says ``"utf-8-sig"`` or ``"utf-16"``; with ``bomless_utf16``, NUL bytes in every
    other place of the first four say ``"utf-16-le"`` or ``"utf-16-be"`` (Dataset files only: a side
    file never came that way). Else ``"utf-8"`` when the bytes decode as UTF-8, unless ``siblings_cp1252``
    (another file of the same export is surely cp1252) and the text holds letters cp1252 cannot: such a
    text is cp1252 that happens to be valid UTF-8. Else the file is refused when it is UTF-8 with a few
    stray bytes (:func:`refuse_mixed`), and otherwise it is ``"cp1252"``.

    Only the choice is made here; the caller decodes, strictly, and words its own message when that fails.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if bomless_utf16 and len(raw) >= 4:
        if raw[1:4:2] == b"\x00\x00" and raw[0:4:2] != b"\x00\x00":
            return "utf-16-le"
        if raw[0:4:2] == b"\x00\x00" and raw[1:4:2] != b"\x00\x00":
            return "utf-16-be"
    if siblings_cp1252 and not raw.isascii():
        try:
            raw.decode("utf-8").encode("cp1252")
            return "utf-8"
        except (UnicodeDecodeError, UnicodeEncodeError):
            pass
    elif is_utf8(raw):
        return "utf-8"
    refuse_mixed(raw, source, error)  # UTF-8 with stray bytes: not cp1252
    return "cp1252"


def is_utf8(raw: bytes) -> bool:
    """Whether the bytes are UTF-8, decoded 4 MB at a time: ``raw.decode()`` first builds a text as long as the
    file, which took 0.2 s for a 200 MB Dataset even when its first non-ASCII byte, at byte 1,385, failed."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for lo in range(0, len(raw), 1 << 22):
            decoder.decode(view[lo:lo + (1 << 22)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def readable_controls(data: bytes, source: str, enc: str, error: Callable[[str], SurveyError]
                      ) -> tuple[bytes, list[str]]:
    """Replace control bytes by spaces (one byte for one, so lines and offsets stay); refuse data that
    is binary (a NUL byte, or control bytes in more than 1 % of the file)."""
    found = data.translate(None, _KEEP_BYTES)
    if not found:
        return data, []
    if b"\x00" in found or len(found) > max(16, len(data) // 100):
        at = data.find(found[:1])
        line = data.count(b"\n", 0, at) + 1
        raise error(
            f"{source}, line {line}: does not look like a text export (control byte 0x{found[0]:02x}; "
            f"read as {enc}).\nExport the data again from SurveyXact as CSV (UTF-8 or ANSI)."
        )
    at = data.find(found[:1])
    line = data.count(b"\n", 0, at) + 1
    name = _NAMES.get(found[0], f"control character 0x{found[0]:02x}")
    cleaned = data.translate(bytes.maketrans(_CONTROL_BYTES, b" " * len(_CONTROL_BYTES)))
    return cleaned, [f"{source}, line {line}: {len(found)} control character(s) (e.g. a {name} pasted "
                     "from Word) replaced by spaces."]


def _unescape(m: re.Match) -> str:
    char = chr(int(m.group(0)[2:6], 16))
    return char if char in "\t\n\r" else " "


@overload
def clean_text(value: str) -> str: ...


@overload
def clean_text(value: _T) -> _T: ...


def clean_text(value: object) -> object:
    """A string with control characters (raw, or as Excel's _x000B_) replaced by spaces; anything else
    unchanged."""
    if isinstance(value, str) and _ANY.search(value):
        return CONTROL_CHARS.sub(" ", _ESCAPED.sub(_unescape, value))
    return value


def clean_series(series: pd.Series) -> pd.Series:
    """A pandas Series of text with control characters replaced (only the cells that hold one)."""
    if series.dtype.kind not in "OUT" and str(series.dtype) not in ("str", "string"):
        return series
    present = series.notna()
    if not present.any():
        return series
    texts = series[present]
    if texts.dtype.kind == "O":
        texts = texts.astype(str)
    # Most exports hold no control character at all: one search over the texts joined (by a character the
    # pattern does not match) settles that 20 times faster than a search per cell.
    if not _ANY.search("\n".join(texts.tolist())):
        return series
    hit = texts.str.contains(_ANY.pattern, regex=True)
    out = series.copy()
    idx = hit[hit].index
    # Cleaned cells are stripped again; one that held only control characters is empty (missing).
    out.loc[idx] = series.loc[idx].map(lambda v: clean_text(v).strip() or None)
    return out


def clean_variable(var: Variable) -> Variable:
    """A Variable (anything with ``text`` and ``labels``) with control characters replaced."""
    text = clean_text(var.text).strip()
    labels = {k: clean_text(v).strip() for k, v in var.labels.items()}
    if text == var.text and labels == dict(var.labels):
        return var
    return dataclasses.replace(var, text=text, labels=labels)


SEPARATORS = (";", ",", "\t")  # SurveyXact writes ';'; Excel in a Danish locale too; ',' and tab by hand


def sniff_separator(header: str, score: Callable[[list[str]], float] | None = None) -> str | None:
    """The separator of a CSV text from its header line, for the export and every side file alike: the one of
    ``;``, ``,`` and tab whose split (as the csv module reads it, quotes respected) ``score`` rates highest, then
    the one giving the most fields; ties go in that order. None when no separator splits the line at all (or,
    with ``score``, none scores above 0): the caller says what it expected."""
    import csv

    splits = {}
    for sep in SEPARATORS:
        try:
            splits[sep] = next(csv.reader([header], delimiter=sep, quotechar='"'))
        except (csv.Error, StopIteration):
            splits[sep] = [header]
    rank = {sep: ((score(splits[sep]) if score is not None else 0.0), len(splits[sep])) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: rank[s])  # max keeps the first of equals: the order above
    if score is not None and rank[best][0] <= 0:
        return None
    return best if len(splits[best]) >= 2 else None

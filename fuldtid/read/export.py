"""Read a SurveyXact dataset export into one uniform :class:`Export`.

SurveyXact writes the same three tables (Dataset, Structure, Labels) in several forms: three CSV files in
a folder or a zip, an Excel workbook, or an SPSS ``.sav`` file (where Structure and Labels live in the
variable and value labels). :func:`read_export` detects the form, the encoding and the separator, checks
the tables against each other and returns the questionnaire's variables and one row per distributed
respondent. Administrative columns (``email`` above all) are dropped while reading and never appear in
the result or in any message.

Exports differ: an anonymous survey has no ``respondentid`` (the rows are then numbered 1, 2, ... and
:attr:`Export.numbered` says so), older exports name the status columns ``stato_1..5``, a multiple-choice
question comes as one 0/1 variable per option (kind ``"multiple"``, grouped by :attr:`Variable.question`),
Structure may give no choice texts (Labels has them) and may end its lines with an extra separator.

Every problem a user can cause raises :class:`fuldtid.errors.ExportError` naming the file and the place.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fuldtid.read import limits, textsniff
from fuldtid.errors import ExportError

__all__ = ["Export", "Variable", "read_export", "STATUS_LABELS", "ANSWERED_STATUSES", "is_admin_column"]

#: SurveyXact's overall status, coded as the dummies statoverall_1 .. statoverall_5.
STATUS_LABELS: Mapping[int, str] = {
    1: "Ny",
    2: "Distribueret",
    3: "Delvist besvaret",
    4: "Gennemført",
    5: "Frafaldet",
}
#: A respondent has answered when statoverall_3 or statoverall_4 is 1.
ANSWERED_STATUSES: tuple[int, ...] = (3, 4)

_STRUCTURE_COLUMNS = ("questionName", "variableName", "questionType", "subType", "questionText",
                      "choiceValue", "choiceText")
_SEPARATORS = (";", ",", "\t")

# Columns SurveyXact adds around the answers. They are dropped at read time; the e-mail pattern also
# catches renamed copies of the address column, which is personal data.
_ADMIN_RE = re.compile(
    r"^(statinternal_\d+|statcompletion_\d+|statdistribution_\d+|created|modified|difftime"
    r"|responsecollectsessions|numberofreturnedmail|importgroup|distributionschedule"
    r"|digitaldistribution\w*|.*e[-_ ]?mail.*)$",
    re.IGNORECASE,
)
# statoverall_1..5; older exports (and readSX's examples) name them stato_1..5.
_STATUS_RE = re.compile(r"^stat(?:overall|o)_(\d+)$", re.IGNORECASE)
_TIME_COLUMNS = ("starttime", "closetime")

# Dates SurveyXact or a Danish Excel may write; ISO dates are recognised separately.
_DAYFIRST_FORMATS = (
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y",
)

_CHUNK = 1 << 24  # bytes per step of the record scan; bounds its memory on big files


def is_admin_column(name: str) -> bool:
    """True for SurveyXact's administrative columns (statinternal_*, created, email, ...).

    statoverall_*, starttime and closetime are administrative too but read for the status and period.
    """
    low = name.strip().lower()
    return bool(_ADMIN_RE.match(low)) or bool(_STATUS_RE.match(low)) or low in _TIME_COLUMNS


@dataclass(frozen=True)
class Variable:
    """One questionnaire variable as the export describes it."""

    name: str
    """The export's variable name, e.g. ``"s_3"``."""
    text: str
    """The question text (SPSS: the variable label), stripped of surrounding blanks."""
    kind: str
    """``"single"`` (answer codes with labels), ``"open"`` (free text) or ``"multiple"`` (one option of a
    multiple-choice question: 0/1, ticked when 1)."""
    labels: Mapping[int, str] = field(default_factory=dict)
    """Code -> label in code order; empty for open variables."""
    question: str = ""
    """Structure's questionName (``s_4`` for the options ``s_4_1``, ``s_4_2``, ...); empty when unknown."""
    option: str = ""
    """A multiple-choice option's own text (Structure's choiceText); ``text`` ends with ``" - " + option``."""

    @property
    def question_text(self) -> str:
        """The question's text without the option (multiple choice) or item (grid) after ``" - "``."""
        if self.option and self.text.endswith(f" - {self.option}"):
            return self.text[: -len(self.option) - 3].strip()
        return self.text


@dataclass(frozen=True, eq=False)
class Export:
    """A SurveyXact export as read: its variables and one row per distributed respondent.

    ``data`` is indexed by ``respondentid`` (str; the row number when the export has none). Its columns are
    every questionnaire variable (single and multiple: ``Int64`` codes, ``<NA>`` when empty; open: strings,
    missing when empty or blank), then ``answered``
    (bool), ``status`` (the overall status label, missing when no status is set), ``starttime`` and
    ``closetime`` (``datetime64[ns]``, ``NaT`` when empty or absent).
    """

    path: Path
    form: str
    encoding: str | None
    separator: str | None
    variables: Mapping[str, Variable]
    data: pd.DataFrame
    warnings: tuple[str, ...] = ()
    numbered: bool = False
    """True when the export has no respondentid column (an anonymous survey): rows are numbered 1, 2, ..."""

    @property
    def distributed(self) -> int:
        """Number of respondents the questionnaire was distributed to (rows)."""
        return int(len(self.data))

    @property
    def answered(self) -> int:
        """Number of respondents who answered (statoverall_3 or statoverall_4 = 1)."""
        return int(self.data["answered"].sum())

    @property
    def response_rate(self) -> float:
        """answered / distributed, between 0 and 1."""
        return self.answered / self.distributed if self.distributed else 0.0

    @property
    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last close time (else start time) among the answered respondents."""
        rows = self.data.loc[self.data["answered"]]
        when = rows["closetime"].fillna(rows["starttime"]).dropna()
        if when.empty:
            return (None, None)
        return (when.min(), when.max())


# --------------------------------------------------------------------------------------------------
# Entry point and form detection


def read_export(path: str | os.PathLike) -> Export:
    """Read a SurveyXact export in any of its forms.

    ``path`` is a folder holding dataset.csv, structure.csv and labels.csv (or one of those files), a
    ``.zip`` holding them, an ``.xlsx`` workbook with the sheets Dataset, Structure and Labels, or an
    SPSS ``.sav`` file. Raises :class:`ExportError` for anything that is not a complete, consistent
    export.
    """
    p = Path(path)
    if not p.exists():
        raise ExportError(
            f"{p}: no such file or folder.\n"
            "Give the export as a folder or .zip with dataset.csv, structure.csv and labels.csv, "
            "an .xlsx workbook or an SPSS .sav file."
        )
    if p.is_dir():
        return _read_csv_trio(p, "csv-folder", _trio_in_folder(p))
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ExportError(f"{p}: cannot be opened ({exc.strerror}).") from None
    if not head:
        raise ExportError(f"{p}: the file is empty. Export the data again from SurveyXact.")
    suffix = p.suffix.lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if suffix in (".xlsx", ".xlsm") or (suffix != ".zip" and _zip_is_workbook(p)):
            return _read_xlsx(p)
        return _read_csv_trio(p, "csv-zip", _trio_in_zip(p))
    if head.startswith((b"$FL2", b"$FL3")):
        return _read_sav(p)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExportError(
            f"{p}: an old-style Excel (.xls) file. Open it in Excel and save it as .xlsx, "
            "or export the data again from SurveyXact as .xlsx or CSV."
        )
    kinds = {".xlsx": "an Excel workbook (.xlsx)", ".xlsm": "an Excel workbook (.xlsx)",
             ".zip": "a zip file", ".sav": "an SPSS .sav file"}
    if suffix in kinds:
        raise ExportError(
            f"{p}: not {kinds[suffix]}: the file does not start like one (it may be another file "
            "renamed, or cut off).\nExport the data again from SurveyXact."
        )
    if re.match(r"^(dataset|structure|labels)\b.*\.csv$", p.name, re.IGNORECASE):
        return _read_csv_trio(p.parent, "csv-folder", _trio_in_folder(p.parent))
    raise ExportError(
        f"{p}: not a SurveyXact export. Give the folder or .zip with dataset.csv, structure.csv and "
        "labels.csv, an .xlsx workbook or an SPSS .sav file."
    )


def _zip_is_workbook(p: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


_TRIO_RE = re.compile(r"^(dataset|structure|labels)(\s*\(\d+\))?\.csv$", re.IGNORECASE)


def _pick_trio(names: Iterable[str], where: str) -> dict[str, str] | None:
    """Map dataset/structure/labels to one file name each among ``names`` (base names)."""
    found: dict[str, list[str]] = {}
    for name in names:
        m = _TRIO_RE.match(name)
        if m:
            found.setdefault(m.group(1).lower(), []).append(name)
    if set(found) != {"dataset", "structure", "labels"}:
        return None
    trio = {}
    for kind, cands in found.items():
        exact = [c for c in cands if c.lower() == f"{kind}.csv"]
        if len(exact) == 1:
            trio[kind] = exact[0]
        elif len(cands) == 1:
            trio[kind] = cands[0]
        else:
            raise ExportError(
                f"{where}: more than one {kind} file ({', '.join(sorted(cands))}). "
                "Keep one export per folder."
            )
    return trio


def _trio_in_folder(folder: Path) -> dict[str, tuple[str, Callable[[], bytes]]]:
    def loader(f: Path) -> Callable[[], bytes]:
        def load() -> bytes:
            try:
                limits.check_size(f.stat().st_size, str(f), ExportError)
                return f.read_bytes()
            except OSError as exc:
                raise ExportError(f"{f}: cannot be read ({exc.strerror}).") from None
        return load

    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise ExportError(f"{folder}: cannot be read ({exc.strerror}).") from None
    files = {e.name: e for e in entries if e.is_file()}
    trio = _pick_trio(files, str(folder))
    if trio is None:
        # An unzipped export often sits one folder further down.
        subs = [e for e in entries if e.is_dir()]
        hits = []
        for sub in subs:
            sub_files = {e.name: e for e in sub.iterdir() if e.is_file()}
            sub_trio = _pick_trio(sub_files, str(sub))
            if sub_trio:
                hits.append((sub, sub_files, sub_trio))
        if len(hits) != 1:
            raise ExportError(
                f"{folder}: does not hold a SurveyXact export (dataset.csv, structure.csv and "
                "labels.csv" + (", found in several sub-folders" if hits else "") + ").\n"
                "Point to the folder with the three files, the .zip, the .xlsx or the .sav file."
            )
        _, files, trio = hits[0]
    return {kind: (str(files[name]), loader(files[name])) for kind, name in trio.items()}


def _trio_in_zip(p: Path) -> dict[str, tuple[str, Callable[[], bytes]]]:
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(p) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            folders: dict[str, dict[str, zipfile.ZipInfo]] = {}
            for info in infos:
                folder, _, base = info.filename.rpartition("/")
                folders.setdefault(folder, {})[base] = info
            hits = []
            for folder, members in folders.items():
                if "/" in folder:
                    continue  # only the top level or one sub-folder
                trio = _pick_trio(members, f"{p}:{folder or '/'}")
                if trio:
                    hits.append((members, trio))
            if len(hits) != 1:
                shown = ", ".join(sorted(i.filename for i in infos)[:6]) or "nothing"
                what = ("more than one export" if hits else
                        f"no dataset.csv, structure.csv and labels.csv (it holds {shown})")
                raise ExportError(f"{p}: {what}.\nZip exactly one SurveyXact CSV export, or give its folder.")
            members, trio = hits[0]
            out = {}
            for kind, name in trio.items():
                info = members[name]
                try:
                    payload = limits.read_member(zf, info, f"{p}:{info.filename}", ExportError)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError,
                        NotImplementedError) as exc:
                    raise ExportError(f"{p}:{info.filename}: cannot be unpacked ({exc}). The zip is "
                                      "damaged; download it again.") from None
                out[kind] = (f"{p}:{info.filename}", (lambda b=payload: b))
            return out
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ExportError(f"{p}: the zip file is damaged or cut off ({exc}). Download it again.") from None


# --------------------------------------------------------------------------------------------------
# Bytes -> text: encoding, separator, records


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


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(raw: bytes, source: str, siblings_cp1252: bool = False) -> _Decoded:
    """Detect the encoding: byte-order mark, else strict UTF-8, else cp1252; refuse binary data.

    ``siblings_cp1252`` says another file of the same export is cp1252. A cp1252 text can happen to
    be valid UTF-8 (e.g. 'Å–'); then decoding it as UTF-8 gives letters cp1252 cannot even hold, and
    cp1252 is taken instead.
    """
    if not raw or raw.isspace():
        raise ExportError(f"{source}: the file is empty. Export the data again from SurveyXact.")
    if raw.startswith(b"\xef\xbb\xbf"):
        enc, data, codec = "utf-8-sig", raw[3:], "utf-8"
        _strict(data, codec, source, enc)
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc, data, codec = "utf-16", _transcode_utf16(raw, "utf-16", source), "utf-8"
    elif len(raw) >= 4 and raw[1:4:2] == b"\x00\x00" and raw[0:4:2] != b"\x00\x00":
        enc, data, codec = "utf-16-le", _transcode_utf16(raw, "utf-16-le", source), "utf-8"
    elif len(raw) >= 4 and raw[0:4:2] == b"\x00\x00" and raw[1:4:2] != b"\x00\x00":
        enc, data, codec = "utf-16-be", _transcode_utf16(raw, "utf-16-be", source), "utf-8"
    else:
        data = raw
        try:
            text = raw.decode("utf-8")
            enc = codec = "utf-8"
            if siblings_cp1252 and not raw.isascii():
                text.encode("cp1252")
        except (UnicodeDecodeError, UnicodeEncodeError):
            textsniff.refuse_mixed(raw, source, ExportError)  # UTF-8 with stray bytes: not cp1252
            enc = codec = "cp1252"
            # cp1252 leaves five bytes undefined; finding them is cheaper than decoding everything.
            if any(b in raw for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")):
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
    """Pick ;  ,  or tab from a header line: the one ``want`` accepts, else the one splitting most."""
    splits = {}
    for sep in _SEPARATORS:
        try:
            splits[sep] = next(csv.reader([first_line], delimiter=sep, quotechar='"'))
        except (csv.Error, StopIteration):
            splits[sep] = [first_line]
    if want is not None:
        good = [sep for sep in _SEPARATORS if want(splits[sep])]
        if good:
            return good[0]
    best = max(_SEPARATORS, key=lambda s: len(splits[s]))
    if len(splits[best]) < 2:
        raise ExportError(
            f"{source}, line 1: cannot find the separator (tried ';', ',' and tab).\n"
            "Export the data again from SurveyXact as CSV."
        )
    return best


@dataclass
class _Records:
    """Where pandas' C parser will see records in a CSV byte string."""

    counts: np.ndarray   # fields per non-blank record
    lines: np.ndarray    # physical line (1-based) where each non-blank record starts
    starts: np.ndarray   # byte offsets of each non-blank record
    ends: np.ndarray     # byte offsets after each record (terminator excluded)


def _scan_records(data: bytes, sep: str, source: str) -> _Records:
    """Count the fields of every record without a Python loop over rows.

    pandas' C parser silently pads a row that is too short, so the field counts are checked here. The
    quoting rules follow pandas' tokenizer: a quote opens a quoted field only at the start of a field,
    ``""`` inside one is a literal quote, and a line ends at LF, CR LF or a lone CR outside quotes.
    """
    a = np.frombuffer(data, dtype=np.uint8)
    n = len(a)
    s = ord(sep)
    quotes = np.flatnonzero(a == 34)
    opens, closes = _quoted_spans(a, quotes, s, data, source)

    def outside(pos: np.ndarray) -> np.ndarray:
        if not len(opens) or not len(pos):
            return np.ones(len(pos), dtype=bool)
        k = np.searchsorted(opens, pos, side="right") - 1
        return ~((k >= 0) & (pos < closes[np.maximum(k, 0)]))

    lf = np.flatnonzero(a == 10)
    cr = np.flatnonzero(a == 13)
    if len(cr):
        nxt = np.where(cr + 1 < n, a[np.minimum(cr + 1, n - 1)], 0)
        cr = cr[nxt != 10]
        terms = np.union1d(lf, cr) if len(cr) else lf
    else:
        terms = lf
    rec_terms = terms[outside(terms)]
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
    starts, ends = starts[keep], eff_ends[keep]
    lines = np.searchsorted(terms, starts, side="left") + 1

    # Separators per record = all separators in the record minus those inside its quoted fields.
    at_start, at_end, at_open, at_close = _separators_before(a, ord(sep), (starts, ends, opens, closes))
    counts = at_end - at_start + 1
    if len(opens):
        rec = np.searchsorted(starts, opens, side="right") - 1
        counts -= np.bincount(rec, weights=at_close - at_open, minlength=len(starts)).astype(np.int64)
    return _Records(counts, lines, starts, ends)


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


def _quoted_spans(a: np.ndarray, quotes: np.ndarray, s: int, data: bytes, source: str
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets of the opening and closing quote of every quoted field."""
    n = len(a)
    if not len(quotes):
        return quotes, quotes
    if len(quotes) % 2 == 0:
        # Fast path: quotes pair up and every pair sits where pandas would open and close a field.
        o, c = quotes[0::2], quotes[1::2]
        prev = np.where(o > 0, a[np.maximum(o - 1, 0)], 10)
        nxt = np.where(c + 1 < n, a[np.minimum(c + 1, n - 1)], 10)
        ok = np.array([s, 10, 13, 34])
        if np.isin(prev, ok).all() and np.isin(nxt, ok).all():
            return o, c
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


# --------------------------------------------------------------------------------------------------
# Structure and Labels -> variables


@dataclass
class _MetaRow:
    """One Structure or Labels row, with where it came from (for messages)."""

    where: str
    cells: list[str]


@dataclass
class _Meta:
    """Structure and Labels as rows of text, whatever form they came in."""

    structure_source: str
    structure_header: list[str]
    structure: list[_MetaRow]
    labels_source: str
    labels: list[_MetaRow]


def _clean(value: object) -> str:
    """A metadata cell as text (Excel gives numbers for codes)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _int_code(text: str) -> int | None:
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d+\.0*", t):
        return int(float(t))
    return None


def _build_variables(meta: _Meta) -> tuple[dict[str, Variable], list[str]]:
    """Structure gives the variables, their order, type and text; Labels (and Structure) the labels."""
    warnings: list[str] = []
    header = [h.strip().lower() for h in meta.structure_header]
    col = {name.lower(): header.index(name.lower()) for name in _STRUCTURE_COLUMNS if name.lower() in header}
    missing = [n for n in ("variableName", "questionText") if n.lower() not in col]
    if missing:
        raise ExportError(
            f"{meta.structure_source}: not a SurveyXact Structure table (no column {' or '.join(missing)} "
            "in its first line).\nExport the data again from SurveyXact."
        )

    def cell(row: _MetaRow, name: str) -> str:
        i = col.get(name.lower())
        return row.cells[i].strip() if i is not None and i < len(row.cells) else ""

    info: dict[str, dict] = {}
    for row in meta.structure:
        var = cell(row, "variableName")
        if not var:
            raise ExportError(f"{meta.structure_source}, {row.where}: variableName is empty. "
                              "Export the data again from SurveyXact.")
        entry = info.setdefault(var, {"text": cell(row, "questionText"), "type": cell(row, "questionType"),
                                      "sub": cell(row, "subType"), "choices": {},
                                      "question": cell(row, "questionName"), "option": ""})
        value, label = cell(row, "choiceValue"), cell(row, "choiceText")
        if _is_multiple(entry):
            # A multiple-choice option is its own 0/1 variable; the choice names the option.
            if label and entry["text"] and not entry["text"].endswith(f" - {label}"):
                entry["text"] = f"{entry['text']} - {label}"
            entry["option"] = entry["option"] or label
            continue
        if value:
            code = _int_code(value)
            if code is None:
                raise ExportError(
                    f"{meta.structure_source}, {row.where}: choiceValue {value[:20]!r} of {var} is not "
                    "a whole number. Export the data again from SurveyXact."
                )
            entry["choices"][code] = (label, row.where)

    labels: dict[str, dict[int, tuple[str, str]]] = {}
    rows = meta.labels
    if rows and len(rows[0].cells) >= 3 and _int_code(rows[0].cells[1]) is None \
            and rows[0].cells[1].strip().lower() in ("value", "choicevalue", "code", "kode", "værdi"):
        rows = rows[1:]  # Labels has no header, but a hand-made one gets one
    for row in rows:
        cells = [c.strip() for c in row.cells]
        while len(cells) > 3 and cells[-1] == "":
            cells.pop()
        if len(cells) != 3:
            raise ExportError(
                f"{meta.labels_source}, {row.where}: {len(cells)} fields where Labels has 3 "
                "(variable, code, label).\nQuote labels that contain the separator, or export again."
            )
        var, value, label = cells
        code = _int_code(value)
        if code is None or not var:
            raise ExportError(
                f"{meta.labels_source}, {row.where}: expected 'variable;code;label' with a whole-number "
                "code. Export the data again from SurveyXact."
            )
        seen = labels.setdefault(var, {})
        if code in seen and seen[code][0] != label:
            raise ExportError(
                f"{meta.labels_source}: {var} code {code} has two labels ({seen[code][1]}: "
                f"{seen[code][0]!r}, {row.where}: {label!r}). Keep one."
            )
        seen[code] = (label, row.where)

    variables: dict[str, Variable] = {}
    for var, entry in info.items():
        from_labels = labels.get(var, {})
        for code, (label, where) in entry["choices"].items():
            if code in from_labels and from_labels[code][0] != label:
                raise ExportError(
                    f"{var} code {code}: {meta.structure_source} ({where}) says {label!r} but "
                    f"{meta.labels_source} ({from_labels[code][1]}) says {from_labels[code][0]!r}.\n"
                    "The two tables must come from the same export; export the data again."
                )
        merged = {c: lab for c, (lab, _) in entry["choices"].items()}
        merged.update({c: lab for c, (lab, _) in from_labels.items()})
        if _is_multiple(entry):
            variables[var] = _multiple_variable(var, entry, merged)
            continue
        is_open = entry["type"].lower() == "open"
        if is_open or not merged:
            if not is_open and entry["type"]:
                warnings.append(f"{meta.structure_source}: {var} is a closed question without labels; "
                                "its values are read as text.")
            variables[var] = Variable(var, entry["text"], "open", {})
        else:
            variables[var] = Variable(var, entry["text"], "single", dict(sorted(merged.items())))
    extra = [v for v in labels if v not in info and not is_admin_column(v)]
    if extra:
        warnings.append(f"{meta.labels_source}: labels for variables not in Structure ignored: "
                        f"{_some(extra)}.")
    return variables, warnings


def _is_multiple(entry: Mapping[str, str]) -> bool:
    """A Structure entry of a multiple-choice option (subType Multiple, or questionType Multiple)."""
    return "multiple" in (entry["sub"].lower(), entry["type"].lower())


#: The labels SurveyXact gives a multiple-choice option's 0/1 variable when Labels lists none.
MULTIPLE_LABELS: Mapping[int, str] = {0: "Ikke valgt", 1: "Valgt"}
#: Labels of code 1 that mark a 0/1 variable as a multiple-choice option where no Structure says so (.sav).
_TICKED = ("valgt", "markeret", "afkrydset", "selected", "checked", "chosen")


def _multiple_variable(var: str, entry: Mapping[str, Any], labels: Mapping[int, str]) -> Variable:
    """One option of a multiple-choice question: a 0/1 variable under the question's name."""
    question = entry["question"] or re.sub(r"_\d+$", "", var)
    option = entry["option"] or entry["text"].rpartition(" - ")[2]
    # Labels that name only the ticked code (or none) keep SurveyXact's name for the other.
    return Variable(var, entry["text"], "multiple", dict(sorted({**MULTIPLE_LABELS, **labels}.items())),
                    question=question, option=option)


def _multiples_from_labels(variables: dict[str, Variable]) -> dict[str, Variable]:
    """An SPSS file has no Structure: options of a multiple-choice question are told by their shape.

    Two or more neighbouring variables ``stem_1``, ``stem_2``, ... whose value labels are exactly 0 and 1
    with code 1 labelled like SurveyXact's "Valgt", and whose labels (texts) share the part before " - ",
    become the options of one question ``stem``.
    """
    names = list(variables)
    out = dict(variables)
    i = 0
    while i < len(names):
        m = re.match(r"^(.+)_(\d+)$", names[i])
        j = i
        if m:
            stem = m.group(1)
            while j < len(names) and re.fullmatch(rf"{re.escape(stem)}_\d+", names[j]) \
                    and _looks_ticked(variables[names[j]]):
                j += 1
        run = [variables[n] for n in names[i:j]]
        prefixes = {v.text.rpartition(" - ")[0] for v in run}
        if len(run) >= 2 and len(prefixes) == 1 and "" not in prefixes:
            for v in run:
                out[v.name] = Variable(v.name, v.text, "multiple", dict(v.labels), question=m.group(1),
                                       option=v.text.rpartition(" - ")[2])
            i = j
        else:
            i += 1
    return out


def _looks_ticked(v: Variable) -> bool:
    return v.kind == "single" and set(v.labels) == {0, 1} and v.labels[1].strip().casefold() in _TICKED


def _some(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --------------------------------------------------------------------------------------------------
# CSV trio


def _read_csv_trio(path: Path, form: str, files: dict[str, tuple[str, Callable[[], bytes]]]) -> Export:
    raws = {kind: load() for kind, (_, load) in files.items()}
    for kind, (source, _) in files.items():
        limits.check_text_table(raws[kind], source, ExportError)
    # SurveyXact writes the three files in one encoding, so one file that is surely cp1252 settles
    # the doubtful ones.
    cp1252 = any(_plain_bytes(raw) and not _is_utf8(raw) for raw in raws.values())
    decoded = {kind: _decode(raws[kind], source, cp1252) for kind, (source, _) in files.items()}
    st, lb, ds = decoded["structure"], decoded["labels"], decoded["dataset"]
    warnings = [w for d in (ds, st, lb) for w in d.warnings]

    st_sep = _detect_separator(
        _first_line(st), st.source,
        lambda f: {"variablename", "questiontext"} <= {x.strip().lower() for x in f})
    st_rows = _csv_rows(st, st_sep)
    if not st_rows:
        raise ExportError(f"{st.source}: the file is empty. Export the data again from SurveyXact.")
    header = [h.strip() for h in st_rows[0][1]]
    while header and header[-1] == "":
        header.pop()
    structure = []
    for line, cells in st_rows[1:]:
        if len(cells) < len(header) or any(c.strip() for c in cells[len(header):]):
            raise ExportError(
                f"{st.source}, line {line}: {len(cells)} fields where the header has {len(header)}.\n"
                "Quote texts that contain the separator, or export the data again."
            )
        structure.append(_MetaRow(f"line {line}", cells))

    lb_sep = _labels_separator(lb)
    labels = [_MetaRow(f"line {line}", cells) for line, cells in _csv_rows(lb, lb_sep)]
    meta = _Meta(st.source, header, structure, lb.source, labels)
    variables, meta_warnings = _build_variables(meta)
    warnings += meta_warnings

    sep = _detect_separator(_first_line(ds), ds.source,
                            lambda f: "respondentid" in {x.strip().lower() for x in f})
    frame, place, unknown = _read_dataset_csv(ds, sep, variables)
    return _assemble(path, form, ds.encoding, sep, variables, frame, ds.source, place,
                     lb.source, warnings, unknown=unknown)


def _labels_separator(dec: _Decoded) -> str:
    """Labels has no header: pick the separator that makes its first lines 'variable;code;label'."""
    sample = dec.data[:65536].decode(dec.codec, errors="replace")
    lines = [ln for ln in re.split(r"\r\n|\r|\n", sample)[:-1] or [sample] if ln.strip()][:20]
    best, score = None, 0
    for sep in _SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=sep, quotechar='"'))
        except csv.Error:
            continue
        # Most lines must split into variable, whole-number code, label; the full read names the odd one.
        fit = sum(len(r) >= 3 and _int_code(r[1]) is not None and not any(c.strip() for c in r[3:])
                  for r in rows)
        if fit > score and fit * 2 > len(rows):
            best, score = sep, fit
    if best is not None:
        return best
    raise ExportError(
        f"{dec.source}, line 1: not a SurveyXact Labels table (lines like 'variable;code;label', "
        "separated by ';', ',' or tab).\nExport the data again from SurveyXact."
    )


def _read_dataset_csv(dec: _Decoded, sep: str, variables: Mapping[str, Variable]
                      ) -> tuple[pd.DataFrame, Callable[[int], str], list[str]]:
    """Parse the needed Dataset columns with pandas' C parser after checking every row's field count."""
    rec = _scan_records(dec.data, sep, dec.source)
    limits.check_rows(len(rec.counts) - 1, dec.source, ExportError)
    if len(rec.counts) == 0:
        raise ExportError(f"{dec.source}: the file is empty. Export the data again from SurveyXact.")
    head_bytes = dec.data[rec.starts[0]:rec.ends[0]]
    header = next(csv.reader([head_bytes.decode(dec.codec)], delimiter=sep, quotechar='"'))
    header = [h.strip() for h in header]
    width = len(header)
    body = rec.counts[1:]
    if len(body) and (body == width + 1).all():
        header.append("")  # every row ends with one extra separator, like Structure's
        width += 1
    bad = np.flatnonzero(body != width)
    if len(bad):
        i = int(bad[0]) + 1
        got = int(rec.counts[i])
        why = "the row is cut off or a field is missing" if got < width else \
            "a text holds the separator without quotes, or a field is extra"
        raise ExportError(
            f"{dec.source}, line {int(rec.lines[i])}: {got} fields where the header has {width} "
            f"({why}).\nFix that line or export the data again from SurveyXact."
        )
    names = []
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if h == "":
            names.append(f"\x00blank{j}")  # nameless column, never selected
            continue
        if h.lower() in seen:
            raise ExportError(f"{dec.source}, line {int(rec.lines[0])}: the column {h!r} appears twice "
                              "in the header. Export the data again from SurveyXact.")
        seen[h.lower()] = j
        names.append(h)
    keep, rename = _select_columns(names, variables)
    float_cols = {c for c, canon in rename.items()
                  if (canon in variables and variables[canon].kind != "open") or _STATUS_RE.match(canon)}
    lines = rec.lines[1:]

    def place(i: int) -> str:
        return f"line {int(lines[i])}"

    def parse(dtypes: Mapping[str, object]) -> pd.DataFrame:
        return pd.read_csv(
            io.BytesIO(dec.data), sep=sep, header=0, names=names, usecols=keep, dtype=dtypes,
            keep_default_na=False, na_values=[""], encoding=dec.codec, quotechar='"',
            doublequote=True, skip_blank_lines=True, index_col=False, engine="c",
        )

    try:
        try:
            frame = parse({c: ("float64" if c in float_cols else str) for c in keep})
        except (ValueError, TypeError, OverflowError):
            # A code that is not a number: read as text so the message can name the cell.
            frame = parse({c: str for c in keep})
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ExportError(f"{dec.source}: cannot be read as CSV ({str(exc).strip()[:200]}).\n"
                          "Export the data again from SurveyXact.") from None
    if len(frame) != len(body):
        raise ExportError(f"{dec.source}: read {len(frame)} rows but the file holds {len(body)}; the "
                          "file is malformed. Export the data again from SurveyXact.")
    return frame.rename(columns=rename), place, _unknown_columns(names, variables)


def _select_columns(names: list[str], variables: Mapping[str, Variable]) -> tuple[list[str], dict[str, str]]:
    """The Dataset columns to read and their canonical names; everything else is never read."""
    keep: list[str] = []
    rename: dict[str, str] = {}
    lower_vars = {v.lower(): v for v in variables}
    for name in names:
        low = name.lower()
        if name in variables and not _ADMIN_RE.match(low):
            canon = name
        elif low == "respondentid" or _STATUS_RE.match(low) or low in _TIME_COLUMNS:
            canon = low
        elif low in lower_vars and not _ADMIN_RE.match(low):
            canon = lower_vars[low]
        else:
            continue
        keep.append(name)
        rename[name] = canon
    return keep, rename


def _unknown_columns(names: Iterable[str], variables: Mapping[str, Variable]) -> list[str]:
    lower_vars = {v.lower() for v in variables}
    return [n for n in names if n and not n.startswith("\x00") and n.lower() not in lower_vars
            and n.lower() != "respondentid" and not is_admin_column(n)]


# --------------------------------------------------------------------------------------------------
# Excel workbook


def _read_xlsx(p: Path) -> Export:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a packaging problem, not the user's
        raise ExportError(f"{p}: reading .xlsx needs the package openpyxl; install fuldtid with its "
                          "dependencies.") from None
    limits.check_workbook(p, ExportError)
    # A file object, because openpyxl refuses a path whose name does not end in .xlsx.
    with open(p, "rb") as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl, zipfile, zlib and XML parsers all raise their own
            raise ExportError(f"{p}: cannot be opened as an Excel workbook ({type(exc).__name__}); it "
                              "may be damaged or cut off.\nExport the data again from SurveyXact.") from None
        try:
            return _read_workbook(p, wb)
        finally:
            wb.close()


_DATASET_SHEET_RE = re.compile(r"^dataset\s*(?:\(\s*(\d+)\s*\))?$", re.IGNORECASE)


def _read_workbook(p: Path, wb) -> Export:
    sheets = {name.strip().lower(): name for name in wb.sheetnames}
    missing = [s for s in ("Structure", "Labels") if s.lower() not in sheets]
    parts = sorted(
        ((int(m.group(1) or 0), name) for name in wb.sheetnames if (m := _DATASET_SHEET_RE.match(name.strip()))),
    )
    if not parts:
        missing.insert(0, "Dataset")
    if missing:
        raise ExportError(f"{p}: no sheet {', '.join(missing)} (the workbook has {_some(wb.sheetnames)}).\n"
                          "Give the workbook exactly as SurveyXact exported it.")

    st_name, lb_name = sheets["structure"], sheets["labels"]
    st_rows = _sheet_rows(p, wb[st_name])
    if not st_rows:
        raise ExportError(f"{p}, sheet {st_name}: the sheet is empty. Export the data again.")
    header = [_clean(c) for c in st_rows[0][1]]
    while header and header[-1] == "":
        header.pop()
    structure = [_MetaRow(f"row {r}", [_clean(c) for c in cells]) for r, cells in st_rows[1:]]
    labels = [_MetaRow(f"row {r}", [_clean(c) for c in cells]) for r, cells in _sheet_rows(p, wb[lb_name])]
    meta = _Meta(f"{p}, sheet {st_name}", header, structure, f"{p}, sheet {lb_name}", labels)
    variables, warnings = _build_variables(meta)

    frames = []
    for _, name in parts:
        frames.append(_sheet_frame(p, name, _sheet_rows(p, wb[name]), variables))
    frame, rows, source = frames[0]
    if len(frames) > 1:
        frame, rows, source = _join_parts(p, frames)
    unknown = [c for c in frame.columns if c not in variables and c.lower() != "respondentid"
               and not is_admin_column(c)]
    keep, rename = _select_columns(list(frame.columns), variables)
    frame = frame[keep].rename(columns=rename)

    def place(i: int) -> str:
        return f"row {int(rows[i])}"

    out = _assemble(p, "xlsx", None, None, variables, frame, source, place, meta.labels_source,
                    warnings, unknown=unknown)
    return out


def _sheet_rows(p: Path, ws) -> list[tuple[int, tuple]]:
    """Non-empty rows of a sheet with their Excel row number."""
    out = []
    try:
        rows = limits.counted_rows(ws.iter_rows(values_only=True), f"{p}, sheet {ws.title}", ExportError)
        for r, row in enumerate(rows, start=1):
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                out.append((r, row))
    except ExportError:
        raise
    except Exception as exc:  # damaged sheet XML or zip data surfaces only while iterating
        raise ExportError(f"{p}, sheet {ws.title}: the sheet is damaged ({type(exc).__name__}).\n"
                          "Export the data again from SurveyXact.") from None
    return out


def _sheet_frame(p: Path, name: str, rows: list[tuple[int, tuple]], variables: Mapping[str, Variable]
                 ) -> tuple[pd.DataFrame, np.ndarray, str]:
    source = f"{p}, sheet {name}"
    if not rows:
        raise ExportError(f"{source}: the sheet is empty. Export the data again from SurveyXact.")
    header = [_clean(c) for c in rows[0][1]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    seen = set()
    for h in header:
        if h and h.lower() in seen:
            raise ExportError(f"{source}, row {rows[0][0]}: the column {h!r} appears twice in the header.")
        seen.add(h.lower())
    body = []
    for r, cells in rows[1:]:
        if len(cells) > width and any(v is not None and str(v).strip() for v in cells[width:]):
            raise ExportError(f"{source}, row {r}: values beyond the last column of the header.\n"
                              "Remove them or export the data again from SurveyXact.")
        body.append(tuple(cells[:width]) + (None,) * (width - len(cells)))
    names = [h if h else f"\x00blank{j}" for j, h in enumerate(header)]
    frame = pd.DataFrame.from_records(body, columns=names) if body else pd.DataFrame(columns=names)
    frame = frame.astype(object)
    return frame, np.array([r for r, _ in rows[1:]], dtype=np.int64), source


def _join_parts(p: Path, parts: list[tuple[pd.DataFrame, np.ndarray, str]]
                ) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Dataset(1), Dataset(2), ...: same respondents, more columns, joined on respondentid."""
    first, rows, source = parts[0]
    rid = next((c for c in first.columns if c.lower() == "respondentid"), None)
    if rid is None:
        return _join_by_position(parts)
    ids = _normalise_ids(first[rid])
    dup = np.flatnonzero(ids.duplicated(keep=False).to_numpy())
    if len(dup):
        raise ExportError(f"{source}: respondentid {ids.iloc[int(dup[0])]} appears more than once (rows "
                          f"{int(rows[dup[0]])} and {int(rows[dup[1]])}).\nRemove the duplicate row or "
                          "export the data again.")
    joined = first
    for frame, _, src in parts[1:]:
        frame = frame[[c for c in frame.columns if not _ADMIN_RE.match(c.lower()) or c == rid]]
        other_rid = next((c for c in frame.columns if c.lower() == "respondentid"), None)
        if other_rid is None:
            if len(frame) != len(joined):
                raise ExportError(f"{src}: {len(frame)} rows but {source} has {len(joined)}, and no "
                                  "respondentid to join on. Export the data again from SurveyXact.")
            add = frame.reset_index(drop=True)
        else:
            other = _normalise_ids(frame[other_rid])
            if len(other) != len(ids) or set(other) != set(ids) or other.duplicated().any():
                raise ExportError(f"{src}: its respondents differ from those in {source}; all Dataset "
                                  "sheets must hold the same respondents. Export the data again.")
            add = frame.drop(columns=[other_rid]).set_axis(other.values, axis=0).reindex(ids.values)
            add = add.reset_index(drop=True)
        clash = [c for c in add.columns if c in joined.columns and not c.startswith("\x00")]
        if clash:
            raise ExportError(f"{src}: the column {clash[0]!r} is also in {source}. "
                              "Export the data again from SurveyXact.")
        joined = pd.concat([joined.reset_index(drop=True), add], axis=1)
    return joined, rows, source


def _join_by_position(parts: list[tuple[pd.DataFrame, np.ndarray, str]]
                      ) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Dataset sheets of an export without respondent ids: the same rows in the same order."""
    first, rows, source = parts[0]
    joined = first.reset_index(drop=True)
    for frame, _, src in parts[1:]:
        if len(frame) != len(joined):
            raise ExportError(f"{src}: {len(frame)} rows but {source} has {len(joined)}, and no "
                              "respondentid to join on. Export the data again from SurveyXact.")
        frame = frame[[c for c in frame.columns if not _ADMIN_RE.match(c.lower())]]
        clash = [c for c in frame.columns if c in joined.columns and not c.startswith("\x00")]
        if clash:
            raise ExportError(f"{src}: the column {clash[0]!r} is also in {source}. "
                              "Export the data again from SurveyXact.")
        joined = pd.concat([joined, frame.reset_index(drop=True)], axis=1)
    return joined, rows, source


# --------------------------------------------------------------------------------------------------
# SPSS


def _read_sav(p: Path) -> Export:
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - a packaging problem, not the user's
        raise ExportError(f"{p}: reading .sav needs the package pyreadstat; install fuldtid with its "
                          "dependencies.") from None

    def read(**kwargs):
        # In a child process: a damaged file can crash pyreadstat (see fuldtid.read.savread).
        from fuldtid.read.savread import read_sav

        return read_sav(p, apply_value_formats=False, user_missing=False, **kwargs)

    _, meta = read(metadataonly=True)
    warnings: list[str] = []
    variables: dict[str, Variable] = {}
    types = meta.readstat_variable_types
    value_labels = meta.variable_value_labels or {}
    texts = meta.column_names_to_labels or {}
    for name in meta.column_names:
        low = name.lower()
        if low == "respondentid" or is_admin_column(name):
            continue
        text = (texts.get(name) or "").strip()
        if not text:
            warnings.append(f"{p}: variable {name} has no variable label (question text).")
            text = name
        if types.get(name) == "string":
            variables[name] = Variable(name, text, "open", {})
            continue
        labels = {}
        for code, label in (value_labels.get(name) or {}).items():
            as_int = _int_code(_clean(code)) if not isinstance(code, str) else _int_code(code)
            if as_int is None:
                raise ExportError(f"{p}: variable {name} has the value label {label!r} on the code "
                                  f"{code!r}, which is not a whole number.")
            labels[as_int] = str(label).strip()
        if labels:
            variables[name] = Variable(name, text, "single", dict(sorted(labels.items())))
        else:
            warnings.append(f"{p}: numeric variable {name} has no value labels; its values are read as text.")
            variables[name] = Variable(name, text, "open", {})
    if not variables:
        raise ExportError(f"{p}: no questionnaire variables (only administrative columns). "
                          "Export the data again from SurveyXact.")
    variables = _multiples_from_labels(variables)
    keep, rename = _select_columns(list(meta.column_names), variables)
    # Only the needed columns are read: faster, and the e-mail addresses are never even loaded.
    df, _ = read(usecols=keep)
    expected = getattr(meta, "number_rows", None)
    if expected is not None and expected >= 0 and expected != len(df):
        raise ExportError(f"{p}: holds {len(df)} cases but its header announces {expected}; the file is "
                          "cut off or damaged.\nExport the data again from SurveyXact.")
    frame = df[keep].rename(columns=rename)

    def place(i: int) -> str:
        return f"case {i + 1}"

    return _assemble(p, "sav", None, None, variables, frame, str(p), place,
                     f"{p} (value labels)", warnings)


# --------------------------------------------------------------------------------------------------
# Raw columns -> Export


def _assemble(path: Path, form: str, encoding: str | None, separator: str | None,
              variables: Mapping[str, Variable], frame: pd.DataFrame, source: str,
              place: Callable[[int], str], labels_source: str, warnings: list[str],
              unknown: list[str] | None = None) -> Export:
    """Check and convert the raw Dataset columns (canonical names) into an Export."""
    warnings = list(warnings)
    variables = {k: textsniff.clean_variable(v) for k, v in variables.items()}
    numbered = "respondentid" not in frame.columns
    if numbered:
        frame = _numbered(frame, source, warnings)
    status_cols = {int(m.group(1)): c for c in frame.columns if (m := _STATUS_RE.match(c))}
    missing = [f"statoverall_{k}" for k in ANSWERED_STATUSES if k not in status_cols]
    if missing:
        raise ExportError(f"{source}: no {' or '.join(missing)} column, so answered respondents cannot be "
                          "told apart.\nExport the data again from SurveyXact with the status columns.")
    absent = [v for v in variables if v not in frame.columns]
    if absent:
        warnings.append(f"{source}: Structure lists {_some(absent)}, which the Dataset lacks; "
                        "they were left out.")
        variables = {k: v for k, v in variables.items() if k not in absent}
    if not variables:
        raise ExportError(f"{source}: none of the questionnaire's variables is a Dataset column; the "
                          "tables seem to come from different exports. Export the data again.")
    if unknown is not None and unknown:
        warnings.append(f"{source}: columns not in Structure ignored: {_some(unknown)}.")
    if len(frame) == 0:
        raise ExportError(f"{source}: no respondent rows. Export the data again from SurveyXact.")

    ids = _normalise_ids(frame["respondentid"])
    empty = np.flatnonzero((ids == "").to_numpy())
    if len(empty):
        raise ExportError(f"{source}, {place(int(empty[0]))}: respondentid is empty.\n"
                          "Every row needs its respondent's id; export the data again from SurveyXact.")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        pos = np.flatnonzero(dup)
        first = ids.iloc[int(pos[0])]
        twins = pos[(ids.iloc[pos] == first).to_numpy()]
        raise ExportError(f"{source}: respondentid {first} appears more than once ({place(int(twins[0]))} "
                          f"and {place(int(twins[1]))}).\nRemove the duplicate row or export the data again.")

    columns: dict[str, pd.Series] = {}
    for name, var in variables.items():
        raw = frame[name]
        if var.kind in ("single", "multiple"):
            columns[name] = _to_codes(raw, var, ids, source, place, labels_source)
        else:
            columns[name] = _to_text(raw)
    flags = {k: _to_flags(frame[c], c, ids, source, place) for k, c in sorted(status_cols.items())}
    stack = np.column_stack([flags[k] for k in flags])
    several = np.flatnonzero(stack.sum(axis=1) > 1)
    if len(several):
        i = int(several[0])
        on = [status_cols[k] for k, v in flags.items() if v[i]]
        raise ExportError(f"{source}, {place(i)}: respondentid {ids.iloc[i]} has {' and '.join(on)} "
                          "both set to 1.\nA respondent has one status; export the data again.")
    answered = np.zeros(len(ids), dtype=bool)
    for k in ANSWERED_STATUSES:
        answered |= flags[k].astype(bool)
    status = np.full(len(ids), None, dtype=object)
    for k, v in flags.items():
        status[v.astype(bool)] = STATUS_LABELS.get(k, f"statoverall_{k}")
    columns["answered"] = pd.Series(answered, dtype=bool)
    columns["status"] = pd.Series(status, dtype="str")
    for name in _TIME_COLUMNS:
        if name in frame.columns:
            columns[name] = _to_time(frame[name], name, source, warnings)
        else:
            columns[name] = pd.Series(pd.NaT, index=range(len(ids)), dtype="datetime64[ns]")
    data = pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items()})
    data.index = pd.Index(ids.to_numpy(), name="respondentid", dtype="str")
    if not answered.any():
        raise ExportError(f"{source}: none of the {len(ids)} respondents has answered (statoverall_3 or "
                          "statoverall_4 = 1).\nCheck that this is the right export, taken after the survey ran.")
    return Export(path=path, form=form, encoding=encoding, separator=separator, variables=dict(variables),
                  data=data, warnings=tuple(warnings), numbered=numbered)


def _numbered(frame: pd.DataFrame, source: str, warnings: list[str]) -> pd.DataFrame:
    """An anonymous survey is exported without respondent ids: the rows are numbered 1, 2, ... instead."""
    warnings.append(f"{source}: no respondentid column (an anonymous survey?); the rows are numbered "
                    f"1-{len(frame)} in file order and those numbers stand for the respondents.")
    frame = frame.reset_index(drop=True)
    return frame.assign(respondentid=[str(i) for i in range(1, len(frame) + 1)])


def _text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text, missing (NA) when empty or blank.

    Numbers (Excel, SPSS) lose a trailing '.0'. Only non-missing cells are touched, which keeps the
    mostly empty answer columns of a big export cheap.
    """
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind == "f":
        vals = raw.to_numpy(dtype=float)
        out = np.full(len(vals), None, dtype=object)
        ok = ~np.isnan(vals)
        whole = ok & (np.mod(vals, 1) == 0) & (np.abs(vals) < 2**63)
        out[whole] = vals[whole].astype(np.int64).astype(str)
        out[ok & ~whole] = vals[ok & ~whole].astype(str)
        return pd.Series(out, dtype="str")
    if raw.dtype.kind in "iub":
        return raw.astype("str")
    if raw.dtype == object:
        raw = raw.map(lambda v: v if isinstance(v, str) or v is None else (_clean(v) or None))
    text = raw.astype("str")
    present = (text.notna() & (text != "")).to_numpy()  # vectorised; SPSS writes '' for empty
    if not present.all():
        text = text.where(present, None)
    if present.any():
        vals = text[present]
        stripped = vals.str.strip()
        changed = (stripped != vals).to_numpy()
        if changed.any():
            text.loc[vals.index[changed]] = stripped[changed]
        blank = (stripped == "").to_numpy()
        if blank.any():
            text.loc[vals.index[blank]] = None
    return text


_FLOATY_ID = r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?"


def _normalise_ids(raw: pd.Series) -> pd.Series:
    """respondentid as text, '' when empty: '81234567.0' (Excel, SPSS) -> '81234567'."""
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind not in "fiub":
        # The usual case, all digits, is settled by one vectorised test; the rest is cleaned up.
        vals = raw.to_numpy(dtype=object, na_value="")
        try:
            digits = np.strings.isdigit(np.array(vals, dtype=np.dtypes.StringDType()))
        except (TypeError, ValueError):
            digits = np.zeros(len(vals), dtype=bool)
        if digits.all():
            return pd.Series(vals, dtype="str")
    text = _text(raw).fillna("")
    odd = ~text.str.fullmatch(r"\d+").to_numpy()
    if odd.any():
        cand = text[odd]
        floaty = cand.str.fullmatch(_FLOATY_ID) & cand.str.contains(r"[.eE]", regex=True)
        if floaty.any():
            vals = pd.to_numeric(cand[floaty], errors="coerce")
            whole = vals.notna() & (vals % 1 == 0) & (vals.abs() < 2**53)
            text.loc[whole[whole].index] = vals[whole].astype("int64").astype(str)
    return text


def _to_codes(raw: pd.Series, var: Variable, ids: pd.Series, source: str,
              place: Callable[[int], str], labels_source: str) -> pd.Series:
    """Single-choice answers as Int64 codes; every code must have a label."""
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind == "f":
        vals = raw.to_numpy(dtype=float)
        bad = ~np.isnan(vals) & ((np.mod(vals, 1) != 0) | ~np.isfinite(vals) | (np.abs(vals) > 2**53))
        text = None
    else:
        text = _text(raw)
        empty = text.isna().to_numpy()
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~empty & (np.isnan(num) | ~np.isfinite(num) | (np.mod(num, 1) != 0) | (np.abs(num) > 2**53))
        vals = np.where(empty, np.nan, num)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = str(text.iloc[i]) if text is not None else repr(float(vals[i]))
        raise ExportError(f"{source}, {place(i)}: {var.name} holds {shown[:30]!r} for respondentid "
                          f"{ids.iloc[i]}, but a single-choice answer is a whole-number code.\n"
                          "Correct the cell or export the data again from SurveyXact.")
    present = ~np.isnan(vals)
    codes = np.zeros(len(vals), dtype=np.int64)
    codes[present] = vals[present].astype(np.int64)
    known = np.fromiter(var.labels, dtype=np.int64, count=len(var.labels))
    unknown = present & ~np.isin(codes, known)
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise ExportError(f"{source}, {place(i)}: {var.name} has the code {codes[i]} for respondentid "
                          f"{ids.iloc[i]}, but {labels_source} has no label for it.\n"
                          "Correct the code or add its label, or export the data again.")
    return pd.Series(pd.arrays.IntegerArray(codes, ~present), dtype="Int64")


def _to_text(raw: pd.Series) -> pd.Series:
    """Open answers as text; empty or blank -> missing; control characters (from Word) -> spaces."""
    return textsniff.clean_series(_text(raw))


def _to_flags(raw: pd.Series, name: str, ids: pd.Series, source: str,
              place: Callable[[int], str]) -> np.ndarray:
    """A status dummy as 0/1 (empty counts as 0)."""
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind == "f":
        vals = np.nan_to_num(raw.to_numpy(dtype=float), nan=0.0)
        shown = None
    else:
        shown = _text(raw)
        vals = pd.to_numeric(shown.fillna("0"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(vals, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = str(shown.iloc[i]) if shown is not None else repr(float(vals[i]))
        raise ExportError(f"{source}, {place(i)}: {name} is {value[:20]!r} for respondentid {ids.iloc[i]}; "
                          "a status column holds 0 or 1.\nCorrect the cell or export the data again.")
    return vals.astype(np.int8)


def _to_time(raw: pd.Series, name: str, source: str, warnings: list[str]) -> pd.Series:
    """Timestamps in ISO or Danish day-first form (or Excel/SPSS datetimes); unreadable -> NaT + warning."""
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind == "M":
        if getattr(raw.dt, "tz", None) is not None:
            raw = raw.dt.tz_localize(None)
        return raw.astype("datetime64[ns]")
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if raw.dtype == object:
        is_dt = raw.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).astype(bool)
        if is_dt.any():
            out[is_dt] = pd.to_datetime(raw[is_dt].tolist()).astype("datetime64[ns]")
            raw = raw.where(~is_dt, None)
    present = raw.notna().to_numpy()
    if not present.any():
        return out
    # SurveyXact writes one fixed layout; try it on the raw cells before any string work.
    fast = _fast_dayfirst(raw[present].to_numpy(dtype=object))
    if fast is not None and not np.isnat(fast).any():
        out.iloc[np.flatnonzero(present)] = fast
        return out
    text = _text(raw)
    todo = text.notna().to_numpy(copy=True)
    if not todo.any():
        return out
    # One format usually fits the whole column; find it on the first value, then sweep up the rest.
    first = str(text[todo].iloc[0])
    formats = ["ISO8601", *_DAYFIRST_FORMATS]
    formats.sort(key=lambda f: not _fits(first, f))
    for fmt in formats:
        idx = np.flatnonzero(todo)
        if not len(idx):
            break
        got = pd.to_datetime(text.iloc[idx], format=fmt, errors="coerce")
        hit = got.notna().to_numpy()
        if hit.any():
            out.iloc[idx[hit]] = got[hit].to_numpy(dtype="datetime64[ns]")
            todo[idx[hit]] = False
    if todo.any():
        warnings.append(f"{source}: {int(todo.sum())} {name} value(s) are not dates (e.g. "
                        f"{str(text[todo].iloc[0])[:25]!r}); treated as empty.")
    return out


def _fits(value: str, fmt: str) -> bool:
    try:
        pd.to_datetime(value, format=fmt)
    except (ValueError, TypeError):
        return False
    return True


_DIGITS = [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15, 17, 18]


def _fast_dayfirst(values: np.ndarray) -> np.ndarray | None:
    """'DD-MM-YYYY HH:MM:SS' (any date punctuation) parsed with array arithmetic instead of strptime.

    Returns datetime64[ns] with NaT for impossible dates, or None when the values have another shape.
    """
    if not len(values) or not all(isinstance(v, str) for v in values[:1]):
        return None
    try:
        u = np.array(values, dtype="U")
    except (TypeError, ValueError):
        return None
    if u.dtype.itemsize != 19 * 4:
        return None
    cp = u.view(np.uint32).reshape(len(u), 19)
    d = cp[:, _DIGITS].astype(np.int32) - 48
    if ((d < 0) | (d > 9)).any() or (cp[:, 10] != 32).any() or (cp[:, [13, 16]] != 58).any():
        return None
    if (cp[:, 2] != cp[:, 5]).any() or ~np.isin(cp[:, 2], (45, 46, 47)).all():
        return None
    day, month = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3]
    year = d[:, 4] * 1000 + d[:, 5] * 100 + d[:, 6] * 10 + d[:, 7]
    secs = (d[:, 8] * 10 + d[:, 9]) * 3600 + (d[:, 10] * 10 + d[:, 11]) * 60 + d[:, 12] * 10 + d[:, 13]
    ok = (month >= 1) & (month <= 12) & (day >= 1)
    ok &= (d[:, 8] * 10 + d[:, 9] < 24) & (d[:, 10] * 10 + d[:, 11] < 60) & (d[:, 12] * 10 + d[:, 13] < 60)
    months = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # day within its month
    out = days.astype("datetime64[ns]") + secs.astype("timedelta64[s]")
    out[~ok] = np.datetime64("NaT")
    return out

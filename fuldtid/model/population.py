"""Read the population file: the HR register's counts that the answers are weighted to.

The file has one row per register category::

    variabel;kategori;antal;omfatter
    koen;Kvinde;832;
    timetal;Under 30 timer;481;1-9 timer|10-19 timer|20-29 timer

``variabel`` is a field of the survey definition, ``omfatter`` lists (``|``-separated) the answer labels
a coarser register category covers; empty means the category is an answer label itself. Every answer
label of a variable must be covered exactly once, and every variable must add up to the same total N.
CSV (``;``, ``,`` or tab; UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252) and XLSX are read.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fuldtid.errors import PopulationError
from fuldtid.read.limits import check_size, check_text_table, check_workbook, counted_rows
from fuldtid.read.textsniff import CONTROL_CHARS, clean_text, sniff_separator

__all__ = ["Margin", "Population", "PopulationCategory", "read_population"]

REQUIRED_COLUMNS = ("variabel", "kategori", "antal")
OPTIONAL_COLUMNS = ("omfatter",)
# Danish registers print thousands as "1.172" or "1 172"; a bare decimal point is not a count.
_INTEGER = re.compile(r"^\+?(\d{1,3}(?:[. \u00a0]\d{3})+|\d+)$")


@dataclass(frozen=True)
class PopulationCategory:
    """One register category of a weighting variable."""

    label: str
    count: int
    covers: tuple[str, ...]


@dataclass(frozen=True)
class Margin:
    """The register counts of one weighting variable (a survey field)."""

    variable: str
    categories: tuple[PopulationCategory, ...]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.categories)


@dataclass(frozen=True)
class Population:
    """The known population: one margin per weighting variable, all adding up to ``size``."""

    path: Path
    margins: tuple[Margin, ...]
    size: int

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(m.variable for m in self.margins)

    def margin(self, variable: str) -> Margin:
        for m in self.margins:
            if m.variable == variable:
                return m
        raise KeyError(variable)


@dataclass(frozen=True)
class _Row:
    where: str  # "line 4" / "row 4", for messages
    variabel: str
    kategori: str
    antal: object
    omfatter: str


def read_population(path: str | Path, field_labels: Mapping[str, Sequence[str]]) -> Population:
    """Read and validate a population file against the survey's fields.

    ``field_labels`` maps each survey field name to its answer labels. Variable names and labels are
    matched ignoring case and repeated spaces; the survey's spelling is kept. Raises
    :class:`PopulationError` naming the file, the line and what to do for every problem found.
    """
    path = Path(path)
    try:
        check_size(path.stat().st_size, str(path), PopulationError)
        data = path.read_bytes()
    except FileNotFoundError:
        raise PopulationError(f"{path}: population file not found.") from None
    except OSError as exc:
        raise PopulationError(f"{path}: cannot read the population file ({exc.strerror}).") from None
    if not data.strip():
        raise PopulationError(f"{path}: the population file is empty; it needs the columns "
                              "variabel;kategori;antal;omfatter and one row per register category.")
    if data[:4] == b"PK\x03\x04":
        rows = _read_xlsx(path, data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise PopulationError(f"{path}: old Excel format (.xls) is not supported; "
                              "save the population file as .xlsx or CSV.")
    else:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raise PopulationError(f"{path}: not an Excel workbook although named {path.suffix}; "
                                  "save it from Excel as .xlsx or as CSV.")
        rows = _read_csv(path, data)
    if not rows:
        raise PopulationError(f"{path}: the population file has a header but no categories; "
                              "add one row per register category.")
    return _build(path, rows, field_labels)


# --- reading -----------------------------------------------------------------------------------------

def _decode(path: Path, data: bytes) -> str:
    from fuldtid.read.tabular import decode  # one decision for every side file: BOMs, UTF-8, mixed, cp1252

    return CONTROL_CHARS.sub(" ", decode(data, path, PopulationError))


def _norm_header(cell: object) -> str:
    return str(cell or "").strip().lower()


def _header_map(path: Path, header: Sequence[object], where: str) -> dict[str, int]:
    names = [_norm_header(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        found = ";".join(n for n in names if n) or "nothing"
        raise PopulationError(
            f"{path}, {where}: missing column(s) {', '.join(missing)} (found {found}); the header must be "
            "variabel;kategori;antal;omfatter.")
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise PopulationError(f"{path}, {where}: column {dupes[0]} appears twice in the header.")
    return {n: i for i, n in enumerate(names) if n in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}


def _read_csv(path: Path, data: bytes) -> list[_Row]:
    check_text_table(data, str(path), PopulationError)
    text = _decode(path, data)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise PopulationError(f"{path}: the population file is empty.")
    header_line = lines[first]
    # The delimiter is the one that splits the header into the most of the expected column names.
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    delimiter = sniff_separator(header_line, lambda fields: sum(_norm_header(c) in known for c in fields))
    if delimiter is None:
        raise PopulationError(
            f"{path}, line {first + 1}: header {header_line.strip()[:80]!r} is not "
            "variabel;kategori;antal;omfatter (separated by ';' or ',').")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    cols: dict[str, int] | None = None
    width = 0
    try:
        for record in reader:
            lineno = reader.line_num
            if not any(c.strip() for c in record):
                continue
            if cols is None:
                cols = _header_map(path, record, f"line {lineno}")
                width = len(record)
                continue
            rows.append(_row_from(path, record, cols, width, f"line {lineno}"))
    except csv.Error as exc:
        raise PopulationError(f"{path}, line {reader.line_num}: cannot parse the CSV ({exc}).") from None
    return rows


def _read_xlsx(path: Path, data: bytes) -> list[_Row]:
    import openpyxl  # lazy: only XLSX population files need it

    check_workbook(io.BytesIO(data), PopulationError, str(path))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise PopulationError(f"{path}: cannot open the workbook ({type(exc).__name__}); "
                              "save it again from Excel as .xlsx or as CSV.") from None
    try:
        ws = wb.worksheets[0]
        rows: list[_Row] = []
        cols: dict[str, int] | None = None
        width = 0
        for rowno, values in enumerate(_sheet_rows(path, ws), start=1):
            cells = ["" if v is None else clean_text(v) for v in values]
            if not any(str(c).strip() for c in cells):
                continue
            if cols is None:
                cols = _header_map(path, cells, f"row {rowno}")
                width = len(cells)
                continue
            rows.append(_row_from(path, cells, cols, width, f"row {rowno}"))
    finally:
        wb.close()
    if cols is None:
        raise PopulationError(f"{path}: the first sheet is empty; it needs the columns "
                              "variabel;kategori;antal;omfatter.")
    return rows


def _sheet_rows(path: Path, ws) -> Iterator[tuple]:
    """The sheet's rows, counted against the limits; a damaged workbook is a PopulationError."""
    try:
        yield from counted_rows(ws.iter_rows(values_only=True), f"{path}, sheet {ws.title!r}", PopulationError)
    except PopulationError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cut-off workbook fails only while its rows are read
        raise PopulationError(f"{path}, sheet {ws.title!r}: the workbook is damaged or cut off "
                              f"({type(exc).__name__}); save it again from Excel as .xlsx or as CSV.") from None


def _row_from(path: Path, record: Sequence[object], cols: dict[str, int], width: int,
              where: str) -> _Row:
    extra = [c for c in record[width:] if str(c).strip()]
    if extra:
        raise PopulationError(f"{path}, {where}: {len(record)} fields but the header has {width}; "
                              "check for a stray separator in the row.")
    needed = max(cols[c] for c in REQUIRED_COLUMNS)
    if len(record) <= needed:
        raise PopulationError(f"{path}, {where}: only {len(record)} field(s); each row needs "
                              "variabel, kategori and antal.")

    def get(name: str) -> object:
        i = cols.get(name)
        if i is None or i >= len(record):
            return ""
        return record[i]

    return _Row(where, _clean(get("variabel")), _clean(get("kategori")), get("antal"),
                str(get("omfatter") or ""))


def _clean(value: object) -> str:
    return " ".join(str(value).split())


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()



# --- validation --------------------------------------------------------------------------------------

def _count(path: Path, row: _Row) -> int:
    value = row.antal
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise PopulationError(f"{path}, {row.where}: antal {value!r} for {row.kategori!r} is not a "
                                  "whole number; give the number of staff.")
        n = int(value)
    else:
        text = str(value).strip()
        if not text:
            raise PopulationError(f"{path}, {row.where}: antal is empty for {row.kategori!r}; "
                                  "give the number of staff in the category.")
        if text.startswith("-") and _INTEGER.match(text[1:]):
            raise PopulationError(f"{path}, {row.where}: antal {text} for {row.kategori!r} is negative.")
        if not _INTEGER.match(text):
            raise PopulationError(f"{path}, {row.where}: antal {text!r} for {row.kategori!r} is not a "
                                  "whole number; give the number of staff (digits only).")
        n = int(re.sub(r"\D", "", text))
    if n < 0:
        raise PopulationError(f"{path}, {row.where}: antal {n} for {row.kategori!r} is negative.")
    return n


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def _suggest(value: str, options: Sequence[str]) -> str:
    # Field names are ASCII spellings of Danish words ("koen" for "køn"), so compare transliterated.
    plain = {str(o).casefold().translate(_ASCII): str(o) for o in options}
    close = difflib.get_close_matches(value.casefold().translate(_ASCII), list(plain), n=1, cutoff=0.6)
    return f" (did you mean {plain[close[0]]!r}?)" if close else ""


def _build(path: Path, rows: list[_Row], field_labels: Mapping[str, Sequence[str]]) -> Population:
    from fuldtid.model.survey import ascii_key  # the same name matching as the breakdown's --by

    fields = {_key(f): f for f in field_labels}
    # Field names are ASCII (koen, omraade); a register export may spell them in Danish (køn, område).
    fields.update({ascii_key(f): f for f in field_labels if ascii_key(f) not in fields})
    by_var: dict[str, list[tuple[_Row, PopulationCategory]]] = {}
    for row in rows:
        if not row.variabel:
            raise PopulationError(f"{path}, {row.where}: variabel is empty; name the survey field "
                                  "(e.g. koen, timetal).")
        if not row.kategori:
            raise PopulationError(f"{path}, {row.where}: kategori is empty for variable {row.variabel!r}.")
        var = fields.get(_key(row.variabel)) or fields.get(ascii_key(row.variabel))
        if var is None:
            raise PopulationError(
                f"{path}, {row.where}: variable {row.variabel!r} is not a field of the survey"
                f"{_suggest(row.variabel, list(field_labels))}; use one of: {', '.join(field_labels)}.")
        labels = {_key(lab): str(lab) for lab in field_labels[var]}
        count = _count(path, row)
        parts = [p for p in (_clean(p) for p in row.omfatter.split("|")) if p]
        if not parts:
            label = labels.get(_key(row.kategori))
            if label is None:
                raise PopulationError(
                    f"{path}, {row.where}: kategori {row.kategori!r} is not an answer label of {var}"
                    f"{_suggest(row.kategori, list(labels.values()))}; if it groups several answers, "
                    "list them in omfatter separated by '|'.")
            covers: tuple[str, ...] = (label,)
        else:
            found = []
            for part in parts:
                label = labels.get(_key(part))
                if label is None:
                    raise PopulationError(
                        f"{path}, {row.where}: omfatter names {part!r}, which is not an answer label of "
                        f"{var}{_suggest(part, list(labels.values()))}; its labels are: "
                        f"{' | '.join(labels.values())}.")
                found.append(label)
            covers = tuple(dict.fromkeys(found))
        by_var.setdefault(var, []).append((row, PopulationCategory(row.kategori, count, covers)))

    margins = []
    for var, entries in by_var.items():
        seen_cat: dict[str, _Row] = {}
        owner: dict[str, tuple[_Row, str]] = {}
        for row, cat in entries:
            k = _key(cat.label)
            if k in seen_cat:
                raise PopulationError(f"{path}, {row.where}: category {cat.label!r} of {var} appears twice "
                                      f"(also {seen_cat[k].where}); give each category once.")
            seen_cat[k] = row
            for label in cat.covers:
                if label in owner:
                    prev_row, prev_cat = owner[label]
                    raise PopulationError(
                        f"{path}, {row.where}: answer {label!r} of {var} is covered by both {prev_cat!r} "
                        f"({prev_row.where}) and {cat.label!r}; each answer may belong to one category only.")
                owner[label] = (row, cat.label)
        uncovered = [str(lab) for lab in field_labels[var] if str(lab) not in owner]
        if uncovered:
            raise PopulationError(
                f"{path}: variable {var} leaves answer(s) {', '.join(repr(u) for u in uncovered)} uncovered; "
                "add them to a category's omfatter or give them a row of their own.")
        margins.append(Margin(var, tuple(cat for _, cat in entries)))

    totals = {m.variable: m.total for m in margins}
    if len(set(totals.values())) > 1:
        listed = ", ".join(f"{v} {t}" for v, t in totals.items())
        raise PopulationError(f"{path}: the variables add up to different totals ({listed}); "
                              "every variable must count the same staff.")
    size = next(iter(totals.values()))
    if size <= 0:
        raise PopulationError(f"{path}: the population counts add up to {size}; give the number of staff.")
    return Population(path=path, margins=tuple(margins), size=size)

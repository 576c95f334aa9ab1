"""The Excel form: a workbook with the sheets Dataset (or Dataset(1), Dataset(2), ...), Structure, Labels."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fuldtid.errors import ExportError
from fuldtid.read import limits
from fuldtid.read.assemble import _assemble, _normalise_ids
from fuldtid.read.csvform import _select_columns
from fuldtid.read.exportmodel import _ADMIN_RE, _some, Export, is_admin_column, Variable
from fuldtid.read.structure import _build_variables, _clean, _Meta, _MetaRow


def _read_xlsx(p: Path) -> Export:
    limits.check_workbook(p, ExportError)
    book = _calamine_book(p)
    if book is not None:
        return _read_workbook(p, book)
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a packaging problem, not the user's
        raise ExportError(f"{p}: reading .xlsx needs the package openpyxl; install fuldtid with its "
                          "dependencies.") from None
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


# --------------------------------------------------------------------------------------------------
# python-calamine: the same cells as openpyxl, ten times faster
#
# openpyxl reads about 200,000 cells a second (a 10,000-row export: 7.6 s); python-calamine (Rust) reads
# the same workbook in 0.7 s. Its cells are made to look exactly like openpyxl's read-only, data-only
# values, so everything after this point is shared: rows from A1 (leading empty rows and columns kept),
# None for an empty cell, int for a whole number, datetime for a date, and control characters as Excel
# writes them (_x000B_), which openpyxl leaves as they are. Whenever calamine cannot read the workbook,
# or a cell holds a whole number too big for a float to keep exact, openpyxl reads it instead, so every
# message about a damaged workbook stays openpyxl's. setup.cfg asks for python-calamine>=0.9, the version
# the equality tests (tests/test_read_paths.py) ran on; without it openpyxl reads everything.

_XML_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")


class _CalamineSheet:
    def __init__(self, title: str, rows: list[tuple]) -> None:
        self.title = title
        self._rows = rows

    def iter_rows(self, values_only: bool = True):
        return iter(self._rows)


class _CalamineBook:
    def __init__(self, sheets: dict[str, _CalamineSheet]) -> None:
        self.sheetnames = list(sheets)
        self._sheets = sheets

    def __getitem__(self, name: str) -> _CalamineSheet:
        return self._sheets[name]


class _NotExact(Exception):
    """A cell calamine cannot give as openpyxl does: read the workbook with openpyxl."""


def _calamine_book(p: Path) -> _CalamineBook | None:
    """Every sheet's cells as openpyxl would give them, or None to let openpyxl read the workbook."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        book = CalamineWorkbook.from_path(str(p))
        sheets = {}
        for name in book.sheet_names:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets[name] = _CalamineSheet(name, [tuple(_as_openpyxl(v) for v in row) for row in grid])
        return _CalamineBook(sheets)
    except Exception:  # noqa: BLE001 - calamine's own errors, or _NotExact: openpyxl reads and reports
        return None


def _as_openpyxl(v: object) -> object:
    if v == "":
        return None
    kind = type(v)
    if kind is float:
        if v.is_integer():
            if abs(v) >= 2**53:
                raise _NotExact
            return int(v)
        return v
    if kind is str:
        return _XML_CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", v) if _XML_CONTROL.search(v) else v
    if kind is datetime.date:
        return datetime.datetime(v.year, v.month, v.day)
    return v


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

"""Writing tables to Excel safely: text never becomes a formula, and the file is reproducible."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .ziputil import normalise_zip

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from .tables import TableSet

FIXED_DATETIME = dt.datetime(2000, 1, 1)


def new_workbook() -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "fuldtid"
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME
    wb.properties.lastModifiedBy = "fuldtid"
    return wb


def set_cell(ws: "Worksheet", row: int, col: int, value: Any, *, bold: bool = False, wrap: bool = False) -> None:
    """Write one cell. Strings are always stored as text: an answer such as ``=HYPERLINK(...)`` or
    ``-5 timer`` must not turn into a formula when the analyst opens the file."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if bold or wrap:
        from openpyxl.styles import Alignment, Font

        if bold:
            cell.font = Font(bold=True)
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_rows(ws: "Worksheet", rows: Iterable[Sequence[Any]], start_row: int = 1, *, bold_first: bool = False) -> int:
    r = start_row
    for i, values in enumerate(rows):
        for c, v in enumerate(values, start=1):
            set_cell(ws, r, c, v, bold=bold_first and i == 0)
        r += 1
    return r


def workbook_bytes(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


def safe_sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Ark"
    base, i = clean, 2
    while clean in taken:
        suffix = f" ({i})"
        clean = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(clean)
    return clean


_COUNT = re.compile(r"^\d{1,3}(?:\.\d{3})*$")


def _number_or_text(value: str, header: str) -> int | str:
    """Counts become numbers the analyst can sum in Excel; everything else stays the text the memo shows
    (percentages keep the memo's rounding and its "<1%")."""
    if header == "Antal" and _COUNT.match(value):
        return int(value.replace(".", ""))
    return value


def tables_workbook(tableset: "TableSet") -> bytes:
    """One sheet per table, laid out as the memo shows it."""
    from .grid import with_weighted

    wb = new_workbook()
    taken: set[str] = set()
    for t in tableset.tables:
        ws = wb.create_sheet(safe_sheet_title(f"Tabel {t.number}", taken))
        g = with_weighted(t)
        set_cell(ws, 1, 1, g.caption, bold=True)
        set_cell(ws, 2, 1, g.question)
        for c, h in enumerate(g.header, start=1):
            set_cell(ws, 4, c, h, bold=True)
        r = 5
        for row in g.rows:
            for c, v in enumerate(row, start=1):
                set_cell(ws, r, c, _number_or_text(v, g.header[c - 1]), wrap=g.header[c - 1] == "Eksempler")
            r += 1
        for c, v in enumerate(g.total, start=1):
            set_cell(ws, r, c, _number_or_text(v, g.header[c - 1]), bold=True)
        r += 2
        for note in g.notes:
            set_cell(ws, r, 1, note)
            r += 1
        ws.column_dimensions["A"].width = max(24, min(48, max(len(x[0]) for x in (g.header, *g.rows)) + 2))
        for letter in "BCDEFG":
            ws.column_dimensions[letter].width = 16
        if "Eksempler" in g.header:
            ws.column_dimensions[chr(ord("A") + g.header.index("Eksempler"))].width = 70
    for spec in tableset.pending:
        ws = wb.create_sheet(safe_sheet_title(f"Tabel {spec.number}", taken))
        set_cell(ws, 1, 1, f"Tabel {spec.number}: {spec.title}", bold=True)
        set_cell(ws, 2, 1, "Afventer kodning af de åbne svar (fuldtid coding-sheet).")
    return workbook_bytes(wb)

"""Writing tables to Excel safely: text never becomes a formula, and the file is reproducible."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from fuldtid.ziputil import normalise_zip

if TYPE_CHECKING:
    from typing import TypeAlias

    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from fuldtid.stats.tables import Exclusion, Table, TableSet

    # What a cell of fuldtid's sheets holds: text, a number, or nothing.
    CellValue: TypeAlias = str | int | float | None

FIXED_DATETIME = dt.datetime(2000, 1, 1)


def new_workbook() -> Workbook:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "fuldtid"
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME
    wb.properties.lastModifiedBy = "fuldtid"
    return wb


def set_cell(ws: "Worksheet", row: int, col: int, value: CellValue, *, bold: bool = False, wrap: bool = False) -> None:
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


def workbook_bytes(wb: Workbook, when: dt.date | None = None) -> bytes:
    """The workbook's bytes, reproducible; ``when`` (the data's date) is its created/modified date."""
    buf = io.BytesIO()
    wb.save(buf)
    day = None if when is None or pd_isnat(when) else dt.datetime(when.year, when.month, when.day)
    return normalise_zip(buf.getvalue(), day)


def pd_isnat(value: object) -> bool:
    return value != value  # NaT and NaN are not equal to themselves


def describe_workbook(wb: Workbook, *, title: str, author: str) -> None:
    """Title and author in the workbook's properties (what Excel shows under Info)."""
    wb.properties.title = title[:255]
    wb.properties.creator = wb.properties.lastModifiedBy = (author or "fuldtid")[:255]
    wb.properties.language = "da-DK"


def safe_sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Ark"
    base, i = clean, 2
    while clean in taken:
        suffix = f" ({i})"
        clean = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(clean)
    return clean


# A share is stored as a fraction and shown as whole percent; below 1% (not 0) it reads "<1%", as in the memo.
PCT_FORMAT = '[=0]0%;[<0.005]"<1%";0%'
COUNT_FORMAT = "#,##0"


@dataclass(frozen=True)
class Column:
    """A column of a numeric sheet: ``kind`` is "text", "count" (a whole number) or "pct" (a percent 0-100,
    stored as a fraction with a percent format)."""

    header: str
    kind: str = "text"
    width: float = 14.0


def _value(value: CellValue, kind: str) -> CellValue:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value  # "*" for a hidden cell, a label, a quote
    if kind == "pct":
        return float(value) / 100.0
    if kind == "count":
        return int(value)
    return value


def number_sheet(ws: "Worksheet", *, title: str, lines: Sequence[str], columns: Sequence[Column],
                 rows: Sequence[Sequence[CellValue]], total: Sequence[CellValue] | None, notes: Sequence[str],
                 label_columns: int = 1) -> None:
    """A table as a worksheet the analyst can sort and sum: title and description lines at the top, one
    header row, counts as whole numbers and shares as numbers with a percent format, the header frozen
    with the label columns, and printed on A4, fitted to the page width, the header on every page."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    last_col = get_column_letter(len(columns))
    width = sum(c.width for c in columns)

    def text_row(r: int, text: str, *, bold: bool = False, size: float = 11) -> None:
        # Text wider than the table wraps within it (merged across the table's columns), so the page is
        # fitted to the table and not to a note that runs on to the right.
        set_cell(ws, r, 1, text)
        cell = ws.cell(row=r, column=1)
        cell.font = Font(bold=bold, size=size)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if len(columns) > 1:
            ws.merge_cells(f"A{r}:{last_col}{r}")
        lines_needed = sum(max(1, -(-len(part) * size / 11 // max(width * 1.1, 1))) for part in text.split("\n"))
        ws.row_dimensions[r].height = 15 * size / 11 * lines_needed

    text_row(1, title, bold=True, size=12)
    r = 2
    for line in lines:
        if line:
            text_row(r, line)
            r += 1
    head = r + 1
    rule = Side(style="thin", color="444444")
    for c, col in enumerate(columns, start=1):
        set_cell(ws, head, c, col.header, bold=True)
        cell = ws.cell(row=head, column=c)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="left" if col.kind == "text" else "right")
        cell.border = Border(bottom=rule)
        ws.column_dimensions[get_column_letter(c)].width = col.width
    r = head + 1
    for values in [*rows, *([total] if total is not None else [])]:
        is_total = total is not None and values is total
        for c, (col, v) in enumerate(zip(columns, values), start=1):
            value = _value(v, col.kind)
            set_cell(ws, r, c, value, bold=is_total, wrap=col.header == "Eksempler")
            cell = ws.cell(row=r, column=c)
            if col.kind == "pct":
                cell.number_format = PCT_FORMAT
            elif col.kind == "count":
                cell.number_format = COUNT_FORMAT
            if col.kind != "text" and isinstance(value, str):
                cell.alignment = Alignment(horizontal="right")
            if is_total:
                cell.border = Border(top=rule)
        wrapped = [_lines(v, col.width) for col, v in zip(columns, values) if col.header == "Eksempler"]
        if wrapped and max(wrapped) > 1:
            ws.row_dimensions[r].height = 15 * max(wrapped)  # Excel and LibreOffice keep a set height
            for c, col in enumerate(columns, start=1):
                if col.header != "Eksempler":
                    ws.cell(row=r, column=c).alignment = Alignment(
                        vertical="top", horizontal="left" if col.kind == "text" else "right")
        r += 1
    r += 1
    for note in notes:
        text_row(r, note, size=9)
        r += 1
    ws.print_area = f"A1:{last_col}{max(r - 1, head)}"
    ws.freeze_panes = ws.cell(row=head + 1, column=label_columns + 1)
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(c.width for c in columns) > 100 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.75


def _lines(value: CellValue, width: float) -> int:
    """How many lines a wrapped text takes in a column ``width`` characters wide (about)."""
    if not isinstance(value, str) or not value:
        return 1
    return sum(max(1, -(-len(part) // max(int(width * 1.1), 1))) for part in value.split("\n"))


def _label_width(labels: Iterable[str]) -> float:
    return float(max(18, min(48, max((len(x) for x in labels), default=0) + 2)))


def table_sheet_data(t: Table) -> tuple[list[Column], list[list[CellValue]], list[CellValue]]:
    """The columns, rows and total row of a report table, as numbers."""
    from fuldtid.render.grid import HIDDEN, TOTAL, unique_quotes
    from fuldtid.stats.tablemodel import CrossRow, Row

    has_w = any(getattr(r, "weighted", None) for r in t.rows)
    if t.kind in ("cross", "grid"):
        head = "Udsagn" if t.kind == "grid" else "Gruppe"
        cols = [Column(head, "text", _label_width(r.label for r in t.rows))]
        for c in t.columns:
            cols += [Column(f"{c}, antal", "count", 11), Column(f"{c}, andel", "pct", 11)]
        cols.append(Column(f"{TOTAL}, antal", "count", 11))
        if has_w:
            for c in t.columns:
                cols += [Column(f"{c}, vægtet andel", "pct", 12), Column(f"{c}, 95%-KI nedre", "pct", 12),
                         Column(f"{c}, 95%-KI øvre", "pct", 12)]
        rows: list[list[CellValue]] = []
        for r in t.rows:
            assert isinstance(r, CrossRow)
            if r.suppressed:
                rows.append([r.label, *([HIDDEN] * (2 * len(t.columns) + 1))])
                continue
            line: list[CellValue] = [r.label]
            for c in t.columns:
                line += [r.counts[c], r.pcts[c]]  # type: ignore[index]  # shown rows have counts
            line.append(r.total)
            if has_w:
                for c in t.columns:
                    w = (r.weighted or {}).get(c)
                    line += [None, None, None] if w is None else [w.pct, w.ci_low, w.ci_high]
            rows.append(line)
        overall = t.overall
        total: list[CellValue] = [TOTAL]
        for c in t.columns:
            n = None if overall is None else overall.get(c, 0)
            total += [HIDDEN, HIDDEN] if n is None else [n, 100.0 * n / t.base if t.base else None]
        total.append(HIDDEN if t.hidden_whole else t.base)
        return cols, rows, total
    has_examples = t.kind == "coded" and any(r.examples for r in t.rows)
    cols = [Column("Kategori" if t.kind == "coded" else "Svar", "text", _label_width(r.label for r in t.rows)),
            Column("Antal", "count", 10), Column("Procent", "pct", 10)]
    if has_w:
        cols += [Column("Vægtet andel", "pct", 12), Column("95%-KI nedre", "pct", 12), Column("95%-KI øvre", "pct", 12)]
    if has_examples:
        cols.append(Column("Eksempler", "text", 70))
    rows = []
    for r in t.rows:
        assert isinstance(r, Row)
        line = [r.label, HIDDEN, HIDDEN] if r.suppressed else [r.label, r.count, r.pct]
        if has_w:
            w = None if r.suppressed else r.weighted
            line += [None, None, None] if w is None else [w.pct, w.ci_low, w.ci_high]
        if has_examples:
            line.append("\n".join(f"”{q}”" for q in unique_quotes(r.examples)))
        rows.append(line)
    total = [TOTAL, HIDDEN, None] if t.hidden_whole else [TOTAL, t.base, 100.0 if t.base else None]
    return cols, rows, total


def tables_workbook(tableset: "TableSet") -> bytes:
    """One sheet per table: the memo's numbers as numbers, with the memo's notes."""
    from fuldtid.render.grid import table_grid, weighted_note, weighted_size_notes

    wb = new_workbook()
    taken: set[str] = set()
    for t in tableset.tables:
        ws = wb.create_sheet(safe_sheet_title(f"Tabel {t.number}", taken))
        cols, rows, total = table_sheet_data(t)
        notes = list(table_grid(t).notes)
        if any(getattr(r, "weighted", None) for r in t.rows):
            notes.append(weighted_note(tableset.facts.definition))
        if t.kind == "cross" and any(getattr(r, "weighted", None) for r in t.rows):
            notes += weighted_size_notes(t.rows, t.min_group)
        notes += [] if t.hidden_whole else exclusion_lines(t.excluded)
        number_sheet(ws, title=t.caption, lines=[t.question], columns=cols, rows=rows, total=total, notes=notes)
    for spec in tableset.pending:
        ws = wb.create_sheet(safe_sheet_title(f"Tabel {spec.number}", taken))
        set_cell(ws, 1, 1, f"Tabel {spec.number}: {spec.title}", bold=True)
        set_cell(ws, 2, 1, "Afventer kodning af de åbne svar (fuldtid coding-sheet).")
    d = tableset.facts.definition
    describe_workbook(wb, title=f"Tabeller: {d.title}", author=d.organisation)
    return workbook_bytes(wb, tableset.facts.data_date)


def exclusion_lines(excluded: Sequence[Exclusion]) -> list[str]:
    """One line saying who is left out of a table and why (nothing when nobody is)."""
    from fuldtid.render.grid import exclusion_note

    note = exclusion_note([(e.count, e.reason) for e in excluded])
    return [note] if note else []

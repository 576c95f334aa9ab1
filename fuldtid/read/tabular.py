"""Reading the small side files an analyst writes (coding files, population files) from CSV or XLSX.

Analysts save these from Excel or a text editor, so the encoding and separator are detected, not asked for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from fuldtid.errors import SurveyError
from fuldtid.read.limits import check_size, check_text_table, check_workbook, counted_rows
from fuldtid.read.textsniff import CONTROL_CHARS, clean_text, sniff_encoding, sniff_separator


@dataclass(frozen=True)
class Sheet:
    """One table of text cells; ``place(i)`` says where row ``i`` came from, for error messages."""

    name: str  # "" for CSV, the sheet name for XLSX
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]  # line (CSV) or row (XLSX) number of each row

    def place(self, i: int) -> str:
        return f"line {self.lines[i]}" if not self.name else f"sheet {self.name!r}, row {self.lines[i]}"

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, r)) for r in self.rows]


def decode(data: bytes, path: Path, error: Callable[[str], SurveyError]) -> str:
    """Text of a CSV file: BOMs say UTF-8/UTF-16; otherwise UTF-8 if it decodes, else Windows-1252 --
    unless the file is mostly UTF-8 with a few stray bytes, which is an error naming the lines."""
    enc = sniff_encoding(data, str(path), error, bomless_utf16=False)  # the export's decision, too
    if enc == "utf-8-sig":
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start + 3) + 1
            raise error(f"{path}, line {line}: starts like UTF-8 (byte-order mark) but this line is not "
                        f"UTF-8 (byte 0x{data[exc.start + 3]:02x}); save the file as UTF-8 again") from None
    if enc == "utf-16":
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise error(f"{path}: starts like UTF-16 but does not decode as UTF-16 ({exc.reason}); "
                        "save it again as UTF-8 CSV or .xlsx") from None
    if enc == "utf-8":
        return data.decode("utf-8")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}, line {line}: cannot decode the file as UTF-8 or Windows-1252 (byte "
                    f"0x{data[exc.start]:02x}); save it again as UTF-8") from None


def read_sheets(path: str | Path, what: str, error: Callable[[str], SurveyError]) -> list[Sheet]:
    """Every table in a CSV file (one) or an XLSX workbook (one per non-empty sheet), cells as stripped text."""
    p = Path(path)
    if not p.exists():
        raise error(f"{p}: {what} not found")
    if p.is_dir():
        raise error(f"{p}: is a folder; the {what} must be a CSV or XLSX file")
    try:
        check_size(p.stat().st_size, str(p), error)
        data = p.read_bytes()
    except OSError as exc:
        raise error(f"{p}: cannot read the {what} ({exc.strerror})") from None
    if not data.strip():
        raise error(f"{p}: the {what} is empty")
    if data[:4] == b"PK\x03\x04" or p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(p, what, error)
    check_text_table(data, str(p), error)
    text = CONTROL_CHARS.sub(" ", decode(data, p, error))
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise error(f"{p}: the {what} is empty (it holds no text, perhaps only a byte-order mark)")
    while not lines[0].strip():
        lines.pop(0)
    sep = sniff_separator(lines[0]) or ";"  # one column: any separator reads it
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        rows = [[c.strip() for c in r] for r in reader]
    except csv.Error as exc:
        raise error(f"{p}: cannot be read as CSV ({exc})") from exc
    top = next((i for i, r in enumerate(rows) if any(r)), None)
    if top is None:
        raise error(f"{p}: the {what} is empty (no cell holds text)")
    header = tuple(h.lstrip("\ufeff").strip().lower() for h in rows[top])
    body, numbers = [], []
    for line, r in enumerate(rows[top + 1:], start=top + 2):
        if not any(r):
            continue
        if any(r[len(header) :]):
            raise error(
                f"{p}, line {line}: {len(r)} fields but the header has {len(header)}; "
                f"check the separator {sep!r} and quoting"
            )
        body.append(tuple(r[: len(header)] + [""] * (len(header) - len(r))))
        numbers.append(line)
    return [Sheet("", header, tuple(body), tuple(numbers))]


def _read_xlsx(p: Path, what: str, error: Callable[[str], SurveyError]) -> list[Sheet]:
    from openpyxl import load_workbook

    check_workbook(p, error)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl, zipfile, zlib and XML parsers raise their own
        raise error(f"{p}: is not a readable Excel workbook ({exc.__class__.__name__}); save it as .xlsx or CSV") from None
    sheets = []
    try:
        for ws in wb.worksheets:
            rows = _sheet_rows(p, ws, error)
            # Skip banner lines above the header (e.g. a warning that the sheet holds raw answers).
            start = next((i for i, r in enumerate(rows) if sum(1 for c in r if c) >= 2), None)
            if start is None:
                continue
            header = tuple(c.strip().lower() for c in rows[start])
            kept = [(i + 1, r) for i, r in enumerate(rows) if i > start and any(r)]
            body = tuple(r[: len(header)] + ("",) * (len(header) - len(r)) for _, r in kept)
            sheets.append(Sheet(ws.title, header, body, tuple(i for i, _ in kept)))
    finally:
        wb.close()
    if not sheets:
        raise error(f"{p}: the {what} has no table in any sheet")
    return sheets


def _sheet_rows(p: Path, ws, error: Callable[[str], SurveyError]) -> list[tuple[str, ...]]:
    try:
        counted = counted_rows(ws.iter_rows(values_only=True), f"{p}, sheet {ws.title!r}", error)
        return [tuple(_cell_text(c) for c in row) for row in counted]
    except SurveyError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cut-off or damaged workbook fails only while reading
        raise error(f"{p}, sheet {ws.title!r}: the workbook is damaged or cut off ({exc.__class__.__name__}); "
                    "save it again from Excel as .xlsx or CSV") from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()

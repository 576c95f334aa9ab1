"""Reading the small side files an analyst writes (coding files, population files) from CSV or XLSX.

Analysts save these from Excel or a text editor, so the encoding and separator are detected, not asked for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import SurveyError


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
    """Text of a CSV file: BOMs say UTF-8/UTF-16; otherwise UTF-8 if it decodes, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise error(f"{path}: starts like UTF-16 but does not decode as UTF-16 ({exc.reason})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_sheets(path: str | Path, what: str, error: Callable[[str], SurveyError]) -> list[Sheet]:
    """Every table in a CSV file (one) or an XLSX workbook (one per non-empty sheet), cells as stripped text."""
    p = Path(path)
    if not p.exists():
        raise error(f"{p}: {what} not found")
    if p.is_dir():
        raise error(f"{p}: is a folder; the {what} must be a CSV or XLSX file")
    data = p.read_bytes()
    if not data.strip():
        raise error(f"{p}: the {what} is empty")
    if data[:4] == b"PK\x03\x04" or p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(p, what, error)
    text = decode(data, p, error)
    lines = text.splitlines()
    header_line = lines[0]
    counts = {sep: header_line.count(sep) for sep in (";", "\t", ",")}
    sep = max(counts, key=lambda s: counts[s])
    if counts[sep] == 0:
        sep = ";"
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        rows = [[c.strip() for c in r] for r in reader]
    except csv.Error as exc:
        raise error(f"{p}: cannot be read as CSV ({exc})") from exc
    header = tuple(h.lstrip("\ufeff").strip().lower() for h in rows[0])
    body, numbers = [], []
    for line, r in enumerate(rows[1:], start=2):
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
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise error(f"{p}: is not a readable Excel workbook ({exc.__class__.__name__}); save it as .xlsx or CSV") from exc
    sheets = []
    try:
        for ws in wb.worksheets:
            rows = [tuple(_cell_text(c) for c in row) for row in ws.iter_rows(values_only=True)]
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


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

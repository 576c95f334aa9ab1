"""Rendering a breakdown: terminal text, CSV, JSON, XLSX, DOCX and HTML, chosen by the output's extension."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from . import fmt
from .atomic import write_bytes
from .breakdown import Breakdown
from .errors import OutputError
from .grid import HIDDEN, Grid, interval_notes, weighted_cell

EXTENSIONS = (".csv", ".json", ".xlsx", ".docx", ".html")
DIFFERS_MARK = "†"


def breakdown_grid(b: Breakdown) -> Grid:
    weighted_cols = [f"{c} (vægtet)" for c in b.columns] if b.weighted else []
    header = ("", *b.columns, "Total", *weighted_cols)
    rows = []
    for r in b.rows:
        label = r.label if r.group is None or r.subtotal else f"  {r.label}"
        if r.differs:
            label += f" {DIFFERS_MARK}"
        if r.suppressed:
            rows.append((label, *([HIDDEN] * len(b.columns)), HIDDEN, *([""] * len(weighted_cols))))
            continue
        total = r.total or 0
        cells = [fmt.count_pct(r.counts[c], r.pcts[c]) for c in b.columns]  # type: ignore[index]
        wcells = []
        for c in b.columns if b.weighted else ():
            w = (r.weighted or {}).get(c)
            wcells.append(weighted_cell(w))
        rows.append((label, *cells, fmt.number(total) + (" (100%)" if total else ""), *wcells))
    total_row = (
        "I alt",
        *(fmt.count_pct(b.overall.get(c, 0), 100 * b.overall.get(c, 0) / b.overall_total if b.overall_total else None)
          for c in b.columns),
        fmt.number(b.overall_total) + (" (100%)" if b.overall_total else ""),
        *([""] * len(weighted_cols)),
    )
    notes = []
    if b.test is not None:
        from .tabletests import test_note

        note = test_note(b.test) or ""
        if len(b.by) == 2:
            outer = b.by_nouns[0] if b.by_nouns else b.by[0]
            note += f" Testen sammenligner grupperne af {outer} (de ydre grupper)."
        notes.append(note)
    if any(r.differs for r in b.rows):
        column = b.marked_column or b.columns[0]
        how = "vægtet, designbaseret z-test" if b.weighted else "z-test"
        nested = (f" Inden for hver gruppe af {b.by_nouns[0] if b.by_nouns else b.by[0]} er grupperne af "
                  f"{b.by_nouns[1] if len(b.by_nouns) > 1 else b.by[1]} sammenlignet med hinanden."
                  if b.nested_marks and len(b.by) == 2 else "")
        notes.append(
            f"{DIFFERS_MARK} Gruppens andel »{column}« adskiller sig fra de øvrige gruppers ({how}, "
            "Holm-korrigeret ved flere end to grupper, 5%-niveau)." + nested
        )
    if any(r.suppressed for r in b.rows):
        notes.append(
            f"{HIDDEN} Skjult af hensyn til anonymiteten: grupper med færre end {b.min_group} besvarelser vises "
            "ikke, og flere skjules om nødvendigt, så de ikke kan regnes ud."
        )
    if b.weighted:
        notes.append("Vægtede andele med 95%-konfidensinterval, vægtet til populationen.")
        notes.extend(interval_notes([w for r in b.rows if not r.suppressed for w in (r.weighted or {}).values()]))
    if b.warning:
        notes.append(b.warning)
    for reason, n in b.excluded.items():
        notes.append(f"Ikke medregnet: {n} ({reason}).")
    return Grid(f"{b.title}", b.question_text, header, tuple(rows), total_row, tuple(notes))


def breakdown_text(b: Breakdown) -> str:
    from .grid import grid_text

    return grid_text(breakdown_grid(b), width=120)


def _csv_safe(value: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def breakdown_csv(b: Breakdown) -> bytes:
    """Machine-readable: one line per row with counts, total and percentages (hidden rows empty)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    header = ["gruppe", "raekke", *b.columns, "total", *(f"pct_{c}" for c in b.columns), "skjult"]
    if b.weighted:
        header += [f"vaegtet_pct_{c}" for c in b.columns]
    w.writerow([_csv_safe(h) for h in header])
    for r in b.rows:
        group = r.group or ""
        if r.suppressed:
            line = [group, r.label, *([""] * len(b.columns)), "", *([""] * len(b.columns)), "1"]
            if b.weighted:
                line += [""] * len(b.columns)
        else:
            line = [group, r.label, *(str(r.counts[c]) for c in b.columns), str(r.total),  # type: ignore[index]
                    *("" if r.pcts[c] is None else f"{r.pcts[c]:.4f}" for c in b.columns), "0"]  # type: ignore[index]
            if b.weighted:
                line += ["" if (r.weighted or {}).get(c) is None else f"{r.weighted[c].pct:.4f}" for c in b.columns]  # type: ignore[index]
        w.writerow([_csv_safe(x) for x in line])
    w.writerow(["", "I alt", *(str(b.overall.get(c, 0)) for c in b.columns), str(b.overall_total),
                *("" if not b.overall_total else f"{100 * b.overall.get(c, 0) / b.overall_total:.4f}" for c in b.columns),
                "0", *([""] * (len(b.columns) if b.weighted else 0))])
    # utf-8 with BOM so that Excel on a Danish Windows shows æøå right.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def breakdown_xlsx(b: Breakdown) -> bytes:
    from .xlsx import new_workbook, set_cell, workbook_bytes

    g = breakdown_grid(b)
    wb = new_workbook()
    ws = wb.create_sheet("Opdeling")
    set_cell(ws, 1, 1, g.caption, bold=True)
    set_cell(ws, 2, 1, g.question)
    for c, h in enumerate(g.header, start=1):
        set_cell(ws, 4, c, h, bold=True)
    r = 5
    for row in (*g.rows, g.total):
        for c, v in enumerate(row, start=1):
            set_cell(ws, r, c, v, bold=row is g.total)
        r += 1
    r += 1
    for note in g.notes:
        set_cell(ws, r, 1, note)
        r += 1
    ws.column_dimensions["A"].width = 45
    for letter in "BCDEFGH":
        ws.column_dimensions[letter].width = 16
    return workbook_bytes(wb)


def breakdown_html(b: Breakdown) -> str:
    from importlib import resources

    from jinja2 import Environment

    source = resources.files("fuldtid.templates").joinpath("breakdown.html.j2").read_text(encoding="utf-8")
    # Autoescape: labels and notes are data, and data never becomes markup.
    return Environment(autoescape=True).from_string(source).render(grid=breakdown_grid(b))


def breakdown_docx(b: Breakdown) -> bytes:
    import datetime as dt

    from docx import Document

    from .ziputil import normalise_zip

    g = breakdown_grid(b)
    doc = Document()
    doc.add_heading(g.caption, level=1)
    doc.add_paragraph(g.question)
    table = doc.add_table(rows=len(g.rows) + 2, cols=len(g.header))
    table.style = "Table Grid"
    for r_index, values in enumerate((g.header, *g.rows, g.total)):
        cells = table.rows[r_index].cells
        for c, v in enumerate(values):
            cells[c].text = v
    for note in g.notes:
        doc.add_paragraph(note)
    props = doc.core_properties
    fixed = dt.datetime(2000, 1, 1)
    props.created = props.modified = fixed
    props.last_printed = fixed
    props.author = props.last_modified_by = "fuldtid"
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def write_breakdown(b: Breakdown, out: str | Path) -> Path:
    """Write a breakdown in the format its extension names; whole or not at all."""
    p = Path(out)
    ext = p.suffix.lower()
    if ext == ".csv":
        data = breakdown_csv(b)
    elif ext == ".json":
        data = (json.dumps(b.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
    elif ext == ".xlsx":
        data = breakdown_xlsx(b)
    elif ext == ".docx":
        data = breakdown_docx(b)
    elif ext in (".html", ".htm"):
        data = breakdown_html(b).encode("utf-8")
    else:
        raise OutputError(f"{p}: unknown output type {ext or '(none)'!r}; use one of {', '.join(EXTENSIONS)}")
    return write_bytes(p, data)

"""Rendering a breakdown: terminal text, CSV, JSON, XLSX, DOCX and HTML, chosen by the output's extension.

Every format a reader opens speaks Danish (method names from :mod:`fuldtid.danish`), says where the
numbers come from (survey, export, when the answers came in) and explains hidden and merged groups.
The DOCX is laid out by the memo's own writer, in the memo's template; the XLSX holds numbers; the CSV
is written for Danish Excel (``;``, decimal comma, UTF-8 with BOM).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from fuldtid import fmt
from fuldtid.atomic import write_bytes
from fuldtid.stats.breakdown import Breakdown
from fuldtid.stats.tabletests import test_note
from fuldtid.errors import OutputError
from fuldtid.render.grid import (HIDDEN, TOTAL, Grid, anonymity_notes, interval_notes, weighted_cell,
                                 weighted_size_notes)

if TYPE_CHECKING:
    from fuldtid.render.blocks import Memo
    from fuldtid.render.docx_look import DocumentInfo
    from fuldtid.render.xlsx import CellValue
    from fuldtid.stats.breakdown import BreakdownRow

EXTENSIONS = (".csv", ".json", ".xlsx", ".docx", ".html")
DIFFERS_MARK = "†"
WEIGHTED_NOTE = ("Vægtet: andelen skønnet for hele populationen ud fra populationsfilen, med "
                 "95%-konfidensinterval i parentes.")


def _label(r: BreakdownRow) -> str:
    label = r.label if r.group is None or r.subtotal else f"  {r.label}"
    return label + (f" {DIFFERS_MARK}" if r.differs else "")


def breakdown_notes(b: Breakdown) -> list[str]:
    """The notes under a breakdown, in every format: the test, marks, hidden and merged groups, who is out."""
    notes = []
    if b.test is not None:
        note = test_note(b.test)
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
    notes += anonymity_notes(b.rows, b.min_group, lambda r: r.total)
    if b.weighted:
        notes.append(WEIGHTED_NOTE)
        notes.extend(interval_notes([w for r in b.rows if not r.suppressed for w in (r.weighted or {}).values()]))
        notes.extend(weighted_size_notes(b.rows, b.min_group))
    if b.warning:
        notes.append(b.warning)
    if b.excluded:
        n = sum(b.excluded.values())
        why = "; ".join(f"{fmt.number(k)}: {reason}" for reason, k in b.excluded.items())
        notes.append(f"Ikke medregnet: {fmt.number(n)} {'besvarelse' if n == 1 else 'besvarelser'} ({why}).")
    return notes


def source_line(b: Breakdown) -> str:
    """``Kilde: Analyse af data … (SurveyXact-eksport export.zip); besvarelserne er indsamlet fra den
    27. juli til den 29. august 2022.``"""
    from fuldtid.danish import da_period

    src = b.source
    if src is None:
        return ""
    text = f"Kilde: {src.survey_title} (SurveyXact-eksport {src.export_name})"
    period = da_period(src.first, src.last)
    return text + (f"; besvarelserne er indsamlet {period}." if period else ".")


def breakdown_grid(b: Breakdown) -> Grid:
    weighted_cols = [f"{c}, vægtet" for c in b.columns] if b.weighted else []
    header = ("", *b.columns, TOTAL, *weighted_cols)
    rows = []
    for r in b.rows:
        if r.suppressed:
            rows.append((_label(r), *([HIDDEN] * len(b.columns)), HIDDEN, *([""] * len(weighted_cols))))
            continue
        total = r.total or 0
        cells = [fmt.count_pct(r.counts[c], r.pcts[c]) for c in b.columns]  # type: ignore[index]
        wcells = []
        for c in b.columns if b.weighted else ():
            w = (r.weighted or {}).get(c)
            wcells.append(weighted_cell(w))
        rows.append((_label(r), *cells, fmt.number(total) + (" (100%)" if total else ""), *wcells))
    total_row = (
        TOTAL,
        # A group too small to show (the whole breakdown hidden) has no overall counts: "*", never 0.
        *(fmt.count_pct(b.overall[c], 100 * b.overall[c] / b.overall_total if b.overall_total else None)
          if c in b.overall else HIDDEN for c in b.columns),
        HIDDEN if b.overall_total is None else fmt.number(b.overall_total) + (" (100%)" if b.overall_total else ""),
        *([""] * len(weighted_cols)),
    )
    return Grid(f"{b.title}", b.question_text, header, tuple(rows), total_row, tuple(breakdown_notes(b)))


def breakdown_text(b: Breakdown) -> str:
    from fuldtid.render.grid import grid_text

    return grid_text(breakdown_grid(b), width=120)


def _csv_safe(value: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _decimal(x: float | None) -> str:
    """A share for Danish Excel: four decimals with a decimal comma (``18,7500``)."""
    return "" if x is None else f"{x:.4f}".replace(".", ",")


def breakdown_csv(b: Breakdown) -> bytes:
    """For Danish Excel and for machines: one line per row with counts, total and percentages (hidden rows
    empty), ``;``-separated, decimal comma, UTF-8 with BOM (so Excel shows æøå and reads 18,75 as a number)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    header = ["gruppe", "raekke", *b.columns, "i_alt", *(f"pct_{c}" for c in b.columns), "skjult"]
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
                    *(_decimal(r.pcts[c]) for c in b.columns), "0"]  # type: ignore[index]
            if b.weighted:
                line += [_decimal(None if (r.weighted or {}).get(c) is None else r.weighted[c].pct)  # type: ignore[index]
                         for c in b.columns]
        w.writerow([_csv_safe(x) for x in line])
    w.writerow(["", TOTAL, *(str(b.overall[c]) if c in b.overall else "" for c in b.columns),
                "" if b.overall_total is None else str(b.overall_total),
                *(_decimal(100 * b.overall[c] / b.overall_total if b.overall_total and c in b.overall else None)
                  for c in b.columns),
                "0" if b.overall else "1", *([""] * (len(b.columns) if b.weighted else 0))])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def breakdown_xlsx(b: Breakdown) -> bytes:
    """The breakdown as numbers: counts as whole numbers, shares with a percent format, one header row."""
    from fuldtid.render.xlsx import Column, describe_workbook, new_workbook, number_sheet, workbook_bytes

    nested = len(b.by) > 1
    nouns = list(b.by_nouns or b.by)
    cols = [Column(n[:1].upper() + n[1:], "text", 36 if k == len(nouns) - 1 else 28) for k, n in
            enumerate(nouns if nested else nouns[:1])]
    for c in b.columns:
        cols += [Column(f"{c}, antal", "count", 11), Column(f"{c}, andel", "pct", 11)]
    cols.append(Column(f"{TOTAL}, antal", "count", 11))
    if b.weighted:
        for c in b.columns:
            cols += [Column(f"{c}, vægtet andel", "pct", 12), Column(f"{c}, 95%-KI nedre", "pct", 12),
                     Column(f"{c}, 95%-KI øvre", "pct", 12)]
    rows: list[list[CellValue]] = []
    for r in b.rows:
        label = r.label + (f" {DIFFERS_MARK}" if r.differs else "")
        if not nested:
            lead = [label]
        elif r.group is None or r.subtotal:
            lead = [label, TOTAL if r.subtotal else ""]
        else:
            lead = [r.group, label]
        if r.suppressed:
            rows.append([*lead, *([HIDDEN] * (2 * len(b.columns) + 1))])
            continue
        line: list[CellValue] = list(lead)
        for c in b.columns:
            line += [r.counts[c], r.pcts[c]]  # type: ignore[index]
        line.append(r.total)
        if b.weighted:
            for c in b.columns:
                w = (r.weighted or {}).get(c)
                line += [None, None, None] if w is None else [w.pct, w.ci_low, w.ci_high]
        rows.append(line)
    total: list[CellValue] = [TOTAL, *([""] if nested else [])]
    for c in b.columns:
        n = b.overall.get(c)
        total += [HIDDEN, HIDDEN] if n is None else [n, 100.0 * n / b.overall_total if b.overall_total else None]
    total.append(HIDDEN if b.overall_total is None else b.overall_total)
    wb = new_workbook()
    ws = wb.create_sheet("Opdeling")
    number_sheet(ws, title=b.title, lines=[b.question_text, source_line(b)], columns=cols, rows=rows, total=total,
                 notes=breakdown_notes(b), label_columns=2 if nested else 1)
    describe_workbook(wb, title=b.title, author=b.source.organisation if b.source else "")
    return workbook_bytes(wb, b.source.last if b.source else None)


def breakdown_html(b: Breakdown, info: DocumentInfo | None = None) -> str:
    from importlib import resources

    from jinja2 import Environment

    from fuldtid.render.docx_look import front_block

    src = b.source
    _full, front = front_block(info, src.last if src else None, src.organisation if src else "")
    source = resources.files("fuldtid.templates").joinpath("breakdown.html.j2").read_text(encoding="utf-8")
    # Autoescape: labels and notes are data, and data never becomes markup.
    return Environment(autoescape=True).from_string(source).render(
        grid=breakdown_grid(b), source=source_line(b), front=front, organisation=src.organisation if src else "")


def breakdown_memo(b: Breakdown) -> Memo:
    """The breakdown as a short memo (title, source, one table with its notes): laid out by the memo's writer."""
    from fuldtid.render.blocks import Memo, TableBlock

    g = breakdown_grid(b)
    src = b.source
    meta = tuple(x for x in (source_line(b),) if x)
    table = TableBlock(1, f"Tabel 1: {g.caption}", g, "cross", g.notes)
    return Memo(f"Opfølgende analyse: {b.question_text}", src.organisation if src else "", meta, (table,))


def breakdown_docx(b: Breakdown, *, docx_template: str | Path | None = None, info: DocumentInfo | None = None) -> bytes:
    """The breakdown as a Word document in the memo's look: the same template, A4, Danish, dated."""
    from fuldtid.render.docx_writer import render_docx

    return render_docx(breakdown_memo(b), docx_template, info=info, data_date=b.source.last if b.source else None)


def write_breakdown(b: Breakdown, out: str | Path, *, docx_template: str | Path | None = None,
                    info: DocumentInfo | None = None) -> Path:
    """Write a breakdown in the format its extension names; whole or not at all. ``docx_template`` and
    ``info`` (date, sagsbehandler, recipient) shape the DOCX and HTML."""
    p = Path(out)
    ext = p.suffix.lower()
    if ext == ".csv":
        data = breakdown_csv(b)
    elif ext == ".json":
        data = (json.dumps(b.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
    elif ext == ".xlsx":
        data = breakdown_xlsx(b)
    elif ext == ".docx":
        data = breakdown_docx(b, docx_template=docx_template, info=info)
    elif ext in (".html", ".htm"):
        data = breakdown_html(b, info).encode("utf-8")
    else:
        raise OutputError(f"{p}: unknown output type {ext or '(none)'!r}; use one of {', '.join(EXTENSIONS)}")
    return write_bytes(p, data)

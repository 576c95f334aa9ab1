"""From an export to the report's files: :func:`analyse` (export -> protected results, in
:mod:`fuldtid.stats.analysis`) and :func:`write_report` (protected results -> files), which the ``report``
command calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from fuldtid.atomic import write_together
from fuldtid.model.definition import survey_option_text
from fuldtid.errors import OutputError
from fuldtid.outputs import guard_folder
from fuldtid.stats.analysis import analyse  # noqa: F401  (the library's entry point, re-exported)
from fuldtid.stats.tables import TableSet

FORMATS = ("json", "xlsx", "docx", "html")
FILENAMES = {"json": "tables.json", "xlsx": "tabeller.xlsx", "docx": "notat.docx", "html": "notat.html"}




def tables_json(tableset: TableSet) -> str:
    """``tables.json``: stable key order and number formatting, so equal input gives equal bytes."""
    return json.dumps(tableset.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render(tableset: TableSet, fmt: str, **options: Any) -> bytes:
    """One output format as bytes, rendered fully in memory before anything is written."""
    if fmt == "json":
        return tables_json(tableset).encode("utf-8")
    if fmt == "xlsx":
        from fuldtid.render.xlsx import tables_workbook

        return tables_workbook(tableset)
    if fmt == "html":
        from fuldtid.render.memo_html import memo_html

        return memo_html(tableset, **options).encode("utf-8")
    if fmt == "docx":
        from fuldtid.render.memo_docx import memo_docx

        return memo_docx(tableset, **options)
    raise OutputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def write_report(tableset: TableSet, out_dir: str | Path, formats: Sequence[str] = FORMATS,
                 progress: Callable[[str], None] | None = None, extra: Mapping[str, bytes] | None = None,
                 **options: Any) -> list[Path]:
    """Render every requested format, then write them together (staged beside the targets and moved in
    only when all are written): nothing changes if any rendering or writing fails, and no output
    lands on an input of the run. ``extra`` (file name -> bytes) is written with them."""
    out = Path(out_dir)
    extra = dict(extra or {})
    guard_folder(out, [FILENAMES[f] for f in formats] + list(extra), _inputs(tableset, options))
    step = progress or (lambda _label: None)
    rendered = {}
    if {"docx", "html"} & set(formats):  # the figures, drawn by worker processes if warm_up started them
        from fuldtid.render.figures import draw_all

        draw_all(tableset)
    for f in formats:
        step(f"rendering {FILENAMES[f]}")
        rendered[out / FILENAMES[f]] = render(tableset, f, **options)
    rendered.update({out / name: data for name, data in extra.items()})
    return write_together(rendered)


def _inputs(tableset: TableSet, options: dict[str, Any]) -> dict[str, str | Path | None]:
    """The files this run read, which no output may overwrite."""
    return {**tableset.sources, "DOCX template": options.get("docx_template")}


@dataclass(frozen=True)
class Summary:
    lines: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def summary(tableset: TableSet, written: Sequence[Path] = ()) -> Summary:
    """What a run did, for the terminal: source, counts, exclusions, outputs."""
    s = tableset.survey
    lines = [
        f"Read {s.export.path} ({s.export.form}) with the survey definition {s.definition.name!r}.",
        f"Distributed {s.distributed:,}, answered {s.answered:,}: response rate {100 * s.response_rate:.1f}%.",
        f"Tables: {', '.join(str(t.number) for t in tableset.tables)}"
        + (f"; anonymity threshold {tableset.min_group}" if tableset.min_group > 1 else "; every count shown (--min-group 1)"),
    ]
    w = tableset.weighting
    if w is not None:
        lines.append(
            f"Weighted to {w.population.path} (N = {w.size:,}): {w.n_weighted} respondents weighted, "
            f"{w.n_left_out} left out; effective n {w.effective_n:.0f}, design effect {w.design_effect:.2f}."
        )
    hidden = [t.number for t in tableset.tables if t.n_suppressed]
    if hidden:
        lines.append(f"Small groups hidden in tables {', '.join(map(str, hidden))}.")
    if tableset.pending and tableset.coding is not None:
        nums = ", ".join(str(t.number) for t in tableset.pending)
        lines.append(f"Tables {nums} await coding: {tableset.coding.path} has no codes for their questions; "
                     "fill in 'kategori' there and run again.")
    elif tableset.pending:
        nums = ", ".join(str(t.number) for t in tableset.pending)
        lines.append(
            f"Tables {nums} await coding of the open answers: make a coding sheet with "
            f"`fuldtid coding-sheet {s.export.path}{survey_option_text(s.definition)} --out kodning.xlsx`, fill it "
            "in, then pass --coding kodning.xlsx."
        )
    exclusions = tableset.all_exclusions()
    if exclusions:
        lines.append("Excluded from tables:")
        for e in exclusions:
            where = f"table {e.table}" if e.table is not None else "several tables"
            lines.append(f"  {where}: {e.count} – {e.reason}")
    for note in s.warnings:
        lines.append(f"Note: {note}")
    if tableset.coding is not None:
        for note in tableset.coding.warnings:
            lines.append(f"Note: {note}")
    for p in written:
        lines.append(f"Wrote {p}")
    return Summary(tuple(lines))

"""Rendering a comparison of two waves: terminal text, JSON, XLSX, DOCX and HTML (by the output's extension),
and the figure of both waves' shares with their intervals that the memo's "Udvikling" section shows."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fuldtid import fmt
from fuldtid.atomic import write_bytes
from fuldtid.stats.compare import COMPARED, HIDDEN, NOT_COMPARABLE, ONLY_A, ONLY_B, AnswerChange, Comparison, QuestionChange, \
    WaveShare, share_interval
from fuldtid.errors import OutputError
from fuldtid.render.grid import HIDDEN as HIDDEN_MARK
from fuldtid.render.grid import Grid

if TYPE_CHECKING:
    from plotnine import ggplot

    from fuldtid.render.blocks import Memo
    from fuldtid.render.docx_look import DocumentInfo

EXTENSIONS = (".json", ".xlsx", ".docx", ".html")
NOT_AN_OPTION = "–"


def p_text(p: float | None) -> str:
    """``0,031`` / ``< 0,001`` for a table cell (empty when there is no test)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    from fuldtid.stats.significance import format_p

    return format_p(p)[2:].removeprefix("= ")


def pp(value: float | None, decimals: int = 1) -> str:
    """A change in percentage points with its sign: ``+7,5``, ``-2,0``, ``0,0``."""
    if value is None:
        return ""
    text = fmt.number(value, decimals)
    return text if text.startswith("-") or text == fmt.number(0, decimals) else "+" + text


def _wave_cell(w: WaveShare | None) -> str:
    if w is None:
        return NOT_AN_OPTION
    if w.hidden or w.count is None:
        return HIDDEN_MARK
    return f"{fmt.number(w.count)} ({fmt.pct(w.share)})"


def _weighted_cell(w: WaveShare | None) -> str:
    if w is None or w.weighted is None:
        return ""
    x = w.weighted
    return f"{fmt.pct(x.share)} ({fmt.number(x.ci_low)}–{fmt.pct(x.ci_high)})"


def _label(a: AnswerChange, labels: tuple[str, str]) -> str:
    if a.status == ONLY_A:
        return f"{a.label} (kun {labels[0]})"
    if a.status == ONLY_B:
        return f"{a.label} (kun {labels[1]})"
    return a.label


def question_grid(comp: Comparison, q: QuestionChange) -> Grid:
    """One question of the comparison as a grid: per answer both waves' counts and shares, the change, and
    its tests."""
    la, lb = comp.labels
    header = ["Svar", la, lb, "Ændring (pct.-point)", "p (Fisher)"]
    if q.weighted:
        header += [f"{la} vægtet", f"{lb} vægtet", "Vægtet ændring (95%-KI)", "p (vægtet)"]
    rows = []
    for a in q.answers:
        cells = [_label(a, comp.labels), _wave_cell(a.a), _wave_cell(a.b)]
        if a.status == COMPARED:
            cells += [pp(a.difference), p_text(a.fisher_p)]
        else:
            cells += ["", ""]
        if q.weighted:
            cells += [_weighted_cell(a.a), _weighted_cell(a.b)]
            w = a.weighted
            if a.status == COMPARED and w is not None:
                cells += [f"{pp(w.difference)} ({fmt.number(w.ci_low, 1)} til {fmt.number(w.ci_high, 1)})",
                          p_text(w.p_value)]
            else:
                cells += ["", ""]
        rows.append(tuple(cells))
    total = ["Besvarelser i alt", _base(q.base_a), _base(q.base_b), "", ""]
    if q.weighted:
        total += ["", "", "", ""]
    notes = list(q.notes)
    if any(a.status in (HIDDEN, NOT_COMPARABLE) for a in q.answers):
        notes.append(f"{HIDDEN_MARK} Skjult af hensyn til anonymiteten (grupper med færre end {comp.min_group} "
                     "besvarelser vises ikke, og om nødvendigt skjules flere); ændringen vises ikke.")
    if any(a.status in (ONLY_A, ONLY_B) for a in q.answers):
        notes.append(f"{NOT_AN_OPTION} Svarmuligheden fandtes ikke i den måling.")
    caption = f"{'Tabel' if q.source == 'table' else 'Figur'} {q.number}: {q.title}"
    return Grid(caption, q.question, tuple(header), tuple(rows), tuple(total), tuple(notes))


def _base(n: int | None) -> str:
    return NOT_AN_OPTION if n is None else fmt.number(n)


def method_notes(comp: Comparison) -> tuple[str, ...]:
    la, lb = comp.labels
    notes = [
        f"Ændring: andelen i {lb} minus andelen i {la}, i procentpoint. p (Fisher): Fishers eksakte test af, om "
        "andelen er den samme i de to målinger (tosidet).",
    ]
    if comp.weighted:
        notes.append("Vægtet: hver måling vægtet til sin egen populationsfil; ændringen med 95%-konfidensinterval "
                     "og p-værdi, målingerne betragtet som uafhængige stikprøver (linealiseret standardfejl med "
                     "endelighedskorrektion).")
    notes.append("En ændring er statistisk sikker, når p er under 0,05. Med mange sammenligninger vil enkelte "
                 "forskelle være »sikre« ved et tilfælde.")
    return tuple(notes)


def comparison_text(comp: Comparison) -> str:
    from fuldtid.render.grid import grid_text

    out = [_wave_line(comp, 0), _wave_line(comp, 1),
           f"Anonymity threshold {comp.min_group}" if comp.min_group > 1 else "Every count shown (--min-group 1)", ""]
    for q in comp.questions:
        out.append(grid_text(question_grid(comp, q), width=140))
        out.append("")
    out.extend(method_notes(comp))
    return "\n".join(out)


def _wave_line(comp: Comparison, i: int) -> str:
    ts = (comp.a, comp.b)[i]
    s = ts.facts
    population = ts.sources["population file"]
    weights = f"; weighted to {population}" if population is not None else ""
    return (f"{comp.labels[i]}: {s.export_path} ({s.answered:,} answered of {s.distributed:,}, "
            f"{100 * s.response_rate:.1f}%){weights}")


def comparison_json(comp: Comparison) -> bytes:
    return (json.dumps(comp.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def comparison_xlsx(comp: Comparison) -> bytes:
    """One sheet for reading (the grids), one with every number as a number, one row per answer."""
    from fuldtid.render.xlsx import new_workbook, set_cell, workbook_bytes

    wb = new_workbook()
    ws = wb.create_sheet("Sammenligning")
    r = 1
    for line in (_wave_line(comp, 0), _wave_line(comp, 1)):
        set_cell(ws, r, 1, line)
        r += 1
    r += 1
    for q in comp.questions:
        g = question_grid(comp, q)
        set_cell(ws, r, 1, g.caption, bold=True)
        set_cell(ws, r + 1, 1, g.question)
        r += 2
        for i, row in enumerate((g.header, *g.rows, g.total)):
            for c, v in enumerate(row, start=1):
                set_cell(ws, r, c, v, bold=i == 0)
            r += 1
        for note in g.notes:
            set_cell(ws, r, 1, note)
            r += 1
        r += 1
    for note in method_notes(comp):
        set_cell(ws, r, 1, note)
        r += 1
    ws.column_dimensions["A"].width = 45
    for letter in "BCDEFGHI":
        ws.column_dimensions[letter].width = 18

    data = wb.create_sheet("Tal")
    la, lb = comp.labels
    head = ["kilde", "nummer", "felt", "svar", "status",
            f"antal_{la}", f"base_{la}", f"andel_{la}", f"antal_{lb}", f"base_{lb}", f"andel_{lb}",
            "difference", "p_value_fisher",
            f"vaegtet_andel_{la}", f"se_{la}", f"vaegtet_andel_{lb}", f"se_{lb}",
            "vaegtet_difference", "vaegtet_se", "ci_low", "ci_high", "p_value"]
    for c, h in enumerate(head, start=1):
        set_cell(data, 1, c, h, bold=True)
    r = 2
    for q in comp.questions:
        for a in q.answers:
            values: list[Any] = [q.source, q.number, q.field, a.label, a.status]
            for w in (a.a, a.b):
                values += [None, None, None] if w is None else [w.count, w.base, w.share]
            values += [a.difference, a.fisher_p]
            for w in (a.a, a.b):
                values += [None, None] if w is None or w.weighted is None else [w.weighted.share, w.weighted.se]
            wc = a.weighted
            values += [None] * 5 if wc is None else [wc.difference, wc.se, wc.ci_low, wc.ci_high, wc.p_value]
            for c, v in enumerate(values, start=1):
                set_cell(data, r, c, v)
            r += 1
    return workbook_bytes(wb)


def comparison_html(comp: Comparison) -> str:
    from importlib import resources

    from jinja2 import Environment

    source = resources.files("fuldtid.templates").joinpath("compare.html.j2").read_text(encoding="utf-8")
    grids = [question_grid(comp, q) for q in comp.questions]
    title = f"Sammenligning af {comp.labels[0]} og {comp.labels[1]}"
    return Environment(autoescape=True).from_string(source).render(
        title=title, waves=[_wave_line(comp, 0), _wave_line(comp, 1)], grids=grids, notes=method_notes(comp))


def comparison_memo(comp: Comparison) -> Memo:
    """The comparison as a short memo (title, the two waves, one table per question, the method notes): laid
    out by the memo's writer, like a breakdown."""
    from fuldtid.render.blocks import Memo, Paragraph, Run, TableBlock

    title = f"Sammenligning af {comp.labels[0]} og {comp.labels[1]}"
    meta = (_wave_line(comp, 0), _wave_line(comp, 1))
    tables = []
    for k, q in enumerate(comp.questions, start=1):
        g = question_grid(comp, q)
        tables.append(TableBlock(k, g.caption, g, "cross", g.notes))
    notes = [Paragraph((Run(note),), "note") for note in method_notes(comp)]
    return Memo(title, "", meta, (*tables, *notes))


def comparison_docx(comp: Comparison, *, docx_template: str | Path | None = None, info: DocumentInfo | None = None
                    ) -> bytes:
    """The comparison as a Word document in the memo's look (the one DOCX writer,
    :func:`fuldtid.render.docx_writer.render_docx`): the same template, A4, Danish, dated by the later wave's
    last answer."""
    from fuldtid.render.docx_writer import render_docx

    return render_docx(comparison_memo(comp), docx_template, info=info, data_date=comp.b.facts.data_date)


def render_comparison(comp: Comparison, out: str | Path) -> bytes:
    """The comparison in the format ``out``'s extension names, as bytes."""
    ext = Path(out).suffix.lower()
    if ext == ".json":
        return comparison_json(comp)
    if ext == ".xlsx":
        return comparison_xlsx(comp)
    if ext == ".docx":
        return comparison_docx(comp)
    if ext in (".html", ".htm"):
        return comparison_html(comp).encode("utf-8")
    raise OutputError(f"{out}: unknown output type {ext or '(none)'!r}; use one of {', '.join(EXTENSIONS)}")


def _inputs(comp: Comparison) -> list[Path]:
    paths = []
    for ts in (comp.a, comp.b):
        paths.extend(Path(p) for role, p in ts.sources.items() if p is not None and role != "survey definition")
    return paths


def write_comparison(comp: Comparison, out: str | Path) -> Path:
    """Write the comparison in the format its extension names; whole or not at all, never onto an input."""
    target = Path(out)
    for p in _inputs(comp):
        if target.resolve() == p.resolve() or p.resolve() in target.resolve().parents:
            raise OutputError(f"{target}: is one of the inputs ({p}); choose another --out")
    return write_bytes(target, render_comparison(comp, out))


# --- the memo's figure -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFigure:
    """Both waves' shares of the compared answers, each with its 95% interval: weighted shares with their
    logit intervals when the waves are weighted, else the answers' shares with exact (Clopper–Pearson) intervals.

    ``rows``: (question, answer, wave, share, low, high) in drawing order, percent."""

    number: int
    title: str
    labels: tuple[str, str]
    rows: tuple[tuple[str, str, str, float, float, float], ...]
    weighted: bool
    n: int = 0

    @property
    def caption(self) -> str:
        return f"Figur {self.number}: {self.title}"

    def key(self) -> tuple:
        return ("change", self.title, self.labels, self.weighted,
                tuple((q, a, w, round(s, 9), round(lo, 9), round(hi, 9)) for q, a, w, s, lo, hi in self.rows))

    def alt(self) -> str:
        parts = []
        for q, a, w, s, lo, hi in self.rows:
            parts.append(f"{q}, {a}, {w}: {fmt.pct(s)} (95%-konfidensinterval {fmt.number(lo)}–{fmt.pct(hi)})")
        return f"{self.title}. " + "; ".join(parts)

    def plot(self) -> ggplot:
        """The plotnine plot: one line per answer, a point per wave with its interval (called by
        :func:`fuldtid.render.figures.render_png`)."""
        import pandas as pd
        import plotnine as p9

        from fuldtid.render.figures import FONT, figure_theme

        lines = list(dict.fromkeys(f"{q}:\n{a}" for q, a, *_ in self.rows))
        position = {label: len(lines) - i for i, label in enumerate(lines)}  # first line at the top
        offset = {self.labels[0]: 0.17, self.labels[1]: -0.17}
        d = pd.DataFrame(
            [(position[f"{q}:\n{a}"] + offset[w], w, s, lo, hi) for q, a, w, s, lo, hi in self.rows],
            columns=["y", "wave", "share", "low", "high"],
        )
        d["wave"] = pd.Categorical(d["wave"], categories=list(self.labels))
        d["text"] = [fmt.pct(v) for v in d["share"]]
        d["text_x"] = d["high"] + 1.5
        height = round(min(9.0, 1.3 + 0.6 * len(lines)), 2)
        theme = figure_theme(height)
        x_title = ("Vægtet andel med 95%-konfidensinterval" if self.weighted
                   else "Andel af besvarelserne med 95%-konfidensinterval")
        return (
            p9.ggplot(d, p9.aes(x="share", y="y", shape="wave", color="wave"))
            + p9.geom_errorbarh(p9.aes(xmin="low", xmax="high"), height=0.12, size=0.5)
            + p9.geom_point(size=2.6, fill="white")
            + p9.geom_text(p9.aes(x="text_x", label="text"), ha="left", size=7.5, family=FONT, color="#111111",
                           show_legend=False)
            + p9.scale_shape_manual(values={self.labels[0]: "o", self.labels[1]: "D"})
            + p9.scale_color_manual(values={self.labels[0]: "#7a7a7a", self.labels[1]: "#000000"})
            + p9.scale_y_continuous(breaks=list(position.values()), labels=list(position.keys()),
                                    limits=(0.5, len(lines) + 0.5), expand=(0, 0))
            + p9.scale_x_continuous(limits=(0, 112), breaks=[0, 20, 40, 60, 80, 100],
                                    labels=lambda xs: [f"{int(x)}%" for x in xs], expand=(0, 0))
            + p9.labs(x=x_title, y="")
            + theme
        )


def change_figure(comp: Comparison, questions: list[QuestionChange], number: int, title: str) -> ChangeFigure | None:
    """The figure of the compared answers of ``questions`` (a question with two answers: the first only, the
    other is its mirror image); None when nothing is compared. Weighted shares when every drawn answer has
    them in both waves, else every answer unweighted (never a mix)."""
    drawn: list[tuple[QuestionChange, AnswerChange]] = []
    for q in questions:
        compared = list(q.compared)
        if len(compared) == 2 and len(q.answers) == 2:
            compared = compared[:1]
        drawn.extend((q, a) for a in compared)
    if not drawn:
        return None
    weighted = comp.weighted and all(w is not None and w.weighted is not None
                                     for _, a in drawn for w in (a.a, a.b))
    rows = []
    for q, a in drawn:
        for wave, w in zip(comp.labels, (a.a, a.b)):
            assert w is not None
            if weighted:
                assert w.weighted is not None
                s, lo, hi = w.weighted.share, w.weighted.ci_low, w.weighted.ci_high
            else:
                lo, hi = share_interval(int(w.count or 0), w.base)
                s = float(w.share or 0.0)
            rows.append((q.title, a.label, wave, s, lo, hi))
    return ChangeFigure(number, title, comp.labels, tuple(rows), weighted)

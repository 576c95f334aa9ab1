"""The memo's section on the development since the previous wave ("Udvikling siden 2022").

Built from a :class:`fuldtid.stats.compare.Comparison` of the previous wave with this one (``fuldtid report EXPORT
--previous EXPORT_A``) and hooked into :func:`fuldtid.render.memo.build_memo`: a heading, a paragraph on the
two waves, one sentence per main question (the questions the memo's analysis is about), a change table
and a figure of both waves' shares with their intervals. A change is called real (statistisk sikker) only
when its test says so (p < 0.05): the weighted test when both waves are weighted, else Fisher's exact test;
otherwise the sentence says that the difference may be chance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fuldtid import fmt
from fuldtid.stats.compare import ALPHA, AnswerChange, Comparison, QuestionChange
from fuldtid.render.compare_render import ChangeFigure, change_figure, method_notes, p_text, question_grid
from fuldtid.render.grid import Grid
from fuldtid.stats.significance import format_p

if TYPE_CHECKING:
    from fuldtid.render.memo_context import _Ctx
    from fuldtid.stats.tables import TableSet

INDENT = "\u2003"  # an em space: the answers under their question, kept by HTML and Word alike
PREVIOUS_KEY = "comparison"  # TableSet.extra key the report's --previous puts the comparison under


def with_comparison(tableset: TableSet, comparison: Comparison) -> TableSet:
    """``tableset`` carrying the comparison with the previous wave, for the memo to show."""
    from dataclasses import replace

    return replace(tableset, extra={**dict(tableset.extra), PREVIOUS_KEY: comparison})


def section_heading(comp: Comparison) -> str:
    la = comp.labels[0]
    return f"Udvikling siden {la}" if la[:1].isdigit() or la.split(" ")[-1].isdigit() else "Udvikling siden sidste måling"


def main_questions(c: _Ctx, comp: Comparison) -> list[QuestionChange]:
    """The questions the memo's analysis is about (its wishes and opinions), in the memo's order; every
    compared one-way table when the definition has none."""
    wanted = [(w.table.field, w.table.among) for w in c.wishes]
    for op in c.opinions:
        among = op.distribution.among if op.distribution is not None else "alle"
        wanted.append((op.field, among))
    out = []
    for field_name, among in wanted:
        q = next((q for q in comp.questions if q.field == field_name and q.among == among), None)
        if q is not None:
            out.append(q)
    return out or [q for q in comp.questions if q.source == "table"]


def _who(c: _Ctx, q: QuestionChange, weighted: bool) -> str:
    if q.among == "alle":
        return "medarbejderne" if weighted else "de svarende"  # a weighted share speaks of the whole staff
    return f"de {c.group_label(q.among)}"


def change_sentence(c: _Ctx, comp: Comparison, q: QuestionChange, a: AnswerChange) -> str:
    """One answer's development in prose, calling it real only when its test is below 0.05."""
    la, lb = comp.labels
    assert a.a is not None and a.b is not None
    weighted = a.weighted is not None and a.a.weighted is not None and a.b.weighted is not None
    sa = a.a.weighted.share if weighted else a.a.share  # type: ignore[union-attr]
    sb = a.b.weighted.share if weighted else a.b.share  # type: ignore[union-attr]
    diff = a.weighted.difference if weighted else (a.difference or 0.0)  # type: ignore[union-attr]
    who = _who(c, q, weighted)
    sep = "," if "," in who else ""
    subject = f"{'Den vægtede andel' if weighted else 'Andelen'} af {who}{sep}, der {c.w.answer(q.field, a.label, True)},"
    # One decimal: whole points could disagree with the rounded shares (26% to 27% "up 2 points").
    points = fmt.number(abs(diff), 1)
    if points == fmt.number(0, 1):
        move = f"er uændret: {fmt.pct(sa)} i {la} og {fmt.pct(sb)} i {lb}"
    else:
        move = (f"er {'steget' if diff > 0 else 'faldet'} med {points} procentpoint, fra {fmt.pct(sa)} i {la} "
                f"til {fmt.pct(sb)} i {lb}")
    p = a.p_value
    test = "den vægtede sammenligning" if weighted else "Fishers eksakte test"
    if p is None:
        verdict = "Forskellen kan ikke testes, da ingen i nogen af målingerne har givet et andet svar."
    elif p < ALPHA:
        interval = (f", 95%-konfidensinterval {fmt.number(a.weighted.ci_low, 1)} til "  # type: ignore[union-attr]
                    f"{fmt.number(a.weighted.ci_high, 1)} procentpoint" if weighted else "")  # type: ignore[union-attr]
        verdict = (f"Ændringen er statistisk sikker ({test}: {format_p(p, ALPHA)}{interval}), så den afspejler "
                   "en reel udvikling og ikke kun tilfældige udsving i, hvem der har svaret.")
    else:
        verdict = (f"Ændringen er ikke statistisk sikker ({test}: {format_p(p, ALPHA)}); den kan skyldes "
                   "tilfældige udsving i, hvem der har svaret.")
    return f"{subject} {move}. {verdict}"


def _sentences(c: _Ctx, comp: Comparison, questions: list[QuestionChange]) -> list[str]:
    out = []
    for q in questions:
        compared = list(q.compared)
        if len(compared) == 2 and len(q.answers) == 2:
            compared = compared[:1]  # "Nej" is the mirror image of "Ja"
        for a in compared:
            out.append(change_sentence(c, comp, q, a))
        if not compared:
            out.append(f"{q.title}: kan ikke sammenlignes mellem {comp.labels[0]} og {comp.labels[1]}"
                       + (f" ({q.notes[0].rstrip('.')})." if q.notes else "."))
    return out


def change_grid(comp: Comparison, questions: list[QuestionChange], caption: str) -> Grid:
    """The memo's change table: per main question and answer both waves' shares, the change and its test."""
    la, lb = comp.labels
    weighted = any(q.weighted for q in questions)
    header = ["Svar", la, lb, "Ændring (pct.-point)", "p (Fisher)"]
    if weighted:
        header += ["Vægtet ændring (95%-KI)", "p (vægtet)"]
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for q in questions:
        g = question_grid(comp, q)
        rows.append((q.title, *([""] * (len(header) - 1))))
        keep = [0, 1, 2, 3, 4] + ([7, 8] if weighted and q.weighted else [])
        for cells in g.rows:
            line = tuple(cells[i] for i in keep)
            rows.append((INDENT + line[0], *line[1:], *([""] * (len(header) - len(line)))))
        rows.append((INDENT + "Besvarelser i alt", g.total[1], g.total[2], *([""] * (len(header) - 3))))
        notes.extend(n for n in g.notes if n not in notes)
    notes.extend(method_notes(comp))
    total = ("Besvarelser i alt i undersøgelsen", fmt.number(comp.a.facts.answered), fmt.number(comp.b.facts.answered),
             *([""] * (len(header) - 3)))
    return Grid(caption, "", tuple(header), tuple(rows), total, tuple(notes))


def add_change_section(c: _Ctx, comp: Comparison) -> None:
    """Add the section "Udvikling siden <year>" to the memo being built (``c``: the memo's context)."""
    from fuldtid.render.blocks import FigureBlock, Heading, TableBlock, para

    questions = main_questions(c, comp)
    if not questions:
        return
    la, lb = comp.labels
    prev = comp.a.facts
    c.add(Heading(1, section_heading(comp), c.section()))
    intro = (f"Undersøgelsen blev også gennemført i {la}, hvor {fmt.number(prev.answered)} af "
             f"{fmt.number(prev.distributed)} svarede (svarprocent {fmt.pct(100.0 * prev.response_rate)}). "
             f"Afsnittet sammenligner svarene i {la} og {lb}. En ændring kaldes statistisk sikker, når testen "
             f"giver p under {fmt.number(ALPHA, 2)}; ellers kan den skyldes tilfældige udsving i, hvem der har "
             "svaret.")
    if comp.weighted:
        intro += (" Begge målinger er vægtet til deres egen populationsfil, og ændringerne vurderes på de vægtede "
                  "andele.")
    c.add(para(intro))
    for sentence in _sentences(c, comp, questions):
        c.add(para(sentence))
    table_number = max([t.number for t in c.ts.tables] + [s.number for s in c.definition.tables] + [0]) + 1
    caption = f"Tabel {table_number}: Udvikling fra {la} til {lb}"
    grid = change_grid(comp, questions, caption)
    c.add(TableBlock(table_number, caption, grid, "oneway", grid.notes))
    c.used_tables.add(table_number)
    figure_number = max([f.number for f in c.definition.figures] + [0]) + 1
    fig: ChangeFigure | None = change_figure(comp, questions, figure_number, f"Udvikling fra {la} til {lb}")
    if fig is not None:
        note = ("Punkterne viser de vægtede andele i hver måling med 95%-konfidensinterval." if fig.weighted else
                "Punkterne viser andelene af besvarelserne i hver måling med 95%-konfidensinterval (eksakt, Clopper–Pearson).")
        c.add(FigureBlock(figure_number, fig.caption, fig, alt=fig.alt(), note=note))  # type: ignore[arg-type]
        c.used_figures.add(figure_number)


def comparison_summary(comp: Comparison) -> str:
    """For the terminal: what the memo's section compared and how."""
    la, lb = comp.labels
    n = sum(len(q.compared) for q in comp.questions)
    real = sum(1 for q in comp.questions for a in q.compared if a.significant)
    how = "weighted shares" if comp.weighted else "answers unweighted (Fisher's exact test)"
    line = (f"Compared with {la} ({comp.a.facts.export_path}): {n} answers of {len(comp.questions)} questions, "
            f"{how}; {real} statistically significant change(s) (p < {ALPHA}).")
    wa, wb = comp.a.weighting is not None, comp.b.weighting is not None
    if wa != wb:
        line += (f" Only {'the previous' if wa else 'this'} wave has a population file, so the waves are compared "
                 "unweighted; give both --population and --previous-population to compare weighted shares.")
    return line


__all__ = ["add_change_section", "with_comparison", "change_sentence", "change_grid", "PREVIOUS_KEY", "p_text",
           "comparison_summary"]

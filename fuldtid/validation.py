"""``fuldtid validate``: what an export holds and how it matches the survey definition, without tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fuldtid.errors import SurveyError

if TYPE_CHECKING:
    from fuldtid.model.definition import Definition
    from fuldtid.model.survey import Survey
    from fuldtid.read.exportmodel import Export


@dataclass(frozen=True)
class ValidationReport:
    lines: tuple[str, ...]
    ok: bool

    def __str__(self) -> str:
        return "\n".join(self.lines)


def validate(export: str | Path | Export, *, survey: str | Path | Definition | None = None,
             coding: str | Path | None = None, population: str | Path | None = None) -> ValidationReport:
    """Read ``export`` through the survey definition and describe what was found.

    Problems with the export or definition raise a :class:`SurveyError`; so do a coding or population
    file that cannot be read. A population file that can be read is checked against the export (does
    every category have respondents, none more than the register counts, can the answers be weighted);
    what is wrong there makes the report not ``ok``.
    """
    from fuldtid.model.survey import load_survey

    s = load_survey(export, survey)
    e = s.export
    lines = [f"Export: {e.path} ({e.form}" + (f", {e.encoding}, separator {e.separator!r}" if e.encoding else "") + ")"]
    first, last = e.period
    lines.append(
        f"Rows (distributed): {e.distributed:,}; answered: {s.answered:,}; response rate {100 * s.response_rate:.1f}%"
        + (f"; answers from {first:%Y-%m-%d} to {last:%Y-%m-%d}" if first is not None and last is not None else "")
    )
    if getattr(e, "numbered", False):
        lines.append(f"No respondentid column (an anonymous survey?): the rows are numbered 1-{e.distributed} in "
                     "file order; a coding file refers to these numbers.")
    lines.append(f"Survey definition: {s.definition.name} ({s.definition.path})")
    lines.append("Fields matched by question text:")
    width = max(len(m.field) for m in s.matches)
    for m in s.matches:
        target = (f"{m.variable} ({len(m.options)} options)" if m.options else m.variable) or "(not in export)"
        answered = int(s.responses[m.field].notna().sum())
        lines.append(f"  {m.field.ljust(width)}  {target:<16} {answered:>6} answers  {m.text}")
    used = {m.variable for m in s.matches} | {v for m in s.matches for v in m.options}
    extra = [v for v in e.variables if v not in used]
    if extra:
        lines.append(f"Variables in the export not in the definition (ignored): {', '.join(extra)}")
    if s.definition.background:
        from fuldtid.model.definition import survey_option_text

        lines.append(f"Background for breakdowns: {', '.join(s.definition.background)} (e.g. fuldtid breakdown {e.path}"
                     f"{survey_option_text(s.definition)} --question FIELD --by {s.definition.background[0]})")
    for d in s.definition.derived.values():
        counts = s.responses[d.name].value_counts().to_dict()
        lines.append(f"Derived {d.name} (from {d.source}): " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    for w in s.warnings:
        lines.append(f"Note: {w}")
    ok = True
    if coding is not None:
        from fuldtid.model.coding import read_coding

        codes = read_coding(coding, s)
        per_field = codes.codes.groupby("field")["respondentid"].nunique().to_dict()
        lines.append(
            f"Coding file {codes.path}: {len(codes.codes)} codes; respondents coded per question: "
            + ", ".join(f"{k} {v}" for k, v in per_field.items())
        )
        for w in codes.warnings:
            lines.append(f"Note: {w}")
    if population is not None:
        pop_lines, pop_ok = check_population(s, population)
        lines += pop_lines
        ok = ok and pop_ok
    lines.append("OK: the export can be reported." if ok else "Problems found.")
    return ValidationReport(tuple(lines), ok)


def check_population(s: Survey, population: str | Path) -> tuple[list[str], bool]:
    """The population file against the export: per weighting variable and register category, how many
    answered against how many there are, then whether the answers can be weighted and at what cost.
    Returns the lines to print and whether nothing is wrong."""
    from fuldtid.errors import WeightingError
    from fuldtid.model.population import read_population

    pop = read_population(population, s.field_labels())
    e = s.export
    lines = [f"Population file {pop.path}: N = {pop.size:,}; weighting variables: "
             + ", ".join(f"{m.variable} ({len(m.categories)} categories)" for m in pop.margins)]
    ok = True
    if pop.size < s.answered:
        ok = False
        lines.append(f"Problem: the population file counts {pop.size:,} staff, but {s.answered:,} answered; "
                     "is it the whole staff group the questionnaire was sent to?")
    elif pop.size != e.distributed:
        lines.append(f"Note: the population file counts {pop.size:,} staff; the export has {e.distributed:,} "
                     "rows (people the questionnaire was sent to).")
    for m in pop.margins:
        answers = s.responses[m.variable]
        missing = int(answers.isna().sum())
        for cat in m.categories:
            n = int(answers.isin(list(cat.covers)).sum())
            flag = ""
            if n > cat.count:
                ok = False
                flag = f"  PROBLEM: more answered than the register counts ({n} > {cat.count})"
            elif n == 0 and cat.count > 0:
                ok = False
                flag = "  PROBLEM: nobody in this category answered; it cannot be weighted to"
            lines.append(f"  {m.variable:<12} {cat.label:<28} answered {n:>6} of {cat.count:>6}{flag}")
        if missing:
            lines.append(f"  {m.variable:<12} {'(not answered)':<28} {missing:>6} respondents: left out of the weighted figures")
    try:
        from fuldtid.stats.weighted import weigh_survey

        w = weigh_survey(s, population)
    except WeightingError as exc:
        lines.append(f"Problem: the answers cannot be weighted to this file: {exc}")
        return lines, False
    lines.append(f"Weighting: {w.n_weighted:,} respondents weighted, {w.n_left_out:,} left out; "
                 f"effective n {w.effective_n:.0f}, design effect {w.design_effect:.2f}; "
                 f"weights from {w.min_weight:.2f} to {w.max_weight:.2f}.")
    return lines, ok


__all__ = ["ValidationReport", "validate", "check_population", "SurveyError"]

"""``fuldtid validate``: what an export holds and how it matches the survey definition, without tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SurveyError


@dataclass(frozen=True)
class ValidationReport:
    lines: tuple[str, ...]
    ok: bool

    def __str__(self) -> str:
        return "\n".join(self.lines)


def validate(export: Any, *, survey: Any = None, coding: str | Path | None = None) -> ValidationReport:
    """Read ``export`` through the survey definition and describe what was found.

    Problems with the export or definition raise a :class:`SurveyError`; problems in the coding file
    raise too, after the export has been described.
    """
    from .survey import load_survey

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
        from .definition import survey_option_text

        lines.append(f"Background for breakdowns: {', '.join(s.definition.background)} (e.g. fuldtid breakdown {e.path}"
                     f"{survey_option_text(s.definition)} --question FIELD --by {s.definition.background[0]})")
    for d in s.definition.derived.values():
        counts = s.responses[d.name].value_counts().to_dict()
        lines.append(f"Derived {d.name} (from {d.source}): " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    for w in s.warnings:
        lines.append(f"Note: {w}")
    ok = True
    if coding is not None:
        from .coding import read_coding

        codes = read_coding(coding, s)
        per_field = codes.codes.groupby("field")["respondentid"].nunique().to_dict()
        lines.append(
            f"Coding file {codes.path}: {len(codes.codes)} codes; respondents coded per question: "
            + ", ".join(f"{k} {v}" for k, v in per_field.items())
        )
        for w in codes.warnings:
            lines.append(f"Note: {w}")
    lines.append("OK: the export can be reported." if ok else "Problems found.")
    return ValidationReport(tuple(lines), ok)


__all__ = ["ValidationReport", "validate", "SurveyError"]

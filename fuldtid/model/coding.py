"""Coded open answers: the analyst's categories for each answer, read from a CSV or XLSX coding file.

A coding file has the columns ``respondentid``, ``variabel`` and ``kategori`` (and optionally ``citat``
to mark a quote for the memo): one row per code, so a respondent can have several. ``variabel`` is
the export's variable name (``s_9``), the question text, or the field name. In a coding sheet written
by ``fuldtid coding-sheet`` a cell of ``kategori`` may hold several categories separated by ``;``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fuldtid.errors import CodingError
from fuldtid.model.survey import Survey, normalise_text
from fuldtid.read.tabular import read_sheets

REQUIRED = ("respondentid", "variabel", "kategori")
TRUE_WORDS = {"1", "x", "ja", "j", "yes", "y", "true", "sand", "✓"}


@dataclass(frozen=True)
class Coding:
    """The codes of one coding file, checked against a survey.

    ``codes`` has one row per (respondent, field, category), columns ``respondentid``, ``field``,
    ``kategori`` and ``citat`` (bool: the analyst chose this answer as a quote).
    """

    path: Path
    codes: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def for_field(self, field: str) -> pd.DataFrame:
        return self.codes[self.codes["field"] == field]


def _normalise_id(value: str) -> str:
    v = value.strip()
    if v.endswith(".0") and v[:-2].isdigit():
        v = v[:-2]
    return v


def read_coding(path: str | Path, survey: Survey) -> Coding:
    """Read and check a coding file against the survey it codes."""
    p = Path(path)
    sheets = read_sheets(p, "coding file", CodingError)
    definition = survey.definition
    var_to_field: dict[str, str] = {}
    for m in survey.matches:
        f = definition.fields[m.field]
        if not f.is_open:
            continue
        var_to_field[normalise_text(m.field)] = m.field
        var_to_field[normalise_text(f.text)] = m.field
        if m.variable is not None:
            var_to_field[normalise_text(m.variable)] = m.field
    open_names = ", ".join(
        f"{m.variable} ({m.field})" for m in survey.matches if definition.fields[m.field].is_open and m.variable
    )
    answered = set(survey.responses.index)
    distributed = set(survey.export.data.index)

    records: list[tuple[str, str, str, bool]] = []
    used = [s for s in sheets if all(c in s.header for c in REQUIRED)]
    if not used:
        s = sheets[0]
        missing = [c for c in REQUIRED if c not in s.header]
        raise CodingError(
            f"{p}: a coding file needs the columns {', '.join(REQUIRED)} (and optionally citat); "
            f"missing {', '.join(missing)}"
        )
    warnings: list[str] = []
    by_norm_cache: dict[str, dict[str, str]] = {}
    for sheet in used:
        for i, rec in enumerate(sheet.records()):
            place = f"{p}, {sheet.place(i)}"
            rid = _normalise_id(rec["respondentid"])
            var = rec["variabel"]
            cats = [c.strip() for c in rec["kategori"].split(";") if c.strip()]
            if not cats:
                continue  # an answer not (yet) coded
            if not rid:
                raise CodingError(f"{place}: respondentid is empty")
            if rid not in answered:
                why = "has not answered the questionnaire" if rid in distributed else "is not in the export"
                raise CodingError(f"{place}: respondent {rid} {why}; correct or delete the row")
            field = var_to_field.get(normalise_text(var))
            if field is None:
                raise CodingError(
                    f"{place}: variabel {var!r} is not an open question of the survey; use one of {open_names}"
                )
            allowed = definition.fields[field].categories
            if field not in by_norm_cache:
                by_norm_cache[field] = {normalise_text(c): c for c in allowed}
            by_norm = by_norm_cache[field]
            citat = rec.get("citat", "").strip().lower() in TRUE_WORDS
            for cat in cats:
                canonical = by_norm.get(normalise_text(cat))
                if canonical is None:
                    raise CodingError(
                        f"{place}: category {cat!r} is not a category of {field} in "
                        f"{definition.path.name}; use one of: {'; '.join(allowed)}"
                    )
                records.append((rid, field, canonical, citat))
    codes = pd.DataFrame(records, columns=["respondentid", "field", "kategori", "citat"])
    before = len(codes)
    # A quote mark on any row of a (respondent, field) pair marks that answer.
    codes = (
        codes.groupby(["respondentid", "field", "kategori"], sort=False, as_index=False)["citat"].max()
    )
    if len(codes) < before:
        warnings.append(f"{p}: {before - len(codes)} duplicate code row(s) counted once")
    return Coding(p, codes, tuple(warnings))

"""Weighted estimates for the report's tables: every shown row of a one-way table and every shown
cell of a cross table gets the share estimated for the whole staff, its 95% interval and the number
of staff it stands for."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fuldtid.model.survey import Survey
from fuldtid.stats.tablemodel import published_share
from fuldtid.stats.tables import CrossRow, Row, Table, TableSet, Weighted

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from fuldtid.model.coding import Coding
    from fuldtid.stats.weighting import Weights


def weigh_survey(survey: Survey, population: str | Path, *, trim: float | None = None) -> Weights:
    """Rake the survey's answered respondents to the margins of a population file."""
    from fuldtid.model.population import read_population
    from fuldtid.stats.weighting import rake

    pop = read_population(population, survey.field_labels())
    columns = [m.variable for m in pop.margins]
    return rake(survey.responses[columns], pop, trim=trim)


def estimate(weights: Weights, y: pd.Series, domain: pd.Series, min_group: int = 1) -> Weighted | None:
    """The weighted share of ``y`` in ``domain`` with its interval, as a release at ``min_group`` publishes it
    (:func:`~fuldtid.stats.tablemodel.published_share`: rounded above 1, only for large enough domains)."""
    e = published_share(weights, y, domain, min_group)
    if e is None:
        return None
    if math.isnan(e.ci_low) or math.isnan(e.ci_high):
        return Weighted(e.pct, None, None, e.population_count, e.note)
    return Weighted(e.pct, e.ci_low, e.ci_high, e.population_count)


def answer_shares(weights: Weights, answer: pd.Series, columns: Sequence[str], domain: pd.Series, min_group: int = 1
                  ) -> dict[str, Weighted] | None:
    """The weighted share of each answer within a domain (a cross table's row), None when there is none."""
    cells = {}
    for c in columns:
        est = estimate(weights, (answer == c).fillna(False).astype(bool), domain, min_group)
        if est is not None:
            cells[c] = est
    return cells or None


def _members(label: str, members: tuple[str, ...]) -> tuple[str, ...]:
    return members or (label,)


def _answer_in(survey: Survey, field: str, labels: tuple[str, ...]) -> pd.Series:
    """Who answered ``field`` with one of ``labels``; a label that is no answer option (the "not stated" row)
    stands for those who did not answer. From the field's integer codes (an object comparison per row took
    most of the weighted tables' time at 10^6 respondents)."""
    import numpy as np

    options = survey.options(field)
    wanted = [options.index(lbl) for lbl in labels if lbl in options]
    if any(lbl not in options for lbl in labels):
        wanted.append(len(options))  # Survey.codes: no answer is the code after the last option
    return pd.Series(np.isin(survey.codes(field), wanted), index=survey.responses.index)


def weighted_table(survey: Survey, t: Table, weights: Weights, coding: Coding | None = None) -> Table:
    if t.kind == "multiple":
        return _weighted_multiple(survey, t, weights)
    if t.kind == "grid":
        return _weighted_grid(survey, t, weights)
    r = survey.responses
    group = survey.group_mask(t.among)
    if t.kind == "cross":
        assert t.by is not None
        answer = r[t.field]
        rows = []
        for row in t.rows:
            assert isinstance(row, CrossRow)
            if row.suppressed or not row.total:
                rows.append(row)
                continue
            in_row = _answer_in(survey, t.by, _members(row.label, row.members))
            domain = group & answer.notna() & in_row
            rows.append(replace(row, weighted=answer_shares(weights, answer, t.columns, domain, t.min_group)))
        return replace(t, rows=tuple(rows))
    if t.kind == "coded":
        codes = coding.for_field(t.field)
        domain = group & pd.Series(r.index.isin(codes["respondentid"]), index=r.index)

        def coded_as(row: Row) -> pd.Series:
            in_row = codes["kategori"].isin(_members(row.label, row.members))
            return pd.Series(r.index.isin(codes.loc[in_row, "respondentid"]), index=r.index)

        return _estimated(t, weights, domain, coded_as)
    answer = r[t.field]
    options = set(survey.options(t.field))
    # A "not stated" row (table 10) is part of the base; otherwise the base is those who answered.
    has_missing_row = any(row.label not in options and not row.members for row in t.rows)
    domain = group if has_missing_row else group & answer.notna()
    return _estimated(t, weights, domain, lambda row: _answer_in(survey, t.field, _members(row.label, row.members)))


def _weighted_multiple(survey: Survey, t: Table, weights: Weights) -> Table:
    """Each option's weighted share among those of the group who answered the question."""
    choices = survey.choices[t.field]
    domain = survey.group_mask(t.among) & choices.notna().any(axis=1)

    def ticked(row: Row) -> pd.Series | None:
        labels = [c for c in _members(row.label, row.members) if c in choices.columns]
        return choices[labels].fillna(False).astype(bool).any(axis=1) if labels else None

    return _estimated(t, weights, domain, ticked)


def _estimated(t: Table, weights: Weights, domain: pd.Series, y_of: Callable[[Row], pd.Series | None]) -> Table:
    """``t`` with the weighted share of ``y_of(row)`` within ``domain`` on every shown row (a row for which
    ``y_of`` gives None stays as it is)."""
    rows = []
    for row in t.rows:
        assert isinstance(row, Row)
        y = None if row.suppressed else y_of(row)
        rows.append(row if y is None else replace(row, weighted=estimate(weights, y, domain, t.min_group)))
    return replace(t, rows=tuple(rows))


def _weighted_grid(survey: Survey, t: Table, weights: Weights) -> Table:
    """Each item's answers as weighted shares among those of the group who answered the item."""
    spec = next(s for s in survey.definition.tables if s.number == t.number)
    group = survey.group_mask(t.among)
    rows = []
    for row, name in zip(t.rows, spec.fields):
        assert isinstance(row, CrossRow)
        if row.suppressed:
            rows.append(row)
            continue
        answer = survey.responses[name]
        rows.append(replace(row, weighted=answer_shares(weights, answer, t.columns, group & answer.notna(), t.min_group)))
    return replace(t, rows=tuple(rows))


def add_weighted(tableset: TableSet, weights: Weights) -> TableSet:
    """The same tables with weighted estimates added, and the weighting diagnostics attached."""
    from fuldtid.stats.tabletests import add_tests

    tables = tuple(weighted_table(tableset.survey, t, weights, tableset.coding) for t in tableset.tables)
    return add_tests(replace(tableset, tables=tables, weighting=weights), weights)


def describe_weights(w: Weights) -> str:
    """The weighting diagnostics for the terminal."""
    lines = [
        f"Population file {w.population.path}: N = {w.size:,}; margins: "
        + ", ".join(m.variable for m in w.population.margins),
        f"Weighted respondents: {w.n_weighted:,}; left out: {w.n_left_out:,}"
        + ("" if not w.left_out_reasons else " (" + "; ".join(f"{k}: {v}" for k, v in w.left_out_reasons.items()) + ")"),
        f"Kish effective n: {w.effective_n:.1f}; design effect: {w.design_effect:.3f}",
        f"Weights: smallest {w.min_weight:.3f}, largest {w.max_weight:.3f}, ratio {w.weight_ratio:.2f}"
        + (f"; trimmed at {w.trimmed:g} x mean ({w.n_at_cap} at the cap)" if w.trimmed else ""),
        f"Raking converged after {w.iterations} sweep(s).",
        "",
        f"{'margin':<12} {'category':<28} {'n':>6} {'sample':>8} {'population':>11} {'weighted':>9}",
    ]
    for m in w.margins:
        lines.append(
            f"{m.variable:<12} {m.category:<28} {m.sample_count:>6} {100 * m.sample_share:>7.1f}% "
            f"{100 * m.population_share:>10.1f}% {100 * m.weighted_share:>8.1f}%"
        )
    return "\n".join(lines)


def weights_dict(w: Weights) -> dict[str, Any]:
    """The weighting diagnostics for tables.json."""
    return {
        "population_file": str(w.population.path),
        "population_size": w.size,
        "method": "raking" if len(w.population.margins) > 1 else "post-stratification",
        "variables": [m.variable for m in w.population.margins],
        "weighted": w.n_weighted,
        "left_out": w.n_left_out,
        "left_out_reasons": dict(w.left_out_reasons),
        "effective_n": w.effective_n,
        "design_effect": w.design_effect,
        "min_weight": w.min_weight,
        "max_weight": w.max_weight,
        "weight_ratio": w.weight_ratio,
        "iterations": w.iterations,
        "trim": w.trimmed,
        "margins": [
            {
                "variable": m.variable,
                "category": m.category,
                "sample_count": m.sample_count,
                "sample_share": m.sample_share,
                "population_share": m.population_share,
                "weighted_share": m.weighted_share,
            }
            for m in w.margins
        ],
    }

"""The test of difference that every cross table carries, computed from what the table publishes.

A cross table is tested on its published rows: hidden groups left out, merged groups ("Øvrige grupper")
tested as the one group the table shows, and the row of those who did not state their group (e.g.
"Tilbud ikke angivet") left out, since it is no group to compare. So the test never rests on counts the
table hides. Unweighted tables get :func:`fuldtid.stats.significance.test_difference` (Fisher's exact test,
the exact or Monte Carlo Fisher–Freeman–Halton test, or Pearson's chi-square test, as R's
``fisher.test``/``chisq.test``); weighted tables the Rao–Scott F test on the raked design, as R's
``svychisq(~row + answer, subset(design, published rows), statistic = "F")``.

The result is published with its p-value rounded (:func:`test_dict`, :func:`test_note`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from fuldtid.stats.significance import DifferenceTest, format_p

if TYPE_CHECKING:
    from fuldtid.model.survey import Survey
    from fuldtid.stats.figuredata import FigureData
    from fuldtid.stats.tables import CrossRow, Table, TableSet
    from fuldtid.stats.weighting import Weights

ALPHA = 0.05
NO_GROUPS = ("Forskellen mellem grupperne kan ikke testes, fordi tabellen viser færre end to grupper med svar "
             "eller kun én svarkategori med svar.")

def published_rows(t: Table) -> list[CrossRow]:
    """The rows a cross table's test compares: shown (a merged row as one group), not the "not stated" row."""
    rows = cast("tuple[CrossRow, ...]", t.rows)
    return [r for r in rows if not r.suppressed and r.counts is not None and r.total and r.label != t.missing_row]


def published_counts(t: Table) -> pd.DataFrame:
    """The published counts the test is computed from: groups x answers."""
    rows = published_rows(t)
    return pd.DataFrame([[int(r.counts[c]) for c in t.columns] for r in rows],
                        index=[r.label for r in rows], columns=list(t.columns), dtype="int64")


def published_groups(survey: Survey, t: Table) -> pd.Series:
    """Per respondent, the published row the respondent is counted in (NaN: in none, or not tested)."""
    r = survey.responses
    by = r[t.by].astype("object")
    group = pd.Series(pd.NA, index=r.index, dtype="object")
    for row in published_rows(t):
        labels = row.members or (row.label,)
        mask = by.isin(labels)
        if t.missing_row is not None and t.missing_row in labels:
            mask |= by.isna()  # a merged row that holds the "not stated" row
        group[mask.to_numpy()] = row.label
    inside = survey.group_mask(t.among) & r[t.field].notna()
    return group.where(inside)


def no_test(sentence: str = NO_GROUPS) -> DifferenceTest:
    return DifferenceTest("ingen test", None, None, 1.0, False, sentence)


def cross_table_test(survey: Survey, t: Table, weights: Weights | None = None, alpha: float = ALPHA) -> DifferenceTest:
    """The test of a cross table as published (see the module docstring)."""
    from fuldtid.stats.significance import from_weighted_chisq, test_difference

    counts = published_counts(t)
    if (counts.sum(axis=1) > 0).sum() < 2 or (counts.sum(axis=0) > 0).sum() < 2:
        return no_test()
    if weights is None:
        return test_difference(counts, alpha)
    from fuldtid.stats.weighting import weighted_chisq

    groups = published_groups(survey, t)
    answer = survey.responses[t.field].astype("object").where(groups.notna())
    result = from_weighted_chisq(weighted_chisq(weights, groups, answer), alpha)
    return no_test() if result.method == "ingen test" else result


def add_tests(tableset: TableSet, weights: Weights | None = None) -> TableSet:
    """The table set with every cross table's test attached (``Table.test``)."""
    tables = tuple(replace(t, test=cross_table_test(tableset.survey, t, weights)) if t.kind == "cross" else t
                   for t in tableset.tables)
    return replace(tableset, tables=tables)


def p_rounded(p: float) -> float:
    """A p-value as published: three decimals (below 0.001 it is 0.0, and ``p_text`` says "p < 0,001")."""
    return round(float(p), 3)


def test_dict(test: DifferenceTest | None) -> dict[str, Any] | None:
    """A test for tables.json: method, statistic, p-value (rounded), verdict and the sentence."""
    from fuldtid.danish import method_name

    if test is None:
        return None
    if test.method == "ingen test":
        return {"method": test.method, "statistic": None, "df": None, "p_value": None, "p_text": None,
                "significant": False, "sentence": test.sentence}
    return {
        "method": test.method,
        "method_name": method_name(test.method),  # the Danish name every document shows
        "statistic": None if test.statistic is None else round(test.statistic, 3),
        "df": None if test.df is None else round(test.df, 3),
        "p_value": p_rounded(test.p_value),
        "p_text": format_p(test.p_value),
        "significant": test.significant,
        "sentence": test.sentence,
    }


test_dict.__test__ = False  # type: ignore[attr-defined]


def test_note(test: DifferenceTest | None) -> str:
    """The table note: the verdict with p, then the method by its Danish name (:mod:`fuldtid.danish`)."""
    if test is None:
        return ""
    if test.method == "ingen test":
        return test.sentence
    from fuldtid.danish import test_note as danish_note

    return danish_note(test)


test_note.__test__ = False  # type: ignore[attr-defined]


def share_test(survey: Survey, fig: FigureData, value: str, weights: Weights | None = None,
               alpha: float = ALPHA) -> DifferenceTest:
    """Do the groups a figure shows differ in their share answering ``value``? Tested on the groups as the
    figure publishes them (hidden groups merged into its "Øvrige grupper" bar) and the answer as given or
    not: groups x (``value``, other answers), unweighted or, with ``weights``, Rao–Scott as R's
    ``svychisq(~group + I(answer == value), subset(design, answered))``."""
    from fuldtid.stats.significance import from_weighted_chisq, test_difference

    rows = fig.group_rows() if fig.kind == "share" else fig.data[fig.data["category"] == value]
    if fig.kind == "share" and str(fig.value) != str(value):
        raise ValueError(f"figure {fig.number} shows the share answering {fig.value!r}, not {value!r}")
    counts = pd.DataFrame({"value": [int(n) for n in rows["count"]],
                           "other": [int(t) - int(n) for n, t in zip(rows["count"], rows["total"])]},
                          index=[str(g) for g in rows["group"]])
    if (counts.sum(axis=1) > 0).sum() < 2 or (counts.sum(axis=0) > 0).sum() < 2:
        return no_test()
    if weights is None or getattr(weights, "cells", None) is None:
        return test_difference(counts, alpha)
    from fuldtid.stats.weighting import weighted_chisq

    from fuldtid.stats.crosstab import NOT_GIVEN

    r = survey.responses
    by = r[fig.by].astype("object").where(r[fig.by].notna(), NOT_GIVEN)  # drawn only within a merged bar
    answer = r[fig.field].astype("object")
    inside = survey.group_mask(fig.among) & answer.notna()
    group = by.where(~by.isin(fig.hidden), fig.merged_label) if fig.hidden else by
    group = group.where(inside & group.isin(list(counts.index)))
    gives = (answer == value).map({True: "value", False: "other"}).where(group.notna())
    result = from_weighted_chisq(weighted_chisq(weights, group, gives), alpha)
    return no_test() if result.method == "ingen test" else result

"""Helpers shared by the memo tests (test_memo, test_figures, test_memo_render), so tests don't import
each other: the shipped example as a TableSet, rebuilding its tables for altered answers, and reading
the memo's prose back."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from fuldtid.render.blocks import BulletList, Paragraph
from fuldtid.stats.tables import TableSet, build_tables

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "surveys" / "examples" / "vjh_2022"


@functools.lru_cache(maxsize=None)
def _example(min_group: int, population: bool) -> TableSet:
    from fuldtid.report import analyse

    return analyse(
        EXAMPLE / "export",
        coding=EXAMPLE / "coding.csv",
        population=EXAMPLE / "population.csv" if population else None,
        min_group=min_group,
    )


def example_tableset(min_group: int = 1, population: bool = False) -> TableSet:
    """The shipped 2022 example (skips when it has not been generated)."""
    if not (EXAMPLE / "export" / "dataset.csv").exists():
        pytest.skip("the example export surveys/examples/vjh_2022 is not there")
    return _example(min_group, population)


def rebuild(ts: TableSet, *, responses: pd.DataFrame | None = None, min_group: int | None = None,
            coding: object = "same") -> TableSet:
    """The tables again for altered answers (same export and definition)."""
    survey = ts.survey if responses is None else replace(ts.survey, responses=responses)
    codes = ts.coding if coding == "same" else coding
    return build_tables(survey, codes, min_group=ts.min_group if min_group is None else min_group)


def with_definition(ts: TableSet, **changes: object) -> TableSet:
    """The same tables with the survey definition's attributes changed (e.g. ``wording={}``)."""
    d = replace(ts.survey.definition, **changes)
    return replace(ts, survey=replace(ts.survey, definition=d))


def swap(series: pd.Series, a: str, b: str) -> pd.Series:
    """Swap two answers, keeping the categories and their order."""
    values = series.astype("object").map(lambda v: b if v == a else a if v == b else v)
    return pd.Series(pd.Categorical(values, categories=series.cat.categories), index=series.index)


def texts(memo) -> list[str]:
    return memo.text().split("\n")


def key_points(memo) -> list[str]:
    i = next(i for i, b in enumerate(memo.blocks) if isinstance(b, Paragraph) and b.text == "Hovedpointer")
    lst = memo.blocks[i + 1]
    assert isinstance(lst, BulletList)
    out = []
    for it in lst.items:
        out.append(it.text)
        out.extend(c.text for c in it.children)
    return out


def paragraphs(memo) -> list[str]:
    return [b.text for b in memo.blocks if isinstance(b, Paragraph)]

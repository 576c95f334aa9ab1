"""From an export to its protected results: read, match to the survey definition, weight, tabulate."""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Callable, Union

from fuldtid.stats.tables import TableSet, build_tables

if TYPE_CHECKING:
    from fuldtid.model.definition import Definition
    from fuldtid.read.export import Export

PathArg = Union[str, "PathLike[str]"]


def analyse(
    export: "PathArg | Export",
    *,
    survey: "PathArg | Definition | None" = None,
    coding: PathArg | None = None,
    population: PathArg | None = None,
    min_group: int | None = None,
    trim: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> TableSet:
    """Read an export (path or Export) through a survey definition and compute every table.

    ``coding`` and ``population`` are paths (or None); ``min_group`` None takes the definition's threshold.
    """
    from fuldtid.read.export import Export, read_export
    from fuldtid.model.survey import load_survey

    step = progress or (lambda _label: None)
    if not isinstance(export, Export):
        step("reading the export")
        export = read_export(export)
    step("matching the questions")
    s = load_survey(export, survey)
    codes = None
    if coding is not None:
        from fuldtid.model.coding import read_coding

        step("reading the coding file")
        codes = read_coding(coding, s)
    weights = None
    if population is not None:
        from fuldtid.stats.weighted import weigh_survey

        step("raking to the population")
        weights = weigh_survey(s, population, trim=trim)
    step("computing the tables")
    tableset = build_tables(s, codes, min_group=min_group)
    if weights is not None:
        from fuldtid.stats.weighted import add_weighted

        step("weighted estimates")
        tableset = add_weighted(tableset, weights)
    return tableset

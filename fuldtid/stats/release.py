"""Everything one export releases at one threshold: the one object every renderer reads.

The stages run one way: export -> survey model -> **release** -> renderers. A :class:`Release` is built from
the statistics stage's :class:`~fuldtid.stats.tables.TableSet` and holds only what may be published: the
protected tables, the protected figures, the facts about the survey that identify nobody (how many were asked
and answered, when, which fields and answer options the definition has), the weighting diagnostics with small
groups hidden, and a few protected queries the memo's prose asks (a share by group, a group's size, the
distribution of a background field). The survey's responses stay behind it: no renderer reads a respondent's
answer, and every number a renderer prints comes from one of these values, protected by the same linked rule
(:mod:`fuldtid.stats.linked`). ``tests/test_layout.py`` checks that no renderer reaches past it.

Like R's survey design object, the queries are methods of one object, and each is computed once (cached): the
memo, the DOCX and the HTML of one run ask the same release.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from fuldtid.model.definition import ALL, Definition, FigureSpec

if TYPE_CHECKING:
    import pandas as pd

    from fuldtid.model.survey import Survey
    from fuldtid.stats.figuredata import FigureData
    from fuldtid.stats.significance import DifferenceTest
    from fuldtid.stats.tables import Exclusion, Table, TableSet
    from fuldtid.stats.weighting import Weights

_T = TypeVar("_T")


@dataclass(frozen=True)
class SurveyFacts:
    """What a release says about the survey itself: the source, who was asked and who answered, the
    definition (names, wording, groups; no answers) and the answer options of every matched field."""

    export_path: str
    export_form: str
    definition: Definition
    distributed: int
    answered: int
    response_rate: float
    period: tuple[pd.Timestamp | None, pd.Timestamp | None]  # first and last answer
    warnings: tuple[str, ...]
    fields: frozenset[str]
    options: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, survey: Survey) -> "SurveyFacts":
        import pandas as pd

        columns = [c for c in survey.responses.columns if isinstance(survey.responses[c].dtype, pd.CategoricalDtype)]
        return cls(str(survey.export.path), survey.export.form, survey.definition, int(survey.distributed),
                   int(survey.answered), float(survey.response_rate), tuple(survey.export.period),
                   tuple(survey.warnings), frozenset(survey.responses.columns),
                   {c: tuple(survey.options(c)) for c in columns})

    @property
    def data_date(self) -> pd.Timestamp | None:
        """The last answer's time: the date documents carry."""
        return self.period[1]


@dataclass(frozen=True)
class MarginFact:
    """One register category of the weighting: its share among the weighted answers and in the register.
    ``sample_count`` and ``sample_share`` are None where the category is, or contains, a hidden group."""

    variable: str
    category: str
    sample_count: int | None
    sample_share: float | None
    population_share: float
    weighted_share: float


@dataclass(frozen=True)
class WeightingFacts:
    """The weighting as it may be published. Counts of respondents left out are sizes of groups of people
    (those who did not give a register field): when one of them is below the threshold, no count of the left
    out is published (None: per reason, in all, the number weighted and the margins' counts), since any of them
    with the published tables would give the small group away."""

    population_path: str
    size: int
    method: str
    variables: tuple[str, ...]
    n_weighted: int | None
    n_left_out: int | None
    left_out_reasons: Mapping[str, int | None]
    effective_n: float
    design_effect: float
    min_weight: float
    max_weight: float
    weight_ratio: float
    iterations: int
    trimmed: float | None
    margins: tuple[MarginFact, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "population_file": self.population_path,
            "population_size": self.size,
            "method": self.method,
            "variables": list(self.variables),
            "weighted": self.n_weighted,
            "left_out": self.n_left_out,
            "left_out_reasons": dict(self.left_out_reasons),
            "effective_n": self.effective_n,
            "design_effect": self.design_effect,
            "min_weight": self.min_weight,
            "max_weight": self.max_weight,
            "weight_ratio": self.weight_ratio,
            "iterations": self.iterations,
            "trim": self.trimmed,
            "margins": [
                {"variable": m.variable, "category": m.category, "sample_count": m.sample_count,
                 "sample_share": m.sample_share, "population_share": m.population_share,
                 "weighted_share": m.weighted_share,
                 **({"hidden": "skjult af hensyn til anonymiteten"} if m.sample_count is None else {})}
                for m in self.margins
            ],
        }


def weighting_facts(w: Weights, survey: Survey, min_group: int) -> WeightingFacts:
    """The diagnostics of raking weights ``w`` (:class:`fuldtid.stats.weighting.Weights`) as they may be
    published at ``min_group``: register categories that are (or contain) hidden groups, and small counts of
    respondents left out, are hidden."""
    margins = []
    covers = {(m.variable, c.label): c.covers or (c.label,) for m in w.population.margins for c in m.categories}
    protector = None
    if min_group > 1:
        from fuldtid.stats.linked import protector_for

        protector = protector_for(survey, min_group)
    for m in w.margins:
        hide = False
        if protector is not None:
            hide = 0 < m.sample_count < min_group
            if not hide and m.variable in survey.responses.columns:
                # A register category holding some of the field's hidden groups is hidden; one holding all of
                # them (or none) is not: its count is then the shown rows it covers plus the table's merged
                # row, both published anyway (331 - 154 - 117 = 60 needs no hiding).
                from fuldtid.stats.linked import NA, protected_rows

                labels = covers.get((m.variable, m.category), (m.category,))
                every = [(o,) for o in survey.options(m.variable)] + [(NA,)]
                hidden, whole = protected_rows(protector, None, (m.variable,), ALL, every)
                inside = hidden & {(lab,) for lab in labels}
                hide = whole or (bool(inside) and inside != hidden)
        margins.append(MarginFact(m.variable, m.category, None if hide else int(m.sample_count),
                                  None if hide else float(m.sample_share), float(m.population_share),
                                  float(m.weighted_share)))

    def small(n: int) -> bool:
        return min_group > 1 and 0 < n < min_group

    reasons: dict[str, int | None] = {r: int(n) for r, n in dict(w.left_out_reasons).items()}
    # Those left out are groups of people (who did not give a register field). If one reason is a small group,
    # no count of the left out is shown: the total less a shown group's size (its row in that field's table),
    # or the answered less the number weighted (which the margins' counts add up to), would give it away.
    # The margins' shares are then rounded to whole percent: to a tenth, only one number weighted fits them all
    # (tests/attacks/test_margin_shares.py).
    conceal = small(int(w.n_left_out)) or any(small(n) for n in reasons.values() if n is not None)
    if conceal:
        reasons = {r: None for r in reasons}
        margins = [MarginFact(m.variable, m.category, None,
                              None if m.sample_share is None else round(m.sample_share, 2),
                              m.population_share, m.weighted_share) for m in margins]
    left_out = None if conceal else int(w.n_left_out)
    return WeightingFacts(
        population_path=str(w.population.path), size=int(w.size),
        method="raking" if len(w.population.margins) > 1 else "post-stratification",
        variables=tuple(m.variable for m in w.population.margins),
        n_weighted=int(w.n_weighted) if left_out is not None else None, n_left_out=left_out,
        left_out_reasons=reasons, effective_n=float(w.effective_n), design_effect=float(w.design_effect),
        min_weight=float(w.min_weight), max_weight=float(w.max_weight), weight_ratio=float(w.weight_ratio),
        iterations=int(w.iterations), trimmed=w.trimmed, margins=tuple(margins),
    )


@dataclass(frozen=True)
class Categories:
    """A background field's own distribution as it may be published: ``counts`` per answer option (None where
    hidden), ``not_given`` (those who did not give it; None where hidden) and the hidden options."""

    field: str
    counts: Mapping[str, int | None]
    not_given: int | None
    hidden: tuple[str, ...]


class Release:
    """The protected results of one export at one threshold (see the module's docstring)."""

    def __init__(self, tableset: "TableSet") -> None:
        self._ts = tableset
        self._survey = tableset.survey
        self.tables: tuple[Table, ...] = tableset.tables
        self.pending = tableset.pending
        self.excluded: tuple[Exclusion, ...] = tableset.excluded
        self.min_group = int(tableset.min_group)
        self.extra = tableset.extra
        self.facts = SurveyFacts.of(tableset.survey)
        self.definition = self.facts.definition
        w = tableset.weighting
        self.weighting: WeightingFacts | None = (
            weighting_facts(w, tableset.survey, self.min_group) if w is not None else None)
        from fuldtid.stats.figuredata import figure_data

        self.figures: tuple[FigureData, ...] = tuple(
            figure_data(self._survey, spec, self.min_group, w) for spec in self.definition.figures)
        self._cache: dict[tuple, Any] = {}  # query -> its result (a figure, a test, a count, ...)

    @classmethod
    def of(cls, x: "Release | TableSet") -> "Release":
        """The release of a table set, built once per table set (a release is passed on as it is)."""
        if isinstance(x, Release):
            return x
        hit = getattr(x, "_release", None)
        if hit is None:
            hit = cls(x)
            object.__setattr__(x, "_release", hit)  # TableSet is frozen; the release is derived from it
        return hit

    # --- what the table set holds ----------------------------------------------------------------

    def table(self, number: int) -> "Table":
        for t in self.tables:
            if t.number == number:
                return t
        raise KeyError(number)

    def all_exclusions(self) -> list["Exclusion"]:
        return [*self.excluded, *(e for t in self.tables for e in t.excluded)]

    def to_dict(self) -> dict[str, Any]:
        return self._ts.to_dict()

    def _cached(self, key: tuple, compute: Callable[[], _T]) -> _T:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # --- protected queries the memo's prose asks -------------------------------------------------

    def distribution(self, field_name: str, among: str = ALL) -> "FigureData":
        """The answers to ``field_name`` among ``among``, protected as a figure of them would be."""
        from fuldtid.stats.figuredata import distribution_data

        spec = FigureSpec(0, "distribution", field_name, "", among=among)
        return self._cached(("distribution", field_name, among),
                            lambda: distribution_data(self._survey, spec, self.min_group))

    def share_by(self, field_name: str, value: str, by: str, among: str = ALL) -> "FigureData":
        """The share answering ``value`` in each group of ``by`` (hidden groups merged), as a figure shows it."""
        from fuldtid.stats.figuredata import share_data

        spec = FigureSpec(0, "share", field_name, "", among=among, by=by, value=value)
        return self._cached(("share", field_name, value, by, among),
                            lambda: share_data(self._survey, spec, self.min_group))

    def share_test(self, fig: "FigureData", value: str) -> "DifferenceTest":
        """Do the groups a figure shows differ in their share answering ``value``? On the groups as published
        (weighted: Rao–Scott on the raked design). See :func:`fuldtid.stats.tabletests.share_test`."""
        from fuldtid.stats.tabletests import share_test

        return self._cached(("test", fig.key(), value),
                            lambda: share_test(self._survey, fig, value, self._ts.weighting))

    def group_size(self, group: str) -> int | None:
        """How many respondents a group of the definition has; None where the protection hides it."""
        def compute() -> int | None:
            n = int(self._survey.group_mask(group).sum())
            if self.min_group <= 1 or n == 0:
                return n
            from fuldtid.stats.linked import protector_for

            lv = protector_for(self._survey, self.min_group).level(None, ())
            return None if lv.is_hidden(group, ()) or n < self.min_group else n
        return self._cached(("size", group), compute)

    def answered(self, field_name: str) -> int | None:
        """How many respondents answered ``field_name``. For a background field this is everybody but the
        group of those who did not give it, so it is None where that group is hidden."""
        def compute() -> int | None:
            if field_name not in self.facts.fields:
                return None
            n = int(self._survey.responses[field_name].notna().sum())
            if field_name in self._background():
                cats = self.categories(field_name)
                return None if cats.not_given is None else n
            return n
        return self._cached(("answered", field_name), compute)

    def categories(self, field_name: str) -> Categories:
        """A background field's own distribution among all respondents, protected (linked level 1 of the
        group sizes: the same rows its one-way table and figure hide)."""
        def compute() -> Categories:
            from fuldtid.stats.crosstab import NOT_GIVEN, group_table

            g = group_table(self._survey, None, field_name, ALL, self.min_group)
            rows = {r.label: r.total for r in g.rows if not r.merged}
            options = self.facts.options.get(field_name, ())
            not_given = rows.pop(NOT_GIVEN, 0)  # no row: nobody left the field out
            return Categories(field_name, {o: rows[o] for o in options}, not_given,
                              tuple(o for o in options if rows[o] is None))
        return self._cached(("categories", field_name), compute)

    def ordered_pairs(self, target: str, current: str, among: str, up: bool) -> int | None:
        """Respondents in ``among`` whose answer to ``target`` is not above (``up``) / not below their answer to
        ``current`` on the same answer scale (a wished number of hours that is not more than the current one).
        Computed from the published crossing of ``target`` by ``current``: None when ``current`` is a
        background field whose table hides a group of respondents who answered both."""
        def compute() -> int | None:
            r = self._survey.responses
            if target not in r.columns or current not in r.columns:
                return None
            inside = self._survey.group_mask(among).to_numpy()
            sub = r.loc[inside, [current, target]].dropna()
            if sub.empty:
                return 0
            order = {lbl: i for i, lbl in enumerate(self._survey.options(current))}
            now = sub[current].astype("object").map(order)
            want = sub[target].astype("object").map(order)
            if self.min_group > 1 and current in self._background():
                from fuldtid.stats.linked import protected_rows, protector_for

                present = [(str(v),) for v in sub[current].astype("object").unique()]
                hidden, whole = protected_rows(protector_for(self._survey, self.min_group), target, (current,),
                                               among, present)
                if whole or hidden:
                    return None
            ok = now.notna() & want.notna()
            bad = (want <= now) if up else (want >= now)
            return int((bad & ok).sum())
        return self._cached(("pairs", target, current, among, up), compute)

    def _background(self) -> tuple[str, ...]:
        from fuldtid.stats.linked import background_fields

        return background_fields(self.definition)

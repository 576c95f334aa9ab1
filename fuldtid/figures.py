"""The memo's figures: what each bar shows (pure functions on a survey) and how it is drawn (plotnine).

Computing a figure's numbers is kept apart from drawing it, so the numbers can be tested and quoted in the
prose without importing any plotting library. Bars of groups below the anonymity threshold are not drawn on
their own: they are hidden, and merged into one "Øvrige grupper" bar, by the same rule as the tables
(:mod:`fuldtid.disclosure`), so no hidden count can be worked out from the figure and the tables together.

With weights (issue 4), every bar also carries the weighted share and its 95% interval, estimated as the
tables' weighted column is (:func:`fuldtid.weighting.weighted_share`), and is drawn as a point with an error
bar on the unweighted bar.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from . import fmt
from .definition import FigureSpec

# The one restrained palette: dark grey bars; shades that stay apart when printed in black and white.
BAR = "#4a4a4a"
SHADES = ("#1f1f1f", "#7a7a7a", "#c4c4c4", "#a0a0a0", "#505050", "#e0e0e0")
nan = float("nan")
# With weights the bars are lighter, so the black point and its interval stand out on them.
WEIGHTED_BAR = "#9e9e9e"
WEIGHTED_SHADES = ("#6a6a6a", "#b0b0b0", "#e4e4e4", "#c8c8c8", "#8a8a8a", "#f0f0f0")
# The memo's body font: Liberation Sans, metric-compatible with Arial, shipped with fuldtid (SIL OFL, see
# reports/templates/fonts/) so that every machine draws the same glyphs and writes the same bytes.
FONT = "Liberation Sans"
FONT_FILE = "fonts/LiberationSans-Regular.ttf"
DPI = 220  # sharp when printed; the memo's DOCX embeds the PNG, the HTML an SVG
WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page with 2.5 cm margins

COLUMNS = ["group", "category", "count", "total", "pct"]
# With weights: the weighted share and its 95% interval per bar (percent; NaN where nothing can be estimated).
WEIGHTED_COLUMNS = ["w_pct", "w_low", "w_high"]
SERIES = ("Besvarelser", "Vægtet (95%-KI)")  # legend: the bar is the answers as given, the point the weighted share


@dataclass(frozen=True)
class FigureData:
    """The numbers behind one figure.

    ``data`` has one row per bar (``distribution``, ``share``) or per bar of a group (``cross``), with the
    columns ``group`` (the bar's label: an answer for a distribution, a group of ``by`` otherwise),
    ``category`` (the answer counted), ``count``, ``total`` (the group's respondents) and ``pct``
    (count / total × 100; None when the group is empty). Groups hidden for anonymity are not in ``data``;
    when some are hidden, their sum is the group ``merged_label`` and their labels are in ``hidden``.
    With weights (``weighted`` True), ``data`` also has ``w_pct``, ``w_low`` and ``w_high``: the weighted
    share of the bar and its 95% interval (NaN where the bar's group has no weighted respondent).
    """

    number: int
    kind: str
    title: str
    field: str
    by: str | None
    value: str | None
    among: str
    n: int
    data: pd.DataFrame
    hidden: tuple[str, ...] = ()
    merged_label: str | None = None
    min_group: int = 1
    weighted: bool = False
    # A distribution of a weighting variable among everyone: weighted, it equals the population file's by
    # construction, so no weighted share is estimated (and none drawn) for it.
    weighting_variable: bool = False

    @property
    def caption(self) -> str:
        return f"Figur {self.number}: {self.title} (n={fmt.number(self.n)})"

    def groups(self) -> list[str]:
        """The bars' group labels in drawing order."""
        return list(dict.fromkeys(self.data["group"]))

    def group_rows(self) -> pd.DataFrame:
        """One row per group (its first category): group, total, and for ``share`` its count and pct."""
        return self.data.drop_duplicates("group").reset_index(drop=True)

    def pct(self, group: str, category: str | None = None) -> float | None:
        d = self.data[self.data["group"] == group]
        if category is not None:
            d = d[d["category"] == category]
        if d.empty:
            raise KeyError((group, category))
        value = d["pct"].iloc[0]
        return None if value is None or pd.isna(value) else float(value)

    def weighted_pct(self, group: str, category: str | None = None) -> tuple[float, float, float] | None:
        """(share, ci_low, ci_high) of a bar in percent, or None without weights or estimate."""
        if not self.weighted:
            return None
        d = self.data[self.data["group"] == group]
        if category is not None:
            d = d[d["category"] == category]
        if d.empty:
            raise KeyError((group, category))
        values = tuple(float(d[c].iloc[0]) for c in WEIGHTED_COLUMNS)
        # A share without an interval (one respondent) keeps its NaN ends.
        return None if pd.isna(values[0]) else values  # type: ignore[return-value]

    def key(self) -> tuple:
        """A hashable digest of everything drawn, for caching rendered figures across formats."""
        rows = tuple(
            (str(g), str(c), int(n), int(t), None if p is None or pd.isna(p) else round(float(p), 9))
            for g, c, n, t, p in self.data[COLUMNS].itertuples(index=False)
        )
        w = ()
        if self.weighted:
            w = tuple(tuple(None if pd.isna(v) else round(float(v), 9) for v in row)
                      for row in self.data[WEIGHTED_COLUMNS].itertuples(index=False))
        return (self.kind, self.title, self.value, self.n, rows, w)


def _frame(records: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    rows = [(g, c, n, t, (100.0 * n / t) if t else None) for g, c, n, t in records]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["count"] = df["count"].astype("int64")
    df["total"] = df["total"].astype("int64")
    df["pct"] = df["pct"].astype("object")
    return df


NOT_GIVEN = "Ikke angivet"


def _hidden(survey, question: str | None, by: str | None, among: str, labels: list[str], min_group: int
            ) -> tuple[set[str], bool]:
    """Which bars the linked protection hides (labels; ``NOT_GIVEN`` for those who did not give ``by``), and
    whether the whole figure is hidden. The same decisions as the tables' and the breakdowns'."""
    if min_group <= 1:
        return set(), False
    from .linked import NA, protected_rows, protector_for

    protector = protector_for(survey, min_group)
    if by is None:
        _, whole = protected_rows(protector, question, (), among, [()])
        return set(), whole
    key = {lab: ((NA,) if lab == NOT_GIVEN else (lab,)) for lab in labels}
    hidden, whole = protected_rows(protector, question, (by,), among, list(key.values()))
    return {lab for lab, k in key.items() if k in hidden}, whole


def _drop_not_given(records: list[tuple[str, dict[str, int], int]], hidden: set[str]
                    ) -> list[tuple[str, dict[str, int], int]]:
    """Those who did not give the field are drawn only inside "Øvrige grupper" when the protection hides them
    (so the merged bar holds the same people as the tables' merged row); otherwise they are left out, and the
    shares are of those who gave it, as in the 2022 memo."""
    return [r for r in records if r[0] != NOT_GIVEN or r[0] in hidden]


def _merge(records: list[tuple[str, dict[str, int], int]], hidden: set[str]
           ) -> tuple[list[tuple[str, dict[str, int], int]], tuple[str, ...], str | None]:
    """Shown groups, with the hidden ones together as "Øvrige grupper" (as in the tables)."""
    from .disclosure import other_label

    shown = [r for r in records if r[0] not in hidden]
    members = tuple(r[0] for r in records if r[0] in hidden)
    if not members:
        return shown, (), None
    merged: dict[str, int] = {}
    for label, counts, _ in records:
        if label in hidden:
            for c, n in counts.items():
                merged[c] = merged.get(c, 0) + n
    label = other_label([r[0] for r in records])
    return [*shown, (label, merged, sum(merged.values()))], members, label


def distribution_data(survey, spec: FigureSpec, min_group: int = 1, weights: Any = None) -> FigureData:
    """Shares of each answer of ``spec.field`` among the group ``spec.among`` (unanswered left out; for a
    background field, those who did not give it are a bar of their own)."""
    from .linked import background_fields

    values = survey.responses.loc[survey.group_mask(spec.among).to_numpy(), spec.field]
    options = list(survey.options(spec.field))
    counts = values.value_counts(sort=False).reindex(options, fill_value=0)
    background = spec.field in background_fields(survey.definition)
    records = [(str(o), {str(o): int(c)}, int(c)) for o, c in counts.items()]
    if background and values.isna().any():
        records.append((NOT_GIVEN, {NOT_GIVEN: int(values.isna().sum())}, int(values.isna().sum())))
    hidden_set, whole = _hidden(survey, None if background else spec.field, spec.field if background else None,
                                spec.among, [r[0] for r in records], min_group)
    records = _drop_not_given(records, hidden_set)
    n = sum(r[2] for r in records)
    if whole:
        hidden_set = {r[0] for r in records}
    shown, hidden, merged = _merge(records, hidden_set) if not whole else ([], tuple(r[0] for r in records), None)
    rows = [(label, label, total, n) for label, _, total in shown]
    fig = FigureData(spec.number, spec.kind, spec.title, spec.field, None, None, spec.among, n,
                     _frame(rows), hidden, merged, min_group)
    return fig if weights is None else _with_weighted(fig, survey, weights)


def _by_counts(survey, spec: FigureSpec) -> pd.DataFrame:
    assert spec.by is not None
    r = survey.responses.loc[survey.group_mask(spec.among).to_numpy(), [spec.field, spec.by]]
    r = r[r[spec.field].notna().to_numpy()]
    by = r[spec.by].astype("object").where(r[spec.by].notna(), NOT_GIVEN)
    index = list(survey.options(spec.by)) + ([NOT_GIVEN] if (by == NOT_GIVEN).any() else [])
    return pd.crosstab(by, r[spec.field].astype("object")).reindex(
        index=index, columns=list(survey.options(spec.field)), fill_value=0
    ).astype("int64")


def _group_records(survey, spec: FigureSpec, counts: pd.DataFrame, min_group: int
                   ) -> tuple[list[tuple[str, dict[str, int], int]], tuple[str, ...], str | None]:
    """Shown groups with their answer counts; empty groups are left out (they have no share to draw)."""
    counts = counts.copy()
    counts.index = [str(i) for i in counts.index]
    counts.columns = [str(c) for c in counts.columns]
    records = [(str(g), {str(c): int(v) for c, v in row.items()}, int(row.sum())) for g, row in counts.iterrows()]
    hidden_set, whole = _hidden(survey, spec.field, spec.by, spec.among, [r[0] for r in records], min_group)
    if whole:
        return [], tuple(r[0] for r in records), None
    records = _drop_not_given(records, hidden_set)
    shown, hidden, merged = _merge(records, hidden_set)
    return [g for g in shown if g[2] > 0], hidden, merged


def _n(counts: pd.DataFrame, hidden: tuple[str, ...]) -> int:
    """Respondents behind a figure by a field: those who did not give it count only when drawn (hidden)."""
    if NOT_GIVEN in counts.index and NOT_GIVEN not in hidden:
        counts = counts.drop(index=NOT_GIVEN)
    return int(counts.to_numpy().sum())


def share_data(survey, spec: FigureSpec, min_group: int = 1, weights: Any = None) -> FigureData:
    """The share answering ``spec.value`` in each group of ``spec.by`` (within ``spec.among``)."""
    counts = _by_counts(survey, spec)
    groups, hidden, merged = _group_records(survey, spec, counts, min_group)
    value = str(spec.value)
    records = [(g, value, c.get(value, 0), t) for g, c, t in groups]
    fig = FigureData(spec.number, spec.kind, spec.title, spec.field, spec.by, value, spec.among,
                     _n(counts, hidden), _frame(records), hidden, merged, min_group)
    return fig if weights is None else _with_weighted(fig, survey, weights)


def cross_data(survey, spec: FigureSpec, min_group: int = 1, weights: Any = None) -> FigureData:
    """The shares of every answer of ``spec.field`` in each group of ``spec.by`` (within ``spec.among``)."""
    counts = _by_counts(survey, spec)
    groups, hidden, merged = _group_records(survey, spec, counts, min_group)
    records = [(g, str(cat), n, t) for g, c, t in groups for cat, n in c.items()]
    fig = FigureData(spec.number, spec.kind, spec.title, spec.field, spec.by, None, spec.among,
                     _n(counts, hidden), _frame(records), hidden, merged, min_group)
    return fig if weights is None else _with_weighted(fig, survey, weights)


def figure_data(survey, spec: FigureSpec, min_group: int = 1, weights: Any = None) -> FigureData:
    """The numbers behind the figure ``spec`` (see :class:`FigureData`); with ``weights`` (a
    :class:`fuldtid.weighting.Weights`) also the weighted share of every bar."""
    if spec.kind == "distribution":
        return distribution_data(survey, spec, min_group, weights)
    if spec.kind == "share":
        return share_data(survey, spec, min_group, weights)
    return cross_data(survey, spec, min_group, weights)


def all_figures(tableset) -> tuple[FigureData, ...]:
    """Every figure of the survey definition, protected at the table set's anonymity threshold, with
    weighted shares when the table set is weighted."""
    s = tableset.survey
    w = tableset.weighting
    return tuple(figure_data(s, spec, tableset.min_group, w) for spec in s.definition.figures)


# --- weighted shares -----------------------------------------------------------------------------


def _members(fig: FigureData, label: str) -> tuple[str, ...]:
    """The answers (distribution) or groups (share, cross) a bar's label stands for."""
    return fig.hidden if fig.merged_label is not None and label == fig.merged_label else (label,)


def _with_weighted(fig: FigureData, survey, weights: Any) -> FigureData:
    """``fig`` with the weighted share of every bar, as :mod:`fuldtid.weighted` estimates the tables':
    y = the bar's answer, domain = the figure's group, answered (and, by a second field, in the bar's group)."""
    if getattr(weights, "cells", None) is None or not isinstance(getattr(weights, "weights", None), pd.Series):
        return fig  # weights without the raked design (not from rake()) give no interval: draw as unweighted
    from .definition import ALL

    margins = {m.variable for m in getattr(getattr(weights, "population", None), "margins", ())}
    if fig.kind == "distribution" and fig.field in margins and fig.among == ALL:
        return replace(fig, weighting_variable=True)
    from .errors import WeightingError
    from .weighting import weighted_share

    r = survey.responses
    answer = r[fig.field].astype("object")
    domain = survey.group_mask(fig.among) & answer.notna()
    by = None
    if fig.by is not None:
        # Those who did not give ``by`` are drawn only within a merged bar (NOT_GIVEN among its members).
        by = r[fig.by].astype("object").where(r[fig.by].notna(), NOT_GIVEN)
    has_weight = weights.weights.notna()
    out = []
    for g, c in fig.data[["group", "category"]].itertuples(index=False):
        if by is None:
            y, dom = answer.isin(_members(fig, g)), domain
        else:
            y, dom = answer == c, domain & by.isin(_members(fig, g))
        est = None
        if bool((dom & has_weight).any()):
            try:
                est = weighted_share(weights, y.fillna(False).astype(bool), dom.astype(bool), method="beta")
            except WeightingError:
                est = None
        out.append((est.pct, est.ci_low, est.ci_high) if est is not None else (nan, nan, nan))
    d = fig.data.copy()
    for i, col in enumerate(WEIGHTED_COLUMNS):
        d[col] = pd.Series([float(v[i]) for v in out], index=d.index, dtype="float64")
    return replace(fig, data=d, weighted=True)


# --- drawing -----------------------------------------------------------------------------------


def _label(g: str, total: int, show_n: bool) -> str:
    return f"{g} (n={fmt.number(total)})" if show_n else g


def figure_theme(height: float):
    """The memo's figure look (body font, light vertical grid, legend below), for every figure it draws."""
    import plotnine as p9

    return p9.theme_minimal(base_size=10, base_family=FONT) + p9.theme(
        panel_grid_major_y=p9.element_blank(),
        panel_grid_minor=p9.element_blank(),
        panel_grid_major_x=p9.element_line(color="#dddddd", size=0.4),
        axis_text=p9.element_text(color="#222222"),
        axis_title_x=p9.element_text(color="#222222", size=9),
        legend_position="bottom",
        legend_title=p9.element_blank(),
        figure_size=(WIDTH_IN, height),
        dpi=DPI,
    )


def _plot(fig: FigureData):
    """The plotnine plot of a figure (imported here: plotting costs a second and only the memo needs it)."""
    import plotnine as p9

    d = fig.data.copy()
    d["pct_num"] = [0.0 if v is None or pd.isna(v) else float(v) for v in d["pct"]]
    d["text"] = [fmt.pct(v) if v is not None and not pd.isna(v) else "" for v in d["pct"]]
    # Labels sit just past the bar's end (plotnine cannot nudge and dodge the same layer).
    d["label_y"] = d["pct_num"] + 1.2
    show_n = fig.kind != "distribution"
    labels = [_label(g, int(t), show_n) for g, t in zip(d["group"], d["total"])]
    order = list(dict.fromkeys(labels))
    # coord_flip draws the first level at the bottom; reverse so the bars read top-down in answer order.
    d["bar"] = pd.Categorical(labels, categories=order[::-1])
    top = max(100.0, float(d["pct_num"].max() if len(d) else 0) + 12)
    if fig.weighted:
        d, top = _weighted_labels(d)
    theme = figure_theme(_height(fig))
    scale_y = p9.scale_y_continuous(limits=(0, top), breaks=[0, 20, 40, 60, 80, 100],
                                    labels=lambda xs: [f"{int(x)}%" for x in xs], expand=(0, 0))
    if fig.kind == "cross":
        cats = list(dict.fromkeys(d["category"]))
        d["answer"] = pd.Categorical(d["category"], categories=cats[::-1])
        dodge = p9.position_dodge(width=0.85)
        fills = dict(zip(cats, WEIGHTED_SHADES if fig.weighted else SHADES))
        plot = (
            p9.ggplot(d, p9.aes("bar", "pct_num", fill="answer"))
            + p9.geom_col(position=dodge, width=0.8, color="#1f1f1f", size=0.2)
            + p9.geom_text(p9.aes(y="label_y", label="text", group="answer"), position=dodge, ha="left",
                           size=7.5, family=FONT, color="#111111")
            + p9.scale_fill_manual(values=fills, breaks=cats)
        )
        if fig.weighted:
            plot += _weighted_layer(p9, dodge)
        return plot + p9.coord_flip() + scale_y + p9.labs(x="", y="Andel af gruppen") + theme
    y_title = ("Andel af dem, der har svaret" if fig.kind == "distribution"
               else f"Andel, der svarer »{fig.value}«")
    if not fig.weighted:
        return (
            p9.ggplot(d, p9.aes("bar", "pct_num"))
            + p9.geom_col(fill=BAR, width=0.7)
            + p9.geom_text(p9.aes(y="label_y", label="text"), ha="left", size=8.5, family=FONT, color="#111111")
            + p9.coord_flip()
            + scale_y
            + p9.labs(x="", y=y_title)
            + theme
        )
    # Weighted: the bar keeps the answers as given; a legend entry names it, next to the weighted point.
    d["series"] = pd.Categorical([SERIES[0]] * len(d), categories=[SERIES[0]])
    return (
        p9.ggplot(d, p9.aes("bar", "pct_num"))
        + p9.geom_col(p9.aes(fill="series"), width=0.7)
        + p9.geom_text(p9.aes(y="label_y", label="text"), ha="left", size=8, family=FONT, color="#111111")
        + _weighted_layer(p9, None)
        + p9.scale_fill_manual(values={SERIES[0]: WEIGHTED_BAR})
        + p9.coord_flip()
        + scale_y
        + p9.labs(x="", y=y_title)
        + theme
    )


def _weighted_labels(d: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """One label per bar, the bar's own share, past the end of the bar or the interval, whichever reaches
    further, and the axis room it needs (the weighted share is the marked point; its number is in the
    table, the text alternative and the memo's prose)."""
    hi = [0.0 if pd.isna(v) else float(v) for v in d["w_high"]]
    d["label_y"] = [max(p, h) + 1.5 for p, h in zip(d["pct_num"], hi)]
    d["w_series"] = pd.Categorical([SERIES[1]] * len(d), categories=[SERIES[1]])
    # About 1.6 percentage points of axis per character of the label, at the figure's width and text size.
    need = max((y + 1.6 * len(t) for y, t in zip(d["label_y"], d["text"])), default=0.0)
    return d, max(100.0, need)


def _weighted_layer(p9: Any, dodge: Any):
    """The weighted share as a point with its 95% interval: one layer, so the figure costs little more."""
    layer = p9.geom_pointrange(
        # One group per answer (cross) or one in all: plotnine draws a point range group by group, and a
        # group per bar would cost a tenth of a second per figure.
        p9.aes(y="w_pct", ymin="w_low", ymax="w_high", shape="w_series", group="answer" if dodge else "w_series"),
        position=dodge if dodge is not None else "identity", fill="white", color="#000000", size=0.45,
        fatten=3.2, na_rm=True,
    )
    return [layer, p9.scale_shape_manual(values={SERIES[1]: "D"}),
            p9.guides(fill=p9.guide_legend(order=1), shape=p9.guide_legend(order=2))]


def _height(fig: FigureData) -> float:
    bars = len(fig.data)
    per = 0.26 if fig.kind == "cross" else 0.36
    legend = 0.45 if fig.kind == "cross" or fig.weighted else 0.0
    return round(min(8.0, 0.9 + legend + per * max(bars, 1)), 2)


def render_png(fig: FigureData) -> bytes:
    """The figure as PNG bytes: fixed size and resolution, no timestamp or software tag, so identical input
    gives identical bytes. Rendered once per content and reused (the DOCX and the HTML memo share them)."""
    return _render_cached(fig)[0]


def render_svg(fig: FigureData) -> str:
    """The figure as SVG text for the HTML memo: sharp at any zoom, text drawn as paths in the shipped font
    (so it looks the same without the font installed), no date and fixed ids, so identical input gives
    identical text. Drawn together with the PNG: building the plot is most of the cost."""
    return _render_cached(fig)[1].decode("utf-8")


_CACHE: dict[tuple, tuple[bytes, bytes]] = {}


def _render_cached(fig: FigureData) -> tuple[bytes, bytes]:
    key = fig.key()
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    both = _draw_both(fig)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = both
    return both


def _register_font() -> None:
    from importlib import resources

    from matplotlib import font_manager

    with resources.as_file(resources.files("fuldtid.templates").joinpath(FONT_FILE)) as path:
        if not any(f.fname == str(path) for f in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(str(path))


def _draw(fig: FigureData, form: str = "png") -> bytes:
    """One form of the figure, drawn afresh (the cache's functions draw both at once)."""
    return _draw_both(fig)[0 if form == "png" else 1]


def _draw_both(fig: FigureData) -> tuple[bytes, bytes]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    _register_font()
    # A figure that draws itself (the comparison of two waves, fuldtid.compare_render) has a plot() of its own.
    figure = (fig.plot() if hasattr(fig, "plot") else _plot(fig)).draw()
    png, svg = io.BytesIO(), io.BytesIO()
    try:
        figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
        with matplotlib.rc_context({"svg.hashsalt": "fuldtid", "svg.fonttype": "path"}):
            figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    finally:
        plt.close(figure)
    return png.getvalue(), svg.getvalue()


def warm_up() -> None:
    """Import the plotting libraries ahead of time (about a second), e.g. in a thread while the export
    is read; importing them again later is then free."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot  # noqa: F401
    import plotnine  # noqa: F401

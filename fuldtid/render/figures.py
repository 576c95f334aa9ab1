"""Drawing the memo's figures with plotnine, from the protected numbers of :mod:`fuldtid.stats.figuredata`.

Drawing is kept apart from the numbers, so the numbers can be tested and quoted in the prose without
importing any plotting library.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd

from fuldtid import fmt
from fuldtid.stats.figuredata import FigureData

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from types import ModuleType

    from plotnine import position_dodge
    from plotnine.ggplot import PlotAddable

    from fuldtid.stats.release import Release
    from fuldtid.stats.tables import TableSet

# The one restrained palette: dark grey bars; shades that stay apart when printed in black and white.
BAR = "#4a4a4a"
SHADES = ("#1f1f1f", "#7a7a7a", "#c4c4c4", "#a0a0a0", "#505050", "#e0e0e0")
# With weights the bars are lighter, so the black point and its interval stand out on them.
WEIGHTED_BAR = "#9e9e9e"
WEIGHTED_SHADES = ("#6a6a6a", "#b0b0b0", "#e4e4e4", "#c8c8c8", "#8a8a8a", "#f0f0f0")
# The memo's body font: Liberation Sans, metric-compatible with Arial, shipped with fuldtid (SIL OFL, see
# reports/templates/fonts/) so that every machine draws the same glyphs and writes the same bytes.
FONT = "Liberation Sans"
FONT_FILE = "fonts/LiberationSans-Regular.ttf"
DPI = 220  # sharp when printed; the memo's DOCX embeds the PNG, the HTML an SVG
WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page with 2.5 cm margins
SERIES = ("Besvarelser", "Vægtet (95%-KI)")  # legend: the bar is the answers as given, the point the weighted share

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


def _weighted_layer(p9: ModuleType, dodge: position_dodge | None) -> list[PlotAddable]:
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
_PENDING: dict[tuple, Future[tuple[bytes, bytes]]] = {}  # figures being drawn by the worker processes


def _render_cached(fig: FigureData) -> tuple[bytes, bytes]:
    key = fig.key()
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    future = _PENDING.pop(key, None)
    both = None
    if future is not None:
        try:
            both = future.result()
        except Exception:  # noqa: BLE001 - a worker that failed: draw here, where an error is reported
            both = None
    if both is None:
        both = _draw_both(fig)
    _keep(key, both)
    return both


def _keep(key: tuple, both: tuple[bytes, bytes]) -> None:
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = both


# --- drawing in worker processes ----------------------------------------------------------------
#
# Drawing the memo's figures is most of the memo's CPU time after the tables, and plotnine's import about a
# second more. :func:`warm_up` (the report command calls it when a memo is asked for, before reading the export)
# starts worker processes that import plotnine while the export is read and the tables are computed;
# :func:`draw_all` then hands them every figure at once, and the DOCX and HTML renderers collect the bytes. The
# workers run the same code as :func:`_draw_both` on the same numbers, so the bytes are the same as drawn here.
# Without :func:`warm_up` (a library call, the tests) everything is drawn in this process, as before.

_POOL: list[ProcessPoolExecutor] = []


def _workers() -> int:
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def _start_pool() -> ProcessPoolExecutor | None:
    """The worker processes: started by a fork server that has imported plotnine once, so each worker starts
    with it loaded (fork from this process is not safe here: the export is being read in another thread)."""
    if _POOL:
        return _POOL[0]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not POSIX
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["fuldtid.render.figures", "matplotlib.pyplot", "plotnine"])
    pool = ProcessPoolExecutor(max_workers=_workers(), mp_context=context, initializer=_worker_start)
    _POOL.append(pool)
    import atexit

    atexit.register(stop_workers)  # shut down while the interpreter is still whole
    return pool


def _worker_start() -> None:
    _import_plotting()
    _register_font()


def _ready() -> bool:
    return True


def draw_all(tableset: Release | TableSet) -> None:
    """Start drawing every figure of ``tableset`` in the worker processes, if :func:`warm_up` started them
    (else nothing: each figure is drawn here when first asked for). Returns at once; :func:`render_png` and
    :func:`render_svg` wait for the figure they need."""
    if not _POOL:
        return
    from fuldtid.stats.release import Release

    figs = Release.of(tableset).figures  # the release's figures: computed once, the same the memo draws
    pool = _POOL[0]
    for fig in figs:
        if hasattr(fig, "plot"):
            continue  # a figure that draws itself: drawn here
        key = fig.key()
        if key in _CACHE or key in _PENDING:
            continue
        try:
            _PENDING[key] = pool.submit(_draw_both, fig)
        except Exception:  # noqa: BLE001 - a broken pool: draw here
            return


def stop_workers() -> None:
    """Shut the worker processes down (they are idle once the figures are drawn)."""
    while _POOL:
        _POOL.pop().shutdown(wait=True, cancel_futures=True)


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
    # A figure that draws itself (the comparison of two waves, fuldtid.render.compare_render) has a plot() of its own.
    figure = (fig.plot() if hasattr(fig, "plot") else _plot(fig)).draw()
    png, svg = io.BytesIO(), io.BytesIO()
    try:
        figure.savefig(png, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
        with matplotlib.rc_context({"svg.hashsalt": "fuldtid", "svg.fonttype": "path"}):
            figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    finally:
        plt.close(figure)
    return png.getvalue(), svg.getvalue()


def warm_up(workers: bool = True) -> None:
    """Get ready to draw while the export is read (the report command calls it, in a thread, when a memo is
    asked for): start the worker processes that :func:`draw_all` draws in, which import the plotting
    libraries (about a second) in parallel with this process. Without ``workers`` (or where worker processes
    cannot be started), import them here instead; importing them again later is then free."""
    if workers:
        pool = _start_pool()
        if pool is not None:
            # Start every worker now, so that they import while this process reads the export.
            for _ in range(_workers()):
                pool.submit(_ready)
            return
    _import_plotting()


def _import_plotting() -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot  # noqa: F401
    import plotnine  # noqa: F401

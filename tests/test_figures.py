"""Figures 1-6: the numbers behind each bar (pure, no plotting) and deterministic PNG rendering."""

from __future__ import annotations

import math

import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from fuldtid import fmt
from fuldtid.render import figures
from fuldtid.stats import figuredata
from fuldtid.model.definition import FigureSpec

from memo_helpers import example_tableset, rebuild


def by_number(tableset, number):
    return next(f for f in figuredata.all_figures(tableset) if f.number == number)


def test_every_figure_of_the_definition(ts):
    figs = figuredata.all_figures(ts)
    assert [f.number for f in figs] == [1, 2, 3, 4, 5, 6]
    for f in figs:
        assert list(f.data.columns) == figuredata.COLUMNS
        assert f.caption.startswith(f"Figur {f.number}: {f.title} (n=")


def test_share_figure_matches_a_cross_tabulation(ts):
    f = by_number(ts, 1)  # share of part-timers wanting more hours, by current hours
    r = ts.survey.responses
    part = ts.survey.group_mask("deltid")
    sub = r[part & r["op_i_tid"].notna()]
    expected = (sub["op_i_tid"] == "Ja").groupby(sub["timetal"], observed=True).mean() * 100
    assert f.groups() == ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer"]  # 37 timer: nobody
    for g in f.groups():
        assert f.pct(g) == pytest.approx(expected[g])
    assert f.n == len(sub) == ts.table(1).base
    # The memo's figure 1: the 1-9 hours group highest at 37%, the 10-19 hours group lowest at 17%.
    assert round(f.pct("1-9 timer")) == 37 and round(f.pct("10-19 timer")) == 17


def test_distribution_figure_adds_to_100_and_leaves_out_unanswered(ts):
    f = by_number(ts, 2)
    assert f.groups() == ["Ja", "Nej", "Ved ikke"]
    assert sum(f.data["count"]) == f.n == int(ts.survey.responses["mulighed"].notna().sum())
    assert sum(f.data["pct"]) == pytest.approx(100.0)
    assert (round(f.pct("Ja")), round(f.pct("Nej"))) == (60, 33)


def test_cross_figure_has_every_answer_per_group(ts):
    f = by_number(ts, 3)
    for g in f.groups():
        d = f.data[f.data["group"] == g]
        assert list(d["category"]) == ["Ja", "Nej", "Ved ikke"]
        assert sum(d["pct"]) == pytest.approx(100.0)
    # The 10-19 hours group has the largest share answering "no".
    nej = {g: f.pct(g, "Nej") for g in f.groups()}
    assert max(nej, key=nej.get) == "10-19 timer"


def test_small_groups_are_not_drawn_on_their_own():
    ts5 = example_tableset(min_group=5)
    age = by_number(ts5, 4)
    assert "Under 19 år" in age.hidden  # 2 respondents
    assert "Under 19 år" not in age.groups()
    assert age.merged_label in age.groups()
    # The merged bar is the hidden groups' sum: nobody is lost from the figure.
    assert sum(age.data["count"]) == age.n
    # And every drawn group meets the threshold.
    assert all(c >= 5 for c in age.data["count"])


def test_a_tiny_by_group_is_hidden_in_a_share_figure(ts):
    # Leave only 3 part-timers on 1-9 hours: below the threshold of 5, so not drawn by itself.
    r = ts.survey.responses
    small = r.index[(r["timetal"] == "1-9 timer").to_numpy()][3:]
    altered = rebuild(ts, responses=r.drop(index=small), min_group=5)
    f = by_number(altered, 1)
    assert "1-9 timer" not in f.groups()
    assert "1-9 timer" in f.hidden


def test_figure_data_for_an_empty_group_is_empty(ts):
    r = ts.survey.responses.iloc[:0]
    empty = rebuild(ts, responses=r)
    f = figuredata.figure_data(empty.survey, FigureSpec(9, "distribution", "koen", "Køn"), 1)
    assert f.n == 0
    assert all(p is None for p in f.data["pct"])
    f1 = figuredata.figure_data(empty.survey, empty.survey.definition.figures[0], 1)
    assert f1.data.empty


def test_png_is_deterministic_and_carries_no_metadata(ts):
    f = by_number(ts, 5)
    figures._CACHE.clear()
    a = figures.render_png(f)
    figures._CACHE.clear()
    b = figures._draw(f)
    assert a == b
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in a and b"matplotlib" not in a.lower()
    # Fixed size: 6.3 inches wide at 150 dpi.
    width = int.from_bytes(a[16:20], "big")
    assert width == round(figures.WIDTH_IN * figures.DPI)


def test_rendering_is_cached_by_content(ts):
    f = by_number(ts, 2)
    first = figures.render_png(f)
    same_content = replace(f, data=f.data.copy())
    assert figures.render_png(same_content) is first


def test_figure_key_changes_with_the_numbers(ts):
    f = by_number(ts, 2)
    d = f.data.copy()
    d.loc[0, "count"] += 1
    assert replace(f, data=d).key() != f.key()


def test_figure_alt_text_lists_every_bar(ts):
    from fuldtid.render.memo_context import figure_alt

    f = by_number(ts, 6)
    alt = figure_alt(f)
    for g in f.groups():
        assert g in alt
    assert "47%" in alt  # 30-36 timer


def test_no_plotting_import_for_figure_data():
    import subprocess

    code = (
        "import sys; from fuldtid.stats import figuredata; from fuldtid.render import memo; "
        "assert 'plotnine' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_shares_are_of_group_totals_when_values_are_missing(ts):
    # A respondent who skipped the question is out of the figure, not counted as "no".
    r = ts.survey.responses.copy()
    part = r.index[ts.survey.group_mask("deltid").to_numpy()]
    r.loc[part[:10], "op_i_tid"] = pd.NA
    altered = rebuild(ts, responses=r)
    f = by_number(altered, 1)
    assert f.n == ts.table(1).base - 10


# --- weighted figures (issue 4) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tsw():
    return example_tableset(min_group=5, population=True)


def test_weighted_shares_on_every_bar(tsw):
    from fuldtid.stats.weighting import weighted_share

    figs = {f.number: f for f in figuredata.all_figures(tsw)}
    # Figures 5 and 6 show the weighting variables themselves: weighted, their shares are the population
    # file's by construction, so no weighted estimate (with a pretend interval) is drawn for them.
    assert [n for n, f in figs.items() if not f.weighted] == [5, 6]
    assert figs[5].weighting_variable and figs[6].weighting_variable
    assert figs[5].weighted_pct("Kvinde") is None and list(figs[6].data.columns) == figuredata.COLUMNS
    w, r = tsw.weighting, tsw.survey.responses
    # Figure 6 still hides the 2 respondents without hours with the smallest group (10-19 timer).
    assert figs[6].hidden == ("10-19 timer", "Ikke angivet")
    # Figure 1 (share of "Ja" by hours among part-timers) as the tables estimate a share in a domain.
    f1 = figs[1]
    dom = tsw.survey.group_mask("deltid") & r["op_i_tid"].notna() & (r["timetal"] == "30-36 timer").fillna(False)
    e = weighted_share(w, (r["op_i_tid"] == "Ja").fillna(False).astype(bool), dom.astype(bool), method="beta")
    # Published rounded to whole percent, as every weighted number of a protected release (fuldtid.stats.weighted).
    assert f1.weighted_pct("30-36 timer") == (round(e.pct), round(e.ci_low), round(e.ci_high)) == (31, 25, 38)
    # The merged bar of hidden age groups stands for their members together.
    f4 = figs[4]
    assert f4.merged_label == "Øvrige grupper"
    y = r["alder"].astype("object").isin(f4.hidden)
    e = weighted_share(w, y, r["alder"].notna())
    assert f4.weighted_pct("Øvrige grupper")[0] == round(e.pct)
    # Every interval holds its estimate; a cross figure's weighted shares add up to 100 per group.
    # (A bar of a group smaller than weighted_min, 20 at the default, has no weighted point: NaN.)
    for f in (f for f in figs.values() if f.weighted):
        for lo, p, hi in f.data[["w_low", "w_pct", "w_high"]].itertuples(index=False):
            assert (math.isnan(p) and math.isnan(lo)) or lo - 1e-9 <= p <= hi + 1e-9
    f3 = figs[3].data
    assert f3.groupby("group")["w_pct"].sum().to_numpy() == pytest.approx(100.0, abs=2)  # rounded shares


def test_unweighted_figures_are_unchanged(ts):
    for f in figuredata.all_figures(ts):
        assert not f.weighted and list(f.data.columns) == figuredata.COLUMNS
        assert f.weighted_pct(f.groups()[0], None if f.kind != "cross" else f.data["category"].iloc[0]) is None


def test_weights_without_a_raked_design_draw_unweighted(ts):
    from types import SimpleNamespace

    fake = SimpleNamespace(margins=(), population=SimpleNamespace(size=1000))
    f = figuredata.all_figures(replace(ts, weighting=fake))[0]
    assert not f.weighted


def test_weighted_plot_adds_one_layer_and_renders_deterministically(ts, tsw):
    plain = {f.number: f for f in figuredata.all_figures(example_tableset(min_group=5))}
    for f in figuredata.all_figures(tsw):
        added = 0 if f.weighting_variable else 1
        assert len(figures._plot(f).layers) == len(figures._plot(plain[f.number]).layers) + added
    f = by_number(tsw, 3)
    figures._CACHE.clear()
    a = figures.render_png(f)
    b = figures._draw(f)
    assert a == b and a != figures.render_png(plain[3])
    assert f.key() != plain[3].key()
    # One label per bar, the bar's own share: the weighted share is the marked point (and in the alt text).
    from fuldtid import fmt

    p = figures._weighted_labels(f.data.assign(pct_num=f.data["pct"].astype(float),
                                               text=[fmt.pct(v) for v in f.data["pct"]]))[0]
    assert list(p["text"]) == [fmt.pct(v) for v in f.data["pct"]]
    assert not any("vægtet" in t for t in p["text"])
    # The label sits past the interval where the interval reaches further than the bar.
    assert all(y >= max(b, h) for y, b, h in zip(p["label_y"], p["pct_num"], p["w_high"].fillna(0)))
    assert all(y >= hi for y, hi in zip(p["label_y"], f.data["w_high"]))


def test_weighted_alt_text(tsw):
    from fuldtid.render.memo_context import figure_alt

    # A weighting variable (figure 6, hours) has no weighted share: the text lists the answers only.
    assert "vægtet" not in figure_alt(by_number(tsw, 6))
    f = by_number(tsw, 1)
    lo, hi = fmt.interval(*f.weighted_pct("30-36 timer")[1:]).rstrip("%").split("–")
    assert int(lo) < int(hi)  # never a zero-width "26–26%"
    assert f"30-36 timer: {fmt.pct(f.pct('30-36 timer'))} (vægtet {fmt.pct(f.weighted_pct('30-36 timer')[0])}, " \
        f"95%-konfidensinterval {lo}–{hi}%)" in figure_alt(f)


def test_figures_drawn_by_the_worker_processes_are_the_bytes_drawn_here(ts):
    """The report command draws the memo's figures in worker processes (started by warm_up); the bytes are
    those of drawing them in this process."""
    figs = [f for f in figuredata.all_figures(ts)][:2]
    figures._CACHE.clear()
    here = [figures._draw_both(f) for f in figs]
    figures.warm_up()
    try:
        figures.draw_all(ts)
        assert all(f.key() in figures._PENDING for f in figs)
        there = [figures._render_cached(f) for f in figs]
    finally:
        figures.stop_workers()
        figures._PENDING.clear()
        figures._CACHE.clear()
    assert there == here

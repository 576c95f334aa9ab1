"""Figures 1-6: the numbers behind each bar (pure, no plotting) and deterministic PNG rendering."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from fuldtid import figures
from fuldtid.definition import FigureSpec

sys.path.insert(0, str(Path(__file__).parent))
from test_memo import example_tableset, rebuild  # noqa: E402


@pytest.fixture(scope="module")
def ts():
    return example_tableset(min_group=1)


def by_number(tableset, number):
    return next(f for f in figures.all_figures(tableset) if f.number == number)


def test_every_figure_of_the_definition(ts):
    figs = figures.all_figures(ts)
    assert [f.number for f in figs] == [1, 2, 3, 4, 5, 6]
    for f in figs:
        assert list(f.data.columns) == figures.COLUMNS
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
    f = figures.figure_data(empty.survey, FigureSpec(9, "distribution", "koen", "Køn"), 1)
    assert f.n == 0
    assert all(p is None for p in f.data["pct"])
    f1 = figures.figure_data(empty.survey, empty.survey.definition.figures[0], 1)
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
    from fuldtid.memo import figure_alt

    f = by_number(ts, 6)
    alt = figure_alt(f)
    for g in f.groups():
        assert g in alt
    assert "47%" in alt  # 30-36 timer


def test_no_plotting_import_for_figure_data():
    import subprocess

    code = (
        "import sys; from fuldtid import figures, memo; "
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

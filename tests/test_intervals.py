"""Korn–Graubard ("beta") intervals of weighted shares, checked against R's survey package.

R values: tests/r_reference/beta.R (survey 4.1.1, R 4.2.2) on the sample and raked design of
reference.R (see test_weighting.py); full output in tests/r_reference/beta_output.txt.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from fuldtid.stats.weighting import NOTE_CALIBRATED, NOTE_CENSUS, NOTE_ONE, korn_graubard, weighted_share

from test_weighting import UNDER30, flags, rk, sample  # noqa: F401 (fixtures)


def assert_ci(e, r) -> None:
    p, lo, hi = r
    assert e.pct == pytest.approx(100 * p, abs=1e-6)
    assert e.ci_low == pytest.approx(100 * lo, abs=1e-6)
    assert e.ci_high == pytest.approx(100 * hi, abs=1e-6)
    assert e.note is None


@pytest.mark.parametrize("name, domain, y, r", [
    # svyciprop(~mulja, subset(rk, !is.na(mulighed)), method = "beta", na.rm = TRUE)
    ("answered", lambda s, d: s["mulighed"].notna(), "mulja",
     (0.503400104678191, 0.456667507421963, 0.550088609838037)),
    # svyciprop(~mere, subset(rk, deltid), method = "beta", na.rm = TRUE)
    ("deltid", lambda s, d: d, "mere", (0.320999120419675, 0.267822366312586, 0.377850376026491)),
    # svyciprop(~mere, subset(rk, deltid & koen == "Mand"), method = "beta", na.rm = TRUE)
    ("deltid.mand", lambda s, d: d & s["koen"].eq("Mand"), "mere",
     (0.327883963975856, 0.210964502144875, 0.462841465605528)),
    # svyciprop(~mere, subset(rk, timetal == "1-9 timer"), method = "beta", na.rm = TRUE): 19 respondents
    ("1-9", lambda s, d: s["timetal"].eq("1-9 timer"), "mere",
     (0.482344508981122, 0.279442277732425, 0.689606082251456)),
])
def test_beta_intervals_match_r(sample, rk, name, domain, y, r):  # noqa: F811
    deltid, mere, mulja = flags(sample)
    e = weighted_share(rk, {"mere": mere, "mulja": mulja}[y], domain(sample, deltid), method="beta")
    assert_ci(e, r)


def test_two_respondents_match_r(sample, rk):  # noqa: F811
    # R: the first "Ja" and the first "Nej" among the weighted respondents on 1-9 timer;
    # svyciprop(~mere, subset(rk2, two), method = "beta", na.rm = TRUE) = 0.5 [2.4e-45, 1] (df 1).
    d = sample[sample["koen"].notna() & sample["timetal"].notna()]
    on = d[d["timetal"].eq("1-9 timer") & d["op_i_tid"].notna()]
    two = [on.index[on["op_i_tid"].eq("Ja")][0], on.index[on["op_i_tid"].eq("Nej")][0]]
    _, mere, _ = flags(sample)
    e = weighted_share(rk, mere, pd.Series(sample.index.isin(two), index=sample.index), method="beta")
    assert e.df == 1 and e.pct == pytest.approx(50)
    assert e.ci_low == pytest.approx(100 * 2.42586401000377e-45, abs=1e-12)
    assert e.ci_high == pytest.approx(100.0)


def test_zero_and_all_are_never_zero_width(sample, rk):  # noqa: F811
    # R's svyciprop(method = "beta") returns NaN here (variance 0). The design effect is taken as 1:
    # n <- 113; n.eff <- n * (qt(0.025, 393 - 1) / qt(0.025, n - 1))^2     # 111.257315685733
    # qbeta(0.975, 1, n.eff) = 0.032612641984432; qbeta(0.025, n.eff, 1) = 0.967387358015568
    nobody = pd.Series(False, index=sample.index)
    e = weighted_share(rk, nobody, sample["mulighed"].notna() & sample["koen"].eq("Mand"), method="beta")
    assert (e.pct, e.ci_low, e.n) == (0, 0, 113)
    assert e.ci_high == pytest.approx(3.2612641984432, abs=1e-9)
    # everybody of the 83 on under 30 hours: n.eff 81.0683847904864, qbeta(0.025, n.eff, 1) = 0.955516444406496
    everybody = pd.Series(True, index=sample.index)
    e = weighted_share(rk, everybody, sample["timetal"].isin(UNDER30), method="beta")
    assert e.pct == 100 and e.ci_high == 100
    assert e.ci_low == pytest.approx(95.5516444406496, abs=1e-9)


def test_zero_of_thirty():
    # The "0% (0–0%)" for 0 of 30 in a design of 400: n.eff <- 30 * (qt(0.025, 399) / qt(0.025, 29))^2
    # = 27.718645432545; qbeta(0.975, 1, n.eff) = 0.124607535760591. (binom.test(0, 30): 0-0.1157.)
    lo, hi, note = korn_graubard(0.0, 0.0, 30, 29, 400)
    assert (lo, note) == (0.0, None)
    assert hi == pytest.approx(0.124607535760591, abs=1e-12)
    lo, hi, _ = korn_graubard(1.0, 0.0, 30, 29, 400)
    assert lo == pytest.approx(0.875392464239409, abs=1e-12) and hi == 1.0
    # Without the df adjustment (a design of the 30 alone) it is Clopper-Pearson: binom.test(0, 30)
    assert korn_graubard(0.0, 0.0, 30, 29, 30)[1] == pytest.approx(0.115703308222028, abs=1e-12)


def test_where_no_interval_can_be_estimated(sample, rk):  # noqa: F811
    # One respondent: R's degf is 0 and qt(0.025, 0) is NaN; no interval, and the note says why.
    lo, hi, note = korn_graubard(1.0, 0.0, 1, 0, 400)
    assert math.isnan(lo) and math.isnan(hi) and note == NOTE_ONE
    one = pd.Series(sample.index == sample.index[0], index=sample.index)
    e = weighted_share(rk, pd.Series(True, index=sample.index), one, method="beta")
    assert e.pct == 100 and math.isnan(e.ci_low) and e.note == NOTE_ONE
    # A weighting variable's share is fixed by the weighting (R: se 5e-13, interval of width 2e-12).
    deltid, _, _ = flags(sample)
    e = weighted_share(rk, deltid, None, method="beta")
    assert e.pct == pytest.approx(100 * 867 / 1172) and math.isnan(e.ci_high) and e.note == NOTE_CALIBRATED
    # Everyone in the population answered: no sampling error at all.
    assert korn_graubard(0.3, 0.0, 50, 49, 50, census=True)[2] == NOTE_CENSUS


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 30, 100, 1000])
@pytest.mark.parametrize("k", [0, 1, "half", "all-1", "all"])
def test_interval_contains_estimate_and_has_width(n, k):
    x = {"half": n // 2, "all-1": max(n - 1, 0), "all": n}.get(k, k)  # type: ignore[arg-type]
    if x > n:
        return
    p = x / n
    se = math.sqrt(p * (1 - p) / n)
    lo, hi, note = korn_graubard(p, se, n, n - 1, 400)
    if n == 1:
        assert note == NOTE_ONE
        return
    assert note is None and 0 <= lo <= p <= hi <= 1 and hi - lo > 0


def test_groups_of_one_render_everywhere_without_an_interval():
    # The README's way to reproduce the 2022 memo, weighted: groups of one respondent are shown. They used to
    # crash tables.json (NaN) and the memo (decimal.InvalidOperation); now they carry no interval and a note.
    import json

    from fuldtid.render.grid import table_grid, with_weighted
    from fuldtid.render.memo_html import memo_html
    from fuldtid.report import tables_json
    from fuldtid.render.xlsx import tables_workbook

    from memo_helpers import example_tableset

    ts = example_tableset(min_group=1, population=True)
    d = json.loads(tables_json(ts))
    cells = [w for t in d["tables"] if t["kind"] == "cross" for r in t["rows"] for w in (r.get("weighted") or {}).values()]
    ones = [w for w in cells if w["ci_low"] is None]
    assert ones and all(w["ci_note"] == NOTE_ONE and w["ci_high"] is None for w in ones)
    assert all(w["ci_high"] > w["ci_low"] for w in cells if w["ci_low"] is not None)
    t13 = ts.table(13)
    g = with_weighted(t13, table_grid(t13))
    assert any("(intet KI)" in c for row in g.rows for c in row)
    assert f"Intet KI: {NOTE_ONE}." in g.notes
    assert tables_workbook(ts)
    assert memo_html(ts)  # the memo weighs its one-way tables and figures: it renders, and says no "nan"
    from fuldtid.render.memo import build_memo
    from fuldtid.render.memo_context import figure_alt

    memo = build_memo(ts)
    words = memo.text() + " ".join(figure_alt(f.data) for f in memo.figures())
    assert not re.search(r"\bnan\b", words, re.IGNORECASE)

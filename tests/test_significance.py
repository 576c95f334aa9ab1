"""Tests of the tests of difference, against reference values computed in R 4.2.2 (survey 4.1.1).

Each reference number has the R call that produced it next to it (options(digits = 15)).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fuldtid.stats.significance import (
    DifferenceTest,
    chi2_sf,
    exact_rx2_pvalue,
    exact_rxc_pvalue,
    format_p,
    from_weighted_chisq,
    group_differences,
    monte_carlo_pvalue,
    holm,
    test_difference,
)
from fuldtid.stats.weighting import _rao_scott

# Tables 11-14 of the memo (rows as printed; the empty rows of tables 13/14 are included on purpose).
T11 = [[0, 2], [52, 116], [13, 31]]
T12 = [[6, 7], [10, 61], [14, 19]]
T13 = [[0, 10], [1, 2], [3, 13], [1, 4], [0, 2], [0, 1], [17, 21], [0, 0], [3, 23], [32, 55], [3, 3], [0, 2],
       [5, 13]]
T14 = [[6, 1], [0, 4], [1, 6], [2, 3], [0, 0], [0, 0], [0, 8], [1, 1], [1, 6], [8, 39], [7, 15], [0, 1], [4, 3]]


def df(rows: list[list[int]], columns: tuple[str, ...] = ("Ja", "Nej")) -> pd.DataFrame:
    return pd.DataFrame(rows, index=[f"g{i}" for i in range(len(rows))], columns=list(columns)[: len(rows[0])])


# --- test_difference -----------------------------------------------------------------------------------------


def test_fisher_2x2():
    result = test_difference(df([[8, 2], [1, 5]]))
    # R: fisher.test(matrix(c(8,2,1,5), ncol=2, byrow=TRUE))$p.value
    assert result.p_value == pytest.approx(0.034965034965035, rel=1e-9)
    assert result.method == "Fisher's exact test" and result.significant
    assert result.sentence == "Forskellen mellem grupperne er statistisk sikker (p = 0,035)."
    # R: fisher.test(matrix(c(3,23,32,55), ncol=2, byrow=TRUE))$p.value
    assert test_difference(df([[3, 23], [32, 55]])).p_value == pytest.approx(0.0156680989057911, rel=1e-9)


def test_exact_rxc_when_cheap():
    # R: fisher.test(matrix(c(6,7, 10,61, 14,19), ncol=2, byrow=TRUE))$p.value   (table 12)
    result = test_difference(df(T12))
    assert result.method == "Fisher-Freeman-Halton exact test"
    assert result.p_value == pytest.approx(0.00138114286272756, rel=1e-9)
    assert result.sentence == "Forskellen mellem grupperne er statistisk sikker (p = 0,001)."
    # R: fisher.test(matrix(c(0,2, 52,116, 13,31), ncol=2, byrow=TRUE))$p.value   (table 11) -> 1
    result = test_difference(df(T11))
    assert result.p_value == pytest.approx(1.0) and not result.significant
    assert result.sentence == "Forskellen mellem grupperne er ikke statistisk sikker (p = 1,00)."
    # R: fisher.test(matrix(c(3,1,0,1,4,2,0,2,5), ncol=3, byrow=TRUE))$p.value
    assert test_difference(df([[3, 1, 0], [1, 4, 2], [0, 2, 5]], ("a", "b", "c"))).p_value == pytest.approx(
        0.0465503450797568, rel=1e-9
    )
    # R: fisher.test(matrix(c(2,0,3,1,0,4,1,2), ncol=4, byrow=TRUE))$p.value
    assert test_difference(df([[2, 0, 3, 1], [0, 4, 1, 2]], ("a", "b", "c", "d"))).p_value == pytest.approx(
        0.0792540792540791, rel=1e-9
    )


def test_monte_carlo_for_large_sparse_tables():
    result = test_difference(df(T13))
    assert result.method == "Monte Carlo exact test (19999 simulations, seed 20220801)"
    # R: fisher.test(t13, workspace=2e8)$p.value with t13 = table 13 without its empty row
    exact = 0.0375378885149118
    assert abs(result.p_value - exact) < 4 * math.sqrt(exact * (1 - exact) / 19999)
    assert result == test_difference(df(T13))  # deterministic
    # R: fisher.test(t14, workspace=2e8)$p.value with t14 = table 14 without its empty rows
    exact = 0.00293636097020788
    p14 = test_difference(df(T14)).p_value
    assert abs(p14 - exact) < 4 * math.sqrt(exact * (1 - exact) / 19999)
    other_seed = test_difference(df(T13), seed=1)
    assert other_seed.method.endswith("seed 1)") and abs(other_seed.p_value - 0.0375378885149118) < 0.006
    assert other_seed.p_value != result.p_value


def test_monte_carlo_agrees_with_exact_on_a_larger_table():
    # 200 000 resamples: the estimate must be within 4 standard errors of the exact value computed by R.
    exact = 0.0375378885149118  # R: fisher.test(t13, workspace=2e8)$p.value (see above)
    table = np.array([row for row in T13 if sum(row)])
    p, used = monte_carlo_pvalue(table, n_resamples=200_000, seed=5)
    assert used == 200_000
    assert abs(p - exact) < 4 * math.sqrt(exact * (1 - exact) / 200_000)


def test_monte_carlo_stops_early_only_on_big_tables_with_a_clear_verdict():
    rng = np.random.default_rng(0)
    big = pd.DataFrame(rng.integers(0, 6, (77, 5)))  # e.g. a breakdown by workplace: 304 draws per table
    result = test_difference(big)
    assert result.method == "Monte Carlo exact test (4000 simulations, seed 20220801)"
    assert result.p_value == pytest.approx(5 / 4001)  # 4 of the 4000 tables were as improbable (+1 for the observed)
    p, used = monte_carlo_pvalue(big.to_numpy(), alpha=None)
    assert used == 19999 and p < 0.002


def test_chi_square_when_counts_allow():
    result = test_difference(df([[30, 45, 25], [20, 60, 40]], ("a", "b", "c")))
    # R: chisq.test(matrix(c(30,45,25,20,60,40), ncol=3, byrow=TRUE), correct=FALSE)
    #    X-squared = 5.83443223443224, df = 2, p-value = 0.054084041551104
    assert result.method == "chi-square test"
    assert result.statistic == pytest.approx(5.83443223443224, rel=1e-9) and result.df == 2
    assert result.p_value == pytest.approx(0.054084041551104, rel=1e-9) and not result.significant
    assert result.sentence == "Forskellen mellem grupperne er ikke statistisk sikker (p = 0,054)."
    # R: chisq.test(matrix(c(52,116,40,60,30,90), ncol=2, byrow=TRUE), correct=FALSE)$p.value
    assert test_difference(df([[52, 116], [40, 60], [30, 90]])).p_value == pytest.approx(0.057085449227899, rel=1e-9)


def test_empty_rows_and_columns_are_dropped():
    with_empty = test_difference(pd.DataFrame([[6, 7, 0], [0, 0, 0], [10, 61, 0], [14, 19, 0]]))
    assert with_empty.p_value == pytest.approx(0.00138114286272756, rel=1e-9)


@pytest.mark.parametrize("rows", [[[3, 4]], [[3], [4]], [[0, 0], [0, 0]], [[3, 0], [4, 0]], [[0, 5], [0, 0]]])
def test_degenerate_tables_cannot_be_tested(rows):
    result = test_difference(pd.DataFrame(rows))
    assert result == DifferenceTest(
        "ingen test", None, None, 1.0, False,
        "Forskellen mellem grupperne kan ikke testes, fordi der kun er svar i én gruppe eller i én svarkategori.",
    )


def test_alpha():
    assert not test_difference(df([[8, 2], [1, 5]]), alpha=0.01).significant


def test_bad_counts():
    with pytest.raises(ValueError, match="whole counts"):
        test_difference(pd.DataFrame([[1.5, 2], [3, 4]]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 15), min_size=4, max_size=4))
def test_exact_enumeration_agrees_with_fisher_2x2(cells):
    import scipy.stats

    table = np.array(cells).reshape(2, 2)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return
    assert exact_rxc_pvalue(table) == pytest.approx(scipy.stats.fisher_exact(table).pvalue, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 3).flatmap(
            lambda c: st.lists(st.lists(st.integers(0, 6), min_size=c, max_size=c), min_size=r, max_size=r)
        )
    )
)
def test_exact_enumeration_agrees_with_monte_carlo(rows):
    import scipy.stats

    table = np.array(rows)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return
    exact = exact_rxc_pvalue(table)
    assume(exact is not None)  # more tables than the enumeration limit
    assert 0 < exact <= 1
    tolerance = 5 * math.sqrt(max(exact * (1 - exact), 1e-4) / 4999) + 1e-3
    # our sampler, and scipy's (Patefield's algorithm) as an independent check of the sampler
    assert abs(exact - monte_carlo_pvalue(table, n_resamples=4999, seed=3)[0]) < tolerance
    method = scipy.stats.MonteCarloMethod(n_resamples=4999, rng=np.random.default_rng(3))
    assert abs(exact - scipy.stats.fisher_exact(table, method=method).pvalue) < tolerance


@pytest.mark.parametrize(
    ("x", "df", "r_value"),
    # R: pchisq(x, df, lower.tail=FALSE)
    [(5.83443223443224, 2, 0.0540840415511039), (0.5, 1, 0.479500122186953), (30, 7, 9.49597250813418e-05),
     (3.2, 5, 0.669182902033243), (100, 80, 0.064570368921133), (12.5, 12, 0.406404034036013),
     (0.001, 3, 0.999991592080942), (400, 300, 9.67862199493357e-05), (0, 4, 1.0)],
)
def test_chi2_sf_matches_r(x, df, r_value):
    assert chi2_sf(x, df) == pytest.approx(r_value, rel=1e-10)


def test_exact_enumeration_gives_up_beyond_the_limit():
    assert exact_rxc_pvalue(np.array(T13)[[0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]]) is None
    assert exact_rxc_pvalue(np.array(T12), limit=10) is None


# --- group_differences ---------------------------------------------------------------------------------------


def test_group_differences_table_13():
    results = group_differences(df(T13), "Ja")
    assert [r.label for r in results] == [f"g{i}" for i in range(13) if i != 7]  # the empty row has no share
    # R: ja <- t13[,1]; n <- rowSums(t13)   (table 13 without its empty row)
    #    p <- sapply(seq_along(ja), function(i) prop.test(c(ja[i], sum(ja)-ja[i]), c(n[i], sum(n)-n[i]),
    #                                                      correct=FALSE)$p.value)
    r_p = [0.0324178962976287, 0.910620580391078, 0.293208747682219, 0.609762002542365, 0.34800614171494,
           0.507949104703182, 0.0337531183975442, 0.0258676638629125, 0.0915877057573526, 0.288984199243115,
           0.34800614171494, 0.802385688108089]
    # R: p.adjust(p, method="holm")
    r_holm = [0.356596859273915, 1, 1, 1, 1, 1, 0.356596859273915, 0.31041196635495, 0.824289351816174, 1, 1, 1]
    assert [r.p_value for r in results] == pytest.approx(r_p, rel=1e-9)
    assert [r.p_holm for r in results] == pytest.approx(r_holm, rel=1e-9)
    assert not any(r.differs for r in results)
    first = results[0]
    assert first.share == 0 and first.rest_share == pytest.approx(65 / 204)
    # R: prop.test(c(0, 65), c(10, 204), correct=FALSE)$statistic -> X-squared = 4.57626003421503 (= z^2)
    assert first.z == pytest.approx(-math.sqrt(4.57626003421503), rel=1e-9)
    # z is signed: the share is below the rest
    assert results[6].z > 0


def test_group_differences_table_12():
    results = group_differences(df(T12), "Ja")
    # R: same prop.test / p.adjust calls on t12 <- matrix(c(6,7, 10,61, 14,19), ncol=2, byrow=TRUE)
    assert [r.p_value for r in results] == pytest.approx(
        [0.0724073400607449, 0.00037567619729271, 0.00916439264968034], rel=1e-9
    )
    assert [r.p_holm for r in results] == pytest.approx(
        [0.0724073400607449, 0.00112702859187813, 0.0183287852993607], rel=1e-9
    )
    assert [r.differs for r in results] == [False, True, True]


def test_group_differences_edge_cases():
    # Nobody answered "Ja": no group can differ.
    results = group_differences(df([[0, 5], [0, 7]]), "Ja")
    assert all(r.z == 0 and r.p_value == 1 and not r.differs for r in results)
    # A single group has nobody to compare with.
    (only,) = group_differences(df([[2, 5], [0, 0]]), "Ja")
    assert only.p_value == 1 and math.isnan(only.rest_share)
    with pytest.raises(ValueError, match="Måske"):
        group_differences(df(T12), "Måske")


def test_holm_matches_r():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), method="holm") -> 0.03 0.06 0.06 0.02
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([]) == []


# --- Rao-Scott -----------------------------------------------------------------------------------------------


def respondents_3x3() -> pd.DataFrame:
    rows = []
    for i in range(90):
        group = "ABC"[i % 3]
        answer = ["Ja", "Nej", "Ved ikke"][(i * 7 // 5 + (i % 3 == 0) * (i % 2)) % 3]
        rows.append((group, answer, 1 + (i % 4) * 0.5 + (i % 3 == 1) * 0.75))
    return pd.DataFrame(rows, columns=["g", "a", "w"])


def respondents_3x2() -> pd.DataFrame:
    rows = []
    for i in range(60):
        answer = "Ja" if (i % 3 == 0 and i % 5 != 1) or (i % 3 != 0 and i % 4 == 0) else "Nej"
        rows.append(("ABC"[i % 3], answer, 0.5 + (i % 5) * 0.4))
    return pd.DataFrame(rows, columns=["g", "a", "w"])


def fixed_weights_rao_scott(d: pd.DataFrame) -> DifferenceTest:
    """The Rao-Scott F test of ``fuldtid.stats.weighting`` (``_rao_scott``, the one implementation; in the
    package it is fed the raked design by ``weighted_chisq``) on a design with fixed weights, as R's
    ``svydesign(ids = ~1, weights = ~w)``: weighted cell shares and their with-replacement linearisation
    variance, cells ordered with the group varying fastest (R's ``interaction()``)."""
    from scipy.stats import f as f_dist

    from fuldtid.stats.significance import from_weighted_chisq

    row_codes, rows = pd.factorize(d.g, sort=True)
    col_codes, cols = pd.factorize(d.a, sort=True)
    nr, nc, n = len(rows), len(cols), len(d)
    w = d.w.to_numpy(dtype=float)
    indicators = np.zeros((n, nr * nc))
    indicators[np.arange(n), row_codes + nr * col_codes] = 1.0
    p = w @ indicators / w.sum()
    scores = w[:, None] * (indicators - p) / w.sum()
    centred = scores - scores.mean(axis=0)
    variance = n / (n - 1) * centred.T @ centred
    F, d0 = _rao_scott(nr, nc, p, variance, p.reshape(nc, nr).T)
    p_value = float(f_dist.sf(F, d0, d0 * (n - 1)))
    return from_weighted_chisq({"method": "Rao-Scott F", "statistic": F, "df1": d0, "df2": d0 * (n - 1),
                                "p_value": p_value})


def test_rao_scott_matches_r_survey():
    d = respondents_3x3()
    result = fixed_weights_rao_scott(d)
    # R: d <- read.csv(...the same 90 rows...); svychisq(~g+a, svydesign(ids=~1, weights=~w, data=d))
    #    F = 1.19130615640116, ndf = 3.96503725679347, ddf = 352.888315854619, p-value = 0.314297796226253
    assert result.statistic == pytest.approx(1.19130615640116, rel=1e-8)
    assert result.df == pytest.approx(3.96503725679347, rel=1e-8)
    assert result.p_value == pytest.approx(0.314297796226253, rel=1e-8)
    assert result.sentence == "Forskellen mellem grupperne er ikke statistisk sikker (p = 0,31)."

    d2 = d[d.a != "Ved ikke"]
    # R: svychisq(~g+a, svydesign(ids=~1, weights=~w, data=d[d$a != "Ved ikke",]))
    #    F = 2.30532690721553, ndf = 1.9815076205367, p-value = 0.10498045495099
    result = fixed_weights_rao_scott(d2)
    assert result.statistic == pytest.approx(2.30532690721553, rel=1e-8)
    assert result.p_value == pytest.approx(0.10498045495099, rel=1e-8)

    d3 = respondents_3x2()
    # R: svychisq(~g+a, svydesign(ids=~1, weights=~w, data=d3))
    #    F = 9.59245210455174, ndf = 1.95397898495002, p-value = 0.000158828953162224
    result = fixed_weights_rao_scott(d3)
    assert result.statistic == pytest.approx(9.59245210455174, rel=1e-8)
    assert result.p_value == pytest.approx(0.000158828953162224, rel=1e-8)
    assert result.significant and result.sentence.endswith("(p < 0,001).")


def test_from_weighted_chisq():
    result = from_weighted_chisq(
        {"method": "Rao-Scott F", "statistic": 2.5, "df1": 1.9, "df2": 110.0, "p_value": 0.0871}
    )
    assert result == DifferenceTest(
        "Rao-Scott corrected chi-square test (F)", 2.5, 1.9, 0.0871, False,
        "Forskellen mellem grupperne er ikke statistisk sikker (p = 0,087).",
    )
    nan = float("nan")
    empty = {"method": "Rao-Scott F", "statistic": nan, "df1": nan, "df2": nan, "p_value": nan}
    assert from_weighted_chisq(empty).method == "ingen test"


def test_rao_scott_degenerate():
    # No variance to correct by: no test (None; weighted_chisq then reports NaN, from_weighted_chisq "ingen test").
    p = np.array([0.5, 0.5, 0.0, 0.0])
    assert _rao_scott(2, 2, p, np.zeros((4, 4)), p.reshape(2, 2).T) is None


# --- wording and start-up ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.003, "p = 0,003"), (0.41, "p = 0,41"), (0.0004, "p < 0,001"), (1.0, "p = 1,00"), (0.05, "p = 0,050"),
     (0.0496, "p = 0,0496"), (0.04999, "p = 0,04999"), (0.1, "p = 0,10"), (0.099, "p = 0,099")],
)
def test_format_p(p, text):
    assert format_p(p) == text


def test_scipy_is_not_imported_at_start_up_nor_by_unweighted_tests():
    code = (
        "import sys, pandas as pd, fuldtid.stats.significance as s, fuldtid.stats.disclosure as d; "
        "t = pd.DataFrame([[8, 2, 1], [1, 5, 0]]); d.protect(t, 5); s.test_difference(t); "
        "s.test_difference(pd.DataFrame([[80, 20], [10, 50]])); s.group_differences(t, 0); "
        "heavy = [m for m in ('scipy', 'scipy.stats', 'statsmodels', 'matplotlib', 'docx') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_exact_rx2_test_gives_up_without_holding_its_work_limit_in_memory() -> None:
    """An 11 x 2 table of 7,040 respondents is past the network algorithm's work limit. It used to grow every
    partial table of a row before checking the limit: at the default limit that held 2.8 GB (57 MB at this test's
    limit of 20,000) before it gave up for Monte Carlo. Now the check comes first and one column-1 count's tables
    exist at a time; the same tables give the same p-values bit for bit (checked against the old code on 395
    random tables), and this one the same None."""
    import tracemalloc

    table = np.array([[300 + 7 * i, 280 + 5 * i] for i in range(11)])
    tracemalloc.start()
    try:
        assert exact_rx2_pvalue(table, limit=20_000) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak / 2**20:.0f} MB"

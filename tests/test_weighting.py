"""Raking weights and weighted estimates (fuldtid.stats.weighting), checked against R's survey package.

The reference numbers were computed by tests/r_reference/reference.R (survey 4.1.1, R 4.2.2) on
tests/r_reference/sample.csv; its full output is tests/r_reference/reference_output.txt. In R:

    d  <- sample[!is.na(koen) & !is.na(timetal), ];  d$N <- 1172
    d0 <- svydesign(ids = ~1, fpc = ~N, data = d)
    rk <- rake(d0, list(~koen, ~timetal3), list(pop_koen, pop_tid),
               control = list(maxit = 1000, epsilon = 1e-12))

with pop_koen = Kvinde 832, Mand 340 and pop_tid = Under 30 timer 481 (1-9/10-19/20-29 timer),
30-36 timer 386, 37 timer 305. Weights must agree to 1e-6 (relative), intervals to 1e-4.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuldtid.errors import WeightingError
from fuldtid.model.population import Margin, Population, PopulationCategory, read_population
from fuldtid.stats.weighting import Estimate, rake, weighted_chisq, weighted_share, weights_to_csv

REF = Path(__file__).parent / "r_reference"
HOURS = ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer", "37 timer"]
AGES = ["Under 40 år", "40-49 år", "50 år eller derover"]
LABELS = {"koen": ["Kvinde", "Mand"], "timetal": HOURS, "alder": AGES,
          "mulighed": ["Ja", "Nej", "Ved ikke"], "op_i_tid": ["Ja", "Nej"]}
KOEN = "koen;Kvinde;832;\nkoen;Mand;340;\n"
TIMETAL = ("timetal;Under 30 timer;481;1-9 timer|10-19 timer|20-29 timer\n"
           "timetal;30-36 timer;386;30-36 timer\ntimetal;37 timer;305;37 timer\n")
ALDER = "alder;Under 40 år;420;\nalder;40-49 år;352;\nalder;50 år eller derover;400;\n"
UNDER30 = HOURS[:3]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(REF / "sample.csv", index_col="respondentid")


def population(tmp_path_factory, body: str) -> Population:
    path = tmp_path_factory.mktemp("pop") / "population.csv"
    path.write_text("variabel;kategori;antal;omfatter\n" + body, encoding="utf-8")
    return read_population(path, LABELS)


@pytest.fixture(scope="module")
def rk(sample, tmp_path_factory):
    return rake(sample, population(tmp_path_factory, KOEN + TIMETAL))


@pytest.fixture(scope="module")
def ps(sample, tmp_path_factory):
    return rake(sample, population(tmp_path_factory, TIMETAL))


@pytest.fixture(scope="module")
def rk3(sample, tmp_path_factory):
    return rake(sample, population(tmp_path_factory, KOEN + TIMETAL + ALDER))


@pytest.fixture(scope="module")
def trimmed(sample, tmp_path_factory):
    return rake(sample, population(tmp_path_factory, KOEN + TIMETAL), trim=2.0)


def hours3(s: pd.Series) -> pd.Series:
    return s.where(~s.isin(UNDER30), "Under 30 timer")


def cell_weights(sample, weights, by) -> dict:
    frame = sample.assign(timetal3=hours3(sample["timetal"]), w=weights.weights).dropna(subset=["w"])
    out = {}
    for key, w in frame.groupby(by)["w"]:
        assert w.max() - w.min() < 1e-12 * w.max()  # a weight per cell
        out[" / ".join(key) if isinstance(key, tuple) else key] = w.iloc[0]
    return out


def assert_weights(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, rel=1e-6, abs=0), key


def flags(sample):
    deltid = sample["timetal"].ne("37 timer") & sample["timetal"].notna()
    mere = sample["op_i_tid"].map({"Ja": True, "Nej": False})
    mulja = sample["mulighed"].map({"Ja": True, "Nej": False, "Ved ikke": False})
    return deltid, mere, mulja


def assert_estimate(e: Estimate, r: tuple) -> None:
    """r = R's (coef(svyciprop), ci low, ci high, SE(svymean), coef(svytotal), degf)."""
    p, lo, hi, se, total, df = r
    assert e.pct == pytest.approx(100 * p, abs=1e-6)
    assert e.ci_low == pytest.approx(100 * lo, abs=1e-4)
    assert e.ci_high == pytest.approx(100 * hi, abs=1e-4)
    assert e.se == pytest.approx(se, rel=1e-6, abs=1e-12)
    assert e.population_count == pytest.approx(total, rel=1e-6)
    assert e.df == df


def assert_chisq(result: dict, r: tuple) -> None:
    """r = R's (statistic, ndf, ddf, p.value) of svychisq(..., statistic = "F")."""
    F, ndf, ddf, pv = r
    assert result["method"] == "Rao-Scott F"
    assert result["statistic"] == pytest.approx(F, rel=1e-6)
    assert result["df1"] == pytest.approx(ndf, rel=1e-6)
    assert result["df2"] == pytest.approx(ddf, rel=1e-6)
    assert result["p_value"] == pytest.approx(pv, rel=1e-5)


# --- post-stratification (one margin) ---------------------------------------------------------------

def test_post_stratification_weights_match_r(sample, ps):
    # dp <- sample[!is.na(timetal), ]; ps <- rake(svydesign(ids=~1, fpc=~N, data=dp), list(~timetal3),
    #   list(pop_tid), control = tight)    # identical to postStratify(dp0, ~timetal3, pop_tid)
    assert_weights(cell_weights(sample, ps, "timetal3"), {
        "30-36 timer": 2.35365853658537, "37 timer": 2.04697986577181, "Under 30 timer": 5.79518072289157})
    # Post-stratification has a closed form: register count / respondents in the category.
    assert cell_weights(sample, ps, "timetal3")["37 timer"] == pytest.approx(305 / 149, rel=1e-14)
    assert ps.n_weighted == 396 and ps.n_left_out == 4
    assert dict(ps.left_out_reasons) == {"mangler timetal": 4}
    assert ps.iterations <= 2


def test_post_stratification_estimates_match_r(sample, ps):
    deltid, mere, mulja = flags(sample)
    # svyciprop(~mulja, subset(ps, !is.na(mulighed)), method = "logit"), same for postStratify()
    assert_estimate(weighted_share(ps, mulja, sample["mulighed"].notna()),
                    (0.510108546439786, 0.464458124656251, 0.555590993143068, 0.0232380230441374,
                     568.064105497123, 375))
    # svyciprop(~mere, subset(ps, deltid), method = "logit")
    assert_estimate(weighted_share(ps, mere, deltid),
                    (0.317052834617652, 0.266502673295558, 0.372324282022039, 0.0269435885062153,
                     274.884807522774, 246))


# --- raking (two and three margins) ---------------------------------------------------------------

RK_WEIGHTS = {  # show_weights("rk", rk, c("koen", "timetal3"))
    "Kvinde / 30-36 timer": 2.18153347558291, "Kvinde / 37 timer": 1.81177179672323,
    "Kvinde / Under 30 timer": 5.64387920241271, "Mand / 30-36 timer": 2.8749712831482,
    "Mand / 37 timer": 2.38767451680076, "Mand / Under 30 timer": 7.4378829452334,
}


def test_raking_weights_match_r(sample, rk):
    assert_weights(cell_weights(sample, rk, ["koen", "timetal3"]), RK_WEIGHTS)
    assert rk.n_weighted == 393
    assert rk.n_left_out == 7
    assert dict(rk.left_out_reasons) == {"mangler koen": 3, "mangler timetal": 4}
    assert rk.weights.isna().sum() == 7
    assert rk.weights.index.equals(sample.index)
    assert rk.weights.sum() == pytest.approx(1172, rel=1e-12)


def test_raking_to_r_default_tolerance_differs_only_at_1e_6(sample, rk):
    # rake(..., control = list(maxit = 100, epsilon = 1e-6)) stops ~1e-6 (relative) short of the fixed
    # point fuldtid returns; this documents the size of that difference.
    r_eps = {"Kvinde / 30-36 timer": 2.18153446570504, "Mand / Under 30 timer": 7.43787434563341}
    ours = cell_weights(sample, rk, ["koen", "timetal3"])
    for key, value in r_eps.items():
        assert abs(ours[key] / value - 1) < 2e-6


def test_raking_diagnostics(sample, rk):
    w = rk.weights.dropna().to_numpy()
    assert rk.effective_n == pytest.approx(w.sum() ** 2 / (w ** 2).sum(), rel=1e-12)
    assert rk.design_effect == pytest.approx(393 / rk.effective_n, rel=1e-12)
    assert rk.min_weight == pytest.approx(1.81177179672323, rel=1e-6)
    assert rk.max_weight == pytest.approx(7.4378829452334, rel=1e-6)
    assert rk.weight_ratio == pytest.approx(7.4378829452334 / 1.81177179672323, rel=1e-6)
    assert rk.trimmed is None and rk.trim_rounds == 0
    assert rk.size == 1172
    diag = {(m.variable, m.category): m for m in rk.margins}
    assert list(diag) == [("koen", "Kvinde"), ("koen", "Mand"), ("timetal", "Under 30 timer"),
                          ("timetal", "30-36 timer"), ("timetal", "37 timer")]
    full = diag[("timetal", "37 timer")]
    assert full.sample_count == 148
    assert full.sample_share == pytest.approx(148 / 393)
    assert full.population_share == pytest.approx(305 / 1172)
    for m in rk.margins:  # raked: the weighted shares are the register's
        assert m.weighted_share == pytest.approx(m.population_share, abs=1e-9)


def test_three_margin_weights_match_r(sample, rk3):
    expected = {  # show_weights("rk3", rk3, c("koen", "timetal3", "alder"))
        "Kvinde / 30-36 timer / 40-49 år": 2.26971408976671,
        "Kvinde / 30-36 timer / 50 år eller derover": 2.11314551121179,
        "Kvinde / 30-36 timer / Under 40 år": 2.1856777456977,
        "Kvinde / 37 timer / 40-49 år": 1.88457758070314,
        "Kvinde / 37 timer / 50 år eller derover": 1.75457634648713,
        "Kvinde / 37 timer / Under 40 år": 1.81480094640777,
        "Kvinde / Under 30 timer / 40-49 år": 5.84986741463001,
        "Kvinde / Under 30 timer / 50 år eller derover": 5.44633402248479,
        "Kvinde / Under 30 timer / Under 40 år": 5.63327560994836,
        "Mand / 30-36 timer / 40-49 år": 2.9943216899156,
        "Mand / 30-36 timer / 50 år eller derover": 2.78776849766994,
        "Mand / 30-36 timer / Under 40 år": 2.88345669201936,
        "Mand / 37 timer / 40-49 år": 2.48623011667875,
        "Mand / 37 timer / 50 år eller derover": 2.31472590957008,
        "Mand / 37 timer / Under 40 år": 2.39417724955246,
        "Mand / Under 30 timer / 40-49 år": 7.71744113575006,
        "Mand / Under 30 timer / 50 år eller derover": 7.18507946334671,
        "Mand / Under 30 timer / Under 40 år": 7.4317022660218,
    }
    assert_weights(cell_weights(sample, rk3, ["koen", "timetal3", "alder"]), expected)


@pytest.mark.parametrize("name, domain, y, r", [
    # svyciprop(~mulja, subset(rk, !is.na(mulighed)), method = "logit")
    ("answered", lambda s, d: s["mulighed"].notna(), "mulja",
     (0.503400104678191, 0.457610167652511, 0.549133077525474, 0.023337452289029, 560.475823190755, 372)),
    # svyciprop(~mere, subset(rk, deltid), method = "logit"): part-timers wanting more hours
    ("deltid", lambda s, d: d, "mere",
     (0.320999120520051, 0.269824487385896, 0.376870004211103, 0.0272572780110204, 278.306237403858, 244)),
    # svyciprop(~mere, subset(rk, deltid & koen == "Mand"), method = "logit")
    ("deltid.mand", lambda s, d: d & s["koen"].eq("Mand"), "mere",
     (0.327883963979175, 0.220210684511097, 0.457328202599584, 0.060063688880091, 61.3762158955638, 53)),
    # svyciprop(~mere, subset(rk, timetal == "1-9 timer"), method = "logit"): a domain of 19
    ("1-9", lambda s, d: s["timetal"].eq("1-9 timer"), "mere",
     (0.482344508981122, 0.297388197089517, 0.672268583166567, 0.0937839338058593, 52.5889165645351, 18)),
    # svyciprop(~mulja, subset(rk, koen == "Mand")): y missing for some in the domain -> df of the domain
    ("mand, y partly missing", lambda s, d: s["koen"].eq("Mand"), "mulja",
     (0.469354732209199, 0.390844792218808, 0.549411386138943, 0.040372401266862, 151.606938059267, 117)),
    # svyciprop(~deltid, rk): a raking variable itself is estimated without error
    ("whole sample", lambda s, d: None, "deltid",
     (0.739761092150172, 0.739761092149183, 0.73976109215116, 0.0, 867, 392)),
])
def test_raked_estimates_match_r(sample, rk, name, domain, y, r):
    deltid, mere, mulja = flags(sample)
    ys = {"mere": mere, "mulja": mulja, "deltid": deltid}[y]
    assert_estimate(weighted_share(rk, ys, domain(sample, deltid)), r)


def test_three_margin_estimates_match_r(sample, rk3):
    # R's variance back-fits the three margins exactly 10 times (not to convergence); so does fuldtid.
    deltid, mere, mulja = flags(sample)
    assert_estimate(weighted_share(rk3, mere, deltid),
                    (0.321592642194154, 0.27038208613123, 0.37748435301091, 0.0272720028934918,
                     278.820820693642, 244))
    assert_estimate(weighted_share(rk3, mulja, sample["mulighed"].notna()),
                    (0.504557740634295, 0.458925156761386, 0.550114518479045, 0.0232519225948821,
                     561.8318689935, 372))


def test_shares_of_zero_and_one(sample, rk):
    # R: svyciprop(~I(mulighed == "Ingen"), ...) gives 1.4e-12 [1.40e-12, 1.53e-12] and
    # svyciprop(~deltid, subset(rk, timetal3 == "Under 30 timer")) 1 - 1e-12 at both ends.
    nobody = pd.Series(False, index=sample.index)
    e = weighted_share(rk, nobody, sample["mulighed"].notna() & sample["koen"].eq("Mand"))
    assert (e.pct, e.ci_low, e.ci_high, e.se, e.population_count, e.df) == (0, 0, 0, 0, 0, 112)
    everybody = pd.Series(True, index=sample.index)
    e = weighted_share(rk, everybody, sample["timetal"].isin(UNDER30))
    assert (e.pct, e.ci_low, e.ci_high) == (100, 100, 100)
    assert e.population_count == pytest.approx(481)


def test_empty_domain_and_level(sample, rk):
    deltid, mere, _ = flags(sample)
    e = weighted_share(rk, mere, pd.Series(False, index=sample.index))
    assert math.isnan(e.pct) and math.isnan(e.ci_low) and e.n == 0
    wide = weighted_share(rk, mere, deltid, level=0.99)
    narrow = weighted_share(rk, mere, deltid, level=0.9)
    assert wide.ci_low < narrow.ci_low < narrow.pct < narrow.ci_high < wide.ci_high
    assert wide.pct == narrow.pct


def test_domain_with_left_out_respondents_ignores_them(sample, rk):
    deltid, mere, _ = flags(sample)
    # Respondents without a weight (missing koen) may be in the domain: they do not count.
    with_unweighted = deltid | sample["koen"].isna()
    assert weighted_share(rk, mere, with_unweighted) == weighted_share(rk, mere, deltid)


# --- Rao–Scott ---------------------------------------------------------------------------------------

def test_chisq_matches_r(sample, rk):
    deltid, _, _ = flags(sample)
    t3 = hours3(sample["timetal"])
    # svychisq(~mulighed + timetal3, subset(rk, !is.na(mulighed)), statistic = "F"); also without subset
    expected = (7.25663045192514, 3.64716935596409, 1429.69038753792, 1.89194495407286e-05)
    assert_chisq(weighted_chisq(rk, sample["mulighed"], t3, sample["mulighed"].notna()), expected)
    assert_chisq(weighted_chisq(rk, sample["mulighed"], t3), expected)
    # svychisq(~mulighed + koen, subset(rk, deltid & !is.na(mulighed)), statistic = "F"): ddf uses the
    # design's n - 1 = 392, not the domain's
    assert_chisq(weighted_chisq(rk, sample["mulighed"], sample["koen"], deltid),
                 (9.48483007051404, 1.99377898775896, 781.561363201512, 8.68116751429594e-05))
    # svychisq(~op_i_tid + timetal, rk): op_i_tid is missing for every full-timer, yet R builds the
    # design-effect matrix on all five hour groups; same within subset(rk, deltid)
    expected = (2.52010216548393, 3.67410795854735, 1440.25031975056, 0.0443915709530907)
    assert_chisq(weighted_chisq(rk, sample["op_i_tid"], sample["timetal"]), expected)
    assert_chisq(weighted_chisq(rk, sample["op_i_tid"], sample["timetal"], deltid), expected)


def test_chisq_category_only_outside_the_domain(sample, rk):
    deltid, _, _ = flags(sample)
    # R's svychisq(~mulighed + timetal, subset(rk, deltid)) is NaN ("37 timer" has weight 0 there).
    # fuldtid tests the part-timers' groups, which is R's answer when hours outside are blanked:
    # svychisq(~mulighed + timetal_deltid, subset(rkb, deltid), statistic = "F")
    assert_chisq(weighted_chisq(rk, sample["mulighed"], sample["timetal"], deltid),
                 (1.75686379560628, 5.84054045082938, 2289.49185672512, 0.106317357852742))


def test_chisq_three_margins_and_trimmed(sample, rk3, trimmed):
    # svychisq(~mulighed + alder, subset(rk3, !is.na(mulighed)), statistic = "F")
    assert_chisq(weighted_chisq(rk3, sample["mulighed"], sample["alder"]),
                 (0.848616495752092, 3.93322022746239, 1541.82232916526, 0.492768108763482))
    # svychisq(~mulighed + koen, subset(tr, !is.na(mulighed)), statistic = "F")
    assert_chisq(weighted_chisq(trimmed, sample["mulighed"], sample["koen"]),
                 (5.1354128209213, 1.97587762717717, 774.544029853452, 0.00628819749973578))


def test_chisq_degenerate(sample, rk):
    one = pd.Series("Ja", index=sample.index)
    result = weighted_chisq(rk, one, sample["koen"])
    assert result["method"] == "Rao-Scott F" and math.isnan(result["p_value"])


# --- trimming ----------------------------------------------------------------------------------------

def test_trimming_matches_r_trimweights_loop(sample, trimmed):
    # cap <- 2 * 1172 / 393; tr <- rk
    # while (max(weights(tr)) > cap * (1 + 1e-6))
    #   tr <- rake(trimWeights(tr, upper = cap), list(~koen, ~timetal3), list(pop_koen, pop_tid),
    #              control = tight)
    # -> 10 rounds
    assert_weights(cell_weights(sample, trimmed, ["koen", "timetal3"]), {
        "Kvinde / 30-36 timer": 2.133011120198, "Kvinde / 37 timer": 1.75540916619613,
        "Kvinde / Under 30 timer": 5.77959672653993, "Mand / 30-36 timer": 2.99369619526021,
        "Mand / 37 timer": 2.46165046936758, "Mand / Under 30 timer": 5.96437839756643})
    assert trimmed.trimmed == 2.0
    assert trimmed.trim_rounds == 10
    assert trimmed.n_at_cap == 7
    cap = 2 * 1172 / 393
    assert trimmed.max_weight <= cap * (1 + 1e-6)
    assert trimmed.weights.sum() == pytest.approx(1172, rel=1e-12)
    for m in trimmed.margins:
        assert m.weighted_share == pytest.approx(m.population_share, abs=1e-9)


def test_trimmed_estimates_match_r(sample, trimmed):
    deltid, mere, mulja = flags(sample)
    # the variance projects on every raking round, as svyrecvar does with the accumulated postStrata
    assert_estimate(weighted_share(trimmed, mere, deltid),
                    (0.318579216156793, 0.267739504671102, 0.374140178255819, 0.0270913106254199,
                     276.208180326592, 244))
    assert_estimate(weighted_share(trimmed, mulja, sample["mulighed"].notna()),
                    (0.50461854753309, 0.458815200472257, 0.550344503235762, 0.0233390890303717,
                     562.530844809038, 372))


def test_trim_that_binds_nothing_changes_nothing(sample, rk, tmp_path_factory):
    loose = rake(sample, population(tmp_path_factory, KOEN + TIMETAL), trim=10)
    assert loose.trim_rounds == 0 and loose.n_at_cap == 0
    np.testing.assert_array_equal(loose.weights.to_numpy(), rk.weights.to_numpy())


def test_trimming_errors(sample, tmp_path_factory):
    pop = population(tmp_path_factory, KOEN + TIMETAL)
    # 83 respondents under 30 hours carry 481 staff: 5.80 per head = 1.95 x the mean weight 2.98.
    with pytest.raises(WeightingError, match=r"timetal 'Under 30 timer' has 83 respondents for 481 staff.*"
                                             r"use --trim larger than 1\.94"):
        rake(sample, pop, trim=1.8)
    with pytest.raises(WeightingError, match="must be greater than 1"):
        rake(sample, pop, trim=1.0)


# --- errors ------------------------------------------------------------------------------------------

def test_category_without_respondents(sample, tmp_path_factory):
    pop = population(tmp_path_factory, KOEN + "timetal;Kort;100;1-9 timer\n"
                     "timetal;Resten;1072;10-19 timer|20-29 timer|30-36 timer|37 timer\n")
    no_short = sample[sample["timetal"].ne("1-9 timer")]
    with pytest.raises(WeightingError, match=r"no weighted respondent is in category 'Kort' of timetal "
                                             r"\(100 staff\); merge it"):
        rake(no_short, pop)


def test_zero_staff_but_respondents(sample, tmp_path_factory):
    pop = population(tmp_path_factory, "koen;Kvinde;1172;\nkoen;Mand;0;\n")
    with pytest.raises(WeightingError, match=r"'Mand' of koen has 0 staff but 120 respondents"):
        rake(sample, pop)


def test_no_convergence_says_how_far_off(sample, tmp_path_factory):
    pop = population(tmp_path_factory, KOEN + TIMETAL)
    with pytest.raises(WeightingError, match=r"did not converge in 1 sweeps; a margin is still off by "
                                             r"[0-9.]+ persons \(koen"):
        rake(sample, pop, max_iter=1, tol=1e-9)


def test_answer_not_covered_and_variable_missing(sample, tmp_path_factory):
    pop = population(tmp_path_factory, KOEN)
    odd = sample.assign(koen=sample["koen"].replace({"Mand": "Andet"}))
    with pytest.raises(WeightingError,
                       match=r"answer 'Andet' of koen \(e.g. respondent \d+\) is not covered"):
        rake(odd, pop)
    with pytest.raises(WeightingError, match="weighting variable 'koen' is not among the survey's answers"):
        rake(sample.drop(columns="koen"), pop)
    with pytest.raises(WeightingError, match="nobody can be weighted"):
        rake(sample.assign(koen=None), pop)


def test_categorical_and_unused_labels(sample, rk, tmp_path_factory):
    pop = population(tmp_path_factory, KOEN + TIMETAL)
    cat = sample.copy()
    cat["koen"] = pd.Categorical(cat["koen"], categories=["Kvinde", "Mand", "Ubrugt"])
    cat["timetal"] = pd.Categorical(cat["timetal"], categories=HOURS)
    np.testing.assert_allclose(rake(cat, pop).weights.to_numpy(), rk.weights.to_numpy(), rtol=1e-13)


def test_weights_csv(tmp_path, rk):
    path = tmp_path / "weights.csv"
    weights_to_csv(rk, path)
    back = pd.read_csv(path)
    assert list(back.columns) == ["respondentid", "weight"]
    assert back["respondentid"].tolist() == rk.weights.index.tolist()
    np.testing.assert_array_equal(back["weight"].to_numpy(), rk.weights.to_numpy())  # exact round trip
    assert back["weight"].sum() == pytest.approx(1172, rel=1e-12)
    assert path.read_text().splitlines()[0] == "respondentid,weight"


# --- properties ----------------------------------------------------------------------------------------

def _brute_force_variance(weights, x0: np.ndarray) -> float:
    """survey:::svyrecvar for a raked SRS design, row by row, straight from R's code."""
    cells = weights.cells
    x = x0.copy()
    for steps in cells.rounds:
        for _ in range(10):
            for g, psw in zip(cells.groups, steps):
                margin = g[cells.cell]
                w = psw[cells.cell]
                ratio = x / w
                means = pd.Series(ratio).groupby(margin).transform("mean").to_numpy()  # R's ave()
                x = x - w * means
    n, N = len(x), weights.population.size
    return float(((x - x.mean()) ** 2).sum() * n / (n - 1) * (N - n) / N)


@st.composite
def samples(draw):
    n = draw(st.integers(8, 60))
    k1, k2 = draw(st.integers(2, 3)), draw(st.integers(2, 4))
    a = draw(st.lists(st.integers(0, k1 - 1), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(0, k2 - 1), min_size=n, max_size=n))
    a[:k1], b[:k2] = list(range(k1)), list(range(k2))  # every category answered
    y = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    dom = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    size = draw(st.integers(n + 1, 20 * n))
    cuts1 = sorted(draw(st.lists(st.integers(1, size - 1), min_size=k1 - 1, max_size=k1 - 1, unique=True)))
    cuts2 = sorted(draw(st.lists(st.integers(1, size - 1), min_size=k2 - 1, max_size=k2 - 1, unique=True)))
    return n, k1, k2, a, b, y, dom, size, cuts1, cuts2


def _make(case):
    n, k1, k2, a, b, y, dom, size, cuts1, cuts2 = case
    idx = pd.Index(range(1000, 1000 + n), name="respondentid")
    frame = pd.DataFrame({"a": [f"a{v}" for v in a], "b": [f"b{v}" for v in b]}, index=idx)
    margins = []
    for var, k, cuts, codes in (("a", k1, cuts1, a), ("b", k2, cuts2, b)):
        # Every register category counts at least its respondents (fewer is refused); the rest of the
        # population is spread over the categories at the drawn cuts.
        spare = size - n
        counts = np.bincount(codes, minlength=k) + np.diff([0, *(c * spare // size for c in cuts), spare])
        margins.append(Margin(var, tuple(PopulationCategory(f"{var}{i}", int(c), (f"{var}{i}",))
                                         for i, c in enumerate(counts))))
    pop = Population(Path("pop.csv"), tuple(margins), size)
    return frame, pop, pd.Series(y, index=idx), pd.Series(dom, index=idx)


@settings(max_examples=60, deadline=None)
@given(samples())
def test_raking_properties_and_variance_against_rs_row_level_algorithm(case):
    frame, pop, y, dom = _make(case)
    try:
        w = rake(frame, pop)
    except WeightingError as exc:  # margins the sample cannot meet (e.g. an empty crossing forced)
        assert "did not converge" in str(exc)
        return
    values = w.weights.to_numpy()
    assert np.all(values > 0)
    assert values.sum() == pytest.approx(pop.size, rel=1e-9)
    for m in pop.margins:
        for cat in m.categories:
            got = values[(frame[m.variable] == cat.label).to_numpy()].sum()
            assert got == pytest.approx(cat.count, abs=1e-6 * pop.size)
    # The cell-level variance equals R's row-level computation.
    if not dom.any():
        return
    e = weighted_share(w, y, dom)
    use = dom.to_numpy()
    W = values[use].sum()
    p = values[use & y.to_numpy()].sum() / W
    x0 = np.where(use, values * (y.to_numpy() - p) / W, 0.0)
    assert e.se ** 2 == pytest.approx(_brute_force_variance(w, x0), rel=1e-7, abs=1e-15)
    # Reordering respondents changes nothing.
    order = np.random.default_rng(0).permutation(len(frame))
    w2 = rake(frame.iloc[order], pop)
    np.testing.assert_allclose(w2.weights.reindex(frame.index).to_numpy(), values, rtol=1e-9)
    assert weighted_share(w2, y, dom).se == pytest.approx(e.se, rel=1e-7, abs=1e-15)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_post_stratification_closed_form(k, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(k, 200))
    codes = rng.permutation(np.concatenate([np.arange(k), rng.integers(0, k, n - k)]))
    counts = np.bincount(codes, minlength=k) + rng.integers(0, 500, k)  # never fewer staff than respondents
    frame = pd.DataFrame({"g": [f"g{c}" for c in codes]})
    pop = Population(Path("p"), (Margin("g", tuple(PopulationCategory(f"g{i}", int(c), (f"g{i}",))
                                                   for i, c in enumerate(counts))),), int(counts.sum()))
    w = rake(frame, pop)
    expected = counts[codes] / np.bincount(codes, minlength=k)[codes]
    np.testing.assert_allclose(w.weights.to_numpy(), expected, rtol=1e-12)
    assert w.design_effect >= 1 - 1e-12


# --- the shipped example (surveys/examples/vjh_2022) -------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[1] / "surveys" / "examples" / "vjh_2022"


@pytest.fixture(scope="module")
def vjh():
    """The example's answered respondents, read with plain pandas as vjh_example.R reads them."""
    ds = pd.read_csv(EXAMPLE / "export" / "dataset.csv", sep=";", encoding="cp1252", dtype=str)
    labels = pd.read_csv(EXAMPLE / "export" / "labels.csv", sep=";", encoding="cp1252", header=None,
                         names=["var", "code", "label"], dtype=str)

    def decode(var):
        lab = labels[labels["var"] == var]
        return ds[var].map(dict(zip(lab["code"], lab["label"])))

    answered = ds["statoverall_3"].eq("1") | ds["statoverall_4"].eq("1")
    frame = pd.DataFrame({"koen": decode("s_1"), "timetal": decode("s_6"), "op_i_tid": decode("s_7"),
                          "mulighed": decode("s_15"), "tilbud": pd.to_numeric(ds["s_5"])})
    frame.index = pd.Index(ds["respondentid"].astype(int), name="respondentid")
    frame = frame[answered.to_numpy()]
    pop = read_population(EXAMPLE / "population.csv", LABELS)
    return frame, rake(frame, pop)


VJH_WEIGHTS = {  # Rscript tests/r_reference/vjh_example.R: weights(rk) per koen / timetal3
    "Kvinde / 30-36 timer": 2.50744860552601, "Kvinde / 37 timer": 2.60785453463207,
    "Kvinde / Under 30 timer": 8.01962860832173, "Mand / 30-36 timer": 2.50418004439254,
    "Mand / 37 timer": 2.60445509029057, "Mand / Under 30 timer": 8.00917469659797,
}


def test_example_weights_match_r(vjh):
    frame, w = vjh
    assert len(frame) == 333
    assert w.n_weighted == 331 and dict(w.left_out_reasons) == {"mangler timetal": 2}
    assert_weights(cell_weights(frame, w, ["koen", "timetal3"]), VJH_WEIGHTS)
    assert w.effective_n == pytest.approx(244.470404045427, rel=1e-9)  # sum(w)^2 / sum(w^2)


def test_example_estimates_match_r(vjh):
    frame, w = vjh
    deltid = frame["timetal"].ne("37 timer") & frame["timetal"].notna()
    more = frame["op_i_tid"].eq("Ja")
    # svyciprop(~I(op_i_tid == "Ja"), subset(rk, deltid & !is.na(op_i_tid)), method = "logit"):
    # "ca. 30% (95%-konfidensinterval 24–36%) af de deltidsansatte ... omkring 260 medarbejdere"
    assert_estimate(weighted_share(w, more, deltid & frame["op_i_tid"].notna()),
                    (0.295950718839753, 0.238986105833212, 0.360069015555414, 0.030822902617163,
                     256.589273202774, 213))
    # the same within "10-19 timer" (df 17)
    assert_estimate(weighted_share(w, more, frame["timetal"].eq("10-19 timer") & frame["op_i_tid"].notna()),
                    (0.166618360512258, 0.060694903722203, 0.382183433979356, 0.0743372592766712,
                     24.0379780015177, 17))
    # svyciprop(~I(mulighed == "Ja"), subset(rk, !is.na(mulighed)), method = "logit")
    assert_estimate(weighted_share(w, frame["mulighed"].eq("Ja"), frame["mulighed"].notna()),
                    (0.587326226319747, 0.532433541840248, 0.640130240762669, 0.0274715860154704,
                     659.372205625854, 315))


def test_example_chisq_matches_r(vjh):
    frame, w = vjh
    deltid = frame["timetal"].ne("37 timer") & frame["timetal"].notna()
    area = frame["tilbud"].map(lambda t: "Rådgivning og Visitation" if t <= 3 else "Resterende tilbud",
                               na_action="ignore")
    # svychisq(~mulighed + timetal, subset(rk, !is.na(mulighed)), statistic = "F")
    assert_chisq(weighted_chisq(w, frame["mulighed"], frame["timetal"]),
                 (0.560959267781683, 7.05228609554738, 2327.25441153063, 0.789338292828433))
    # svychisq(~op_i_tid + omraade, subset(rk, deltid), statistic = "F"): a 2 x 2 table, d = 1
    assert_chisq(weighted_chisq(w, frame["op_i_tid"], area, deltid),
                 (1.22199788796926, 1, 330, 0.269774195638678))


def test_example_through_the_survey_loader(example_survey, vjh):
    # The same weights when the answers come from fuldtid's own export reader (Categorical labels).
    from fuldtid.stats.weighted import weigh_survey

    w = weigh_survey(example_survey, EXAMPLE / "population.csv")
    ours = w.weights.set_axis(w.weights.index.astype(str))
    ref = vjh[1].weights.set_axis(vjh[1].weights.index.astype(str))
    assert ours.notna().sum() == 331
    np.testing.assert_allclose(ours.reindex(ref.index).to_numpy(), ref.to_numpy(), rtol=1e-12)

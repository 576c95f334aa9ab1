"""Tests of difference between the groups of a breakdown.

``test_difference`` answers "do the groups answer differently?" for a whole groups x answers table;
``group_differences`` marks single groups whose share of one answer differs from the rest
(``group_differences_weighted`` the same for raked weights, design-based);
``from_weighted_chisq`` wraps the Rao-Scott corrected chi-square test for weighted data, which is
:func:`fuldtid.stats.weighting.weighted_chisq` (the one implementation, accounting for the raking).

Disclosure: the callers (``fuldtid.stats.tabletests`` for the report, ``fuldtid.stats.breakdown``) test the table as it is
published: hidden groups left out, merged groups as the one group shown, so no test rests on counts the table
hides, and p-values are published rounded. Per-group results (``group_differences``) describe single groups, so
the caller reports them only for groups shown on their own, never for suppressed or merged ones.

The unweighted tests use numpy only: importing scipy.stats costs most of a second, more than a whole breakdown
may take. Only the Rao-Scott test needs scipy (in fuldtid.stats.weighting, imported inside the function).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_SEED = 20220801
DEFAULT_RESAMPLES = 19_999
# Largest number of tables (with the observed margins) enumerated for an exact r x c test; beyond it the exact
# p-value is estimated by Monte Carlo. About 0.1 s of numpy work at the limit.
EXACT_TABLE_LIMIT = 200_000
# The same for two-column tables by the network algorithm: undecided partial tables carried from row to row.
RX2_LIMIT = 5 * EXACT_TABLE_LIMIT
# Two tables count as equally probable when their probabilities differ by less than this factor (as in R's
# fisher.test), so floating-point noise does not decide the p-value.
_REL_TOL = 1e-7

_MC_BATCH = 2_000
# Hypergeometric draws (about 5 million a second) after which Monte Carlo sampling may stop early.
_MC_WORK = 1_200_000

_NO_TEST_SENTENCE = (
    "Forskellen mellem grupperne kan ikke testes, fordi der kun er svar i én gruppe eller i én svarkategori."
)


@dataclass(frozen=True)
class DifferenceTest:
    """The result of a test of difference between groups.

    ``statistic``/``df`` are the chi-square statistic and degrees of freedom (an F statistic and the numerator
    degrees of freedom for the Rao-Scott test); None for exact and Monte Carlo tests, whose p-value is computed
    from the probability of the table itself.
    """

    method: str
    statistic: float | None
    df: float | None
    p_value: float
    significant: bool
    sentence: str


@dataclass(frozen=True)
class GroupDifference:
    """One group's share of an answer compared with all other groups pooled."""

    label: str
    share: float
    rest_share: float
    z: float
    p_value: float
    p_holm: float
    differs: bool


def format_p(p: float, alpha: float = 0.05) -> str:
    """Format a p-value the Danish way ("p = 0,003", "p < 0,001"), never rounding it across ``alpha``."""
    if p < 0.001:
        return "p < 0,001"
    decimals = 2 if p >= 0.1 else 3
    text = f"{p:.{decimals}f}"
    # p = 0.0496 must not print as 0,050 next to "statistisk sikker" (or 0.0504 as 0,050 ... that one is fine).
    while decimals < 6 and (p < alpha) != (float(text) < alpha):
        decimals += 1
        text = f"{p:.{decimals}f}"
    return "p = " + text.replace(".", ",")


def _sentence(p: float, alpha: float) -> str:
    verdict = "er statistisk sikker" if p < alpha else "er ikke statistisk sikker"
    return f"Forskellen mellem grupperne {verdict} ({format_p(p, alpha)})."


def _as_counts(counts: pd.DataFrame) -> np.ndarray:
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    if values.size and (np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any()):
        raise ValueError("a test of difference needs non-negative whole counts (unweighted); got other values")
    return values.astype(np.int64).reshape(counts.shape)


def _log_factorials(n: int) -> np.ndarray:
    return np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, n + 1, dtype=float)))))


def exact_rxc_pvalue(table: np.ndarray, limit: int = EXACT_TABLE_LIMIT) -> float | None:
    """Exact (Fisher-Freeman-Halton) p-value of an r x c table, or None when it has more than ``limit`` tables.

    Enumerates every table with the observed margins and sums the probabilities of those no more probable than the
    observed one (the definition R's fisher.test uses). The enumeration runs over cells with all partial tables of a
    step held in numpy arrays; every partial table can be completed, so a step never holds more partial tables than
    there are tables. It gives up when a step would hold more than ``limit`` partial tables, or when all steps
    together would move more than ``20 * limit`` numbers (about 0.1 s).
    """
    table = np.asarray(table, dtype=np.int64)
    if table.shape[0] < table.shape[1]:
        table = table.T  # fewer columns: fewer cells to enumerate per table
    rows, cols = table.shape
    row_sums = table.sum(axis=1)
    col_sums = table.sum(axis=0)
    n = int(table.sum())
    logfact = _log_factorials(n)
    constant = logfact[row_sums].sum() + logfact[col_sums].sum() - logfact[n]
    observed = constant - logfact[table].sum()

    # State per partial table: remaining row sums (rows x states), remaining sum of the current column, and the
    # partial log-probability term. Columns are filled one at a time, the last column is forced.
    remaining = row_sums.reshape(rows, 1).copy()
    logp = np.zeros(1)
    work = 0  # numbers moved so far: bounds the time also when each step stays below the limit
    for j in range(cols - 1):
        col_left = np.full(remaining.shape[1], col_sums[j], dtype=np.int64)
        for i in range(rows):
            if i == rows - 1:
                x = col_left  # the last cell of a column takes what is left
                ok = x <= remaining[i]
                remaining, col_left, logp, x = remaining[:, ok], col_left[ok], logp[ok], x[ok]
            else:
                upper = np.minimum(remaining[i], col_left)
                below = remaining[i + 1 :].sum(axis=0)
                lower = np.maximum(col_left - below, 0)
                reps = np.maximum(upper - lower + 1, 0)
                work += int(reps.sum()) * rows
                if reps.sum() > limit or work > 20 * limit:
                    return None
                idx = np.repeat(np.arange(len(reps)), reps)
                offsets = np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps)
                x = lower[idx] + offsets
                remaining, col_left, logp = remaining[:, idx], col_left[idx], logp[idx]
            remaining = remaining.copy()
            remaining[i] -= x
            col_left = col_left - x
            logp = logp - logfact[x]
    logp = logp - logfact[remaining].sum(axis=0) + constant
    probs = np.exp(logp)
    p = float(probs[logp <= observed + math.log1p(_REL_TOL)].sum())
    return min(p, 1.0)


def exact_rx2_pvalue(table: np.ndarray, limit: int = RX2_LIMIT) -> float | None:
    """Exact (Fisher) p-value of an r x 2 (or 2 x c) table by the network algorithm, as R's fisher.test.

    Tables with the observed margins are built row by row; a partial table whose every completion is no more
    probable than the observed table adds the probability of all its completions at once (Vandermonde:
    C(rest, K - s) of them, weighted), one whose every completion is more probable is dropped, and partial tables
    with the same column sum and probability are merged. Only the undecided ones are carried on, so tables that
    are far too many to enumerate (11 x 2 tables of this survey) take milliseconds. None when more than ``limit``
    undecided partial tables would be carried from one row to the next, or more than ``100 * limit`` numbers moved
    in all (about a second): then estimate by Monte Carlo.
    """
    table = np.asarray(table, dtype=np.int64)
    if table.shape[1] != 2:
        table = table.T
    if table.shape[1] != 2:
        raise ValueError("exact_rx2_pvalue needs a table with two columns (or two rows)")
    rows_n = table.sum(axis=1)
    K = int(table[:, 0].sum())
    N = int(rows_n.sum())
    logfact = _log_factorials(N)

    def log_choose(n: int, k: np.ndarray) -> np.ndarray:
        return logfact[n] - logfact[k] - logfact[n - k]

    r = len(rows_n)
    observed = float(sum(log_choose(int(n), np.array(x)) for n, x in zip(rows_n, table[:, 0])))
    threshold = observed + math.log1p(_REL_TOL)
    rest = np.concatenate([np.cumsum(rows_n[::-1])[::-1][1:], [0]])  # respondents in the rows after row i
    # Largest and smallest log-weight of the rows after row i for each remaining column-1 count t.
    hi = [np.zeros(1)] * (r + 1)
    lo = [np.zeros(1)] * (r + 1)
    for i in range(r - 1, -1, -1):
        n, size = int(rows_n[i]), int(rest[i]) + int(rows_n[i])
        h = np.full(size + 1, -np.inf)
        low = np.full(size + 1, np.inf)
        for x in range(n + 1):
            lc = float(log_choose(n, np.array(x)))
            h[x : x + len(hi[i + 1])] = np.maximum(h[x : x + len(hi[i + 1])], lc + hi[i + 1])
            low[x : x + len(lo[i + 1])] = np.minimum(low[x : x + len(lo[i + 1])], lc + lo[i + 1])
        hi[i], lo[i] = h, low
    total = logfact[N] - logfact[K] - logfact[N - K]
    p = 0.0
    work = 0
    # s -> (log-weights, counts) of the undecided partial tables whose column-1 count is s; keys ascending
    frontier: dict[int, tuple[np.ndarray, np.ndarray]] = {0: (np.zeros(1), np.ones(1))}
    for i in range(r):
        n = int(rows_n[i])
        work += sum(len(v) * (min(n, K - s0) + 1) for s0, (v, _) in frontier.items())
        if work > 100 * limit:  # numbers moved: about a second at the limit
            return None
        step = [float(log_choose(n, np.array(x))) for x in range(n + 1)]
        keys = list(frontier)
        grown = frontier
        frontier = {}
        # The partial tables grown by this row, one new column-1 count s1 at a time (ascending, and for each s1 the
        # earlier s0 first, as a dict of all of them would hold them): only one s1's arrays exist at once, where
        # growing every s1 first held up to 100 * limit numbers (800 MB) before the check above could stop it.
        for s1 in range(keys[0], keys[-1] + n + 1) if keys else ():
            lo_k, hi_k = bisect.bisect_left(keys, s1 - n), bisect.bisect_right(keys, s1)
            parts = [(grown[s0][0] + step[s1 - s0], grown[s0][1]) for s0 in keys[lo_k:hi_k] if s1 - s0 <= K - s0]
            if not parts:
                continue
            t = K - s1
            if t > rest[i]:
                continue
            vals = np.concatenate([v for v, _ in parts])
            counts = np.concatenate([c for _, c in parts])
            best, worst = hi[i + 1][t], lo[i + 1][t]
            done = vals + best <= threshold
            if done.any():  # every completion counts: all C(rest, t) of them, weighted by their probability
                comp = logfact[rest[i]] - logfact[t] - logfact[rest[i] - t]
                p += float(np.sum(counts[done] * np.exp(vals[done] + comp - total)))
            keep = ~done & (vals + worst <= threshold)
            if keep.any():
                key, inverse = np.unique(np.round(vals[keep], 9), return_inverse=True)
                frontier[s1] = (key, np.bincount(inverse, weights=counts[keep]))
        if sum(len(k) for k, _ in frontier.values()) > limit:
            return None
    return min(p, 1.0)


def monte_carlo_pvalue(
    table: np.ndarray,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    *,
    alpha: float | None = None,
) -> tuple[float, int]:
    """Monte Carlo estimate of the exact (Fisher-Freeman-Halton) p-value of an r x c table.

    Draws tables with the observed margins from their null distribution (the multivariate hypergeometric, as R's
    r2dtable and scipy's random_table: column by column, each cell a hypergeometric draw given what is left) and
    returns ``((1 + #tables no more probable than the observed) / (resamples + 1), resamples)``, as R's
    fisher.test(simulate.p.value = TRUE). The work grows with rows x columns x resamples, not with the number of
    respondents. Deterministic for a given seed.

    With ``alpha`` given, a big table (more than about 0.25 s of sampling) stops sampling after
    the batch that reaches that much work, or any later one, once the estimate is more than 4 standard errors from
    alpha: the verdict will not change, and thousands of tables still give a precise p-value.
    """
    table = np.asarray(table, dtype=np.int64)
    rows, cols = table.shape
    row_sums = table.sum(axis=1)
    col_sums = table.sum(axis=0)
    logfact = _log_factorials(int(table.sum()))
    observed = logfact[table].sum()  # a table is less probable the larger this sum
    rng = np.random.default_rng(seed)
    more_extreme = done = 0
    while done < n_resamples:
        batch = min(_MC_BATCH, n_resamples - done)
        remaining = np.tile(row_sums, (batch, 1))
        statistic = np.zeros(batch)
        for j in range(cols - 1):
            col_left = np.full(batch, col_sums[j], dtype=np.int64)
            below = remaining.sum(axis=1)
            for i in range(rows - 1):
                below = below - remaining[:, i]
                x = rng.hypergeometric(remaining[:, i], below, col_left)
                remaining[:, i] -= x
                col_left -= x
                statistic += logfact[x]
            remaining[:, rows - 1] -= col_left
            statistic += logfact[col_left]
        statistic += logfact[remaining].sum(axis=1)
        more_extreme += int((statistic >= observed - _REL_TOL).sum())
        done += batch
        p = (1 + more_extreme) / (done + 1)
        cheap = done * (rows - 1) * (cols - 1) < _MC_WORK
        if alpha is not None and not cheap and abs(p - alpha) > 4 * math.sqrt(p * (1 - p) / done):
            break
    return (1 + more_extreme) / (done + 1), done


def chi2_sf(x: float, df: int) -> float:
    """Upper tail of the chi-square distribution for whole degrees of freedom (closed form, no scipy).

    The regularised upper incomplete gamma Q(df/2, x/2) by its finite recurrence Q(a + 1, y) = Q(a, y) +
    y^a e^-y / Gamma(a + 1), from Q(1, y) = e^-y (even df) or Q(1/2, y) = erfc(sqrt(y)) (odd df).
    """
    if df < 1 or int(df) != df:
        raise ValueError(f"chi2_sf needs whole degrees of freedom >= 1, got {df}")
    if x <= 0:
        return 1.0
    y = x / 2
    a, q = (1.0, math.exp(-y)) if df % 2 == 0 else (0.5, math.erfc(math.sqrt(y)))
    while a < df / 2:
        q += math.exp(a * math.log(y) - y - math.lgamma(a + 1))
        a += 1
    return min(q, 1.0)


def test_difference(
    counts: pd.DataFrame,
    alpha: float = 0.05,
    *,
    seed: int = DEFAULT_SEED,
    n_resamples: int = DEFAULT_RESAMPLES,
    exact_limit: int = EXACT_TABLE_LIMIT,
) -> DifferenceTest:
    """Test whether the groups (rows) answer differently (columns), on unweighted counts.

    Empty rows and columns are dropped first. A 2 x 2 table gets Fisher's exact test (two-sided). A larger table
    with an expected count below 5 gets the exact Fisher-Freeman-Halton test (by the network algorithm of
    :func:`exact_rx2_pvalue` for two columns or rows, up to ``5 * exact_limit`` undecided partial tables; otherwise
    when it has at most ``exact_limit`` tables with its margins), else a Monte Carlo estimate of the same p-value
    (up to ``n_resamples`` tables with the observed margins, fewer on a big table once the verdict is clear;
    generator seeded with ``seed``, so the result is deterministic). Otherwise Pearson's chi-square test (no
    continuity correction). Fewer than two rows or columns left: no test, p = 1.
    """
    table = _as_counts(counts)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return DifferenceTest("ingen test", None, None, 1.0, False, _NO_TEST_SENTENCE)

    if table.shape == (2, 2):
        # A 2 x 2 table has at most n + 1 tables with its margins: the enumeration always finishes, instantly.
        p = exact_rxc_pvalue(table, limit=int(table.sum()) + 1)
        assert p is not None  # the limit above cannot be reached
        return DifferenceTest("Fisher's exact test", None, None, p, p < alpha, _sentence(p, alpha))

    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if (expected < 5).any():
        two = table.shape[0] == 2 or table.shape[1] == 2
        p_exact = exact_rx2_pvalue(table, 5 * exact_limit) if two else None
        if p_exact is None:
            p_exact = exact_rxc_pvalue(table, exact_limit)
        if p_exact is not None:
            method = "Fisher-Freeman-Halton exact test"
            p = p_exact
        else:
            p, used = monte_carlo_pvalue(table, n_resamples, seed, alpha=alpha)
            method = f"Monte Carlo exact test ({used} simulations, seed {seed})"
        return DifferenceTest(method, None, None, p, p < alpha, _sentence(p, alpha))

    statistic = float(((table - expected) ** 2 / expected).sum())
    df = (table.shape[0] - 1) * (table.shape[1] - 1)
    p = chi2_sf(statistic, df)
    return DifferenceTest("chi-square test", statistic, float(df), p, p < alpha, _sentence(p, alpha))


# pytest would otherwise collect the public function above as a test when a test module imports it by name.
test_difference.__test__ = False  # type: ignore[attr-defined]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the input order (as R's p.adjust(method = "holm"))."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def group_differences(counts: pd.DataFrame, column: str, alpha: float = 0.05) -> tuple[GroupDifference, ...]:
    """Compare each group's share answering ``column`` with all other groups pooled.

    Two-sided two-proportion z-test with pooled variance (R's prop.test(correct = FALSE)), Holm-corrected across
    the groups tested when there are more than two (two groups against each other are one comparison, the same
    test twice). Groups with no respondents have no share and are left out. A group that cannot be tested
    (nobody else answered, or everybody or nobody gave the answer) gets z = 0, p = 1. Unweighted counts only.
    Report the result only for groups the protected table shows (see the module docstring).
    """
    table = _as_counts(counts)
    columns = [str(c) for c in counts.columns]
    if str(column) not in columns:
        raise ValueError(f"column {column!r} is not in the count table (columns: {columns})")
    answered = table[:, columns.index(str(column))]
    sizes = table.sum(axis=1)
    all_answered, everybody = int(answered.sum()), int(sizes.sum())

    tested: list[tuple[str, float, float, float, float]] = []
    for label, x, size in zip(counts.index, answered, sizes):
        if size == 0:
            continue
        rest_x, rest_n = all_answered - int(x), everybody - int(size)
        share = x / size
        rest_share = rest_x / rest_n if rest_n else float("nan")
        pooled = all_answered / everybody
        variance = pooled * (1 - pooled) * (1 / size + 1 / rest_n) if rest_n else 0.0
        if variance > 0:
            z = (share - rest_share) / math.sqrt(variance)
            p = math.erfc(abs(z) / math.sqrt(2))
        else:
            z, p = 0.0, 1.0
        tested.append((str(label), float(share), float(rest_share), float(z), float(p)))

    adjusted = _adjusted([t[4] for t in tested])
    return tuple(
        GroupDifference(label, share, rest, z, p, p_holm, p_holm < alpha)
        for (label, share, rest, z, p), p_holm in zip(tested, adjusted)
    )


def _adjusted(p_values: Sequence[float]) -> list[float]:
    """Holm for three groups or more; two groups compared with each other are one hypothesis."""
    return list(p_values) if len(p_values) <= 2 else holm(p_values)


def group_differences_weighted(weights: object, groups: pd.Series, y: pd.Series, labels: Sequence[str],
                               alpha: float = 0.05) -> tuple[GroupDifference, ...]:
    """As :func:`group_differences`, for raked weights: each group's weighted share of ``y`` against the other
    groups' together, by the design-based z test of :func:`fuldtid.stats.weighting.weighted_difference` (R:
    ``svyglm(y ~ in_group, subset(design, domain))``), Holm-corrected across more than two groups.

    ``groups`` holds each respondent's group label (NaN: not compared); ``labels`` the groups to compare.
    """
    from fuldtid.stats.weighting import weighted_difference

    domain = groups.notna() & y.notna()
    tested = []
    for label in labels:
        in_group = (groups == label).fillna(False).astype(bool)
        if not bool((in_group & domain).any()):
            continue
        share, rest, z, p = weighted_difference(weights, y.fillna(False).astype(bool), in_group, domain)
        tested.append((str(label), share, rest, 0.0 if math.isnan(z) else z, p))
    adjusted = _adjusted([t[4] for t in tested])
    return tuple(
        GroupDifference(label, share, rest, z, p, p_adj, p_adj < alpha)
        for (label, share, rest, z, p), p_adj in zip(tested, adjusted)
    )


def from_weighted_chisq(result: Mapping[str, float], alpha: float = 0.05) -> DifferenceTest:
    """Wrap the result of :func:`fuldtid.stats.weighting.weighted_chisq` (a dict with method, statistic, df1, df2,
    p_value; NaN when no test is possible) as a :class:`DifferenceTest`.

    That function accounts for the calibration (raking) and the finite population.
    """
    p = float(result.get("p_value", float("nan")))
    if math.isnan(p):
        return DifferenceTest("ingen test", None, None, 1.0, False, _NO_TEST_SENTENCE)
    return DifferenceTest(
        "Rao-Scott corrected chi-square test (F)",
        float(result["statistic"]),
        float(result["df1"]),
        p,
        p < alpha,
        _sentence(p, alpha),
    )

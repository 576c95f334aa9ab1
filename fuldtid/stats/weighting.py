"""Representativeness weights (raking) and weighted estimates that agree with R's survey package.

The design reproduced is R's

    d   <- svydesign(ids = ~1, fpc = ~N, data = answered)      # simple random sample of n out of N
    rk  <- rake(d, sample.margins, population.margins)          # one margin: post-stratification
    svyciprop(~y, subset(rk, domain), method = "logit")     # or method = "beta" (Korn–Graubard, the reports')
    svychisq(~rows + cols, subset(rk, domain), statistic = "F")

Every respondent in the same cell of the weighting variables ends up with the same weight, so raking
and the variance computations work on the (small) table of occupied cells, never on rows: a million
respondents cost a few vectorised passes to build the cell codes.

Variance: R linearises the estimator and, for a raked design, removes from the influence values their
projection on the margins by back-fitting (exactly 10 sweeps over the margins, as in
``survey:::svyrecvar``), then applies the with-replacement formula with the finite population
correction (N - n)/N. The residual of a row is its own value plus a cell-level adjustment, which is
what makes the cell-level computation exact.

Longer than 500 lines: raking and the design-based estimates on it (shares, intervals, differences, the
Rao–Scott test) share the raked design's cells and residuals; apart, each would rebuild them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fuldtid.errors import OutputError, WeightingError
from fuldtid.model.population import Population

__all__ = [
    "Estimate", "MarginDiagnostic", "Weights", "clopper_pearson", "korn_graubard", "rake", "weighted_chisq",
    "weighted_difference", "weighted_share", "weights_to_csv",
]

# survey:::svyrecvar back-fits the raking margins a fixed number of times; matching R needs the same.
_R_BACKFIT_SWEEPS = 10
# Raking continues past `tol` to the numerical fixed point, so the weights are the raking solution
# itself (what R gives with a tight epsilon) rather than one of many "close enough" iterates.
_POLISH = 1e-12


@dataclass(frozen=True)
class MarginDiagnostic:
    """How one population category is represented before and after weighting."""

    variable: str
    category: str
    sample_count: int          # weighted respondents in the category
    sample_share: float        # sample_count / n_weighted (0..1)
    population_share: float    # register count / N (0..1)
    weighted_share: float      # weighted total / N (0..1)


@dataclass(frozen=True)
class CellDesign:
    """The raked design at cell level, kept for variance estimation (internal).

    ``cell`` holds, for each weighted respondent (in sample order), the index of its cell;
    ``groups[m][c]`` is the category of margin m of cell c; ``rounds`` holds, per raking round
    (one, plus one per trimming round), the cell weights after each margin's step in the last sweep.
    """

    positions: np.ndarray              # positions (in the sample) of the weighted respondents
    cell: np.ndarray                   # cell index per weighted respondent
    counts: np.ndarray                 # respondents per cell
    groups: tuple[np.ndarray, ...]     # per margin: category index per cell
    sizes: tuple[int, ...]             # per margin: number of categories
    rounds: tuple[tuple[np.ndarray, ...], ...]
    cell_weights: np.ndarray           # final weight per cell


@dataclass(frozen=True)
class Weights:
    """Raking weights with their diagnostics."""

    weights: pd.Series         # index respondentid (as the sample); NaN for respondents left out
    population: Population
    n_weighted: int
    n_left_out: int
    left_out_reasons: Mapping[str, int]
    effective_n: float         # Kish: (sum w)^2 / sum w^2
    design_effect: float       # n_weighted / effective_n
    min_weight: float
    max_weight: float
    weight_ratio: float        # max_weight / min_weight
    iterations: int            # raking sweeps (all rounds together when trimming)
    trimmed: float | None      # the trimming factor K when trimming was asked for, else None
    margins: tuple[MarginDiagnostic, ...]
    trim_rounds: int = 0       # how many times weights were capped and raked again
    n_at_cap: int = 0          # respondents whose final weight is at the cap (within tolerance)
    cells: CellDesign | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        """The population size N the weights add up to."""
        return self.population.size


@dataclass(frozen=True)
class Estimate:
    """A weighted share with its 95% (or ``level``) logit interval, in percent."""

    pct: float
    ci_low: float
    ci_high: float
    population_count: float    # estimated number of staff with y in the domain
    se: float                  # linearised standard error of the proportion (0..1 units)
    n: int = 0                 # respondents behind the estimate (in the domain, y known)
    df: int = 0                # degrees of freedom of the t quantile (R: degf of the domain design)
    note: str | None = None    # why there is no interval (ci_low/ci_high NaN), in Danish


# --- raking --------------------------------------------------------------------------------------------

def _category_codes(sample: pd.DataFrame, margin, path: Path) -> np.ndarray:
    """Map answer labels of one weighting variable to register category codes (-1 = missing)."""
    var = margin.variable
    if var not in sample.columns:
        raise WeightingError(f"{path}: weighting variable {var!r} is not among the survey's answers; "
                             "remove it from the population file or check the survey definition.")
    lookup = {label: i for i, cat in enumerate(margin.categories) for label in cat.covers}
    col = sample[var]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = np.asarray(col.cat.codes, dtype=np.int64)
        uniques = list(col.cat.categories)
        used = np.zeros(len(uniques), dtype=bool)
        used[np.unique(codes[codes >= 0])] = True
    else:
        codes, uniq = pd.factorize(col, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        uniques = list(uniq)
        used = np.ones(len(uniques), dtype=bool)
    table = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot: NA sentinel -1 indexes it
    for i, value in enumerate(uniques):
        target = lookup.get(str(value))
        if target is None:
            if not used[i]:
                continue
            example = sample.index[codes == i][0]
            raise WeightingError(
                f"{path}: answer {str(value)!r} of {var} (e.g. respondent {example}) is not covered by any "
                "category of the population file; add it to a category's omfatter.")
        table[i] = target
    return table[codes]


def _combine(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Cell index per row and the category of every margin per cell (cells = occupied combinations)."""
    total = math.prod(sizes)
    n = len(codes[0])
    if total <= max(4 * n, 1 << 16) and total < (1 << 62):
        combined = np.zeros(n, dtype=np.int64)
        for c, k in zip(codes, sizes):
            combined *= k
            combined += c
        occupied = np.flatnonzero(np.bincount(combined, minlength=total))
        remap = np.empty(total, dtype=np.int64)
        remap[occupied] = np.arange(len(occupied))
        cell = remap[combined]
        keys = occupied
    elif total < (1 << 62):
        combined = np.zeros(n, dtype=np.int64)
        for c, k in zip(codes, sizes):
            combined *= k
            combined += c
        keys, cell = np.unique(combined, return_inverse=True)
    else:  # too many combinations for one integer: factorise pairwise
        cell = codes[0]
        for c, k in zip(codes[1:], sizes[1:]):
            cell, _ = pd.factorize(cell * k + c, sort=True)
        first = np.unique(cell, return_index=True)[1]
        return cell.astype(np.int64), np.stack([c[first] for c in codes])
    groups = []
    rest = keys.copy()
    for k in reversed(sizes):
        groups.append(rest % k)
        rest //= k
    return cell.astype(np.int64), np.stack(groups[::-1])


def _ipf(base: np.ndarray, counts: np.ndarray, groups: np.ndarray, targets: list[np.ndarray],
         size: int, tol: float, max_iter: int) -> tuple[np.ndarray, tuple[np.ndarray, ...], int, float]:
    """Rake cell weights from ``base`` to the margins; returns weights, last sweep's steps, sweeps, error.

    Each sweep post-stratifies to each margin in turn, as survey::rake does.
    """
    w = base.astype(float).copy()
    old = w * counts
    steps: tuple[np.ndarray, ...] = ()
    sweeps = 0
    for sweeps in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        out = []
        for g, target in zip(groups, targets):
            total = np.bincount(g, weights=w * counts, minlength=len(target))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(total > 0, target / total, 0.0)
            w = w * factor[g]
            out.append(w)
        steps = tuple(out)
        new = w * counts
        delta = float(np.max(np.abs(new - old))) if len(new) else 0.0
        old = new
        if delta <= _POLISH * size:
            break
    error = _margin_error(w, counts, groups, targets)
    return w, steps, sweeps, error


def _margin_error(w, counts, groups, targets) -> float:
    err = 0.0
    for g, target in zip(groups, targets):
        total = np.bincount(g, weights=w * counts, minlength=len(target))
        err = max(err, float(np.max(np.abs(total - target))))
    return err


def rake(sample: pd.DataFrame, population: Population, *, trim: float | None = None,
         tol: float = 1e-6, max_iter: int = 1000) -> Weights:
    """Rake the answered respondents to every margin of the population file.

    ``sample`` is indexed by respondentid with one column per survey field holding answer labels
    (str or Categorical; NA = missing). With one margin this is post-stratification. Raking runs to
    the numerical fixed point (at most ``max_iter`` sweeps) and fails unless every margin is then met
    to within ``tol`` × N. Respondents missing a weighting variable get NaN.

    ``trim=K`` caps weights at K × the mean weight the way R's ``trimWeights(design, upper=cap)`` does
    (the excess is spread evenly over the uncapped respondents) and rakes again, repeating until no
    weight exceeds the cap by more than ``tol`` (relative).
    """
    path = population.path
    N = population.size
    margins = population.margins
    if not margins:
        raise WeightingError(f"{path}: the population file has no margins to weight to.")
    if trim is not None and not (trim > 1):
        raise WeightingError(f"trim factor {trim} must be greater than 1 (weights are capped at "
                             "K × the mean weight, and the mean itself cannot be capped).")
    codes = [_category_codes(sample, m, path) for m in margins]
    sizes = [len(m.categories) for m in margins]

    missing = np.stack([c < 0 for c in codes]) if codes else np.zeros((0, len(sample)), bool)
    left = missing.any(axis=0)
    reasons: dict[str, int] = {}
    if left.any():
        # One reason per respondent, naming every weighting variable it lacks.
        pattern = np.zeros(len(sample), dtype=np.int64)
        for j in range(len(margins)):
            pattern |= missing[j].astype(np.int64) << j
        pats, cnt = np.unique(pattern[left], return_counts=True)
        for p, k in zip(pats.tolist(), cnt.tolist()):
            names = [margins[j].variable for j in range(len(margins)) if p >> j & 1]
            reasons["mangler " + " og ".join(names) if len(names) < 3
                    else "mangler " + ", ".join(names[:-1]) + " og " + names[-1]] = k
    positions = np.flatnonzero(~left)
    n = len(positions)
    if n == 0:
        raise WeightingError(f"{path}: no respondent answered all of "
                             f"{', '.join(population.variables)}; nobody can be weighted.")
    if N < n:
        raise WeightingError(f"{path}: the population counts {N:,} staff, fewer than the {n:,} respondents to "
                             "weight; the population must count everyone the survey was sent to: correct antal.")
    cell, groups = _combine([c[positions] for c in codes], sizes)
    counts = np.bincount(cell).astype(float)

    targets = []
    for j, m in enumerate(margins):
        target = np.array([c.count for c in m.categories], dtype=float)
        have = np.bincount(groups[j], weights=counts[:], minlength=len(target))
        for i, cat in enumerate(m.categories):
            if have[i] == 0 and cat.count > 0:
                raise WeightingError(
                    f"{path}: no weighted respondent is in category {cat.label!r} of {m.variable} "
                    f"({cat.count} staff); merge it with a neighbouring category in the population file.")
            if have[i] > 0 and cat.count == 0:
                raise WeightingError(
                    f"{path}: category {cat.label!r} of {m.variable} has 0 staff but {int(have[i])} "
                    "respondents; correct its antal.")
            if have[i] > cat.count:
                # Fewer staff than answers: weights below 1 and a negative finite population correction.
                raise WeightingError(
                    f"{path}: category {cat.label!r} of {m.variable} has {cat.count} staff but {int(have[i])} "
                    "respondents; the population must count everyone the survey was sent to: correct its antal.")
        targets.append(target)

    mean_w = N / n
    w, steps, sweeps, error = _ipf(np.full(len(counts), mean_w), counts, groups, targets, N, tol, max_iter)
    _check_converged(error, N, tol, sweeps, margins, w, counts, groups, targets, path)
    rounds = [steps]
    trim_rounds = 0
    n_at_cap = 0
    if trim is not None:
        cap = trim * mean_w
        _check_trim_feasible(cap, trim, mean_w, margins, groups, counts, path)
        while float(np.max(w)) > cap * (1 + tol):
            if trim_rounds >= max_iter:
                raise WeightingError(
                    f"trimming at {trim} × the mean weight does not settle after {trim_rounds} rounds "
                    f"(largest weight still {np.max(w) / mean_w:.3f} × the mean); use a larger --trim.")
            outside = w > cap
            excess = float(np.sum(counts[outside] * (w[outside] - cap)))
            base = np.where(outside, cap, w + excess / float(np.sum(counts[~outside])))
            w, steps, k, error = _ipf(base, counts, groups, targets, N, tol, max_iter)
            _check_converged(error, N, tol, k, margins, w, counts, groups, targets, path)
            rounds.append(steps)
            sweeps += k
            trim_rounds += 1
        n_at_cap = int(np.sum(counts[w >= cap * (1 - tol)]))

    full = np.full(len(sample), np.nan)
    full[positions] = w[cell]
    series = pd.Series(full, index=sample.index, name="weight")
    sw, sw2 = float(np.sum(w * counts)), float(np.sum(w * w * counts))
    eff = sw * sw / sw2
    diags = []
    for j, m in enumerate(margins):
        cnt = np.bincount(groups[j], weights=counts, minlength=len(m.categories))
        wt = np.bincount(groups[j], weights=w * counts, minlength=len(m.categories))
        for i, cat in enumerate(m.categories):
            diags.append(MarginDiagnostic(m.variable, cat.label, int(cnt[i]), float(cnt[i] / n),
                                          cat.count / N, float(wt[i] / sw)))
    cells = CellDesign(positions=positions, cell=cell, counts=counts, groups=tuple(groups),
                       sizes=tuple(sizes), rounds=tuple(rounds), cell_weights=w)
    return Weights(
        weights=series, population=population, n_weighted=n, n_left_out=int(left.sum()),
        left_out_reasons=reasons, effective_n=eff, design_effect=n / eff,
        min_weight=float(np.min(w)), max_weight=float(np.max(w)),
        weight_ratio=float(np.max(w) / np.min(w)), iterations=sweeps, trimmed=trim,
        margins=tuple(diags), trim_rounds=trim_rounds, n_at_cap=n_at_cap, cells=cells)


def _check_converged(error, N, tol, sweeps, margins, w, counts, groups, targets, path) -> None:
    if error <= tol * N and np.all(np.isfinite(w)):
        return
    worst, where = -1.0, ""
    for j, (g, target) in enumerate(zip(groups, targets)):
        total = np.bincount(g, weights=w * counts, minlength=len(target))
        i = int(np.argmax(np.abs(total - target)))
        if abs(total[i] - target[i]) > worst:
            worst = float(abs(total[i] - target[i]))
            where = (f"{margins[j].variable} {margins[j].categories[i].label!r}: "
                     f"{total[i]:.2f} weighted against {target[i]:.0f}")
    raise WeightingError(
        f"{path}: raking did not converge in {sweeps} sweeps; a margin is still off by {worst:.3g} "
        f"persons ({where}). The margins may contradict each other given who answered; merge sparse "
        "categories or drop a weighting variable.")


def _check_trim_feasible(cap, trim, mean_w, margins, groups, counts, path) -> None:
    # A category's weights must add up to its register count, so their average is a floor for the cap.
    for j, m in enumerate(margins):
        have = np.bincount(groups[j], weights=counts, minlength=len(m.categories))
        for i, cat in enumerate(m.categories):
            if have[i] > 0 and cat.count / have[i] > cap * (1 + 1e-12):
                need = cat.count / have[i] / mean_w
                raise WeightingError(
                    f"cannot trim at {trim} × the mean weight: {m.variable} {cat.label!r} has "
                    f"{int(have[i])} respondents for {cat.count} staff, so its weights average {need:.3f} × "
                    f"the mean; use --trim larger than {need:.2f}.")


def weights_to_csv(weights: Weights, path: str | Path) -> None:
    """Write ``respondentid,weight`` (shortest exact decimals; empty weight for left-out respondents)."""
    frame = pd.DataFrame({"respondentid": weights.weights.index, "weight": weights.weights.to_numpy()})
    try:
        frame.to_csv(path, index=False, lineterminator="\n", float_format=None, na_rep="")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the weights ({exc.strerror}).") from None


# --- variance ------------------------------------------------------------------------------------------

def _linearized_vcov(weights: Weights, S: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """R's variance of a total from the influence values x0 (weighted respondents × K), given as sums.

    ``S`` holds the per-cell sums of x0 (cells × K) and ``cross`` the cross products x0'x0 (K × K);
    nothing else about x0 is needed. Equivalent to ``survey:::svyrecvar(x0, ...)`` for the raked (and
    possibly trimmed-and-reraked) design with ``ids = ~1, fpc = ~N``.
    """
    cells = weights.cells
    n = len(cells.cell)
    K = S.shape[1]
    cnt = cells.counts
    adj = np.zeros_like(S)
    for steps in cells.rounds:
        for _ in range(_R_BACKFIT_SWEEPS):
            for g, size, psw in zip(cells.groups, cells.sizes, steps):
                # mean over the category's rows of x / psw, each row being x0 + its cell's adjustment
                per_cell = (S + cnt[:, None] * adj) / psw[:, None]
                n_g = np.bincount(g, weights=cnt, minlength=size)
                mean_g = np.stack([np.bincount(g, weights=per_cell[:, k], minlength=size)
                                   for k in range(K)], axis=1) / n_g[:, None]
                adj -= psw[:, None] * mean_g[g]
    total = S.sum(axis=0) + (cnt[:, None] * adj).sum(axis=0)
    full = cross + S.T @ adj + adj.T @ S + adj.T @ (cnt[:, None] * adj)
    centred = full - np.outer(total, total) / n
    N = weights.population.size
    scale = (N - n) / N * n / (n - 1) if n > 1 else 0.0
    return centred * scale


def _design(weights: Weights) -> CellDesign:
    if weights.cells is None:
        raise ValueError("these weights carry no design information (construct them with rake())")
    return weights.cells


def _aligned(weights: Weights, s: pd.Series | None, what: str) -> pd.Series | None:
    if s is None:
        return None
    index = weights.weights.index
    if not s.index.equals(index):
        extra = s.index.difference(index)
        if len(extra):
            raise ValueError(f"{what} has respondent ids not in the weighted sample, e.g. {extra[0]}")
        s = s.reindex(index)
    return s


def _bool_values(s: pd.Series, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, known) arrays for the weighted respondents; NA counts as unknown."""
    # Straight to numpy: s.iloc[...] would copy the (string) index on every call.
    known = ~s.isna().to_numpy()[positions]
    vals = s.to_numpy(dtype=bool, na_value=False)[positions]
    return vals, known


def weighted_share(weights: Weights, y: pd.Series, domain: pd.Series | None = None,
                   level: float = 0.95, method: str = "logit") -> Estimate:
    """The weighted share of ``y`` within ``domain``, as R's ``svyciprop`` on the raked design.

    ``method="logit"`` is R's default interval; ``method="beta"`` the Korn–Graubard (Clopper–Pearson on
    the effective sample size) interval the reports use, see :func:`korn_graubard`.

    ``y`` and ``domain`` are boolean Series indexed by respondentid. Respondents with y missing are
    left out of the estimate (R's svyglm drops them); the t quantile's degrees of freedom are those of
    the domain design, i.e. the respondents in the domain minus one, as R computes them. A domain
    nobody is in gives NaN. Shares of exactly 0 or 1 get the interval [0, 0] or [100, 100] (R's glm
    returns an interval a hair's breadth from the bound).
    """
    cells = _design(weights)
    pos = cells.positions
    w = cells.cell_weights[cells.cell]
    yv, yknown = _bool_values(_aligned(weights, y, "y"), pos)
    if domain is None:
        dom = np.ones(len(pos), dtype=bool)
    else:
        dv, dknown = _bool_values(_aligned(weights, domain, "domain"), pos)
        dom = dv & dknown
    use = dom & yknown
    df = int(dom.sum()) - 1
    W = float(np.sum(w[use]))
    nan = float("nan")
    if W <= 0:
        return Estimate(nan, nan, nan, nan, nan, n=int(use.sum()), df=df)
    hit = float(np.sum(w[use & yv]))
    p = hit / W
    x0 = np.where(use, w * (yv - p) / W, 0.0)
    S = np.bincount(cells.cell, weights=x0, minlength=len(cells.counts))[:, None]
    # Not x0 @ x0: a BLAS dot over every respondent starts OpenBLAS's threads, which on a busy two-core
    # machine took 25 ms a call (90 calls a report) against 0.1 ms for this.
    var = float(_linearized_vcov(weights, S, np.array([[float(np.sum(x0 * x0))]]))[0, 0])
    se = math.sqrt(max(var, 0.0))
    note = None
    if method == "beta":
        census = weights.n_weighted >= weights.population.size
        lo, hi, note = korn_graubard(p, se, int(use.sum()), df, weights.n_weighted, level, census=census)
    elif method == "logit":
        lo, hi = _logit_interval(p, se, df, level)
    else:
        raise ValueError(f"unknown interval method {method!r} (logit or beta)")
    return Estimate(pct=100 * p, ci_low=100 * lo, ci_high=100 * hi, population_count=hit, se=se,
                    n=int(use.sum()), df=df, note=note)


# A standard error this small (against a share's own scale) is zero up to rounding: the share does not
# vary from sample to sample (a weighting variable's share, or everyone in the population answered).
_SE_ZERO = 1e-9
NOTE_ONE = "intervallet kan ikke beregnes ud fra én besvarelse"
NOTE_CALIBRATED = "andelen er fastlagt af vægtningen og har ingen stikprøveusikkerhed"
NOTE_CENSUS = "alle i populationen har svaret, så andelen har ingen stikprøveusikkerhed"


def clopper_pearson(count: int, base: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval of an unweighted share, 0..1, as R's ``binom.test(x, n)$conf.int``;
    NaN for an empty base."""
    if base <= 0:
        return float("nan"), float("nan")
    from scipy.special import betaincinv

    alpha = 1 - level
    lo = 0.0 if count <= 0 else float(betaincinv(count, base - count + 1, alpha / 2))
    hi = 1.0 if count >= base else float(betaincinv(count + 1, base - count, 1 - alpha / 2))
    return lo, hi


def korn_graubard(p: float, se: float, n: int, df: int, n_design: int, level: float = 0.95, *,
                  census: bool = False) -> tuple[float, float, str | None]:
    """Korn–Graubard interval of a weighted share: Clopper–Pearson on the effective sample size.

    As R's ``svyciprop(method = "beta")``: n* = p(1 − p) / se², times (t(n_design − 1) / t(df))² for the
    domain's fewer degrees of freedom, then the beta quantiles ``qbeta(α/2, n*p, n*(1 − p) + 1)`` and
    ``qbeta(1 − α/2, n*p + 1, n*(1 − p))``. Where R's variance is 0 because the share is 0 or 1 (R returns
    NaN) the design effect is taken as 1, n* = n respondents (as Korn and Graubard and SAS do), so 0 of 30
    still reaches about 12%. Returns (low, high, note) in 0..1; NaN and a Danish note saying why where no
    interval can be estimated: one respondent (df 0), a share fixed by the weighting (0 < p < 1 with no
    variance), or everyone in the population answered (``census``).
    """
    nan = float("nan")
    if census:
        return nan, nan, NOTE_CENSUS
    if df < 1 or n < 1:
        return nan, nan, NOTE_ONE
    edge = p <= 0.0 or p >= 1.0
    if not edge and se <= _SE_ZERO:
        return nan, nan, NOTE_CALIBRATED
    from scipy.special import betaincinv, stdtrit  # lazy; both far cheaper to import than scipy.stats

    alpha = 1 - level
    n_eff = float(n) if edge else p * (1 - p) / se**2
    n_eff *= (float(stdtrit(n_design - 1, alpha / 2)) / float(stdtrit(df, alpha / 2))) ** 2
    x = n_eff * p
    lo = 0.0 if x <= 0 else float(betaincinv(x, n_eff - x + 1, alpha / 2))
    hi = 1.0 if n_eff - x <= 0 else float(betaincinv(x + 1, n_eff - x, 1 - alpha / 2))
    return lo, hi, None


def _logit_interval(p: float, se: float, df: int, level: float) -> tuple[float, float]:
    if df <= 0:
        return float("nan"), float("nan")
    if p <= 0.0 or p >= 1.0:
        return p, p
    # scipy.special's Student t quantile equals scipy.stats.t.ppf and imports in half the time.
    from scipy.special import stdtrit

    q = float(stdtrit(df, 1 - (1 - level) / 2))
    logit = math.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    return _expit(logit - half), _expit(logit + half)


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def weighted_difference(weights: Weights, y: pd.Series, in_group: pd.Series, domain: pd.Series
                        ) -> tuple[float, float, float, float]:
    """A group's weighted share of ``y`` against the rest of ``domain``: (share, rest's share, z, p).

    Design-based z test of the difference from its linearised standard error (covariance of the two
    domain shares included), as R's ``svyglm(y ~ in_group, subset(design, domain))``: z = coef / SE,
    p = 2 * pnorm(-|z|). NaN z and p = 1 when either side is empty or the difference has no variance.
    """
    cells = _design(weights)
    pos = cells.positions
    w = cells.cell_weights[cells.cell]
    yv, yknown = _bool_values(_aligned(weights, y, "y"), pos)
    gv, gknown = _bool_values(_aligned(weights, in_group, "in_group"), pos)
    dv, dknown = _bool_values(_aligned(weights, domain, "domain"), pos)
    use = dv & dknown & yknown & gknown
    g, r = use & gv, use & ~gv
    Wg, Wr = float(np.sum(w[g])), float(np.sum(w[r]))
    nan = float("nan")
    if Wg <= 0 or Wr <= 0:
        return (float(np.sum(w[g & yv])) / Wg if Wg > 0 else nan,
                float(np.sum(w[r & yv])) / Wr if Wr > 0 else nan, nan, 1.0)
    pg, pr = float(np.sum(w[g & yv])) / Wg, float(np.sum(w[r & yv])) / Wr
    x0 = np.where(g, w * (yv - pg) / Wg, 0.0) - np.where(r, w * (yv - pr) / Wr, 0.0)
    S = np.bincount(cells.cell, weights=x0, minlength=len(cells.counts))[:, None]
    # Not x0 @ x0: a BLAS dot over every respondent starts OpenBLAS's threads, which on a busy two-core
    # machine took 25 ms a call (90 calls a report) against 0.1 ms for this.
    var = float(_linearized_vcov(weights, S, np.array([[float(np.sum(x0 * x0))]]))[0, 0])
    if not var > _SE_ZERO**2:
        return pg, pr, nan, 1.0
    z = (pg - pr) / math.sqrt(var)
    return pg, pr, z, math.erfc(abs(z) / math.sqrt(2))


def weighted_chisq(weights: Weights, rows: pd.Series, cols: pd.Series,
                   domain: pd.Series | None = None) -> dict:
    """Rao–Scott second-order corrected test of independence, as R's ``svychisq(statistic="F")``.

    ``rows`` and ``cols`` hold labels indexed by respondentid; respondents missing either (or outside
    ``domain``) are left out, as with R's default ``na.rm = TRUE``. Like R, the design effect matrix is
    built on every category the weighted respondents gave (even one that occurs only where the other
    variable is missing), the Pearson statistic on the categories of respondents who answered both, and
    the denominator df is d × (n − 1) with n the number of weighted respondents (the design's degrees
    of freedom, not the domain's). Where R returns NaN — a category answered only outside the domain —
    the test is done on the categories present in the domain instead.
    """
    cells = _design(weights)
    pos = cells.positions
    w = cells.cell_weights[cells.cell]
    r = _aligned(weights, rows, "rows").iloc[pos]
    c = _aligned(weights, cols, "cols").iloc[pos]
    rcode, rlev = pd.factorize(r, sort=True)
    ccode, clev = pd.factorize(c, sort=True)
    both = (rcode >= 0) & (ccode >= 0)
    use = both.copy()
    if domain is not None:
        dv, dknown = _bool_values(_aligned(weights, domain, "domain"), pos)
        use &= dv & dknown
    nr, nc = len(rlev), len(clev)
    nan = float("nan")
    result = {"method": "Rao-Scott F", "statistic": nan, "df1": nan, "df2": nan, "p_value": nan}
    W = float(np.sum(w[use]))
    if nr < 2 or nc < 2 or W <= 0:
        return result
    # Cell index in R's interaction() order: the row factor varies fastest.
    KK = nr * nc
    k = np.where(both, rcode + nr * ccode, 0)
    p = np.bincount(k[use], weights=w[use], minlength=KK) / W
    # Influence values of the cell shares: x0[i, j] = w_i (1{i in j} - p_j) / W for the rows used,
    # summed per calibration cell and cross-multiplied without building the n × (nr·nc) matrix.
    C = len(cells.counts)
    wu = np.where(use, w, 0.0)
    T = np.bincount(cells.cell[use] * KK + k[use], weights=w[use], minlength=C * KK).reshape(C, KK)
    U = np.bincount(cells.cell, weights=wu, minlength=C)
    S = (T - U[:, None] * p[None, :]) / W
    a = np.bincount(k[use], weights=w[use] ** 2, minlength=KK)
    cross = (np.diag(a) - np.outer(a, p) - np.outer(p, a) + float(np.sum(wu ** 2)) * np.outer(p, p)) / W**2
    V = _linearized_vcov(weights, S, cross)

    P = p.reshape(nc, nr).T
    # R's Pearson table holds the categories of respondents answering both (any weight, even 0).
    prow = np.bincount(rcode[both], minlength=nr) > 0
    pcol = np.bincount(ccode[both], minlength=nc) > 0
    sub = P[np.ix_(prow, pcol)]
    rows_keep, cols_keep = np.ones(nr, bool), np.ones(nc, bool)
    if (sub.sum(axis=1) <= 0).any() or (sub.sum(axis=0) <= 0).any():
        # R: NaN. Use the categories that occur in the domain.
        rows_keep, cols_keep = P.sum(axis=1) > 0, P.sum(axis=0) > 0
        sub = P[np.ix_(rows_keep, cols_keep)]
        if sub.shape[0] < 2 or sub.shape[1] < 2:
            return result
    keep = (rows_keep[:, None] & cols_keep[None, :]).T.ravel()  # cell order: rows fastest
    stats = _rao_scott(int(rows_keep.sum()), int(cols_keep.sum()), p[keep], V[np.ix_(keep, keep)], sub)
    if stats is None:
        return result
    F, d0 = stats
    nu = weights.n_weighted - 1
    # scipy.stats.f.sf is scipy.special.fdtrc (f_gen._sf calls it); importing scipy.stats costs about a
    # second, a tenth of a 10^5-row weighted report.
    from scipy.special import fdtrc

    result.update(statistic=F, df1=d0, df2=d0 * nu, p_value=float(fdtrc(d0, d0 * nu, F)))
    return result


def _rao_scott(nr: int, nc: int, p: np.ndarray, V: np.ndarray, table: np.ndarray
               ) -> tuple[float, float] | None:
    """F statistic and numerator df d of the second-order Rao–Scott correction (survey::svychisq)."""
    grid_r = np.tile(np.arange(nr), nc)
    grid_c = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack([np.ones(nr * nc)] + [grid_r == i for i in range(1, nr)]
                         + [grid_c == j for j in range(1, nc)]).astype(float)
    X12 = np.column_stack([(grid_r == i) & (grid_c == j) for j in range(1, nc)
                           for i in range(1, nr)]).astype(float)
    # Residuals of the interaction columns on the main effects (R: qr.resid(qr(X1), X12[...])).
    beta, *_ = np.linalg.lstsq(X1, X12, rcond=None)
    Cmat = X12 - X1 @ beta
    inv_p = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    # R divides by the row count in Vsrs and multiplies the Pearson table by it; both cancel in F
    # and d, so the counts are left out here.
    denom = Cmat.T @ (inv_p[:, None] * Cmat)
    numr = Cmat.T @ (inv_p[:, None] * V * inv_p[None, :]) @ Cmat
    try:
        Delta = np.linalg.solve(denom, numr)
    except np.linalg.LinAlgError:
        return None
    tr = float(np.trace(Delta))
    tr2 = float(np.trace(Delta @ Delta))
    if not (tr > 0 and tr2 > 0):
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    pearson = float(np.sum((table - expected) ** 2 / expected))   # X^2 / (table total)
    return pearson / tr, tr * tr / tr2

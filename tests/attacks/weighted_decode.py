"""Attack helpers: decode published weighted population counts into counts per raking cell.

Raking weights are constant within a cell of the raking variables (koen x timetal band for VJH). A weighted
row of a breakdown or a report table publishes, per answer, the unweighted count n and the weighted
``population_count`` P = sum over raking cells c of w_c * n_c. With a handful of distinct, generic weights and
small n, the non-negative integer solution (n_c) is unique: the row's answers split by gender and hours band.

The reader derives the weights from published numbers only (:func:`reader_weights`): a weighted breakdown by
koen x timetal shows, for every shown cell, n and P (all its members share one weight, so w = P / n); raking
weights have product form w(k, t) = a_k * b_t, which fills in a missing cell from three others.
"""

from __future__ import annotations

import itertools

import numpy as np

BANDS = {"1-9 timer": "<30", "10-19 timer": "<30", "20-29 timer": "<30", "30-36 timer": "30-36",
         "37 timer": "37"}


def reader_weights(survey, weights, min_group: int = 5) -> dict[tuple[str, str], float]:
    """(koen, band) -> weight, from published weighted breakdowns by koen x timetal (both orders): of `mulighed`
    among everybody, of `op_i_tid` among part-timers, of `ned_i_tid` among full-timers."""
    from fuldtid.stats.breakdown import breakdown

    found: dict[tuple[str, str], float] = {}
    for (question, among), by in itertools.product(
            [("mulighed", "alle"), ("op_i_tid", "deltid"), ("ned_i_tid", "fuldtid")],
            (["koen", "timetal"], ["timetal", "koen"])):
        try:
            b = breakdown(survey, question, by, among=among, min_group=min_group, weights=weights).to_dict()
        except Exception:  # noqa: BLE001 - a refused breakdown publishes nothing
            continue
        for row in b["rows"]:
            if row.get("suppressed") or not row.get("weighted") or not row.get("group") or not row.get("total"):
                continue
            labels = row.get("members") or [row["label"]]
            k_t = [(row["group"], lab) if by[0] == "koen" else (lab, row["group"]) for lab in labels]
            bands = {BANDS.get(t) for _, t in k_t}
            if None in bands or len(bands) != 1 or len({k for k, _ in k_t}) != 1:
                continue
            pc = sum(v["population_count"] for v in row["weighted"].values())
            found[(k_t[0][0], bands.pop())] = pc / row["total"]
    # product form: w(k, t) = w(k, t') * w(k', t) / w(k', t')
    ks, ts = ["Kvinde", "Mand"], ["<30", "30-36", "37"]
    for _ in range(2):
        for k, t in itertools.product(ks, ts):
            if (k, t) in found:
                continue
            for k2, t2 in itertools.product(ks, ts):
                if k2 != k and t2 != t and (k, t2) in found and (k2, t) in found and (k2, t2) in found:
                    found[(k, t)] = found[(k, t2)] * found[(k2, t)] / found[(k2, t2)]
                    break
    return found


def decode(n: int, population_count: float, w: list[float], tol: float = 1e-6) -> list[tuple[int, ...]]:
    """Every split of n respondents over the cells of weights ``w`` (at least two, distinct) whose weighted sum
    is ``population_count``: the first cells enumerated, the last two solved for."""
    k = len(w)
    grids = np.meshgrid(*[np.arange(n + 1)] * (k - 2), indexing="ij") if k > 2 else []
    head = np.stack([g.ravel() for g in grids], axis=1) if grids else np.zeros((1, 0), dtype=int)
    head = head[head.sum(axis=1) <= n]
    left = n - head.sum(axis=1)
    rest = population_count - head @ np.asarray(w[: k - 2], dtype=float)
    x = (rest - left * w[k - 1]) / (w[k - 2] - w[k - 1])
    xi = np.rint(x)
    ok = (np.abs(x - xi) < tol) & (xi >= 0) & (xi <= left)
    ok &= np.abs(head @ np.asarray(w[: k - 2], dtype=float) + xi * w[k - 2] + (left - xi) * w[k - 1]
                 - population_count) < tol
    return [(*map(int, h), int(a), int(lf - a)) for h, a, lf in zip(head[ok], xi[ok], left[ok])]

"""The audit of the linked protection: can a published set of tables still pin a hidden count?

Every published number is a linear equation over the unknown counts of (atom, categories, answer), with the
structural zeros a reader of the definition knows (:class:`_Space`). Linear programs (scipy's HiGHS) find which
unknowns can be positive at all (:func:`_can_be_positive`); a rank test then finds every target (a sum of
unknowns, e.g. a hidden group's count of an answer) that the equations fix to one value
(:func:`pinned_targets`). The decisions built on it are :mod:`fuldtid.stats.linked`'s; this module is the
arithmetic, kept apart so it can be read and tested on its own. ``tests/sdc_attacker.py`` proves the result
with integer programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
import numpy as np


@dataclass
class _Space:
    """The unknowns the audit solves for: counts x[atom, c1, (c2,) answer] with the answers' last column
    "did not answer the question" (absent for group sizes)."""

    shape: tuple[int, ...]
    truth: np.ndarray
    zero: np.ndarray  # structural zeros (known to any reader of the definition)
    rows: list[np.ndarray] = field(default_factory=list)  # flat indices summed by each published number
    values: list[float] = field(default_factory=list)

    def add(self, index: np.ndarray) -> None:
        index = np.asarray(index).ravel()
        self.rows.append(index)
        self.values.append(float(self.truth.ravel()[index].sum()))




def _matrices(space: _Space) -> tuple[Any, np.ndarray, list[tuple[float, float]], frozenset[bytes]]:
    """A (sparse), b and the bounds of the published equations, and the set of equations (each the bytes of its
    sorted unknowns) that :func:`pinned_targets` compares with earlier audits of the same unknowns."""
    from scipy.sparse import csr_matrix

    n = space.truth.size
    seen: set[bytes] = set()
    rows, values = [], []
    for idx, value in zip(space.rows, space.values):
        key = np.sort(idx).tobytes()
        if key not in seen:  # the same number published twice is one equation
            seen.add(key)
            rows.append(idx)
            values.append(value)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    ptr = np.concatenate([[0], np.cumsum(lengths)])
    cols = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64)
    a_eq = csr_matrix((np.ones(len(cols)), cols, ptr), shape=(len(rows), n))
    upper = np.full(n, float(space.truth.sum()))
    upper[space.zero.ravel()] = 0.0
    bounds = np.stack([np.zeros(n), upper], axis=1)
    return a_eq, np.asarray(values, dtype=float), bounds, frozenset(seen)


# Audits asked again with the same equations (the same check in every round of a level, the same crossing for
# every level that looks at it): their answers, by a digest of the equations and targets. Only a function of
# the published numbers, so reusing one changes no decision.
_AUDITS: dict[bytes, Any] = {}
_AUDITS_KEPT = 4096
# Earlier answers of which unknowns can be positive, per set of unknowns (the same truth and structural zeros):
# (the equations, the answer). Fewer equations allow more solutions: an audit whose equations include this one's
# found unknowns that can be positive here too, and one whose equations are a part of this one's bounds them.
_FREE: dict[bytes, list[tuple[frozenset[bytes], np.ndarray]]] = {}
_FREE_KEPT = 64  # answers kept per set of unknowns


def _digest(*parts: Any) -> bytes:
    import hashlib

    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(repr((part.dtype.str, part.shape)).encode())
            h.update(np.ascontiguousarray(part).tobytes())
        else:
            h.update(repr(part).encode())
        h.update(b"|")
    return h.digest()


def _remember(key: bytes, value: Any) -> Any:
    while len(_AUDITS) >= _AUDITS_KEPT:
        _AUDITS.pop(next(iter(_AUDITS)))
    _AUDITS[key] = value
    return value


_BLAS_LIMITED = [False]


def _one_blas_thread():
    """The audit's linear algebra is on small matrices: with more than one BLAS thread on a busy machine, the
    threads wait for each other far longer than the work takes (an eigendecomposition of 150 x 150 goes from
    milliseconds to most of a second). One thread while auditing; threadpoolctl when installed."""
    from contextlib import contextmanager

    @contextmanager
    def limited():
        if _BLAS_LIMITED[0]:  # a level computed inside another's: already limited
            yield
            return
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - an optional speed-up
            limits = None
        else:
            limits = threadpool_limits(limits=1, user_api="blas")
        _BLAS_LIMITED[0] = True
        try:
            yield
        finally:
            _BLAS_LIMITED[0] = False
            if limits is not None:
                limits.restore_original_limits()

    return limited()


def pinned_targets(space: _Space, targets: Sequence[np.ndarray]) -> list[int]:
    """Indices of ``targets`` (each a set of unknowns, summed) whose value the equations pin down.

    The runtime test: linear programs find the unknowns that can be positive in some solution of the published
    equations (x >= 0, A x = b; the others are 0 in every solution, e.g. inside a merged row with 0 of an answer);
    the solutions then have a point where all of those are positive, so a sum is constant on them exactly when,
    on those unknowns, it is a combination of the rows of A - a rank test. Only published numbers and group
    sizes enter, never a hidden group's answers, so swapping answers between hidden groups changes no decision.
    It is the linear (real-valued) range; the tests' attacker (tests/sdc_attacker.py) checks the integer range
    with ``scipy.optimize.milp``, as tau-Argus's audit does.
    """
    if not len(targets):
        return []
    a_eq, b_eq, bounds, equation_set = _matrices(space)
    n = space.truth.size
    lengths = np.fromiter((len(np.asarray(t).ravel()) for t in targets), dtype=np.int64, count=len(targets))
    flat_targets = (np.concatenate([np.asarray(t).ravel() for t in targets]).astype(np.int64)
                    if lengths.sum() else np.zeros(0, dtype=np.int64))
    equations = _digest("equations", a_eq.indptr, a_eq.indices, b_eq, bounds)
    key = _digest("pinned", equations, lengths, flat_targets)
    if key in _AUDITS:
        return list(_AUDITS[key])
    free = _AUDITS.get(equations)
    if free is None:
        truth = space.truth.ravel()
        # The true counts are one solution (every published number is their sum), so every unknown that is
        # positive in them can be positive: the linear programs need only look at the rest.
        feasible = not truth[bounds[:, 1] <= 0].any() and bool((truth >= 0).all())
        known = truth > 0 if feasible else np.zeros(n, dtype=bool)
        at_most = np.ones(n, dtype=bool)
        unknowns = _digest("unknowns", truth, bounds)
        if unknowns not in _FREE and len(_FREE) >= _AUDITS_KEPT // 16:
            _FREE.pop(next(iter(_FREE)))
        history = _FREE.setdefault(unknowns, [])
        for before, answer in history:
            if before >= equation_set:
                known |= answer  # a solution of more equations solves these
            elif before <= equation_set:
                at_most &= answer  # a solution of these solves the fewer equations
        free = _remember(equations, _can_be_positive(a_eq, b_eq, bounds, known, at_most))
        if len(history) >= _FREE_KEPT:
            history.pop(0)
        history.append((equation_set, free))
    cols = np.flatnonzero(free)
    if len(cols) == 0:
        return list(_remember(key, tuple(range(len(targets)))))
    return list(_remember(key, tuple(_rank_test(a_eq, cols, n, targets))))


def _rank_test(a_eq: Any, cols: np.ndarray, n: int, targets: Sequence[np.ndarray]) -> list[int]:
    """Which targets are, on the free unknowns ``cols``, a combination of the rows of A (and not all 0)."""
    # The row space of A on the free unknowns, through the smaller of the two Gram matrices.
    a_free = a_eq[:, cols].tocsr()
    if a_free.shape[0] <= a_free.shape[1]:
        gram = (a_free @ a_free.T).toarray()  # equations x equations
    else:
        gram = (a_free.T @ a_free).toarray()  # unknowns x unknowns: its range is the row space itself
    w, v = np.linalg.eigh(gram)
    keep = w > 1e-9 * max(1.0, float(w.max()) if w.size else 1.0)
    v, w = v[:, keep], w[keep]
    position = -np.ones(n, dtype=np.int64)
    position[cols] = np.arange(len(cols))
    f = np.zeros((len(targets), len(cols)))
    for i, t in enumerate(targets):
        pos = position[np.asarray(t)]
        f[i, pos[pos >= 0]] = 1.0
    if a_free.shape[0] <= a_free.shape[1]:
        y = v @ ((v.T @ (a_free @ f.T)) / w[:, None])
        resid = f - (a_free.T @ y).T
    else:
        resid = f - (f @ v) @ v.T
    stuck = np.abs(resid).max(axis=1) < 1e-6
    # A target with nothing free is 0 in every solution: a published 0 (a shown group, or the hidden groups
    # together, with nobody giving an answer) says so of every smaller group inside it - attribute disclosure
    # of a group at or above the threshold, documented rather than hidden (see the module docstring).
    zero = f.sum(axis=1) == 0
    return [int(i) for i in np.flatnonzero(stuck & ~zero)]


def _can_be_positive(a_eq: Any, b_eq: np.ndarray, bounds: np.ndarray, known: np.ndarray | None = None,
                     at_most: np.ndarray | None = None) -> np.ndarray:
    """Which unknowns are positive in some solution of A x = b, 0 <= x <= upper.

    ``known``: unknowns already known to be (positive in a solution at hand); ``at_most``: the only unknowns
    that can be (the answer for a part of these equations). An unknown in a published 0 is 0 in every solution,
    one in no equation can be anything up to its bound. For the rest, one linear program over the cone of the
    solutions (y = s x for s >= 0): A y = s b, y_j <= s upper_j, t_j <= y_j, 0 <= t_j <= 1, maximising the
    sum of t_j over the unknowns in question. Scaling a solution up makes every y_j that can be positive at
    least 1, and the mean of such solutions has all of them positive at once: the maximum has t_j = 1 exactly
    for the unknowns that can be positive and 0 for the rest (a solution with s = 0 is y = 0, bounds being
    finite)."""
    n = len(bounds)
    free = np.zeros(n, dtype=bool) if known is None else known.copy()
    possible = bounds[:, 1] > 0
    zero_rows = np.flatnonzero(b_eq == 0)
    if len(zero_rows):
        in_zero = a_eq[zero_rows].tocsc()
        possible &= np.diff(in_zero.indptr) == 0  # columns that appear in no published 0
    free &= possible
    free |= possible & (np.diff(a_eq.tocsc().indptr) == 0)  # in no equation: anything up to its bound
    left = np.flatnonzero(possible & ~free & (True if at_most is None else at_most))
    if not len(left):
        return free
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, hstack, identity

    # The linear program needs only the unknowns that can be positive at all (the rest are fixed at 0), and
    # only the equations that hold any of them (the others say 0 = 0). Every unknown left is in an equation,
    # whose value (a sum of the truth) is at most the total: its upper bound holds without being stated.
    cols = np.flatnonzero(possible)
    where = -np.ones(n, dtype=np.int64)
    where[cols] = np.arange(len(cols))
    a_small = a_eq[:, cols].tocsr()
    used = np.diff(a_small.indptr) > 0
    a_small, b_small = a_small[used], b_eq[used]
    m, k, r = len(cols), len(left), a_small.shape[0]
    # Columns: y (m), t (k), s (1).
    pick = csr_matrix((np.ones(k), (np.arange(k), where[left])), shape=(k, m))
    a_ub = hstack([-pick, identity(k, format="csr"), csr_matrix((k, 1))]).tocsr()
    a_eq2 = hstack([a_small, csr_matrix((r, k)), csr_matrix(-b_small.reshape(-1, 1))]).tocsr()
    c = np.concatenate([np.zeros(m), -np.ones(k), [0.0]])
    all_bounds = np.vstack([np.column_stack([np.zeros(m), np.full(m, np.inf)]),
                            np.column_stack([np.zeros(k), np.ones(k)]), [[0.0, np.inf]]])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(k), A_eq=a_eq2, b_eq=np.zeros(r), bounds=all_bounds, method="highs")
    if res.status == 0:
        free[left[res.x[m:m + k] > 0.5]] = True
    return free

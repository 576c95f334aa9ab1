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
    _keys: list[bytes] = field(default_factory=list, repr=False)  # of rows[:len(_keys)], see keys()

    def add(self, index: np.ndarray) -> None:
        self.rows.append(np.asarray(index).ravel())

    def copy(self) -> _Space:
        """The same unknowns and published numbers, to add more to."""
        return _Space(self.shape, self.truth, self.zero, list(self.rows), list(self.keys()))

    def keys(self) -> list[bytes]:
        """Each row as the bytes of its sorted unknowns (int64): equal rows, equal keys. Kept, and handed on to
        copies, so that the rows a level's audits share are sorted once."""
        new = self.rows[len(self._keys):]
        if new:
            lengths = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
            row_of = np.repeat(np.arange(len(new)), lengths)
            cols = np.concatenate(new).astype(np.int64)
            whole = cols[np.lexsort((cols, row_of))].tobytes()
            ends = (8 * np.cumsum(lengths)).tolist()
            self._keys.extend(whole[a:b] for a, b in zip([0, *ends[:-1]], ends))
        return self._keys


@dataclass
class _Equations:
    """The published equations A x = b as 0/1 rows: row i sums ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: np.ndarray
    indices: np.ndarray
    n: int  # unknowns

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.indptr) - 1, self.n

    def row_of_entry(self) -> np.ndarray:
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def dense(self, cols: np.ndarray) -> np.ndarray:
        """A[:, cols] as a dense array."""
        position = -np.ones(self.n, dtype=np.int64)
        position[cols] = np.arange(len(cols))
        out = np.zeros((self.shape[0], len(cols)))
        at = position[self.indices]
        keep = at >= 0
        out[self.row_of_entry()[keep], at[keep]] = 1.0
        return out


def _matrices(space: _Space) -> tuple[_Equations, np.ndarray, np.ndarray, frozenset[bytes]]:
    """A, b (each published number: the sum of the true counts in its row) and the bounds of the published
    equations, and the set of equations (each the bytes of its sorted unknowns) that :func:`pinned_targets`
    compares with earlier audits of the same unknowns."""
    n = space.truth.size
    keys = space.keys()
    # The same number published twice is one equation: each row's first appearance, in order.
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
    kept = [keys[i] for i in sorted(first.values())]
    lengths = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept)) // 8
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    cols = np.frombuffer(b"".join(kept), dtype=np.int64)
    values = np.bincount(np.repeat(np.arange(len(kept)), lengths), weights=space.truth.ravel()[cols],
                         minlength=len(kept))
    upper = np.full(n, float(space.truth.sum()))
    upper[space.zero.ravel()] = 0.0
    bounds = np.stack([np.zeros(n), upper], axis=1)
    return _Equations(ptr, cols, n), values, bounds, frozenset(first)


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
    milliseconds to most of a second). One thread while auditing (threadpoolctl, a dependency; the lowest version
    that finds NumPy 2's OpenBLAS is 3.5, see tests/test_packaging.py)."""
    from contextlib import contextmanager

    @contextmanager
    def limited():
        if _BLAS_LIMITED[0]:  # a level computed inside another's: already limited
            yield
            return
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=1, user_api="blas")
        _BLAS_LIMITED[0] = True
        try:
            yield
        finally:
            _BLAS_LIMITED[0] = False
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


def _rank_test(a_eq: _Equations, cols: np.ndarray, n: int, targets: Sequence[np.ndarray]) -> list[int]:
    """Which targets are, on the free unknowns ``cols``, a combination of the rows of A (and not all 0)."""
    # The row space of A on the free unknowns, through the smaller of the two Gram matrices (whole numbers:
    # the same matrix whichever way it is multiplied).
    rows = a_eq.shape[0]
    if rows * len(cols) <= _DENSE_LIMIT:
        a_free: Any = a_eq.dense(cols)
    else:  # pragma: no cover - larger than the audit's tables get
        from scipy.sparse import csr_matrix

        a_free = csr_matrix((np.ones(len(a_eq.indices)), a_eq.indices, a_eq.indptr), shape=a_eq.shape)[:, cols]
    wide = a_free.shape[0] <= a_free.shape[1]
    gram = a_free @ a_free.T if wide else a_free.T @ a_free  # equations x equations, or unknowns x unknowns
    if not isinstance(gram, np.ndarray):  # pragma: no cover
        gram = gram.toarray()
    w, v = np.linalg.eigh(gram)
    keep = w > 1e-9 * max(1.0, float(w.max()) if w.size else 1.0)
    v, w = v[:, keep], w[keep]
    position = -np.ones(n, dtype=np.int64)
    position[cols] = np.arange(len(cols))
    f = np.zeros((len(targets), len(cols)))
    lengths = [np.asarray(t).size for t in targets]
    pos = position[np.concatenate([np.asarray(t).ravel() for t in targets]).astype(np.int64)]
    row = np.repeat(np.arange(len(targets)), lengths)
    f[row[pos >= 0], pos[pos >= 0]] = 1.0
    if wide:
        y = v @ ((v.T @ (a_free @ f.T)) / w[:, None])
        resid = f - (a_free.T @ y).T
    else:  # its range is the row space itself
        resid = f - (f @ v) @ v.T
    stuck = np.abs(resid).max(axis=1) < 1e-6
    # A target with nothing free is 0 in every solution: a published 0 (a shown group, or the hidden groups
    # together, with nobody giving an answer) says so of every smaller group inside it - attribute disclosure
    # of a group at or above the threshold, documented rather than hidden (see the module docstring).
    zero = f.sum(axis=1) == 0
    return [int(i) for i in np.flatnonzero(stuck & ~zero)]


_DENSE_LIMIT = 20_000_000  # entries of A on the free unknowns held dense (160 MB)


def _can_be_positive(a_eq: _Equations, b_eq: np.ndarray, bounds: np.ndarray, known: np.ndarray | None = None,
                     at_most: np.ndarray | None = None) -> np.ndarray:
    """Which unknowns are positive in some solution of A x = b, 0 <= x <= upper.

    ``known``: unknowns already known to be (positive in a solution at hand); ``at_most``: the only unknowns
    that can be (the answer for a part of these equations). An unknown in a published 0 is 0 in every solution,
    one in no equation can be anything up to its bound. For the rest, one linear program over the cone of the
    solutions (y = s x for s >= 0): A y = s b, t_j <= y_j, 0 <= t_j <= 1, maximising the sum of t_j over the
    unknowns in question. Scaling a solution up makes every y_j that can be positive at least 1, and the mean
    of such solutions has all of them positive at once: the maximum has t_j = 1 exactly for the unknowns that
    can be positive and 0 for the rest (with s = 0, y = 0: every unknown left is in an equation, all of whose
    unknowns are >= 0). The upper bounds need not be stated: every unknown left is in an equation, whose value
    (a sum of the truth) is at most the total."""
    n = len(bounds)
    free = np.zeros(n, dtype=bool) if known is None else known.copy()
    possible = bounds[:, 1] > 0
    row_of = a_eq.row_of_entry()
    possible[a_eq.indices[b_eq[row_of] == 0]] = False  # in a published 0
    free &= possible
    free |= possible & (np.bincount(a_eq.indices, minlength=n) == 0)  # in no equation: anything up to its bound
    left = np.flatnonzero(possible & ~free & (True if at_most is None else at_most))
    if not len(left):
        return free
    # The linear program needs only the unknowns that can be positive at all (the rest are fixed at 0), and
    # only the equations that hold any of them (the others say 0 = 0).
    cols = np.flatnonzero(possible)
    where = -np.ones(n, dtype=np.int64)
    where[cols] = np.arange(len(cols))
    entry_col = where[a_eq.indices]
    keep = entry_col >= 0
    entry_col, entry_row = entry_col[keep], row_of[keep]
    used = np.unique(entry_row)
    renumber = np.zeros(a_eq.shape[0], dtype=np.int64)
    renumber[used] = np.arange(len(used))
    entry_row = renumber[entry_row]
    b_small = b_eq[used]
    m, k, r = len(cols), len(left), len(used)
    # Columns y (m), t (k), s (1); rows: A y - b s = 0 (r), then t - y <= 0 (k).
    ks = np.arange(k)
    nonzero_b = np.flatnonzero(b_small != 0)
    lp_rows = np.concatenate([entry_row, r + ks, r + ks, nonzero_b])
    lp_cols = np.concatenate([entry_col, where[left], m + ks, np.full(len(nonzero_b), m + k)])
    lp_vals = np.concatenate([np.ones(len(entry_row)), -np.ones(k), np.ones(k), -b_small[nonzero_b]])
    cost = np.concatenate([np.zeros(m), -np.ones(k), [0.0]])
    col_upper = np.concatenate([np.full(m, np.inf), np.ones(k), [np.inf]])
    row_lower = np.concatenate([np.zeros(r), np.full(k, -np.inf)])
    t = _maximum_point(cost, lp_rows, lp_cols, lp_vals, row_lower, np.zeros(r + k), col_upper)
    if t is not None:
        free[left[t[m:m + k] > 0.5]] = True
    return free


def _maximum_point(cost: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, row_lower: np.ndarray,
                   row_upper: np.ndarray, col_upper: np.ndarray) -> np.ndarray | None:
    """A solution of min cost.z over row_lower <= M z <= row_upper, 0 <= z <= col_upper (M given by its entries),
    or None. Through scipy's own HiGHS: its compiled module called directly when it can be (importing
    ``scipy.optimize`` costs about 0.2 s, over half the time of importing pandas, and ``linprog`` checks its
    input for more milliseconds than HiGHS takes to solve these programs), else ``scipy.optimize.linprog``."""
    order = np.lexsort((rows, cols))
    rows, cols, values = rows[order], cols[order], values[order]
    n = len(cost)
    start = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n))]).astype(np.int32)
    core = _highs_core()
    if core is not None:
        try:
            point = _run_highs(core, cost, start, rows.astype(np.int32), values, row_lower, row_upper, col_upper)
        except (AttributeError, TypeError):  # pragma: no cover - another scipy's private module
            _HIGHS[0] = False
        else:
            if point is not None:
                return point
            # Not solved to optimality (the programs here always have a solution): linprog's way as well.
    from scipy.optimize import linprog
    from scipy.sparse import csc_matrix

    m = csc_matrix((values, rows, start), shape=(len(row_lower), n))
    equal = row_lower == row_upper
    res = linprog(cost, A_ub=m[~equal], b_ub=row_upper[~equal], A_eq=m[equal], b_eq=row_upper[equal],
                  bounds=np.column_stack([np.zeros(n), col_upper]), method="highs", options={"presolve": False})
    return res.x if res.status == 0 else None


_HIGHS: list[Any] = [None]  # scipy's compiled HiGHS module, once loaded; False: not usable


def _highs_core() -> Any:
    """``scipy.optimize._highspy._core`` (scipy >= 1.15), loaded on its own: without running
    ``scipy/optimize/__init__.py``, which imports most of scipy. Registered under its name, so that a later
    ``import scipy.optimize`` uses this same module. None when it is not there."""
    if _HIGHS[0] is None:
        import sys

        name = "scipy.optimize._highspy._core"
        core = sys.modules.get(name)
        if core is None:
            try:
                import importlib.machinery
                import importlib.util
                from pathlib import Path

                import scipy

                folder = Path(scipy.__file__).parent / "optimize" / "_highspy"
                found = [folder / f"_core{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                         if (folder / f"_core{suffix}").is_file()]
                spec = importlib.util.spec_from_file_location(name, found[0]) if found else None
                if spec is not None and spec.loader is not None:
                    core = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(core)
                    sys.modules[name] = core
            except Exception:  # pragma: no cover - not this scipy's layout: linprog instead
                core = None
        needed = ("_Highs", "HighsLp", "HighsOptions", "MatrixFormat", "HighsModelStatus")
        _HIGHS[0] = core if core is not None and all(hasattr(core, a) for a in needed) else False
    return _HIGHS[0] or None


def _run_highs(core: Any, cost: np.ndarray, start: np.ndarray, index: np.ndarray, values: np.ndarray,
               row_lower: np.ndarray, row_upper: np.ndarray, col_upper: np.ndarray) -> np.ndarray | None:
    """One linear program through HiGHS's own objects, as ``scipy.optimize.linprog(method="highs")`` passes it."""
    lp = core.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lower)
    lp.a_matrix_.num_col_ = len(cost)
    lp.a_matrix_.num_row_ = len(row_lower)
    lp.a_matrix_.format_ = core.MatrixFormat.kColwise
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(len(cost))
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = values
    highs = core._Highs()
    options = core.HighsOptions()
    options.output_flag = False
    options.log_to_console = False
    options.presolve = "off"  # these programs are small: presolving them took longer than solving them
    highs.passOptions(options)
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != core.HighsModelStatus.kOptimal:
        return None
    return np.asarray(highs.getSolution().col_value)

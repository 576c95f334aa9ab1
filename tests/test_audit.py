"""The audit's arithmetic (fuldtid.stats.audit) against plain references: which unknowns can be positive
(one linear program over the cone of solutions, HiGHS called directly or through linprog) against one linear
program per unknown, and the protector's atoms by integer keys against numpy's row sort. The decisions built on
them are held to their record by tests/test_linked_decisions.py."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from fuldtid.stats import audit
from fuldtid.stats.linked import _unique_rows


def _system(seed: int):
    """Random published sums of a random sparse truth (0/1 rows, some of them 0), with structural zeros."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 40))
    truth = rng.integers(0, 4, n) * (rng.random(n) < 0.5)
    zero = (truth == 0) & (rng.random(n) < 0.2)
    space = audit._Space((n,), truth.astype(float), zero)
    for _ in range(int(rng.integers(1, 2 * n))):
        space.add(np.flatnonzero(rng.random(n) < rng.uniform(0.05, 0.6)))
    space.add(np.arange(n))
    return space


def _reference(space) -> np.ndarray:
    """Unknown by unknown: maximise x_j over the solutions."""
    from scipy.optimize import linprog

    a, b, bounds, _ = audit._matrices(space)
    dense = a.dense(np.arange(a.n))
    out = np.zeros(a.n, dtype=bool)
    for j in range(a.n):
        c = np.zeros(a.n)
        c[j] = -1.0
        res = linprog(c, A_eq=dense, b_eq=b, bounds=bounds, method="highs")
        out[j] = res.status == 0 and -res.fun > 1e-7
    return out


@pytest.mark.parametrize("seed", range(40))
def test_one_program_finds_every_unknown_that_can_be_positive(seed, monkeypatch):
    space = _system(seed)
    a, b, bounds, _ = audit._matrices(space)
    want = _reference(space)
    assert np.array_equal(audit._can_be_positive(a, b, bounds), want)
    # From the truth's positives (as the audit starts), and through linprog instead of HiGHS's own objects.
    assert np.array_equal(audit._can_be_positive(a, b, bounds, space.truth > 0), want)
    monkeypatch.setattr(audit, "_HIGHS", [False])
    assert np.array_equal(audit._can_be_positive(a, b, bounds), want)


def test_earlier_answers_bound_a_new_one():
    """Answers for more and for fewer equations of the same unknowns give the same answer as none."""
    space = _system(3)
    more = space.copy()
    more.add(np.arange(0, space.truth.size, 2))
    fewer = audit._Space(space.shape, space.truth, space.zero, space.rows[-1:])
    targets = [np.array([i]) for i in range(space.truth.size)]
    audit._AUDITS.clear()
    audit._FREE.clear()
    alone = audit.pinned_targets(space, targets)
    audit._AUDITS.clear()
    audit._FREE.clear()
    audit.pinned_targets(more, targets)
    audit.pinned_targets(fewer, targets)
    assert audit.pinned_targets(space, targets) == alone


def test_equal_rows_are_one_equation_and_values_are_the_truths_sums():
    space = audit._Space((5,), np.array([1.0, 0, 2, 3, 0]), np.zeros(5, dtype=bool))
    for row in ([0, 2], [2, 0], [4], [1, 3, 4], [0, 2]):
        space.add(np.array(row))
    a, b, _, equations = audit._matrices(space)
    assert a.shape == (3, 5) and len(equations) == 3
    assert b.tolist() == [3.0, 0.0, 3.0]
    assert a.dense(np.arange(5)).tolist() == [[1, 0, 1, 0, 0], [0, 0, 0, 0, 1], [0, 1, 0, 1, 1]]


def test_highs_is_used_without_importing_scipy_optimize():
    code = ("import sys; from fuldtid.stats import audit; assert audit._highs_core() is not None; "
            "assert 'scipy.optimize' not in sys.modules; import scipy.optimize; "
            "assert sys.modules['scipy.optimize._highspy._core'] is audit._highs_core(); "
            "print(scipy.optimize.linprog([1.0], bounds=[(1, 2)], method='highs').x)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[1.]"


@pytest.mark.parametrize("n,groups", [(1000, 5), (3000, 12), (200, 25), (50, 70), (0, 3), (7, 1)])
def test_atoms_by_integer_keys_are_numpys_row_sort(n, groups):
    rng = np.random.default_rng(n + groups)
    columns = [rng.random(n) < rng.random() for _ in range(groups)]
    rows, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    got_rows, got_inverse = _unique_rows(columns)
    assert np.array_equal(got_rows, rows) and got_rows.dtype == bool
    assert np.array_equal(got_inverse, inverse.ravel())

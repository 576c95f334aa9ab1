"""The project's attacker (tests/sdc_attacker.py) extended to three background fields at once.

A reader holds every breakdown of one question by one or two of three fields (every pair, both orders, among
every group) and the report. Unknowns: counts per atom x field1 x field2 x field3 x answer. Targets: only cells
of ONE or TWO fields (three-field crossings are documented as outside the guarantee), below the threshold.
Added to the structural knowledge: derived fields (omraade and center from tilbud) can only take the values the
lookup gives, which the survey definition tells every reader.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sdc_attacker import NA, Model, build_model, publish_breakdowns, publish_report, structural_bounds  # noqa: E402


def derived_bounds(m: Model, upper: np.ndarray) -> np.ndarray:
    """Zero where a pair of the model's fields is a combination the definition's lookups never make."""
    d = m.survey.definition.derived
    for i, j in itertools.combinations(range(len(m.fields)), 2):
        a, b = m.fields[i], m.fields[j]
        pairs = None
        da, db = d.get(a), d.get(b)
        if da is not None and da.source == b:
            pairs = {(v, k) for k, v in da.lookup.items()}
        elif db is not None and db.source == a:
            pairs = {(k, v) for k, v in db.lookup.items()}
        elif da is not None and db is not None and da.source == db.source:
            pairs = {(da.lookup[k], db.lookup[k]) for k in da.lookup if k in db.lookup}
        if pairs is None:
            continue
        for x, la in enumerate(m.cats[i]):
            for y, lb in enumerate(m.cats[j]):
                if la == NA or lb == NA or (la, lb) in pairs:
                    continue
                sl: list = [slice(None)] * len(m.shape)
                sl[1 + i], sl[1 + j] = x, y
                upper[tuple(sl)] = 0
    return upper


def pinned_2(m: Model, min_group: int, max_fields: int = 2, limit_seconds: float = 20.0,
             only: tuple[str, ...] | None = None) -> list[tuple[str, int, int]]:
    """(target, pinned value, truth) for counts of groups below ``min_group`` over at most ``max_fields`` of
    the model's fields (``only``: restrict to cells over exactly these fields) that the published numbers pin."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix

    n = m.truth.size
    data, cols, ptr = [], [], [0]
    for idx in m.rows:
        cols.extend(idx.tolist())
        data.extend([1.0] * len(idx))
        ptr.append(len(cols))
    a = csr_matrix((data, cols, ptr), shape=(len(m.rows), n))
    b = np.array(m.values, dtype=float)
    upper = derived_bounds(m, structural_bounds(m)).ravel()
    truth = m.truth.ravel()
    assert np.all(truth <= upper)
    constraint = LinearConstraint(a, b, b)
    bounds = Bounds(np.zeros(n), upper)
    units = [(g, m.group_atoms(g)) for g in m.groups] + [(f"atom{i}", np.array([i])) for i in range(len(m.atoms))]
    targets = []
    for unit, atoms in units:
        for k in range(1, max_fields + 1):
            for fs in itertools.combinations(m.fields, k):
                if only is not None and tuple(fs) != tuple(only):
                    continue
                for labels in itertools.product(*[m.cats[m.fields.index(f)] for f in fs]):
                    sl = [atoms]
                    for f, cats in zip(m.fields, m.cats):
                        sl.append(np.array([cats.index(labels[fs.index(f)])]) if f in fs else np.arange(len(cats)))
                    sel = m.index()[np.ix_(*sl, np.arange(m.shape[-1]))]
                    answered = sel[..., : len(m.answers)].ravel()
                    size = int(truth[answered].sum())
                    if not 0 < size < min_group:
                        continue
                    name = f"{unit} {dict(zip(fs, labels))}"
                    for aa in range(len(m.answers)):
                        t = sel[..., aa].ravel()
                        if truth[t].sum() > 0:
                            targets.append((f"{name} {m.answers[aa]}", t))
                    targets.append((f"{name} (all)", answered))
    if not targets:
        return []

    def solve(c):
        res = milp(c, constraints=constraint, integrality=np.ones(n), bounds=bounds,
                   options={"time_limit": limit_seconds})
        return res.x

    def moved(x, t):
        return abs(float(x[t].sum()) - float(truth[t].sum())) > 0.5

    rng = np.random.default_rng(1)
    open_ = list(range(len(targets)))
    for _ in range(6):
        if not open_:
            break
        c = np.zeros(n)
        for i in open_:
            c[targets[i][1]] += rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)
        x = solve(c)
        if x is not None:
            open_ = [i for i in open_ if not moved(x, targets[i][1])]
    out = []
    for i in open_:
        free = False
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[targets[i][1]] = sign
            x = solve(c)
            if x is not None and moved(x, targets[i][1]):
                free = True
                break
        if not free:
            out.append((targets[i][0], int(truth[targets[i][1]].sum()), int(truth[targets[i][1]].sum())))
    return out


def attack3(survey, tableset, question: str, fields: tuple[str, ...], min_group: int,
            only: tuple[str, ...] | None = None) -> list:
    m = build_model(survey, question, fields)
    publish_breakdowns(m, min_group)
    if tableset is not None:
        publish_report(m, tableset)
    return pinned_2(m, min_group, only=only)

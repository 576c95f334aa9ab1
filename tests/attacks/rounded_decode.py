"""Attack helpers: the interval-constrained decoder for weighted outputs published rounded.

Since 5afe7e8 a weighted share and its interval are published to whole percent and the staff it stands for
(``population_count``) to tens (fives below ten). The attacker here still knows the raking weights exactly
(one per koen x hours band; conservative: they can be rebuilt from the population file's margins and the
published sizes) and combines every published output about one question in one group:

* the one-field weighted breakdowns by the field, by koen and by timetal, and the two-field ones of the field
  with koen and with timetal in both orders (``fuldtid breakdown EXPORT --question Q --by F [--by G] --among A
  --population P``), for the question's own group and for ``alle`` when that differs;
* the koen x timetal breakdowns (both orders);
* the report's tables (``fuldtid report ... --population ... --format json``): table 10 (agreement among
  everybody) and the cross table of the question by the field (13/14 by agreement, 11/12 by area).

Unknowns: how many respondents there are of each type (field value, answer, koen, timetal; each possibly not
given). Every published unweighted count is an equality; every weighted ``population_count`` P a window
``published_count(sum w x) == P`` and every weighted share p a window ``published_pct(100 H / W) == p``, both
linear in the unknowns. For a target (a hidden crossing's size, or how many of it gave an answer) the attack
minimises and maximises it with ``scipy.optimize.milp``: when the two agree the target is pinned. The
interval bounds are not used (their variance comes from the whole raked sample, not the row), so the attack
is a relaxation: anything it cannot pin, the intervals might still pin.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NOT_STATED = "Ikke angivet"
BAND = {"1-9 timer": "<30", "10-19 timer": "<30", "20-29 timer": "<30", "30-36 timer": "30-36", "37 timer": "37"}
EPS = 1e-7


@dataclass
class Problem:
    types: pd.DataFrame  # one row per possible respondent type; columns field, question, koen, timetal
    w: np.ndarray  # the raking weight of each type (0: left out of the weighting)
    truth: np.ndarray  # how many respondents of each type there are (for the sanity check and the report)
    eq: list = field(default_factory=list)  # (coef, value): coef @ x == value, unweighted published counts
    le: list = field(default_factory=list)  # (coef, upper): coef @ x <= upper, from rounded weighted numbers
    weighted_rows: int = 0

    def add_eq(self, mask: np.ndarray, value: float) -> None:
        self.eq.append((mask.astype(float), float(value)))

    def add_window(self, coef: np.ndarray, lo: float, hi: float) -> None:
        self.le.append((coef, hi + EPS))
        self.le.append((-coef, -lo + EPS))


def count_window(p: float) -> tuple[float, float]:
    """Values x with published_count(x) == p (tens, fives below ten; round half up)."""
    if p >= 20:
        return p - 5, p + 5
    if p == 10:
        return 7.5, 15
    return max(p - 2.5, 0.0), p + 2.5


def _survey_weights(survey, weights) -> dict[tuple[str, str], float]:
    r = survey.responses
    ww = weights.weights.reindex(r.index)
    out = {}
    for (k, t), w in ww.groupby([r["koen"].astype(object), r["timetal"].astype(object)]):
        vals = w.dropna().unique()
        if len(vals):
            assert np.allclose(vals, vals[0]), (k, t, vals)
            out[(k, t)] = float(vals[0])
    return out


def build(survey, weights, question: str, fld: str) -> Problem:
    r = survey.responses
    opts = {c: list(survey.options(c)) for c in (fld, question, "koen", "timetal")}
    fld_vals = list(dict.fromkeys([*opts[fld], *r[fld].dropna().astype(object).unique()]))
    combos = list(itertools.product(fld_vals + [None], opts[question] + [None], opts["koen"] + [None],
                                    opts["timetal"] + [None]))
    types = pd.DataFrame(combos, columns=[fld, question, "koen", "timetal"], dtype=object)
    wk = _survey_weights(survey, weights)
    # a cell with no respondents: product form w(k, t) = w(k, t') w(k', t) / w(k', t')
    for k, t in itertools.product(opts["koen"], opts["timetal"]):
        if (k, t) not in wk:
            for k2, t2 in itertools.product(opts["koen"], opts["timetal"]):
                if k2 != k and BAND[t2] != BAND[t] and (k, t2) in wk and (k2, t) in wk and (k2, t2) in wk:
                    wk[(k, t)] = wk[(k, t2)] * wk[(k2, t)] / wk[(k2, t2)]
                    break
            else:
                same = [v for (k3, t3), v in wk.items() if k3 == k and BAND[t3] == BAND[t]]
                if same:
                    wk[(k, t)] = same[0]
    w = np.array([wk.get((k, t), 0.0) if k is not None and t is not None else 0.0
                  for k, t in zip(types["koen"], types["timetal"])])
    rk = pd.DataFrame({c: r[c].astype(object).where(r[c].notna(), None) for c in types.columns})
    counts: dict = {}
    for row in rk.itertuples(index=False):
        counts[tuple(row)] = counts.get(tuple(row), 0) + 1
    truth = np.array([counts.get(tuple(row), 0) for row in types.itertuples(index=False)], dtype=float)
    assert truth.sum() == len(r)
    return Problem(types, w, truth)


def _col(p: Problem, name: str) -> pd.Series:
    return p.types[name].where(p.types[name].notna(), NOT_STATED)


def _group(survey, p: Problem, among: str) -> np.ndarray:
    from fuldtid.model.survey import group_mask

    t = p.types.copy()
    for c in t.columns:  # group_mask reads categorical-like columns; None = not given
        t[c] = t[c].astype(object)
    return group_mask(survey.definition, t, among).to_numpy()


def add_breakdown(p: Problem, survey, d: dict, question: str) -> None:
    """Constraints from one breakdown's to_dict() (weighted or not)."""
    by, among = d["by"], d["among"]
    base = _group(survey, p, among) & p.types[question].notna().to_numpy()
    ans = p.types[question]
    for row in d["rows"]:
        if row.get("suppressed") or not row.get("counts"):
            continue
        labels = row.get("members") or [row["label"]]
        level = 0 if (row.get("subtotal") or len(by) == 1) else 1
        dom = base & _col(p, by[level]).isin(labels).to_numpy()
        if level == 1 and row.get("group") is not None:
            dom &= (_col(p, by[0]) == row["group"]).to_numpy()
        _add_row(p, dom, ans, row["counts"], row.get("weighted"))
    if d["overall"].get("total") is not None:
        _add_row(p, base, ans, d["overall"]["counts"], None)


def _add_row(p: Problem, dom: np.ndarray, ans: pd.Series, counts: dict, weighted: dict | None) -> None:
    for a, n in counts.items():
        p.add_eq(dom & (ans == a).to_numpy(), n)
    if not weighted:
        return
    p.weighted_rows += 1
    wdom = np.where(dom, p.w, 0.0)
    for a, e in weighted.items():
        hit = np.where((ans == a).to_numpy(), wdom, 0.0)
        _add_estimate(p, hit, wdom, e)


def _add_estimate(p: Problem, hit: np.ndarray, wdom: np.ndarray, e: dict) -> None:
    lo, hi = count_window(e["population_count"])
    p.add_window(hit, lo, hi)
    q = e["pct"]
    # 100 H / W in [q - .5, q + .5]  <=>  100 H - (q + .5) W <= 0  and  100 H - (q - .5) W >= 0
    p.le.append((100 * hit - (q + 0.5) * wdom, EPS))
    p.le.append((-(100 * hit - (q - 0.5) * wdom), EPS))


def add_tables(p: Problem, survey, tables: dict, question: str, fld: str) -> None:
    """Constraints from tables.json: the one-way table of ``fld`` among everybody and the cross table of
    ``question`` by ``fld``."""
    for t in tables["tables"]:
        if t["kind"] == "oneway" and t["field"] == fld:
            group = _group(survey, p, t["among"])
            col = p.types[fld]
            opts = set(survey.options(fld)) | set(survey.responses[fld].dropna().astype(object))
            missing_row = any(r["label"] not in opts and not r.get("members") for r in t["rows"])
            dom = group if missing_row else group & col.notna().to_numpy()
            wdom = np.where(dom, p.w, 0.0)
            for row in t["rows"]:
                if row.get("suppressed"):
                    continue
                labels = row.get("members") or [row["label"]]
                y = col.isin(labels).to_numpy().copy()
                if any(lab not in opts for lab in labels):
                    y |= col.isna().to_numpy()
                p.add_eq(dom & y, row["count"])
                if row.get("weighted"):
                    p.weighted_rows += 1
                    _add_estimate(p, np.where(y, wdom, 0.0), wdom, row["weighted"])
            if t.get("base") is not None:
                p.add_eq(dom, t["base"])
        if t["kind"] == "cross" and t["field"] == question and t.get("by") == fld:
            group = _group(survey, p, t["among"]) & p.types[question].notna().to_numpy()
            col = p.types[fld]
            opts = set(survey.options(fld)) | set(survey.responses[fld].dropna().astype(object))
            for row in t["rows"]:
                if row.get("suppressed") or not row.get("counts"):
                    continue
                labels = row.get("members") or [row["label"]]
                in_row = col.isin(labels).to_numpy().copy()
                if any(lab not in opts for lab in labels):
                    in_row |= col.isna().to_numpy()
                _add_row(p, group & in_row, p.types[question], row["counts"], row.get("weighted"))
            if t["overall"].get("total") is not None:
                _add_row(p, group, p.types[question], t["overall"]["counts"], None)


BYS = (("F",), ("koen",), ("timetal",), ("F", "koen"), ("koen", "F"), ("F", "timetal"), ("timetal", "F"),
       ("koen", "timetal"), ("timetal", "koen"))


def collect(survey, weights, question: str, fld: str, among_list, tables: dict | None = None,
            weighted: bool = True, min_group: int = 5, bys=BYS, weighted_bys=BYS) -> Problem:
    """Every published output about ``question`` by ``fld``, koen and timetal in the groups ``among_list``
    (``bys``: which breakdowns, F standing for ``fld``; ``weighted_bys``: which of them with weights)."""
    from fuldtid.stats.breakdown import breakdown

    p = build(survey, weights, question, fld)
    for among, by0 in itertools.product(among_list, bys):
        by = [fld if b == "F" else b for b in by0]
        wb = weighted and by0 in weighted_bys
        try:
            d = breakdown(survey, question, by, among=among, min_group=min_group,
                          weights=weights if wb else None).to_dict()
        except Exception:  # noqa: BLE001 - a refused breakdown publishes nothing
            continue
        add_breakdown(p, survey, d, question)
    if tables is not None:
        if not weighted:
            tables = json.loads(json.dumps(tables))
            for t in tables["tables"]:
                for row in t.get("rows", []):
                    row.pop("weighted", None)
        add_tables(p, survey, tables, question, fld)
    for coef, v in p.eq:  # the constraints hold for the truth: the model reads the outputs right
        assert abs(coef @ p.truth - v) < 1e-6, (v, coef @ p.truth)
    for coef, ub in p.le:
        assert coef @ p.truth <= ub + 1e-6, (coef @ p.truth, ub)
    return p


def bounds(p: Problem, target: np.ndarray) -> tuple[int, int]:
    """The least and the most ``target @ x`` can be over every split consistent with the outputs."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    a_eq = np.array([c for c, _ in p.eq])
    b_eq = np.array([v for _, v in p.eq])
    cons = [LinearConstraint(a_eq, b_eq, b_eq)]
    if p.le:
        cons.append(LinearConstraint(np.array([c for c, _ in p.le]), -np.inf, np.array([u for _, u in p.le])))
    # a type no published count can hold (every equality row covering it is 0) is free; bound by the export size
    ub = np.full(len(p.truth), p.truth.sum())
    out = []
    for sign in (1, -1):
        res = milp(sign * target, constraints=cons, integrality=np.ones(len(ub)), bounds=Bounds(0, ub),
                   options={"disp": False, "time_limit": 120})
        assert res.status == 0, res.message
        out.append(int(round(sign * res.fun)))
    return out[0], out[1]


def hidden_targets(survey, question: str, fld: str, among: str, min_group: int = 5):
    """Hidden crossings (among, fld=X, koen=K) and (among, fld=X, timetal=T) with 1..min_group-1 respondents who
    answered ``question`` (hidden in a published two-field breakdown)."""
    from fuldtid.stats.breakdown import breakdown

    r = survey.responses
    out = []
    for other in ("koen", "timetal"):
        for by in ([fld, other], [other, fld]):
            d = breakdown(survey, question, by, among=among, min_group=min_group).to_dict()
            for row in d["rows"]:
                if not row.get("group") or not row.get("suppressed"):
                    continue
                x, y = (row["group"], row["label"]) if by[0] == fld else (row["label"], row["group"])
                if x == NOT_STATED or y == NOT_STATED:
                    continue
                mask = (survey.group_mask(among) & r[question].notna() & (r[fld].astype(object) == x)
                        & (r[other].astype(object) == y))
                if 0 < int(mask.sum()) < min_group and (x, other, y) not in out:
                    out.append((x, other, y))
    return out


def attack(p: Problem, survey, question: str, fld: str, among: str, targets, baseline: Problem | None = None):
    """[(cell, what, truth, (lo, hi), unweighted (lo, hi) or None)] for every target quantity: the cell's size and
    how many of it gave each answer."""
    g = _group(survey, p, among) & p.types[question].notna().to_numpy()
    res = []
    for x, other, y in targets:
        cell = g & (p.types[fld] == x).to_numpy() & (p.types[other] == y).to_numpy()
        whats = [("size", cell)] + [(a, cell & (p.types[question] == a).to_numpy())
                                    for a in survey.options(question)]
        for what, m in whats:
            m = m.astype(float)
            lo, hi = bounds(p, m)
            base = bounds(baseline, m) if baseline is not None and lo == hi else None
            res.append(((among, x, other, y), what, int(m @ p.truth), (lo, hi), base))
    return res


def row_splits(row: dict, wl: list[float], cap: int = 12) -> list[dict[str, tuple[int, ...]]]:
    """Every split of one published weighted row (answer -> counts over the cells of weights ``wl``) whose
    weighted sums round to the row's published population counts and whose shares round to its published
    whole percents. Rows of more than ``cap`` respondents are not enumerated (empty list)."""
    if row["total"] > cap:
        return []
    k = len(wl)
    per = {}
    for a, n in row["counts"].items():
        e = row["weighted"].get(a)
        lo, hi = count_window(e["population_count"]) if e else (0.0, 0.0)
        per[a] = [sp for sp in itertools.product(range(n + 1), repeat=k) if sum(sp) == n
                  and (e is None or lo - EPS <= float(np.dot(sp, wl)) <= hi + EPS)]
    out = []
    for combo in itertools.product(*per.values()):
        h = {a: float(np.dot(sp, wl)) for a, sp in zip(per, combo)}
        total = sum(h.values())
        if total > 0 and all(abs(100 * h[a] / total - row["weighted"][a]["pct"]) <= 0.5 + EPS
                             for a in h if a in row["weighted"]):
            out.append(dict(zip(per, combo)))
    return out

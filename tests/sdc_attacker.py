"""An attacker who holds every output fuldtid gives for one export at one threshold, and an integer program.

Independent of fuldtid.stats.linked on purpose: it reads only what the public functions publish (breakdowns in both
orders among every group, the report's tables and figures), writes every published number as a linear equation
over the unknown counts of every combination of routing groups (atoms), background categories and answers, adds
what the survey definition tells any reader (routing, who is in which group) and the size of every atom (more
than a real reader has), and asks ``scipy.optimize.milp`` for the integer range of every count of every group
below the threshold - the audit of tau-Argus. A count is *pinned* when its range is a single positive value
(that a group has 0 of some answer is attribute disclosure, which fuldtid documents, not protects).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from fuldtid.stats.breakdown import NOT_STATED, breakdown
from fuldtid.model.definition import ALL

NA = "\x00na"


@dataclass
class Model:
    survey: object
    question: str
    fields: tuple[str, ...]
    groups: tuple[str, ...]
    atoms: np.ndarray  # atoms x groups
    atom_of: np.ndarray
    cats: list[list[str]]
    answers: list[str]
    truth: np.ndarray
    rows: list[np.ndarray] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.truth.shape

    def index(self) -> np.ndarray:
        return np.arange(self.truth.size).reshape(self.shape)

    def group_atoms(self, group: str) -> np.ndarray:
        return np.flatnonzero(self.atoms[:, self.groups.index(group)])

    def select(self, group: str, cell: dict[str, list[str]], answer: int | None) -> np.ndarray:
        """Unknowns of ``group`` whose fields take one of the labels in ``cell`` (fields not named: any)."""
        sl: list = [self.group_atoms(group)]
        for f, cats in zip(self.fields, self.cats):
            if f in cell:
                sl.append([cats.index(c) for c in cell[f]])
            else:
                sl.append(slice(None))
        idx = self.index()
        out = idx[np.ix_(*[np.atleast_1d(s) if not isinstance(s, slice) else np.arange(self.shape[i])
                           for i, s in enumerate(sl)], np.arange(self.shape[-1]))]
        if answer is None:
            return out[..., : len(self.answers)].ravel()
        return out[..., answer].ravel()

    def publish(self, group: str, cell: dict[str, list[str]], counts: dict[str, int] | None,
                total: int | None = None) -> None:
        if counts is not None:
            for a, name in enumerate(self.answers):
                if name in counts and counts[name] is not None:
                    self._add(self.select(group, cell, a), int(counts[name]))
        if total is not None:
            self._add(self.select(group, cell, None), int(total))

    def _add(self, index: np.ndarray, value: int) -> None:
        truth = int(self.truth.ravel()[index].sum())
        assert truth == value, f"published {value} but the data hold {truth}"
        self.rows.append(index)
        self.values.append(value)


def answer_groups(survey, question: str) -> set[str]:
    """Groups defined by the question's own answers: their sizes are answer counts of a shown table."""
    d = survey.definition.groups
    out = set()
    for g in d:
        name = g
        while name is not None:
            if d[name].field == question:
                out.add(g)
            name = d[name].within
    return out


def build_model(survey, question: str, fields: tuple[str, ...]) -> Model:
    groups = tuple(g for g in survey.definition.groups if g not in answer_groups(survey, question))
    masks = np.stack([survey.group_mask(g).to_numpy(dtype=bool) for g in groups], axis=1)
    atoms, atom_of = np.unique(masks, axis=0, return_inverse=True)
    atom_of = atom_of.ravel()
    r = survey.responses
    cats = [[*survey.options(f), NA] for f in fields]
    answers = list(survey.options(question))
    codes = [atom_of]
    for f, c in zip(fields, cats):
        col = r[f].astype("object")
        codes.append(np.array([c.index(v) if isinstance(v, str) else len(c) - 1 for v in col]))
    ans = r[question].astype("object")
    codes.append(np.array([answers.index(v) if isinstance(v, str) else len(answers) for v in ans]))
    shape = (len(atoms), *[len(c) for c in cats], len(answers) + 1)
    flat = np.ravel_multi_index(tuple(codes), shape)
    truth = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)
    m = Model(survey, question, fields, groups, atoms, atom_of, cats, answers, truth)
    idx = m.index()
    for a in range(len(atoms)):
        m._add(idx[a].ravel(), int(truth[a].sum()))
    return m


def _label(label: str) -> str:
    return NA if label in (NOT_STATED, "Ikke angivet", "Tilbud ikke angivet", "Overenskomst ikke angivet",
                           "Har ikke svaret") else label


def publish_breakdowns(m: Model, min_group: int) -> None:
    """Every breakdown of the question by one or both fields (both orders) among every group."""
    for among in m.survey.definition.groups:
        orders = [(f,) for f in m.fields] + list(itertools.permutations(m.fields, 2))
        for by in orders:
            try:
                b = breakdown(m.survey, m.question, list(by), among=among, min_group=min_group)
            except Exception:  # noqa: BLE001 - a refused breakdown publishes nothing
                continue
            if among not in m.groups:
                assert all(r.suppressed for r in b.rows), f"a table among {among} defined by the question is shown"
                continue
            if b.warning is None or b.overall:
                m.publish(among, {}, dict(b.overall) if b.overall else None)
            for row in b.rows:
                if row.suppressed or row.counts is None:
                    continue
                labels = [_label(x) for x in (row.members or (row.label,))]
                if row.group is None:
                    cell = {by[0]: labels}
                else:
                    cell = {by[0]: [_label(row.group)], by[1]: labels}
                m.publish(among, cell, dict(row.counts))


def publish_report(m: Model, tableset) -> None:
    """The report's tables and figures that speak of this question or these fields."""
    from fuldtid.stats.figuredata import all_figures

    for t in tableset.tables:
        if t.among not in m.groups:
            continue
        if t.kind == "cross" and t.field == m.question and t.by in m.fields and t.overall:
            m.publish(t.among, {}, dict(t.overall))
            for row in t.rows:
                if row.suppressed or row.counts is None:
                    continue
                labels = [NA if x == t.missing_row else x for x in (row.members or (row.label,))]
                m.publish(t.among, {t.by: labels}, dict(row.counts))
        if t.kind == "oneway" and t.field == m.question:
            if all(not r.suppressed for r in t.rows):
                m.publish(t.among, {}, {r.label: r.count for r in t.rows if r.label != t.missing_row})
        if t.kind == "oneway" and t.field in m.fields:
            for row in t.rows:
                if row.suppressed or row.count is None:
                    continue
                labels = [NA if x == t.missing_row else x for x in (row.members or (row.label,))]
                sel = m.select(t.among, {t.field: labels}, None)
                full = np.concatenate([sel, _na_column(m, t.among, {t.field: labels})])
                m._add(full, int(row.count))
    for fig in all_figures(tableset):
        if fig.among in m.groups and fig.field == m.question and fig.by in m.fields:
            for g, rows in fig.data.groupby("group", sort=False):
                labels = [_label(x) for x in (fig.hidden if g == fig.merged_label else (g,))]
                counts = {c: int(n) for c, n in zip(rows["category"], rows["count"])}
                m.publish(fig.among, {fig.by: labels}, counts, total=int(rows["total"].iloc[0]))


def _na_column(m: Model, group: str, cell: dict[str, list[str]]) -> np.ndarray:
    sl = [m.group_atoms(group)]
    for f, cats in zip(m.fields, m.cats):
        sl.append(np.array([cats.index(c) for c in cell[f]]) if f in cell else np.arange(len(cats)))
    idx = m.index()[np.ix_(*sl, [len(m.answers)])]
    return idx.ravel()


def structural_bounds(m: Model) -> np.ndarray:
    """Upper bound 0 where the definition rules a combination out (routing and group definitions)."""
    d = m.survey.definition
    upper = np.full(m.shape, np.inf)
    among = d.fields[m.question].among if m.question in d.fields else ALL
    outside = ~m.atoms[:, m.groups.index(among)]
    upper[outside, ..., : len(m.answers)] = 0
    for gi, g in enumerate(m.groups):
        grp = d.groups[g]
        axes = []
        if grp.field == m.question:
            axes.append((len(m.shape) - 1, [*m.answers, None]))
        if grp.field in m.fields:
            i = m.fields.index(grp.field)
            axes.append((1 + i, m.cats[i]))
        for axis, labels in axes:
            values = np.array([lab in grp.values for lab in labels])
            parent = m.atoms[:, m.groups.index(grp.within)] if grp.within else np.ones(len(m.atoms), bool)
            for a in range(len(m.atoms)):
                sl: list = [slice(None)] * len(m.shape)
                sl[0] = a
                if m.atoms[a, gi]:
                    sl[axis] = ~values
                elif parent[a]:
                    sl[axis] = values
                else:
                    continue
                upper[tuple(sl)] = 0
    return upper


def pinned(m: Model, min_group: int, limit_seconds: float = 60.0, *, max_fields: int | None = None,
           only: tuple[str, ...] | None = None, upper: np.ndarray | None = None) -> list[str]:
    """Counts of groups (or combinations of groups) below ``min_group`` that the published numbers pin.

    Targets are cells over at most ``max_fields`` of the model's fields (all by default; ``only``: exactly these
    fields); ``upper`` replaces the structural bounds on the unknowns (e.g. tightened by what else a reader
    knows, as tests/attacks/attack3.py's lookups)."""
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
    upper = (structural_bounds(m) if upper is None else upper).ravel()
    constraint = LinearConstraint(a, b, b)
    bounds = Bounds(np.zeros(n), upper)
    truth = m.truth.ravel()
    assert np.all(truth <= upper), "the structural bounds exclude the truth"

    units = [(g, m.group_atoms(g)) for g in m.groups] + [(f"atom{i}", np.array([i])) for i in range(len(m.atoms))]
    targets = []
    for unit, atoms in units:
        for k in range(1, (max_fields or len(m.fields)) + 1):
            for fs in itertools.combinations(m.fields, k):
                if only is not None and tuple(fs) != tuple(only):
                    continue
                for labels in itertools.product(*[m.cats[m.fields.index(f)] for f in fs]):
                    cell = {f: [lab] for f, lab in zip(fs, labels)}
                    sel = m.index()
                    sl = [atoms]
                    for f, cats in zip(m.fields, m.cats):
                        sl.append(np.array([cats.index(cell[f][0])]) if f in cell else np.arange(len(cats)))
                    sel = sel[np.ix_(*sl, np.arange(m.shape[-1]))]
                    answered = sel[..., : len(m.answers)].ravel()
                    size = int(truth[answered].sum())
                    if not 0 < size < min_group:
                        continue
                    for aa in range(len(m.answers)):
                        t = sel[..., aa].ravel()
                        if truth[t].sum() > 0:
                            targets.append((f"{unit} {cell} {m.answers[aa]}", t))
                    targets.append((f"{unit} {cell} (all)", answered))
    if not targets:
        return []
    rng = np.random.default_rng(1)
    open_ = list(range(len(targets)))

    def solve(c: np.ndarray) -> np.ndarray | None:
        res = milp(c, constraints=constraint, integrality=np.ones(n), bounds=bounds,
                   options={"time_limit": limit_seconds})
        return res.x if res.x is not None else None

    def moved(x: np.ndarray, i: int) -> bool:
        t = targets[i][1]
        return abs(float(x[t].sum()) - float(truth[t].sum())) > 0.5

    for _ in range(6):
        if not open_:
            break
        c = np.zeros(n)
        for i in open_:
            c[targets[i][1]] += rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)
        x = solve(c)
        if x is not None:
            open_ = [i for i in open_ if not moved(x, i)]
    out = []
    for i in open_:
        free = False
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[targets[i][1]] = sign
            x = solve(c)
            if x is not None and moved(x, i):
                free = True
                break
        if not free:
            out.append(targets[i][0])
    return out


def attack(survey, tableset, question: str, fields: tuple[str, ...], min_group: int) -> list[str]:
    m = build_model(survey, question, fields)
    publish_breakdowns(m, min_group)
    if tableset is not None:
        publish_report(m, tableset)
    return pinned(m, min_group)

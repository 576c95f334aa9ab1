"""Anonymity for everything one export can release: linked-table protection with an audit.

Why by hand: tau-Argus and sdcTable do this for a fixed set of linked tables, but neither is a Python library,
and what fuldtid publishes is a family of tables that follow one pattern (a question, by at most two background
fields, among any group of the survey definition). So the protection is written here, in the spirit of
tau-Argus's secondary suppression with an audit, using scipy's HiGHS solvers for the audit.

**The rule.** The threshold (``min_group``) protects groups of respondents defined by *who they are*: the groups
of the survey definition (routing groups such as part-timers), the categories of background fields (agreement,
gender, area, ...) and their crossings. A group with fewer respondents than the threshold shows no counts, shares
or statistics. The answers to a question are not groups: a table whose base is at or above the threshold shows
every answer category in full (2 of 65 answering "10-19 timer" identifies no one).

**What a reader is assumed to hold.** Every output fuldtid can give for one export at one threshold: the
question's distribution among every group of the definition, its breakdown by any one or two background fields
(in either order) among every group, the background fields' own distributions, the size of every combination of
groups (``atoms`` below), the survey definition (so which answers route to which group, which area each workplace
belongs to), and this algorithm. Since every protection decision below is a deterministic function of the
export, the question, the *set* of breakdown fields and the threshold - never of the order of the fields, the
group asked for or what was released before - a reader gets the same hidden cells whichever way they ask.

**Levels.** Decisions are taken level by level and never revised by a finer level:

0. per question: which groups' answer distributions are hidden (groups below the threshold, and any further
   group from which a hidden one could be worked out by subtraction, e.g. part-timers who do not want more hours
   = part-timers - those who do);
1. per question and background field: which (group, category) rows are hidden in every group's table;
2. per question and pair of background fields: which (group, category1, category2) cells are hidden; both orders
   of a nested breakdown show exactly these cells, under the level-1 rows of either field.

At each level, the groups below the threshold are hidden (primary), the usual single-table rule adds secondary
hidden rows (at least two hidden, together at least the threshold and more respondents than groups; see
:mod:`fuldtid.stats.disclosure`; ordered bands such as ages go with their neighbour), and then an **audit** asks, for
every cell below the threshold of every group and of every combination of groups (an *atom*: those in no group
but everybody's can be worked out by subtraction), for every answer and in all, whether the published numbers of
this level and the levels below - as linear equations over the unknown counts of every atom, category and answer,
with the structural zeros the definition implies - still leave it more than one value. A pinned cell makes the
smallest linked shown cell hidden too (in another group's table or in the same table), and the audit runs again.
If nothing is left to hide at a level, every cell of that level is hidden, which publishes nothing beyond the
level below. Level 0 chooses among the sets of groups that would free every pinned cell the one that costs the
definition's own tables the fewest rows; level 1 also checks each field's tables against every other background
field's (a shown 0 in one can pin a small crossing with the other), for pairs up to ``CROSS_CHECK_LIMIT`` unknowns.

An answer count of a hidden group that is 0 in every solution is not counted as a breach: it follows from a
published 0 of a group at or above the threshold that contains it ("none of the 40 part-timers in agreement X
want more hours" says the same of every subgroup; so does a merged "Øvrige grupper" row with 0 of an answer), and
a rule that hid it would have to hide that larger group's own numbers. That is attribute disclosure of a group at
or above the threshold; the README says so, and :func:`uniform_rows` lists the shown groups concerned.

The runtime audit is linear (linear programs and a rank test, :func:`pinned_targets`); the tests' independent
attacker (tests/sdc_attacker.py) solves the integer programs (``scipy.optimize.milp``) over the published outputs
to prove the result.

Longer than 500 lines: the :class:`Protector` is one algorithm (levels, targets, escalation, the crossings check,
the cache of decisions) whose steps share its state; the audit's arithmetic is :mod:`fuldtid.stats.audit`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fuldtid.model.definition import ALL
from fuldtid.stats.audit import _one_blas_thread, _Space, pinned_targets

if TYPE_CHECKING:
    import weakref

    from fuldtid.model.definition import Definition
    from fuldtid.model.survey import Survey

CROSS_CHECK_LIMIT = 4000  # unknowns: a pair of fields with more crossings is not cross-checked (time)
NA = "\x00ikke angivet"  # the category of respondents who did not give a background field
SIZE = None  # question None: the background fields' own distributions (group sizes)


@dataclass(frozen=True)
class Level:
    """The protection of one question by ``fields`` (0, 1 or 2 background fields) in every group.

    ``hidden[group]`` is the set of hidden cells of that group's table: tuples of category labels (``NA`` for
    "not given"), one label per field; for 0 fields the empty tuple () stands for the group's whole distribution.
    ``primary[group]`` are those hidden because they are below the threshold (the rest protect them).
    """

    question: str | None
    fields: tuple[str, ...]
    hidden: Mapping[str, frozenset[tuple[str, ...]]]
    primary: Mapping[str, frozenset[tuple[str, ...]]]
    rounds: int = 0  # audit rounds it took

    def is_hidden(self, group: str, cell: tuple[str, ...]) -> bool:
        """Whether a cell of a group's table is hidden (a group this level does not publish: all of it)."""
        hidden = self.hidden.get(group)
        return True if hidden is None else (cell in hidden or () in hidden)




class Protector:
    """Linked-table protection for one survey at one threshold; every output of a release asks this one object.

    Results are cached, so the report and any number of breakdowns of one export share one set of decisions.
    """

    def __init__(self, survey: Survey, min_group: int, *, background: Sequence[str] | None = None) -> None:
        self.survey = survey
        self.min_group = int(min_group)
        self.background = tuple(background if background is not None else background_fields(survey.definition))
        self.all_groups = tuple(survey.definition.groups)
        self._masks = {g: survey.group_mask(g).to_numpy(dtype=bool) for g in self.all_groups}
        self._structures: dict[str | None, tuple] = {}
        self._categories: dict[str, tuple[str, ...]] = {}
        self._cache: dict[tuple, Level] = {}
        self._spaces: dict[tuple, tuple[_Space, np.ndarray]] = {}
        self._looking_ahead = False  # level 0's look at the cost of a choice skips the crossings check
        self._use(self._structure(None))

    # --- data -------------------------------------------------------------------------------------

    def answer_groups(self, question: str | None) -> tuple[str, ...]:
        """Groups left out of ``question``'s tables: those defined by its own answers (those who want more
        hours, for the question whether they want more hours: its table among them is one answer). For the
        background fields' own distributions (``question`` None): every group defined by an answer to a
        question, so that no decision about them depends on anybody's answers."""
        groups = self.survey.definition.groups
        out = []
        for g in self.all_groups:
            name: str | None = g
            while name is not None:
                defining = groups[name].field
                if defining is not None and (defining == question if question is not None
                                             else defining not in self.background):
                    out.append(g)
                    break
                name = groups[name].within
        return tuple(out)

    def _structure(self, question: str | None) -> tuple:
        if question not in self._structures:
            groups = tuple(g for g in self.all_groups if g not in self.answer_groups(question))
            atoms, atom_of = _unique_rows([self._masks[g] for g in groups])
            self._structures[question] = (groups, atoms, atom_of, np.bincount(atom_of, minlength=len(atoms)))
        return self._structures[question]

    def _use(self, structure: tuple) -> tuple:
        """Switch to the groups and atoms of one question; returns the previous ones."""
        previous = getattr(self, "_current", None)
        self._current = structure
        self.groups, self.atoms, self.atom_of, self.atom_size = structure
        self._group_atoms = {g: np.flatnonzero(self.atoms[:, i]) for i, g in enumerate(self.groups)}
        return previous

    def categories(self, name: str) -> tuple[str, ...]:
        if name not in self._categories:
            self._categories[name] = (*self.survey.options(name), NA)
        return self._categories[name]

    def _codes(self, name: str) -> np.ndarray:
        return self.survey.codes(name)

    def _answers(self, question: str | None) -> tuple[np.ndarray, int]:
        """Answer codes (not answered = the last column) and the number of answer columns."""
        if question is None:
            return np.zeros(len(self.atom_of), dtype=np.int64), 1
        codes = self._codes(question)
        return codes, len(self.survey.options(question)) + 1

    def group_atoms(self, group: str) -> np.ndarray:
        return self._group_atoms[group]

    # --- levels -----------------------------------------------------------------------------------

    def level(self, question: str | None, fields: Sequence[str] = ()) -> Level:
        """The protection of ``question`` (None: group sizes) by 0-2 background ``fields``.

        A pair of fields is protected once, whatever its order: ``level(q, (a, b))`` and ``level(q, (b, a))``
        hide the same cells (returned with the labels in the order asked).
        """
        fields = tuple(fields)
        if len(fields) > 2:
            raise ValueError("at most two fields")
        key_fields = tuple(sorted(fields))
        key = (question, key_fields)
        if key not in self._cache:
            with _one_blas_thread():
                self._cache[key] = self._compute(question, key_fields)
        result = self._cache[key]
        if fields == key_fields:
            return result
        swap = {g: frozenset(c[::-1] for c in cells) for g, cells in result.hidden.items()}
        swap_p = {g: frozenset(c[::-1] for c in cells) for g, cells in result.primary.items()}
        return Level(question, fields, swap, swap_p, result.rounds)

    def hidden_groups(self, question: str | None) -> frozenset[str]:
        """Groups whose distribution of ``question`` is hidden (level 0)."""
        lv = self.level(question)
        return frozenset(g for g, cells in lv.hidden.items() if () in cells)

    def _compute(self, question: str | None, fields: tuple[str, ...]) -> Level:
        previous = self._use(self._structure(question))
        try:
            level = self._compute_here(question, fields)
        finally:
            self._use(previous)
        cells = [()] if not fields else _cells([self.categories(f) for f in fields])
        every = frozenset(cells) | {()}
        hidden = dict(level.hidden)
        for g in self.answer_groups(question):
            hidden[g] = every
        return Level(question, fields, hidden, level.primary, level.rounds)

    def _compute_here(self, question: str | None, fields: tuple[str, ...]) -> Level:
        m = self.min_group
        # Fixed at 0: what the definition rules out, and every combination of groups and categories that has
        # nobody in it. The audit looks at nothing else of the data: its decisions depend on the sizes of the
        # groups and on published numbers, never on how a hidden group answered (so swapping answers between
        # hidden groups changes no output).
        space, index, answered = self._space(question, fields)
        truth = space.truth
        lower = [self.level(question, sub) for sub in _sub_fields(fields)]
        for lv in lower:
            self._publish(space, index, lv, fields, answered)
        if question is not None and fields:
            for f in fields:  # the background fields' own distributions
                self._publish(space, index, self.level(SIZE, (f,)), fields, 1, sizes=True)

        # Cells of this level: per group, every combination of categories.
        cells = [()] if not fields else _cells([self.categories(f) for f in fields])
        groups = self.groups

        def counts(g: str) -> dict[tuple[str, ...], np.ndarray]:
            # Every cell of the group's table at once: the cells are in the order of the flattened fields.
            per_cell = truth[self.group_atoms(g)].sum(axis=0).reshape(len(cells), -1)[:, :answered]
            return dict(zip(cells, per_cell))

        table = {g: counts(g) for g in groups}
        inherited = {g: self._inherited(g, cells, fields, lower) for g in groups}
        primary = {g: frozenset(c for c in cells if 0 < table[g][c].sum() < m and c not in inherited[g]) for g in groups}
        if m <= 1:
            empty = {g: frozenset() for g in groups}
            return Level(question, fields, empty, empty)
        if question is None and not fields:
            # Group sizes are public (a routed question's answer counts give them). Distributions of background
            # fields are published only where the definition shows them (tables and figures of a background
            # field; a breakdown's question is never a background field), and not for a group below the
            # threshold.
            shown = self.size_groups()
            return Level(question, fields, {g: (primary[g] | ({()} if g not in shown else set())) for g in groups},
                         primary)
        forced: dict[str, set[tuple[str, ...]]] = {g: set(inherited[g]) | set(primary[g]) for g in groups}
        targets = self._targets(fields, cells, truth, answered)
        # What the definition and the levels below already pin (those in the group "find it impossible" all
        # answered "Nej") is not this level's doing, and hiding its cells could not change it: leave it out.
        nothing = {g: frozenset(cells) for g in groups}
        known = set(self._pinned(space, index, fields, answered, targets, nothing, lower, detail=True))
        if not fields:
            return self._level0(question, space, index, answered, targets, primary, known)
        rounds = 0
        while True:
            rounds += 1
            hidden = {g: self._choose(g, cells, fields, table[g], forced[g], lower) for g in groups}
            pinned = [t for t in self._pinned(space, index, fields, answered, targets, hidden, lower, detail=True)
                      if t not in known]
            if not pinned and len(fields) == 1 and question is not None and not self._looking_ahead:
                # One field's tables, together with another field's, can pin a crossing of the two (a shown
                # group with 0 of an answer beside a small group's row): check every other background field.
                pinned = self._crossings_pinned(question, fields[0], hidden)
            if not pinned:
                break
            grew = False
            # One pinned cell: look for the cell whose hiding frees it. Several: hide the smallest linked cell
            # of each at once (fewer audit rounds).
            for target in pinned if len(pinned) > 1 else pinned[:1]:
                extra = self._escalate(target, cells, fields, table, hidden, forced, space, index, answered,
                                       lower, verify=len(pinned) == 1)
                if extra is not None and extra[1] not in forced[extra[0]]:
                    forced[extra[0]].add(extra[1])
                    grew = True
            if not grew:
                # Nothing left to hide that could help: hide every cell of this level (the level below stands).
                hidden = {g: frozenset(cells) for g in groups}
                break
        return Level(question, fields, {g: frozenset(h) for g, h in hidden.items()}, primary, rounds)

    def _space(self, question: str | None, fields: tuple[str, ...]) -> tuple[_Space, np.ndarray, int]:
        """The unknowns for ``question`` by ``fields`` (their true counts give the published values), with every
        atom's size published."""
        answers, n_ans = self._answers(question)
        answered = n_ans - 1 if question is not None else 1
        key = (question, fields, self.groups)  # asked again by every crossings check and baseline
        if key in self._spaces:
            space, index = self._spaces[key]
            return space.copy(), index, answered
        dims = [len(self.categories(f)) for f in fields]
        shape = (len(self.atom_size), *dims, n_ans)
        flat = self.atom_of.copy()
        for f, d in zip(fields, dims):
            flat = flat * d + self._codes(f)
        flat = flat * n_ans + answers
        truth = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(float)
        empty = truth.sum(axis=-1, keepdims=True) == 0
        space = _Space(shape, truth, self._structural_zeros(question, fields, shape) | empty)
        index = np.arange(truth.size).reshape(shape)
        for a in range(len(self.atom_size)):
            space.add(index[a])
        self._spaces[key] = (space, index)
        return space.copy(), index, answered

    def _baseline(self, question: str | None, field_: str) -> Level:
        """A field's tables with only the single-table rule applied (no audit): at least as much as they will
        ever show, so checking against them is on the safe side."""
        key = ("baseline", question, field_)
        if key not in self._cache:
            lower = [self.level(question, ())]
            cells = _cells([self.categories(field_)])
            space, _, answered = self._space(question, (field_,))
            hidden = {}
            for g in self.groups:
                per_cell = space.truth[self.group_atoms(g)].sum(axis=0)[:, :answered]
                table = dict(zip(cells, per_cell))
                inherited = self._inherited(g, cells, (field_,), lower)
                small = {c for c in cells if 0 < table[c].sum() < self.min_group}
                hidden[g] = self._choose(g, cells, (field_,), table, set(inherited) | small, lower)
            self._cache[key] = Level(question, (field_,), hidden, {})
        return self._cache[key]

    def _crossings_pinned(self, question: str | None, field_: str, hidden: Mapping[str, frozenset]
                          ) -> list[tuple[str, tuple[str, ...], int]]:
        """Crossings of ``field_`` with another background field, below the threshold, that this field's
        tables (as now hidden) and the other field's (as much as they could ever show) pin down together -
        e.g. a shown group with 0 of an answer beside a small group's row. Each is returned as a cell of this
        field's tables to act on. Pairs with more than CROSS_CHECK_LIMIT unknowns are not checked (time)."""
        current = Level(question, (field_,), dict(hidden), {})
        every = frozenset(_cells([self.categories(field_)]))
        nothing_f = Level(question, (field_,), {g: every for g in hidden}, {})
        out: list[tuple[str, tuple[str, ...], int]] = []
        clear = self.__dict__.setdefault("_crossings_clear", {})
        for other in self.background:
            if other == field_ or other not in self.survey.responses.columns:
                continue
            # This field's tables, hiding at least what they hid when the check with ``other`` found nothing,
            # publish a subset of those numbers: a subset pins a subset, so again nothing.
            seen = clear.setdefault((question, field_, other), [])
            if any(all(hidden[g] >= before[g] for g in hidden) for before in seen):
                continue
            found = len(out)
            pair = tuple(sorted((field_, other)))
            answers = len(self.survey.options(question)) + 1 if question is not None else 1
            if len(self.atom_size) * np.prod([len(self.categories(f)) for f in pair]) * answers > CROSS_CHECK_LIMIT:
                continue
            space, index, answered = self._space(question, pair)
            self._publish(space, index, self.level(question, ()), pair, answered)
            self._publish(space, index, self._baseline(question, other), pair, answered)
            if question is not None:
                for f in pair:
                    self._publish(space, index, self.level(SIZE, (f,)), pair, 1, sizes=True)
            cells = _cells([self.categories(f) for f in pair])
            targets = self._targets(pair, cells, space.truth, answered)
            if not targets:
                continue
            nothing = {g: frozenset(cells) for g in self.groups}
            before = space.copy()
            self._publish(before, index, nothing_f, pair, answered)
            known = set(self._pinned(before, index, pair, answered, targets, nothing, [], detail=True))
            self._publish(space, index, current, pair, answered)
            new = False
            for unit, cell, answer in self._pinned(space, index, pair, answered, targets, nothing, [], detail=True):
                mine = (cell[pair.index(field_)],)
                if (unit, cell, answer) not in known:
                    new = True
                    if (unit, mine, answer) not in out:
                        out.append((unit, mine, answer))
            if not new and len(out) == found:
                seen.append({g: frozenset(h) for g, h in hidden.items()})
        return out

    def _ordinal(self, name: str) -> bool:
        """A field whose categories are ordered bands: every label holds a number ("30-39 år", "37 timer")."""
        labels = self.survey.options(name)
        return len(labels) > 2 and all(any(ch.isdigit() for ch in label) for label in labels)

    def size_groups(self) -> frozenset[str]:
        """Groups among which the definition shows a background field's own distribution (and everybody)."""
        d = self.survey.definition
        out = {ALL}
        for spec in (*d.tables, *d.figures):
            if spec.field in self.background and spec.kind in ("oneway", "distribution"):
                out.add(spec.among)
        return frozenset(out)

    def _level0(self, question: str, space: _Space, index: np.ndarray, answered: int, targets: list,
                primary: Mapping[str, frozenset], known: set) -> Level:
        """Which groups' distributions of ``question`` to hide: those below the threshold, and the cheapest set
        of further groups (never everybody's, unless nothing else works) that leaves no smaller group's answers
        to subtraction. Cheapest: fewest rows hidden, as a consequence, in the definition's own tables and
        figures of this question by a background field; then the fewest respondents."""
        from itertools import combinations

        groups = self.groups
        base = {g: set(primary[g]) for g in groups}

        def pinned(extra: tuple[str, ...]) -> list:
            hidden = {g: frozenset(base[g] | ({()} if g in extra else set())) for g in groups}
            return [t for t in self._pinned(space, index, (), answered, targets, hidden, [], detail=True)
                    if t not in known]

        def level(extra: tuple[str, ...]) -> Level:
            hidden = {g: frozenset(base[g] | ({()} if g in extra else set())) for g in groups}
            return Level(question, (), hidden, primary, 1 + len(extra))

        if not pinned(()):
            return level(())
        size = {g: int(self.atom_size[self.group_atoms(g)].sum()) for g in groups}
        options = sorted((g for g in groups if g != ALL and () not in base[g]), key=lambda g: (size[g], g))
        freeing: list[tuple[str, ...]] = []
        for k in range(1, min(3, len(options)) + 1):
            freeing = [c for c in combinations(options, k) if not pinned(c)]
            if freeing:
                break
        if not freeing:
            return level(tuple(g for g in groups if g != ALL) + ((ALL,) if pinned(tuple(options)) else ()))
        if len(freeing) == 1:
            return level(freeing[0])
        uses = [(spec.by, spec.among) for spec in (*self.survey.definition.tables, *self.survey.definition.figures)
                if spec.field == question and getattr(spec, "by", None) in self.background]

        def cost(extra: tuple[str, ...]) -> tuple[int, int]:
            key = (question, ())
            saved = self._cache.get(key)
            self._cache[key] = level(extra)
            self._looking_ahead = True
            try:
                lost = 0
                for by, among in uses:
                    lv = self._compute(question, (by,))
                    lost += len(lv.hidden.get(among, frozenset()))
            finally:
                self._looking_ahead = False
                if saved is None:
                    self._cache.pop(key, None)
                else:
                    self._cache[key] = saved
            return lost, sum(size[g] for g in extra)

        return level(min(freeing, key=cost))

    def _units(self) -> list[tuple[str, np.ndarray]]:
        """The groups, and every combination of groups (atom) that is not itself a group: a reader can work out
        an atom's numbers by subtraction (all respondents - part-timers - full-timers = those without hours)."""
        units = [(g, self.group_atoms(g)) for g in self.groups]
        singles = {int(atoms[0]) for _, atoms in units if len(atoms) == 1}
        units += [(f"#{a}", np.array([a])) for a in range(len(self.atom_size)) if a not in singles]
        return units

    def _targets(self, fields: tuple[str, ...], cells: list[tuple[str, ...]], truth: np.ndarray, answered: int
                 ) -> list[tuple[str, np.ndarray, tuple[str, ...]]]:
        """What must not be pinned: every cell below the threshold of a group or of a combination of groups,
        whether its table is shown or not."""
        out = []
        per_atom = truth[..., :answered].sum(axis=-1).reshape(truth.shape[0], len(cells))  # cells in order
        for unit, atoms in self._units():
            n = per_atom[atoms].sum(axis=0)
            out += [(unit, atoms, cells[i]) for i in np.flatnonzero((n > 0) & (n < self.min_group))]
        return out

    # --- pieces of the computation ----------------------------------------------------------------

    def _structural_zeros(self, question: str | None, fields: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
        """What the survey definition tells any reader is impossible: answers outside the question's routing,
        a group's defining answer outside the group, a derived field's value that its source does not map to."""
        d = self.survey.definition
        zero = np.zeros(shape, dtype=bool)
        n_atoms = shape[0]
        if question is not None:
            among = d.fields[question].among if question in d.fields else ALL
            outside = ~self.atoms[:, self.groups.index(among)] if among in self.groups else np.zeros(n_atoms, bool)
            zero[outside, ..., :-1] = True
        axes = [(question, len(shape) - 1)] if question is not None else []
        axes += [(f, 1 + i) for i, f in enumerate(fields)]
        for name, axis in axes:
            labels = self.categories(name) if name in fields else (*self.survey.options(name), NA)
            for gi, g in enumerate(self.groups):
                grp = d.groups[g]
                if grp.field != name:
                    continue
                inside = self.atoms[:, gi]
                parent = self.atoms[:, self.groups.index(grp.within)] if grp.within else np.ones(n_atoms, bool)
                values = np.array([lab in grp.values for lab in labels])
                for a in range(n_atoms):
                    sl = [slice(None)] * len(shape)
                    sl[0] = a
                    if inside[a]:
                        sl[axis] = ~values
                    elif parent[a]:
                        sl[axis] = values
                    else:
                        continue
                    zero[tuple(sl)] = True
        # Derived fields (area from workplace): combinations the lookup never makes.
        if len(fields) == 2:
            allowed = _derived_pairs(d, fields, [self.categories(f) for f in fields])
            if allowed is not None:
                zero |= ~allowed[None, :, :, None]
        return zero

    def _publish(self, space: _Space, index: np.ndarray, lv: Level, fields: tuple[str, ...], answered: int,
                 *, sizes: bool = False) -> None:
        """Add the published numbers of a lower level ``lv`` (over a subset of ``fields``) to the audit."""
        for g in self.groups:
            if g not in lv.hidden:
                continue  # not a group of that level's tables: nothing of it is published
            atoms = self.group_atoms(g)
            hidden = lv.hidden[g]
            cells = [()] if not lv.fields else _cells([self.categories(f) for f in lv.fields])
            for cell in cells:
                if cell in hidden or (() in hidden):
                    continue
                sel = _select(index, atoms, fields, lv.fields, cell, self.categories)
                if sizes:
                    space.add(sel)
                else:
                    for a in range(answered):
                        space.add(sel[..., a])

    def _inherited(self, g: str, cells: list[tuple[str, ...]], fields: tuple[str, ...],
                   lower: list[Level]) -> frozenset[tuple[str, ...]]:
        """Cells hidden because a coarser cell containing them is hidden (the whole group, or one category)."""
        out = set()
        for lv in lower:
            hidden = lv.hidden.get(g, frozenset())
            if not hidden:
                continue
            for c in cells:
                sub = tuple(c[fields.index(f)] for f in lv.fields)
                if sub in hidden or () in hidden:
                    out.add(c)
        return frozenset(out)

    def _choose(self, g: str, cells: list[tuple[str, ...]], fields: tuple[str, ...], table: Mapping, forced: set,
                lower: list[Level]) -> frozenset[tuple[str, ...]]:
        """The single-table rule applied to every table of this level that shows cells of group ``g``."""
        from fuldtid.stats.disclosure import choose_hidden

        m = self.min_group
        hidden = set(forced)
        if not fields:
            return frozenset(hidden)
        totals = {c: int(table[c].sum()) for c in cells}
        if len(fields) == 1:
            order = list(cells)

            def rule(forced_cells: set) -> set:
                chosen, warning = choose_hidden([totals[c] for c in order], m, forced=frozenset(
                    i for i, c in enumerate(order) if c in forced_cells))
                return forced_cells | ({order[i] for i in chosen} if warning is None else set(order))

            result = rule(hidden)
            if result - hidden and self._ordinal(fields[0]):
                # Ordered categories (age bands, hours): hide a small band together with its smaller
                # neighbour ("Under 19 år" with "19-29 år"), not with the smallest band anywhere.
                bands = [c for c in order if c[0] != NA]
                with_neighbours = set(hidden)
                for i, c in enumerate(bands):
                    if c in hidden and 0 < totals[c]:
                        near = [bands[j] for j in (i - 1, i + 1) if 0 <= j < len(bands) and bands[j] not in hidden]
                        if near:
                            with_neighbours.add(min(near, key=lambda x: (totals[x], order.index(x))))
                result = rule(with_neighbours)
            return frozenset(result)
        # Two fields: every shown row (category of the first field) and every shown column must satisfy the
        # rule for its inner cells, repeated until neither adds a cell.
        lines = []
        for axis in (0, 1):
            for label in self.categories(fields[axis]):
                lines.append([c for c in cells if c[axis] == label])
        changed = True
        while changed:
            changed = False
            for line in lines:
                if all(c in hidden for c in line):
                    continue
                chosen, warning = choose_hidden([totals[c] for c in line], m, forced=frozenset(
                    i for i, c in enumerate(line) if c in hidden))
                new = {line[i] for i in chosen} if warning is None else set(line)
                if not new <= hidden:
                    hidden |= new
                    changed = True
        return frozenset(hidden)

    def _pinned(self, space: _Space, index: np.ndarray, fields: tuple[str, ...], answered: int,
                targets: list[tuple[str, np.ndarray, tuple[str, ...]]], hidden: Mapping[str, frozenset],
                lower: list[Level], *, detail: bool = False) -> list[Any]:
        """Targets whose count (of any answer, or in all) the published numbers pin down; with ``detail`` as
        (unit, cell, answer) with answer -1 for the count in all."""
        if not targets:
            return []
        trial = space.copy()
        for g in self.groups:
            atoms = self.group_atoms(g)
            cells = [()] if not fields else _cells([self.categories(f) for f in fields])
            for cell in cells:
                if cell in hidden[g]:
                    continue
                sel = _select(index, atoms, fields, fields, cell, self.categories)
                for a in range(answered):
                    trial.add(sel[:, a])
        sums: list[np.ndarray] = []
        owners: list[tuple[str, tuple[str, ...]]] = []
        for unit, atoms, cell in targets:
            sel = _select(index, atoms, fields, fields, cell, self.categories)
            for a in range(answered):
                sums.append(sel[:, a])
                owners.append((unit, cell, a))
            sums.append(sel[:, :answered].ravel())
            owners.append((unit, cell, -1))
        out: list[Any] = []
        for i in pinned_targets(trial, sums):
            key = owners[i] if detail else owners[i][:2]
            if key not in out:
                out.append(key)
        return out

    def _escalate(self, target: tuple[str, tuple[str, ...], int], cells: list[tuple[str, ...]],
                  fields: tuple[str, ...], table: Mapping, hidden: Mapping[str, frozenset], forced: Mapping,
                  space: _Space, index: np.ndarray, answered: int, lower: list[Level], *,
                  verify: bool = True) -> tuple[str, tuple[str, ...]] | None:
        """The cell to hide next for a pinned ``target``: of the shown cells linked to it (the same cell in
        another group's table, or a cell of the same row, column or table in a group containing it), the
        smallest whose hiding frees the target, else the smallest."""
        unit, cell, answer = target
        atoms = dict(self._units())[unit]
        mine = set(atoms.tolist())
        candidates = []
        for order, g2 in enumerate(self.groups):
            if cell not in hidden[g2] and table[g2][cell].sum() > 0:
                candidates.append((int(table[g2][cell].sum()), order, cells.index(cell), g2, cell))
        for order, g2 in enumerate(self.groups):
            if not mine & set(self.group_atoms(g2).tolist()):
                continue
            for c in cells:
                if c == cell or c in hidden[g2] or table[g2][c].sum() == 0:
                    continue
                if len(fields) < 2 or c[0] == cell[0] or c[1] == cell[1]:
                    candidates.append((int(table[g2][c].sum()), order, cells.index(c), g2, c))
        if not candidates:
            return None
        # The tables of everybody ("alle") are the memo's: hide them last.
        candidates.sort(key=lambda t: (t[3] == ALL, *t[:3]))
        one = [(unit, atoms, cell)]
        # Trying candidates costs an audit each: worth it for one field, where tables are few.
        tries = [c for c in candidates if c[3] != ALL][:6] if len(fields) < 2 and verify else []
        for cand in tries:
            g2, c2 = cand[3], cand[4]
            trial = {g: set(h) for g, h in hidden.items()}
            trial[g2].add(c2)
            trial[g2] = set(self._choose(g2, cells, fields, table[g2], set(forced[g2]) | {c2}, lower))
            still = self._pinned(space, index, fields, answered, one, {g: frozenset(h) for g, h in trial.items()},
                                 lower, detail=True)
            if (unit, cell, answer) not in still:
                return g2, c2
        return candidates[0][3], candidates[0][4]


# --- helpers ---------------------------------------------------------------------------------------


def background_fields(definition: Definition) -> tuple[str, ...]:
    """The fields that say who a respondent is: the definition's ``background`` list, or else the fields the
    definition breaks tables and figures down by, and the derived fields."""
    listed = getattr(definition, "background", None)
    if listed:
        return tuple(listed)
    names = [t.by for t in definition.tables if t.by] + [f.by for f in definition.figures if f.by]
    names += list(definition.derived)
    return tuple(dict.fromkeys(n for n in names if n))


def _unique_rows(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)`` for boolean columns, the rows in
    the same (lexicographic) order, by one integer per row: the first column its highest bit. A row sort of
    10^6 x groups booleans takes seconds; a sort of 10^6 integers milliseconds."""
    if not columns or len(columns) > 63:
        rows, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
        return rows, inverse.ravel()
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        key <<= 1
        key |= col
    if 1 << len(columns) <= max(len(key), 1024):  # the integers as positions: no sort at all
        codes = np.flatnonzero(np.bincount(key, minlength=1 << len(columns)))
        rank = np.zeros(1 << len(columns), dtype=np.int64)
        rank[codes] = np.arange(len(codes))
        inverse = rank[key]
    else:
        codes, inverse = np.unique(key, return_inverse=True)
    shifts = np.arange(len(columns) - 1, -1, -1, dtype=np.int64)
    return (codes[:, None] >> shifts) & 1 == 1, inverse.ravel()


def _cells(categories: list[Sequence[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for cats in categories:
        out = [(*c, x) for c in out for x in cats]
    return out


def _sub_fields(fields: tuple[str, ...]) -> list[tuple[str, ...]]:
    if not fields:
        return []
    if len(fields) == 1:
        return [()]
    return [(), (fields[0],), (fields[1],)]


def _sum_cell(truth: np.ndarray, atoms: np.ndarray, positions: Sequence[int | None]) -> np.ndarray:
    """Counts per answer of one cell: the atoms summed, each field fixed at its position or summed (None)."""
    sel = truth[atoms].sum(axis=0)
    for axis in range(len(positions) - 1, -1, -1):
        p = positions[axis]
        sel = sel.sum(axis=axis) if p is None else np.take(sel, p, axis=axis)
    return sel


def _select(index: np.ndarray, atoms: np.ndarray, fields: tuple[str, ...], sub: tuple[str, ...],
            cell: tuple[str, ...], categories: Callable[[str], Sequence[str]]) -> np.ndarray:
    """The flat indices of the unknowns summed by a cell of a table over ``sub`` (a subset of ``fields``):
    shape (unknowns, answers), so that ``[:, a]`` selects one answer."""
    slicer: list[Any] = [atoms]
    for f in fields:
        if f in sub:
            pos = categories(f).index(cell[sub.index(f)])
            slicer.append(slice(pos, pos + 1))
        else:
            slicer.append(slice(None))
    slicer.append(slice(None))
    sel = index[tuple(slicer)]
    return sel.reshape(-1, sel.shape[-1])


def _derived_pairs(definition: Definition, fields: tuple[str, ...], labels: list[Sequence[str]]) -> np.ndarray | None:
    """Allowed (label1, label2) combinations when one field is derived from the other, or both from one source."""
    derived = definition.derived
    a, b = fields

    def mapping(name: str) -> tuple[str, dict[str, str]] | None:
        d = derived.get(name)
        return (d.source, dict(d.lookup)) if d is not None else None

    pairs: set[tuple[str, str]] | None = None
    ma, mb = mapping(a), mapping(b)
    if ma is not None and ma[0] == b:
        pairs = {(v, k) for k, v in ma[1].items()}
    elif mb is not None and mb[0] == a:
        pairs = {(k, v) for k, v in mb[1].items()}
    elif ma is not None and mb is not None and ma[0] == mb[0]:
        pairs = {(ma[1][k], mb[1][k]) for k in ma[1] if k in mb[1]}
    if pairs is None:
        return None
    allowed = np.zeros((len(labels[0]), len(labels[1])), dtype=bool)
    for i, la in enumerate(labels[0]):
        for j, lb in enumerate(labels[1]):
            allowed[i, j] = (la, lb) in pairs or la == NA or lb == NA
    return allowed


@dataclass(frozen=True)
class Uniform:
    """A shown group whose members all gave the same answer (attribute disclosure): reported, not hidden."""

    group: str
    cell: tuple[str, ...]
    answer: str
    size: int


def uniform_rows(protector: Protector, question: str, fields: Sequence[str] = ()) -> list[Uniform]:
    """Shown rows of at least the threshold in which everybody gave one answer, in every group's table."""
    lv = protector.level(question, fields)
    options = protector.survey.options(question)
    answers, n_ans = protector._answers(question)
    out = []
    cells = [()] if not fields else _cells([protector.categories(f) for f in fields])
    responses = protector.survey.responses
    for g in protector.groups:
        mask = protector.survey.group_mask(g).to_numpy(dtype=bool) & (answers < n_ans - 1)
        for cell in cells:
            if lv.is_hidden(g, cell):
                continue
            sel = mask.copy()
            for f, label in zip(fields, cell):
                col = responses[f].astype("object")
                sel &= (col.isna() if label == NA else col == label).to_numpy(dtype=bool)
            n = int(sel.sum())
            if n >= protector.min_group and len(set(answers[sel].tolist())) == 1 and len(options) > 1:
                out.append(Uniform(g, cell, options[int(answers[sel][0])], n))
    return out



# --- one protector per survey and threshold ----------------------------------------------------------

_PROTECTORS: dict[tuple[int, int], tuple[weakref.ref[Survey], Protector]] = {}
_DECISIONS: dict[tuple[str, int], dict[tuple, Level]] = {}  # content key -> the levels decided for it
_DECISIONS_KEPT = 16


def content_key(survey: Survey) -> str:
    """A digest of everything the protection depends on: the definition's groups, fields and background, and
    every single-choice answer of every respondent. Two reads of the same export give the same key."""
    import hashlib

    import pandas as pd

    d = survey.definition
    h = hashlib.sha256()
    h.update(repr((d.name, sorted((g.name, g.field, g.values, g.within) for g in d.groups.values()),
                   tuple(background_fields(d)), sorted((f.name, f.among) for f in d.fields.values()),
                   sorted((x.name, x.source, sorted(x.lookup.items())) for x in d.derived.values()),
                   [(t.kind, t.field, t.among) for t in (*d.tables, *d.figures)])).encode())
    r = survey.responses
    columns = [c for c in r.columns if isinstance(r[c].dtype, pd.CategoricalDtype)]
    for c in columns:
        h.update(c.encode())
        h.update(repr(tuple(r[c].cat.categories)).encode())
        h.update(r[c].cat.codes.to_numpy().tobytes())
    h.update(repr(r.index.tolist()).encode())  # tolist, not tuple(): 3x faster at 10^6 ids
    return h.hexdigest()


def protector_for(survey: Survey, min_group: int) -> Protector:
    """The shared :class:`Protector` of a survey at a threshold: the report and every breakdown of one export
    in one process ask the same one, and a second read of the same export reuses its decisions (they are a
    function of the content, see :func:`content_key`)."""
    import weakref

    key = (id(survey), int(min_group))
    hit = _PROTECTORS.get(key)
    if hit is not None and hit[0]() is survey:
        return hit[1]
    protector = Protector(survey, min_group)
    decisions = (content_key(survey), int(min_group))
    if decisions in _DECISIONS:
        protector._cache = _DECISIONS[decisions]
    else:
        while len(_DECISIONS) >= _DECISIONS_KEPT:
            _DECISIONS.pop(next(iter(_DECISIONS)))
        _DECISIONS[decisions] = protector._cache
    for dead in [k for k, (ref, _) in _PROTECTORS.items() if ref() is None]:
        del _PROTECTORS[dead]
    _PROTECTORS[key] = (weakref.ref(survey), protector)
    return protector


def protected_rows(protector: Protector, question: str | None, fields: Sequence[str], among: str,
                   labels: Sequence[tuple[str, ...]]) -> tuple[frozenset[tuple[str, ...]], bool]:
    """Which of ``labels`` (cells of ``fields``, ``NA`` for not given) are hidden in the table of ``question``
    among ``among``, and whether the whole table is hidden (the group is below the threshold, or its numbers
    would give a smaller group away)."""
    if protector.min_group <= 1:
        return frozenset(), False
    whole = protector.level(question, ()).is_hidden(among, ())
    if whole:
        return frozenset(labels), True
    lv = protector.level(question, tuple(fields))
    return frozenset(c for c in labels if lv.is_hidden(among, c)), False

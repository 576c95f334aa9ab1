"""Cross-tabulate and protect: the one place where answers are counted by groups of people.

The report's tables by a background field, its one-way tables of a background field, the breakdowns (by one
field, or nested by two) and the figures by a field all count a question's answers in the groups of one field
among one group of the survey definition, and hide what the linked protection (:mod:`fuldtid.stats.linked`)
says. :func:`group_table` does that once: it counts, asks the protector which rows are hidden, and returns the
rows with the hidden ones without counts and, after them, their sum as one merged row ("Øvrige grupper"). The
callers only choose which rows to show (a figure leaves out empty groups) and how to present them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from fuldtid.model.survey import Survey

NOT_GIVEN = "Ikke angivet"  # the row of those who did not give the field: a group like any other


@dataclass(frozen=True)
class GroupRow:
    """One group's answers: ``counts`` (answer -> count) and ``total``, both None where the group is hidden;
    a merged row (``members``: the hidden groups it holds) carries their sum."""

    label: str
    counts: Mapping[str, int] | None
    total: int | None
    members: tuple[str, ...] = ()

    @property
    def hidden(self) -> bool:
        return self.counts is None

    @property
    def merged(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True)
class GroupTable:
    """A question's answers (or, with ``question`` None, the group sizes) by the categories of ``field`` among
    ``among`` (and, nested, within one category of an outer field), as they may be published."""

    question: str | None
    field: str
    among: str
    columns: tuple[str, ...]
    rows: tuple[GroupRow, ...]
    whole: bool  # the whole table is hidden (its group is below the threshold, or would give one away)
    overall_counts: Mapping[str, int]  # every answer over all groups: what a total row shows unless ``whole``

    @property
    def hidden(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.rows if r.hidden)

    @property
    def merged(self) -> GroupRow | None:
        return next((r for r in self.rows if r.merged), None)


def group_table(survey: Survey, question: str | None, field: str, among: str, min_group: int, *,
                within: tuple[str, str] | None = None, not_given: str = "if_any",
                not_given_label: str = NOT_GIVEN, drop_empty: bool = False) -> GroupTable:
    """Count ``question``'s answers (respondents who answered it; None: everybody, one column ``field``'s
    label) by ``field`` among the group ``among``, and protect them at ``min_group``.

    ``within`` (outer field, its label) counts only respondents in that category of an outer field: the inner
    table of a nested breakdown, protected as the pair (outer, field). ``not_given``: "always" keeps a row of
    those who did not give ``field`` (labelled ``not_given_label``), "if_any" only when there are some.
    ``drop_empty`` leaves out categories nobody is in.
    """
    from fuldtid.stats.disclosure import other_label
    from fuldtid.stats.linked import NA, protected_rows, protector_for

    r = survey.responses
    inside = survey.group_mask(among).to_numpy(dtype=bool).copy()
    if question is not None:
        inside &= r[question].notna().to_numpy()
        columns = tuple(str(c) for c in survey.options(question))
        answer_codes = survey.codes(question)
    else:
        columns = ("n",)
        answer_codes = np.zeros(len(r), dtype=np.int64)
    key_prefix: tuple[str, ...] = ()
    fields: tuple[str, ...] = (field,)
    if within is not None:
        outer, label = within
        col = r[outer].astype("object")
        inside &= (col.isna() if label == not_given_label else col == label).to_numpy(dtype=bool)
        key_prefix = (NA if label == not_given_label else label,)
        fields = (outer, field)
    options = [str(o) for o in survey.options(field)]
    group_codes = survey.codes(field)  # options in order, then not given
    shape = (len(options) + 1, max(len(columns), 1))
    flat = group_codes[inside] * shape[1] + answer_codes[inside]
    counts = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape)
    labels = list(options)
    if not_given == "always" or (not_given == "if_any" and counts[-1].sum() > 0):
        labels.append(not_given_label)
    else:
        counts = counts[:-1]
    if drop_empty:
        keep = [i for i in range(len(labels)) if counts[i].sum() > 0]
        labels, counts = [labels[i] for i in keep], counts[keep]

    def key(label: str) -> tuple[str, ...]:
        return (*key_prefix, NA if label == not_given_label else label)

    protector = protector_for(survey, min_group)
    hidden_keys, whole = protected_rows(protector, question, fields, among, [key(lab) for lab in labels])
    rows = []
    for label, line in zip(labels, counts):
        if whole or key(label) in hidden_keys:
            rows.append(GroupRow(label, None, None))
        else:
            cells = {c: int(n) for c, n in zip(columns, line)}
            rows.append(GroupRow(label, cells, int(line.sum())))
    members = tuple(lab for lab in labels if key(lab) in hidden_keys)
    if members and not whole:
        total = counts[[labels.index(m) for m in members]].sum(axis=0)
        rows.append(GroupRow(other_label(labels), {c: int(n) for c, n in zip(columns, total)}, int(total.sum()),
                             members=members))
    overall = {c: int(n) for c, n in zip(columns, counts.sum(axis=0))}
    return GroupTable(question, field, among, columns, tuple(rows), bool(whole), overall)


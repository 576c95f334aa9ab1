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

from sdc_attacker import NA, Model, build_model, pinned, publish_breakdowns, publish_report, structural_bounds  # noqa: E402


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


def attack3(survey, tableset, question: str, fields: tuple[str, ...], min_group: int,
            only: tuple[str, ...] | None = None) -> list[str]:
    """The counts below ``min_group`` over one or two of ``fields`` that every breakdown by one or two of them
    (and the report, when ``tableset`` is given) pin."""
    m = build_model(survey, question, fields)
    publish_breakdowns(m, min_group)
    if tableset is not None:
        publish_report(m, tableset)
    return pinned(m, min_group, 20.0, max_fields=2, only=only, upper=derived_bounds(m, structural_bounds(m)))

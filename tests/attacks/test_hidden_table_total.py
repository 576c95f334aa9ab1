"""Held (was a minor breach): a breakdown hidden whole no longer publishes its total or its exclusion counts.

Before 5afe7e8,

    fuldtid breakdown surveys/examples/vjh_2022/export --question mulighed --by koen --among deltid --out b.json

wrote ``"overall": {"counts": {}, "total": 206}`` (title "n=206", exclusion note "svarede ikke på ...: 8"); with
the totals of ``--among alle`` (318) and ``--among fuldtid`` (110) that pinned the 2 respondents without hours:
318 - 206 - 110 = 2 of the 2 answered "mulighed". Now the hidden breakdown's total is None ("n=*", an empty CSV
cell, "*" in the grid) and its exclusion counts are gone, so the subtraction has nothing to start from; the
project's attacker (tests/sdc_attacker.py) over the published breakdowns still pins nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sdc_attacker import build_model, pinned, publish_breakdowns  # noqa: E402

from fuldtid.stats.breakdown import breakdown  # noqa: E402


def test_hidden_table_total_pins_nothing(example_survey):
    """The channel: totals of alle and fuldtid (shown) minus the total of deltid (hidden whole)."""
    s = example_survey
    tot = {g: breakdown(s, "mulighed", ["koen"], among=g, min_group=5).overall_total
           for g in ("alle", "deltid", "fuldtid")}
    assert tot["alle"] == 318 and tot["fuldtid"] == 110
    assert tot["deltid"] is None  # nothing to subtract
    atom = s.group_mask("alle") & ~s.group_mask("deltid") & ~s.group_mask("fuldtid")
    assert int(atom.sum()) == 2  # the group the hiding protects
    m = build_model(s, "mulighed", ("koen",))
    publish_breakdowns(m, 5)
    assert pinned(m, 5) == []


def test_hidden_table_total_is_not_published_in_any_format(example_survey):
    from fuldtid.render.breakdown_render import breakdown_csv, breakdown_grid

    b = breakdown(example_survey, "mulighed", ["koen"], among="deltid", min_group=5)
    assert b.warning is not None and not b.overall
    d = b.to_dict()
    assert d["overall"]["total"] is None and not d["excluded"]
    assert "n=*" in b.title and "206" not in b.title
    assert "206" not in breakdown_csv(b).decode("utf-8-sig", "replace")
    g = breakdown_grid(b)
    assert "206" not in " ".join(map(str, g.total)) and not any("206" in n for n in g.notes)

"""Over-protection: findings about groups of 5 or more (or numbers anyone can derive) that are hidden.

Each xfail test states what a reader should see; each passing test shows that a release less hidden than
fuldtid's withstands the project's own attacker (tests/sdc_attacker.py, plus derived-field knowledge from
attack3.py) for the pairs of fields checked - evidence that the extra hiding is not needed for those outputs
(not a proof for every pair: job title and workplace pairs are not checked here).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
ROOT = HERE.parent.parent
EX22 = ROOT / "surveys" / "examples" / "vjh_2022"
EX24 = ROOT / "surveys" / "examples" / "vjh_2024"


def _survey(export):
    from fuldtid.model.survey import load_survey
    from fuldtid.read.export import read_export

    return load_survey(read_export(export))


@pytest.fixture(scope="module")
def s24():
    return _survey(EX24 / "export")


@pytest.fixture(scope="module")
def s22():
    return _survey(EX22 / "export")


@pytest.mark.xfail(strict=True, reason="2024: mulighed by timetal among everybody hides every band (figure 3 empty)")
def test_2024_mulighed_by_hours_shows_the_big_bands(s24):
    """`fuldtid breakdown surveys/examples/vjh_2024/export --question mulighed --by timetal` (and the memo's
    figure 3) hides all six rows; the only group below 5 is "Ikke angivet" (2). Hidden: 30-36 timer (169
    answered), 37 timer (105)."""
    from fuldtid.stats.breakdown import breakdown

    b = breakdown(s24, "mulighed", ["timetal"], among="alle", min_group=5)
    shown = {r.label for r in b.rows if not r.suppressed and not r.members}
    assert {"30-36 timer", "37 timer"} <= shown, shown


def _inject_baseline(survey, question: str, field: str):
    """Replace the protector's level-1 decision for (question, field) by the single-table rule alone (every
    small group hidden, plus the smallest others to protect it) - what a less cautious release would show."""
    from fuldtid.stats.linked import protector_for

    p = protector_for(survey, 5)
    p.level(question, ())
    prev = p._use(p._structure(question))
    try:
        base = p._baseline(question, field)
    finally:
        p._use(prev)
    p._cache[(question, (field,))] = base
    return base


def test_2024_a_release_showing_the_big_bands_withstands_the_attacker(tmp_path):
    from sdc_attacker import attack

    s = _survey(EX24 / "export")  # its own protector (the cache is keyed by content: clear it for this test)
    import fuldtid.stats.linked as linked

    saved = dict(linked._DECISIONS)
    linked._DECISIONS.clear()
    try:
        base = _inject_baseline(s, "mulighed", "timetal")
        assert set(base.hidden["alle"]) == {(linked.NA,), ("10-19 timer",)}  # 2 + 16 hidden, the rest shown
        for f in ("koen", "alder"):
            assert attack(s, None, "mulighed", ("timetal", f), 5) == [], f
    finally:
        linked._DECISIONS.clear()
        linked._DECISIONS.update(saved)
        linked._PROTECTORS.clear()


@pytest.mark.xfail(strict=True, reason="table 11 hides the 168 part-timers of 'Resterende tilbud': only a total is left")
def test_2022_table_11_shows_resterende_tilbud(s22):
    """The memo's table 11 (op_i_tid by area among part-timers) shows one merged row "Øvrige grupper" = every
    part-timer: Rådgivning og Visitation (2) is small, but Resterende tilbud (168) and Tilbud ikke angivet (44)
    are hidden with it. (The 2024 example: Resterende tilbud, 188, likewise.)"""
    from fuldtid.stats.tables import build_tables

    t = build_tables(s22, None, min_group=5).table(11)
    row = next(r for r in t.rows if r.label == "Resterende tilbud")
    assert not row.suppressed


def test_2022_a_table_11_showing_resterende_withstands_the_attacker():
    from attack3 import attack3

    import fuldtid.stats.linked as linked

    s = _survey(EX22 / "export")
    saved = dict(linked._DECISIONS)
    linked._DECISIONS.clear()
    try:
        base = _inject_baseline(s, "op_i_tid", "omraade")
        assert set(base.hidden["deltid"]) == {(linked.NA,), ("Rådgivning og Visitation",)}
        # omraade x center with the lookup's structural zeros known to the reader, and omraade x koen
        for f in ("center", "koen"):
            assert attack3(s, None, "op_i_tid", ("omraade", f), 5) == [], f
    finally:
        linked._DECISIONS.clear()
        linked._DECISIONS.update(saved)
        linked._PROTECTORS.clear()


def test_weighting_margin_hidden_only_when_it_protects_something(tmp_path):
    """Was an over-protection (xfail): "Under 30 timer" hidden though 331 - 154 - 117 = 60 from the shown margins.
    Since 5afe7e8 no hidden margin count can be had by subtraction from shown ones, in either example - but
    because none is shown: the 2 respondents left out (no hours) make release.weighting_facts conceal every
    margin count, the number weighted and the number left out, so the new rule (a margin holding all of a
    field's hidden groups is shown) is not visible here. The shares kept to 0.1% give the counts back anyway:
    test_margin_shares.py."""
    from fuldtid.report import analyse, tables_json

    for ex in (EX22, EX24):
        ts = analyse(ex / "export", population=ex / "population.csv")
        d = json.loads(tables_json(ts))["weighting"]
        for var in ("koen", "timetal"):
            ms = [m for m in d["margins"] if m["variable"] == var]
            hidden = [m for m in ms if m["sample_count"] is None]
            if len(hidden) == 1 and d["weighted"] is not None:
                derived = d["weighted"] - sum(m["sample_count"] for m in ms if m["sample_count"] is not None)
                assert derived < 5, f"{hidden[0]['category']} hidden, but it is {derived}"

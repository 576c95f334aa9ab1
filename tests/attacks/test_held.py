"""Attacks on exports the project had not seen where the protection held (kept as regression tests)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))
ROOT = HERE.parent.parent
EX22 = ROOT / "surveys" / "examples" / "vjh_2022"

from sdc_attacker import attack  # noqa: E402


def _survey(export):
    from fuldtid.model.survey import load_survey
    from fuldtid.read.export import read_export

    return load_survey(read_export(export))


def test_tiny_agreement_and_uniform_agreement_pin_nothing(example_survey):
    """The example with one part-timer moved into an agreement that has no other part-timer (a group of 1 among
    part-timers), and every part-time social worker answering "Nej" (a shown group, uniform)."""
    from fuldtid.stats.tables import build_tables

    s = example_survey
    r = s.responses.copy()
    d = s.group_mask("deltid") & r["op_i_tid"].notna()
    pool = r.index[d & (r["overenskomst"].astype(object) == "Socialpædagoger og pæd.pers.døgninst.mv.")]
    idx = np.random.default_rng(1).choice(pool, 1, replace=False)
    r.loc[idx, "overenskomst"] = "Pædagogisk uddannede ledere"
    r.loc[d & (r["overenskomst"].astype(object) == "Socialrådgiver/socialformidlere, KL"), "op_i_tid"] = "Nej"
    s2 = dataclasses.replace(s, responses=r)
    ts = build_tables(s2, None, min_group=5)
    assert attack(s2, ts, "op_i_tid", ("overenskomst", "koen"), 5) == []


def test_small_synthetic_export_pins_nothing(tmp_path):
    """`benchmarks/make_export.py 400 OUT --seed 11` (about 120 answered: many small groups)."""
    from make_export import make_export

    from fuldtid.stats.tables import build_tables

    g = make_export(400, tmp_path / "eksport", seed=11)
    s = _survey(g.export)
    ts = build_tables(s, None, min_group=5)
    assert attack(s, ts, "op_i_tid", ("omraade", "koen"), 5) == []
    assert attack(s, ts, "ned_i_tid", ("koen", "alder"), 5) == []


def test_weighted_outputs_do_not_depend_on_answers_inside_the_merged_row(example_survey):
    """Swapping op_i_tid between two part-timers of two hidden agreements (both merged into "Øvrige grupper")
    in the same raking cell changes nothing in the weighted breakdown, test included."""
    from fuldtid.stats.breakdown import breakdown
    from fuldtid.stats.weighted import weigh_survey

    s = example_survey
    r = s.responses
    a = next(i for i in r.index if str(i) == "318777704")  # Akademikere, KL; Kvinde; 30-36 timer; Ja
    b = next(i for i in r.index if str(i) == "318776254")  # Husassistenter, KL; Kvinde; 30-36 timer; Nej
    r2 = r.copy()
    r2.loc[a, "op_i_tid"], r2.loc[b, "op_i_tid"] = r.loc[b, "op_i_tid"], r.loc[a, "op_i_tid"]
    s2 = dataclasses.replace(s, responses=r2)
    w1 = weigh_survey(s, EX22 / "population.csv")
    w2 = weigh_survey(s2, EX22 / "population.csv")
    one = breakdown(s, "op_i_tid", ["overenskomst"], among="deltid", min_group=5, weights=w1).to_dict()
    two = breakdown(s2, "op_i_tid", ["overenskomst"], among="deltid", min_group=5, weights=w2).to_dict()
    assert one == two

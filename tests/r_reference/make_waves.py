#!/usr/bin/env python3
"""Write the two waves that tests/test_compare.py compares with R (compare_waves.R).

    python tests/r_reference/make_waves.py [OUT_DIR]       # default: /tmp/fuldtid_waves

Both waves are drawn from the shipped 2022 example with other seeds, sizes and tilts than the shipped
2024 wave (surveys/examples/make_vjh_2024.py), so the comparison is one of exports the example does not
contain: wave A (2023) keeps the 2022 variable names; wave B (2026) has a question inserted before s_2,
so every s_N from s_2 on is shifted, an answer option "Delvist" added to the "mulighed" question, an
agreement renamed, and it is written as an .xlsx workbook. Each wave has its own population file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

POPULATION_A = """variabel;kategori;antal;omfatter
koen;Kvinde;640;
koen;Mand;270;
timetal;Under 30 timer;350;1-9 timer|10-19 timer|20-29 timer
timetal;30-36 timer;330;30-36 timer
timetal;37 timer;230;37 timer
"""
POPULATION_B = """variabel;kategori;antal;omfatter
koen;Kvinde;690;
koen;Mand;330;
timetal;Under 20 timer;150;1-9 timer|10-19 timer
timetal;20-36 timer;560;20-29 timer|30-36 timer
timetal;37 timer;310;37 timer
"""


def _wave_module():
    spec = importlib.util.spec_from_file_location("make_vjh_2024", ROOT / "surveys" / "examples" / "make_vjh_2024.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_vjh_2024", mod)
    spec.loader.exec_module(mod)
    return mod


def build(out: Path) -> dict[str, Path]:
    """Write both waves and their population files under ``out``; returns their paths."""
    from fuldtid.read.export import read_export
    from exportwriter import write_export

    mw = _wave_module()
    base = read_export(ROOT / "surveys" / "examples" / "vjh_2022" / "export")
    a = mw.make_wave(base, seed=11, distributed=910, answered=260, years=1, first_id=500_000_000,
                     tilt={"s_15": {3: 2.5}, "s_11": {1: 1.4}})
    b = mw.make_wave(base, seed=12, distributed=1020, answered=300, years=4, first_id=600_000_000,
                     tilt={"s_7": {1: 2.2}, "s_11": {1: 0.6}, "s_15": {2: 1.3}},
                     insert_before="s_2", extra_options={"s_15": ("Delvist", 0.09)},
                     rename_labels={"s_4": {"Akademikere, KL": "Akademikere (AC), KL"}})
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "a": write_export(a.variables, a.data, out / "wave_a"),
        "b": write_export(b.variables, b.data, out / "wave_b.xlsx", form="xlsx"),
        "b_csv": write_export(b.variables, b.data, out / "wave_b_csv"),  # the same wave as CSV, for R
        "pop_a": out / "population_a.csv",
        "pop_b": out / "population_b.csv",
    }
    paths["pop_a"].write_text(POPULATION_A, encoding="utf-8")
    paths["pop_b"].write_text(POPULATION_B, encoding="utf-8")
    return paths


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for k, v in build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/fuldtid_waves")).items():
        print(k, v)

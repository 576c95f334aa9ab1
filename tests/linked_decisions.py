"""The anonymity protector's decisions, written down so that a faster protector can be held to them.

``python tests/linked_decisions.py record`` computes, for a set of exports (the example, reshuffled variants
of it, synthetic exports from benchmarks/make_export.py) at thresholds 3, 5 and 8, every level the report and
its figures ask for plus every question by every background field and a fixed set of pairs, and writes which
cells are hidden (and which of them are primary) to ``tests/data/linked_decisions.json.gz``.
``python tests/linked_decisions.py check [NAME ...]`` asks a fresh protector for the same levels and compares
(rounds, the audit rounds a level took, are reported but not compared: they are no decision). tests/test_linked_decisions.py
checks a part of it in the suite.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "surveys" / "examples" / "vjh_2022"
FIXTURE = ROOT / "tests" / "data" / "linked_decisions.json.gz"
THRESHOLDS = (3, 5, 8)
# Beyond the report's and figures' own levels (which come with the one-field levels they build on): breakdowns
# by one and two fields. Every question by every field takes the audit minutes per export, so a selection.
EXTRA = (("op_i_tid", ("overenskomst", "koen")), ("ned_i_tid", ("omraade", "overenskomst")),
         ("mulighed", ("timetal", "alder")), ("op_timer", ("koen",)), ("ned_timer", ("alder", "center")),
         (None, ("koen", "alder")), ("mulighed", ()), ("op_timer", ()), ("ned_timer", ()), ("ned_i_tid", ()))


def variant(survey, seed: int, keep: float = 0.8):
    """The example with background answers reshuffled and some respondents dropped: the same questionnaire,
    other small groups (also tests/test_linked.py's exports)."""
    rng = np.random.default_rng(seed)
    r = survey.responses
    keep_rows = rng.random(len(r)) < keep
    out = r.loc[keep_rows].copy()
    for cols in (["koen"], ["alder"], ["overenskomst"], ["tilbud", "omraade", "center"]):
        order = rng.permutation(len(out))
        for c in cols:
            out[c] = pd.Series(out[c].to_numpy()[order], index=out.index).astype(r[c].dtype)
    return dataclasses.replace(survey, responses=out)


def _read(path):
    from fuldtid.model.survey import load_survey
    from fuldtid.read.export import read_export

    return load_survey(read_export(path))


def exports() -> dict:
    """name -> a function giving the survey (made lazily; the synthetic ones are written to /tmp once)."""
    out = {"example": lambda: _read(EXAMPLE / "export"),
           "variant1": lambda: variant(_read(EXAMPLE / "export"), 1),
           "variant3": lambda: variant(_read(EXAMPLE / "export"), 3, keep=0.5)}

    def synthetic(n: int, seed: int):
        def make():
            import subprocess
            import os

            path = Path(f"/tmp/fuldtid_decisions/n{n}_seed{seed}")
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                env = dict(os.environ, PYTHONPATH=str(ROOT / "tests"))
                subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_export.py"), str(n), str(path),
                                "--seed", str(seed), "--form", "csv-folder"], check=True, env=env,
                               stdout=subprocess.DEVNULL)
            return _read(path)
        return make

    out["syn2000s7"] = synthetic(2000, 7)
    out["syn8000s3"] = synthetic(8000, 3)
    return out


def _key(question, fields) -> str:
    return f"{question if question is not None else '-'}|{','.join(fields)}"


def _level_dict(lv) -> dict:
    return {"hidden": {g: sorted(map(list, cells)) for g, cells in sorted(lv.hidden.items())},
            "primary": {g: sorted(map(list, cells)) for g, cells in sorted(lv.primary.items())},
            "rounds": lv.rounds}


def requests(survey) -> list[tuple]:
    """The (question, fields) recorded beyond the report's: :data:`EXTRA`."""
    return list(EXTRA)


def decisions(survey, min_group: int, *, report: bool = True, only=None) -> tuple[dict, float]:
    """The levels (key -> hidden/primary/rounds) for ``survey`` at ``min_group`` and the seconds they took.
    With ``report``, the levels that build_tables and the figures ask for come first."""
    from fuldtid.stats import linked

    linked._DECISIONS.clear()
    linked._PROTECTORS.clear()
    t = time.perf_counter()
    p = linked.protector_for(survey, min_group)
    if report:
        from fuldtid.stats.figuredata import all_figures
        from fuldtid.stats.tables import build_tables

        all_figures(build_tables(survey, None, min_group=min_group))
    for q, f in (only if only is not None else requests(survey)):
        p.level(q, f)
    seconds = time.perf_counter() - t
    out = {}
    for key, lv in p._cache.items():
        if len(key) == 2:
            out[_key(*key)] = _level_dict(lv)
    return out, seconds


def record(names=None) -> dict:
    data = {}
    for name, make in exports().items():
        if names and name not in names:
            continue
        survey = make()
        for m in THRESHOLDS:
            got, seconds = decisions(survey, m)
            data[f"{name}@{m}"] = got
            print(f"{name}@{m}: {len(got)} levels in {seconds:.1f} s", flush=True)
    return data


def parse(key: str) -> tuple:
    q, f = key.split("|")
    return (None if q == "-" else q), tuple(x for x in f.split(",") if x)


def recompute(survey, min_group: int, want: dict) -> tuple[dict, float]:
    """The recorded levels asked of a fresh protector, in the order of the keys (not the report's order: the
    decisions do not depend on the order they are asked in)."""
    from fuldtid.stats.linked import Protector

    t = time.perf_counter()
    p = Protector(survey, min_group)
    for key in sorted(want):
        p.level(*parse(key))
    seconds = time.perf_counter() - t
    return {_key(*k): _level_dict(lv) for k, lv in p._cache.items() if len(k) == 2}, seconds


def compare(want: dict, got: dict) -> list[str]:
    problems = []
    for key, lv in want.items():
        if key not in got:
            problems.append(f"{key}: not computed")
            continue
        for part in ("hidden", "primary"):
            if got[key][part] != lv[part]:
                problems.append(f"{key}: {part} differs")
    return problems


def load() -> dict:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "check"
    names = sys.argv[2:]
    if what == "record":
        data = record(names)
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        old = {}
        if names and FIXTURE.exists():
            old = json.loads(gzip.decompress(FIXTURE.read_bytes()))
        old.update(data)
        FIXTURE.write_bytes(gzip.compress(json.dumps(old, sort_keys=True).encode(), mtime=0))
        print(f"wrote {FIXTURE}")
        return
    want = load()
    bad = 0
    total = 0.0
    for name, make in exports().items():
        if names and name not in names:
            continue
        survey = make()
        for m in THRESHOLDS:
            key = f"{name}@{m}"
            if key not in want:
                continue
            got, seconds = recompute(survey, m, want[key])
            total += seconds
            problems = compare(want[key], got)
            rounds = sum(1 for k in want[key] if k in got and got[k]["rounds"] != want[key][k]["rounds"])
            print(f"{key}: {len(want[key])} levels in {seconds:.1f} s, {len(problems)} differ, "
                  f"{rounds} with other rounds", flush=True)
            for p in problems[:10]:
                print("   ", p)
            bad += len(problems)
    print(f"audit total {total:.1f} s; {'IDENTICAL' if not bad else f'{bad} DIFFERENCES'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

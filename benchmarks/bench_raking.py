"""Time raking for 1,000, 100,000 and 1,000,000 respondents with four margins (2, 5, 13, 3 categories).

    python benchmarks/bench_raking.py [N ...]

Prints, per size and for Categorical and for plain string answer columns: the time to rake (from
answer labels to weights, including the left-out bookkeeping and diagnostics; best of three), the
time for one weighted share with its interval, and the peak memory of the raking step measured with
tracemalloc (numpy and pandas report their buffers to it). The sample is synthetic, skewed against
the margins, with 0.5% missing on one variable. Where R with the survey package is installed, also
R's ``rake()`` on the same complete cases (bench_raking.R), its time and how far its weights are from
fuldtid's.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuldtid.model.population import Margin, Population, PopulationCategory  # noqa: E402
from fuldtid.stats.weighting import rake, weighted_share  # noqa: E402

SIZES = (1_000, 100_000, 1_000_000)
MARGINS = {"koen": 2, "alder": 5, "omraade": 13, "timer": 3}


def make(n: int, seed: int = 1) -> tuple[pd.DataFrame, Population]:
    rng = np.random.default_rng(seed)
    cols = {}
    margins = []
    N = 10 * n
    for var, k in MARGINS.items():
        labels = [f"{var} {i + 1}" for i in range(k)]
        p_sample = rng.dirichlet(np.full(k, 5.0))
        p_pop = rng.dirichlet(np.full(k, 5.0))
        codes = rng.choice(k, size=n, p=p_sample)
        if var == "timer":
            codes[rng.random(n) < 0.005] = -1
        cols[var] = pd.Categorical.from_codes(codes, categories=labels)
        counts = np.floor(p_pop * N).astype(int)
        counts[0] += N - counts.sum()
        margins.append(Margin(var, tuple(PopulationCategory(lab, int(c), (lab,))
                                         for lab, c in zip(labels, counts))))
    index = pd.Index(np.arange(10_000_000, 10_000_000 + n), name="respondentid")
    return pd.DataFrame(cols, index=index), Population(Path("synthetic"), tuple(margins), N)


def bench(n: int, text: bool = False) -> dict:
    sample, pop = make(n)
    if text:  # plain string columns: the labels must be factorised first, the slower path
        sample = sample.astype(str).where(sample.notna())
    rake(sample.iloc[:1000], pop)  # warm up imports and caches
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        w = rake(sample, pop)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    rake(sample, pop)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    y = sample["alder"].eq("alder 1")
    dom = sample["koen"].eq("koen 2")
    weighted_share(w, y, dom)
    t0 = time.perf_counter()
    weighted_share(w, y, dom)
    t_share = time.perf_counter() - t0
    return {"n": n, "columns": "str" if text else "categorical", "rake_s": min(times),
            "share_s": t_share, "peak_mb": peak / 2**20,
            "sweeps": w.iterations, "cells": len(w.cells.counts), "left_out": w.n_left_out}


def r_comparison(n: int, repeat: int = 3) -> dict | None:
    """fuldtid's raking against R survey's ``rake()`` on the same complete cases (respondents missing a margin
    left out of both: R's rake does not take them), each timed alone, best of ``repeat``; and the largest
    relative difference of the two sets of weights. None when R with the survey package is not there."""
    import shutil
    import subprocess
    import tempfile

    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(survey)"], capture_output=True).returncode:
        return None
    sample, pop = make(n)
    sample = sample.dropna()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        w = rake(sample, pop)
        times.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        data, margins, out = Path(tmp) / "sample.csv", Path(tmp) / "margins.csv", Path(tmp) / "weights.csv"
        sample.astype(str).to_csv(data, index=False)
        pd.DataFrame([(m.variable, c.label, c.count) for m in pop.margins for c in m.categories],
                     columns=["variable", "label", "count"]).to_csv(margins, index=False)
        proc = subprocess.run([rscript, str(Path(__file__).with_name("bench_raking.R")), str(data), str(margins),
                               str(pop.size), str(repeat), str(out)], capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"R's rake failed: {proc.stderr[-500:]}")
        r_weights = pd.read_csv(out)["w"].to_numpy()
    ours = w.weights.to_numpy()
    return {"n": len(sample), "fuldtid_s": min(times), "r_s": float(proc.stdout.split()[-1]),
            "max_rel_diff": float(np.max(np.abs(ours - r_weights) / r_weights))}


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or list(SIZES)
    print(f"{'respondents':>12} {'columns':>12} {'rake (s)':>9} {'share (s)':>10} {'peak MB':>8} "
          f"{'sweeps':>7} {'cells':>6}")
    for text in (False, True):
        for n in sizes:
            r = bench(n, text)
            print(f"{r['n']:>12,} {r['columns']:>12} {r['rake_s']:>9.3f} {r['share_s']:>10.3f} "
                  f"{r['peak_mb']:>8.1f} {r['sweeps']:>7} {r['cells']:>6}")
    print("Against R survey's rake() (complete cases, the same tolerance, rake alone, best of 3):")
    for n in sizes:
        c = r_comparison(n)
        if c is None:
            print("  R with the survey package is not installed: no comparison")
            break
        print(f"  {c['n']:>10,} respondents: fuldtid {c['fuldtid_s']:.3f} s, R {c['r_s']:.3f} s "
              f"(R / fuldtid {c['r_s'] / c['fuldtid_s']:.0f}x); weights differ by at most {c['max_rel_diff']:.1e}")


if __name__ == "__main__":
    main(sys.argv[1:])

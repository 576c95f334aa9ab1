"""Issue 18's numbers in one run: the memo against the pandas import, a large export's weighted report against
``pandas.read_csv``, and raking against R survey's ``rake()`` where R is installed.

    python benchmarks/bench_all.py                      # the memo best of 3, 10^6 rows, raking 10^6
    python benchmarks/bench_all.py --repeat 5 --size 351600 --raking 100000

Each part is its own script too (bench_report.py, bench_large.py, bench_raking.py), with more options; this one
calls their measuring functions and prints one table of ratios, each with its goal, and the floor under the memo's
(plotnine_floor.py: importing plotnine and drawing six plain bar charts, nothing else).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_large  # noqa: E402
import bench_raking  # noqa: E402
import bench_report  # noqa: E402
from machine import describe, load  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of the memo commands (best kept)")
    ap.add_argument("--size", type=int, default=1_000_000, help="distributed respondents of the large export")
    ap.add_argument("--raking", type=int, default=1_000_000, help="respondents raked against R")
    args = ap.parse_args(argv)
    print(f"# {describe()}; load average {load()} at start")
    rows = []

    runs = bench_report.measure(args.repeat)
    pandas_s = min(w for w, _ in runs["import pandas"])
    for name, goal in (("whole memo", bench_report.GOAL), ("json only", None)):
        s = min(w for w, _ in runs[name])
        rows.append((f"{name} (the example) / import pandas", f"{s:.2f} s / {pandas_s:.2f} s", s / pandas_s, goal))
    s = min(w for w, _ in runs[bench_report.FLOOR])
    rows.append((f"{bench_report.FLOOR} (six bar charts, nothing else) / import pandas",
                 f"{s:.2f} s / {pandas_s:.2f} s: the least a memo with plotnine can take here", s / pandas_s, None))

    large = bench_large.measure(args.size, 1, bench_large.DEFAULT_CACHE, 1)
    rows.append((f"weighted JSON report, {args.size:,} rows / read_csv", f"{large['report_s']:.2f} s / "
                 f"{large['read_csv_s']:.2f} s, peak {large['report_mb']:.0f} MB", large["ratio"], 1.25))

    raking = bench_raking.r_comparison(args.raking)
    if raking is None:
        rows.append(("raking / R survey's rake()", "R with the survey package is not installed", None, None))
    else:
        rows.append((f"raking {raking['n']:,} respondents / R survey's rake()",
                     f"{raking['fuldtid_s']:.3f} s / {raking['r_s']:.3f} s (weights within "
                     f"{raking['max_rel_diff']:.0e})", raking["fuldtid_s"] / raking["r_s"], None))

    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'ratio':>6}  {'goal':<14}  seconds")
    for what, seconds, ratio, goal in rows:
        shown = f"{ratio:5.2f}x" if ratio is not None else "     -"
        verdict = "" if goal is None or ratio is None else f"{goal:g}x: " + ("met" if ratio <= goal else "not met")
        print(f"{what:<{width}}  {shown:>6}  {verdict:<14}  {seconds}")
    print(f"# load average {load()} at end")


if __name__ == "__main__":
    main()

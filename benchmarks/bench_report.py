"""Time ``fuldtid report`` on the shipped example: the whole memo (all formats) and tables.json only.

    python benchmarks/bench_report.py [--repeat 3] [--min-group 1]

Each run is a fresh process, as a user runs it (start-up and imports included); the best of
``--repeat`` runs is printed with the median. Then one in-process run shows where the time goes.
The goal is the whole memo in under 2 seconds on a 2-core machine. With ``--population`` the figures
also carry the weighted shares (a point with its interval on every bar): compare the "figures" step of
the two runs for what weighting adds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "surveys" / "examples" / "vjh_2022"


def run_cli(formats: str, out: Path, min_group: int, population: bool) -> float:
    cmd = [sys.executable, "-m", "fuldtid.cli", "report", str(EXAMPLE / "export"),
           "--coding", str(EXAMPLE / "coding.csv"), "--min-group", str(min_group),
           "--format", formats, "--out", str(out)]
    if population:
        cmd[5:5] = ["--population", str(EXAMPLE / "population.csv")]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t


def breakdown(min_group: int, population: bool) -> list[tuple[str, float]]:
    """One in-process run, step by step (imports are counted in the step that first needs them)."""
    steps = []
    t = time.perf_counter()
    from fuldtid.report import analyse, render

    ts = analyse(EXAMPLE / "export", coding=EXAMPLE / "coding.csv",
                 population=EXAMPLE / "population.csv" if population else None, min_group=min_group)
    steps.append(("read + tables", time.perf_counter() - t))
    for fmt in ("json", "xlsx"):
        t = time.perf_counter()
        render(ts, fmt)
        steps.append((fmt, time.perf_counter() - t))
    # The figures on their own (plotting imports included); DOCX and HTML then reuse the cached PNGs.
    t = time.perf_counter()
    from fuldtid.stats.figuredata import all_figures
    from fuldtid.render.figures import render_png

    for f in all_figures(ts):
        render_png(f)
    steps.append(("figures" + (" (weighted)" if ts.weighting is not None else ""), time.perf_counter() - t))
    for fmt in ("docx", "html"):
        t = time.perf_counter()
        render(ts, fmt)
        steps.append((fmt, time.perf_counter() - t))
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-group", type=int, default=1)
    ap.add_argument("--population", action="store_true", help="weight to the example's population file too")
    args = ap.parse_args()
    if not (EXAMPLE / "export").exists():
        sys.exit(f"{EXAMPLE / 'export'}: the example export is missing (python surveys/examples/make_vjh_2022.py)")
    print(f"fuldtid report on {EXAMPLE.relative_to(ROOT)} (min-group {args.min_group}"
          f"{', weighted' if args.population else ''}), best and median of {args.repeat} fresh processes:")
    with tempfile.TemporaryDirectory() as tmp:
        for label, formats in (("all formats", "json,xlsx,docx,html"), ("json only", "json")):
            times = [run_cli(formats, Path(tmp) / "out", args.min_group, args.population) for _ in range(args.repeat)]
            print(f"  {label:<12} best {min(times):6.2f} s   median {statistics.median(times):6.2f} s")
    print("In one process, step by step:")
    total = 0.0
    for name, seconds in breakdown(args.min_group, args.population):
        total += seconds
        print(f"  {name:<19} {seconds:6.2f} s")
    print(f"  {'total':<19} {total:6.2f} s")


if __name__ == "__main__":
    main()

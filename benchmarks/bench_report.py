"""Time ``fuldtid report`` on the shipped example against ``python -c "import pandas"``: the memo goal of issue 18.

    python benchmarks/bench_report.py [--repeat 5] [--min-group N] [--no-population] [--steps]

Each run is a fresh process, as a user runs it (start-up and imports included), with the command of the goal:
``fuldtid report surveys/examples/vjh_2022/export --coding .../coding.csv --population .../population.csv``
(the whole memo: json, xlsx, docx, html with six figures; then ``--format json`` alone). The three commands
take turns, so that a change in the machine's load hits them alike; the best of ``--repeat`` runs of each is
compared, and the ratios to the pandas import are printed (goal: the whole memo at most 3x). A fourth command,
``plotnine_floor.py --workers 2``, imports plotnine and draws six plain bar charts in two forked workers and does
nothing else: the floor under any memo with six plotnine figures on this machine. Wall seconds
and CPU seconds (the process and the children it waited for) are shown: on a machine shared with other jobs
the wall time says more about the load than about fuldtid, the CPU time less so. ``--steps`` adds one
in-process run, step by step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe, load  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "surveys" / "examples" / "vjh_2022"
GOAL = 3.0  # the whole memo within 3x the pandas import (issue 18)
FLOOR = "plotnine floor"  # six plain plotnine bar charts and nothing else, drawn as the memo's are (two workers)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (CPU: user + system of it and the children it waited for)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def report_cmd(out: Path, formats: str | None, min_group: int | None, population: bool) -> list[str]:
    cmd = [sys.executable, "-m", "fuldtid", "report", str(EXAMPLE / "export"), "--coding", str(EXAMPLE / "coding.csv"),
           "--out", str(out)]
    if population:
        cmd += ["--population", str(EXAMPLE / "population.csv")]
    if min_group is not None:
        cmd += ["--min-group", str(min_group)]
    if formats:
        cmd += ["--format", formats]
    return cmd


def steps(min_group: int | None, population: bool) -> list[tuple[str, float]]:
    """One in-process run, step by step (imports are counted in the step that first needs them; the figures
    are drawn here, in this process, not by the report command's worker processes)."""
    out = []
    t = time.perf_counter()
    from fuldtid.report import analyse, render

    ts = analyse(EXAMPLE / "export", coding=EXAMPLE / "coding.csv",
                 population=EXAMPLE / "population.csv" if population else None, min_group=min_group)
    out.append(("read + tables", time.perf_counter() - t))
    for fmt in ("json", "xlsx"):
        t = time.perf_counter()
        render(ts, fmt)
        out.append((fmt, time.perf_counter() - t))
    t = time.perf_counter()
    from fuldtid.render.figures import render_png
    from fuldtid.stats.figuredata import all_figures

    for f in all_figures(ts):
        render_png(f)
    out.append(("figures" + (" (weighted)" if ts.weighting is not None else ""), time.perf_counter() - t))
    for fmt in ("docx", "html"):
        t = time.perf_counter()
        render(ts, fmt)
        out.append((fmt, time.perf_counter() - t))
    return out


def measure(repeat: int, min_group: int | None = None, population: bool = True
            ) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each run of ``import pandas``, the whole memo and json only, taking turns."""
    runs: dict[str, list[tuple[float, float]]] = {"import pandas": [], "whole memo": [], "json only": [],
                                                  FLOOR: []}
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "import pandas": [sys.executable, "-c", "import pandas"],
            "whole memo": report_cmd(Path(tmp) / "memo", None, min_group, population),
            "json only": report_cmd(Path(tmp) / "json", "json", min_group, population),
            # The least six plotnine figures cost here, with nothing else (benchmarks/plotnine_floor.py).
            FLOOR: [sys.executable, str(Path(__file__).with_name("plotnine_floor.py")), "--workers", "2"],
        }
        timed(commands["import pandas"])  # the first run of a session pays the disk cache
        for _ in range(repeat):
            for name, cmd in commands.items():
                runs[name].append(timed(cmd))
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--min-group", type=int, default=None, help="default: the survey definition's threshold")
    ap.add_argument("--no-population", action="store_true", help="leave out --population (no weighting)")
    ap.add_argument("--steps", action="store_true", help="also one in-process run, step by step")
    args = ap.parse_args()
    if not (EXAMPLE / "export").exists():
        sys.exit(f"{EXAMPLE / 'export'}: the example export is missing (python surveys/examples/make_vjh_2022.py)")
    population = not args.no_population
    print(f"machine: {describe()}; load average at start {load()}")
    print(f"fuldtid report on {EXAMPLE.relative_to(ROOT)} (threshold "
          f"{args.min_group if args.min_group is not None else 'of the definition'}"
          f"{', weighted' if population else ''}), best of {args.repeat} fresh processes, taking turns:")
    runs = measure(args.repeat, args.min_group, population)
    base_wall = min(w for w, _ in runs["import pandas"])
    base_cpu = min(c for _, c in runs["import pandas"])
    print(f"  {'':<14} {'wall best':>9} {'median':>7} {'ratio':>6}   {'CPU best':>8} {'ratio':>6}")
    for name, times in runs.items():
        walls = [w for w, _ in times]
        cpus = [c for _, c in times]
        print(f"  {name:<14} {min(walls):8.2f}s {statistics.median(walls):6.2f}s {min(walls) / base_wall:5.1f}x"
              f"   {min(cpus):7.2f}s {min(cpus) / base_cpu:5.1f}x")
    ratio = min(w for w, _ in runs["whole memo"]) / base_wall
    floor = min(w for w, _ in runs[FLOOR]) / base_wall
    print(f"whole memo / import pandas: {ratio:.1f}x wall (goal {GOAL:.0f}x: {'met' if ratio <= GOAL else 'not met'}); "
          f"json only / import pandas: {min(w for w, _ in runs['json only']) / base_wall:.1f}x; "
          f"load average at end {load()}")
    print(f"{FLOOR} / import pandas: {floor:.1f}x: importing plotnine and drawing six plain bar charts in two "
          f"workers, with nothing else, {'already exceeds' if floor > GOAL else 'stays within'} the goal")
    if args.steps:
        print("In one process, step by step:")
        total = 0.0
        for name, seconds in steps(args.min_group, population):
            total += seconds
            print(f"  {name:<19} {seconds:6.2f} s")
        print(f"  {'total':<19} {total:6.2f} s")


if __name__ == "__main__":
    main()

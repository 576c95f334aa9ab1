"""Time fuldtid's commands on synthetic VJH exports of 1,000 to 1,000,000 respondents, with peak memory.

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000,1000000] [--repeat 1] [--seed 1]
                                     [--only report-coded,weights] [--cache /tmp/fuldtid_bench] [--json FILE]

For each N the export (csv-zip), its population file and a coding file are made once with
make_export.py and cached under ``--cache`` (keyed by N and seed; delete the folder to redo them).
Then each command runs in a fresh process, as a user runs it (start-up and imports included):

    report-coded   fuldtid report EXPORT --format json --coding C --out DIR
    report-weighted fuldtid report EXPORT --format json --population P --out DIR
    weights        fuldtid weights EXPORT --population P
    breakdown      fuldtid breakdown EXPORT --question op_i_tid --by overenskomst --out x.json

Seconds are wall-clock (best of ``--repeat``); peak MB is the child's own maximum resident set
(``os.wait4`` rusage, ru_maxrss), so one command's peak does not leak into the next. The table ends with
the growth factor per 10x respondents for each command: 10 means linear, less means start-up still
dominates, more means something grows faster than linearly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULDTID = Path(os.environ.get("FULDTID", "/tmp/venv/bin/fuldtid"))
DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
COMMANDS = ("report-coded", "report-weighted", "weights", "breakdown")


@dataclass(frozen=True)
class Inputs:
    export: Path
    population: Path
    coding: Path
    answered: int
    made_in: float | None  # seconds to generate, None when taken from the cache


@dataclass(frozen=True)
class Timing:
    n: int
    answered: int
    command: str
    seconds: float
    peak_mb: float
    exit_code: int


def inputs_for(n: int, seed: int, cache: Path) -> Inputs:
    """The cached synthetic export of ``n`` respondents, made first if it is not there yet.

    It is made in a child process: this process must stay small, because on Linux a spawned child's
    ru_maxrss starts from the RSS of the process that spawned it.
    """
    folder = cache / f"n{n}_seed{seed}"
    export, pop, coding, meta = (folder / "export.zip", folder / "population.csv", folder / "coding.csv",
                                 folder / "meta.json")
    made_in = None
    if not (meta.exists() and export.exists() and pop.exists() and coding.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        meta.unlink(missing_ok=True)
        # meta.json is written last: its presence marks a complete set of inputs.
        subprocess.run([sys.executable, str(HERE / "make_export.py"), str(n), str(export), "--form", "csv-zip",
                        "--seed", str(seed), "--population", str(pop), "--coding", str(coding),
                        "--meta", str(meta)], check=True, stdout=subprocess.DEVNULL)
        made_in = json.loads(meta.read_text())["seconds"]
    return Inputs(export, pop, coding, json.loads(meta.read_text())["answered"], made_in)


def command_line(command: str, inputs: Inputs, out: Path) -> list[str]:
    exe = str(FULDTID)
    export = str(inputs.export)
    if command == "report-coded":
        return [exe, "report", export, "--format", "json", "--coding", str(inputs.coding), "--out", str(out / "coded")]
    if command == "report-weighted":
        return [exe, "report", export, "--format", "json", "--population", str(inputs.population),
                "--out", str(out / "weighted")]
    if command == "weights":
        return [exe, "weights", export, "--population", str(inputs.population)]
    if command == "breakdown":
        return [exe, "breakdown", export, "--question", "op_i_tid", "--by", "overenskomst",
                "--out", str(out / "breakdown.json")]
    raise ValueError(command)


def run_once(argv: list[str], log: Path) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and exit code of one fresh process running ``argv``."""
    with open(log, "wb") as fh:
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fh.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, fh.fileno(), 2),
        ])
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - t0
    # Linux reports ru_maxrss in KiB.
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def bench(sizes: list[int], commands: list[str], repeat: int, seed: int, cache: Path,
          echo=print) -> list[Timing]:
    results: list[Timing] = []
    with tempfile.TemporaryDirectory(prefix="fuldtid_bench_out_") as tmp:
        out = Path(tmp)
        for n in sizes:
            inputs = inputs_for(n, seed, cache)
            if inputs.made_in is not None:
                echo(f"# made the export of {n:,} respondents ({inputs.answered:,} answered) "
                     f"in {inputs.made_in:.1f} s: {inputs.export.parent}")
            for command in commands:
                argv = command_line(command, inputs, out)
                best = None
                for _ in range(repeat):
                    log = out / f"{command}.log"
                    seconds, peak, code = run_once(argv, log)
                    if code != 0:
                        tail = log.read_text(errors="replace")[-800:]
                        echo(f"# {command} at N={n:,} failed (exit {code}):\n{tail}")
                    if best is None or seconds < best[0]:
                        best = (seconds, peak, code)
                assert best is not None
                t = Timing(n, inputs.answered, command, round(best[0], 3), round(best[1], 1), best[2])
                results.append(t)
                echo(f"{t.n:>10,} {t.answered:>9,}  {t.command:<16} {t.seconds:>9.2f} {t.peak_mb:>9.0f}"
                     + ("" if t.exit_code == 0 else f"  FAILED ({t.exit_code})"))
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(exist_ok=True)
    return results


def growth(results: list[Timing]) -> list[tuple[str, int, int, float, float]]:
    """Per command and consecutive pair of sizes: the factor by which seconds and MB grow per 10x N."""
    rows = []
    for command in dict.fromkeys(r.command for r in results):
        runs = sorted((r for r in results if r.command == command and r.exit_code == 0), key=lambda r: r.n)
        for a, b in zip(runs, runs[1:]):
            decades = math.log10(b.n / a.n)
            rows.append((command, a.n, b.n, (b.seconds / a.seconds) ** (1 / decades),
                         (b.peak_mb / a.peak_mb) ** (1 / decades)))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                    help="comma-separated numbers of distributed respondents")
    ap.add_argument("--only", default=",".join(COMMANDS), help=f"commands among {', '.join(COMMANDS)}")
    ap.add_argument("--repeat", type=int, default=1, help="runs per command; the best is kept")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fuldtid_bench")
    ap.add_argument("--json", type=Path, default=None, help="also write the timings to this JSON file")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    commands = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = [c for c in commands if c not in COMMANDS]
    if unknown or not sizes or args.repeat < 1:
        ap.error(f"unknown command {unknown[0]!r}" if unknown else "give sizes and --repeat >= 1")
    if not FULDTID.exists():
        sys.exit(f"{FULDTID}: not found; install fuldtid (pip install -e .) or set FULDTID=/path/to/fuldtid")

    print(f"{'N':>10} {'answered':>9}  {'command':<16} {'seconds':>9} {'peak MB':>9}")
    results = bench(sizes, commands, args.repeat, args.seed, args.cache)
    rows = growth(results)
    if rows:
        print("\nGrowth per 10x respondents (10 = linear):")
        print(f"{'command':<16} {'from':>10} {'to':>10} {'time x':>8} {'memory x':>9}")
        for command, a, b, ft, fm in rows:
            print(f"{command:<16} {a:>10,} {b:>10,} {ft:>8.2f} {fm:>9.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")


if __name__ == "__main__":
    main()

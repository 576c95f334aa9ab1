"""Write a synthetic SurveyXact export of N distributed respondents for the VJH questionnaire.

    python benchmarks/make_export.py N OUT [--form csv-zip|csv-folder|xlsx|sav] [--seed S]
                                     [--answered-share 0.3] [--population P] [--coding [C]] [--meta M]

The export has the shape of the shipped example (``surveys/examples/vjh_2022``): the same variables,
Structure and Labels, SurveyXact's administrative columns, and answers that follow the routing. The
answers are resampled from the example's answered respondents, always among the example respondents
the routing would have shown the question to, so the conditional distributions (and the share of
empty open answers) carry over:

* s_1, s_2, s_6 and s_15 are drawn from their own distributions; s_3/s_4/s_5 (job title, agreement,
  workplace) are drawn together so that they keep fitting each other;
* part-timers (s_6 below 37 timer) get s_7, then s_8/s_9 when s_7 = Ja and s_10 when s_7 = Nej;
  full-timers get s_11, then s_12/s_13 when Ja and s_14 when Nej; s_16 comes from an example respondent
  with the same s_15 answer;
* about 4.5% of the answering rows are "Delvist besvaret": they stop before the open answers and s_15.

Besides OUT it writes a population file (koen and timetal margins of the example scaled to N,
default ``OUT`` with the suffix ``.population.csv``) and, with ``--coding``, a coding file: each open
answer carries the codes its example answer has in the example's coding.csv, so every code is one of
the definition's categories and s_16 is coded only for s_15 = Nej, as in the memo.

Everything is drawn with numpy (no per-respondent Python), so a million rows take seconds; most of the
time goes to writing the CSV. ``make_export`` is the importable entry point (used by bench_scale.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # exportwriter lives with the tests

from fuldtid.read.export import STATUS_LABELS, read_export  # noqa: E402
from exportwriter import FORMS, write_export  # noqa: E402

EXAMPLE = ROOT / "surveys" / "examples" / "vjh_2022"
SUFFIXES = {"csv-zip": ".zip", "csv-folder": "", "xlsx": ".xlsx", "sav": ".sav"}

# Shares in the example: 15 of 333 answering rows are partly answered, 7 of 839 others opted out.
PARTIAL_SHARE = 15 / 333
OPTED_OUT_SHARE = 7 / 839
FULL_TIME = 5  # s_6 code of "37 timer"
# Collection period of the 2022 wave: invitations 27-07-2022, closed 31-08-2022.
PERIOD_START = np.datetime64("2022-07-27T08:00:00", "s")
PERIOD_SECONDS = 35 * 24 * 3600


@dataclass(frozen=True)
class Generated:
    """Where make_export wrote its files, and how many respondents it drew."""

    export: Path
    population: Path
    coding: Path | None
    distributed: int
    answered: int
    codes: int
    seconds: float


def _example():
    """The example export's answered rows and its coding, loaded once per process."""
    ex = read_export(EXAMPLE / "export")
    coding = pd.read_csv(EXAMPLE / "coding.csv", sep=";", dtype=str, keep_default_na=False)
    return ex, coding


def _draw(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    """k positions drawn with replacement from ``pool`` (positions into the example's answered rows)."""
    if k == 0:
        return np.empty(0, dtype=np.int64)
    if len(pool) == 0:
        raise ValueError("the example has no respondent to draw this answer from")
    return pool[rng.integers(0, len(pool), size=k)]


def synthetic_data(n: int, seed: int = 1, answered_share: float = 0.3,
                   example=None) -> tuple[dict, pd.DataFrame, dict[str, np.ndarray]]:
    """The variables, a ``write_export``-shaped frame of ``n`` respondents, and the donor of each open answer.

    The donors map an open variable to an array of length ``n``: the position (in the example's
    answered rows) whose answer the respondent got, or -1 for no answer. They let the coding follow.
    """
    ex, _ = example or _example()
    variables = ex.variables
    rng = np.random.default_rng(seed)
    src = ex.data.loc[ex.data["answered"]]
    m = len(src)
    # Codes as plain int arrays (0 = missing) make every routing test a vectorised comparison.
    codes = {name: src[name].fillna(0).to_numpy(dtype=np.int64) for name, v in variables.items()
             if v.kind == "single"}
    texts = {name: src[name].to_numpy(dtype=object) for name, v in variables.items() if v.kind == "open"}
    complete = (src["status"] == STATUS_LABELS[4]).to_numpy()
    everyone = np.arange(m)

    answered = rng.random(n) < answered_share
    partial = answered & (rng.random(n) < PARTIAL_SHARE)
    opted_out = ~answered & (rng.random(n) < OPTED_OUT_SHARE)
    status = np.full(n, STATUS_LABELS[2], dtype=object)
    status[answered] = STATUS_LABELS[4]
    status[partial] = STATUS_LABELS[3]
    status[opted_out] = STATUS_LABELS[5]
    rows = np.flatnonzero(answered)
    k = len(rows)

    out = {name: np.zeros(n, dtype=np.int64) for name in codes}

    def put(name: str, where: np.ndarray, donors: np.ndarray) -> None:
        out[name][where] = codes[name][donors]

    for name in ("s_1", "s_2", "s_6"):
        put(name, rows, _draw(rng, everyone, k))
    joint = _draw(rng, everyone, k)  # job title, agreement and workplace of one example respondent
    for name in ("s_3", "s_4", "s_5"):
        put(name, rows, joint)

    hours = out["s_6"]
    part = answered & (hours >= 1) & (hours < FULL_TIME)
    full = answered & (hours == FULL_TIME)
    src_part = (codes["s_6"] >= 1) & (codes["s_6"] < FULL_TIME)
    src_full = codes["s_6"] == FULL_TIME
    wish_rules = (("s_7", part, src_part, ("s_8",), "s_9", "s_10"),
                  ("s_11", full, src_full, ("s_12",), "s_13", "s_14"))
    donors: dict[str, np.ndarray] = {name: np.full(n, -1, dtype=np.int64) for name in texts}
    finished = answered & ~partial
    for wish, shown, src_shown, how_many, why, why_not in wish_rules:
        where = np.flatnonzero(shown)
        put(wish, where, _draw(rng, np.flatnonzero(src_shown), len(where)))
        for value, follow, text in ((1, how_many, why), (2, (), why_not)):
            sel = shown & (out[wish] == value)
            for name in follow:
                w = np.flatnonzero(sel)
                put(name, w, _draw(rng, np.flatnonzero(src_shown & (codes[wish] == value)), len(w)))
            # Partly answered rows stopped before the open answers.
            w = np.flatnonzero(sel & finished)
            donors[text][w] = _draw(rng, np.flatnonzero(src_shown & complete & (codes[wish] == value)), len(w))

    fin = np.flatnonzero(finished)
    put("s_15", fin, _draw(rng, np.flatnonzero(complete), len(fin)))
    for value in np.unique(codes["s_15"][complete]):
        w = np.flatnonzero(finished & (out["s_15"] == value))
        donors["s_16"][w] = _draw(rng, np.flatnonzero(complete & (codes["s_15"] == value)), len(w))

    frame: dict[str, object] = {}
    for name, var in variables.items():
        if var.kind == "single":
            frame[name] = pd.arrays.IntegerArray(out[name], out[name] == 0)
        else:
            d = donors[name]
            col = np.full(n, None, dtype=object)
            col[d >= 0] = texts[name][d[d >= 0]]
            frame[name] = pd.array(col, dtype="str")

    start = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    start[rows] = PERIOD_START + rng.integers(0, PERIOD_SECONDS - 3600, size=k).astype("timedelta64[s]")
    close = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    # Completing takes a few minutes; partly answered rows have no close time, as SurveyXact writes them.
    took = np.clip(rng.lognormal(np.log(240), 0.6, size=n), 40, 3000).astype(np.int64)  # seconds
    close[fin] = start[fin] + took[fin].astype("timedelta64[s]")
    frame["status"] = status
    frame["starttime"] = start.astype("datetime64[ns]")
    frame["closetime"] = close.astype("datetime64[ns]")

    # Unique, increasing 9-digit respondent ids like SurveyXact's (gaps from other surveys' rows).
    ids = 300_000_000 + np.cumsum(rng.integers(1, 120, size=n))
    if ids[-1] >= 1_000_000_000:
        ids = 100_000_000 + np.arange(n) * 2
    index = pd.Index(ids.astype(str), name="respondentid")
    return variables, pd.DataFrame(frame, index=index), donors


def population_frame(n_staff: int, example_population: Path = EXAMPLE / "population.csv") -> pd.DataFrame:
    """The example's population file with every variable's counts scaled to add up to ``n_staff``."""
    pop = pd.read_csv(example_population, sep=";", dtype={"antal": np.int64}, keep_default_na=False)
    parts = []
    for _, margin in pop.groupby("variabel", sort=False):
        counts = np.floor(margin["antal"].to_numpy() / margin["antal"].sum() * n_staff).astype(np.int64)
        counts[np.argmax(counts)] += n_staff - counts.sum()  # every margin adds up to the same total
        parts.append(margin.assign(antal=counts))
    return pd.concat(parts, ignore_index=True)


def coding_frame(index: pd.Index, donors: dict[str, np.ndarray], example_coding: pd.DataFrame,
                 example_ids: pd.Index) -> pd.DataFrame:
    """One row per code: each respondent's open answer gets the codes its example answer has."""
    parts = []
    for var, d in donors.items():
        have = np.flatnonzero(d >= 0)
        if not len(have):
            continue
        given = pd.DataFrame({"respondentid": index[have], "donor": example_ids[d[have]]})
        codes = example_coding.loc[example_coding["variabel"] == var, ["respondentid", "kategori", "citat"]]
        codes = codes.rename(columns={"respondentid": "donor"})
        parts.append(given.merge(codes, on="donor", how="inner", sort=False).assign(variabel=var))
    if not parts:
        return pd.DataFrame(columns=["respondentid", "variabel", "kategori", "citat"])
    out = pd.concat(parts, ignore_index=True)
    # Keep the example's quote marks only on the first copy of each quoted answer: a memo needs a few.
    first = ~out.duplicated(["donor", "variabel", "kategori"])
    out["citat"] = np.where(first & (out["citat"] != ""), out["citat"], "")
    out = out.sort_values(["respondentid", "variabel", "kategori"], kind="stable")
    return out[["respondentid", "variabel", "kategori", "citat"]]


def make_export(n: int, out: str | Path, *, form: str = "csv-zip", seed: int = 1, answered_share: float = 0.3,
                population: str | Path | None = None, coding: str | Path | None = None) -> Generated:
    """Write the export of ``n`` respondents to ``out``, its population file, and a coding file if asked.

    ``population`` defaults to ``out`` with the suffix ``.population.csv``; like the example's register
    it counts everyone distributed to, so its margins add up to ``n``.
    """
    if n < 1:
        raise ValueError("N must be at least 1")
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}")
    t0 = time.perf_counter()
    out = Path(out)
    example = _example()
    variables, data, donors = synthetic_data(n, seed, answered_share, example)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_export(variables, data, out, form=form)

    pop_path = Path(population) if population is not None else out.with_name(out.name + ".population.csv")
    # The register counts everyone distributed to (the example: 1,172 staff, all asked).
    population_frame(n).to_csv(pop_path, sep=";", index=False, lineterminator="\n")
    coding_path = None
    n_codes = 0
    if coding is not None:
        coding_path = Path(coding)
        ex, ex_coding = example
        answered_ids = ex.data.index[ex.data["answered"].to_numpy()]
        codes = coding_frame(data.index, donors, ex_coding, answered_ids)
        codes.to_csv(coding_path, sep=";", index=False, lineterminator="\n")
        n_codes = len(codes)
    answered = int(data["status"].isin([STATUS_LABELS[3], STATUS_LABELS[4]]).sum())
    return Generated(out, pop_path, coding_path, n, answered, n_codes, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, metavar="N", help="distributed respondents (rows of the Dataset)")
    ap.add_argument("out", type=Path, metavar="OUT", help="the export to write (folder, .zip, .xlsx or .sav)")
    ap.add_argument("--form", choices=FORMS, default="csv-zip")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--answered-share", type=float, default=0.3, help="share who answer (default 0.3)")
    ap.add_argument("--population", type=Path, default=None,
                    help="population file to write (default: OUT.population.csv)")
    ap.add_argument("--coding", nargs="?", type=Path, const=Path(""), default=None, metavar="C",
                    help="also write a coding file (default path: OUT.coding.csv)")
    ap.add_argument("--meta", type=Path, default=None,
                    help="write what was made (paths, counts, seconds) to this JSON file, last")
    args = ap.parse_args(argv)
    if not 0 < args.answered_share <= 1:
        ap.error("--answered-share must be in (0, 1]")
    coding = args.coding
    if coding is not None and str(coding) in ("", "."):
        coding = args.out.with_name(args.out.name + ".coding.csv")
    g = make_export(args.n, args.out, form=args.form, seed=args.seed, answered_share=args.answered_share,
                    population=args.population, coding=coding)
    print(f"Wrote {g.export} ({args.form}): {g.distributed:,} distributed, {g.answered:,} answered "
          f"in {g.seconds:.1f} s")
    print(f"Wrote {g.population}")
    if g.coding is not None:
        print(f"Wrote {g.coding}: {g.codes:,} codes")
    if args.meta is not None:
        meta = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(g).items()}
        args.meta.write_text(json.dumps({**meta, "seed": args.seed, "form": args.form}, indent=2) + "\n")


if __name__ == "__main__":
    main()

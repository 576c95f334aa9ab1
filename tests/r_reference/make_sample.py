"""Write the synthetic sample the R reference scripts and the weighting tests share.

Run ``python tests/r_reference/make_sample.py`` to rewrite ``sample.csv`` (deterministic: fixed seed).
The data imitate the VJH 2022 survey: 400 answered respondents out of N = 1,172 staff, with gender and
weekly hours deliberately skewed against the register margins (full-timers over-represented), a few
respondents missing gender or hours (they cannot be weighted), and answer variables whose shares depend
on hours so that weighting moves the estimates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HOURS = ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer", "37 timer"]
N_RESPONDENTS = 400


def make_sample(seed: int = 20220727) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N_RESPONDENTS
    # Hours over-represent full-timers (register: 41% under 30 h, 33% 30-36 h, 26% 37 h).
    timetal = rng.choice(HOURS, size=n, p=[0.05, 0.06, 0.10, 0.42, 0.37])
    # Gender depends on hours so that the two margins interact and raking needs several sweeps.
    p_woman = np.where(np.isin(timetal, HOURS[:3]), 0.85, np.where(timetal == "37 timer", 0.55, 0.72))
    koen = np.where(rng.random(n) < p_woman, "Kvinde", "Mand").astype(object)
    alder = rng.choice(["Under 40 år", "40-49 år", "50 år eller derover"], size=n, p=[0.35, 0.3, 0.35])
    # Part-timers are asked whether they want more hours; the wish falls with the hours they have.
    part = timetal != "37 timer"
    p_more = np.select([timetal == "1-9 timer", timetal == "10-19 timer", timetal == "20-29 timer"],
                       [0.45, 0.2, 0.33], 0.25)
    op_i_tid = np.where(rng.random(n) < p_more, "Ja", "Nej").astype(object)
    op_i_tid[~part] = None
    # Everybody is asked whether changing hours is possible; part-timers and men say no more often.
    p_ja = np.where(part, 0.55, 0.68) - np.where(koen == "Mand", 0.08, 0.0)
    u = rng.random(n)
    mulighed = np.where(u < p_ja, "Ja", np.where(u < p_ja + 0.33, "Nej", "Ved ikke")).astype(object)
    mulighed[rng.random(n) < 0.04] = None
    timetal = timetal.astype(object)
    koen[rng.choice(n, 3, replace=False)] = None
    timetal[rng.choice(n, 4, replace=False)] = None
    # Hours unknown: routing cannot have asked s_7.
    op_i_tid[pd.isna(timetal)] = None
    ids = 81000000 + np.sort(rng.choice(900000, n, replace=False))
    return pd.DataFrame({
        "respondentid": ids, "koen": koen, "alder": alder, "timetal": timetal,
        "op_i_tid": op_i_tid, "mulighed": mulighed,
    })


def main(out: Path) -> None:
    make_sample().to_csv(out, index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("sample.csv"))

"""Generated questionnaires of other shapes than VJH's, and a direct count of an export's files.

The direct count reads the written CSV files with the standard library only (no fuldtid code), so a test
that compares fuldtid's numbers with it checks the whole reading path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from fuldtid.read.export import Variable

AGREE = {1: "Helt uenig", 2: "Uenig", 3: "Hverken enig eller uenig", 4: "Enig", 5: "Helt enig"}
TICK = {0: "Ikke valgt", 1: "Valgt"}


def wellbeing(n: int = 120, seed: int = 1) -> tuple[dict[str, Variable], pd.DataFrame]:
    """A small well-being survey: background, a grid of three statements, a Multiple question, open text."""
    grid = "Hvor enig er du i følgende udsagn om din arbejdsplads?"
    multi = "Hvad kunne gøre din hverdag bedre? (flere svar mulige)"
    options = ["Flere kolleger", "Bedre ledelse", "Mere fleksibilitet", "Andet"]
    variables: dict[str, Variable] = {
        "s_1": Variable("s_1", "Hvilken afdeling arbejder du i?", "single",
                        {1: "Administration", 2: "Drift", 3: "Udvikling"}),
        "s_2": Variable("s_2", "Hvad er din alder?", "single", {1: "Under 30 år", 2: "30-49 år", 3: "50 år eller derover"}),
        "s_3": Variable("s_3", "Trives du på din arbejdsplads?", "single", {1: "Ja", 2: "Nej", 3: "Ved ikke"}),
        "s_4_1": Variable("s_4_1", f"{grid} - Jeg har gode kolleger", "single", AGREE),
        "s_4_2": Variable("s_4_2", f"{grid} - Min leder lytter til mig", "single", AGREE),
        "s_4_3": Variable("s_4_3", f"{grid} - Jeg kan nå mine opgaver", "single", AGREE),
    }
    for i, opt in enumerate(options, start=1):
        variables[f"s_5_{i}"] = Variable(f"s_5_{i}", f"{multi} - {opt}", "multiple", TICK, question="s_5",
                                         option=opt)
    variables["s_6"] = Variable("s_6", "Har du andre kommentarer om din trivsel?", "open")
    rng = np.random.default_rng(seed)
    answered = rng.random(n) < 0.7
    data: dict[str, object] = {}
    for name, var in variables.items():
        if var.kind == "open":
            words = np.array(["Gode kolleger", "For travlt", "Ledelsen er god", "Ønsker mere tid, æøå"], dtype=object)
            vals = np.where(answered & (rng.random(n) < 0.4), words[rng.integers(0, len(words), n)], None)
            data[name] = pd.Series(vals, dtype="object")
            continue
        codes = np.array(list(var.labels))
        vals = codes[rng.integers(0, len(codes), n)].astype(float)
        skip = ~answered | (rng.random(n) < (0.0 if var.kind == "multiple" else 0.1))
        vals[skip] = np.nan
        data[name] = pd.array(pd.Series(vals), dtype="Int64")
    # Multiple options: those who did not answer have no values; those who did have 0/1 on every option.
    df = pd.DataFrame(data)
    df["answered"] = answered
    df.index = pd.Index([str(50000 + 3 * i) for i in range(n)], name="respondentid")
    return variables, df


def anonymous_pulse(n: int = 80, seed: int = 2) -> tuple[dict[str, Variable], pd.DataFrame]:
    """A short anonymous pulse survey: job group, two single questions, a Multiple question, an open one."""
    multi = "Hvilke kanaler bruger du til intern information?"
    variables: dict[str, Variable] = {
        "q_1": Variable("q_1", "Hvilken faggruppe tilhører du?", "single",
                        {1: "Pædagog", 2: "Pædagogmedhjælper", 3: "Leder", 4: "Andet"}),
        "q_2": Variable("q_2", "Hvordan vurderer du dit arbejdsmiljø?", "single",
                        {1: "Meget godt", 2: "Godt", 3: "Dårligt", 4: "Meget dårligt"}),
        "q_3": Variable("q_3", "Anbefaler du din arbejdsplads til andre?", "single", {1: "Ja", 2: "Nej"}),
        "q_4_1": Variable("q_4_1", f"{multi} - Intranet", "multiple", TICK, question="q_4", option="Intranet"),
        "q_4_2": Variable("q_4_2", f"{multi} - Nyhedsbrev", "multiple", TICK, question="q_4", option="Nyhedsbrev"),
        "q_4_3": Variable("q_4_3", f"{multi} - Personalemøder", "multiple", TICK, question="q_4",
                          option="Personalemøder"),
        "q_5": Variable("q_5", "Hvad vil du gerne give videre til ledelsen?", "open"),
    }
    rng = np.random.default_rng(seed)
    answered = rng.random(n) < 0.55
    data: dict[str, object] = {}
    for name, var in variables.items():
        if var.kind == "open":
            vals = np.where(answered & (rng.random(n) < 0.5), "Mere dialog tak", None)
            data[name] = pd.Series(vals, dtype="object")
            continue
        codes = np.array(list(var.labels))
        vals = codes[rng.integers(0, len(codes), n)].astype(float)
        vals[~answered | ((rng.random(n) < 0.15) & (var.kind == "single"))] = np.nan
        data[name] = pd.array(pd.Series(vals), dtype="Int64")
    df = pd.DataFrame(data)
    df["answered"] = answered
    df.index = pd.Index([str(i) for i in range(1, n + 1)], name="respondentid")
    return variables, df


# --- a direct count of the files -------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_dataset_rows(folder: Path, separator: str) -> list[dict[str, str]]:
    """dataset.csv of a CSV export folder as dicts of raw text, read with the csv module."""
    text = _decode((folder / "dataset.csv").read_bytes())
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=separator))


def answered_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows with status 3 or 4 set, whichever name the status columns have."""
    def flag(row: dict[str, str], k: int) -> bool:
        return any(row.get(f"{p}_{k}", "").strip() == "1" for p in ("statoverall", "stato"))
    return [r for r in rows if flag(r, 3) or flag(r, 4)]


def count_codes(rows: list[dict[str, str]], column: str) -> dict[int, int]:
    """How many rows hold each code of a column (empty cells not counted)."""
    out: dict[int, int] = {}
    for r in rows:
        v = r[column].strip()
        if v:
            out[int(float(v))] = out.get(int(float(v)), 0) + 1
    return out

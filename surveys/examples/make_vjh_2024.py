#!/usr/bin/env python3
"""Generate the shipped synthetic second wave (2024) of the VJH working-time survey.

Usage::

    python surveys/examples/make_vjh_2024.py [OUT_DIR]

OUT_DIR defaults to ``surveys/examples/vjh_2024`` next to this script. The wave is made from the 2022
example (``vjh_2022``): its respondents are drawn again with a fixed seed, tilted so that some answers
really change (more part-timers want more hours, more find a change of hours impossible), and written as
a later SurveyXact export would look:

* a new question ("Er du tillidsrepræsentant?") before the hours question, so every later ``s_N`` is
  renumbered (``s_6`` becomes ``s_7``, ...): the survey definition finds the questions by their text;
* the agreement "Husassistenter, KL" is renamed "Serviceområdet, KL" (an answer category in only one
  wave each);
* the collection runs two years later, with more staff distributed to.

It writes ``export/`` (the CSV trio), ``coding.csv`` (the 2022 codes of each drawn answer, under the new
respondent ids and variable names) and ``population.csv`` (the 2024 register margins). The data are
synthetic: no real person is behind any row. :func:`make_wave` is also used by the tests to build waves
with other seeds, tilts and answer options.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20240828


@dataclass(frozen=True)
class Wave:
    variables: dict          # name -> fuldtid.read.export.Variable
    data: pd.DataFrame       # shaped like Export.data (index respondentid)
    source: pd.Series        # new respondentid -> the respondentid it was drawn from
    renamed: dict            # old variable name -> new variable name


def make_wave(export, *, seed: int, distributed: int, answered: int,
              tilt: Mapping[str, Mapping[int, float]] | None = None,
              insert_before: str | None = None, new_question: str = "Er du tillidsrepræsentant?",
              rename_labels: Mapping[str, Mapping[str, str]] | None = None,
              extra_options: Mapping[str, tuple[str, float]] | None = None,
              years: int = 2, first_id: int = 400_000_000) -> Wave:
    """A later wave drawn from ``export`` (an :class:`fuldtid.read.export.Export`).

    ``answered`` respondents are drawn with replacement from the answered rows, each row with probability
    proportional to the product of ``tilt[var][code]`` over its answers (1 where not given); the rest of
    ``distributed`` from the rows that did not answer. ``insert_before`` puts ``new_question`` before that
    variable and renumbers it and every later one. ``rename_labels[var]`` renames answer labels (same code);
    ``extra_options[var] = (label, share)`` adds an answer option given by that share of the answers to it.
    Dates move ``years`` years on.
    """
    from fuldtid.read.export import Variable

    rng = np.random.default_rng(seed)
    data = export.data
    done = data.index[data["answered"].to_numpy(dtype=bool)]
    not_done = data.index[~data["answered"].to_numpy(dtype=bool)]
    weight = np.ones(len(done))
    for var, factors in (tilt or {}).items():
        codes = data.loc[done, var]
        for code, factor in factors.items():
            weight *= np.where((codes == code).fillna(False).to_numpy(dtype=bool), factor, 1.0)
    pick = rng.choice(len(done), size=answered, replace=True, p=weight / weight.sum())
    rest = rng.choice(len(not_done), size=distributed - answered, replace=True)
    rows = list(done[pick]) + list(not_done[rest])
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    new = data.loc[rows].copy()
    ids = pd.Index([str(first_id + 7 * i + int(rng.integers(0, 7))) for i in range(len(rows))], name="respondentid")
    source = pd.Series(list(new.index), index=ids, name="source")
    new.index = ids
    offset = pd.DateOffset(years=years)
    for col in ("starttime", "closetime"):
        new[col] = (new[col] + offset).astype("datetime64[ns]")

    variables = {}
    renamed = {}
    names = list(export.variables)
    position = names.index(insert_before) if insert_before is not None else len(names)
    for i, name in enumerate(names):
        var = export.variables[name]
        if i == position:
            variables[f"s_{position + 1}"] = Variable(f"s_{position + 1}", new_question, "single", {1: "Ja", 2: "Nej"})
        new_name = f"s_{i + 2}" if i >= position else name
        labels = dict(var.labels)
        for old, label in (rename_labels or {}).get(name, {}).items():
            code = next(k for k, v in labels.items() if v == old)
            labels[code] = label
        if name in (extra_options or {}):
            label, share = extra_options[name]
            code = max(labels) + 1
            labels[code] = label
            given = new[name].notna().to_numpy()
            switch = given & (rng.random(len(new)) < share)
            new.loc[switch, name] = code
        variables[new_name] = Variable(new_name, var.text, var.kind, labels)
        renamed[name] = new_name
    new = new.rename(columns=renamed)
    if insert_before is not None:
        added = f"s_{position + 1}"
        values = pd.array(np.where(rng.random(len(new)) < 0.1, 1, 2), dtype="Int64")
        new.insert(position, added, values)
        new.loc[~new["answered"].to_numpy(dtype=bool), added] = pd.NA
    order_cols = list(variables) + [c for c in new.columns if c not in variables]
    return Wave(variables, new[order_cols], source, renamed)


def wave_coding(coding: pd.DataFrame, wave: Wave) -> pd.DataFrame:
    """The earlier wave's codes for the drawn answers, under the new respondent ids and variable names."""
    by_source = coding.groupby("respondentid")
    out = []
    for new_id, old_id in wave.source.items():
        if old_id in by_source.groups:
            rows = by_source.get_group(old_id).copy()
            rows["respondentid"] = new_id
            out.append(rows)
    frame = pd.concat(out, ignore_index=True)
    frame["variabel"] = frame["variabel"].map(lambda v: wave.renamed.get(v, v))
    return frame.sort_values(["respondentid", "variabel", "kategori"], kind="stable").reset_index(drop=True)


POPULATION_2024 = """variabel;kategori;antal;omfatter
koen;Kvinde;861;
koen;Mand;347;
timetal;Under 30 timer;466;1-9 timer|10-19 timer|20-29 timer
timetal;30-36 timer;414;30-36 timer
timetal;37 timer;328;37 timer
"""


def main(out: Path) -> None:
    sys.path.insert(0, str(HERE.parent.parent))
    from fuldtid.read.export import read_export
    sys.path.insert(0, str(HERE.parent.parent / "tests"))
    from exportwriter import write_export

    earlier = HERE / "vjh_2022"
    export = read_export(earlier / "export")
    wave = make_wave(
        export, seed=SEED, distributed=1208, answered=352,
        # s_7 Ønsker du at gå op i tid? 1 = Ja; s_15 Oplever du, at det er muligt ...? 2 = Nej
        tilt={"s_7": {1: 2.0}, "s_15": {2: 1.5}},
        insert_before="s_6",
        rename_labels={"s_4": {"Husassistenter, KL": "Serviceområdet, KL"}},
    )
    out.mkdir(parents=True, exist_ok=True)
    write_export(wave.variables, wave.data, out / "export")
    coding = pd.read_csv(earlier / "coding.csv", sep=";", dtype=str, keep_default_na=False)
    wave_coding(coding, wave).to_csv(out / "coding.csv", sep=";", index=False, lineterminator="\n")
    (out / "population.csv").write_text(POPULATION_2024, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "vjh_2024")

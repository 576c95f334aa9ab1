"""Write table_tests.csv: per answered respondent of the shipped example, the weighting variables and, for
each cross table (11-14) at --min-group 1 and 5, the published row the respondent is counted in (empty:
in none) and the answer; likewise the bars of figures 1 and 3 and whether the answer is the one compared.
table_tests.R tests exactly these published tables in R.

    python tests/r_reference/make_table_tests.py && Rscript tests/r_reference/table_tests.R
"""

from pathlib import Path

import pandas as pd

from fuldtid.stats.figuredata import all_figures
from fuldtid.report import analyse
from fuldtid.stats.tabletests import published_groups

HERE = Path(__file__).parent
EX = HERE.parents[1] / "surveys" / "examples" / "vjh_2022"

frame = None
for mg in (1, 5):
    ts = analyse(EX / "export", coding=EX / "coding.csv", min_group=mg)
    r = ts.survey.responses
    if frame is None:
        frame = pd.DataFrame({"koen": r["koen"].astype("object"), "timetal": r["timetal"].astype("object")})
    for t in ts.tables:
        if t.kind == "cross":
            g = published_groups(ts.survey, t)
            frame[f"g{t.number}_{mg}"] = g
            frame[f"a{t.number}_{mg}"] = r[t.field].astype("object").where(g.notna())
    # The memo's figures 1 (share "Ja" by hours, part-timers) and 3 (answers by hours): bars as published.
    for f, value in ((1, "Ja"), (3, "Nej")):
        fig = next(x for x in all_figures(ts) if x.number == f)
        by = r[fig.by].astype("object").where(r[fig.by].notna(), "Ikke angivet")  # only within a merged bar
        answer = r[fig.field].astype("object")
        inside = ts.survey.group_mask(fig.among) & answer.notna()
        group = by.where(~by.isin(fig.hidden), fig.merged_label) if fig.hidden else by
        frame[f"fig{f}_{mg}"] = group.where(inside & group.isin(set(fig.data["group"])))
        frame[f"y{f}_{mg}"] = (answer == value).where(frame[f"fig{f}_{mg}"].notna())
frame.to_csv(HERE / "table_tests.csv", index_label="respondentid", lineterminator="\n")

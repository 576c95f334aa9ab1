"""Breach: `fuldtid compare` publishes the weighted shares unrounded, reopening the exact decoding.

    fuldtid compare surveys/examples/vjh_2022/export surveys/examples/vjh_2024/export \\
        --population surveys/examples/vjh_2022/population.csv --population surveys/examples/vjh_2024/population.csv \\
        --out cmp.json

Since 5afe7e8 the report and the breakdowns round every weighted number (fuldtid.stats.weighted), but the
comparison computes its own (compare._weighted_share -> WeightedShare) and writes share, se and interval at full
precision. For table 10 (agreement among everybody, with a "not stated" row) the share's base is every weighted
respondent, whose weights sum to the population size (1172): share x 1172 / 100 is the row's exact
population_count. "Akademikere, KL" 2022: share 1.5310432925339494 -> 17.9438..., which decodes (weighted_decode)
into 1 woman and 2 men on 30-36 hours, 3 women and 1 man on 37 hours: 4 full-timers, the size of table 14's
hidden row (truth: 4).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
ROOT = HERE.parent.parent
EX22 = ROOT / "surveys" / "examples" / "vjh_2022"
EX24 = ROOT / "surveys" / "examples" / "vjh_2024"

from rounded_decode import BAND, _survey_weights  # noqa: E402
from weighted_decode import decode  # noqa: E402


def test_compare_weighted_shares_give_no_hidden_row_size():
    from fuldtid.render.compare_render import comparison_json
    from fuldtid.stats.compare import compare_exports
    from fuldtid.stats.tables import build_tables

    comp = compare_exports(EX22 / "export", EX24 / "export", population=(EX22 / "population.csv",
                                                                       EX24 / "population.csv"))
    d = json.loads(comparison_json(comp))
    q10 = next(q for q in d["questions"] if q["source"] == "table" and q["number"] == 10)
    ts = comp.a  # the 2022 wave's table set
    s, w = ts.survey, ts.weighting
    wk = _survey_weights(s, w)
    cells = sorted({(k, BAND[t]) for k, t in wk})
    wl = [next(v for (k, t), v in wk.items() if (k, BAND[t]) == c) for c in cells] + [0.0]
    hidden14 = {r.label for r in build_tables(s, None, min_group=5).table(14).rows if r.suppressed}
    r = s.responses
    revealed = []
    for a in q10["answers"]:
        ws = a["waves"]["2022"]
        if a["label"] not in hidden14 or not ws.get("weighted"):
            continue
        pc = ws["weighted"]["share"] * w.size / 100  # the base's weights sum to the population size
        sols = decode(int(ws["count"]), pc, wl, tol=1e-6)
        if len(sols) != 1:
            continue
        full_time = sum(n for c, n in zip(cells, sols[0]) if c[1] == "37")
        truth = int((s.group_mask("fuldtid") & (r["overenskomst"].astype(object) == a["label"])).sum())
        assert full_time == truth  # exact
        if 0 < full_time < 5:
            revealed.append((a["label"], full_time))
    assert revealed == [], revealed

"""The breakdown's † marks: the answer of interest (survey definition), weighted when the breakdown is, one
comparison for two groups, and the nested field compared too. R values: tests/r_reference/beta.R."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fuldtid.stats.breakdown import breakdown
from fuldtid.render.breakdown_render import breakdown_grid
from fuldtid.stats.significance import group_differences, group_differences_weighted
from fuldtid.stats.weighting import weighted_difference

from test_weighting import rk, sample  # noqa: F401 (fixtures)

EXAMPLE_POP = "surveys/examples/vjh_2022/population.csv"


@pytest.mark.parametrize("hours, r", [
    # m <- svyglm(yy ~ ingroup, subset(rk, !is.na(mulighed))) with yy = mulighed == "Nej",
    # ingroup = timetal == hours:  (share in group, share of the rest, z = coef/SE, 2 * pnorm(-|z|))
    ("1-9 timer", (0.465889941916989, 0.321702532234366, 1.50053418793865, 0.133476084492676)),
    ("10-19 timer", (0.20706219640755, 0.349799629510983, -1.8100009771171, 0.0702956356410113)),
    ("30-36 timer", (0.393336309325656, 0.307363683666346, 1.99532280986254, 0.0460076836814992)),
    ("37 timer", (0.337718762119587, 0.335159637382747, 0.0600282388354903, 0.952133143899907)),
])
def test_weighted_group_difference_matches_r(sample, rk, hours, r):  # noqa: F811
    got = weighted_difference(rk, sample["mulighed"].eq("Nej"), sample["timetal"].eq(hours), sample["mulighed"].notna())
    assert got == pytest.approx(r, rel=1e-7)


def test_weighted_group_differences_holm_and_two_groups(sample, rk):  # noqa: F811
    answered = sample["mulighed"].notna() & sample["timetal"].notna()
    groups = sample["timetal"].where(answered)
    y = sample["mulighed"].eq("Nej").where(answered)
    hours = ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer", "37 timer"]
    res = group_differences_weighted(rk, groups, y, hours)
    # R: p.adjust(c(0.133476084492676, 0.0702956356410113, 0.0504217099754046, 0.0460076836814992,
    #               0.952133143899907), "holm")
    assert [d.p_value for d in res] == pytest.approx(
        [0.133476084492676, 0.0702956356410113, 0.0504217099754046, 0.0460076836814992, 0.952133143899907], rel=1e-7)
    assert [d.p_holm for d in res] == pytest.approx(
        [0.266952168985352, 0.230038418407496, 0.230038418407496, 0.230038418407496, 0.952133143899907], rel=1e-7)
    assert not any(d.differs for d in res)
    # Two groups are one comparison: no Holm. svyglm(yy ~ koen == "Kvinde", ...): p = 0.0859460445613654
    res = group_differences_weighted(rk, sample["koen"].where(answered), y, ["Kvinde", "Mand"])
    assert [d.p_holm for d in res] == pytest.approx([0.0859460445613654] * 2, rel=1e-7)


def test_two_groups_unweighted_are_one_comparison():
    counts = pd.DataFrame([[6, 7], [10, 61]], index=["A", "B"], columns=["Ja", "Nej"])
    res = group_differences(counts, "Ja")
    # R: prop.test(c(6, 10), c(13, 71), correct = FALSE)$p.value = 0.00678588266104033, not doubled by Holm
    assert [d.p_holm for d in res] == [d.p_value for d in res]
    assert res[0].p_value == pytest.approx(0.00678588266104033, rel=1e-9)


def test_marks_use_the_answer_of_interest(example_survey):
    assert example_survey.definition.fields["mulighed"].of_interest == "Nej"
    b = breakdown(example_survey, "mulighed", ["timetal"], min_group=5)
    assert b.marked_column == "Nej"
    g = breakdown_grid(b)
    if any(r.differs for r in b.rows):
        assert any("andel »Nej«" in n for n in g.notes)
    # The marks are the z tests of the published groups on "Nej", not on the first column ("Ja").
    shown = [r for r in b.rows if not r.suppressed and not r.members]
    counts = pd.DataFrame([[r.counts[c] for c in b.columns] for r in shown], index=[r.label for r in shown],
                          columns=list(b.columns))
    expected = {d.label: d.differs for d in group_differences(counts, "Nej")}
    assert {r.label: r.differs for r in shown} == expected


def test_weighted_breakdown_marks_are_weighted(example_survey):
    from fuldtid.stats.weighted import weigh_survey

    w = weigh_survey(example_survey, EXAMPLE_POP)
    b = breakdown(example_survey, "mulighed", ["timetal"], min_group=5, weights=w)
    r = example_survey.responses
    answered = r["mulighed"].notna()
    labels = [x.label for x in b.rows if not x.suppressed]
    groups = r["timetal"].astype("object").where(answered & r["timetal"].astype("object").isin(labels))
    expected = group_differences_weighted(w, groups, (r["mulighed"].astype("object") == "Nej").where(groups.notna()),
                                          labels)
    assert {x.label: x.differs for x in b.rows if not x.suppressed and not x.members} == \
        {d.label: d.differs for d in expected}
    assert b.test.method.startswith("Rao-Scott")
    # Every weighted group's design-based p-value is a number (one respondent would give none, not a crash).
    assert all(not math.isnan(d.p_value) for d in expected)


def test_nested_field_is_marked_within_each_outer_group(example_survey):
    b = breakdown(example_survey, "ned_i_tid", ["omraade", "koen"], min_group=1)
    assert b.nested_marks
    inner = [r for r in b.rows if r.group not in (None, "Ikke angivet") and not r.subtotal and not r.suppressed]
    assert inner and all(r.differs is not None for r in inner)
    # Within one area, the inner groups are compared with each other.
    outer = inner[0].group
    rows = [r for r in inner if r.group == outer]
    counts = pd.DataFrame([[r.counts[c] for c in b.columns] for r in rows], index=[r.label for r in rows],
                          columns=list(b.columns))
    assert [r.differs for r in rows] == [d.differs for d in group_differences(counts, "Ja")]


def test_nested_breakdown_says_which_field_its_test_compares(example_survey):
    b = breakdown(example_survey, "ned_i_tid", ["omraade", "koen"], min_group=1)
    notes = breakdown_grid(b).notes
    assert any("Testen sammenligner grupperne af område (de ydre grupper)." in n for n in notes)
    if any(r.differs for r in b.rows):
        assert any("Inden for hver gruppe af område er grupperne af køn sammenlignet med hinanden." in n
                   for n in notes)

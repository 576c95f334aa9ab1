"""Follow-up breakdowns on the shipped example: counts, protection, tests, and every output format."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fuldtid.stats.breakdown import breakdown
from fuldtid.cli import cli
from fuldtid.errors import DefinitionError

PUB13 = {
    "Administration og IT mv., KL": (0, 10),
    "Oms.- og pæd.medhj. samt pæd. ass., KL": (17, 21),
    "Social- og sundhedspersonale, KL": (3, 23),
    "Socialpædagoger og pæd.pers.døgninst.mv.": (32, 55),
    "Ergo- Fysio- og Jordemødre, basis KL": (3, 13),
    "Socialrådgiver/socialformidlere, KL": (3, 3),
    "Hjemmevejledere og pæd.pers., døgninst.": (1, 4),
}


def test_breakdown_defaults_to_the_questions_routing(example_survey):
    b = breakdown(example_survey, "op_i_tid", ["overenskomst"], min_group=1)
    assert b.among == "deltid"
    assert b.overall == {"Ja": 65, "Nej": 149}
    assert b.overall_total == 214
    rows = {r.label: r for r in b.rows}
    for label, (ja, nej) in PUB13.items():
        assert (rows[label].counts["Ja"], rows[label].counts["Nej"]) == (ja, nej)
    # Missing agreement is its own row, as in the memo's tables 13-14.
    assert rows["Ikke angivet"].total == 18


def test_small_groups_are_hidden_and_cannot_be_recovered(example_survey):
    b = breakdown(example_survey, "op_i_tid", ["overenskomst"], min_group=5)
    shown = [r for r in b.rows if not r.suppressed]
    hidden = [r for r in b.rows if r.suppressed]
    assert hidden, "table 13 has groups of 1-3 part-timers"
    for r in shown:
        assert r.total == 0 or r.total >= 5
    shown_sum = sum(r.total for r in shown if not r.members)
    merged = [r for r in shown if r.members]
    # What is hidden is shown only as one merged group of at least min_group.
    assert b.overall_total - shown_sum == sum(r.total for r in merged)
    assert all(r.total >= 5 for r in merged)
    assert {"Akademikere, KL", "Husassistenter, KL"} <= {r.label for r in hidden}


def test_breakdown_reports_a_test_of_difference(example_survey):
    b = breakdown(example_survey, "ned_i_tid", ["omraade"], min_group=1)
    assert b.among == "fuldtid"
    assert b.test is not None
    assert 0 <= b.test.p_value <= 1
    assert "statistisk sikker" in b.test.sentence


def test_nested_breakdown(example_survey):
    b = breakdown(example_survey, "op_i_tid", ["omraade", "koen"], min_group=5)
    subtotals = [r for r in b.rows if r.subtotal]
    assert {r.label for r in subtotals} >= {"Resterende tilbud"}
    assert sum(r.total for r in subtotals if not r.suppressed) <= 214


def test_unknown_and_open_fields_are_refused(example_survey):
    with pytest.raises(DefinitionError, match="not a field"):
        breakdown(example_survey, "op_i_tid", ["afdeling"])
    with pytest.raises(DefinitionError, match="open question"):
        breakdown(example_survey, "op_hvorfor", ["omraade"])


@pytest.mark.parametrize("ext", [".json", ".csv", ".xlsx", ".html", ".docx"])
def test_breakdown_cli_writes_every_format(example_dir, tmp_path, ext):
    out = tmp_path / f"b{ext}"
    result = CliRunner().invoke(
        cli, ["breakdown", str(example_dir / "export"), "--question", "op_i_tid", "--by", "overenskomst",
              "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data
    if ext == ".json":
        d = json.loads(data)
        assert set(d) >= {"question", "by", "among", "min_group", "columns", "rows", "overall", "test"}
        assert d["min_group"] == 5 and d["among"] == "deltid"
        assert any(r.get("suppressed") for r in d["rows"])
        for r in d["rows"]:
            assert set(r) == {"label", "suppressed"} or {"label", "counts", "total", "pcts"} <= set(r)
    if ext == ".html":
        assert b"http://" not in data and b"https://" not in data


def test_breakdown_cli_prints_a_table(example_dir):
    result = CliRunner().invoke(
        cli, ["breakdown", str(example_dir / "export"), "--question", "ned_i_tid", "--by", "omraade", "--min-group", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Rådgivning og Visitation" in result.output
    assert "6 (46%)" in result.output
    assert "statistisk sikker" in result.output


def test_fields_may_be_named_as_people_type_them(example_survey):
    b = breakdown(example_survey, "Ønsker du at gå ned i tid?", ["område"], min_group=1)
    assert (b.question, b.by) == ("ned_i_tid", ("omraade",))
    assert "fordelt på område" in b.title


SINGLE = ["koen", "alder", "stilling", "overenskomst", "tilbud", "timetal", "omraade", "center"]


@pytest.mark.parametrize("min_group", [3, 5, 10])
@pytest.mark.parametrize("by", SINGLE)
@pytest.mark.parametrize("question", ["op_i_tid", "ned_i_tid", "mulighed"])
def test_no_hidden_group_can_be_worked_out_from_the_json(example_survey, question, by, min_group):
    """An attacker with only the JSON: overall minus the shown rows is the hidden total; it must be at least
    min_group, spread over at least two groups, and more people than groups (else each would be 1)."""
    if by == "timetal" and question != "mulighed":
        pytest.skip("the question's group is defined by timetal")
    d = breakdown(example_survey, question, [by], min_group=min_group).to_dict()
    shown = [r for r in d["rows"] if not r.get("suppressed") and "members" not in r]
    merged = [r for r in d["rows"] if "members" in r]
    hidden = [r for r in d["rows"] if r.get("suppressed")]
    for r in shown:
        assert r["total"] == 0 or r["total"] >= min_group, r
    rest = d["overall"]["total"] - sum(r["total"] for r in shown)
    if hidden:
        assert rest >= min_group
        assert len(hidden) >= 2
        assert rest > len(hidden)
        for c in d["columns"]:
            rest_c = d["overall"]["counts"][c] - sum(r["counts"][c] for r in shown)
            assert rest_c == sum(r["counts"][c] for r in merged)
    else:
        assert rest == 0 and not merged

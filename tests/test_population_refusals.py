"""A population file that cannot describe the staff the survey was sent to is refused in one line."""

from __future__ import annotations

import pytest

from test_cli_errors import _run


def _population(tmp_path, rows: str):
    p = tmp_path / "population.csv"
    p.write_text("variabel;kategori;antal;omfatter\n" + rows, encoding="utf-8")
    return p


HOURS = ("timetal;Under 30 timer;{u};1-9 timer|10-19 timer|20-29 timer\n"
         "timetal;30-36 timer;{m};30-36 timer\ntimetal;37 timer;{f};37 timer\n")


@pytest.mark.parametrize("command", [["report", "--out"], ["breakdown", "--question", "mulighed", "--by", "timetal",
                                                           "--out"]])
def test_population_smaller_than_the_answers(example_dir, tmp_path, command):
    # 331 respondents can be weighted; a register of 300 staff cannot be right.
    pop = _population(tmp_path, "koen;Kvinde;200;\nkoen;Mand;100;\n" + HOURS.format(u=100, m=100, f=100))
    msg = _run([command[0], str(example_dir / "export"), "--population", str(pop), *command[1:], str(tmp_path / "o")])
    assert str(pop) in msg and "300 staff, fewer than the 331 respondents" in msg
    assert not (tmp_path / "o").exists()


def test_category_with_fewer_staff_than_respondents(example_dir, tmp_path):
    # 117 weighted respondents work 37 hours; a register of 50 full-timers cannot be right.
    pop = _population(tmp_path, "koen;Kvinde;832;\nkoen;Mand;340;\n" + HOURS.format(u=736, m=386, f=50))
    msg = _run(["report", str(example_dir / "export"), "--population", str(pop), "--out", str(tmp_path / "o")])
    assert "category '37 timer' of timetal has 50 staff but 117 respondents" in msg

# A register category that no respondent is in: tests/test_weighting.py ("no weighted respondent is in
# category 'Kort' of timetal"), refused by the same one-line WeightingError as above.

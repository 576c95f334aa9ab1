"""Numbers as printed never claim more than the data: >99%, intervals of some width, a note when rounded
shares do not add up to 100, "størstedelen" only above half."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuldtid import fmt
from fuldtid.render.grid import ROUNDING_NOTE, table_grid
from fuldtid.model.wording import Wording
from fuldtid.render.memo_sentences import _top_phrase
from fuldtid.stats.tables import CrossRow, Row, Table


@pytest.mark.parametrize("value, text", [(99.5, ">99%"), (99.99, ">99%"), (99.4, "99%"), (100.0, "100%"),
                                         (0.4, "<1%"), (0.0, "0%"), (50.5, "51%")])
def test_pct_never_rounds_to_all_or_nothing(value, text):
    assert fmt.pct(value) == text


def test_pct_with_decimals():
    assert fmt.pct(99.96, 1) == ">99,9%" and fmt.pct(99.94, 1) == "99,9%" and fmt.pct(0.04, 1) == "<0,1%"


@pytest.mark.parametrize("low, high, text", [(23.6, 36.4, "24–36%"), (0.0, 3.26, "0–3%"), (0.0, 0.3, "0–1%"),
                                             (99.6, 100.0, "99–100%"), (40.2, 40.4, "40–41%"), (50.0, 50.0, "50–50%")])
def test_interval(low, high, text):
    assert fmt.interval(low, high) == text


def test_no_interval_prints_nothing():
    assert fmt.interval(None, None) == "" and fmt.interval(float("nan"), 3.0) == ""


@given(st.floats(0, 100), st.floats(0, 100))
def test_an_interval_of_some_width_never_prints_as_one_value(a, b):
    low, high = min(a, b), max(a, b)
    text = fmt.interval(low, high)
    lo, hi = (int(x) for x in text.rstrip("%").split("–"))
    assert lo <= hi and (lo < hi or low == high)
    assert 0 <= lo and hi <= 100


def _oneway(counts):
    base = sum(counts)
    rows = tuple(Row(f"s{i}", n, 100 * n / base) for i, n in enumerate(counts))
    return Table(1, "oneway", "t", "f", "q", "alle", base, rows)


def test_rounding_note_when_printed_shares_do_not_add_up():
    assert ROUNDING_NOTE in table_grid(_oneway([1, 1, 1])).notes  # 33 + 33 + 33 = 99
    assert ROUNDING_NOTE not in table_grid(_oneway([1, 1, 2])).notes  # 25 + 25 + 50
    assert fmt.rounded_sum_off([33.3, 33.3, 33.4]) and not fmt.rounded_sum_off([25.0, 75.0])
    cross = Table(2, "cross", "t", "f", "q", "alle", 3, (CrossRow("A", {"x": 1, "y": 1, "z": 1}, 3,
                                                                  {"x": 100 / 3, "y": 100 / 3, "z": 100 / 3}),),
                  columns=("x", "y", "z"), by="b")
    assert ROUNDING_NOTE in table_grid(cross).notes
    # Coded categories overlap and are not meant to add up.
    assert ROUNDING_NOTE not in table_grid(Table(3, "coded", "t", "f", "q", "alle", 3,
                                                 (Row("a", 1, 100 / 3), Row("b", 1, 100 / 3)))).notes


def test_most_only_above_half_unrounded():
    w = Wording(None)
    # 50.4% prints as 50%: more than half, so "Størstedelen"; exactly half is not.
    assert _top_phrase(w, [Row("x", 126, 50.4)], "f").startswith("Størstedelen (50%)")
    assert _top_phrase(w, [Row("x", 1, 50.0)], "f").startswith("Flest (50%)")
    # 49.6% prints as 50% but is not more than half.
    assert _top_phrase(w, [Row("x", 124, 49.6)], "f").startswith("Flest (50%)")

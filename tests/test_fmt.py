from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuldtid import fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30.373831775700936, "30%"),  # 65/214, table 1
        (25.641025641025642, "26%"),  # 30/117: the memo misprints 27%
        (11.290322580645162, "11%"),  # 7/62: the memo misprints 9%
        (54.54545454545455, "55%"),  # 12/22: the memo misprints 50%
        (40.54054054054054, "41%"),  # 135/333: the memo misprints 40%
        (12.5, "13%"),  # half rounds up, not to even
        (0.9009009009009009, "<1%"),  # 3/333
        (0.3003003003003003, "<1%"),
        (0.0, "0%"),
        (100.0, "100%"),
        (None, ""),
    ],
)
def test_pct_whole_percent(value, expected):
    assert fmt.pct(value) == expected


def test_pct_decimals_use_danish_comma():
    assert fmt.pct(100 / 3, 1) == "33,3%"
    assert fmt.pct(200 / 3, 1) == "66,7%"
    assert fmt.number(1172) == "1.172"
    assert fmt.number(1234567.891, 2) == "1.234.567,89"
    assert fmt.number(-2.5) == "-3"


def test_count_pct_empty_row_shows_no_percentage():
    assert fmt.count_pct(0, None) == "-"
    assert fmt.count_pct(52, 52 / 168 * 100) == "52 (31%)"


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_round_half_up_matches_exact_fraction(count, base):
    count = min(count, base)
    shown = fmt.round_half_up(100 * count / base)
    # Exact half-up rounding of the fraction 100*count/base.
    exact = (Decimal(200 * count + base) // Decimal(2 * base))
    assert shown == exact

"""Danish number formatting for reports: whole percent rounded half up, ``<1%``, ``>99%``, decimal comma."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """Round as people do (2.5 -> 3), not as floats do (banker's rounding, binary error).

    ``repr`` first so that a percentage such as 12.5 (1/8) is 12.5 and not 12.4999...
    """
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)


def pct(value: float | None, decimals: int = 0) -> str:
    """A percentage (0-100) as the memo prints it: ``30%``, ``<1%``, ``>99%``, ``33,3%``; empty when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    smallest = 10.0**-decimals
    if 0 < value < smallest:
        # The memo's convention: a share below 1% is "<1%", never a misleading "0%" or "1%".
        return f"<{number(smallest, decimals)}%"
    if 100 - smallest < value < 100 and round_half_up(value, decimals) >= 100:
        # Likewise 99.5-99.99% is not everybody: ">99%", never "100%".
        return f">{number(100 - smallest, decimals)}%"
    return f"{number(value, decimals)}%"


def interval(low: float | None, high: float | None, decimals: int = 0) -> str:
    """A confidence interval as ``24–37%``; empty when there is none. An interval of some width whose ends
    round to the same number is rounded outwards instead, so it never prints as a single value ("0–0%")."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return ""
    lo, hi = round_half_up(low, decimals), round_half_up(high, decimals)
    if lo == hi and high > low:
        step = Decimal(1).scaleb(-decimals)
        lo = Decimal(repr(float(low))).quantize(step, rounding=ROUND_FLOOR)
        hi = Decimal(repr(float(high))).quantize(step, rounding=ROUND_CEILING)
        if lo == hi:  # an end exactly on the grid
            lo, hi = (lo - step, hi) if lo > 0 else (lo, hi + step)
    return f"{number(float(lo), decimals)}–{number(float(hi), decimals)}%"


def rounded_sum_off(values: list[float]) -> bool:
    """Whether whole percentages as printed (rounded half up) fail to add up to 100."""
    return bool(values) and sum(round_half_up(v) for v in values) != 100


def number(value: float, decimals: int = 0) -> str:
    """A number with Danish separators: ``1.172``, ``33,3``."""
    d = round_half_up(value, decimals)
    sign = "-" if d < 0 else ""
    d = abs(d)
    whole = int(d)
    frac = f"{d:.{decimals}f}".split(".")[1] if decimals else ""
    grouped = f"{whole:,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if decimals else f"{sign}{grouped}"


def count_pct(count: int, share: float | None) -> str:
    """``52 (31%)`` as in the memo's cross tables; an empty row shows ``-``."""
    if share is None:
        return "-"
    return f"{count} ({pct(share)})"

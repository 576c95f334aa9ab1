"""Danish number formatting for reports: whole percent rounded half up, ``<1%``, decimal comma."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """Round as people do (2.5 -> 3), not as floats do (banker's rounding, binary error).

    ``repr`` first so that a percentage such as 12.5 (1/8) is 12.5 and not 12.4999...
    """
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)


def pct(value: float | None, decimals: int = 0) -> str:
    """A percentage (0-100) as the memo prints it: ``30%``, ``<1%``, ``33,3%``; empty when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    smallest = 10.0**-decimals
    if 0 < value < smallest:
        # The memo's convention: a share below 1% is "<1%", never a misleading "0%" or "1%".
        return f"<{number(smallest, decimals)}%"
    return f"{number(value, decimals)}%"


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

"""Danish names for the statistical methods, for every output a reader sees.

The statistics modules name their methods in English (``DifferenceTest.method``, the identifiers the tests
and the JSON's ``method`` key keep); every document, workbook and table a reader opens shows the Danish
name from :func:`method_name` instead, and :func:`test_note` says the result in one Danish sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from fuldtid import fmt

if TYPE_CHECKING:
    import datetime as dt

    from fuldtid.stats.significance import DifferenceTest

_FIXED = {
    "fisher's exact test": "Fishers eksakte test",
    "fisher-freeman-halton exact test": "Fisher–Freeman–Haltons eksakte test",
    "chi-square test": "chi-i-anden-test",
    "pearson's chi-square test": "Pearsons chi-i-anden-test",
    "rao-scott corrected chi-square test (f)": "Rao–Scott-korrigeret chi-i-anden-test (F)",
    "rao-scott f": "Rao–Scott-korrigeret chi-i-anden-test (F)",
    "z-test": "z-test",
}
_MONTE_CARLO = re.compile(r"^monte carlo(?: exact)? test \((\d+) simulations?, seed (\d+)\)$")


def method_name(method: str) -> str:
    """The Danish name of a method of :mod:`fuldtid.stats.significance`: ``Fishers eksakte test``,
    ``Monte Carlo-test (19.999 simuleringer, seed 2022)``, ``Rao–Scott-korrigeret chi-i-anden-test (F)``.
    A name it does not know (already Danish, say) is returned as it is."""
    key = method.strip().lower().replace("–", "-")
    if key in _FIXED:
        return _FIXED[key]
    m = _MONTE_CARLO.match(key)
    if m:
        n, seed = int(m.group(1)), m.group(2)
        return f"Monte Carlo-test ({fmt.number(n)} {'simulering' if n == 1 else 'simuleringer'}, seed {seed})"
    return method


def statistic_text(test: DifferenceTest) -> str:
    """``χ² = 12,3 med 4 frihedsgrader`` / ``F = 2,31 med 3,2 frihedsgrader``; empty for exact tests."""
    stat, df = getattr(test, "statistic", None), getattr(test, "df", None)
    if stat is None:
        return ""
    symbol = "F" if "rao" in test.method.lower() else "χ²"
    text = f"{symbol} = {fmt.number(stat, 2)}"
    if df is not None:
        whole = abs(df - round(df)) < 1e-9
        text += f" med {fmt.number(df, 0 if whole else 1)} {'frihedsgrad' if whole and round(df) == 1 else 'frihedsgrader'}"
    return text


def test_note(test: DifferenceTest) -> str:
    """The result of a test of difference as a reader reads it: the sentence, then the method by its
    Danish name and, where there is one, the statistic."""
    stat = statistic_text(test)
    return f"{test.sentence} Metode: {method_name(test.method)}" + (f", {stat}." if stat else ".")


test_note.__test__ = False  # type: ignore[attr-defined]  # a library function, not a pytest test


# --- Danish grammar for the prose of every document ---------------------------------------------------

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def count_noun(n: int, singular: str, plural: str) -> str:
    """``1 medarbejder``, ``2 medarbejdere``, ``1.172 medarbejdere``."""
    return f"{fmt.number(n)} {singular if n == 1 else plural}"


def join_da(parts: Sequence[str], last: str = "og") -> str:
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def quoted(label: str) -> str:
    return f"»{label}«"


def da_date(ts: dt.date) -> str:
    t = pd.Timestamp(ts)
    return f"{t.day}. {MONTHS[t.month - 1]} {t.year}"


def da_period(first: dt.date | None, last: dt.date | None) -> str | None:
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return None
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    if a.date() == b.date():
        return f"den {da_date(a)}"
    if a.year == b.year:
        start = f"{a.day}. {MONTHS[a.month - 1]}"
        return f"fra den {start} til den {da_date(b)}"
    return f"fra den {da_date(a)} til den {da_date(b)}"


def about(n: float) -> str:
    """A population count as prose: rounded to tens from 100 up, to fives from 20 up."""
    if n >= 100:
        return fmt.number(round(n / 10) * 10)
    if n >= 20:
        return fmt.number(round(n / 5) * 5)
    return fmt.number(round(n))

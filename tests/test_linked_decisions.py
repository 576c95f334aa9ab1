"""The protector decides as it did when its decisions were recorded (tests/linked_decisions.py, before the audit
was made faster): which cells of which groups are hidden, for every level the report and its figures ask for
and a set of breakdowns. The whole record (five exports at thresholds 3, 5 and 8) is checked by
``python tests/linked_decisions.py check``; the suite checks two of them."""

from __future__ import annotations

import pytest

from linked_decisions import compare, load, recompute, variant


@pytest.mark.parametrize("name,min_group", [("example", 5), ("variant1", 3)])
def test_the_protector_hides_what_it_hid_when_recorded(example_survey, name, min_group):
    want = load()[f"{name}@{min_group}"]
    survey = example_survey if name == "example" else variant(example_survey, 1)
    got, _ = recompute(survey, min_group, want)
    assert compare(want, got) == []

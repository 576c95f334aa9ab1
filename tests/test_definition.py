"""The survey definition: the shipped VJH one, and clear errors for broken ones."""

from __future__ import annotations

import pytest

from fuldtid.definition import load_definition
from fuldtid.errors import DefinitionError


def test_shipped_vjh_definition():
    d = load_definition()
    assert d.name == "vjh_fuldtid"
    assert list(d.fields)[:6] == ["koen", "alder", "stilling", "overenskomst", "tilbud", "timetal"]
    assert d.fields["op_i_tid"].among == "deltid"
    assert d.groups["deltid"].values == ("1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer")
    assert d.groups["fuldtid"].values == ("37 timer",)
    assert [t.number for t in d.tables] == list(range(1, 15))
    assert [f.number for f in d.figures] == list(range(1, 7))
    assert d.min_group == 5
    omraade = d.derived["omraade"]
    assert len(omraade.lookup) == 77
    assert sum(v == "Rådgivning og Visitation" for v in omraade.lookup.values()) == 3
    assert len(set(d.derived["center"].lookup.values())) == 6
    assert d.fields["ned_hvorfor_ikke"].categories == ("Tilfredshed", "Økonomi", "Opgavebyrde", "Lederstilling")


def test_bare_name_finds_the_shipped_definition():
    assert load_definition("vjh").path == load_definition().path


def _write(tmp_path, text):
    p = tmp_path / "def.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fields: {}\n", "'fields' must map"),
        ("fields:\n  a: {text: Q, type: grid}\n", "type must be 'single' or 'open'"),
        ("fields:\n  a: {options: [x]}\n", "needs a question 'text'"),
        ("fields:\n  a: {text: Q, among: nobody}\n", "unknown group 'nobody'"),
        ("fields:\n  a: {text: Q}\ntables:\n  - {number: 1, field: b, title: T}\n", "unknown field 'b'"),
        ("fields:\n  a: {text: Q}\ntables:\n  - {number: 1, kind: coded, field: a, title: T}\n", "no 'categories'"),
        ("fields:\n  a: {text: Q}\ntables:\n  - {number: 1, field: a, title: T}\n  - {number: 1, field: a, title: U}\n",
         "unique"),
        ("fields:\n  a: {text: Q}\nmin_group: 0\n", "min_group"),
        ("- just\n- a list\n", "YAML mapping"),
        ("fields: [unclosed\n", "not a valid YAML"),
    ],
)
def test_broken_definitions_are_refused_with_the_reason(tmp_path, text, message):
    with pytest.raises(DefinitionError, match=message) as info:
        load_definition(_write(tmp_path, text))
    assert "def.yaml" in str(info.value)


def test_missing_definition_file(tmp_path):
    with pytest.raises(DefinitionError, match="not found"):
        load_definition(tmp_path / "nope.yaml")

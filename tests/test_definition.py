"""The survey definition: the shipped VJH one, and clear errors for broken ones."""

from __future__ import annotations

import pytest

from fuldtid.model.definition import load_definition
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
        ("fields: {}\n", "line 1: fields: must not be empty"),
        ("fields:\n  a: {text: Q, type: grid}\n", "line 2: fields.a.type: must be one of single, open, multiple"),
        ("fields:\n  a: {options: [x]}\n", "line 2: fields.a: needs 'text'"),
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A typo in a key is named with its line, not silently ignored.
        ("fields:\n  a: {text: Q}\ntables:\n  - {number: 1, field: a, title: T}\n  - {number: 2, feild: a, title: U}\n",
         r"line 5: tables\[2\]: unknown key 'feild'"),
        ("fields:\n  a: {text: Q}\ntables:\n  - number: 1\n    field: a\n    kind: crosss\n    title: T\n",
         r"line 6: tables\[1\]\.kind: must be one of oneway, coded, cross, multiple, grid, not 'crosss'"),
        ("title: X\nfields:\n  a:\n    text: Q\n    among: nobody\n", r"line 5: fields\.a\.among: .*unknown group 'nobody'"),
        ("fields:\n  a: {text: Q}\n  b: {text: R, type: multiple}\ntables:\n  - {number: 1, field: b, title: T}\n",
         r"line 5: tables\[1\]\.kind: .*kind multiple"),
        ("fields:\n  a: {text: Q}\nmin_group: many\n", r"line 3: min_group: must be a whole number, not 'many'"),
        ("fields:\n  a: {text: Q}\ngroups:\n  g: {field: zz, values: [x]}\n", r"line 4: groups\.g\.field: .*'zz'"),
        ("fields:\n  a: {text: Q}\nbackground: [b]\n", r"background: 'b' is not"),
    ],
)
def test_mistakes_are_named_by_key_and_line(tmp_path, text, message):
    with pytest.raises(DefinitionError, match=message):
        load_definition(_write(tmp_path, text))


def test_grid_and_multiple_tables_parse(tmp_path):
    d = load_definition(_write(tmp_path, (
        "fields:\n  a: {text: 'Q - x'}\n  b: {text: 'Q - y'}\n  m: {text: M, type: multiple}\n"
        "tables:\n  - {number: 1, kind: grid, fields: [a, b], title: Q}\n"
        "  - {number: 2, kind: multiple, field: m, title: M}\n")))
    assert d.tables[0].fields == ("a", "b") and d.tables[0].field == "a"
    assert d.fields["m"].is_multiple and d.tables[1].kind == "multiple"

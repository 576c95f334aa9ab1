"""The shape of a survey definition as a JSON Schema, and messages that name the key and the line.

:func:`check_shape` validates the parsed YAML against :data:`SCHEMA` (jsonschema) before
:mod:`fuldtid.model.definition` checks what a schema cannot (a group named by a field exists, ...). The YAML's
node marks give every key its line, so a mistake is reported as ``survey.yaml, line 12: tables[3].kind:
must be one of oneway, coded, cross, multiple, grid, not 'crosss'``. The format is described for users
in docs/survey-definition.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml
    from jsonschema.exceptions import ValidationError

_TEXT = {"type": ["string", "number"]}
_TEXTS = {"type": "array", "items": _TEXT}
_NAME = {"type": "string", "minLength": 1}

FIELD = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string", "minLength": 1},
        "type": {"enum": ["single", "open", "multiple"]},
        "options": _TEXTS,
        "among": _NAME,
        "required": {"type": "boolean"},
        "categories": _TEXTS,
        "coded_among": _NAME,
        "variable": _NAME,
        "of_interest": _TEXT,
        "codebook": {"type": "object", "additionalProperties": {"type": ["array", "null"], "items": _TEXT}},
    },
}
TABLE = {
    "type": "object",
    "required": ["number", "title"],
    "additionalProperties": False,
    "properties": {
        "number": {"type": "integer", "minimum": 1},
        "kind": {"enum": ["oneway", "coded", "cross", "multiple", "grid"]},
        "field": _NAME,
        "fields": {"type": "array", "items": _NAME, "minItems": 2},
        "title": {"type": ["string", "number"]},
        "among": _NAME,
        "by": _NAME,
        "missing_row": _TEXT,
    },
    "anyOf": [{"required": ["field"]}, {"required": ["fields"]}],
}
FIGURE = {
    "type": "object",
    "required": ["number", "field", "title"],
    "additionalProperties": False,
    "properties": {
        "number": {"type": "integer", "minimum": 1},
        "kind": {"enum": ["distribution", "share", "cross"]},
        "field": _NAME,
        "title": {"type": ["string", "number"]},
        "among": _NAME,
        "by": _NAME,
        "value": _TEXT,
    },
}
GROUP = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"label": _TEXT, "field": _NAME, "values": _TEXTS, "within": _NAME},
}
DERIVED = {
    "type": "object",
    "required": ["from", "lookup"],
    "additionalProperties": False,
    "properties": {"from": _NAME, "lookup": _NAME, "key": _NAME, "column": _NAME, "options": _TEXTS},
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "fuldtid survey definition",
    "type": "object",
    "required": ["fields"],
    "additionalProperties": False,
    "properties": {
        "name": _TEXT,
        "title": _TEXT,
        "organisation": {"type": ["string", "null"]},
        "population_description": _TEXT,
        "min_group": {"type": "integer", "minimum": 1},
        "background": {"type": "array", "items": _NAME},
        "fields": {"type": "object", "minProperties": 1, "additionalProperties": FIELD},
        "derived": {"type": ["object", "null"], "additionalProperties": DERIVED},
        "groups": {"type": ["object", "null"], "additionalProperties": GROUP},
        "tables": {"type": ["array", "null"], "items": TABLE},
        "figures": {"type": ["array", "null"], "items": FIGURE},
        "wording": {"type": ["object", "null"]},  # its shape is checked in fuldtid.model.definition
        "memo": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "sections": {"type": "array", "items": {
                    "type": "object", "required": ["heading"], "additionalProperties": False,
                    "properties": {"heading": _TEXT, "text": _TEXT,
                                   "tables": {"type": "array", "items": {"type": "integer"}},
                                   "figures": {"type": "array", "items": {"type": "integer"}}}}},
                "appendix": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"heading": _TEXT, **{role: _NAME for role in (
                        "age", "sex", "job", "workplace", "agreement", "hours", "full_time", "part_time")}}},
            },
        },
    },
}


def check_shape(raw: Mapping[str, Any], node: yaml.Node | None, source: str) -> None:
    """Raise :class:`DefinitionError` for the first place (in file order) where ``raw`` breaks the schema."""
    from jsonschema import Draft202012Validator

    from fuldtid.errors import DefinitionError

    errors = list(Draft202012Validator(SCHEMA).iter_errors(raw))
    if not errors:
        return
    def place(e: ValidationError) -> tuple[int, int]:
        return (line_of(node, list(e.absolute_path)) or 0, len(e.absolute_path))
    # The deepest error at the first line is the most specific one.
    first = min(errors, key=lambda e: (place(e)[0], -place(e)[1]))
    path = list(first.absolute_path)
    line = line_of(node, path)
    where = f", line {line}" if line else ""
    raise DefinitionError(f"{source}{where}: {key_path(path) or 'the definition'}: {_message(first)}")


def key_path(path: Sequence[str | int]) -> str:
    """``tables[3].kind`` for ("tables", 3, "kind"); list positions are 1-based as people count."""
    out = ""
    for p in path:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def line_of(node: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the value at ``path`` in a composed YAML node tree (the key's line for a mapping
    entry); the deepest line found when the path leaves the tree."""
    import yaml

    line = node.start_mark.line + 1 if node is not None else None
    for p in path:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(p)
                        or getattr(k, "value", None) == p), None)
            if hit is None:
                return line
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
            node = node.value[p]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _message(e: ValidationError) -> str:
    v = e.validator
    if v == "additionalProperties":
        known = ", ".join(e.schema.get("properties", {}))
        extra = [k for k in e.instance if k not in e.schema.get("properties", {})]
        return f"unknown key {extra[0]!r}" + (f"; known keys: {known}" if known else "")
    if v == "required":
        return f"needs {e.message.split(' is a required')[0]}"
    if v == "enum":
        return f"must be one of {', '.join(map(str, e.validator_value))}, not {e.instance!r}"
    if v == "type":
        kinds = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        names = {"string": "a text", "number": "a number", "integer": "a whole number", "array": "a list",
                 "object": "a mapping (key: value)", "boolean": "true or false", "null": "empty"}
        return f"must be {' or '.join(names.get(k, k) for k in kinds)}, not {_shown(e.instance)}"
    if v == "minimum":
        return f"must be at least {e.validator_value}, not {e.instance!r}"
    if v in ("minProperties", "minItems", "minLength"):
        return "must not be empty" if v != "minItems" else f"needs at least {e.validator_value} entries"
    if v == "anyOf":
        return "needs 'field' (or 'fields' for a grid)"
    return e.message


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)

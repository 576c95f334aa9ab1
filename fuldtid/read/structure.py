"""Structure and Labels (as rows of text, from CSV or a workbook) -> the questionnaire's variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fuldtid.errors import ExportError
from fuldtid.read.exportmodel import _some, _STRUCTURE_COLUMNS, is_admin_column, Variable


@dataclass
class _MetaRow:
    """One Structure or Labels row, with where it came from (for messages)."""

    where: str
    cells: list[str]


@dataclass
class _Meta:
    """Structure and Labels as rows of text, whatever form they came in."""

    structure_source: str
    structure_header: list[str]
    structure: list[_MetaRow]
    labels_source: str
    labels: list[_MetaRow]


def _clean(value: object) -> str:
    """A metadata cell as text (Excel gives numbers for codes)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _int_code(text: str) -> int | None:
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d+\.0*", t):
        return int(float(t))
    return None


def _build_variables(meta: _Meta) -> tuple[dict[str, Variable], list[str]]:
    """Structure gives the variables, their order, type and text; Labels (and Structure) the labels."""
    warnings: list[str] = []
    header = [h.strip().lower() for h in meta.structure_header]
    col = {name.lower(): header.index(name.lower()) for name in _STRUCTURE_COLUMNS if name.lower() in header}
    missing = [n for n in ("variableName", "questionText") if n.lower() not in col]
    if missing:
        raise ExportError(
            f"{meta.structure_source}: not a SurveyXact Structure table (no column {' or '.join(missing)} "
            "in its first line).\nExport the data again from SurveyXact."
        )

    def cell(row: _MetaRow, name: str) -> str:
        i = col.get(name.lower())
        return row.cells[i].strip() if i is not None and i < len(row.cells) else ""

    info: dict[str, dict] = {}
    for row in meta.structure:
        var = cell(row, "variableName")
        if not var:
            raise ExportError(f"{meta.structure_source}, {row.where}: variableName is empty. "
                              "Export the data again from SurveyXact.")
        entry = info.setdefault(var, {"text": cell(row, "questionText"), "type": cell(row, "questionType"),
                                      "sub": cell(row, "subType"), "choices": {},
                                      "question": cell(row, "questionName"), "option": ""})
        value, label = cell(row, "choiceValue"), cell(row, "choiceText")
        if _is_multiple(entry):
            # A multiple-choice option is its own 0/1 variable; the choice names the option.
            if label and entry["text"] and not entry["text"].endswith(f" - {label}"):
                entry["text"] = f"{entry['text']} - {label}"
            entry["option"] = entry["option"] or label
            continue
        if value:
            code = _int_code(value)
            if code is None:
                raise ExportError(
                    f"{meta.structure_source}, {row.where}: choiceValue {value[:20]!r} of {var} is not "
                    "a whole number. Export the data again from SurveyXact."
                )
            entry["choices"][code] = (label, row.where)

    labels: dict[str, dict[int, tuple[str, str]]] = {}
    rows = meta.labels
    if rows and len(rows[0].cells) >= 3 and _int_code(rows[0].cells[1]) is None \
            and rows[0].cells[1].strip().lower() in ("value", "choicevalue", "code", "kode", "værdi"):
        rows = rows[1:]  # Labels has no header, but a hand-made one gets one
    for row in rows:
        cells = [c.strip() for c in row.cells]
        while len(cells) > 3 and cells[-1] == "":
            cells.pop()
        if len(cells) != 3:
            raise ExportError(
                f"{meta.labels_source}, {row.where}: {len(cells)} fields where Labels has 3 "
                "(variable, code, label).\nQuote labels that contain the separator, or export again."
            )
        var, value, label = cells
        code = _int_code(value)
        if code is None or not var:
            raise ExportError(
                f"{meta.labels_source}, {row.where}: expected 'variable;code;label' with a whole-number "
                "code. Export the data again from SurveyXact."
            )
        seen = labels.setdefault(var, {})
        if code in seen and seen[code][0] != label:
            raise ExportError(
                f"{meta.labels_source}: {var} code {code} has two labels ({seen[code][1]}: "
                f"{seen[code][0]!r}, {row.where}: {label!r}). Keep one."
            )
        seen[code] = (label, row.where)

    variables: dict[str, Variable] = {}
    for var, entry in info.items():
        from_labels = labels.get(var, {})
        for code, (label, where) in entry["choices"].items():
            if code in from_labels and from_labels[code][0] != label:
                raise ExportError(
                    f"{var} code {code}: {meta.structure_source} ({where}) says {label!r} but "
                    f"{meta.labels_source} ({from_labels[code][1]}) says {from_labels[code][0]!r}.\n"
                    "The two tables must come from the same export; export the data again."
                )
        merged = {c: lab for c, (lab, _) in entry["choices"].items()}
        merged.update({c: lab for c, (lab, _) in from_labels.items()})
        if _is_multiple(entry):
            variables[var] = _multiple_variable(var, entry, merged)
            continue
        is_open = entry["type"].lower() == "open"
        if is_open or not merged:
            if not is_open and entry["type"]:
                warnings.append(f"{meta.structure_source}: {var} is a closed question without labels; "
                                "its values are read as text.")
            variables[var] = Variable(var, entry["text"], "open", {})
        else:
            variables[var] = Variable(var, entry["text"], "single", dict(sorted(merged.items())))
    extra = [v for v in labels if v not in info and not is_admin_column(v)]
    if extra:
        warnings.append(f"{meta.labels_source}: labels for variables not in Structure ignored: "
                        f"{_some(extra)}.")
    return variables, warnings


def _is_multiple(entry: Mapping[str, str]) -> bool:
    """A Structure entry of a multiple-choice option (subType Multiple, or questionType Multiple)."""
    return "multiple" in (entry["sub"].lower(), entry["type"].lower())


#: The labels SurveyXact gives a multiple-choice option's 0/1 variable when Labels lists none.
MULTIPLE_LABELS: Mapping[int, str] = {0: "Ikke valgt", 1: "Valgt"}
#: Labels of code 1 that mark a 0/1 variable as a multiple-choice option where no Structure says so (.sav).
_TICKED = ("valgt", "markeret", "afkrydset", "selected", "checked", "chosen")


def _multiple_variable(var: str, entry: Mapping[str, Any], labels: Mapping[int, str]) -> Variable:
    """One option of a multiple-choice question: a 0/1 variable under the question's name."""
    question = entry["question"] or re.sub(r"_\d+$", "", var)
    option = entry["option"] or entry["text"].rpartition(" - ")[2]
    # Labels that name only the ticked code (or none) keep SurveyXact's name for the other.
    return Variable(var, entry["text"], "multiple", dict(sorted({**MULTIPLE_LABELS, **labels}.items())),
                    question=question, option=option)


def _multiples_from_labels(variables: dict[str, Variable]) -> dict[str, Variable]:
    """An SPSS file has no Structure: options of a multiple-choice question are told by their shape.

    Two or more neighbouring variables ``stem_1``, ``stem_2``, ... whose value labels are exactly 0 and 1
    with code 1 labelled like SurveyXact's "Valgt", and whose labels (texts) share the part before " - ",
    become the options of one question ``stem``.
    """
    names = list(variables)
    out = dict(variables)
    i = 0
    while i < len(names):
        m = re.match(r"^(.+)_(\d+)$", names[i])
        j = i
        if m:
            stem = m.group(1)
            while j < len(names) and re.fullmatch(rf"{re.escape(stem)}_\d+", names[j]) \
                    and _looks_ticked(variables[names[j]]):
                j += 1
        run = [variables[n] for n in names[i:j]]
        prefixes = {v.text.rpartition(" - ")[0] for v in run}
        if len(run) >= 2 and len(prefixes) == 1 and "" not in prefixes:
            for v in run:
                out[v.name] = Variable(v.name, v.text, "multiple", dict(v.labels), question=m.group(1),
                                       option=v.text.rpartition(" - ")[2])
            i = j
        else:
            i += 1
    return out


def _looks_ticked(v: Variable) -> bool:
    return v.kind == "single" and set(v.labels) == {0, 1} and v.labels[1].strip().casefold() in _TICKED

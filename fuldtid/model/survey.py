"""Matching a survey definition to an export: the answered respondents with their answers as labels.

Fields are found by their question text, so that a later wave whose ``s_N`` names shifted still loads.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
import numpy as np
import pandas as pd

from fuldtid.model.definition import ALL, Definition, Derived, Field, load_definition
from fuldtid.errors import DefinitionError
from fuldtid.read.export import Export, Variable, read_export


@dataclass(frozen=True)
class FieldMatch:
    field: str
    variable: str | None  # None: an optional question that is not in the export; multiple: the question
    text: str
    options: tuple[str, ...] = ()  # a multiple-choice field: its options' 0/1 variables, in order


@dataclass(frozen=True)
class Survey:
    """The answered respondents of one export, read through one survey definition.

    ``responses`` has one row per answered respondent (index ``respondentid``) and one column per
    field of the definition: single-choice answers as a pandas Categorical of labels in the
    definition's order, open answers as text, derived fields like single-choice ones. Missing is NA.
    """

    definition: Definition
    export: Export
    responses: pd.DataFrame
    matches: tuple[FieldMatch, ...]
    warnings: tuple[str, ...] = ()
    choices: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    """Multiple-choice fields: one column per option (its text), True where ticked, NA where unanswered."""
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """:meth:`codes` and :meth:`group_mask`, computed once (the report asks for them 170 and 110 times; at 300,000
    respondents each took about 1.5 ms). Not an init field, so ``dataclasses.replace`` starts a fresh one."""

    def variables_of(self, name: str) -> tuple[str, ...]:
        """The export variable(s) a field (or a derived field's source) was read from."""
        d = self.definition.derived.get(name)
        if d is not None:
            name = d.source
        for m in self.matches:
            if m.field == name:
                return m.options or ((m.variable,) if m.variable else ())
        return ()

    @property
    def distributed(self) -> int:
        return self.export.distributed

    @property
    def answered(self) -> int:
        return len(self.responses)

    @property
    def response_rate(self) -> float:
        return self.answered / self.distributed if self.distributed else 0.0

    def codes(self, name: str) -> np.ndarray:
        """A single-choice field's answers as the position of each in :meth:`options`, and those who did not
        answer as the position after the last: the integer form every count and the protection work on."""
        key = ("codes", name)
        if key not in self._memo:
            col = self.responses[name]
            codes = col.cat.codes.to_numpy().astype(np.int64)
            codes[codes < 0] = len(col.cat.categories)
            codes.flags.writeable = False  # shared by every caller
            self._memo[key] = codes
        return self._memo[key]

    def options(self, name: str) -> tuple[str, ...]:
        """The answer labels of a single-choice or derived field, in order."""
        col = self.responses[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            return tuple(str(c) for c in col.cat.categories)
        f = self.definition.fields.get(name)
        what = "a multiple-choice question" if f is not None and f.is_multiple else "an open question"
        raise DefinitionError(f"{self.definition.path}: field {name!r} is {what}, not single-choice")

    def field_labels(self) -> dict[str, tuple[str, ...]]:
        """Every single-choice or derived field with its answer labels (for population files)."""
        return {
            name: self.options(name)
            for name in self.responses.columns
            if isinstance(self.responses[name].dtype, pd.CategoricalDtype)
        }

    def resolve_field(self, name: str) -> str:
        """A field named as the user typed it: ``koen``, ``Køn``, ``område`` or the question text."""
        if name in self.responses.columns:
            return name

        wanted = ascii_key(name)
        for column in self.responses.columns:
            f = self.definition.fields.get(column)
            if ascii_key(column) == wanted or (f is not None and ascii_key(f.text) == wanted):
                return column
        return name

    def group_mask(self, group: str) -> pd.Series:
        """Boolean Series: which respondents belong to a group of the definition (a copy the caller may change)."""
        key = ("group", group)
        if key not in self._memo:
            self._memo[key] = group_mask(self.definition, self.responses, group)
        return self._memo[key].copy()


def group_mask(definition: Definition, responses: pd.DataFrame, group: str) -> pd.Series:
    """Boolean Series: which rows of ``responses`` belong to a group of the definition."""
    groups = definition.groups
    if group not in groups:
        raise DefinitionError(f"{definition.path}: unknown group {group!r}; groups: {', '.join(groups)}")
    g = groups[group]
    mask = pd.Series(True, index=responses.index)
    if g.within is not None:
        mask &= group_mask(definition, responses, g.within)
    if g.field is not None:
        mask &= responses[g.field].isin(g.values).fillna(False).astype(bool)
    return mask


@functools.lru_cache(maxsize=65536)
def normalise_text(text: str) -> str:
    """Question texts compared loosely: case, spacing, markup, quotes and final punctuation don't matter."""
    t = html.unescape(re.sub(r"<[^>]+>", " ", str(text)))
    t = unicodedata.normalize("NFC", t).casefold()
    t = t.replace("\u00a0", " ").replace("’", "'").replace("”", '"').replace("“", '"')
    t = re.sub(r"\s+", " ", t).strip()
    return t.rstrip(" ?:.!")


def ascii_key(text: str) -> str:
    """A name compared as people type it: field names are ASCII (koen, omraade), people write køn, område."""
    return normalise_text(text).replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


_NUMBER_PREFIX = re.compile(r"^(?:[a-z]+_?\d+[a-z]?|\d+(?:\.\d+)*)\s*[.:)\-–]?\s+")


def _strip_number(text: str) -> str:
    return _NUMBER_PREFIX.sub("", text, count=1)


def match_fields(definition: Definition, export: Export) -> tuple[FieldMatch, ...]:
    """Find each field's variable in the export by its question text."""
    by_text: dict[str, list[Variable]] = {}
    for var in export.variables.values():
        by_text.setdefault(normalise_text(var.text), []).append(var)
    # Some exports put the variable name or a question number in front of the text ("s_7: Ønsker du ...",
    # "7. Ønsker du ..."): such a text also matches without it, unless that would be ambiguous.
    for var in export.variables.values():
        bare = _strip_number(normalise_text(var.text))
        if bare != normalise_text(var.text) and bare not in by_text:
            by_text[bare] = [var]
    multiples: dict[str, list[Variable]] = {}
    for var in export.variables.values():
        if var.kind == "multiple":
            multiples.setdefault(normalise_text(var.question_text), []).append(var)
    matches = []
    for f in definition.fields.values():
        if f.is_multiple:
            matches.append(_match_multiple(f, multiples, definition, export))
            continue
        found = by_text.get(normalise_text(f.text), [])
        if f.variable is not None:
            # Named by variable because its text is not unique: that variable, if it still has the text.
            found = [v for v in found if v.name == f.variable] or found
        if len(found) > 1:
            names = ", ".join(v.name for v in found)
            raise DefinitionError(
                f"{export.path}: the question text of field {f.name!r} ({f.text!r}) matches several "
                f"variables ({names}); make the texts in {definition.path.name} unique"
            )
        if not found:
            if f.required:
                # The closest among questions no other field claims: a renamed question, not its neighbour.
                claimed = {normalise_text(g.text) for g in definition.fields.values()}
                texts = [
                    v.text for v in export.variables.values()
                    if normalise_text(v.text) not in claimed and (v.kind == "open") == f.is_open
                ] or [v.text for v in export.variables.values()]
                close = difflib.get_close_matches(f.text, texts, n=1, cutoff=0.0)
                hint = f"; the closest question in the export is {close[0]!r}" if close else ""
                known = {normalise_text(t) for v in export.variables.values() for t in (v.text, v.question_text)}
                if not any(normalise_text(g.text) in known for g in definition.fields.values()):
                    # Not one question in common: another questionnaire, not a changed wave.
                    raise DefinitionError(
                        f"{export.path}: none of the questions of {definition.path.name} is in the export; it is "
                        f"another questionnaire.\nDraft a definition for it with `fuldtid init {export.path} --out "
                        "survey.yaml`, then pass --survey survey.yaml")
                raise DefinitionError(
                    f"{export.path}: no question with the text {f.text!r} (field {f.name!r} of "
                    f"{definition.path.name}){hint}. Fix the text in the survey definition or the export"
                )
            matches.append(FieldMatch(f.name, None, f.text))
            continue
        var = found[0]
        if (var.kind == "open") != f.is_open:
            raise DefinitionError(
                f"{export.path}: variable {var.name} ({var.text!r}) is {var.kind}, but field {f.name!r} "
                f"of {definition.path.name} is {'open' if f.is_open else 'single-choice'}"
            )
        matches.append(FieldMatch(f.name, var.name, var.text))
    used: dict[str, str] = {}
    for m in matches:
        if m.variable is not None:
            if m.variable in used:
                raise DefinitionError(
                    f"{export.path}: fields {used[m.variable]!r} and {m.field!r} both match {m.variable}"
                )
            used[m.variable] = m.field
    return tuple(matches)


def _match_multiple(f: Field, multiples: Mapping[str, list[Variable]], definition: Definition,
                    export: Export) -> FieldMatch:
    """A multiple-choice field is found by its question text among the options' shared text."""
    found = multiples.get(normalise_text(f.text), [])
    if f.variable is not None:
        found = [v for v in found if v.question == f.variable] or found
    questions = list(dict.fromkeys(v.question for v in found))
    if len(questions) > 1:
        raise DefinitionError(
            f"{export.path}: the question text of field {f.name!r} ({f.text!r}) matches several multiple-choice "
            f"questions ({', '.join(questions)}); make the texts in {definition.path.name} unique")
    if not found:
        if f.required:
            close = difflib.get_close_matches(f.text, list(multiples), n=1, cutoff=0.0)
            hint = f"; the closest is {close[0]!r}" if close else ""
            raise DefinitionError(
                f"{export.path}: no multiple-choice question with the text {f.text!r} (field {f.name!r} of "
                f"{definition.path.name}){hint}. Fix the text in the survey definition or the export")
        return FieldMatch(f.name, None, f.text)
    return FieldMatch(f.name, questions[0], f.text, tuple(v.name for v in found))


def _choices(raw: pd.DataFrame, variables: list[Variable]) -> pd.DataFrame:
    """Options as columns named by their text: True ticked (code 1), False not, NA unanswered."""
    out = {}
    for var in variables:
        codes = raw[var.name]
        out[var.option or var.text] = pd.array(codes.eq(1).where(codes.notna(), pd.NA), dtype="boolean")
    return pd.DataFrame(out, index=raw.index)


def _ticked_text(choices: pd.DataFrame) -> pd.Series:
    """What a respondent ticked as one text ("A; B"); "" when nothing, missing when unanswered."""
    seen = choices.notna().any(axis=1)
    acc = np.full(len(choices), "", dtype=object)
    for option in choices.columns:  # column by column: cheap on a big export
        acc = acc + np.where(choices[option].fillna(False).to_numpy(dtype=bool), f"{option}; ", "")
    text = pd.Series([a[:-2] for a in acc], index=choices.index, dtype="object")
    return text.where(seen, None)


def _label_column(
    codes: pd.Series, var: Variable, f: Field, definition: Definition, export: Export, warnings: list[str]
) -> pd.Series:
    """Turn a column of answer codes into labels, ordered as the definition (or the export) orders them.

    A label the definition does not know (a new answer option in a later wave) is kept after the known
    ones, with a warning, rather than refused: its answers are counted, not lost.
    """
    if f.options is None:
        categories = list(dict.fromkeys(var.labels.values()))
        mapping = dict(var.labels)
    else:
        wanted = {normalise_text(o): o for o in f.options}
        mapping = {}
        categories = list(f.options)
        for code, label in var.labels.items():
            key = normalise_text(label)
            if key not in wanted:
                warnings.append(
                    f"{var.name} ({f.name}) has the answer option {label!r} (code {code}), which "
                    f"{definition.path.name} does not list; it is shown after the listed options"
                )
                wanted[key] = label
                categories.append(label)
            mapping[code] = wanted[key]
    # Each respondent's code to its label's position, by a sorted lookup of the few codes (codes.map(mapping) took
    # 20 ms a column at 300,000 respondents); as with map, a code without a label would be missing.
    position = {label: i for i, label in enumerate(categories)}
    known = np.array(sorted(mapping), dtype=np.int64)
    at = np.array([position[mapping[c]] for c in known.tolist()] + [-1], dtype=np.int64)
    values = codes.to_numpy(dtype=np.int64, na_value=0)
    k = np.minimum(np.searchsorted(known, values), max(len(known) - 1, 0))
    labelled = known[k] == values if len(known) else np.zeros(len(values), dtype=bool)
    k[~labelled | codes.isna().to_numpy()] = len(known)
    return pd.Series(pd.Categorical.from_codes(at[k], categories=categories), index=codes.index, name=f.name)


def _derive(d: Derived, source: pd.Series, definition: Definition, export: Export) -> pd.Series:
    lookup = {normalise_text(k): v for k, v in d.lookup.items()}
    present = source.dropna().astype(str).unique()
    unknown = [s for s in present if normalise_text(s) not in lookup]
    if unknown:
        raise DefinitionError(
            f"{d.lookup_path}: {d.source} {unknown[0]!r} (in {export.path.name}) is not in the lookup file; "
            f"add it with its {d.name}"
        )
    # Map the few categories, not the many rows.
    if isinstance(source.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in source.cat.categories]
        codes = source.cat.codes.to_numpy()
    else:
        cats = [str(c) for c in present]
        codes = pd.Categorical(source, categories=cats).codes
    derived = [lookup[normalise_text(c)] if normalise_text(c) in lookup else None for c in cats]
    options = list(d.options) + [v for v in dict.fromkeys(x for x in derived if x) if v not in d.options]
    position = {v: i for i, v in enumerate(options)}
    table = np.array([position[v] if v is not None else -1 for v in derived] + [-1], dtype=np.int64)
    new_codes = table[codes]  # code -1 (missing) indexes the trailing -1
    values = pd.Categorical.from_codes(new_codes, categories=options)
    return pd.Series(values, index=source.index, name=d.name)


def build_survey(export: Export, definition: Definition) -> Survey:
    """The answered respondents of ``export`` with one column per field of ``definition``."""
    matches = match_fields(definition, export)
    answered = export.data[export.data["answered"].astype(bool)]
    columns: dict[str, pd.Series] = {}
    choices: dict[str, pd.DataFrame] = {}
    warnings: list[str] = list(getattr(export, "warnings", ()))
    for m in matches:
        f = definition.fields[m.field]
        if m.variable is None:
            warnings.append(f"optional question {f.text!r} ({m.field}) is not in the export")
            if f.is_open or f.is_multiple:
                columns[m.field] = pd.Series(pd.NA, index=answered.index, dtype="object", name=m.field)
                if f.is_multiple:
                    choices[m.field] = pd.DataFrame(index=answered.index)
            else:
                cats = list(f.options or ())
                columns[m.field] = pd.Series(
                    pd.Categorical([None] * len(answered), categories=cats), index=answered.index, name=m.field
                )
            continue
        if f.is_multiple:
            options = [export.variables[v] for v in m.options]
            choices[m.field] = _choices(answered[list(m.options)], options)
            columns[m.field] = _ticked_text(choices[m.field]).rename(m.field)
            continue
        var = export.variables[m.variable]
        raw = answered[m.variable]
        if f.is_open:
            text = raw.astype("string").str.strip()
            text = text.where(text.notna() & (text != ""), None)
            columns[m.field] = text.astype("object").where(text.notna(), None).rename(m.field)
        else:
            columns[m.field] = _label_column(raw, var, f, definition, export, warnings)
    for d in definition.derived.values():
        columns[d.name] = _derive(d, columns[d.source], definition, export)
    responses = pd.DataFrame(columns, index=answered.index)
    responses.index.name = "respondentid"
    warnings.extend(_routing_warnings(definition, responses))
    return Survey(definition, export, responses, matches, tuple(warnings), choices)


def _routing_warnings(definition: Definition, responses: pd.DataFrame) -> list[str]:
    """Answers given outside a question's routing are kept but never counted: say so."""
    out = []
    for f in definition.fields.values():
        if f.among == ALL:
            continue
        given = responses[f.name].notna()
        if f.is_multiple:  # SurveyXact writes 0 on every option for those who never saw the question
            given &= responses[f.name].astype("object").fillna("") != ""
        outside = given & ~group_mask(definition, responses, f.among)
        n = int(outside.sum())
        if n:
            out.append(
                f"{n} respondent(s) answered {f.name!r} although the routing ({f.among}) did not show it "
                "to them; those answers are not counted"
            )
    return out


def load_survey(export: str | Path | Export, definition: str | Path | Definition | None = None) -> Survey:
    """Read an export (any SurveyXact form) through a survey definition (default: the VJH one)."""
    if not isinstance(definition, Definition):
        definition = load_definition(definition)
    if not isinstance(export, Export):
        export = read_export(export)
    return build_survey(export, definition)

"""``fuldtid init``: draft a survey definition from an export alone.

The draft is meant to run as it is (``fuldtid report EXPORT --survey survey.yaml``) and then be edited:

- every closed question gets a table: a one-way table for a single-choice question, a table with a row
  per option for a multiple-choice question, and for a grid (several statements answered on the same
  scale, exported as one variable per item with the text "Question - item") a grid table and a one-way
  table per item;
- open questions are listed for coding, with a neutral first set of categories (to be replaced) and a
  coded table that awaits the coding sheet;
- single-choice questions that look like background (department, age, job group, ...: see
  :data:`BACKGROUND_WORDS`) are proposed for breakdowns: a figure of each, and a cross table of every
  other single-choice question by the first of them;
- the wording is neutral Danish; nothing about a particular organisation is assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fuldtid.read.export import Export, Variable
from fuldtid.model.survey import ascii_key, normalise_text

#: Words in a question text that mark a background question, with the noun the memo uses for it.
BACKGROUND_WORDS: tuple[tuple[str, str], ...] = (
    ("køn", "køn"), ("alder", "alder"), ("gammel", "alder"), ("afdeling", "afdeling"),
    ("arbejdssted", "arbejdssted"), ("enhed", "enhed"),
    ("område", "område"), ("center", "center"), ("faggruppe", "faggruppe"), ("stilling", "stilling"),
    ("overenskomst", "overenskomst"), ("uddannelse", "uddannelse"), ("anciennitet", "anciennitet"),
    ("timer om ugen", "timetal"), ("team", "team"), ("forvaltning", "forvaltning"),
)
#: Words that make a question about wishes or opinions, never background ("Til hvor mange timer ønsker du ...").
NOT_BACKGROUND = ("ønsker", "ønske", "gerne", "synes", "oplever", "vurderer", "tilfreds", "enig")
#: Categories an open question starts with: neutral, for the analyst to replace.
DRAFT_CATEGORIES = ("Positive bemærkninger", "Kritik og problemer", "Forslag", "Andet")
MAX_BACKGROUND_OPTIONS = 30
_STOP = {"hvad", "hvilken", "hvilket", "hvilke", "hvor", "hvordan", "er", "du", "din", "dit", "dine", "i", "på",
         "af", "at", "og", "til", "med", "om", "for", "har", "en", "et", "den", "det", "de", "der", "som", "mange",
         "gerne", "vil", "kan", "skal", "fra", "eller", "man", "dig", "mest", "bruger"}


@dataclass(frozen=True)
class _Question:
    kind: str  # "single" | "open" | "multiple" | "grid"
    text: str
    variables: tuple[Variable, ...]


def draft_definition(export: Export, *, name: str | None = None) -> dict[str, Any]:
    """A survey definition (as the YAML mapping) for ``export``: see the module's description."""
    questions = _questions(export)
    # A text that occurs twice ("Uddyb gerne") cannot find its question alone: those fields name their variable.
    seen: dict[str, int] = {}
    for q in questions:
        for t in ([q.text] if q.kind == "multiple" else [v.text for v in q.variables]):
            seen[normalise_text(t)] = seen.get(normalise_text(t), 0) + 1
    twice = {t for t, n in seen.items() if n > 1}
    used_names: set[str] = set()
    fields: dict[str, dict[str, Any]] = {}
    field_of: dict[str, str] = {}  # variable -> field
    for q in questions:
        noun = _background_noun(q.variables[0]) if q.kind == "single" else None
        if noun is not None:
            fname = _unique(ascii_key(noun).replace(" ", "_"), used_names)
            fields[fname] = {"text": q.text}
            if normalise_text(q.text) in twice:
                fields[fname]["variable"] = q.variables[0].name
            field_of[q.variables[0].name] = fname
            continue
        if q.kind == "multiple":
            fname = _unique(_slug(q.text), used_names)
            fields[fname] = {"text": q.text, "type": "multiple"}
            if normalise_text(q.text) in twice:
                fields[fname]["variable"] = q.variables[0].question
            for v in q.variables:
                field_of[v.name] = fname
            continue
        for v in q.variables:
            fname = _unique(_slug(v.text), used_names)
            spec: dict[str, Any] = {"text": v.text}
            if normalise_text(v.text) in twice:
                spec["variable"] = v.name
            if v.kind == "open":
                spec["type"] = "open"
                spec["categories"] = list(DRAFT_CATEGORIES)
            fields[fname] = spec
            field_of[v.name] = fname

    background: list[tuple[str, str]] = []
    for q in questions:
        noun = _background_noun(q.variables[0]) if q.kind == "single" else None
        if noun is not None and noun not in {n for _, n in background}:  # one question per background
            background.append((field_of[q.variables[0].name], noun))
    bg_fields = [f for f, _ in background]
    tables: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []

    def table(**spec: Any) -> None:
        tables.append({"number": len(tables) + 1, **spec})

    for q in questions:
        names = [field_of[v.name] for v in q.variables]
        if q.kind == "multiple":
            table(kind="multiple", field=names[0], title=_title(q.text))
        elif q.kind == "grid":
            table(kind="grid", fields=names, title=_title(q.text))
            for n, v in zip(names, q.variables):
                table(kind="oneway", field=n, title=_title(v.text))
        elif q.kind == "single":
            table(kind="oneway", field=names[0], title=_title(q.text))
        else:
            table(kind="coded", field=names[0], title=f"Emner i svarene på »{_title(q.text)}«")
    if bg_fields:
        by, noun = background[0]
        for q in questions:
            f = field_of[q.variables[0].name]
            if q.kind == "single" and f not in bg_fields:
                table(kind="cross", field=f, by=by, title=f"Svar på »{_title(q.text)}« fordelt på {noun}")
    for f, noun in background:
        figures.append({"number": len(figures) + 1, "kind": "distribution", "field": f,
                        "title": noun[:1].upper() + noun[1:]})
    background_tables = [t["number"] for t in tables if t.get("field") in bg_fields and t["kind"] == "oneway"]
    results = [t["number"] for t in tables if t["kind"] != "cross" and t["number"] not in background_tables]
    sections = [{"heading": "Resultater", "tables": results}]
    if background_tables or figures:
        sections.append({"heading": "De svarende", "text": "Hvem der har svaret, fordelt på baggrundsspørgsmålene.",
                         "tables": background_tables, "figures": [f["number"] for f in figures]})
    title = "Resultater af spørgeskemaundersøgelsen"
    return {
        "name": name or "undersoegelse",
        "title": title,
        "organisation": "",
        "population_description": "medarbejdere",
        "min_group": 5,
        "background": bg_fields,
        "fields": fields,
        "tables": tables,
        "figures": figures,
        "memo": {"sections": sections},
        "wording": {
            "intro": "Notatet viser resultaterne af en spørgeskemaundersøgelse blandt {population}.",
            "fields": {f: {"noun": noun} for f, noun in background},
        },
    }


def draft_yaml(export: Export, *, name: str | None = None) -> str:
    """The drafted definition as YAML text, with a header that says what to edit."""
    import yaml

    d = draft_definition(export, name=name)
    n_open = sum(1 for f in d["fields"].values() if f.get("type") == "open")
    header = [
        f"# Survey definition drafted by `fuldtid init` from {export.path.name}: {len(d['fields'])} questions,",
        f"# {len(d['tables'])} tables. It runs as it is (fuldtid report EXPORT --survey THIS_FILE); then edit it:",
        "# - title, organisation and population_description are said in the memo;",
        "# - background: the questions proposed for breakdowns (fuldtid breakdown --by FIELD); the cross",
        "#   tables break the other questions down by the first of them;",
    ]
    if n_open:
        header.append(f"# - the {n_open} open question(s) start with neutral categories: replace them with your own "
                      "before coding;")
    header += [
        "# - memo: sections: the memo's sections in order, each with its tables and figures;",
        "# - field names are free (used on the command line); texts must stay as in the export.",
        "# The format is described in docs/survey-definition.md.",
        "",
    ]
    body = yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=None)
    return "\n".join(header) + body


def write_draft(export: Export, out: str | Path, *, name: str | None = None) -> Path:
    """Write the drafted definition to ``out`` (whole or not at all; never over the export)."""
    from fuldtid.atomic import write_bytes

    out = Path(out)
    write_bytes(out, draft_yaml(export, name=name or _name_from(out)).encode("utf-8"))
    return out


# --- reading the questionnaire's shape ----------------------------------------------------------


def _questions(export: Export) -> list[_Question]:
    """The export's variables as questions: multiple-choice options together, grid items together."""
    out: list[_Question] = []
    variables = list(export.variables.values())
    i = 0
    while i < len(variables):
        v = variables[i]
        if v.kind == "multiple":
            run = variables[i:i + len(_prefix_run(variables[i:], lambda w: w.kind == "multiple"
                                                   and w.question == v.question))]
            out.append(_Question("multiple", v.question_text, tuple(run)))
            i += len(run)
            continue
        if v.kind == "single" and _stem(v):  # "Question - item" with a question before the dash
            stem = _stem(v)
            run = _prefix_run(variables[i:], lambda w: w.kind == "single" and _stem(w) == stem
                              and list(w.labels.values()) == list(v.labels.values()))
            if len(run) >= 2:
                out.append(_Question("grid", stem, tuple(run)))
                i += len(run)
                continue
        out.append(_Question(v.kind, v.text, (v,)))
        i += 1
    return out


def _prefix_run(items: list[Variable], keep: Callable[[Variable], bool]) -> list[Variable]:
    run = []
    for w in items:
        if not keep(w):
            break
        run.append(w)
    return run


def _stem(v: Variable) -> str:
    return v.text.rpartition(" - ")[0].strip()


def _background_noun(v: Variable) -> str | None:
    if not 2 <= len(v.labels) <= MAX_BACKGROUND_OPTIONS:
        return None
    text = normalise_text(v.text)
    if any(re.search(rf"(?<!\w){w}", text) for w in NOT_BACKGROUND):
        return None
    for word, noun in BACKGROUND_WORDS:
        if re.search(rf"(?<!\w){re.escape(word)}", text):
            return noun
    return None


def _slug(text: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_key(text.rpartition(" - ")[2] if " - " in text else text))
             if w not in _STOP]
    slug = "_".join(words[:3])[:30].strip("_") or "spoergsmaal"
    return slug if not slug[0].isdigit() else f"s_{slug}"


def _unique(slug: str, used: set[str]) -> str:
    name, k = slug, 2
    while name in used or name == "alle":
        name, k = f"{slug}_{k}", k + 1
    used.add(name)
    return name


def _title(text: str) -> str:
    """A table title from a question text: one line, without a trailing colon."""
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().lstrip("-– ").strip() or "Spørgsmål"


def _name_from(out: Path) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", ascii_key(out.stem)).strip("_") or "undersoegelse"

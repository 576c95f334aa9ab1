"""The survey definition: which fields a questionnaire has, how they are routed, which tables to make.

A definition is a YAML file (see ``surveys/vjh.yaml``). It is parsed into immutable objects here and
checked for internal consistency; matching it against an export happens in :mod:`fuldtid.model.survey`.

Longer than 500 lines: each key's parsing sits next to its consistency checks (every message names the file and
the key); the schema itself is :mod:`fuldtid.model.definition_schema`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from fuldtid.errors import DefinitionError

if TYPE_CHECKING:
    import yaml

# How the parsers report a mistake: a message and the key path it is at (for the line), as a DefinitionError.
_Fail = Callable[..., DefinitionError]

ALL = "alle"
"""The group of every answered respondent; it always exists."""

DEFAULT_SURVEY = "vjh"


@dataclass(frozen=True)
class Field:
    """A question of the questionnaire, as the definition describes it."""

    name: str
    text: str
    type: str = "single"  # "single" | "open" | "multiple" (several options may be ticked)
    options: tuple[str, ...] | None = None  # None: take the export's own labels
    among: str = ALL  # the group the question is shown to (routing)
    required: bool = True
    categories: tuple[str, ...] = ()  # coded categories of an open question
    coded_among: str | None = None  # open questions coded for a subgroup only
    codebook: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # category -> keywords
    of_interest: str | None = None  # the answer whose share group comparisons (the breakdown's † marks) test
    # The export variable (multiple choice: the questionName) when the text alone is ambiguous (two
    # questions "Uddyb gerne" in one questionnaire); otherwise fields are found by their text.
    variable: str | None = None

    @property
    def is_open(self) -> bool:
        return self.type == "open"

    @property
    def is_multiple(self) -> bool:
        return self.type == "multiple"


@dataclass(frozen=True)
class Derived:
    """A field computed from another field through a lookup file."""

    name: str
    source: str  # the field it is derived from
    lookup: Mapping[str, str]  # source label -> derived label
    lookup_path: Path
    options: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A group of respondents: those whose ``field`` is one of ``values`` (within ``within``)."""

    name: str
    label: str
    field: str | None = None
    values: tuple[str, ...] = ()
    within: str | None = None


@dataclass(frozen=True)
class TableSpec:
    number: int
    kind: str  # "oneway" | "coded" | "cross" | "multiple" | "grid"
    field: str  # kind grid: its first item
    title: str
    among: str = ALL
    by: str | None = None
    missing_row: str | None = None
    fields: tuple[str, ...] = ()  # kind grid: the items (single-choice fields with the same answers), in order


@dataclass(frozen=True)
class FigureSpec:
    number: int
    kind: str  # "distribution" | "share" | "cross"
    field: str
    title: str
    among: str = ALL
    by: str | None = None
    value: str | None = None  # kind "share": the answer whose share is shown


@dataclass(frozen=True)
class Definition:
    name: str
    title: str
    path: Path
    fields: Mapping[str, Field]
    derived: Mapping[str, Derived]
    groups: Mapping[str, Group]
    tables: tuple[TableSpec, ...]
    figures: tuple[FigureSpec, ...] = ()
    min_group: int = 5
    organisation: str = ""
    population_description: str = "medarbejdere"
    # How the memo words this questionnaire (the YAML's ``wording:`` section, checked by
    # :func:`_parse_wording`); empty: the memo's neutral sentences.
    wording: Mapping[str, Any] = field(default_factory=dict)
    # Background questions proposed for breakdowns (``background:``), e.g. department or age.
    background: tuple[str, ...] = ()
    # The memo's layout (``memo:``): extra sections (heading, text, tables, figures) and the appendix on the
    # respondents (its heading and which field plays which role: age, sex, job, ...). See docs/.
    memo: Mapping[str, Any] = field(default_factory=dict)

    def all_field_names(self) -> list[str]:
        return [*self.fields, *self.derived]

    def open_fields(self) -> list[Field]:
        return [f for f in self.fields.values() if f.is_open]

    def coding_group(self, field_name: str) -> str:
        """The group whose answers to an open question are coded."""
        f = self.fields[field_name]
        return f.coded_among or f.among


def survey_option_text(definition: "Definition") -> str:
    """`` --survey PATH`` for a printed follow-up command; empty for the shipped default definition."""
    try:
        default = (builtin_survey_dir() / f"{DEFAULT_SURVEY}.yaml").resolve()
        if Path(definition.path).resolve() == default:
            return ""
    except OSError:
        pass
    return f" --survey {definition.path}"


def builtin_survey_dir() -> Path:
    """Where the shipped survey definitions live (``surveys/`` in the source tree)."""
    return Path(str(resources.files("fuldtid.surveys")))


def load_definition(path: str | Path | None = None) -> Definition:
    """Read a survey definition. ``None`` or a bare name (``"vjh"``) means a shipped definition."""
    if path is None:
        path = DEFAULT_SURVEY
    p = Path(path)
    if not p.suffix and not p.exists():
        candidate = builtin_survey_dir() / f"{p.name}.yaml"
        if candidate.exists():
            p = candidate
    if not p.exists():
        raise DefinitionError(f"{p}: survey definition not found; pass a YAML file with --survey")
    import yaml

    try:
        text = p.read_text(encoding="utf-8")
        # One pass gives the data and the node tree whose marks name the lines (libyaml when available).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            raw = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise DefinitionError(f"{p}{where}: not a valid YAML survey definition ({problem})") from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{p}: not UTF-8 text; save the survey definition as UTF-8") from exc
    if not isinstance(raw, dict):
        raise DefinitionError(f"{p}: a survey definition is a YAML mapping with 'fields' and 'tables'")
    from fuldtid.model.definition_schema import check_shape

    check_shape(raw, node, str(p))
    return _parse(raw, p, node)


def _parse(raw: Mapping[str, Any], path: Path, node: yaml.Node | None = None) -> Definition:
    from fuldtid.model.definition_schema import key_path, line_of

    def fail(msg: str, *at: str | int) -> DefinitionError:
        line = line_of(node, at) if at and node is not None else None
        where = f", line {line}: {key_path(at)}" if line else ""
        return DefinitionError(f"{path}{where}: {msg}")

    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise fail("'fields' must map field names to their question texts")
    fields: dict[str, Field] = {}
    for name, spec in raw_fields.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("text"), str):
            raise fail(f"field {name!r} needs a question 'text'")
        ftype = spec.get("type", "single")
        if ftype not in ("single", "open", "multiple"):
            raise fail(f"field {name!r}: type must be 'single', 'open' or 'multiple', not {ftype!r}")
        options = spec.get("options")
        codebook = {
            str(cat): tuple(str(k) for k in (kws or ()))
            for cat, kws in (spec.get("codebook") or {}).items()
        }
        categories = tuple(str(c) for c in spec.get("categories") or ())
        unknown = [c for c in codebook if c not in categories]
        if unknown:
            raise fail(f"field {name!r}: codebook category {unknown[0]!r} is not in its categories")
        fields[str(name)] = Field(
            name=str(name),
            text=spec["text"],
            type=ftype,
            options=tuple(str(o) for o in options) if options else None,
            among=str(spec.get("among", ALL)),
            required=bool(spec.get("required", True)),
            categories=categories,
            coded_among=spec.get("coded_among"),
            codebook=codebook,
            of_interest=_of_interest(spec, options, name, fail),
            variable=str(spec["variable"]) if spec.get("variable") else None,
        )

    derived: dict[str, Derived] = {}
    for name, spec in (raw.get("derived") or {}).items():
        src = spec.get("from")
        if src not in fields:
            raise fail(f"derived field {name!r}: 'from' must name a field, not {src!r}", "derived", name, "from")
        lookup_path = (path.parent / str(spec.get("lookup", ""))).resolve()
        lookup = _read_lookup(lookup_path, str(spec.get("key", src)), str(spec.get("column", name)))
        options = spec.get("options") or sorted(set(lookup.values()), key=list(lookup.values()).index)
        derived[str(name)] = Derived(
            name=str(name),
            source=src,
            lookup=lookup,
            lookup_path=lookup_path,
            options=tuple(str(o) for o in options),
        )

    groups: dict[str, Group] = {ALL: Group(name=ALL, label="alle besvarelser")}
    for name, spec in (raw.get("groups") or {}).items():
        g = Group(
            name=str(name),
            label=str(spec.get("label", name)),
            field=spec.get("field"),
            values=tuple(str(v) for v in spec.get("values") or ()),
            within=spec.get("within"),
        )
        if g.field not in fields and g.field not in derived:
            raise fail(f"group {name!r}: 'field' must name a field, not {g.field!r}", "groups", name, "field")
        if g.field in fields and fields[g.field].type != "single":
            raise fail(f"group {name!r}: 'field' must name a single-choice field; {g.field!r} is "
                       f"{fields[g.field].type}", "groups", name, "field")
        groups[g.name] = g
    for g in groups.values():
        if g.within is not None and g.within not in groups:
            raise fail(f"group {g.name!r}: 'within' names unknown group {g.within!r}", "groups", g.name, "within")
    for f in fields.values():
        for key, grp in (("among", f.among), ("coded_among", f.coded_among)):
            if grp is not None and grp not in groups:
                raise fail(f"field {f.name!r}: unknown group {grp!r}; groups: {', '.join(groups)}",
                           "fields", f.name, key)

    tables: list[TableSpec] = []
    for i, spec in enumerate(raw.get("tables") or ()):
        def tfail(msg: str, key: str | None = None) -> DefinitionError:
            return fail(msg, "tables", i, *((key,) if key else ()))

        try:
            items = tuple(str(x) for x in spec.get("fields") or ())
            t = TableSpec(
                number=int(spec["number"]),
                kind=str(spec.get("kind", "oneway")),
                field=str(spec["field"] if "field" in spec or not items else items[0]),
                title=str(spec["title"]),
                among=str(spec.get("among", ALL)),
                by=spec.get("by"),
                missing_row=spec.get("missing_row"),
                fields=items,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise tfail(f"table {spec!r} needs 'number', 'field' and 'title'") from exc
        if t.kind not in TABLE_KINDS:
            raise tfail(f"table {t.number}: kind must be {', '.join(TABLE_KINDS)}, not {t.kind!r}", "kind")
        if t.kind == "grid" and len(t.fields) < 2:
            raise tfail(f"table {t.number}: kind grid needs 'fields', a list of at least two single-choice fields", "fields")
        for item in t.fields:
            if item not in fields or fields[item].type != "single":
                raise tfail(f"table {t.number}: 'fields' must name single-choice fields; {item!r} is not one", "fields")
        if t.field not in fields and t.field not in derived:
            raise tfail(f"table {t.number}: unknown field {t.field!r}", "field")
        if (t.kind == "multiple") != (t.field in fields and fields[t.field].is_multiple):
            raise tfail(f"table {t.number}: a field of type multiple has a table of kind multiple, and only it"
                       f" (field {t.field!r}, kind {t.kind})", "kind")
        if t.kind in ("oneway", "cross") and t.field in fields and fields[t.field].type != "single":
            raise tfail(f"table {t.number}: kind {t.kind} needs a single-choice field; {t.field!r} is "
                       f"{fields[t.field].type}", "field")
        if t.kind == "coded" and not fields[t.field].categories:
            raise tfail(f"table {t.number}: field {t.field!r} has no 'categories' to code into", "field")
        if t.kind == "cross" and t.by not in fields and t.by not in derived:
            raise tfail(f"table {t.number}: 'by' must name a field, not {t.by!r}", "by")
        if t.among not in groups:
            raise tfail(f"table {t.number}: unknown group {t.among!r}", "among")
        tables.append(t)
    numbers = [t.number for t in tables]
    if len(set(numbers)) != len(numbers):
        dup = next(i for i, n in enumerate(numbers) if numbers.count(n) > 1 and numbers.index(n) != i)
        raise fail(f"table numbers must be unique; {numbers[dup]} is used twice", "tables", dup, "number")

    figures: list[FigureSpec] = []
    for spec in raw.get("figures") or ():
        try:
            fig = FigureSpec(
                number=int(spec["number"]),
                kind=str(spec.get("kind", "distribution")),
                field=str(spec["field"]),
                title=str(spec["title"]),
                among=str(spec.get("among", ALL)),
                by=spec.get("by"),
                value=spec.get("value"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(f"figure {spec!r} needs 'number', 'field' and 'title'") from exc
        if fig.kind not in ("distribution", "share", "cross"):
            raise fail(f"figure {fig.number}: kind must be distribution, share or cross, not {fig.kind!r}")
        for name in (fig.field, fig.by):
            if name is not None and name not in fields and name not in derived:
                raise fail(f"figure {fig.number}: unknown field {name!r}")
            if name in fields and fields[name].type != "single":
                raise fail(f"figure {fig.number}: a figure shows a single-choice field; {name!r} is "
                           f"{fields[name].type}")
        if fig.kind in ("share", "cross") and fig.by is None:
            raise fail(f"figure {fig.number}: kind {fig.kind} needs 'by'")
        if fig.kind == "share" and fig.value is None:
            raise fail(f"figure {fig.number}: kind share needs 'value' (the answer whose share is shown)")
        if fig.among not in groups:
            raise fail(f"figure {fig.number}: unknown group {fig.among!r}")
        figures.append(fig)

    background = raw.get("background") or []
    if not isinstance(background, list):
        raise fail("'background' must be a list of field names")
    for b in background:
        if b not in derived and (b not in fields or fields[b].type != "single"):
            raise fail(f"background: {b!r} is not a single-choice or derived field of the definition")
    min_group = raw.get("min_group", 5)
    if not isinstance(min_group, int) or min_group < 1:
        raise fail(f"min_group must be a whole number of at least 1, not {min_group!r}")
    return Definition(
        name=str(raw.get("name", path.stem)),
        title=str(raw.get("title", path.stem)),
        path=path,
        fields=fields,
        derived=derived,
        groups=groups,
        tables=tuple(tables),
        figures=tuple(figures),
        min_group=min_group,
        organisation=str(raw.get("organisation", "")),
        population_description=str(raw.get("population_description", "medarbejdere")),
        wording=_parse_wording(raw.get("wording"), [*fields, *derived], [f.number for f in figures], fail),
        background=tuple(str(b) for b in background),
        memo=_parse_memo(raw.get("memo"), fields, derived, groups, tables, figures, fail),
    )


TABLE_KINDS = ("oneway", "coded", "cross", "multiple", "grid")

# The shape of a ``wording:`` section (see surveys/vjh.yaml, where each key is explained). Only the shape is
# checked here; which placeholders a text may use is checked when the memo fills it in.
WORDING_TEXTS = ("intro", "analysis_heading", "follow_up_subject", "respondents", "population_group",
                 "population_group_genitive")
WORDING_FIELD_TEXTS = ("noun", "group", "heading", "lead", "group_size", "not_above_current",
                       "not_below_current", "lowest", "coded_only", "empty", "headline")
WORDING_FIELD_PAIRS = ("target", "group_noun")  # [first, second]; group_noun may also be one word
WORDING_FIELD_MAPS = ("plurals", "categories")  # answer or category -> text
WORDING_FIGURE_TEXTS = ("heading", "text", "empty")


def _parse_wording(raw: Any, field_names: list[str], figure_numbers: list[int], fail: _Fail) -> dict[str, Any]:
    """The ``wording:`` section, normalised (pairs as tuples, figure numbers as ints) after a shape check."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("'wording' must be a mapping of texts (see surveys/vjh.yaml)")
    known = (*WORDING_TEXTS, "fields", "figures")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise fail(f"wording: unknown key {key!r}; known keys: {', '.join(known)}")
        if key in WORDING_TEXTS:
            out[key] = _text(value, f"wording: {key}", fail)
    fields_raw = raw.get("fields") or {}
    if not isinstance(fields_raw, dict):
        raise fail("wording: 'fields' must map field names to their wording")
    fields: dict[str, dict[str, Any]] = {}
    for name, spec in fields_raw.items():
        where = f"wording: field {name!r}"
        if name not in field_names:
            raise fail(f"{where} is not a field of the definition; fields: {', '.join(field_names)}")
        if not isinstance(spec, dict):
            raise fail(f"{where} must be a mapping such as {{noun: køn}}")
        fields[str(name)] = _field_wording(spec, where, fail)
    out["fields"] = fields
    figures_raw = raw.get("figures") or {}
    if not isinstance(figures_raw, dict):
        raise fail("wording: 'figures' must map figure numbers to their wording")
    figures: dict[int, dict[str, str]] = {}
    for number, spec in figures_raw.items():
        if not isinstance(number, int) or number not in figure_numbers:
            raise fail(f"wording: figure {number!r} is not a figure number of the definition "
                       f"({', '.join(map(str, figure_numbers)) or 'there are none'})")
        if not isinstance(spec, dict):
            raise fail(f"wording: figure {number} must be a mapping such as {{text: ...}}")
        for k in spec:
            if k not in WORDING_FIGURE_TEXTS:
                raise fail(f"wording: figure {number}: unknown key {k!r}; known keys: "
                           f"{', '.join(WORDING_FIGURE_TEXTS)}")
        figures[number] = {str(k): _text(v, f"wording: figure {number}: {k}", fail) for k, v in spec.items()}
    out["figures"] = figures
    return out


def _field_wording(spec: Mapping[str, Any], where: str, fail: _Fail) -> dict[str, Any]:
    out: dict[str, Any] = {}
    known = (*WORDING_FIELD_TEXTS, *WORDING_FIELD_PAIRS, *WORDING_FIELD_MAPS, "answers", "uncoded")
    for key, value in spec.items():
        w = f"{where}: {key}"
        if key in WORDING_FIELD_TEXTS:
            out[key] = _text(value, w, fail)
        elif key == "group_noun" and isinstance(value, str):
            out[key] = (value, value)
        elif key in WORDING_FIELD_PAIRS:
            out[key] = _pair(value, w, fail)
        elif key in WORDING_FIELD_MAPS:
            if not isinstance(value, dict):
                raise fail(f"{w} must map answers or categories to texts")
            out[key] = {str(k): _text(v, f"{w}: {k}", fail) for k, v in value.items()}
        elif key == "answers":
            if not isinstance(value, dict):
                raise fail(f"{w} must map each answer to a text or [main clause, subordinate clause]")
            out[key] = {str(k): (_text(v, f"{w}: {k}", fail),) * 2 if isinstance(v, str) else
                        _pair(v, f"{w}: {k}", fail) for k, v in value.items()}
        elif key == "uncoded":
            if not isinstance(value, list):
                raise fail(f"{w} must be a list of answers")
            out[key] = tuple(_text(v, w, fail) for v in value)
        else:
            raise fail(f"{where}: unknown key {key!r}; known keys: {', '.join(known)}")
    return out


APPENDIX_FIELD_ROLES = ("age", "sex", "job", "workplace", "agreement", "hours")
APPENDIX_GROUP_ROLES = ("full_time", "part_time")


def _parse_memo(raw: Any, fields: Mapping[str, Field], derived: Mapping[str, Derived], groups: Mapping[str, Group],
                tables: list[TableSpec], figures: list[FigureSpec], fail: _Fail) -> dict[str, Any]:
    """The ``memo:`` section (shape checked by the schema): the numbers and names it uses must exist."""
    if not raw:
        return {}
    table_numbers = {t.number for t in tables}
    figure_numbers = {f.number for f in figures}
    sections = []
    for i, sec in enumerate(raw.get("sections") or ()):
        for key, known in (("tables", table_numbers), ("figures", figure_numbers)):
            for n in sec.get(key) or ():
                if n not in known:
                    raise fail(f"memo section {sec['heading']!r}: {key[:-1]} {n} is not in the definition",
                               "memo", "sections", i, key)
        sections.append({"heading": str(sec["heading"]), "text": str(sec.get("text") or ""),
                         "tables": tuple(sec.get("tables") or ()), "figures": tuple(sec.get("figures") or ())})
    appendix = dict(raw.get("appendix") or {})
    for role in APPENDIX_FIELD_ROLES:
        if role in appendix and appendix[role] not in fields and appendix[role] not in derived:
            raise fail(f"memo appendix: {role} names no field ({appendix[role]!r})", "memo", "appendix", role)
    for role in APPENDIX_GROUP_ROLES:
        if role in appendix and appendix[role] not in groups:
            raise fail(f"memo appendix: {role} names no group ({appendix[role]!r})", "memo", "appendix", role)
    out: dict[str, Any] = {"appendix": appendix}
    if raw.get("sections") is not None:  # absent: the memo's default layout; [] : no extra sections
        out["sections"] = tuple(sections)
    return out


def _text(value: Any, where: str, fail: _Fail) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(f"{where} must be a text, not {type(value).__name__}")
    return str(value)


def _pair(value: Any, where: str, fail: _Fail) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2:
        raise fail(f"{where} must be a list of two texts, e.g. [ønsker, \"at gå op til {{label}}\"]; "
                   "quote a text that contains a comma")
    return (_text(value[0], where, fail), _text(value[1], where, fail))


def _read_lookup(path: Path, key: str, column: str) -> dict[str, str]:
    if not path.is_file():
        raise DefinitionError(f"{path}: lookup file not found")
    from fuldtid.read.tabular import decode  # side files are decoded alike: BOMs, UTF-8, mixed (an error), cp1252

    text = decode(path.read_bytes(), path, DefinitionError)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DefinitionError(f"{path}: the lookup file is empty; it needs the columns {key!r} and {column!r}")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=";,\t")
        rows = list(csv.DictReader(lines, dialect=dialect))
    except csv.Error as exc:
        raise DefinitionError(f"{path}: cannot be read as CSV ({exc}); it needs the columns {key!r} and "
                              f"{column!r}, separated by ';'") from None
    if not rows or key not in rows[0] or column not in rows[0]:
        raise DefinitionError(f"{path}: lookup file needs the columns {key!r} and {column!r}")
    lookup: dict[str, str] = {}
    for i, row in enumerate(rows, start=2):
        k = (row[key] or "").strip()
        if k in lookup:
            raise DefinitionError(f"{path}, line {i}: {k!r} appears twice")
        lookup[k] = (row[column] or "").strip()
    return lookup


def _of_interest(spec: Mapping[str, Any], options: Any, name: Any, fail: _Fail) -> str | None:
    """A field's ``of_interest`` answer, checked against its options when the definition lists them."""
    value = spec.get("of_interest")
    if value is None:
        return None
    if options and str(value) not in [str(o) for o in options]:
        raise fail(f"field {name!r}: of_interest {value!r} is not one of its options ({', '.join(map(str, options))})")
    return str(value)

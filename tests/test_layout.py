"""The architecture, checked: stages import one way without cycles, renderers read only protected results,
modules stay readable in one sitting, and public functions say what they take and return.

Stages, in the order data flows: base (errors, formatting, Danish grammar, file writing) -> ``fuldtid.read``
(export files) -> ``fuldtid.model`` (definition, survey, side files) -> ``fuldtid.stats`` (tables, weights,
tests, protection; the :class:`~fuldtid.stats.release.Release`) -> ``fuldtid.render`` (memo, documents,
workbooks, figures) -> the pipeline (``report``, ``validation``, ``cli``). A module may import its own stage and
earlier ones only. Imports inside ``if TYPE_CHECKING:`` are annotations, not imports, and are skipped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "fuldtid"
STAGES = {"read": 1, "model": 2, "stats": 3, "render": 4}
BASE = {"__init__", "errors", "progress", "atomic", "outputs", "personal", "fmt", "danish", "ziputil"}
PIPELINE = {"cli", "report", "validation", "__main__"}
MAX_LINES = 500
# The coding sheet is the analyst's internal working file of the open answers, which must show them to be coded;
# it is not part of any release (see its module docstring).
RAW_ALLOWED = {"fuldtid.render.codingsheet"}
RAW_ATTRIBUTES = {"responses", "group_mask", "survey", "respondentids"}
COMPUTING = {"figure_data", "share_data", "distribution_data", "cross_data", "all_figures", "build_tables",
             "group_table", "protected_rows", "protector_for", "share_test", "weighted_share", "rake", "analyse",
             "weigh_survey", "load_survey", "read_export"}
# Public functions whose parameter or return is typed as bare ``Any`` on purpose, with the reason. Everything else
# public names its types (a container of ``Any``, as ``dict[str, Any]`` for JSON-like data, is fine).
ANY_ALLOWED = {
    "fuldtid.cli.FuldtidGroup.invoke": "overrides click.Group.invoke, which returns whatever the command returned",
}


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = list(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 2:
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _stage(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return STAGES[parts[1]]
    if len(parts) > 1 and parts[1] in BASE:
        return 0
    assert parts[1] in PIPELINE, f"{module} is in no stage: put it in a stage package or name it in test_layout"
    return 5


class _Imports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[str, list[str], int]] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            for n in node.orelse:
                self.visit(n)
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.module.split(".")[0] == "fuldtid":
            self.found.append((node.module, [a.name for a in node.names], node.lineno))

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.name.split(".")[0] == "fuldtid":
                self.found.append((a.name, [], node.lineno))


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        v = _Imports()
        v.visit(ast.parse(path.read_text(encoding="utf-8")))
        deps = set()
        for module, names, _ in v.found:
            for n in names or [""]:
                candidate = f"{module}.{n}" if n else module
                if candidate in modules:
                    deps.add(candidate)
                elif module in modules:
                    deps.add(module)
        deps.discard(name)
        graph[name] = {d for d in deps if d not in ("fuldtid", "fuldtid.surveys", "fuldtid.templates")}
    return graph


def test_stages_import_one_way():
    wrong = [f"{m} (stage {_stage(m)}) imports {d} (stage {_stage(d)})"
             for m, deps in _graph().items() for d in deps if _stage(d) > _stage(m)]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, cycles


@pytest.mark.parametrize("module", sorted(m for m in _modules() if m.startswith("fuldtid.render.")))
def test_renderers_read_only_the_release(module):
    """No renderer touches a survey's responses or computes a statistic: every number it prints comes from the
    protected results (tables, figures, the release's queries)."""
    if module in RAW_ALLOWED:
        pytest.skip("the analyst's internal coding sheet")
    tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))
    raw = sorted({f"line {n.lineno}: .{n.attr}" for n in ast.walk(tree)
                  if isinstance(n, ast.Attribute) and n.attr in RAW_ATTRIBUTES})
    v = _Imports()
    v.visit(tree)
    bad = sorted({f"line {line}: {mod}.{n}" for mod, names, line in v.found for n in names
                  if n in COMPUTING or mod.startswith(("fuldtid.read", "fuldtid.model.survey"))})
    assert not raw and not bad, raw + bad


def test_a_renderer_given_only_the_release_cannot_reach_the_responses(example_tables):
    """The release keeps the survey to itself: its public attributes hold no respondent-level data."""
    import pandas as pd

    from fuldtid.stats.release import Release

    r = Release.of(example_tables)
    for name, value in vars(r).items():
        if name.startswith("_"):
            continue
        assert not isinstance(value, (pd.DataFrame, pd.Series)), name
        assert not hasattr(value, "responses"), name
    assert not hasattr(r, "survey")


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_are_readable_in_one_sitting(module):
    """At most ~500 lines, or the module says why it is longer (a line starting ``Longer than 500 lines:``)."""
    text = _modules()[module].read_text(encoding="utf-8")
    n = text.count("\n")
    if n > MAX_LINES:
        assert "Longer than 500 lines:" in text, f"{module} has {n} lines and does not say why"


def _is_bare_any(annotation: ast.expr | None) -> bool:
    """``Any`` itself (``Any``, ``typing.Any`` or the string ``"Any"``), not ``Any`` inside a container."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return False
    return (isinstance(annotation, ast.Name) and annotation.id == "Any") or (
        isinstance(annotation, ast.Attribute) and annotation.attr == "Any")


def _public_functions(body: list[ast.stmt], prefix: str = "", in_class: bool = False
                      ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """(qualified name, definition, is a method) of the public functions of a module: its functions and the methods
    of its classes whose names do not start with ``_`` (functions nested in functions are not public)."""
    for node in body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from _public_functions(node.body, f"{prefix}{node.name}.", True)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield f"{prefix}{node.name}", node, in_class
        elif isinstance(node, ast.If):
            yield from _public_functions([*node.body, *node.orelse], prefix, in_class)
        elif isinstance(node, ast.Try):
            yield from _public_functions([*node.body, *(s for h in node.handlers for s in h.body), *node.orelse,
                                          *node.finalbody], prefix, in_class)


def _signature_problems(module: str, source: str) -> list[str]:
    """Public functions of ``module`` with a parameter left unannotated (``self``/``cls`` aside), or a parameter
    (``*args``/``**kwargs`` aside) or the return typed as bare ``Any``."""
    out = []
    for name, fn, is_method in _public_functions(ast.parse(source).body):
        where = f"{module}.{name} (line {fn.lineno})"
        a = fn.args
        positional = [*a.posonlyargs, *a.args]
        if is_method and positional and positional[0].arg in ("self", "cls"):
            positional = positional[1:]
        for arg in [*positional, *a.kwonlyargs]:
            if arg.annotation is None:
                out.append(f"{where}: parameter {arg.arg!r} has no annotation")
            elif _is_bare_any(arg.annotation) and f"{module}.{name}" not in ANY_ALLOWED:
                out.append(f"{where}: parameter {arg.arg!r} is typed Any")
        for star in (a.vararg, a.kwarg):
            if star is not None and star.annotation is None:
                out.append(f"{where}: parameter {star.arg!r} has no annotation")
        if _is_bare_any(fn.returns) and f"{module}.{name}" not in ANY_ALLOWED:
            out.append(f"{where}: returns Any")
    return out


def _public_modules() -> dict[str, Path]:
    """Every module but the private ones (a file name starting with ``_``; a package's ``__init__`` is public)."""
    return {m: p for m, p in _modules().items() if not p.name.startswith("_") or p.name == "__init__.py"}


def test_public_functions_name_their_types():
    """Every public function and method annotates its parameters, and none takes or returns bare ``Any`` where
    a real type exists (``ANY_ALLOWED`` lists the few where ``Any`` is the truth, and why). Annotations of types
    from later stages or heavy libraries are imported under ``if TYPE_CHECKING:``, so they cost no import time."""
    problems = [p for module, path in _public_modules().items()
                for p in _signature_problems(module, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)
    seen = {f"{m}.{name}" for m, path in _public_modules().items()
            for name, _, _ in _public_functions(ast.parse(path.read_text(encoding="utf-8")).body)}
    stale = sorted(set(ANY_ALLOWED) - seen)
    assert not stale, f"ANY_ALLOWED names functions that no longer exist: {stale}"


def test_the_signature_check_finds_what_it_should():
    """The check above on a module written to break it: it must name every bad signature and nothing else."""
    source = """
from typing import Any
import typing

def lazy(survey: Any, n: int) -> int: ...
def returns_any(x: int) -> typing.Any: ...
def as_string(x: "Any") -> None: ...
def untyped(x, *args, **kwargs) -> None: ...
def fine(data: dict[str, Any], *values: Any, **options: Any) -> list[Any]: ...
def _private(x: Any) -> Any: ...

class Thing:
    def method(self, other: Any) -> None: ...
    @classmethod
    def make(cls, n: int) -> "Thing": ...
    def _hidden(self, x) -> None: ...

class _Private:
    def method(self, x) -> Any: ...

if True:
    def conditional(x) -> None: ...
"""
    found = [re.sub(r" \(line \d+\)", "", p) for p in _signature_problems("m", source)]
    assert found == [
        "m.lazy: parameter 'survey' is typed Any",
        "m.returns_any: returns Any",
        "m.as_string: parameter 'x' is typed Any",
        "m.untyped: parameter 'x' has no annotation",
        "m.untyped: parameter 'args' has no annotation",
        "m.untyped: parameter 'kwargs' has no annotation",
        "m.Thing.method: parameter 'other' is typed Any",
        "m.conditional: parameter 'x' has no annotation",
    ]

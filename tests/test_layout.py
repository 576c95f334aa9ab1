"""The architecture, checked: stages import one way without cycles, renderers read only protected results, and
modules stay readable in one sitting.

Stages, in the order data flows: base (errors, formatting, Danish grammar, file writing) -> ``fuldtid.read``
(export files) -> ``fuldtid.model`` (definition, survey, side files) -> ``fuldtid.stats`` (tables, weights,
tests, protection; the :class:`~fuldtid.stats.release.Release`) -> ``fuldtid.render`` (memo, documents,
workbooks, figures) -> the pipeline (``report``, ``validation``, ``cli``). A module may import its own stage and
earlier ones only. Imports inside ``if TYPE_CHECKING:`` are annotations, not imports, and are skipped.
"""

from __future__ import annotations

import ast
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

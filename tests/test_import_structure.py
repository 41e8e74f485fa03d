"""The shape of smsgui's imports, read from the source with ``ast`` (nothing here is imported).

Two rules: no import cycle among smsgui's modules, and the layers point one way - ``smsgui.core``
imports neither ``smsgui.ui`` nor ``smsgui.sandbox``, and ``smsgui.sandbox`` never imports
``smsgui.ui`` (tests/core/test_core_is_qt_free.py checks the core's third-party side: no Qt).

Every ``import`` counts, at module level and inside functions, except those under
``if TYPE_CHECKING:``: they never run, so they cannot close a cycle. The layer rule counts them
too, since a core that names UI types in its annotations still depends on the UI.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "smsgui"
SOURCE = Path(__file__).resolve().parents[1] / PACKAGE

FORBIDDEN = {
    "smsgui.core": ("smsgui.ui", "smsgui.sandbox"),
    "smsgui.sandbox": ("smsgui.ui",),
}
"""Each layer, and the layers it must never import."""

CORE_ORDER = ("reference", "api", "checks", "delivery", "records", "report")
"""The core's concerns, lowest first: a module may import its own concern's modules, lower
concerns' and the core's shared helpers at its top level (values, lazy, privacy), never a
higher concern. The helpers import no concern at all."""

KNOWN_CYCLES: frozenset[tuple[str, ...]] = frozenset()
"""Cycles already reported to their owners, each as the modules in cycle order starting at the
smallest name. A cycle listed here makes the test xfail; any other cycle fails it."""


@dataclass(frozen=True)
class Import:
    """One import statement's target inside smsgui, and where it is."""

    source: str
    target: str
    line: int
    type_only: bool

    def __str__(self) -> str:
        kind = " (under TYPE_CHECKING)" if self.type_only else ""
        return f"{self.source} imports {self.target} on line {self.line}{kind}"


# -- reading the source ----------------------------------------------------------------------------

def module_files(root: Path = SOURCE, package: str = PACKAGE) -> dict[str, Path]:
    """Every module under ``root``, by dotted name; a package is its ``__init__.py``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def import_nodes(tree: ast.AST, type_only: bool = False
                 ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement anywhere in ``tree``, and whether only a type checker runs it."""
    if isinstance(tree, ast.Import | ast.ImportFrom):
        yield tree, type_only
        return
    if isinstance(tree, ast.If) and is_type_checking(tree.test):
        for node in tree.body:
            yield from import_nodes(node, type_only=True)
        for node in tree.orelse:
            yield from import_nodes(node, type_only)
        return
    for child in ast.iter_child_nodes(tree):
        yield from import_nodes(child, type_only)


def resolve(module: str, is_package: bool, node: ast.Import | ast.ImportFrom,
            known: Mapping[str, Path]) -> Iterator[str]:
    """The smsgui modules one statement imports (``from a import b``: ``a.b`` if a module)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[:len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in known else base


def known_module(name: str, known: Mapping[str, Path]) -> str | None:
    """``name`` or its closest enclosing smsgui module (``import smsgui.ui.app`` is a.b.c)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_in(module: str, path: Path, known: Mapping[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node, type_only in import_nodes(tree):
        for name in resolve(module, path.name == "__init__.py", node, known):
            target = known_module(name, known) if name.split(".")[0] == PACKAGE else None
            if target is not None and target != module:
                found.append(Import(module, target, node.lineno, type_only))
    return list(dict.fromkeys(found))  # ``from a import b, c`` is one statement


def all_imports(known: Mapping[str, Path] | None = None) -> list[Import]:
    known = module_files() if known is None else known
    return [found for module, path in known.items() for found in imports_in(module, path, known)]


# -- cycles ----------------------------------------------------------------------------------------

def find_cycles(graph: Mapping[str, set[str]]) -> list[tuple[str, ...]]:
    """One shortest cycle through each group of modules that import each other (Tarjan's SCCs).

    A cycle is given in import order, starting at its smallest name, without repeating it.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # recursion depth is bounded by the number of modules
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = [_shortest_cycle(graph, group) for group in groups
              if len(group) > 1 or next(iter(group)) in graph.get(next(iter(group)), ())]
    return sorted(cycles)


def _shortest_cycle(graph: Mapping[str, set[str]], group: set[str]) -> tuple[str, ...]:
    start = min(group)
    paths: dict[str, tuple[str, ...]] = {start: (start,)}
    frontier = [start]
    while frontier:  # breadth first inside the group, back to start
        next_frontier = []
        for node in frontier:
            for target in sorted(graph.get(node, set()) & group):
                if target == start:
                    return paths[node]
                if target not in paths:
                    paths[target] = (*paths[node], target)
                    next_frontier.append(target)
        frontier = next_frontier
    raise AssertionError(f"no cycle through {start} in {sorted(group)}")  # pragma: no cover


def runtime_graph(imports: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for found in imports:
        if not found.type_only:
            graph.setdefault(found.source, set()).add(found.target)
    return graph


def describe(cycle: tuple[str, ...], imports: list[Import]) -> str:
    """``a -> b -> a``, then the statement behind each arrow."""
    steps = list(zip(cycle, (*cycle[1:], cycle[0]), strict=True))
    lines = [" -> ".join((*cycle, cycle[0]))]
    for source, target in steps:
        lines += [f"    {found}" for found in imports
                  if (found.source, found.target) == (source, target) and not found.type_only]
    return "\n".join(lines)


def in_layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


# -- the rules -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_there_is_no_import_cycle_among_smsgui_modules(imports: list[Import]) -> None:
    cycles = find_cycles(runtime_graph(imports))
    new = [cycle for cycle in cycles if cycle not in KNOWN_CYCLES]
    assert not new, "import cycles:\n" + "\n".join(describe(cycle, imports) for cycle in new)
    if cycles:
        pytest.xfail("known import cycles, reported to their owners:\n"
                     + "\n".join(describe(cycle, imports) for cycle in cycles))


def test_every_known_cycle_still_exists(imports: list[Import]) -> None:
    """A fixed cycle is taken off KNOWN_CYCLES, so that it cannot come back unnoticed."""
    assert set(KNOWN_CYCLES) <= set(find_cycles(runtime_graph(imports)))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_never_imports_a_higher_one(imports: list[Import], layer: str) -> None:
    wrong = [str(found) for found in imports if in_layer(found.source, layer)
             and any(in_layer(found.target, above) for above in FORBIDDEN[layer])]
    assert wrong == []


def core_rank(module: str) -> int | None:
    """Where a core module's concern stands in CORE_ORDER; -1 for a shared helper at the top
    of the core; None outside the core."""
    parts = module.split(".")
    if parts[:2] != ["smsgui", "core"] or len(parts) < 3:
        return None
    return CORE_ORDER.index(parts[2]) if parts[2] in CORE_ORDER else -1


def core_order_breaches(imports: list[Import]) -> list[str]:
    breaches = []
    for found in imports:
        source, target = core_rank(found.source), core_rank(found.target)
        if source is not None and target is not None and target > source:
            breaches.append(str(found))
    return breaches


def test_the_core_imports_follow_the_order_of_its_concerns(imports: list[Import]) -> None:
    assert core_order_breaches(imports) == []


def test_every_core_module_belongs_to_a_concern_or_is_a_shared_helper() -> None:
    helpers = {"smsgui.core", "smsgui.core.values", "smsgui.core.lazy", "smsgui.core.privacy"}
    concerns = {f"smsgui.core.{name}" for name in CORE_ORDER}
    stray = [name for name in module_files() if core_rank(name) == -1
             and name not in helpers | concerns]
    assert stray == []
    assert concerns <= set(module_files())


def test_an_import_against_the_order_is_named() -> None:
    upward = Import("smsgui.core.api.decode", "smsgui.core.report.summary", 7, False)
    sideways = Import("smsgui.core.report.summary", "smsgui.core.api.decode", 3, False)
    helper = Import("smsgui.core.values", "smsgui.core.reference.knowledge", 1, True)
    assert core_order_breaches([upward, sideways, helper]) == [str(upward), str(helper)]


# -- the reading itself, so that the rules above cannot pass for nothing ---------------------------

def test_the_graph_sees_module_function_and_type_only_imports(imports: list[Import]) -> None:
    edges = {(found.source, found.target, found.type_only) for found in imports}
    assert len(module_files()) > 30
    assert ("smsgui.ui.app", "smsgui.ui.main_window", False) in edges  # module level
    assert ("smsgui.cli", "smsgui.ui.app", False) in edges  # inside a function
    # under TYPE_CHECKING:
    assert ("smsgui.ui.services", "smsgui.core.records.history", True) in edges


def write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return module_files(root / PACKAGE)


def test_a_cycle_is_found_and_named_in_import_order(tmp_path: Path) -> None:
    known = write(tmp_path, {
        "smsgui/__init__.py": "",
        "smsgui/a.py": "from smsgui import b\n",
        "smsgui/b.py": "def later():\n    import smsgui.c.d\n",
        "smsgui/c/__init__.py": "",
        "smsgui/c/d.py": "from ..a import x\nfrom . import e\n",
        "smsgui/c/e.py": "from typing import TYPE_CHECKING\n"
                         "if TYPE_CHECKING:\n    from smsgui.c.d import y\n"
                         "else:\n    import os\n",
    })
    found = all_imports(known)
    assert find_cycles(runtime_graph(found)) == [("smsgui.a", "smsgui.b", "smsgui.c.d")]
    assert describe(("smsgui.a", "smsgui.b", "smsgui.c.d"), found).splitlines() == [
        "smsgui.a -> smsgui.b -> smsgui.c.d -> smsgui.a",
        "    smsgui.a imports smsgui.b on line 1",
        "    smsgui.b imports smsgui.c.d on line 2",
        "    smsgui.c.d imports smsgui.a on line 1",
    ]
    assert Import("smsgui.c.e", "smsgui.c.d", 3, type_only=True) in found


def test_only_type_checking_imports_make_no_cycle(tmp_path: Path) -> None:
    known = write(tmp_path, {
        "smsgui/__init__.py": "",
        "smsgui/a.py": "import smsgui.b\n",
        "smsgui/b.py": "import typing\nif typing.TYPE_CHECKING:\n    import smsgui.a\n",
    })
    assert find_cycles(runtime_graph(all_imports(known))) == []

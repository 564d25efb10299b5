"""The package's import graph has no cycle, counting imports inside functions too.

A function-level import that closes a cycle works only because it runs late:
counting those imports as edges means no import may exist to dodge a cycle.
Imports under ``if TYPE_CHECKING:`` never run, so they are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bankgame

PACKAGE = Path(bankgame.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(path: Path, modules: set[str]) -> set[str]:
    """Return the modules of the package that ``path`` imports when it runs (at the top or in a function)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # from . import app
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    # ``import a.b.c`` runs a, a.b and a.b.c: keep the deepest module of the package named.
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): imported(path, modules) for path in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """Return one cycle as a list of modules (first == last), or ``[]``."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def walk(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            # A package's __init__ running its own submodules is not a cycle of ours to break.
            if state.get(target) == 1 and not module.startswith(target + "."):
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = walk(target)
                if cycle:
                    return cycle
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state:
            cycle = walk(module)
            if cycle:
                return cycle
    return []


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "bankgame.screens.title" in graph["bankgame.app"]
    assert "bankgame.screens.branch" in graph["bankgame.app"]  # imported inside a method: still an edge
    assert "bankgame.app" not in graph["bankgame.screens.bank_screen"]  # only under TYPE_CHECKING


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycle() -> None:
    assert find_cycle(import_graph()) == []

"""The architecture holds: import-linter's contracts (pyproject.toml) and no import cycle.

Both read every import statement of every module, at module level, inside a function or
under ``if TYPE_CHECKING:``, so an import hidden in a function or made for annotations only
cannot smuggle a cycle or an upward dependency back in (a child widget that needs its parent's
methods types them with a protocol of its own, as ``log_lines.LinesOwner`` does).
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), smallest first."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    edges = {
        m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in set(modules))
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in edges[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for m in modules:
        if m not in index:
            visit(m)
    return sorted(found, key=len)


def test_import_linter_contracts_hold(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0


def import_graph(package: str = "fgtop") -> grimp.ImportGraph:
    """Every import of ``package``: at module level, in functions, under TYPE_CHECKING."""
    return grimp.build_graph(package, cache_dir=None, exclude_type_checking_imports=False)


def test_no_import_cycle_in_fgtop() -> None:
    assert cycles(import_graph(), "fgtop") == []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function() -> None:
    graph = import_graph()
    # What `fgtop.ui.seek` once did: the UI reaching back into the CLI from inside a function.
    graph.add_import(importer="fgtop.cli.main", imported="fgtop.ui.app")
    graph.add_import(importer="fgtop.ui.app", imported="fgtop.cli.main")
    found = cycles(graph, "fgtop")
    assert any({"fgtop.cli.main", "fgtop.ui.app"} <= set(group) for group in found)


def test_the_cycle_finder_finds_a_type_only_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What log_lines once did: a child widget importing its parent for annotations only."""
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "parent.py").write_text("from planted.child import Child\n")
    (package / "child.py").write_text(
        "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n    from planted.parent import Parent\n\n\n"
        "class Child:\n    def __init__(self, parent: Parent) -> None:\n"
        "        self.parent = parent\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cycles(import_graph("planted"), "planted") == [["planted.child", "planted.parent"]]

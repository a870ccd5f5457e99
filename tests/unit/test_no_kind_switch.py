"""No screen or widget switches on a resource kind's class: they look the kind up (issue 21).

Every ``isinstance(x, K)`` or ``type(x) is K`` in ``fgtop/ui`` where ``K`` is the model class of
a registered kind (or the table widget of one) is a switch that belongs in the kind's module.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fgtop.kinds import registry

UI = Path(__file__).resolve().parents[2] / "fgtop" / "ui"
TABLES = {"TaskGrid", "PodGrid", "ServicesTable", "ProblemsTable", "TimelineTable"}


def kind_names() -> set[str]:
    """The class names a kind switch would test: every registered kind's model, the tables."""
    return {kind.model.__name__ for kind in registry.kinds()} | TABLES


def _names(node: ast.expr) -> set[str]:
    """The class names in an isinstance's second argument (``A``, ``A | B``, ``(A, B)``)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.BinOp):
        return _names(node.left) | _names(node.right)
    if isinstance(node, ast.Tuple):
        return {n for e in node.elts for n in _names(e)}
    return set()


def switches(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, class names) of each kind switch in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        tested: set[str] = set()
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "isinstance"
            and len(node.args) == 2
        ):
            tested = _names(node.args[1])
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Call)
            and getattr(node.left.func, "id", None) == "type"
        ):
            tested = {n for c in node.comparators for n in _names(c)}
        hit = tested & names
        if hit:
            found.append((node.lineno, ", ".join(sorted(hit))))
    return found


def test_no_kind_switch_is_left_in_the_ui() -> None:
    names = kind_names()
    assert {"Task", "Service", "Pod", "KubeWorkload", "Problem", "TimelineEntry"} <= names
    found = [
        f"{path.relative_to(UI.parent.parent)}:{line}: {what}"
        for path in sorted(UI.rglob("*.py"))
        for line, what in switches(path.read_text(encoding="utf-8"), names)
    ]
    assert found == [], "kind switches in fgtop/ui (look the kind up instead):\n" + "\n".join(found)


def test_the_check_finds_a_switch() -> None:
    source = (
        "def f(item, table):\n"
        "    if isinstance(item, Task | Service):\n"
        "        return 1\n"
        "    if isinstance(table, (PodGrid, str)):\n"
        "        return 2\n"
        "    return type(item) is model.Pod or isinstance(item, dict)\n"
    )
    assert switches(source, kind_names()) == [(2, "Service, Task"), (4, "PodGrid"), (6, "Pod")]

"""The problem kind: rows of the problems view and of ``fgtop snapshot``'s problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fgtop.derive.problems import Problem, problems_json
from fgtop.kinds.base import BY_TEXT, Cell, Kind, View, Words
from fgtop.kinds.columns import Column
from fgtop.kinds.common import ACCOUNT, SEVERITY_CELLS, account_text
from fgtop.text import fmt
from fgtop.text.sanitize import safe_str

CELL_CHARS = 200
"""Cap on outside text in a problems cell (the detail pane shows more)."""
RESOLVED_CELL = ("✔", "RES")
"""The SEV cell of a problem that has ended (its severity stays in the detail pane)."""


def problem_key(problem: Problem) -> str:
    """The identity of a problem row across snapshots: kind and what is broken.

    The title (service, ``family:rev``, pod or workload name) rather than the target: a group
    of crashing tasks points its target at the newest stopped task, which changes each crash.
    """
    return f"{problem.kind}\x00{problem.cluster}\x00{problem.region}\x00{problem.title}"


def problem_keys(problems: Sequence[Problem]) -> list[str]:
    """Row keys for problems, unique even when two share kind and title (stopped/unhealthy)."""
    seen: dict[str, int] = {}
    keys = []
    for p in problems:
        key = problem_key(p)
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}\x00{seen[key]}")
    return keys


def _cell(value: str, tone: str = "") -> Cell:
    return Cell(safe_str(value, max_chars=CELL_CHARS), tone=tone)


def problem_cells(problem: Problem, now: float) -> tuple[Cell, ...]:
    """The cells of one problem row, in :attr:`ProblemKind.columns` order (but ACCOUNT).

    SINCE is the age of the problem's one time (when it began); a problem that has ended says
    so in its SEV cell (``✔ RES``) and ``resolved 3m ago`` before its reason, and the row is
    dimmed (the problems list it after every one that lasts).
    """
    glyph, word, tone = SEVERITY_CELLS.get(problem.severity, SEVERITY_CELLS[4])
    dim = "dim" if problem.resolved else ""
    reason = problem.reason
    if problem.resolved_at is not None:
        glyph, word = RESOLVED_CELL
        reason = f"resolved {fmt.age(problem.resolved_at, now)} ago: {reason}"
    return (
        _cell(f"{glyph} {word}", dim or tone),
        _cell(problem.kind, dim),
        _cell(problem.title, dim),
        _cell(problem.cluster, dim),
        _cell(fmt.age(problem.since, now), dim),
        _cell(str(problem.count), dim),
        _cell(reason, dim),
        _cell(problem.next_step, dim),
    )


class ProblemKind(Kind[Problem]):
    """What is broken, why, and what to do next."""

    name = "problem"
    plural = "problems"
    model = Problem
    view = "problems"
    json_key = "problems"
    words = Words("problems", ("problem", "prob"), "everything unhealthy, most severe first", False)
    columns: ClassVar[tuple[Column, ...]] = (
        Column("sev", "SEV", 6, priority=0),
        Column("kind", "KIND", priority=2, max=18),
        Column("target", "TARGET", priority=0, min=10, max=30),
        Column("cluster", "CLUSTER", priority=2, max=14),
        Column("since", "SINCE", 6, priority=0),
        Column("count", "COUNT", 5, priority=1, right=True),
        Column("reason", "REASON", priority=0, min=16, max=58, fill=True),
        Column("next", "NEXT STEP", priority=3, min=12, max=40),
        ACCOUNT,
    )

    def items(self, view: View) -> Sequence[Problem]:
        """The frame's problems, most severe first."""
        return view.derived.insights.problems

    def key(self, item: Problem) -> str:
        """Kind and what is broken."""
        return problem_key(item)

    def texts(self, item: Problem, view: View) -> Mapping[str, str]:
        """The plain text of each cell."""
        return {k: c.plain for k, c in self.cells(item, view).items()}

    def cells(self, item: Problem, view: View) -> Mapping[str, Cell]:
        """Severity in its colour (and glyph); a resolved problem dimmed."""
        cells = problem_cells(item, view.at)
        own = [c for c in self.columns if c.key != "account"]
        out = {c.key: cell for c, cell in zip(own, cells, strict=True)}
        out["account"] = Cell(account_text(view, item.account), "dim" if item.resolved else "")
        return out

    def sort_value(self, item: Problem, column: str, view: View) -> Any:
        """Severity, age and count sort by their values, the rest by their text."""
        if column == "sev":  # those that last first, as the problems come
            return (item.resolved, item.severity)
        if column == "since":
            return -(item.since or 0.0)
        if column == "count":
            return item.count
        return BY_TEXT

    def document(self, item: Problem, view: View) -> dict[str, Any]:
        """The problem as ``fgtop snapshot`` prints it."""
        doc: dict[str, Any] = problems_json([item])[0]
        return doc

    def points_at(self, item: Problem) -> tuple[str, str | None]:
        """Its target and cluster."""
        return item.target, item.cluster

    def log_key(self, item: Problem, resource: str | None) -> str | None:
        """Its task, its pod (a workload's sickest), its service; else what its target says."""
        if item.related_task:
            return item.related_task
        if resource is not None:
            return resource
        if item.target.startswith("arn:"):
            return item.target
        if item.target.count("/") == 1:
            return f"{item.cluster}/{item.target}"
        return None

    def log_moment(self, item: Problem) -> float | None:
        """When it failed."""
        return item.at


KIND = ProblemKind()

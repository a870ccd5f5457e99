"""Extra grid cells derived from metrics and cost (shared by the dashboard's tables)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Generic, TypeVar

from rich.text import Text

from fgtop.cost.estimate import CostSummary
from fgtop.derive.problems import Problem
from fgtop.model import Cluster, Service, Snapshot, Task
from fgtop.model.ecs import task_metrics_available
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui import fmt
from fgtop.ui.palette import Palette, health_kind
from fgtop.ui.widgets.bars import sparkline, util_bar
from fgtop.ui.widgets.resource_table import Cell

SPARK_WINDOW = 1800
"""The services table's sparkline covers the last 30 minutes."""
CELL_CHARS = 80
"""Cap on an outside value shown in a grid cell (the full value is in details and describe)."""


def text_cell(
    value: object, *, style: str = "", sort_value: object = None, prefix: str = ""
) -> Cell:
    """A grid cell of outside text (a name, a reason): controls made visible, markup literal,
    length capped.

    Args:
        value: The outside value (None shows as an empty cell).
        style: The style of the whole cell.
        sort_value: What the cell sorts by (default: its shown text, lower case).
        prefix: fgtop's own text before the value (a status glyph).
    """
    text = safe(value, max_chars=CELL_CHARS, style=style)
    if prefix:
        text = Text(prefix, style=style, no_wrap=True, end="") + text
    return Cell(text, sort_value=sort_value)


def cell_str(value: object) -> str:
    """An outside value as a grid cell's plain text: controls visible, length capped (the
    virtual tables build their Text from this, never from the raw value)."""
    return safe_str(value, max_chars=CELL_CHARS)


SEVERITY_CELLS: dict[int, tuple[str, str, str]] = {
    1: ("✖", "CRIT", "failed"),
    2: ("▲", "HIGH", "warning"),
    3: ("●", "MED", "pending"),
    4: ("○", "LOW", "stopped"),
}
"""Severity -> (glyph, word, palette kind): never colour alone (problems view, services)."""


def task_age(task: Task, now: float) -> Cell:
    """AGE: how long the task has run; for a stopped task its run time (stopped - started)."""
    start = task.started_at or task.created_at
    end = task.ended_at
    return Cell(fmt.age(start, end if end is not None else now), sort_value=-(start or 0))


def stopped_ago(task: Task, now: float) -> str:
    """``stopped 12m ago`` for a stopped task ('' for one that has not stopped)."""
    end = task.ended_at
    if not task.is_stopped:
        return ""
    return f"stopped {fmt.age(end, now)} ago" if end is not None else "stopped"


def task_health(task: Task, palette: Palette) -> Cell:
    """HEALTH: the task's health; for a stopped task what its containers last reported, or -.

    ECS resets a stopped task's health to UNKNOWN, which says nothing: a stopped task shows
    the worst health its containers still report, else ``-``.
    """
    health = task.health.upper()
    if task.is_stopped:
        reported = {c.health.upper() for c in task.containers} | {health}
        if "UNHEALTHY" in reported:
            health = "UNHEALTHY"
        elif "HEALTHY" in reported:
            health = "HEALTHY"
        else:
            return Cell(Text("-", style=palette.style("stopped")), sort_value=True)
    kind = health_kind(health)
    text = Text(f"{palette.glyph(kind)} {health}", style=palette.style(kind))
    return Cell(text, sort_value=kind != "unhealthy")


def service_status(
    service: Service, palette: Palette, problem: Problem | None
) -> tuple[Cell, Cell]:
    """RUN/DES and DEPLOYMENT of a service, flagged with its worst problem's severity.

    A service with a problem that lasts (stops in the last hour, unhealthy tasks, a failed
    deployment, below desired) shows that problem's glyph and colour, as the problems view
    does, and names the problem beside its deployment state: never ``● 3/3 steady``.
    """
    short = service.running < service.desired
    kind = (
        "failed"
        if short and service.running == 0 and service.desired
        else ("warning" if short else "running")
    )
    glyph, style = palette.glyph(kind), palette.style(kind)
    if problem is not None:
        glyph, _, pkind = SEVERITY_CELLS.get(problem.severity, SEVERITY_CELLS[4])
        style = palette.style(pkind)
    tasks = Text(f"{glyph} {service.running}/{service.desired}", style=style)
    ratio = service.running / service.desired if service.desired else 1.0
    severity = problem.severity if problem is not None else 9
    state = service.deployment_state
    dkind = "failed" if "FAILED" in state else ("pending" if state.startswith("rolling") else "")
    deploy = Text(state, style=palette.style(dkind) if dkind else "")
    if problem is not None:
        deploy.append(f" {glyph} {problem.kind}", style=style)
    return (
        Cell(tasks, sort_value=(severity, ratio, service.name)),
        Cell(deploy, sort_value=(severity, state)),
    )


T = TypeVar("T")


class LazyCells(Mapping[str, Mapping[str, Cell]], Generic[T]):
    """Extra cells by key, built on first use (the grids ask only for the rows on screen).

    Args:
        items: The items by key.
        build: Makes one item's extra cells.
        ready: Cells already made, by key (looked up first).
        values: What one item's extra cells sort by, without building them (sorting 5,000
            rows by CPU% builds no bars); default: the built cells' sort values.
    """

    def __init__(
        self,
        items: Mapping[str, T],
        build: Callable[[T], Mapping[str, Cell]],
        ready: Mapping[str, Mapping[str, Cell]] | None = None,
        values: Callable[[T], Mapping[str, object]] | None = None,
    ) -> None:
        self._items = items
        self._build = build
        self._built: dict[str, Mapping[str, Cell]] = dict(ready or {})
        self._values = values
        self._sort_values: dict[str, Mapping[str, object]] = {}

    def __getitem__(self, key: str) -> Mapping[str, Cell]:
        cells = self._built.get(key)
        if cells is None:
            cells = self._built[key] = self._build(self._items[key])
        return cells

    def __iter__(self) -> Iterator[str]:
        return iter({**self._items, **self._built})

    def __len__(self) -> int:
        return len({**self._items, **self._built})

    def sort_value(self, key: str, column: str) -> object:
        """What the item's ``column`` cell sorts by."""
        if self._values is None or key in self._built or key not in self._items:
            return getattr(self.get(key, {}).get(column), "sort_value", None)
        values = self._sort_values.get(key)
        if values is None:
            values = self._sort_values[key] = self._values(self._items[key])
        return values.get(column)


def money(rate: Decimal | float | None) -> Cell:
    """A $/h cell; ``-`` when unknown."""
    if rate is None:
        return Cell("-", sort_value=None)
    value = float(rate)
    text = f"{value:.4f}" if value < 1 else f"{value:.2f}"
    return Cell(text, sort_value=value)


def dollars(amount: Decimal | float | None) -> Cell:
    """A cost-so-far cell (``$1.23``); ``-`` when unknown."""
    if amount is None:
        return Cell("-", sort_value=None)
    value = float(amount)
    return Cell(f"${value:.4f}" if value < 1 else f"${value:,.2f}", sort_value=value)


def latest(snapshot: Snapshot, arn: str, metric: str) -> float | None:
    """The latest point of a resource's metric series, if any."""
    series = snapshot.series(arn, metric)
    return series.last if series else None


def util(snapshot: Snapshot, arn: str, metric: str, na: str = "-") -> Cell:
    """A utilisation cell (number and bar) from the latest point of a series."""
    return util_cell(latest(snapshot, arn, metric), na)


def util_cell(value: float | None, na: str = "-") -> Cell:
    """A utilisation cell (number and bar), sorting by the value."""
    return Cell(util_bar(value, 9, na=na), sort_value=value)


def task_values(
    task: Task, snapshot: Snapshot, cost: CostSummary | None
) -> dict[str, float | None]:
    """What a task's CPU%, MEM%, $/h and cost-so-far cells show and sort by."""
    burning = task.last_status not in {"STOPPED", "DEPROVISIONING"}
    rate = cost.task_rates.get(task.arn) if cost and burning else None
    spent = cost.task_costs.get(task.arn) if cost else None
    return {
        "cpu": latest(snapshot, task.arn, "cpu"),
        "mem": latest(snapshot, task.arn, "memory"),
        "cost": None if rate is None else float(rate),
        "spent": None if spent is None else float(spent),
    }


def task_cells(
    task: Task, snapshot: Snapshot, cost: CostSummary | None, cluster: Cluster | None, alerted: bool
) -> dict[str, Cell]:
    """CPU%, MEM% and $/h cells of one task."""
    na = (
        "-"
        if task.last_status != "RUNNING"
        else ("n/a" if not task_metrics_available(cluster) else "-")
    )
    values = task_values(task, snapshot, cost)
    cells = {
        "cpu": util_cell(values["cpu"], na),
        "mem": util_cell(values["mem"], na),
        "cost": money(values["cost"]),
        "spent": dollars(values["spent"]),
    }
    if alerted:
        cells["flag"] = Cell(Text("⚑", style="bold yellow"))
    return cells


def service_cells(
    service: Service, snapshot: Snapshot, cost: CostSummary | None, alerted: bool
) -> dict[str, Cell]:
    """CPU%, MEM%, a 30-minute CPU sparkline and $/h cells of one service."""
    cpu = snapshot.series(service.arn, "cpu")
    values = [v for _, v in cpu.window(SPARK_WINDOW, snapshot.taken_at)] if cpu else []
    spark = sparkline(values, 12, lo=0, hi=100) if values else ""
    cells = {
        "cpu": util(snapshot, service.arn, "cpu"),
        "mem": util(snapshot, service.arn, "memory"),
        "spark": Cell(spark, sort_value=values[-1] if values else None),
        "cost": money(cost.service_rates.get(service.arn) if cost else None),
        "spent": dollars(cost.service_costs.get(service.arn) if cost else None),
    }
    if alerted:
        cells["flag"] = Cell(Text("⚑", style="bold yellow"))
    return cells

"""Extra grid cells derived from metrics and cost (shared by the dashboard's tables)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Generic, TypeVar

from rich.text import Text

from fgtop.cost.estimate import CostSummary
from fgtop.model import Cluster, Service, Snapshot, Task
from fgtop.sources.cloudwatch import task_metrics_available
from fgtop.ui.widgets.bars import sparkline, util_bar
from fgtop.ui.widgets.resource_table import Cell

SPARK_WINDOW = 1800
"""The services table's sparkline covers the last 30 minutes."""

T = TypeVar("T")


class LazyCells(Mapping[str, Mapping[str, Cell]], Generic[T]):
    """Extra cells by key, built on first use (the grids ask only for the rows on screen).

    Args:
        items: The items by key.
        build: Makes one item's extra cells.
        ready: Cells already made, by key (looked up first).
    """

    def __init__(
        self,
        items: Mapping[str, T],
        build: Callable[[T], Mapping[str, Cell]],
        ready: Mapping[str, Mapping[str, Cell]] | None = None,
    ) -> None:
        self._items = items
        self._build = build
        self._built: dict[str, Mapping[str, Cell]] = dict(ready or {})

    def __getitem__(self, key: str) -> Mapping[str, Cell]:
        cells = self._built.get(key)
        if cells is None:
            cells = self._built[key] = self._build(self._items[key])
        return cells

    def __iter__(self) -> Iterator[str]:
        return iter({**self._items, **self._built})

    def __len__(self) -> int:
        return len({**self._items, **self._built})


def money(rate: Decimal | None) -> Cell:
    """A $/h cell; ``-`` when unknown."""
    if rate is None:
        return Cell("-", sort_value=None)
    value = float(rate)
    text = f"{value:.4f}" if value < 1 else f"{value:.2f}"
    return Cell(text, sort_value=value)


def dollars(amount: Decimal | None) -> Cell:
    """A cost-so-far cell (``$1.23``); ``-`` when unknown."""
    if amount is None:
        return Cell("-", sort_value=None)
    value = float(amount)
    return Cell(f"${value:.4f}" if value < 1 else f"${value:,.2f}", sort_value=value)


def util(snapshot: Snapshot, arn: str, metric: str, na: str = "-") -> Cell:
    """A utilisation cell (number and bar) from the latest point of a series."""
    series = snapshot.series(arn, metric)
    value = series.last if series else None
    return Cell(util_bar(value, 9, na=na), sort_value=value)


def task_cells(
    task: Task, snapshot: Snapshot, cost: CostSummary | None, cluster: Cluster | None, alerted: bool
) -> dict[str, Cell]:
    """CPU%, MEM% and $/h cells of one task."""
    na = (
        "-"
        if task.last_status != "RUNNING"
        else ("n/a" if not task_metrics_available(cluster) else "-")
    )
    burning = task.last_status not in {"STOPPED", "DEPROVISIONING"}
    cells = {
        "cpu": util(snapshot, task.arn, "cpu", na),
        "mem": util(snapshot, task.arn, "memory", na),
        "cost": money(cost.task_rates.get(task.arn) if cost and burning else None),
        "spent": dollars(cost.task_costs.get(task.arn) if cost else None),
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

"""The task grid: every ECS task, status and health in colour (and glyph), sortable."""

from __future__ import annotations

from typing import ClassVar

from fgtop.model import Snapshot, Task
from fgtop.ui import fmt
from fgtop.ui.cells import stopped_ago, task_age, task_health, text_cell
from fgtop.ui.palette import Palette, task_status_kind
from fgtop.ui.widgets.resource_table import Cell, Column, ResourceTable
from fgtop.ui.widgets.resource_table import flagged as _flagged

STATUS_RANK = {"failed": 0, "pending": 1, "running": 2, "stopped": 3}


def task_abnormal(task: Task) -> bool:
    """Whether a stopped task stopped for a bad reason (non-zero exit, failed start, Spot)."""
    if not task.is_stopped:
        return False
    if task.stop_code in {"TaskFailedToStart", "SpotInterruption"}:
        return True
    return any(c.exit_code not in (None, 0) for c in task.containers)


class TaskGrid(ResourceTable[Task]):
    """The grid of ECS tasks."""

    COLUMNS: ClassVar = (
        Column("status", "STATUS"),  # sized to content: "✖ STOPPED 12m ago"
        Column("health", "HEALTH", 9),
        Column("service", "SERVICE"),
        Column("id", "TASK", 10),
        Column("taskdef", "TASKDEF"),
        Column("size", "SIZE", 12),
        Column("cpu", "CPU%", 9),
        Column("mem", "MEM%", 9),
        Column("age", "AGE", 6),
        Column("cost", "$/H", 8),
        Column("spent", "$ SO FAR", 9),
        Column("reason", "REASON", 44),
        Column("provider", "PROVIDER", 8),
        Column("arch", "ARCH", 6),
        Column("az", "AZ", 11),
        Column("ip", "IP", 15),
    )
    DEFAULT_SORT: ClassVar = ("status", False)

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.palette = Palette()
        self.snapshot: Snapshot | None = None
        self.now = 0.0
        self.extra: dict[str, dict[str, Cell]] = {}
        """Extra cells by task ARN (metrics, cost), set by the app before :meth:`show`."""

    def cells(self, task: Task) -> dict[str, Cell]:
        """One task as a row."""
        p = self.palette
        kind = task_status_kind(task.last_status, task_abnormal(task))
        ago = stopped_ago(task, self.now).removeprefix("stopped")
        status = text_cell(task.last_status, style=p.style(kind), prefix=f"{p.glyph(kind)} ")
        if ago:
            status.append(ago, style=p.style(kind))
        provider = task.capacity_provider or task.launch_type
        reason = task.stopped_reason or ""
        if task.is_stopped:
            codes = [
                f"{c.name}:{c.exit_code}" for c in task.containers if c.exit_code not in (None, 0)
            ]
            if codes:
                reason = (
                    f"{reason} [exit {', '.join(codes)}]" if reason else f"exit {', '.join(codes)}"
                )
        extra = self.extra.get(task.arn, {})
        return {
            "status": Cell(
                _flagged(status, extra), sort_value=(STATUS_RANK.get(kind, 9), task.service or "")
            ),
            "health": task_health(task, p),
            "service": text_cell(task.service or f"({task.group or 'standalone'})"),
            "id": text_cell(task.id[:8], sort_value=task.id),
            "taskdef": text_cell(task.family_revision),
            "size": Cell(
                fmt.size(task.cpu, task.memory), sort_value=(task.cpu or 0, task.memory or 0)
            ),
            "cpu": extra.get("cpu", Cell("-", sort_value=None)),
            "mem": extra.get("mem", Cell("-", sort_value=None)),
            "provider": text_cell("SPOT" if task.is_spot else provider),
            "arch": text_cell(task.arch or "?"),
            "az": text_cell(task.az or "-"),
            "ip": text_cell(task.private_ip or "-"),
            "age": task_age(task, self.now),
            "cost": extra.get("cost", Cell("-", sort_value=None)),
            "spent": extra.get("spent", Cell("-", sort_value=None)),
            "reason": text_cell(reason, style=p.style("failed") if kind == "failed" else ""),
        }

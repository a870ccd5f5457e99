"""The task grid: every ECS task, status and health in colour (and glyph), sortable."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text

from fgtop.model import Snapshot, Task
from fgtop.ui import fmt
from fgtop.ui.cells import cell_str, stopped_ago, task_age, task_health
from fgtop.ui.palette import Palette, task_status_kind
from fgtop.ui.widgets.resource_columns import Column
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.resource_table import flagged as _flagged

STATUS_RANK = {"failed": 0, "pending": 1, "running": 2, "stopped": 3}


def task_abnormal(task: Task) -> bool:
    """Whether a stopped task stopped for a bad reason (non-zero exit, failed start, Spot)."""
    if not task.is_stopped:
        return False
    if task.stop_code in {"TaskFailedToStart", "SpotInterruption"}:
        return True
    return any(c.exit_code not in (None, 0) for c in task.containers)


def stop_reason(task: Task) -> str:
    """The REASON column: the stopped reason and any non-zero exit codes."""
    reason = cell_str(task.stopped_reason or "")
    if task.is_stopped:
        codes = [f"{c.name}:{c.exit_code}" for c in task.containers if c.exit_code not in (None, 0)]
        if codes:
            joined = ", ".join(codes)
            reason = f"{reason} [exit {joined}]" if reason else f"exit {joined}"
    return reason


class TaskGrid(ResourceTable[Task]):
    """The grid of ECS tasks."""

    COLUMNS: ClassVar = (
        Column("status", "STATUS", priority=0, max=24, letter="U"),  # "✖ STOPPED 12m ago"
        Column("health", "HEALTH", priority=2, max=11, letter="H"),
        Column("service", "SERVICE", priority=0, min=10, max=32, letter="V"),
        Column("id", "TASK", 8, priority=1, letter="K"),
        Column("taskdef", "TASKDEF", priority=4, max=32, letter="D"),
        Column("size", "SIZE", priority=4, max=12, letter="I"),
        Column("cpu", "CPU%", 9, priority=2, live=True, descending=True, letter="C"),
        Column("mem", "MEM%", 9, priority=2, live=True, descending=True, letter="M"),
        Column("age", "AGE", 6, priority=3, live=True, letter="A"),
        Column("cost", "$/H", 7, priority=3, live=True, right=True, descending=True, letter="$"),
        Column(
            "spent", "$ SO FAR", 9, priority=5, live=True, right=True, descending=True, letter="F"
        ),
        Column("reason", "REASON", priority=0, min=12, max=44, letter="E"),
        Column("provider", "PROVIDER", priority=6, max=12, letter="O"),
        Column("arch", "ARCH", priority=6, max=7),
        Column("az", "AZ", priority=6, max=15, letter="Z"),
        Column("ip", "IP", priority=6, max=15, letter="P"),
    )
    DEFAULT_SORT: ClassVar = ("status", False)

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.palette = Palette()
        self.snapshot: Snapshot | None = None

    def _kind(self, task: Task) -> str:
        return task_status_kind(task.last_status, task_abnormal(task))

    def texts(self, task: Task) -> dict[str, str]:
        """The plain text of a task's own columns (searched by the filter, sized to)."""
        p = self.palette
        kind = self._kind(task)
        provider = task.capacity_provider or task.launch_type
        ago = stopped_ago(task, self.now).removeprefix("stopped")
        return {
            "status": f"{p.glyph(kind)} {cell_str(task.last_status)}{ago}",
            "health": task_health(task, p).plain,
            "service": cell_str(task.service or f"({task.group or 'standalone'})"),
            "id": cell_str(task.id[:8]),
            "taskdef": cell_str(task.family_revision),
            "size": fmt.size(task.cpu, task.memory),
            "reason": stop_reason(task),
            "provider": cell_str("SPOT" if task.is_spot else provider),
            "arch": cell_str(task.arch or "?"),
            "az": cell_str(task.az or "-"),
            "ip": cell_str(task.private_ip or "-"),
        }

    def sort_value(self, task: Task, column: str) -> object:
        """What each column sorts by (status: problems first, then by service)."""
        if column == "status":
            return (STATUS_RANK.get(self._kind(task), 9), task.service or "")
        if column == "health":
            return task_health(task, self.palette).sort_value
        if column == "id":
            return task.id
        if column == "size":
            return (task.cpu or 0, task.memory or 0)
        if column == "age":
            return task_age(task, self.now).sort_value
        if column in ("cpu", "mem", "cost", "spent"):
            return self.extra_sort_value(task, column)
        return self.text_sort_value(task, column)

    def cells(self, task: Task) -> dict[str, Text]:
        """One task as a row (built only while it is on screen)."""
        p = self.palette
        texts = self.texts(task)
        kind = self._kind(task)
        extra = self.extra_cells(task)
        cells: dict[str, Text] = {k: Text(v) for k, v in texts.items()}
        cells["status"] = _flagged(Text(texts["status"], style=p.style(kind)), extra)
        cells["health"] = task_health(task, p)
        cells["reason"] = Text(texts["reason"], style=p.style("failed") if kind == "failed" else "")
        cells["age"] = task_age(task, self.now)
        for col in ("cpu", "mem", "cost", "spent"):
            cells[col] = extra.get(col) or Text("-")
        return cells

"""The services table: desired/running/pending and the deployment state of each service."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text

from fgtop.derive.problems import Problem
from fgtop.model import KubeWorkload, Service
from fgtop.ui.cells import service_status, text_cell
from fgtop.ui.palette import Palette
from fgtop.ui.widgets.resource_table import Cell, Column, ResourceTable
from fgtop.ui.widgets.resource_table import flagged as _flagged


class ServicesTable(ResourceTable[Service | KubeWorkload]):
    """The table of ECS services (and, when watched, Kubernetes workloads)."""

    COLUMNS: ClassVar = (
        Column("name", "SERVICE"),
        Column("cluster", "CLUSTER"),
        Column("region", "REGION", 12),
        Column("tasks", "RUN/DES", 8),
        Column("pending", "PEND", 5),
        Column("deploy", "DEPLOYMENT", 16),
        Column("cpu", "CPU%", 9),
        Column("mem", "MEM%", 9),
        Column("spark", "CPU 30m", 12),
        Column("cost", "$/H", 8),
        Column("spent", "$ SO FAR", 9),
    )
    DEFAULT_SORT: ClassVar = ("tasks", False)

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.palette = Palette()
        self.extra: dict[str, dict[str, Cell]] = {}
        """Extra cells by service key (metrics, sparkline, cost), set by the app before show()."""
        self.problems: dict[str, Problem] = {}
        """The worst lasting problem by service ARN (``worst_by_service``), set before show()."""

    def cells(self, s: Service | KubeWorkload) -> dict[str, Cell]:
        """One service (or Kubernetes workload) as a row."""
        if isinstance(s, KubeWorkload):
            return self._workload_cells(s)
        tasks, deploy = service_status(s, self.palette, self.problems.get(s.arn))
        extra = self.extra.get(s.key, {})
        return {
            "name": Cell(_flagged(text_cell(s.name), extra)),
            "cluster": text_cell(s.cluster),
            "region": text_cell(s.region),
            "tasks": tasks,
            "pending": Cell(str(s.pending), sort_value=s.pending),
            "deploy": deploy,
            "cpu": extra.get("cpu", Cell("-", sort_value=None)),
            "mem": extra.get("mem", Cell("-", sort_value=None)),
            "spark": extra.get("spark", Cell("", sort_value=None)),
            "cost": extra.get("cost", Cell("-", sort_value=None)),
            "spent": extra.get("spent", Cell("-", sort_value=None)),
        }

    def _workload_cells(self, w: KubeWorkload) -> dict[str, Cell]:
        p = self.palette
        short = w.ready < w.desired
        kind = (
            "failed"
            if short and w.ready == 0 and w.desired
            else ("warning" if short else "running")
        )
        tasks = Text(f"{p.glyph(kind)} {w.ready}/{w.desired}", style=p.style(kind))
        rolling = w.updated < w.desired
        ratio = w.ready / w.desired if w.desired else 1.0
        return {
            "name": text_cell(f"{w.namespace}/{w.name}"),
            "cluster": text_cell(w.cluster),
            "region": text_cell(f"k8s {w.kind.lower()}"[:12]),
            "tasks": Cell(tasks, sort_value=(_severity(w), ratio, w.name)),
            "pending": Cell(
                str(max(0, w.desired - w.available)), sort_value=w.desired - w.available
            ),
            "deploy": Cell(Text(f"updated {w.updated}/{w.desired}" if rolling else "steady")),
            "cpu": Cell("-", sort_value=None),
            "mem": Cell("-", sort_value=None),
            "spark": Cell("", sort_value=None),
            "cost": self.extra.get(w.key, {}).get("cost", Cell("-", sort_value=None)),
            "spent": self.extra.get(w.key, {}).get("spent", Cell("-", sort_value=None)),
        }


def _severity(w: KubeWorkload) -> int:
    """A workload's severity as the problems view ranks it below desired (9: none), so
    services and workloads sort together, the sick first."""
    if w.available >= w.desired:
        return 9
    return 1 if w.available == 0 else 2 if w.available / w.desired < 0.5 else 3

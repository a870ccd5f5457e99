"""The services table: desired/running/pending and the deployment state of each service."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text

from fgtop.derive.problems import Problem
from fgtop.model import KubeWorkload, Service
from fgtop.ui.cells import cell_str, service_status
from fgtop.ui.palette import Palette
from fgtop.ui.widgets.resource_columns import Column
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.resource_table import flagged as _flagged


class ServicesTable(ResourceTable[Service | KubeWorkload]):
    """The table of ECS services (and, when watched, Kubernetes workloads)."""

    COLUMNS: ClassVar = (
        Column("name", "SERVICE", priority=0, min=12, max=36, letter="V"),
        Column("cluster", "CLUSTER", priority=3, max=24, letter="L"),
        Column("region", "REGION", priority=4, max=14, letter="I"),
        Column("tasks", "RUN/DES", priority=0, max=11, letter="U"),
        Column("pending", "PEND", priority=2, max=5, right=True, descending=True, letter="P"),
        Column("deploy", "DEPLOYMENT", priority=0, min=8, max=18, letter="D"),
        Column("cpu", "CPU%", 9, priority=1, live=True, descending=True, letter="C"),
        Column("mem", "MEM%", 9, priority=2, live=True, descending=True, letter="M"),
        Column("spark", "CPU 30m", 12, priority=3, live=True),
        Column("cost", "$/H", 7, priority=2, live=True, right=True, descending=True, letter="$"),
        Column(
            "spent", "$ SO FAR", 9, priority=4, live=True, right=True, descending=True, letter="F"
        ),
    )
    DEFAULT_SORT: ClassVar = ("tasks", False)

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.palette = Palette()
        self.problems: dict[str, Problem] = {}
        """The worst lasting problem by service ARN (``worst_by_service``), set before show()."""

    def _kind(self, ready: int, desired: int) -> str:
        short = ready < desired
        if short and ready == 0 and desired:
            return "failed"
        return "warning" if short else "running"

    def texts(self, s: Service | KubeWorkload) -> dict[str, str]:
        """The plain text of a service's (or workload's) own columns."""
        p = self.palette
        if isinstance(s, KubeWorkload):
            rolling = s.updated < s.desired
            return {
                "name": cell_str(f"{s.namespace}/{s.name}"),
                "cluster": cell_str(s.cluster),
                "region": cell_str(f"k8s {s.kind.lower()}"[:12]),
                "tasks": f"{p.glyph(self._kind(s.ready, s.desired))} {s.ready}/{s.desired}",
                "pending": str(max(0, s.desired - s.available)),
                "deploy": f"updated {s.updated}/{s.desired}" if rolling else "steady",
            }
        tasks, deploy = service_status(s, p, self.problems.get(s.arn))
        return {
            "name": cell_str(s.name),
            "cluster": cell_str(s.cluster),
            "region": cell_str(s.region),
            "tasks": tasks.plain,
            "pending": str(s.pending),
            "deploy": deploy.plain,
        }

    def sort_value(self, s: Service | KubeWorkload, column: str) -> object:
        """What each column sorts by (RUN/DES: the shortest of desired first)."""
        if column == "tasks":  # the sick first (problems, then below desired), as on problems
            if isinstance(s, KubeWorkload):
                return (_severity(s), s.ready / s.desired if s.desired else 1.0, s.name)
            return service_status(s, self.palette, self.problems.get(s.arn))[0].sort_value
        if column == "pending":
            return s.desired - s.available if isinstance(s, KubeWorkload) else s.pending
        if column in ("cpu", "mem", "spark", "cost", "spent"):
            return getattr(self.extra_cells(s).get(column), "sort_value", None)
        return self.text_sort_value(s, column)

    def cells(self, s: Service | KubeWorkload) -> dict[str, Text]:
        """One service (or Kubernetes workload) as a row (built only while on screen)."""
        p = self.palette
        texts = self.texts(s)
        extra = self.extra_cells(s)
        cells: dict[str, Text] = {k: Text(v) for k, v in texts.items()}
        if isinstance(s, KubeWorkload):
            kind = self._kind(s.ready, s.desired)
            cells["tasks"] = Text(texts["tasks"], style=p.style(kind))
        else:
            tasks, deploy = service_status(s, p, self.problems.get(s.arn))
            cells["name"] = _flagged(Text(texts["name"]), extra)
            cells["tasks"], cells["deploy"] = tasks, deploy
        for col in ("cpu", "mem", "spark", "cost", "spent"):
            cells[col] = extra.get(col) or Text("" if col == "spark" else "-")
        return cells


def _severity(w: KubeWorkload) -> int:
    """A workload's severity as the problems view ranks it below desired (9: none), so
    services and workloads sort together, the sick first."""
    if w.available >= w.desired:
        return 9
    return 1 if w.available == 0 else 2 if w.available / w.desired < 0.5 else 3

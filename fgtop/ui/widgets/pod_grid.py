"""The pod grid: EKS Fargate pods, with the same keys and look as the task grid."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text

from fgtop.cost.estimate import CostSummary
from fgtop.model import Pod
from fgtop.ui import fmt
from fgtop.ui.cells import cell_str, dollars, money
from fgtop.ui.palette import Palette, pod_phase_kind
from fgtop.ui.widgets.resource_columns import Column
from fgtop.ui.widgets.resource_table import Cell, ResourceTable
from fgtop.ui.widgets.task_grid import STATUS_RANK


class PodGrid(ResourceTable[Pod]):
    """The grid of Kubernetes pods."""

    COLUMNS: ClassVar = (
        Column("phase", "PHASE", priority=0, max=13, letter="H"),
        Column("namespace", "NAMESPACE", priority=2, max=20, letter="N"),
        Column("name", "POD", priority=0, min=12, max=40, letter="P"),
        Column("ready", "READY", priority=1, max=6, letter="Y"),
        Column("restarts", "RESTARTS", priority=1, max=8, right=True, descending=True, letter="E"),
        Column("reason", "REASON", priority=0, min=12, max=40, letter="O"),
        Column("profile", "PROFILE", priority=4, max=20, letter="L"),
        Column("size", "SIZE", priority=4, max=14, letter="I"),
        Column("node", "NODE", priority=5, max=30, letter="D"),
        Column("ip", "IP", priority=5, max=15),
        Column("age", "AGE", 6, priority=3, live=True, letter="A"),
        Column("cost", "$/H", 7, priority=3, live=True, right=True, descending=True, letter="$"),
        Column(
            "spent", "$ SO FAR", 9, priority=4, live=True, right=True, descending=True, letter="F"
        ),
        Column("cluster", "CLUSTER", priority=5, max=20, letter="U"),
    )
    DEFAULT_SORT: ClassVar = ("phase", False)

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.palette = Palette()
        self.costs: CostSummary | None = None

    def texts(self, pod: Pod) -> dict[str, str]:
        """The plain text of a pod's own columns."""
        kind = pod_phase_kind(pod.phase, pod.reason)
        return {
            "phase": f"{self.palette.glyph(kind)} {cell_str(pod.phase)}",
            "namespace": cell_str(pod.namespace),
            "name": cell_str(pod.name),
            "ready": cell_str(pod.ready),
            "restarts": str(pod.restarts),
            "reason": cell_str(pod.reason or ""),
            "profile": cell_str(pod.fargate_profile or _no_profile(pod)),
            "size": cell_str(pod.capacity_provisioned or "-"),
            "node": cell_str(pod.node or "-"),
            "ip": cell_str(pod.ip or "-"),
            "cluster": cell_str(pod.cluster),
        }

    def _cost(self, pod: Pod, column: str) -> Cell:
        if column == "cost":
            return money(self.costs.pod_rates.get(pod.key) if self.costs else None)
        return dollars(self.costs.pod_costs.get(pod.key) if self.costs else None)

    def sort_value(self, pod: Pod, column: str) -> object:
        """What each column sorts by (phase: problems first, then by namespace)."""
        if column == "phase":
            kind = pod_phase_kind(pod.phase, pod.reason)
            return (STATUS_RANK.get(kind, 9), pod.namespace)
        if column == "restarts":
            return -pod.restarts
        if column == "age":
            return -(pod.started_at or pod.created_at or 0)
        if column in ("cost", "spent"):
            return self._cost(pod, column).sort_value
        return self.text_sort_value(pod, column)

    def cells(self, pod: Pod) -> dict[str, Text]:
        """One pod as a row (built only while it is on screen)."""
        p = self.palette
        texts = self.texts(pod)
        kind = pod_phase_kind(pod.phase, pod.reason)
        cells: dict[str, Text] = {k: Text(v) for k, v in texts.items()}
        cells["phase"] = Text(texts["phase"], style=p.style(kind))
        cells["reason"] = Text(texts["reason"], style=p.style("failed") if pod.reason else "")
        cells["age"] = Text(fmt.age(pod.started_at or pod.created_at, self.now))
        cells["cost"] = self._cost(pod, "cost")
        cells["spent"] = self._cost(pod, "spent")
        return cells


def _no_profile(pod: Pod) -> str:
    """What the PROFILE column says for a pod no Fargate profile admitted."""
    if pod.is_fargate:
        return "-"
    if pod.phase == "Pending" and not pod.node:
        return "none matches"
    return "(not Fargate)"

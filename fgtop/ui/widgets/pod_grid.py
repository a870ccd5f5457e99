"""The pod grid: EKS Fargate pods, with the same keys and look as the task grid."""

from __future__ import annotations

from typing import ClassVar

from fgtop.cost.estimate import CostSummary
from fgtop.model import Pod
from fgtop.ui import fmt
from fgtop.ui.cells import dollars, money, text_cell
from fgtop.ui.palette import Palette, pod_phase_kind
from fgtop.ui.widgets.resource_table import Cell, Column, ResourceTable
from fgtop.ui.widgets.task_grid import STATUS_RANK


class PodGrid(ResourceTable[Pod]):
    """The grid of Kubernetes pods."""

    COLUMNS: ClassVar = (
        Column("phase", "PHASE", 11),
        Column("namespace", "NAMESPACE"),
        Column("name", "POD"),
        Column("ready", "READY", 6),
        Column("restarts", "RESTARTS", 8),
        Column("reason", "REASON"),
        Column("profile", "PROFILE"),
        Column("size", "SIZE", 14),
        Column("node", "NODE"),
        Column("ip", "IP", 15),
        Column("age", "AGE", 6),
        Column("cost", "$/H", 8),
        Column("spent", "$ SO FAR", 9),
        Column("cluster", "CLUSTER"),
    )
    DEFAULT_SORT: ClassVar = ("phase", False)

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.palette = Palette()
        self.now = 0.0
        self.costs: CostSummary | None = None

    def cells(self, pod: Pod) -> dict[str, Cell]:
        """One pod as a row."""
        p = self.palette
        reason = pod.reason
        kind = pod_phase_kind(pod.phase, reason)
        phase = text_cell(pod.phase, style=p.style(kind), prefix=f"{p.glyph(kind)} ")
        start = pod.started_at or pod.created_at
        rate = self.costs.pod_rates.get(pod.key) if self.costs else None
        return {
            "phase": Cell(phase, sort_value=(STATUS_RANK.get(kind, 9), pod.namespace)),
            "namespace": text_cell(pod.namespace),
            "name": text_cell(pod.name),
            "ready": text_cell(pod.ready),
            "restarts": Cell(str(pod.restarts), sort_value=-pod.restarts),
            "reason": text_cell(reason, style=p.style("failed") if reason else ""),
            "profile": text_cell(pod.fargate_profile or _no_profile(pod)),
            "size": text_cell(pod.capacity_provisioned or "-"),
            "node": text_cell(pod.node or "-"),
            "ip": text_cell(pod.ip or "-"),
            "age": Cell(fmt.age(start, self.now), sort_value=-(start or 0)),
            "cost": money(rate),
            "spent": dollars(self.costs.pod_costs.get(pod.key) if self.costs else None),
            "cluster": text_cell(pod.cluster),
        }


def _no_profile(pod: Pod) -> str:
    """What the PROFILE column says for a pod no Fargate profile admitted."""
    if pod.is_fargate:
        return "-"
    if pod.phase == "Pending" and not pod.node:
        return "none matches"
    return "(not Fargate)"

"""The Kubernetes workload kind (Deployments, StatefulSets): rows of the services table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from fgtop.cost.estimate import usd
from fgtop.kinds.base import BY_TEXT, Cell, Kind, LogTarget, Scope, View
from fgtop.kinds.columns import Column
from fgtop.kinds.common import account_text, cell_str, money, state_json, status_cells
from fgtop.kinds.pod import KIND as POD
from fgtop.kinds.service import KIND as SERVICE
from fgtop.model import KubeWorkload, Pod, Snapshot


def rate(view: View, workload: KubeWorkload) -> Decimal | None:
    """The workload's $/h (its pods'), as the cost breakdown has it (the frame's figure)."""
    return view.derived.figures.workload_rate(workload)


def workload_status(workload: KubeWorkload, view: View) -> tuple[Cell, Cell]:
    """RUN/DES (ready replicas) and DEPLOYMENT of a workload, from its derived state: the
    services' rule, so services and workloads sort together, the sick first."""
    derived = view.derived.figures.state(workload)
    return status_cells(workload.ready, workload.desired, workload.name, view, derived)


def workload_pod(snapshot: Snapshot, workload: KubeWorkload) -> Pod | None:
    """A pod of a workload, the least healthy first (by restarts, then not ready)."""
    pods = [
        p
        for p in snapshot.pods
        if p.cluster == workload.cluster
        and p.namespace == workload.namespace
        and p.name.startswith(workload.name + "-")
    ]
    pods.sort(key=lambda p: (p.phase == "Running", -p.restarts))
    return pods[0] if pods else None


class WorkloadKind(Kind[KubeWorkload]):
    """Kubernetes Deployments and StatefulSets, in the services table."""

    name = "workload"
    plural = "workloads"
    model = KubeWorkload
    table = "service"
    json_key = "workloads"
    columns: ClassVar[tuple[Column, ...]] = SERVICE.columns

    def items(self, view: View) -> Sequence[KubeWorkload]:
        """Every workload of the snapshot."""
        return view.snapshot.workloads

    def resolve(self, snapshot: Snapshot, target: str, cluster: str | None) -> KubeWorkload | None:
        """``namespace/kind/name``."""
        parts = target.split("/")
        if target.startswith("arn:") or len(parts) != 3:
            return None
        ns, kind, name = parts
        for w in snapshot.workloads:
            if (
                w.namespace == ns
                and w.kind.lower() == kind
                and w.name == name
                and (cluster is None or w.cluster == cluster)
            ):
                return w
        return None

    def texts(self, item: KubeWorkload, view: View) -> Mapping[str, str]:
        """Its ready replicas as RUN/DES, its rollout (or its worst lasting problem, its own or
        its pods') as DEPLOYMENT."""
        tasks, deploy = workload_status(item, view)
        return {
            "account": account_text(view, item.account),
            "name": cell_str(f"{item.namespace}/{item.name}"),
            "cluster": cell_str(item.cluster),
            "region": cell_str(f"k8s {item.kind.lower()}"[:12]),
            "tasks": tasks.plain,
            "pending": str(max(0, item.desired - item.available)),
            "deploy": deploy.plain,
        }

    def sort_value(self, item: KubeWorkload, column: str, view: View) -> Any:
        """RUN/DES sorts with the services: the sick first."""
        if column == "tasks":
            return workload_status(item, view)[0].sort
        if column == "pending":
            return item.desired - item.available
        return BY_TEXT

    def cells(self, item: KubeWorkload, view: View) -> Mapping[str, Cell]:
        """RUN/DES and DEPLOYMENT flagged as the services' are."""
        cells = {k: Cell(v) for k, v in self.texts(item, view).items()}
        cells["tasks"], cells["deploy"] = workload_status(item, view)
        return cells

    def live_cells(self, item: KubeWorkload, view: View) -> Mapping[str, Cell]:
        """Its $/h, when priced."""
        if view.derived.figures.cost is None:
            return {}
        return {"cost": money(rate(view, item))}

    def document(self, item: KubeWorkload, view: View) -> dict[str, Any]:
        """The workload as ``fgtop snapshot`` prints it: replicas, state, $/h."""
        doc: dict[str, Any] = {
            "cluster": item.cluster,
            "namespace": item.namespace,
            "name": item.name,
            "kind": item.kind,
            "desired": item.desired,
            "ready": item.ready,
            "available": item.available,
            "updated": item.updated,
        }
        doc.update(state_json(view.derived.figures.state(item)))
        if view.derived.figures.cost is not None:
            doc["cost_per_hour"] = usd(rate(view, item))
        return doc

    def label(self, item: KubeWorkload) -> str:
        """``namespace/name``."""
        return f"{item.namespace}/{item.name}"

    def stand_in(self, item: KubeWorkload, snapshot: Snapshot) -> Pod | None:
        """Its pods say why: the least healthy one."""
        return workload_pod(snapshot, item)

    def logs(self, item: KubeWorkload, snapshot: Snapshot) -> LogTarget | None:
        """Its least healthy pod's lines."""
        pod = workload_pod(snapshot, item)
        return POD.logs(pod, snapshot) if pod is not None else None

    def insights_scope(self, item: KubeWorkload, snapshot: Snapshot) -> Scope | str:
        """None: Logs Insights is CloudWatch's."""
        return "Logs Insights queries CloudWatch Logs: select an ECS task or service"


KIND = WorkloadKind()

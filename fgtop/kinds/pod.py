"""The Kubernetes pod kind: the pod grid's columns, its JSON, describe, details and logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fgtop.cost.estimate import usd
from fgtop.kinds import sections
from fgtop.kinds.base import BY_TEXT, Cell, Details, Kind, LogTarget, Scope, View, Words
from fgtop.kinds.columns import Column
from fgtop.kinds.common import ACCOUNT, account_text, as_float, cell_str, dollars, money
from fgtop.kinds.documents import iso, json_ready
from fgtop.model import ContainerState, Pod, Snapshot
from fgtop.model.ecs import STATUS_RANK
from fgtop.text import fmt


def rate(view: View, pod: Pod) -> Decimal | None:
    """The pod's $/h (None once it no longer holds capacity): the frame's figure."""
    return view.derived.figures.pod_rate(pod)


def spent(view: View, pod: Pod) -> Decimal | None:
    """The pod's cost so far (the frame's figure)."""
    return view.derived.figures.pod_spent(pod)


def no_profile(pod: Pod) -> str:
    """What the PROFILE column says for a pod no Fargate profile admitted."""
    if pod.is_fargate:
        return "-"
    if pod.phase == "Pending" and not pod.node:
        return "none matches"
    return "(not Fargate)"


def pod_json(p: Pod) -> dict[str, Any]:
    """One pod as its documented JSON object (without cost)."""
    return {
        "namespace": p.namespace,
        "name": p.name,
        "account": p.account,
        "cluster": p.cluster,
        "context": p.context,
        "phase": p.phase,
        "ready": p.ready,
        "restarts": p.restarts,
        "reason": p.reason,
        "fargate_profile": p.fargate_profile,
        "capacity_provisioned": p.capacity_provisioned,
        "node": p.node,
        "ip": p.ip,
        "started_at": iso(p.started_at),
    }


def _state(c: ContainerState | None) -> str:
    if c is None:
        return "-"
    text = c.state
    if c.reason:
        text += f" ({c.reason})"
    if c.exit_code is not None:
        text += f" exit {c.exit_code}"
    if c.finished_at:
        text += f" at {fmt.when(c.finished_at)}"
    return text


def pod_details(pod: Pod, snapshot: Snapshot, events_filter: str = "") -> RenderableType:
    """A pod: containers with state and last state, recent events, Fargate profile match."""
    info = sections.key_values(
        [
            ("Pod", f"{pod.namespace}/{pod.name}"),
            ("Cluster", f"{pod.cluster}" + (f" (context {pod.context})" if pod.context else "")),
            ("Phase", pod.phase),
            ("Reason", pod.reason),
            ("Ready", pod.ready),
            ("Restarts", str(pod.restarts)),
            ("Scheduler", pod.scheduler),
            ("Node", pod.node),
            ("IP", pod.ip),
            ("Fargate profile", pod.fargate_profile),
            ("Provisioned", pod.capacity_provisioned),
            ("Owner", pod.owner),
            ("Created", fmt.when(pod.created_at)),
            ("Started", fmt.when(pod.started_at)),
        ]
    )
    containers = Table(title="Containers", title_justify="left", expand=True)
    for col in ("NAME", "READY", "RESTARTS", "STATE", "LAST STATE", "IMAGE"):
        containers.add_column(col, overflow="fold")
    for c in pod.containers:
        containers.add_row(
            sections.short(c.name + (" (init)" if c.init else "")),
            Text("yes" if c.ready else "no"),
            Text(str(c.restarts)),
            sections.long(_state(c.state)),
            sections.long(
                _state(c.last_state),
                style="bold red" if c.last_state and c.last_state.exit_code else "",
            ),
            sections.short(c.image),
        )
    mine = [
        e for e in snapshot.kube_events if e.involved == pod.name and e.namespace == pod.namespace
    ]
    events = sections.events(
        [
            (
                Text(fmt.when(e.last_seen)),
                sections.short(f"{e.type} {e.reason}"),
                sections.long(e.message),
            )
            for e in sorted(mine, key=lambda e: e.last_seen or 0, reverse=True)[:15]
        ],
        events_filter,
    )
    parts: list[RenderableType] = [
        sections.title("Pod", pod.name),
        info,
        Text(""),
        containers,
        Text(""),
        events,
    ]
    cluster = next(
        (k for k in snapshot.kube_clusters if (k.account, k.name) == (pod.account, pod.cluster)),
        None,
    )
    if cluster is not None and cluster.fargate_profiles:
        profiles = Table(title="Fargate profiles", title_justify="left", expand=True)
        for col in ("PROFILE", "SELECTORS", "MATCHES THIS POD"):
            profiles.add_column(col, overflow="fold")
        for prof in cluster.fargate_profiles:
            sel = "; ".join(
                s.namespace
                + (" " + ",".join(f"{k}={v}" for k, v in s.labels.items()) if s.labels else "")
                for s in prof.selectors
            )
            match = prof.matches(pod.namespace, pod.labels)
            profiles.add_row(
                sections.short(prof.name),
                sections.long(sel),
                Text("yes" if match else "no", style="" if match else "bold"),
            )
        parts += [Text(""), profiles]
    elif pod.is_fargate or pod.phase == "Pending":
        parts += [
            Text(""),
            Text(
                "Fargate profiles unknown for this cluster (run with --eks to read them).",
                style="dim",
            ),
        ]
    return Group(*parts)


class PodKind(Kind[Pod]):
    """Kubernetes pods: the pod grid, with the same keys and look as the task grid."""

    name = "pod"
    plural = "pods"
    model = Pod
    describable = True
    detailed = True
    table = "pod"
    tab = True
    json_key = "pods"
    words = Words("pods", ("pod", "po"), "EKS pods view (optional filter)")
    # Identity and status first and never hidden (pods have no CPU% or MEM% series).
    columns: ClassVar[tuple[Column, ...]] = (
        Column("name", "POD", priority=0, min=12, max=40, letter="P"),
        Column("phase", "PHASE", priority=0, max=13, letter="H"),
        Column("ready", "READY", priority=1, max=6, letter="Y"),
        Column("restarts", "RESTARTS", priority=1, max=8, right=True, descending=True, letter="E"),
        Column("reason", "REASON", priority=1, min=12, max=40, fill=True, letter="O"),
        Column("namespace", "NAMESPACE", priority=2, max=20, letter="N"),
        Column("age", "AGE", 6, priority=3, live=True, letter="A"),
        Column("cost", "$/H", 7, priority=3, live=True, right=True, descending=True, letter="$"),
        Column("profile", "PROFILE", priority=4, max=20, letter="L"),
        Column("size", "SIZE", priority=4, max=14, letter="I"),
        Column(
            "spent", "$ SO FAR", 9, priority=4, live=True, right=True, descending=True, letter="F"
        ),
        Column("node", "NODE", priority=5, max=30, letter="D"),
        Column("ip", "IP", priority=5, max=15),
        Column("cluster", "CLUSTER", priority=5, max=20, letter="U"),
        ACCOUNT,
    )
    default_sort = ("phase", False)

    def items(self, view: View) -> Sequence[Pod]:
        """Every pod of the snapshot."""
        return view.snapshot.pods

    def resolve(self, snapshot: Snapshot, target: str, cluster: str | None) -> Pod | None:
        """``namespace/pod`` (in ``cluster``), or a pod key ``cluster/namespace/pod``."""
        parts = target.split("/")
        if target.startswith("arn:"):
            return None
        if len(parts) == 2:
            for pod in snapshot.pods:
                if pod.target == target and (cluster is None or pod.cluster == cluster):
                    return pod
        elif len(parts) == 3:
            for pod in snapshot.pods:
                if pod.key == target:
                    return pod
        return None

    def texts(self, item: Pod, view: View) -> Mapping[str, str]:
        """The plain text of a pod's own columns."""
        return {
            "account": account_text(view, item.account),
            "phase": f"{view.glyph(item.phase_kind)} {cell_str(item.phase)}",
            "namespace": cell_str(item.namespace),
            "name": cell_str(item.name),
            "ready": cell_str(item.ready),
            "restarts": str(item.restarts),
            "reason": cell_str(item.reason or ""),
            "profile": cell_str(item.fargate_profile or no_profile(item)),
            "size": cell_str(item.capacity_provisioned or "-"),
            "node": cell_str(item.node or "-"),
            "ip": cell_str(item.ip or "-"),
            "cluster": cell_str(item.cluster),
        }

    def sort_value(self, item: Pod, column: str, view: View) -> Any:
        """Phase: problems first, then by namespace; restarts: most first."""
        if column == "phase":
            return (STATUS_RANK.get(item.phase_kind, 9), item.namespace)
        if column == "restarts":
            return -item.restarts
        return BY_TEXT

    def cells(self, item: Pod, view: View) -> Mapping[str, Cell]:
        """Phase in its colour, a reason in the failed colour."""
        texts = self.texts(item, view)
        cells = {k: Cell(v) for k, v in texts.items()}
        cells["phase"] = Cell(texts["phase"], tone=item.phase_kind)
        cells["reason"] = Cell(texts["reason"], tone="failed" if item.reason else "")
        return cells

    def live_cells(self, item: Pod, view: View) -> Mapping[str, Cell]:
        """Age, $/h and $ so far."""
        start = item.started_at or item.created_at
        return {
            "age": Cell(fmt.age(start, view.at), sort=-(start or 0)),
            "cost": money(rate(view, item)),
            "spent": dollars(spent(view, item)),
        }

    def live_values(self, item: Pod, view: View) -> Mapping[str, Any]:
        """What age and cost sort by."""
        start = item.started_at or item.created_at
        return {
            "age": -(start or 0),
            "cost": as_float(rate(view, item)),
            "spent": as_float(spent(view, item)),
        }

    def document(self, item: Pod, view: View) -> dict[str, Any]:
        """``pod_json``, with the cost figures when priced: the pods table's (``cost_per_hour``
        null once the pod no longer holds capacity)."""
        doc = pod_json(item)
        cost = view.derived.figures.cost
        if cost is not None:
            now = rate(view, item)
            doc["cost_per_hour"] = usd(now)
            doc["cost_per_hour_list"] = usd(
                cost.pod_rates_list.get(item.key) if now is not None else None
            )
            doc["cost_so_far"] = usd(spent(view, item))
            doc["cost_so_far_list"] = usd(cost.pod_costs_list.get(item.key))
        return doc

    def describe(self, item: Pod, snapshot: Snapshot) -> dict[str, Any]:
        """The pod's document as the API gave it."""
        return json_ready(
            item.raw or {"metadata": {"name": item.name, "namespace": item.namespace}}
        )

    def label(self, item: Pod) -> str:
        """``namespace/name``."""
        return item.target

    def details(self, item: Pod, view: View) -> Details:
        """Containers, events, Fargate profiles."""
        return Details(pod_details(item, view.snapshot, view.events_filter))

    def logs(self, item: Pod, snapshot: Snapshot) -> LogTarget:
        """Its containers' lines (the previous container's first when it crash-loops)."""
        return LogTarget(
            f"pod {item.namespace}/{item.name} ({item.cluster})",
            pod=item,
            containers=tuple(c.name for c in item.containers),
        )

    def stopped_at(self, item: Pod) -> float | None:
        """When a container of it last died."""
        return item.last_death

    def insights_scope(self, item: Pod, snapshot: Snapshot) -> Scope | str:
        """None: Logs Insights is CloudWatch's."""
        return "Logs Insights queries CloudWatch Logs: select an ECS task or service"


KIND = PodKind()

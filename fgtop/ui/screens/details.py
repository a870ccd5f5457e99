"""Details of one task or service, kept live as snapshots arrive."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from fgtop.model import Pod, Service, Snapshot, Task
from fgtop.ui import fmt
from fgtop.ui.screens.base import FgtopScreen


def _kv(rows: list[tuple[str, str | None]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, Text(value if value not in (None, "") else "-"))
    return table


def task_details(task: Task, snapshot: Snapshot) -> RenderableType:
    """Everything about one task: identity, size, times, the stopped reason in full, containers."""
    td = snapshot.task_definition(task.task_definition)
    title = Text(f"Task {task.id}", style="bold")
    info = _kv(
        [
            ("ARN", task.arn),
            ("Status", f"{task.last_status} (desired {task.desired_status})"),
            ("Health", task.health),
            ("Service", task.service or f"standalone ({task.group or '-'})"),
            ("Started by", task.started_by),
            ("Cluster", f"{task.cluster} ({task.region})"),
            ("Task definition", task.family_revision),
            (
                "Size",
                fmt.size(task.cpu, task.memory) + ("" if td is None or task.cpu else " (unknown)"),
            ),
            (
                "Capacity",
                f"{task.capacity_provider or task.launch_type} · {task.arch or 'arch unknown'} · {task.os}",
            ),
            ("Storage", f"{task.ephemeral_storage_gib} GiB ephemeral"),
            (
                "Placement",
                f"{task.az or '-'} · {task.private_ip or '-'} · platform {task.platform_version or '-'}",
            ),
            ("Created", fmt.when(task.created_at)),
            ("Started", fmt.when(task.started_at)),
            ("Stopped", fmt.when(task.stopped_at)),
            ("Stop code", task.stop_code),
            ("Stopped reason", task.stopped_reason),
        ]
    )
    containers = Table(title="Containers", title_justify="left", expand=True)
    for col in ("NAME", "STATUS", "EXIT", "HEALTH", "REASON", "IMAGE"):
        containers.add_column(col, overflow="fold")
    for c in task.containers:
        exit_style = "bold red" if c.exit_code not in (None, 0) else ""
        containers.add_row(
            Text(c.name),
            Text(c.last_status),
            Text("-" if c.exit_code is None else str(c.exit_code), style=exit_style),
            Text(c.health),
            Text(c.reason or "-"),
            Text(c.image),
        )
    parts: list[RenderableType] = [title, info, Text(""), containers]
    if task.tags:
        parts += [Text(""), Text("Tags", style="bold"), _kv(sorted(task.tags.items()))]
    return Group(*parts)


def service_details(service: Service, snapshot: Snapshot) -> RenderableType:
    """A service: counts, deployments and recent events."""
    info = _kv(
        [
            ("ARN", service.arn),
            ("Status", service.status),
            (
                "Tasks",
                f"running {service.running} / desired {service.desired}, pending {service.pending}",
            ),
            ("Task definition", service.task_definition.rsplit("/", 1)[-1]),
            ("Deployment", service.deployment_state),
            ("Circuit breaker", "on" if service.circuit_breaker else "off"),
        ]
    )
    deps = Table(title="Deployments", title_justify="left", expand=True)
    for col in ("STATUS", "ROLLOUT", "TASKDEF", "RUN/DES", "PEND", "FAILED", "REASON"):
        deps.add_column(col, overflow="fold")
    for d in service.deployments:
        deps.add_row(
            Text(d.status),
            Text(d.rollout_state or "-", style="bold red" if d.rollout_state == "FAILED" else ""),
            Text(d.task_definition.rsplit("/", 1)[-1]),
            Text(f"{d.running}/{d.desired}"),
            Text(str(d.pending)),
            Text(str(d.failed_tasks)),
            Text(d.rollout_state_reason or "-"),
        )
    events = Table(title="Events", title_justify="left", expand=True, show_header=False)
    events.add_column(no_wrap=True)
    events.add_column(overflow="fold")
    for e in service.events:
        events.add_row(Text(fmt.when(e.created_at)), Text(e.message))
    return Group(
        Text(f"Service {service.name}", style="bold"), info, Text(""), deps, Text(""), events
    )


def _state(c) -> str:  # noqa: ANN001 - a ContainerState
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


def pod_details(pod: Pod, snapshot: Snapshot) -> RenderableType:
    """A pod: containers with state and last state, recent events, Fargate profile match."""
    info = _kv(
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
            Text(c.name + (" (init)" if c.init else "")),
            Text("yes" if c.ready else "no"),
            Text(str(c.restarts)),
            Text(_state(c.state)),
            Text(
                _state(c.last_state),
                style="bold red" if c.last_state and c.last_state.exit_code else "",
            ),
            Text(c.image),
        )
    events = Table(title="Events", title_justify="left", expand=True, show_header=False)
    events.add_column(no_wrap=True)
    events.add_column(no_wrap=True)
    events.add_column(overflow="fold")
    mine = [
        e for e in snapshot.kube_events if e.involved == pod.name and e.namespace == pod.namespace
    ]
    for e in sorted(mine, key=lambda e: e.last_seen or 0, reverse=True)[:15]:
        events.add_row(Text(fmt.when(e.last_seen)), Text(f"{e.type} {e.reason}"), Text(e.message))
    parts: list[RenderableType] = [
        Text(f"Pod {pod.name}", style="bold"),
        info,
        Text(""),
        containers,
        Text(""),
        events,
    ]
    cluster = next((k for k in snapshot.kube_clusters if k.name == pod.cluster), None)
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
                Text(prof.name),
                Text(sel),
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


class DetailsScreen(FgtopScreen):
    """A live details view of one resource; ``esc`` goes back."""

    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("l", "logs", "Logs"),
        Binding("t", "logs_at_stop", "Logs at stop"),
        Binding("d", "describe", "Describe"),
    ]

    def __init__(self, kind: str, key: str) -> None:
        super().__init__()
        self.kind = kind
        """``task`` or ``service``."""
        self.key = key

    def compose(self) -> ComposeResult:
        """A scrolling body and the footer of keys."""
        with VerticalScroll():
            yield Static(id="body")
        yield Footer()

    def find(self, snapshot: Snapshot) -> Task | Service | Pod | None:
        """The resource in this snapshot."""
        item = snapshot.find(self.key)
        wanted = {"task": Task, "service": Service, "pod": Pod}[self.kind]
        return item if isinstance(item, wanted) else None

    def action_logs(self) -> None:
        """The logs of this resource."""
        self.app.open_logs(self.key)  # type: ignore[attr-defined]

    def action_logs_at_stop(self) -> None:
        """The logs around the moment this task stopped (or this pod's container last died)."""
        snapshot = self.app.snapshot  # type: ignore[attr-defined]
        item = self.find(snapshot) if snapshot else None
        at = None
        if isinstance(item, Task):
            at = item.stopped_at or item.stopping_at
        elif isinstance(item, Pod):
            ends = [
                c.last_state.finished_at
                for c in item.containers
                if c.last_state and c.last_state.finished_at
            ]
            at = max(ends) if ends else None
        if at is None:
            self.notify("it has not stopped: showing the latest logs", timeout=3)
        self.app.open_logs(self.key, at=at)  # type: ignore[attr-defined]

    def action_describe(self) -> None:
        """The raw document of this resource."""
        self.app.open_describe(self.key)  # type: ignore[attr-defined]

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Re-render from a new snapshot."""
        item = self.find(snapshot)
        body = self.query_one("#body", Static)
        if item is None:
            body.update(
                Text(f"{self.kind} {fmt.short_arn(self.key)} is no longer reported by ECS.")
            )
        elif isinstance(item, Task):
            body.update(task_details(item, snapshot))
        elif isinstance(item, Pod):
            body.update(pod_details(item, snapshot))
        else:
            body.update(service_details(item, snapshot))

"""Details of one task or service, kept live as snapshots arrive."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from fgtop.model import Service, Snapshot, Task
from fgtop.ui import fmt


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


class DetailsScreen(Screen):
    """A live details view of one resource; ``esc`` goes back."""

    BINDINGS: ClassVar = [Binding("escape", "app.pop_screen", "Back")]

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

    def on_mount(self) -> None:
        """Render from the app's latest snapshot."""
        if self.app.snapshot is not None:  # type: ignore[attr-defined]
            self.show_snapshot(self.app.snapshot)  # type: ignore[attr-defined]

    def find(self, snapshot: Snapshot) -> Task | Service | None:
        """The resource in this snapshot."""
        items = snapshot.tasks if self.kind == "task" else snapshot.services
        return next((i for i in items if i.key == self.key), None)

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
        else:
            body.update(service_details(item, snapshot))

"""Details of one task or service, kept live as snapshots arrive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from fgtop.derive.decoder import SEVERITY_NAMES, decode_task
from fgtop.derive.deployments import DeploymentRecord, newest_first
from fgtop.derive.taskdef_diff import text_lines
from fgtop.model import Pod, Service, Snapshot, Task
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui import fmt
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.metric_chart import WINDOWS, MetricChart

LONG_CHARS = 2_000
"""Cap on a reason or message shown in details (the full value is in describe)."""
KEY_CHARS = 80
"""Cap on a label or tag key in the left column."""


def _t(value: object, style: str = "") -> Text:
    """A name as a details cell: controls visible, markup literal, capped."""
    return safe(value, style=style)


def _long(value: object, style: str = "") -> Text:
    """A reason, a message or an event: folded, up to :data:`LONG_CHARS`."""
    return safe(value, max_chars=LONG_CHARS, style=style)


def _kv(rows: list[tuple[str, str | None]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, max_width=KEY_CHARS)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(
            safe(key, max_chars=KEY_CHARS),
            _long(value if value not in (None, "") else "-"),
        )
    return table


def _title(kind: str, name: str) -> Text:
    title = Text(f"{kind} ", style="bold")
    return title.append_text(safe(name, style="bold"))


def task_details(task: Task, snapshot: Snapshot) -> RenderableType:
    """Everything about one task: identity, size, times, the stopped reason in full, containers."""
    td = snapshot.task_definition(task.task_definition)
    title = _title("Task", task.id)
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
            _t(c.name),
            _t(c.last_status),
            Text("-" if c.exit_code is None else str(c.exit_code), style=exit_style),
            _t(c.health),
            _long(c.reason or "-"),
            _t(c.image),
        )
    parts: list[RenderableType] = [title, info, Text(""), containers]
    if task.tags:
        parts += [Text(""), Text("Tags", style="bold"), _kv(sorted(task.tags.items()))]
    return Group(*parts)


def task_why(task: Task) -> RenderableType | None:
    """Why a task stopped (or is failing), decoded, with the next step; None when it is fine."""
    decoded = decode_task(task)
    if decoded is None:
        return None
    stopped = task.last_status in {"STOPPED", "DEPROVISIONING", "STOPPING"} or task.stopped_at
    style = "bold red" if decoded.abnormal else "bold"
    head = Text(f"Task {task.id[:8]} ", style=style)
    if stopped:
        head.append(f"stopped {fmt.when(task.stopped_at)}" if task.stopped_at else "is stopping")
    else:
        head.append("is failing")
    if decoded.abnormal:
        head.append(f" · {SEVERITY_NAMES.get(decoded.severity, '?')}", style="dim")
    return Group(
        head,
        _kv([("What happened", decoded.reason), ("Next step", decoded.next_step)]),
    )


def task_chart_range(task: Task, now: float) -> tuple[float, int]:
    """The right edge and window of a task's chart: a stopped task's ends a minute after its
    stop, and the window is the smallest that holds its run (at most an hour)."""
    end = min(now, task.stopped_at + 60) if task.stopped_at else now
    begin = task.started_at or task.created_at or end - WINDOWS[0]
    span = end - begin
    window = next((w for w in WINDOWS if w >= span), WINDOWS[-1])
    return end, min(window, 3600)


def service_details(
    service: Service, snapshot: Snapshot, history: Sequence[DeploymentRecord] = ()
) -> RenderableType:
    """A service: counts, its deployments as fgtop has seen them, the newest one's changes,
    recent events.

    ``history`` is the service's deployment history (the timeline's); without it, the
    deployments ECS lists now.
    """
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
    records = newest_first([r for r in history if r.service == service.arn])
    parts: list[RenderableType] = [_title("Service", service.name), info, Text("")]
    parts.append(_deployments(service, records))
    if records:
        parts += [Text(""), _newest_changes(records[0])]
    events = Table(title="Events", title_justify="left", expand=True, show_header=False)
    events.add_column(no_wrap=True)
    events.add_column(overflow="fold")
    for e in service.events:
        events.add_row(Text(fmt.when(e.created_at)), _long(e.message))
    return Group(*parts, Text(""), events)


def _deployments(service: Service, records: Sequence[DeploymentRecord]) -> Table:
    """The deployments table: the history, newest first, with how each ended (else what ECS
    lists now, with its status)."""
    title = "Deployments (as fgtop has seen them)" if records else "Deployments"
    deps = Table(title=title, title_justify="left", expand=True)
    rows = [
        (
            r.started_at,
            r.task_definition,
            r.ended,
            r.rollout_state,
            f"{r.running}/{r.desired}" if r.listed else "-",
            r.failed_tasks,
            r.rollout_state_reason,
        )
        for r in records
    ] or [
        (
            d.created_at,
            d.task_definition,
            d.status,
            d.rollout_state,
            f"{d.running}/{d.desired}",
            d.failed_tasks,
            d.rollout_state_reason,
        )
        for d in service.deployments
    ]
    deps.add_column("STARTED", no_wrap=True)
    # Names and states are single-line cells: the columns are as wide as they need.
    width = min(KEY_CHARS, max((len(r[1].rsplit("/", 1)[-1]) for r in rows), default=7))
    deps.add_column("TASKDEF", min_width=width)
    deps.add_column("ENDED" if records else "STATUS", min_width=19 if records else 8)
    for col in ("ROLLOUT", "RUN/DES", "FAILED"):
        deps.add_column(col, no_wrap=True)
    deps.add_column("REASON", overflow="fold")
    for started, td, state, rollout, counts, failed, reason in rows:
        bad = rollout == "FAILED"
        deps.add_row(
            Text(fmt.when(started)),
            _t(td.rsplit("/", 1)[-1]),
            _t(state, style="bold red" if bad else ""),
            _t(rollout or "-", style="bold red" if bad else ""),
            Text(counts),
            Text(str(failed), style="bold red" if failed else ""),
            Text(safe_str(reason or "-", max_chars=LONG_CHARS)),
        )
    return deps


def _newest_changes(record: DeploymentRecord) -> RenderableType:
    """What the newest deployment changed, against the one before it."""
    title = Text("Changes in the newest deployment: ", style="bold")
    title.append_text(safe(record.replaced, style="bold"))
    if record.previous is None:
        return Group(title, Text("the deployment before it was not seen", style="dim"))
    if record.changes is None:
        return Group(title, Text("task definitions not fetched yet", style="dim"))
    lines = text_lines(record.changes)[1:]  # the first line is the title's
    body = Text("\n").join(_long(line) for line in lines)
    return Group(title, body)


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
            _t(c.name + (" (init)" if c.init else "")),
            Text("yes" if c.ready else "no"),
            Text(str(c.restarts)),
            _long(_state(c.state)),
            _long(
                _state(c.last_state),
                style="bold red" if c.last_state and c.last_state.exit_code else "",
            ),
            _t(c.image),
        )
    events = Table(title="Events", title_justify="left", expand=True, show_header=False)
    events.add_column(no_wrap=True)
    events.add_column(no_wrap=True)
    events.add_column(overflow="fold")
    mine = [
        e for e in snapshot.kube_events if e.involved == pod.name and e.namespace == pod.namespace
    ]
    for e in sorted(mine, key=lambda e: e.last_seen or 0, reverse=True)[:15]:
        events.add_row(Text(fmt.when(e.last_seen)), _t(f"{e.type} {e.reason}"), _long(e.message))
    parts: list[RenderableType] = [
        _title("Pod", pod.name),
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
                _t(prof.name),
                _long(sel),
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

    DEFAULT_CSS = """
    DetailsScreen #task-why { margin-bottom: 1; }
    DetailsScreen #task-chart { height: 12; min-height: 8; margin-bottom: 1; }
    """

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
        """The header, a scrolling body and the footer of keys."""
        yield HeaderBar()
        with VerticalScroll():
            why = Static(id="task-why")
            why.display = False
            yield why
            chart = MetricChart(id="task-chart", replay=self.fgtop.feed.seekable)
            chart.display = False
            yield chart
            yield Static(id="body")
        yield Footer()

    def find(self, snapshot: Snapshot) -> Task | Service | Pod | None:
        """The resource in this snapshot."""
        item = snapshot.find(self.key)
        wanted = {"task": Task, "service": Service, "pod": Pod}[self.kind]
        return item if isinstance(item, Task | Service | Pod) and isinstance(item, wanted) else None

    def _show_task_extras(self, task: Task | None, snapshot: Snapshot) -> None:
        """A task's decoded stop reason and next step, and a small CPU/memory chart of its own
        series (hidden for other resources, a fine task, or a task without series)."""
        why = self.query_one("#task-why", Static)
        chart = self.query_one("#task-chart", MetricChart)
        found = task_why(task) if task is not None else None
        why.display = found is not None
        if found is not None:
            why.update(found)
        cpu = snapshot.series(task.arn, "cpu") if task is not None else None
        memory = snapshot.series(task.arn, "memory") if task is not None else None
        chart.display = task is not None and bool(
            (cpu and cpu.points) or (memory and memory.points)
        )
        if task is not None and chart.display:
            end, window = task_chart_range(task, snapshot.taken_at)
            if chart.window != window:
                chart.set_reactive(MetricChart.window, window)
            chart.show_series(f"task {task.id[:8]}", cpu, memory, end, clock=snapshot.taken_at)

    def action_logs(self) -> None:
        """The logs of this resource."""
        self.fgtop.open_logs(self.key)

    def action_logs_at_stop(self) -> None:
        """The logs around the moment this task stopped (or this pod's container last died)."""
        snapshot = self.fgtop.snapshot
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
        self.fgtop.open_logs(self.key, at=at)

    def action_describe(self) -> None:
        """The raw document of this resource."""
        self.fgtop.open_describe(self.key)

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
            history = self.fgtop.timeline.deployments_of(item.arn, self.fgtop.until)
            body.update(service_details(item, snapshot, history))
        self._show_task_extras(item if isinstance(item, Task) else None, snapshot)

"""The ECS service kind: the services table's columns, its JSON, describe, details and logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fgtop.cost.estimate import usd
from fgtop.derive.deployments import DeploymentHistory, DeploymentRecord, newest_first
from fgtop.derive.figures import ServiceState
from fgtop.derive.problems import Problem
from fgtop.derive.taskdef_diff import text_lines
from fgtop.derive.why_details import deployments_section, newest_change, service_sections
from fgtop.kinds import sections
from fgtop.kinds.base import BY_TEXT, Cell, Chart, Details, Kind, LogTarget, Scope, View, Words
from fgtop.kinds.columns import Column
from fgtop.kinds.common import (
    FLAG,
    SERVICE_ACCOUNT,
    account_text,
    cell_str,
    dollars,
    latest,
    money,
    percent,
    state_json,
    status_cells,
)
from fgtop.kinds.documents import iso, json_ready, pct
from fgtop.kinds.task import container_names
from fgtop.kinds.why_documents import service_why_json
from fgtop.model import Service, Snapshot
from fgtop.text import fmt
from fgtop.text.sanitize import safe, safe_str

SPARK_WINDOW = 1800
"""The services table's sparkline covers the last 30 minutes."""

# -- the figures a service's cells read (one accessor each, so derive can own them) ----------


def state(view: View, service: Service) -> ServiceState:
    """The service's state: its DEPLOYMENT words and worst lasting problem (the frame's
    figure, :func:`fgtop.derive.figures.service_states`)."""
    return view.derived.figures.state(service)


def problem(view: View, service: Service) -> Problem | None:
    """The service's worst lasting problem (what its RUN/DES and DEPLOYMENT cells flag)."""
    return state(view, service).problem


def rate(view: View, service: Service) -> Decimal | None:
    """The service's $/h after any Savings Plan (its cost breakdown row's figure)."""
    return view.derived.figures.service_rate(service)


def spent(view: View, service: Service) -> Decimal | None:
    """The service's cost so far."""
    return view.derived.figures.service_spent(service)


def history(view: View) -> DeploymentHistory:
    """The deployments of the frame's services, as the JSON tells them (built once a frame)."""

    def build() -> DeploymentHistory:
        made = DeploymentHistory()
        made.feed(view.snapshot)
        return made

    built: DeploymentHistory = view.once("deployment_history", build)
    return built


# -- what rows say -------------------------------------------------------------------------


def service_status(service: Service, view: View) -> tuple[Cell, Cell]:
    """RUN/DES and DEPLOYMENT of a service."""
    return status_cells(service.running, service.desired, service.name, view, state(view, service))


# -- documents -------------------------------------------------------------------------------


def service_json(
    s: Service, snapshot: Snapshot, deployments: DeploymentHistory | None = None
) -> dict[str, Any]:
    """One service as its documented JSON object (without cost).

    A deployment's ``changes`` is ``fgtop diff --format json`` of the deployment before it
    (listed, or told of by the service's tasks) to it, when both task definitions are known.
    """
    if deployments is None:
        deployments = DeploymentHistory()
        deployments.feed(
            Snapshot(
                snapshot.taken_at,
                services=(s,),
                tasks=snapshot.tasks_of(s),
                task_definitions=snapshot.task_definitions,
            )
        )
    records = {r.id: r for r in deployments.of(s.arn)}
    return {
        "name": s.name,
        "arn": s.arn,
        "account": s.account,
        "cluster": s.cluster,
        "region": s.region,
        "status": s.status,
        "desired": s.desired,
        "running": s.running,
        "pending": s.pending,
        "task_definition": s.task_definition,
        "deployment_state": s.deployment_state,
        "deployments": [
            {
                "id": d.id,
                "status": d.status,
                "rollout_state": d.rollout_state,
                "rollout_state_reason": d.rollout_state_reason,
                "task_definition": d.task_definition,
                "desired": d.desired,
                "running": d.running,
                "pending": d.pending,
                "failed_tasks": d.failed_tasks,
                "created_at": iso(d.created_at),
                "changes": _changes(records.get(d.id)),
            }
            for d in s.deployments
        ],
        "events": [{"created_at": iso(e.created_at), "message": e.message} for e in s.events],
        "cpu_percent": pct(snapshot, s.arn, "cpu"),
        "memory_percent": pct(snapshot, s.arn, "memory"),
        **service_why_json(s, snapshot, iso),
    }


def _changes(record: DeploymentRecord | None) -> dict[str, Any] | None:
    if record is None or record.changes is None:
        return None
    return record.changes.to_json()


# -- details ---------------------------------------------------------------------------------


def service_details(
    service: Service,
    snapshot: Snapshot,
    records: Sequence[DeploymentRecord] = (),
    events_filter: str = "",
) -> RenderableType:
    """A service: counts, its deployment history (the deployments API's, else as fgtop has
    seen it, with the newest one's changes), target health, alarms, scaling, recent events.

    ``records`` is the service's deployment history (the timeline's); without it, the
    deployments ECS lists now.
    """
    info = sections.key_values(
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
    mine = newest_first([r for r in records if r.service == service.arn])
    parts: list[RenderableType] = [sections.title("Service", service.name), info, Text("")]
    if deployments_section(snapshot, service) is None:  # else the deployments API's history
        parts.append(_deployments(service, mine))
        rollback = newest_change(snapshot, service, mine)
        if rollback is not None:
            parts += [Text(""), sections.render_section(rollback)]
        elif mine:
            parts += [Text(""), _newest_changes(mine[0])]
    for section in service_sections(snapshot, service):
        parts += [Text(""), sections.render_section(section)]
    events = sections.events(
        [(Text(fmt.when(e.created_at)), sections.long(e.message)) for e in service.events],
        events_filter,
    )
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
    width = min(sections.KEY_CHARS, max((len(r[1].rsplit("/", 1)[-1]) for r in rows), default=7))
    deps.add_column("TASKDEF", min_width=width)
    deps.add_column("ENDED" if records else "STATUS", min_width=19 if records else 8)
    for col in ("ROLLOUT", "RUN/DES", "FAILED"):
        deps.add_column(col, no_wrap=True)
    deps.add_column("REASON", overflow="fold")
    for started, td, state, rollout, counts, failed, reason in rows:
        bad = rollout == "FAILED"
        deps.add_row(
            Text(fmt.when(started)),
            sections.short(td.rsplit("/", 1)[-1]),
            sections.short(state, style="bold red" if bad else ""),
            sections.short(rollout or "-", style="bold red" if bad else ""),
            Text(counts),
            Text(str(failed), style="bold red" if failed else ""),
            Text(safe_str(reason or "-", max_chars=sections.LONG_CHARS)),
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
    body = Text("\n").join(sections.long(line) for line in lines)
    return Group(title, body)


# -- the kind --------------------------------------------------------------------------------


class ServiceKind(Kind[Service]):
    """ECS services: the services table (Kubernetes workloads share it)."""

    name = "service"
    plural = "services"
    model = Service
    describable = True
    detailed = True
    table = "service"
    json_key = "services"
    words = Words("services", ("svc", "service"), "services view (optional filter)")
    # Identity, status (running of desired), CPU% and MEM% first and never hidden.
    columns: ClassVar[tuple[Column, ...]] = (
        Column("name", "SERVICE", priority=0, min=10, max=36, letter="V", flagged=True),
        Column("tasks", "RUN/DES", priority=0, max=11, letter="U"),
        Column("cpu", "CPU%", 9, priority=0, live=True, descending=True, letter="C"),
        Column("mem", "MEM%", 9, priority=0, live=True, descending=True, letter="M"),
        Column("deploy", "DEPLOYMENT", priority=1, min=8, max=18, letter="D"),
        Column("pending", "PEND", priority=2, max=5, right=True, descending=True, letter="P"),
        Column("cost", "$/H", 7, priority=2, live=True, right=True, descending=True, letter="$"),
        Column("cluster", "CLUSTER", priority=3, max=24, letter="L"),
        Column("spark", "CPU 30m", 12, priority=3, live=True, blank=""),
        Column("region", "REGION", priority=4, max=14, letter="I"),
        Column(
            "spent", "$ SO FAR", 9, priority=4, live=True, right=True, descending=True, letter="F"
        ),
        SERVICE_ACCOUNT,
    )
    default_sort = ("tasks", False)

    def items(self, view: View) -> Sequence[Service]:
        """Every service of the snapshot."""
        return view.snapshot.services

    def empty(self, view: View) -> str | None:
        """ "no Fargate tasks in eu-west-1 for profile default", once a complete poll found none."""
        return view.derived.insights.empty

    def resolve(self, snapshot: Snapshot, target: str, cluster: str | None) -> Service | None:
        """A service ARN."""
        return self.find(snapshot, target) if target.startswith("arn:") else None

    def texts(self, item: Service, view: View) -> Mapping[str, str]:
        """The plain text of a service's own columns."""
        tasks, deploy = service_status(item, view)
        return {
            "account": account_text(view, item.account),
            "name": cell_str(item.name),
            "cluster": cell_str(item.cluster),
            "region": cell_str(item.region),
            "tasks": tasks.plain,
            "pending": str(item.pending),
            "deploy": deploy.plain,
        }

    def sort_value(self, item: Service, column: str, view: View) -> Any:
        """RUN/DES: the sick first (problems, then the shortest of desired), as on problems."""
        if column == "tasks":
            return service_status(item, view)[0].sort
        if column == "pending":
            return item.pending
        return BY_TEXT

    def cells(self, item: Service, view: View) -> Mapping[str, Cell]:
        """One service as a row, flagged with its worst problem."""
        cells = {k: Cell(v) for k, v in self.texts(item, view).items()}
        cells["tasks"], cells["deploy"] = service_status(item, view)
        return cells

    def live_cells(self, item: Service, view: View) -> Mapping[str, Cell]:
        """CPU%, MEM%, a 30-minute CPU sparkline, $/h, $ so far and the alert flag."""
        cpu = view.snapshot.series(item.arn, "cpu")
        points = (
            tuple(v for _, v in cpu.window(SPARK_WINDOW, view.snapshot.taken_at)) if cpu else ()
        )
        cells = {
            "cpu": percent(latest(view, item.arn, "cpu")),
            "mem": percent(latest(view, item.arn, "memory")),
            "spark": Cell(look="spark", series=points, sort=points[-1] if points else None),
            "cost": money(rate(view, item)),
            "spent": dollars(spent(view, item)),
        }
        if item.arn in view.derived.active:
            cells["flag"] = FLAG
        return cells

    def document(self, item: Service, view: View) -> dict[str, Any]:
        """``service_json``, with the cost figures when priced, and its state (the DEPLOYMENT
        cell's words and the severity of the problem they name)."""
        doc = service_json(item, view.snapshot, history(view))
        cost = view.derived.figures.cost
        if cost is not None:
            doc["cost_per_hour"] = usd(rate(view, item))
            doc["cost_per_hour_list"] = usd(cost.service_rates_list.get(item.arn))
            doc["cost_so_far"] = usd(spent(view, item))
            doc["cost_so_far_list"] = usd(cost.service_costs_list.get(item.arn))
        doc.update(state_json(state(view, item)))
        return doc

    def describe(self, item: Service, snapshot: Snapshot) -> dict[str, Any]:
        """The describe_services document."""
        return json_ready(item.raw or {"serviceArn": item.arn, "note": "not fetched in full"})

    def label(self, item: Service) -> str:
        """The service's name."""
        return item.name

    def definition(self, item: Service, snapshot: Snapshot) -> str | None:
        """Its task definition's ARN."""
        return item.task_definition

    def details(self, item: Service, view: View) -> Details:
        """Counts, deployments as fgtop has seen them, the newest one's changes, events."""
        records = view.derived.timeline.deployments_of(item.arn, view.until)
        return Details(service_details(item, view.snapshot, records, view.events_filter))

    def logs(self, item: Service, snapshot: Snapshot) -> LogTarget:
        """Every task's lines, merged by time."""
        tasks = snapshot.tasks_of(item)
        return LogTarget(
            f"service {item.name} (all its tasks, merged by time)",
            tasks=tasks,
            merged=True,
            containers=container_names(snapshot, tasks),
        )

    def insights_scope(self, item: Service, snapshot: Snapshot) -> Scope:
        """Its log groups."""
        title = f"service {item.name} ({item.cluster}, {item.region})"
        return Scope(title, snapshot.tasks_of(item), (item,))

    def chart(self, item: Service, snapshot: Snapshot) -> Chart:
        """Its CPU and memory."""
        return Chart(f"service {item.name}", item.arn)

    def hint(self, item: Service) -> str:
        """Its ARN."""
        return item.arn


KIND = ServiceKind()

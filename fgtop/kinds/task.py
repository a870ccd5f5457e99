"""The ECS task kind: the task grid's columns, its JSON, describe, details, logs and scope."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from fgtop.cost.estimate import usd
from fgtop.kinds.base import BY_TEXT, Cell, Chart, Details, Kind, LogTarget, Scope, View, Words
from fgtop.kinds.columns import Column
from fgtop.kinds.common import (
    ACCOUNT,
    FLAG,
    account_text,
    as_float,
    cell_str,
    dollars,
    latest,
    money,
    percent,
)
from fgtop.kinds.documents import iso, json_ready, pct
from fgtop.kinds.task_details import run_span, task_details, task_why
from fgtop.model import Cluster, Snapshot, Task
from fgtop.model.ecs import STATUS_RANK, health_kind, task_metrics_available
from fgtop.text import fmt

NO_TASK_METRICS = "no per-task metrics (Container Insights off)"
"""What the chart says for a task of a cluster without enhanced Container Insights."""
LIVE = ("cpu", "mem", "cost", "spent", "age")

# -- the figures a task's cells read (one accessor each, so derive can own them) -------------


def rate(view: View, task: Task) -> Decimal | None:
    """The task's $/h after any Savings Plan (None: unpriced or not billed): the frame's
    figure (:meth:`fgtop.derive.figures.Figures.task_rate`)."""
    return view.derived.figures.task_rate(task)


def spent(view: View, task: Task) -> Decimal | None:
    """The task's cost so far (the frame's figure)."""
    return view.derived.figures.task_spent(task)


def cluster_of(view: View, task: Task) -> Cluster | None:
    """The task's cluster (indexed once per frame; two accounts may both have a ``prod``)."""
    clusters: dict[tuple[str | None, str, str], Cluster] = view.once(
        "clusters", lambda: {(c.account, c.name, c.region): c for c in view.snapshot.clusters}
    )
    return clusters.get((task.account, task.cluster, task.region))


# -- what rows say -------------------------------------------------------------------------


def stopped_ago(task: Task, now: float) -> str:
    """``stopped 12m ago`` for a stopped task ('' for one that has not stopped)."""
    end = task.ended_at
    if not task.is_stopped:
        return ""
    return f"stopped {fmt.age(end, now)} ago" if end is not None else "stopped"


def age(task: Task, now: float) -> Cell:
    """AGE: how long the task has run; for a stopped task its run time (stopped - started)."""
    start = task.started_at or task.created_at
    end = task.ended_at
    return Cell(fmt.age(start, end if end is not None else now), sort=-(start or 0))


def health(task: Task, view: View) -> Cell:
    """HEALTH: the task's health; for a stopped task what its containers last reported, or -.

    ECS resets a stopped task's health to UNKNOWN, which says nothing: a stopped task shows
    the worst health its containers still report, else ``-``.
    """
    word = task.health.upper()
    if task.is_stopped:
        reported = {c.health.upper() for c in task.containers} | {word}
        if "UNHEALTHY" in reported:
            word = "UNHEALTHY"
        elif "HEALTHY" in reported:
            word = "HEALTHY"
        else:
            return Cell("-", tone="stopped", sort=True)
    kind = health_kind(word)
    return Cell(f"{view.glyph(kind)} {word}", tone=kind, sort=kind != "unhealthy")


def stop_reason(task: Task) -> str:
    """The REASON column: the stopped reason and any non-zero exit codes."""
    reason = cell_str(task.stopped_reason or "")
    if task.is_stopped:
        codes = [f"{c.name}:{c.exit_code}" for c in task.containers if c.exit_code not in (None, 0)]
        if codes:
            joined = ", ".join(codes)
            reason = f"{reason} [exit {joined}]" if reason else f"exit {joined}"
    return reason


def _age(task: Task, view: View) -> float:
    return -(task.started_at or task.created_at or 0)


LIVE_VALUES: dict[str, Callable[[Task, View], Any]] = {
    "cpu": lambda task, view: latest(view, task.arn, "cpu"),
    "mem": lambda task, view: latest(view, task.arn, "memory"),
    "cost": lambda task, view: as_float(rate(view, task)),
    "spent": lambda task, view: as_float(spent(view, task)),
    "age": _age,
}
"""What each of a task's live cells shows and sorts by (CPU%, MEM%, $/h, $ so far, age)."""


def values(task: Task, view: View) -> dict[str, Any]:
    """What a task's live cells show and sort by (CPU%, MEM%, $/h, $ so far, age)."""
    return {column: value(task, view) for column, value in LIVE_VALUES.items()}


# -- documents -------------------------------------------------------------------------------


def task_json(t: Task, snapshot: Snapshot) -> dict[str, Any]:
    """One task as its documented JSON object (without cost)."""
    return {
        "arn": t.arn,
        "id": t.id,
        "account": t.account,
        "cluster": t.cluster,
        "region": t.region,
        "service": t.service,
        "group": t.group,
        "task_definition": t.task_definition,
        "last_status": t.last_status,
        "desired_status": t.desired_status,
        "health": t.health,
        "launch_type": t.launch_type,
        "capacity_provider": t.capacity_provider,
        "cpu": t.cpu,
        "memory": t.memory,
        "arch": t.arch,
        "os": t.os,
        "ephemeral_storage_gib": t.ephemeral_storage_gib,
        "az": t.az,
        "private_ip": t.private_ip,
        "created_at": iso(t.created_at),
        "pull_started_at": iso(t.pull_started_at),
        "started_at": iso(t.started_at),
        "execution_stopped_at": iso(t.execution_stopped_at),
        "stopped_at": iso(t.stopped_at),
        "stop_code": t.stop_code,
        "stopped_reason": t.stopped_reason,
        "containers": [
            {
                "name": c.name,
                "image": c.image,
                "last_status": c.last_status,
                "exit_code": c.exit_code,
                "reason": c.reason,
                "health": c.health,
            }
            for c in t.containers
        ],
        "tags": dict(t.tags),
        "cpu_percent": pct(snapshot, t.arn, "cpu"),
        "memory_percent": pct(snapshot, t.arn, "memory"),
    }


# -- the kind --------------------------------------------------------------------------------


class TaskKind(Kind[Task]):
    """ECS tasks: the task grid."""

    name = "task"
    plural = "tasks"
    model = Task
    describable = True
    detailed = True
    table = "task"
    tab = True
    json_key = "tasks"
    words = Words("tasks", ("task",), "ECS tasks view (optional filter)")
    # Identity, status, CPU% and MEM% first and never hidden: what 80 columns must keep
    # (the rest is cut with an ellipsis or hidden by priority; W and the details show all).
    columns: ClassVar[tuple[Column, ...]] = (
        Column("id", "TASK", 8, priority=0, letter="K"),
        Column("status", "STATUS", priority=0, min=9, max=24, letter="U", flagged=True),
        Column("cpu", "CPU%", 9, priority=0, live=True, descending=True, letter="C"),
        Column("mem", "MEM%", 9, priority=0, live=True, descending=True, letter="M"),
        Column("service", "SERVICE", priority=1, min=10, max=32, letter="V"),
        Column("reason", "REASON", priority=2, min=12, max=44, fill=True, letter="E"),
        Column("health", "HEALTH", priority=3, max=11, letter="H"),
        Column("age", "AGE", 6, priority=3, live=True, letter="A"),
        Column("cost", "$/H", 7, priority=3, live=True, right=True, descending=True, letter="$"),
        Column("taskdef", "TASKDEF", priority=4, max=32, letter="D"),
        Column("size", "SIZE", priority=4, max=12, letter="I"),
        Column(
            "spent", "$ SO FAR", 9, priority=5, live=True, right=True, descending=True, letter="F"
        ),
        Column("provider", "PROVIDER", priority=6, max=12, letter="O"),
        Column("arch", "ARCH", priority=6, max=7),
        Column("az", "AZ", priority=6, max=15, letter="Z"),
        Column("ip", "IP", priority=6, max=15, letter="P"),
        ACCOUNT,
    )
    default_sort = ("status", False)

    def items(self, view: View) -> Sequence[Task]:
        """Every task of the snapshot."""
        return view.snapshot.tasks

    def empty(self, view: View) -> str | None:
        """ "no Fargate tasks in eu-west-1 for profile default", once a complete poll found none."""
        return view.derived.insights.empty

    def resolve(self, snapshot: Snapshot, target: str, cluster: str | None) -> Task | None:
        """A task ARN."""
        return self.find(snapshot, target) if target.startswith("arn:") else None

    def texts(self, item: Task, view: View) -> Mapping[str, str]:
        """The plain text of a task's own columns (searched by the filter, sized to)."""
        provider = item.capacity_provider or item.launch_type
        ago = stopped_ago(item, view.at).removeprefix("stopped")
        return {
            "account": account_text(view, item.account),
            "status": f"{view.glyph(item.status_kind)} {cell_str(item.last_status)}{ago}",
            "health": health(item, view).text,
            "service": cell_str(item.service or f"({item.group or 'standalone'})"),
            "id": cell_str(item.id[:8]),
            "taskdef": cell_str(item.family_revision),
            "size": fmt.size(item.cpu, item.memory),
            "reason": stop_reason(item),
            "provider": cell_str("SPOT" if item.is_spot else provider),
            "arch": cell_str(item.arch or "?"),
            "az": cell_str(item.az or "-"),
            "ip": cell_str(item.private_ip or "-"),
        }

    def sort_value(self, item: Task, column: str, view: View) -> Any:
        """Status: problems first, then by service; health: unhealthy first."""
        if column == "status":
            return (STATUS_RANK.get(item.status_kind, 9), item.service or "")
        if column == "health":
            return health(item, view).sort
        if column == "id":
            return item.id
        if column == "size":
            return (item.cpu or 0, item.memory or 0)
        return BY_TEXT

    def cells(self, item: Task, view: View) -> Mapping[str, Cell]:
        """One task as a row: status and reason in the status's colour."""
        texts = self.texts(item, view)
        kind = item.status_kind
        cells = {k: Cell(v) for k, v in texts.items()}
        cells["status"] = Cell(texts["status"], tone=kind)
        cells["health"] = health(item, view)
        cells["reason"] = Cell(texts["reason"], tone="failed" if kind == "failed" else "")
        return cells

    def live_cells(self, item: Task, view: View) -> Mapping[str, Cell]:
        """CPU%, MEM% ("n/a" without Container Insights), $/h, $ so far, age, the alert flag."""
        if item.last_status != "RUNNING":
            na = "-"
        else:
            na = "n/a" if not task_metrics_available(cluster_of(view, item)) else "-"
        figures = values(item, view)
        cells = {
            "cpu": percent(figures["cpu"], na),
            "mem": percent(figures["mem"], na),
            "cost": money(rate(view, item)),
            "spent": dollars(spent(view, item)),
            "age": age(item, view.at),
        }
        if item.arn in view.derived.active:
            cells["flag"] = FLAG
        return cells

    def live_values(self, item: Task, view: View) -> Mapping[str, Any]:
        """What the live columns sort by, without building their cells."""
        return values(item, view)

    def live_value(self, item: Task, column: str, view: View) -> Any:
        """What one live column sorts the task by (sorting 20,000 rows works out only it)."""
        value = LIVE_VALUES.get(column)
        return value(item, view) if value is not None else None

    def document(self, item: Task, view: View) -> dict[str, Any]:
        """``task_json``, with the cost figures when priced: the tasks table's (``cost_per_hour``
        null once the task is no longer billed)."""
        doc = task_json(item, view.snapshot)
        cost = view.derived.figures.cost
        if cost is not None:
            now = rate(view, item)
            doc["cost_per_hour"] = usd(now)
            doc["cost_per_hour_list"] = usd(
                cost.task_rates_list.get(item.arn) if now is not None else None
            )
            doc["cost_so_far"] = usd(spent(view, item))
            doc["cost_so_far_list"] = usd(cost.task_costs_list.get(item.arn))
        return doc

    def describe(self, item: Task, snapshot: Snapshot) -> dict[str, Any]:
        """Built (ECS has no raw task here): the task's JSON and its task definition's."""
        doc = task_json(item, snapshot)
        td = snapshot.task_definition(item.task_definition)
        doc["taskDefinition"] = td.raw if td is not None and td.raw is not None else None
        return json_ready(doc)

    def label(self, item: Task) -> str:
        """The task id."""
        return item.id

    def definition(self, item: Task, snapshot: Snapshot) -> str | None:
        """Its task definition's ARN."""
        return item.task_definition

    def details(self, item: Task, view: View) -> Details:
        """Identity, size, times, containers; the decoded stop; a chart of its run."""
        end, span = run_span(item, view.snapshot.taken_at)
        chart = Chart(f"task {item.id[:8]}", item.arn, end=end, span=span)
        return Details(task_details(item, view.snapshot), task_why(item), chart)

    def logs(self, item: Task, snapshot: Snapshot) -> LogTarget:
        """Its containers' lines."""
        return LogTarget(
            f"task {item.id} ({item.service or item.group})",
            tasks=(item,),
            containers=container_names(snapshot, (item,)),
        )

    def stopped_at(self, item: Task) -> float | None:
        """When it stopped (or began stopping)."""
        return item.stopped_at or item.stopping_at

    def insights_scope(self, item: Task, snapshot: Snapshot) -> Scope | str:
        """Its service's log groups (a lone task: its own)."""
        if item.service:
            service = next(
                (
                    s
                    for s in snapshot.services
                    if (s.account, s.region, s.cluster, s.name)
                    == (item.account, item.region, item.cluster, item.service)
                ),
                None,
            )
            if service is not None:
                title = f"service {service.name} ({service.cluster}, {service.region})"
                return Scope(title, snapshot.tasks_of(service), (service,))
            tasks = tuple(
                t
                for t in snapshot.tasks
                if (t.account, t.region, t.cluster, t.service)
                == (item.account, item.region, item.cluster, item.service)
            )
            return Scope(f"service {item.service} ({item.cluster}, {item.region})", tasks, ())
        return Scope(f"task {item.id[:8]} ({item.group or item.cluster})", (item,), ())

    def chart(self, item: Task, snapshot: Snapshot) -> Chart:
        """Its CPU and memory (none without enhanced Container Insights)."""
        cluster = next(
            (
                c
                for c in snapshot.clusters
                if (c.account, c.name, c.region) == (item.account, item.cluster, item.region)
            ),
            None,
        )
        unavailable = None if task_metrics_available(cluster) else NO_TASK_METRICS
        title = f"task {item.id[:8]} ({item.service or item.group})"
        return Chart(title, item.arn, unavailable=unavailable)

    def hint(self, item: Task) -> str:
        """Its ARN."""
        return item.arn


def container_names(snapshot: Snapshot, tasks: Sequence[Task]) -> tuple[str, ...]:
    """The containers of some tasks (from their task definitions when fetched), once each."""
    names: dict[str, None] = {}
    for task in tasks:
        td = snapshot.task_definition(task.task_definition)
        for c in td.containers if td else task.containers:
            names[c.name] = None
    return tuple(names)


KIND = TaskKind()

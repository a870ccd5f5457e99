"""What a service's (or task's) details say of why, headless: sections of lines.

The deployment history from the deployments API (a rollback reads as a rollback, with what
the failed revision changed, never the newest deployment's diff in reverse), target health,
alarms and Service Auto Scaling. The UI renders :class:`Section`s as they are (times through
its own clock format, outside text through the sanitiser); ``fgtop.kinds`` can carry them.
Also the deployment marks of the CPU/memory chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fgtop.derive.decoder import HIGH, LOW, MEDIUM
from fgtop.derive.deployments import DeploymentRecord, change_words, short_rev
from fgtop.derive.problems_why import elb_reason, rollback_words
from fgtop.derive.taskdef_diff import diff_models, summary
from fgtop.derive.why import alarms_of, revision_task_definition, scaling_of, target_task
from fgtop.model import Service, ServiceDeployment, Snapshot, Task
from fgtop.model.elb import target_group_name

SHOWN_DEPLOYMENTS = 10
SHOWN_ACTIVITIES = 6


@dataclass(frozen=True)
class Line:
    """One line of a section: a time (or a label), then text (outside text inside)."""

    text: str
    at: float | None = None
    """A time shown before the text (None: ``label`` instead)."""
    label: str = ""
    severity: int = LOW
    """1 critical .. 4 low: how loudly to show it."""


@dataclass(frozen=True)
class Section:
    """A titled block of lines; ``note`` says why it is empty or partial."""

    title: str
    lines: tuple[Line, ...] = ()
    note: str | None = None


def _td_name(snapshot: Snapshot, revision: str | None) -> str | None:
    td = revision_task_definition(snapshot, revision)
    return td.rsplit("/", 1)[-1] if td else None


def deployment_line(snapshot: Snapshot, d: ServiceDeployment) -> Line:
    """One deployment of the history: what it deployed, how it ended, why."""
    target = d.target.arn if d.target else None
    td = revision_task_definition(snapshot, target)
    name = td.rsplit("/", 1)[-1] if td else d.id
    state = d.status.replace("_", " ").lower()
    severity = LOW
    if d.rolled_back or d.status in ("STOPPED", "ROLLBACK_FAILED"):
        text = f"{name} {rollback_words(snapshot, d)}" if d.rolled_back else f"{name} {state}"
        severity = HIGH if d.status == "ROLLBACK_FAILED" else MEDIUM
    else:
        before = revision_task_definition(snapshot, d.source_revision)
        text = f"{name} {state}"
        if before and td:
            text += f" (replaces {short_rev(before, td)}"
            a, b = snapshot.task_definition(before), snapshot.task_definition(td)
            if a is not None and b is not None:
                diff = diff_models(a, b)
                text += f": {summary(diff)}" if diff.changes else ""
            text += ")"
    extra = []
    if d.in_progress and d.lifecycle_stage:
        extra.append(d.lifecycle_stage.replace("_", " ").lower())
    if d.failure_threshold and d.breaker_status not in (None, "DISABLED") and not d.rolled_back:
        extra.append(f"circuit breaker {d.failure_count or 0}/{d.failure_threshold} failed tasks")
    if d.alarm_names and not d.triggered_alarms:
        extra.append(f"alarms watched: {', '.join(d.alarm_names)}")
    if d.triggered_alarms:
        extra.append(f"alarms in ALARM: {', '.join(d.triggered_alarms)}")
        severity = min(severity, MEDIUM)
    if extra:
        text += " · " + " · ".join(extra)
    return Line(text, at=d.began, severity=severity)


def deployments_section(snapshot: Snapshot, service: Service) -> Section | None:
    """The deployments API's history of the service, newest first; None when it has none
    (the inferred history is shown instead)."""
    history = snapshot.deployments_of(service)
    if not history:
        return None
    lines = tuple(deployment_line(snapshot, d) for d in history[:SHOWN_DEPLOYMENTS])
    more = len(history) - SHOWN_DEPLOYMENTS
    return Section(
        "Deployment history (ECS deployments API, 90 days)",
        lines,
        f"{more} older not shown" if more > 0 else None,
    )


def newest_change(
    snapshot: Snapshot, service: Service, records: Sequence[DeploymentRecord]
) -> Section | None:
    """Without the deployments API: a newest deployment that rolled back a failed one, read as
    a rollback (the failed deployment's changes, not the rollback's reversed); None otherwise
    (the API's history says it, or the newest change is an ordinary one)."""
    if snapshot.deployments_of(service):
        return None  # the deployments API's history says it, first line
    ordered = sorted(records, key=lambda r: -(r.started_at or 0.0))
    if not ordered:
        return None
    newest = ordered[0]
    failed = next((r for r in ordered[1:] if (r.rollout_state or "").upper() == "FAILED"), None)
    rollback = failed is not None and (
        "rolling back" in (newest.rollout_state_reason or "")
        or newest.task_definition == failed.previous
    )
    if rollback and failed is not None:
        text = f"{newest.task_definition.rsplit('/', 1)[-1]} rolled back the failed {change_words(failed)}"
        return Section("Newest deployment", (Line(text, at=newest.started_at, severity=MEDIUM),))
    return None


def targets_section(snapshot: Snapshot, service: Service) -> Section | None:
    """What the service's target groups say of its tasks; None without a load balancer."""
    if not service.load_balancers:
        return None
    targets = snapshot.targets_of(service)
    lines = []
    for lb in service.load_balancers:
        mine = [t for t in targets if t.target_group == lb.target_group]
        group = target_group_name(lb.target_group)
        port = f" port {lb.container_port}" if lb.container_port else ""
        healthy = sum(t.healthy for t in mine)
        lines.append(Line(f"{healthy} of {len(mine)} healthy", label=f"{group}{port}"))
        for t in sorted(mine, key=lambda t: (t.healthy, t.target_id)):
            if t.healthy:
                continue
            task = target_task(snapshot, service, t)
            who = f"task {task.id[:8]}" if task is not None else f"{t.target_id}:{t.port}"
            if t.unhealthy:
                reason, step = elb_reason(t, lb.container_port)
                lines.append(
                    Line(f"{who} unhealthy: {reason}; {step}", at=t.unhealthy_since, severity=HIGH)
                )
            else:
                said = f" ({t.description})" if t.description else ""
                lines.append(Line(f"{who} {t.state}: {t.reason or '-'}{said}", label=""))
    note = None if targets else "not asked yet, or denied (see the header)"
    return Section("Load balancer target health", tuple(lines), note)


def task_targets_section(snapshot: Snapshot, task: Task) -> Section | None:
    """What the target groups of a task's service say of it; None when nothing does."""
    service = next(
        (
            s
            for s in snapshot.services
            if s.name == task.owner and s.cluster == task.cluster and s.region == task.region
        ),
        None,
    )
    if service is None or not service.load_balancers:
        return None
    lines = []
    for t in snapshot.targets_of(service):
        if target_task(snapshot, service, t) is not task:
            continue
        group = target_group_name(t.target_group)
        if t.unhealthy:
            port = next(
                (
                    lb.container_port
                    for lb in service.load_balancers
                    if lb.target_group == t.target_group
                ),
                t.port,
            )
            reason, step = elb_reason(t, port)
            lines.append(
                Line(
                    f"unhealthy since the first failing answer: {reason}; {step}",
                    at=t.unhealthy_since,
                    label=group,
                    severity=HIGH,
                )
            )
        else:
            said = f": {t.reason}" if t.reason else ""
            lines.append(Line(f"{t.state}{said}", label=group))
    if not lines:
        return None
    return Section("Load balancer target health", tuple(lines))


def alarms_section(snapshot: Snapshot, service: Service) -> Section | None:
    """The alarms about the service, those in ALARM first; None when there are none."""
    alarms = alarms_of(snapshot, service)
    if not alarms:
        return None
    lines = []
    for a in alarms:
        reason = f": {a.reason}" if a.reason and a.firing else ""
        lines.append(
            Line(
                f"{a.state} {a.name} ({a.condition}){reason}",
                at=a.updated_at,
                severity=MEDIUM if a.firing else LOW,
            )
        )
    return Section("Alarms", tuple(lines))


def scaling_section(snapshot: Snapshot, service: Service) -> Section | None:
    """Min, max and desired, the policies and the recent activities; None without scaling."""
    scaling = scaling_of(snapshot, service)
    if scaling is None:
        return None
    t = scaling.target
    at_max = service.desired >= t.max_capacity
    bounds = f"min {t.min_capacity} · max {t.max_capacity} · desired {service.desired}"
    if at_max:
        bounds += " (at max)"
    if t.suspended:
        bounds += f" · suspended: {', '.join(t.suspended)}"
    lines = [Line(bounds, label="capacity", severity=MEDIUM if at_max else LOW)]
    for p in scaling.policies:
        goal = (
            f" {p.metric} at {p.target_value:g}" if p.target_value is not None and p.metric else ""
        )
        lines.append(Line(f"{p.name}: {p.policy_type}{goal}", label="policy"))
    for a in scaling.activities[:SHOWN_ACTIVITIES]:
        held = a.at_max
        what = (
            f"not scaled: already at max capacity {held.current_capacity}/{held.max_capacity}"
            if held is not None
            else f"{a.status}: {a.description or '-'}"
        )
        cause = f" ({a.cause})" if a.cause else ""
        lines.append(Line(what + cause, at=a.started_at, severity=MEDIUM if held else LOW))
    return Section("Service Auto Scaling", tuple(lines))


def service_sections(snapshot: Snapshot, service: Service) -> list[Section]:
    """The why sections of a service's details (those that have something to say)."""
    found = (
        deployments_section(snapshot, service),
        targets_section(snapshot, service),
        alarms_section(snapshot, service),
        scaling_section(snapshot, service),
    )
    return [s for s in found if s is not None]


def deployment_marks(
    snapshot: Snapshot, key: str, history: Mapping[str, Sequence[DeploymentRecord]]
) -> tuple[tuple[float, str], ...]:
    """Where the chart of a service or task (``key``, its ARN) marks deployments:
    ``(time, label)``: ``:18`` where a deployment started, ``↩:17`` where it rolled back.

    From the deployments API where it knows the service, else from the history fgtop has seen
    (``history``: service ARN -> its records).
    """
    item = snapshot.find(key)
    service: Service | None = None
    if isinstance(item, Service):
        service = item
    elif isinstance(item, Task) and item.in_service:
        service = next(
            (
                s
                for s in snapshot.services
                if s.name == item.owner and s.cluster == item.cluster and s.region == item.region
            ),
            None,
        )
    if service is None:
        return ()
    marks: list[tuple[float, str]] = []
    api = snapshot.deployments_of(service)
    for d in api:
        td = revision_task_definition(snapshot, d.target.arn if d.target else None)
        if d.began is not None:
            marks.append((d.began, f":{td.rsplit(':', 1)[-1]}" if td else d.id[:6]))
        if d.rollback_started_at is not None:
            back = _td_name(snapshot, d.rollback_revision or d.source_revision)
            marks.append((d.rollback_started_at, f"↩:{back.rsplit(':', 1)[-1]}" if back else "↩"))
    if not api:
        for r in history.get(service.arn, ()):
            if r.started_at is not None:
                marks.append((r.started_at, f":{r.task_definition.rsplit(':', 1)[-1]}"))
    return tuple(sorted(marks))

"""Problems from the sources of truth: the load balancer's target health, the ECS deployments
API, CloudWatch alarms and Service Auto Scaling.

- ``elb-health``: a task its target group finds unhealthy, from the first unhealthy answer,
  with the reason code decoded and the next step (before ECS stops the task; a container
  health check stays ``health-check-container``).
- ``deployment-rollback`` / ``deployment-failed``: from the deployments API where it knows the
  deployment (it replaces the inference from DescribeServices and the service events), worded
  as what happened: rolled back to :17 after the circuit breaker counted 3 failed tasks, and
  what the failed revision changed.
- ``alarm``: an alarm about a service in ALARM, with its reason and since.
- ``at-max-capacity``: a service held at its scalable target's maximum while CPU or memory is
  high (or Application Auto Scaling said it could not scale out: AlreadyAtMaxCapacity).

Pure functions over a snapshot; ``now`` is the snapshot's time or the replay clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from fgtop.derive.decoder import CRITICAL, HIGH, LOW, MEDIUM, decode_task
from fgtop.derive.deployments import short_rev
from fgtop.derive.problems import STOPPED_WINDOW, Problem, find_problems, ordered
from fgtop.derive.taskdef_diff import diff_models, summary
from fgtop.derive.why import alarms_of, monitored, revision_task_definition, scaling_of, target_task
from fgtop.model import Alarm, Service, ServiceDeployment, Snapshot, TargetHealth
from fgtop.model.elb import target_group_name

HIGH_LOAD = 80.0
"""CPU or memory percent above which a service held at its maximum is a problem (when no
target-tracking policy names its own target)."""
AT_MAX_RECENT = 180.0
"""Seconds an AlreadyAtMaxCapacity activity counts as evidence the service is held at max."""
INFERRED = frozenset({"deployment-rollback"})
"""Kinds inferred from DescribeServices and events that the deployments API replaces."""
_CODES = re.compile(r"codes:\s*\[([^\]]*)\]")


def elb_reason(target: TargetHealth, port: int | None) -> tuple[str, str]:
    """What the load balancer's reason code means, and the next step: (reason, next step)."""
    group = target_group_name(target.target_group)
    where = f"port {port}" if port else "its port"
    code = target.reason or ""
    said = f" ({target.description})" if target.description else ""
    grace = "; if it is still starting, raise the service's healthCheckGracePeriodSeconds"
    if code == "Target.ResponseCodeMismatch":
        m = _CODES.search(target.description or "")
        got = f"HTTP {m.group(1).strip()}" if m else "an unexpected HTTP status"
        return (
            f"target group {group}'s health check got {got}, not a success code{said}",
            f"check the target group's health-check path answers 200 (or its success codes) on {where}{grace}",
        )
    if code == "Target.Timeout":
        return (
            f"target group {group}'s health check timed out{said}",
            f"check the security group lets the load balancer reach {where}, the app listens on it "
            f"and answers the health-check path within the timeout{grace}",
        )
    if code == "Target.FailedHealthChecks":
        return (
            f"target group {group}'s health check could not connect{said}",
            f"check the app listens on {where} and the security group lets the load balancer in{grace}",
        )
    return (
        f"target group {group} finds it unhealthy: {code or 'no reason given'}{said}",
        f"check the target group's health-check path and {where}, the grace period and the security group",
    )


def elb_problems(snapshot: Snapshot, service: Service) -> list[Problem]:
    """The service's tasks that its target groups find unhealthy, one row per task."""
    out = []
    for t in snapshot.targets_of(service):
        if not t.unhealthy:
            continue
        task = target_task(snapshot, service, t)
        if task is not None and task.is_stopped:
            continue  # the stopped task's own row says why it stopped
        port = next(
            (
                lb.container_port
                for lb in service.load_balancers
                if lb.target_group == t.target_group
            ),
            t.port,
        )
        reason, next_step = elb_reason(t, port)
        who = f"task {task.id[:8]}" if task is not None else f"target {t.target_id}:{t.port}"
        out.append(
            Problem(
                HIGH,
                "elb-health",
                task.arn if task is not None else service.arn,
                service.name,
                f"{who} fails the load balancer: {reason}",
                next_step,
                t.unhealthy_since,
                service.cluster,
                service.region,
                task.arn if task is not None else None,
                t.unhealthy_since,
                service=service.arn,
            )
        )
    return out


def _rev(snapshot: Snapshot, revision: str | None, family_of: str | None = None) -> str:
    td = revision_task_definition(snapshot, revision)
    if td is None:
        return "the revision before" if revision else "?"
    return short_rev(td, family_of) if family_of else td.rsplit("/", 1)[-1]


def rollback_words(snapshot: Snapshot, d: ServiceDeployment) -> str:
    """``rolled back to :17 after the circuit breaker counted 3 failed tasks; the failed :18
    changed image tag, memory 2048 → 1024`` (what is known of it)."""
    failed_td = revision_task_definition(snapshot, d.target.arn if d.target else None)
    back = d.rollback_revision or d.source_revision
    back_td = revision_task_definition(snapshot, back)
    text = f"rolled back to {_rev(snapshot, back, failed_td)}" if back else "rolled back"
    if d.status == "ROLLBACK_IN_PROGRESS" or d.status == "ROLLBACK_REQUESTED":
        text = text.replace("rolled back", "rolling back", 1)
    if d.breaker_status == "TRIGGERED" and d.failure_count is not None:
        n = d.failure_count
        text += f" after the circuit breaker counted {n} failed task{'' if n == 1 else 's'}"
    elif d.triggered_alarms:
        text += f" after alarm {', '.join(d.triggered_alarms)} went into ALARM"
    elif d.rollback_reason or d.status_reason:
        text += f": {d.rollback_reason or d.status_reason}"
    if failed_td:
        what = (
            f"the failed {_rev(snapshot, d.target.arn if d.target else None, back_td or failed_td)}"
        )
        a = snapshot.task_definition(back_td) if back_td else None
        b = snapshot.task_definition(failed_td)
        if a is not None and b is not None:
            diff = diff_models(a, b)
            text += (
                f"; {what} changed {summary(diff)}"
                if diff.changes
                else f"; {what} changed nothing in the task definition"
            )
    return text


def deployment_problems(snapshot: Snapshot, service: Service, now: float) -> list[Problem]:
    """The newest failed or rolled-back deployment of the hour, from the deployments API."""
    for d in snapshot.deployments_of(service):  # newest first
        began = d.began
        if began is None or began > now or now - began > STOPPED_WINDOW:
            continue
        if not (d.rolled_back or d.status == "STOPPED"):
            if d.in_progress or d.status == "SUCCESSFUL":
                return []  # the newest one is fine (or still going): nothing failed after it
            continue
        failed_td = revision_task_definition(snapshot, d.target.arn if d.target else None)
        name = (
            f"deployment of {failed_td.rsplit('/', 1)[-1]}" if failed_td else f"deployment {d.id}"
        )
        if d.status == "ROLLBACK_FAILED":
            severity, kind = CRITICAL, "deployment-failed"
            reason = f"{name} failed and its rollback failed too: {d.status_reason or 'see the deployment'}"
            step = "look at the service events and the stopped tasks; the service may run neither revision"
        elif d.status == "STOPPED":
            severity, kind = MEDIUM, "deployment-failed"
            reason = f"{name} was stopped: {d.status_reason or 'no reason given'}"
            step = "read the deployment's status reason and the service events"
        else:
            severity, kind = HIGH, "deployment-rollback"
            reason = f"{name} {rollback_words(snapshot, d)}"
            step = "open the stopped tasks of the failed revision to see why they failed"
        since = d.rollback_started_at or d.updated_at or began
        done = d.finished_at if d.status == "ROLLBACK_SUCCESSFUL" else None
        culprit = _culprit(snapshot, service, failed_td)
        if kind == "deployment-rollback" and (why := _culprit_reason(snapshot, culprit)):
            reason += f"; its tasks failed: {why}"
        return [
            Problem(
                severity,
                kind,
                service.arn,
                service.name,
                reason,
                step,
                since,
                service.cluster,
                service.region,
                culprit,
                since,
                resolved_at=done if done is not None and done <= now else None,
                service=service.arn,
            )
        ]
    return []


def _culprit(snapshot: Snapshot, service: Service, task_definition: str | None) -> str | None:
    """The newest stopped task of the failed revision (its logs tell why)."""
    stopped = [
        t
        for t in snapshot.tasks_of(service)
        if t.is_stopping and (task_definition is None or t.task_definition == task_definition)
    ]
    stopped.sort(key=lambda t: -(t.stopped_at or t.stopping_at or t.created_at or 0.0))
    return stopped[0].arn if stopped else None


def _culprit_reason(snapshot: Snapshot, culprit: str | None) -> str | None:
    """Why the failed revision's newest stopped task stopped, decoded (``image shop-search:bad
    does not exist (wrong tag or repository)``)."""
    task = next((t for t in snapshot.tasks if t.arn == culprit), None) if culprit else None
    decoded = decode_task(task) if task is not None else None
    return decoded.reason if decoded is not None else None


_BREACHING = {
    "GreaterThanThreshold": lambda v, x: v > x,
    "GreaterThanOrEqualToThreshold": lambda v, x: v >= x,
    "LessThanThreshold": lambda v, x: v < x,
    "LessThanOrEqualToThreshold": lambda v, x: v <= x,
}
_ECS_METRICS = {"CPUUtilization": "cpu", "MemoryUtilization": "memory"}


def breach_began(snapshot: Snapshot, service: Service, alarm: Alarm) -> float | None:
    """When the service's own series (the alarm's AWS/ECS metric) last crossed the alarm's
    threshold: the start of the run of breaching points up to its newest breaching one (the
    alarm goes into ALARM its evaluation periods later). None when the series cannot tell."""
    metric = _ECS_METRICS.get(alarm.metric or "")
    breaching = _BREACHING.get(alarm.comparison or "")
    if metric is None or breaching is None or alarm.threshold is None:
        return None
    if alarm.namespace not in (None, "AWS/ECS"):
        return None
    series = snapshot.series(service.arn, metric)
    until = alarm.updated_at
    points = [p for p in series.points if p[0] <= until] if series and until is not None else []
    if not points:
        return None
    i = len(points) - 1
    while i >= 0 and not breaching(points[i][1], alarm.threshold):
        i -= 1
    if i < 0:
        return None
    while i > 0 and breaching(points[i - 1][1], alarm.threshold):
        i -= 1
    return points[i][0]


def alarm_problems(snapshot: Snapshot, service: Service) -> list[Problem]:
    """The alarms about the service that are in ALARM (a target-tracking scale-in alarm, which
    sits in ALARM whenever the load is low, is no problem)."""
    out = []
    watched = monitored(snapshot, service) | set(service.deployment_alarms)
    for a in alarms_of(snapshot, service):
        if not a.firing or "-AlarmLow-" in a.name:
            continue
        tracking = a.name.startswith("TargetTracking-")
        severity = HIGH if a.name in watched else LOW if tracking else MEDIUM
        why = f": {a.reason}" if a.reason else ""
        step = (
            "it drives the service's scaling: see the scaling activities in its details"
            if tracking or any(":scalingPolicy:" in x for x in a.actions)
            else f"see what drives {a.metric or 'its metric'} (the chart); its actions were notified"
        )
        if a.name in watched:
            step = (
                "a deployment monitors it: a deployment in progress rolls back while it is in ALARM"
            )
        began = breach_began(snapshot, service, a)
        out.append(
            Problem(
                severity,
                "alarm",
                service.arn,
                service.name,
                f"alarm {a.name} is in ALARM ({a.condition}){why}",
                step,
                # Since the metric crossed the threshold (the service's series), else since
                # the alarm went into ALARM.
                began if began is not None else a.updated_at,
                service.cluster,
                service.region,
                None,
                a.updated_at,
                service=service.arn,
            )
        )
    return out


def at_max_problems(snapshot: Snapshot, service: Service, now: float) -> list[Problem]:
    """The service held at its scalable target's maximum while under load."""
    scaling = scaling_of(snapshot, service)
    if scaling is None or service.desired < scaling.target.max_capacity:
        return []
    limit = {"cpu": HIGH_LOAD, "memory": HIGH_LOAD}
    for p in scaling.policies:
        if p.target_value is not None and p.metric:
            if "CPU" in p.metric:
                limit["cpu"] = p.target_value
            elif "Memory" in p.metric:
                limit["memory"] = p.target_value
    load = []
    for metric, label in (("cpu", "CPU"), ("memory", "memory")):
        series = snapshot.series(service.arn, metric)
        value = series.last if series is not None else None
        if value is not None and value >= limit[metric]:
            load.append(f"{label} {value:.0f}% (wants {limit[metric]:g}%)")
    held = [
        a
        for a in scaling.activities
        if a.at_max is not None and 0 <= now - a.started_at <= AT_MAX_RECENT
    ]
    if not load and not held:
        return []
    # Since it was scaled to the maximum (the newest scale-out, finished or not), else since
    # the first activity that could not scale further.
    reached = [
        a
        for a in scaling.activities
        if a.at_max is None and a.status in ("Successful", "InProgress")
    ]
    since_at = [reached[0].started_at] if reached else [a.started_at for a in held]
    since = min(since_at) if since_at else None
    cap = scaling.target.max_capacity
    why = (
        " while " + " and ".join(load)
        if load
        else " and could not scale out further (AlreadyAtMaxCapacity)"
    )
    return [
        Problem(
            HIGH,
            "at-max-capacity",
            service.arn,
            service.name,
            f"at max capacity {service.desired}/{cap}{why}",
            "raise the scalable target's max capacity, or find what drives the load (the chart)",
            since,
            service.cluster,
            service.region,
            None,
            # The moment it reached its maximum, not the newest activity that could not scale
            # further: one every minute while it lasts would move the row up each time.
            since,
            service=service.arn,
        )
    ]


def why_problems(snapshot: Snapshot, now: float) -> list[Problem]:
    """Every problem the why sources tell of, for every watched service."""
    out: list[Problem] = []
    for s in snapshot.services:
        out += elb_problems(snapshot, s)
        out += deployment_problems(snapshot, s, now)
        out += alarm_problems(snapshot, s)
        out += at_max_problems(snapshot, s, now)
    return out


def merge(problems: Iterable[Problem], snapshot: Snapshot, now: float) -> list[Problem]:
    """``problems`` (inferred) with the why sources' added, in the view's order; an inferred
    deployment problem of a service whose deployment problem the deployments API tells of is
    dropped (the API's wording replaces it)."""
    found = why_problems(snapshot, now)
    told = {p.service for p in found if p.kind in ("deployment-rollback", "deployment-failed")}
    kept = [p for p in problems if not (p.kind in INFERRED and p.service in told)]
    return ordered(kept + found, now)


def all_problems(
    snapshot: Snapshot, now: float, first_exits: Mapping[str, float] | None = None
) -> list[Problem]:
    """Everything unhealthy: :func:`fgtop.derive.problems.find_problems` and the why sources'
    problems, most severe first (what the problems view and ``fgtop snapshot`` list);
    ``first_exits`` as for :func:`~fgtop.derive.problems.find_problems`."""
    return merge(find_problems(snapshot, now, first_exits), snapshot, now)

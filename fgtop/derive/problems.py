"""The problems view's data: everything unhealthy across ECS and EKS, most severe first.

Pure functions over a :class:`~fgtop.model.Snapshot`; no I/O, no Textual, no wall clock
(the caller passes ``now``, the snapshot's time in live use or the replay clock in replay).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fgtop.derive.decoder import (
    CRITICAL,
    HIGH,
    MEDIUM,
    SEVERITY_NAMES,
    Decoded,
    decode_deployment,
    decode_pod,
    decode_task,
)
from fgtop.derive.deployments import (
    DeploymentRecord,
    after_words,
    change_before,
    change_words,
)
from fgtop.model import FargateProfile, KubeEvent, Pod, Service, Snapshot, Task

STOPPED_WINDOW = 3600.0
"""Stopped tasks older than this (seconds) are history, not problems."""
PENDING_GRACE = 120.0
"""A pod Pending for no stated reason is normal on Fargate for this long (seconds)."""
CHANGE_WINDOW = 900.0
"""A problem that began this soon (seconds) after a deployment of its service started follows
that change."""


@dataclass(frozen=True)
class Problem:
    """One row of the problems view."""

    severity: int
    """1 critical, 2 high, 3 medium, 4 low."""
    kind: str
    """The decoder's kind (``oom``, ``image-not-found``...) or ``below-desired``."""
    target: str
    """A task or service ARN, ``namespace/pod``, or ``namespace/kind/name`` for a workload."""
    title: str
    """Short name for the row: the service, ``family:rev``, or the pod name."""
    reason: str
    next_step: str
    since: float | None
    """When the problem began, if known (POSIX seconds)."""
    cluster: str
    region: str | None
    related_task: str | None
    """The task ARN whose logs explain the problem, if any."""
    at: float | None
    """The moment to open the logs at (e.g. the task's stop), if known."""
    count: int = 1
    """How many times it happened: tasks stopped the same way, a pod's restarts."""
    resolved_at: float | None = None
    """When the problem ended, for one still listed after it ended (None while it lasts)."""
    service: str | None = None
    """The ARN of the ECS service it concerns, if any (the services table flags it)."""
    account: str | None = None
    """The AWS account id of what it concerns (None: unknown, or an older recording's)."""

    @property
    def resolved(self) -> bool:
        """Whether the problem has ended (it stays listed for an hour, marked resolved)."""
        return self.resolved_at is not None

    @property
    def severity_name(self) -> str:
        """``critical``, ``high``, ``medium`` or ``low``."""
        return SEVERITY_NAMES.get(self.severity, "low")


def stop_time(task: Task) -> float | None:
    """When a task stopped (or began stopping, or was created): a stop's one time."""
    return task.stopped_at or task.stopping_at or task.created_at


_FAILED_EVENT = re.compile(r"\(deployment (?P<id>[^)]+)\) deployment failed:?\s*(?P<why>.*)")
_UNHEALTHY_EVENT = re.compile(r"\(task (?P<id>[0-9a-f]+)\) (?:is|has been) unhealthy")
_HEALTH_CODES = re.compile(r"failed with these codes:\s*\[([^\]]*)\]")
_DONE_EVENTS = ("deployment completed", "has reached a steady state")


def _recent_stops(tasks: Iterable[Task], now: float) -> list[tuple[Task, Decoded]]:
    """Abnormally stopped tasks within the window, newest first, with their decoded reason."""
    out = []
    for t in tasks:
        if not t.is_stopping:
            continue
        ts = stop_time(t)
        if ts is not None and now - ts > STOPPED_WINDOW:
            continue
        decoded = decode_task(t)
        if decoded is not None and decoded.abnormal:
            out.append((t, decoded))
    out.sort(key=lambda td: -(stop_time(td[0]) or now))
    return out


def _deployment_failure(service: Service, now: float) -> tuple[float, str, str] | None:
    """(when, deployment id, why) of the newest deployment failure the events tell of."""
    for e in service.events:  # newest first
        if e.created_at > now or now - e.created_at > STOPPED_WINDOW:
            continue
        m = _FAILED_EVENT.search(e.message)
        if m:
            return e.created_at, m.group("id"), m.group("why").strip().rstrip(".")
    return None


def _resolved_at(service: Service, since: float, now: float) -> float | None:
    """When the service got over a failure at ``since``: its next completed deployment."""
    done = [
        e.created_at
        for e in service.events
        if since < e.created_at <= now and any(w in e.message for w in _DONE_EVENTS)
    ]
    return min(done) if done else None


def _unhealthy_since(services: Iterable[Service]) -> dict[str, float]:
    """Task id -> when the service first said the task was unhealthy (events of the hour)."""
    out: dict[str, float] = {}
    for service in services:
        for e in service.events:
            m = _UNHEALTHY_EVENT.search(e.message)
            if m:
                tid = m.group("id")
                out[tid] = min(out.get(tid, e.created_at), e.created_at)
    return out


def _unhealthy_codes(services: Iterable[Service]) -> dict[str, str]:
    """Task id -> the HTTP codes its target group's health checks got, as the service's
    events said (``(reason Health checks failed with these codes: [503])``)."""
    out: dict[str, str] = {}
    for service in services:
        for e in service.events:
            m = _UNHEALTHY_EVENT.search(e.message)
            codes = _HEALTH_CODES.search(e.message) if m else None
            if m and codes and codes.group(1).strip():
                out.setdefault(m.group("id"), codes.group(1).strip())
    return out


def _last_steady(service: Service) -> float | None:
    for e in service.events:
        if "has reached a steady state" in e.message:
            return e.created_at
    return None


def _service_problems(service: Service, tasks: list[Task], now: float) -> list[Problem]:
    out: list[Problem] = []
    stops = _recent_stops(tasks, now)
    newest = stops[0] if stops else None
    deployment = decode_deployment(service)
    failure = _deployment_failure(service, now)
    bad = [d for d in service.deployments if d.rollout_state == "FAILED"]
    primary_td = service.primary.task_definition if service.primary else None
    if deployment is not None:
        failed_td = {d.task_definition for d in bad}
        culprit = next((t for t, _ in stops if t.task_definition in failed_td), None)
        culprit = culprit or (newest[0] if newest else None)
        event_at = service.events[0].created_at if service.events else None
        # When it failed: the failed deployment's last update is the failure ECS reports
        # (the same moment as its "deployment failed" event and the timeline's entry).
        began = (
            (bad[0].updated_at if bad else None)
            or (failure[0] if failure else None)
            or (bad[0].created_at if bad else None)
            or event_at
        )
        out.append(
            Problem(
                deployment.severity,
                deployment.kind,
                service.arn,
                service.name,
                deployment.reason,
                deployment.next_step,
                began,
                service.cluster,
                service.region,
                culprit.arn if culprit else None,
                began,
                service=service.arn,
                account=service.account,
            )
        )
    elif failure is not None and (done := _resolved_at(service, failure[0], now)) is not None:
        # Rolled back and steady again: still listed for the hour, marked resolved.
        failed_at, dep_id, why = failure
        culprit = next((t for t, _ in stops if t.task_definition != primary_td), None)
        rev = culprit.family_revision if culprit else f"deployment {dep_id}"
        back = f", rolled back to {primary_td.rsplit('/', 1)[-1]}" if primary_td else ""
        out.append(
            Problem(
                HIGH,
                "deployment-rollback",
                service.arn,
                service.name,
                f"deployment of {rev} failed{back}: {why or 'see the service events'}",
                f"open the stopped tasks of {rev} to see why they failed to start",
                failed_at,
                service.cluster,
                service.region,
                culprit.arn if culprit else None,
                failed_at,
                resolved_at=done,
                service=service.arn,
                account=service.account,
            )
        )
    if service.status == "ACTIVE" and service.running < service.desired:
        ratio = service.running / service.desired
        severity = CRITICAL if service.running == 0 else HIGH if ratio < 0.5 else MEDIUM
        primary = service.primary
        rolling = primary is not None and primary.rollout_state == "IN_PROGRESS"
        if rolling and newest is None and service.running > 0:
            severity = MEDIUM
        reason = f"{service.running} of {service.desired} tasks running"
        if service.pending:
            reason += f" ({service.pending} pending)"
        next_step = "read the service events for why ECS cannot start tasks"
        since = None
        if newest is not None:
            reason += f"; last stop: {newest[1].reason}"
            next_step = newest[1].next_step
            steady = _last_steady(service)
            streak = [stop_time(t) for t, _ in stops if (stop_time(t) or 0) >= (steady or 0)]
            since = min((s for s in streak if s is not None), default=None)
        elif deployment is not None:
            next_step = deployment.next_step
        out.append(
            Problem(
                severity,
                "below-desired",
                service.arn,
                service.name,
                reason,
                next_step,
                since,
                service.cluster,
                service.region,
                newest[0].arn if newest else None,
                stop_time(newest[0]) if newest else None,
                service=service.arn,
                account=service.account,
            )
        )
    return out


def _task_problems(
    tasks: Iterable[Task],
    now: float,
    unhealthy_since: dict[str, float],
    service: str | None = None,
    codes: dict[str, str] | None = None,
) -> list[Problem]:
    """Stopped and unhealthy tasks, grouped by owner (service or family) and kind.

    SINCE is when the problem began: the first stop of the group within the hour, or when the
    service first reported the task unhealthy (unknown when it did not: never the task's age).
    """
    tasks = list(tasks)
    groups: dict[
        tuple[str | None, str, str | None, str, str], list[tuple[Task, Decoded, float | None]]
    ] = {}
    for t, decoded in _recent_stops(tasks, now):
        key = (t.account, t.cluster, t.region, t.owner, decoded.kind)
        groups.setdefault(key, []).append((t, decoded, stop_time(t)))
    for t in tasks:
        if not t.is_stopping and t.health == "UNHEALTHY":
            unhealthy = decode_task(t)
            if unhealthy is not None:
                key = (t.account, t.cluster, t.region, t.owner, "unhealthy:" + unhealthy.kind)
                groups.setdefault(key, []).append((t, unhealthy, None))
    out = []
    for rows in groups.values():
        task, decoded, at = rows[0]
        n = len(rows)
        # The newest task may still be stopping, before ECS reports its exit codes: word the
        # row with the newest fully stopped one (the logs still open at the newest stop).
        told = next((d for t, d, _ in rows if t.is_stopped), decoded)
        reason = told.reason
        said = (codes or {}).get(task.id) if decoded.kind == "health-check-elb" else None
        if said:
            reason += f" (its health checks got HTTP {said})"
        if n > 1:
            reason += f" ({n} tasks" + (" in the last hour)" if at is not None else ")")
        if at is not None:
            times = [r[2] for r in rows if r[2] is not None]
            since = min(times) if times else None
        else:
            known = [unhealthy_since[t.id] for t, _, _ in rows if t.id in unhealthy_since]
            since = min(known) if known else None
        title = task.owner if task.in_service else task.family_revision
        out.append(
            Problem(
                decoded.severity,
                decoded.kind,
                task.arn,
                title,
                reason,
                decoded.next_step,
                since,
                task.cluster,
                task.region,
                task.arn,
                at if at is not None else since,
                n,
                service=service,
                account=task.account,
            )
        )
    return out


def _profiles(
    snapshot: Snapshot, cluster: str, account: str | None = None
) -> tuple[FargateProfile, ...] | None:
    for kc in snapshot.kube_clusters:
        if kc.name == cluster and kc.account == account and kc.fargate_profiles:
            return kc.fargate_profiles
    return None


def _pod_since(
    pod: Pod, events: list[KubeEvent], last_exit: float | None, first_exit: float | None
) -> float | None:
    """When a pod's problem began: Pending since creation; crashing since its first restart.

    The first restart is the earliest of the first sighting of its warning events (when the
    API gave one) and the first exit seen within the window (the history remembers it: the
    pod itself reports only its last exit, which moves at every restart).
    """
    if pod.phase == "Pending":
        return pod.created_at
    times = [e.first_seen for e in events if e.type == "Warning" and e.first_seen is not None]
    times += [t for t in (first_exit, last_exit) if t is not None]
    return min(times) if times else None


def _pod_problems(
    snapshot: Snapshot, now: float, first_exits: Mapping[str, float] | None = None
) -> list[Problem]:
    out = []
    events: dict[tuple[str | None, str, str, str], list[KubeEvent]] = {}
    for e in snapshot.kube_events:
        events.setdefault((e.account, e.cluster, e.namespace, e.involved), []).append(e)
    by_pod: dict[tuple[str | None, str, str, str], Problem] = {}
    for pod in snapshot.pods:
        if pod.deleted_at is not None:
            continue
        mine = events.get((pod.account, pod.cluster, pod.namespace, pod.name), [])
        decoded = decode_pod(pod, _profiles(snapshot, pod.cluster, pod.account), mine)
        if decoded is None:
            continue
        if decoded.kind == "pending" and (
            pod.created_at is not None and now - pod.created_at < PENDING_GRACE
        ):
            continue
        finished = [
            c.last_state.finished_at
            for c in pod.containers
            if c.last_state is not None and c.last_state.finished_at is not None
        ]
        finished += [c.state.finished_at for c in pod.containers if c.state.finished_at]
        last_exit = max(finished) if finished else None
        problem = Problem(
            decoded.severity,
            decoded.kind,
            pod.target,
            pod.name,
            decoded.reason,
            decoded.next_step,
            _pod_since(pod, mine, last_exit, (first_exits or {}).get(pod.key)),
            pod.cluster,
            pod.region,
            None,
            last_exit,
            max(1, pod.restarts),
            account=pod.account,
        )
        by_pod[(pod.account, pod.cluster, pod.namespace, pod.name)] = problem
        out.append(problem)
    for w in snapshot.workloads:
        if w.available >= w.desired:
            continue
        severity = (
            CRITICAL if w.available == 0 else HIGH if w.available / w.desired < 0.5 else MEDIUM
        )
        # Below desired since its pods' problems began (the earliest of them).
        pods_problems = [
            p
            for (account, cluster, ns, name), p in by_pod.items()
            if (account, cluster, ns) == (w.account, w.cluster, w.namespace)
            and name.startswith(w.name + "-")
        ]
        times = [p.since for p in pods_problems if p.since is not None]
        # Why, from its most severe pod's problem (a Pending pod's missing Fargate profile).
        worst = min(pods_problems, key=lambda p: p.severity, default=None)
        why = f"; pod {worst.title}: {worst.reason}" if worst is not None else ""
        out.append(
            Problem(
                severity,
                "below-desired",
                f"{w.namespace}/{w.kind.lower()}/{w.name}",
                f"{w.kind}/{w.name}",
                f"{w.available} of {w.desired} replicas available ({w.ready} ready){why}",
                worst.next_step
                if worst is not None
                else "open its pods: the unhealthy ones say why",
                min(times) if times else None,
                w.cluster,
                None,
                None,
                max((p.at for p in pods_problems if p.at is not None), default=None),
                w.desired - w.available,
                account=w.account,
            )
        )
    return out


def find_problems(
    snapshot: Snapshot, now: float, first_exits: Mapping[str, float] | None = None
) -> list[Problem]:
    """Everything unhealthy in ``snapshot``: what lasts, most severe first; then the resolved.

    Args:
        snapshot: The observed state.
        now: The current time (POSIX seconds): the snapshot time live, the replay clock in replay.
        first_exits: Pod key -> its first container exit within the window, as the history
            saw it (:class:`fgtop.derive.history.PodExits`): a crash loop's SINCE.

    Returns:
        Problems sorted by severity, then by time (newest first), then by target; those that
        ended within the hour (``resolved_at`` set) after all the others.
    """
    problems: list[Problem] = []
    unhealthy = _unhealthy_since(snapshot.services)
    codes = _unhealthy_codes(snapshot.services)
    owned: set[str] = set()
    for service in snapshot.services:
        tasks = snapshot.tasks_of(service)
        owned.update(t.arn for t in tasks)
        problems += _service_problems(service, list(tasks), now)
        problems += _task_problems(tasks, now, unhealthy, service.arn, codes)
    problems += _task_problems((t for t in snapshot.tasks if t.arn not in owned), now, unhealthy)
    problems += _pod_problems(snapshot, now, first_exits)
    return ordered(problems, now)


def ordered(problems: Iterable[Problem], now: float) -> list[Problem]:
    """Problems in the view's order: what lasts before the resolved, most severe first, then
    newest first, then by target."""
    return sorted(
        problems,
        key=lambda p: (p.resolved, p.severity, -(p.at or p.since or now), p.target, p.kind),
    )


def following_change(
    problem: Problem, deployments: Iterable[DeploymentRecord], window: float = CHANGE_WINDOW
) -> str | None:
    """``began 2m after shop-search:18 replaced :17 — image tag, memory 2048 → 1024``.

    For a problem of an ECS service that began within ``window`` seconds after one of the
    service's deployments started (the newest such); None otherwise. ``deployments`` are the
    service's as fgtop has seen them (:class:`fgtop.derive.deployments.DeploymentHistory`).
    """
    if problem.service is None or problem.since is None:
        return None
    mine = [d for d in deployments if d.service == problem.service]
    record = change_before(mine, problem.since, window)
    if record is None or record.started_at is None:
        return None
    return f"began {after_words(problem.since - record.started_at)} after {change_words(record)}"


def problems_json(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """The problems as JSON-able dicts for ``fgtop snapshot`` (severity as a word)."""
    return [
        {
            "severity": p.severity_name,
            "kind": p.kind,
            "target": p.target,
            "reason": p.reason,
            "next_step": p.next_step,
            "title": p.title,
            "account": p.account,
            "cluster": p.cluster,
            "region": p.region,
            "since": p.since,
            "at": p.at,
            "related_task": p.related_task,
            "count": p.count,
            "resolved_at": p.resolved_at,
        }
        for p in problems
    ]

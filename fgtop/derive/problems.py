"""The problems view's data: everything unhealthy across ECS and EKS, most severe first.

Pure functions over a :class:`~fgtop.model.Snapshot`; no I/O, no Textual, no wall clock
(the caller passes ``now``, the snapshot's time in live use or the replay clock in replay).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
from fgtop.model import FargateProfile, KubeEvent, Service, Snapshot, Task

STOPPED_WINDOW = 3600.0
"""Stopped tasks older than this (seconds) are history, not problems."""
PENDING_GRACE = 120.0
"""A pod Pending for no stated reason is normal on Fargate for this long (seconds)."""


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
    """How many tasks or pods stopped the same way (rows are grouped)."""

    @property
    def severity_name(self) -> str:
        """``critical``, ``high``, ``medium`` or ``low``."""
        return SEVERITY_NAMES.get(self.severity, "low")


def _stop_time(task: Task) -> float | None:
    return task.stopped_at or task.stopping_at or task.created_at


def _is_stopped(task: Task) -> bool:
    return task.last_status == "STOPPED" or task.desired_status == "STOPPED"


def _owner(task: Task) -> str:
    if task.service:
        return task.service
    if task.group.startswith("service:"):
        return task.group.split(":", 1)[1]
    return task.family_revision.split(":", 1)[0]


def _by_owner(tasks: Iterable[Task]) -> dict[tuple[str, str | None, str], list[Task]]:
    out: dict[tuple[str, str | None, str], list[Task]] = {}
    for t in tasks:
        out.setdefault((t.cluster, t.region, _owner(t)), []).append(t)
    return out


def _recent_stops(tasks: Iterable[Task], now: float) -> list[tuple[Task, Decoded]]:
    """Abnormally stopped tasks within the window, newest first, with their decoded reason."""
    out = []
    for t in tasks:
        if not _is_stopped(t):
            continue
        ts = _stop_time(t)
        if ts is not None and now - ts > STOPPED_WINDOW:
            continue
        decoded = decode_task(t)
        if decoded is not None and decoded.abnormal:
            out.append((t, decoded))
    out.sort(key=lambda td: -(_stop_time(td[0]) or now))
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
    if deployment is not None:
        failed_td = {d.task_definition for d in service.deployments if d.rollout_state == "FAILED"}
        culprit = next((t for t, _ in stops if t.task_definition in failed_td), None)
        culprit = culprit or (newest[0] if newest else None)
        event_at = service.events[0].created_at if service.events else None
        bad = [d for d in service.deployments if d.rollout_state == "FAILED"]
        out.append(
            Problem(
                deployment.severity,
                deployment.kind,
                service.arn,
                service.name,
                deployment.reason,
                deployment.next_step,
                (bad[0].created_at if bad else None) or event_at,
                service.cluster,
                service.region,
                culprit.arn if culprit else None,
                (_stop_time(culprit) if culprit else None) or event_at,
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
            streak = [_stop_time(t) for t, _ in stops if (_stop_time(t) or 0) >= (steady or 0)]
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
                _stop_time(newest[0]) if newest else None,
            )
        )
    return out


def _task_problems(tasks: Iterable[Task], now: float) -> list[Problem]:
    """Stopped and unhealthy tasks, grouped by owner (service or family) and kind."""
    groups: dict[tuple[str, str | None, str, str], list[tuple[Task, Decoded, float | None]]] = {}
    for t, decoded in _recent_stops(tasks, now):
        key = (t.cluster, t.region, _owner(t), decoded.kind)
        groups.setdefault(key, []).append((t, decoded, _stop_time(t)))
    for t in tasks:
        if not _is_stopped(t) and t.health == "UNHEALTHY":
            decoded = decode_task(t)
            if decoded is not None:
                key = (t.cluster, t.region, _owner(t), "unhealthy:" + decoded.kind)
                groups.setdefault(key, []).append((t, decoded, None))
    out = []
    for rows in groups.values():
        task, decoded, at = rows[0]
        n = len(rows)
        # The newest task may still be stopping, before ECS reports its exit codes: word the
        # row with the newest fully stopped one (the logs still open at the newest stop).
        told = next((d for t, d, _ in rows if t.last_status == "STOPPED"), decoded)
        reason = told.reason
        if n > 1:
            reason += f" ({n} tasks" + (" in the last hour)" if at is not None else ")")
        times = [r[2] for r in rows if r[2] is not None]
        in_service = task.service is not None or task.group.startswith("service:")
        title = _owner(task) if in_service else task.family_revision
        out.append(
            Problem(
                decoded.severity,
                decoded.kind,
                task.arn,
                title,
                reason,
                decoded.next_step,
                min(times) if times else task.started_at,
                task.cluster,
                task.region,
                task.arn,
                at if at is not None else now,
                n,
            )
        )
    return out


def _profiles(snapshot: Snapshot, cluster: str) -> tuple[FargateProfile, ...] | None:
    for kc in snapshot.kube_clusters:
        if kc.name == cluster and kc.fargate_profiles:
            return kc.fargate_profiles
    return None


def _pod_problems(snapshot: Snapshot, now: float) -> list[Problem]:
    out = []
    events: dict[tuple[str, str, str], list[KubeEvent]] = {}
    for e in snapshot.kube_events:
        events.setdefault((e.cluster, e.namespace, e.involved), []).append(e)
    for pod in snapshot.pods:
        if pod.deleted_at is not None:
            continue
        mine = events.get((pod.cluster, pod.namespace, pod.name), [])
        decoded = decode_pod(pod, _profiles(snapshot, pod.cluster), mine)
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
        out.append(
            Problem(
                decoded.severity,
                decoded.kind,
                pod.target,
                pod.name,
                decoded.reason,
                decoded.next_step,
                pod.created_at if pod.phase == "Pending" else None,
                pod.cluster,
                pod.region,
                None,
                max(finished) if finished else None,
            )
        )
    for w in snapshot.workloads:
        if w.available >= w.desired:
            continue
        severity = (
            CRITICAL if w.available == 0 else HIGH if w.available / w.desired < 0.5 else MEDIUM
        )
        out.append(
            Problem(
                severity,
                "below-desired",
                f"{w.namespace}/{w.kind.lower()}/{w.name}",
                f"{w.kind}/{w.name}",
                f"{w.available} of {w.desired} replicas available ({w.ready} ready)",
                "open its pods: the unhealthy ones say why",
                None,
                w.cluster,
                None,
                None,
                None,
            )
        )
    return out


def find_problems(snapshot: Snapshot, now: float) -> list[Problem]:
    """Everything unhealthy in ``snapshot``, most severe first, then newest.

    Args:
        snapshot: The observed state.
        now: The current time (POSIX seconds): the snapshot time live, the replay clock in replay.

    Returns:
        Problems sorted by severity, then by time (newest first), then by target.
    """
    problems: list[Problem] = []
    owned = _by_owner(snapshot.tasks)
    for service in snapshot.services:
        tasks = owned.get((service.cluster, service.region, service.name), [])
        problems += _service_problems(service, tasks, now)
    problems += _task_problems(snapshot.tasks, now)
    problems += _pod_problems(snapshot, now)
    problems.sort(key=lambda p: (p.severity, -(p.at or p.since or now), p.target, p.kind))
    return problems


def problems_json(problems: Iterable[Problem]) -> list[dict]:
    """The problems as JSON-able dicts for ``fgtop snapshot`` (severity as a word)."""
    return [
        {
            "severity": p.severity_name,
            "kind": p.kind,
            "target": p.target,
            "reason": p.reason,
            "next_step": p.next_step,
            "title": p.title,
            "cluster": p.cluster,
            "region": p.region,
            "since": p.since,
            "at": p.at,
            "related_task": p.related_task,
            "count": p.count,
        }
        for p in problems
    ]

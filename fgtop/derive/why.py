"""Lookups over the why parts of a snapshot: a service's deployments, targets, alarms and
scaling, and which task a target is. The one definition of each match (by IP and port, by
dimension, by resource id), used by problems, the timeline, details and the JSON alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fgtop.model import (
    Alarm,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    Service,
    ServiceDeployment,
    Snapshot,
    TargetHealth,
    Task,
)
from fgtop.model.alarms import concerns
from fgtop.model.scaling import resource_id


def revision_task_definition(snapshot: Snapshot, arn: str | None) -> str | None:
    """The task definition ARN of a service revision, if the revision is known."""
    rev = snapshot.service_revision(arn)
    return rev.task_definition if rev is not None else None


def target_task(snapshot: Snapshot, service: Service, target: TargetHealth) -> Task | None:
    """The task of ``service`` that ``target`` is: the same private IP (and, where the service
    names the container port of that target group, the same port). A stopped task's IP may
    be reused: a task still running wins over one that stopped."""
    ports = {
        lb.container_port
        for lb in service.load_balancers
        if lb.target_group == target.target_group and lb.container_port is not None
    }
    if ports and target.port is not None and target.port not in ports:
        return None
    found = [t for t in snapshot.tasks_of(service) if t.private_ip == target.target_id]
    found.sort(key=lambda t: (t.is_stopped, -(t.created_at or 0.0)))
    return found[0] if found else None


def task_targets(snapshot: Snapshot, service: Service, task: Task) -> list[TargetHealth]:
    """What the target groups of ``service`` say of ``task``."""
    return [t for t in snapshot.targets_of(service) if target_task(snapshot, service, t) is task]


def monitored(snapshot: Snapshot, service: Service) -> frozenset[str]:
    """The alarm names the service's deployments monitor (the deployments API's)."""
    return frozenset(
        n for d in snapshot.deployments_of(service) for n in (*d.alarm_names, *d.triggered_alarms)
    )


def alarms_of(snapshot: Snapshot, service: Service) -> list[Alarm]:
    """The alarms about ``service`` (:func:`fgtop.model.alarms.concerns`), firing first."""
    names = monitored(snapshot, service)
    found = [
        a
        for a in snapshot.alarms
        if same_account(a.account, service.account) and concerns(a, service, names)
    ]
    return sorted(found, key=lambda a: (not a.firing, a.name))


def services_of_alarm(snapshot: Snapshot, alarm: Alarm) -> list[Service]:
    """The watched services ``alarm`` is about."""
    return [
        s
        for s in snapshot.services
        if same_account(alarm.account, s.account) and concerns(alarm, s, monitored(snapshot, s))
    ]


@dataclass(frozen=True)
class Scaling:
    """A service's Service Auto Scaling: its bounds, policies and recent activities."""

    target: ScalableTarget
    policies: tuple[ScalingPolicy, ...] = ()
    activities: tuple[ScalingActivity, ...] = ()
    """Newest first."""


def scaling_of(snapshot: Snapshot, service: Service) -> Scaling | None:
    """``service``'s scaling, or None when it has no scalable target (or it was not asked)."""
    rid = resource_id(service.cluster, service.name)
    target = next(
        (
            t
            for t in snapshot.scalable_targets
            if t.resource_id == rid
            and t.region == service.region
            and same_account(t.account, service.account)
        ),
        None,
    )
    if target is None:
        return None
    return Scaling(
        target,
        tuple(
            p
            for p in snapshot.scaling_policies
            if p.resource_id == rid
            and p.region == service.region
            and same_account(p.account, service.account)
        ),
        tuple(
            a
            for a in snapshot.scaling_activities
            if a.resource_id == rid
            and a.region == service.region
            and same_account(a.account, service.account)
        ),
    )


def same_account(a: str | None, b: str | None) -> bool:
    """Whether two objects can be of one account: the same, or one not known (an older
    recording's, a hand-made one): two accounts may both have a cluster and service of a name."""
    return a is None or b is None or a == b


def newest_first(deployments: Iterable[ServiceDeployment]) -> list[ServiceDeployment]:
    """Deployments, newest first."""
    return sorted(deployments, key=lambda d: -(d.created_at or d.started_at or 0.0))

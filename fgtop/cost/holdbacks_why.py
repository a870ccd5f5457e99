"""Hold-back rules from the why sources (issue 23): what the load balancer, the alarms and the
ECS deployments API say of a service.

Appended to :data:`fgtop.cost.holdbacks.RULES`. Each reads the service's window (any object
with the service, the snapshot and the window's bounds: :class:`Window`) and speaks only for
what the other rules cannot see: a target failing its health checks now that ECS has neither
stopped nor reported yet, an alarm about the service in ALARM, a rollback the deployments API
tells of when DescribeServices no longer shows it. Pure functions of the model.
"""

from __future__ import annotations

import re
from typing import Protocol

from fgtop.model.alarms import concerns
from fgtop.model.ecs import Service, ServiceEvent, Task
from fgtop.model.elb import target_group_name
from fgtop.model.service_deployments import arn_tail
from fgtop.model.snapshot import Snapshot

_REPORTED = re.compile(r"\(task (?P<id>[0-9a-f]+)\)[^(]*(?:\(port \d+\) )?is unhealthy in \(target")
_FAILED_EVENT = re.compile(r"\(deployment [^)]+\) deployment failed")


class Window(Protocol):
    """What these rules read of a service's window (:class:`fgtop.cost.holdbacks.HoldWindow`)."""

    @property
    def service(self) -> Service: ...  # noqa: D102

    @property
    def snapshot(self) -> Snapshot: ...  # noqa: D102

    @property
    def tasks(self) -> tuple[Task, ...]: ...  # noqa: D102

    @property
    def since(self) -> float: ...  # noqa: D102

    @property
    def now(self) -> float: ...  # noqa: D102

    @property
    def span(self) -> str: ...  # noqa: D102

    @property
    def events(self) -> tuple[ServiceEvent, ...]: ...  # noqa: D102


def target_health_failing(w: Window) -> str | None:
    """Targets of the service's target groups unhealthy now (DescribeTargetHealth), whose
    tasks ECS has not stopped or reported unhealthy yet (the load-balancer rule says those)."""
    reported = {m.group("id") for e in w.events if (m := _REPORTED.search(e.message))}
    by_ip = {t.private_ip: t for t in w.tasks if t.private_ip and not t.is_stopping}
    failing = []
    for t in w.snapshot.targets_of(w.service):
        if not t.unhealthy:
            continue
        task = by_ip.get(t.target_id)
        if task is None or task.id in reported:
            continue
        failing.append(t)
    if not failing:
        return None
    groups = sorted({target_group_name(t.target_group) for t in failing})
    reasons = sorted({t.reason or t.state for t in failing})
    n = len(failing)
    return (
        f"{n} task{'' if n == 1 else 's'} failing the load balancer's health checks now "
        f"(target group {', '.join(groups[:2])}: {', '.join(reasons[:2])})"
    )


def alarm_in_alarm(w: Window) -> str | None:
    """An alarm about the service in ALARM (a target-tracking scale-in alarm, in ALARM
    whenever the load is low, excepted)."""
    monitored = {n for d in w.snapshot.deployments_of(w.service) for n in d.alarm_names}
    firing = [
        a
        for a in w.snapshot.alarms
        if a.firing and "-AlarmLow-" not in a.name and concerns(a, w.service, monitored)
    ]
    if not firing:
        return None
    names = ", ".join(a.name for a in firing[:2]) + (
        f" +{len(firing) - 2}" if len(firing) > 2 else ""
    )
    return f"alarm {names} in ALARM ({firing[0].condition})"


def deployment_rolled_back(w: Window) -> str | None:
    """A deployment of the window rolled back or failed, as the ECS deployments API tells it,
    when DescribeServices and its events no longer do (the deployment rule speaks otherwise)."""
    if any(d.rollout_state == "FAILED" for d in w.service.deployments) or any(
        _FAILED_EVENT.search(e.message) for e in w.events
    ):
        return None
    for d in w.snapshot.deployments_of(w.service):
        began = d.began
        if began is None or began < w.since or began > w.now:
            continue
        if d.rolled_back or d.status in ("STOPPED", "ROLLBACK_FAILED"):
            what = d.status.replace("_", " ").lower()
            return f"deployment {arn_tail(d.arn)} {what} in the last {w.span} (ECS deployments API)"
    return None

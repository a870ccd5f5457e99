"""CloudWatch alarms that concern the watched services, and their state changes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from fgtop.model.ecs import Service
from fgtop.model.elb import target_group_dimension

ALARMS_SOURCE = "alarms"
"""The name prefix of the alarms source (``alarms:eu-west-1``)."""


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch alarm (metric or composite) as DescribeAlarms gave it."""

    name: str
    arn: str
    region: str
    state: str
    """OK, ALARM or INSUFFICIENT_DATA."""
    reason: str | None = None
    """Outside text: ``StateReason`` (``Threshold Crossed: 3 datapoints [...]``)."""
    updated_at: float | None = None
    """When the state last changed (``StateTransitionedTimestamp``, else ``StateUpdatedTimestamp``)."""
    metric: str | None = None
    namespace: str | None = None
    dimensions: tuple[tuple[str, str], ...] = ()
    """(name, value) pairs: ``ClusterName``, ``ServiceName``, ``TargetGroup``..."""
    statistic: str | None = None
    threshold: float | None = None
    comparison: str | None = None
    period: int | None = None
    evaluation_periods: int | None = None
    actions: tuple[str, ...] = ()
    """The ARNs its ALARM state triggers (scaling policies, SNS topics)."""
    composite: bool = False
    account: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.arn

    def dimension(self, name: str) -> str | None:
        """The value of dimension ``name``, if the alarm has it."""
        return next((v for n, v in self.dimensions if n == name), None)

    @property
    def firing(self) -> bool:
        """Whether the alarm is in ALARM."""
        return self.state == "ALARM"

    @property
    def condition(self) -> str:
        """``CPUUtilization > 70`` (what is known of it)."""
        ops = {
            "GreaterThanThreshold": ">",
            "GreaterThanOrEqualToThreshold": ">=",
            "LessThanThreshold": "<",
            "LessThanOrEqualToThreshold": "<=",
        }
        if self.metric is None or self.threshold is None:
            return self.metric or "composite"
        op = ops.get(self.comparison or "", self.comparison or "?")
        return f"{self.metric} {op} {self.threshold:g}"


@dataclass(frozen=True)
class AlarmChange:
    """One state change of an alarm (DescribeAlarmHistory, ``StateUpdate``)."""

    alarm: str
    """The alarm's name."""
    region: str
    at: float
    old_state: str | None
    new_state: str
    reason: str | None = None
    """Outside text: the new state's reason."""
    account: str | None = None


def _service_tail(service: Service) -> tuple[str, str]:
    return service.cluster.rsplit("/", 1)[-1], service.name


def concerns(alarm: Alarm, service: Service, monitored: Collection[str] = ()) -> bool:
    """Whether ``alarm`` is about ``service``: its dimensions name the service (ClusterName and
    ServiceName) or one of its target groups (TargetGroup), its deployments monitor it (the
    service's ``deploymentConfiguration`` or ``monitored``, the deployments API's names), or it
    drives one of the service's scaling policies (its actions name the service's resource).

    The one definition of "an alarm of this service".
    """
    if alarm.region != service.region:
        return False
    cluster, name = _service_tail(service)
    if alarm.dimension("ClusterName") == cluster and alarm.dimension("ServiceName") == name:
        return True
    group = alarm.dimension("TargetGroup")
    if group and any(
        target_group_dimension(lb.target_group) == group for lb in service.load_balancers
    ):
        return True
    if alarm.name in service.deployment_alarms or alarm.name in monitored:
        return True
    resource = f":resource/ecs/service/{cluster}/{name}:"
    return any(resource in action for action in alarm.actions)


def about_cluster(alarm: Alarm, clusters: Collection[str]) -> bool:
    """Whether ``alarm`` is a cluster-wide alarm (a ClusterName dimension, no ServiceName) of
    one of ``clusters``: kept, though no service is flagged for it."""
    return alarm.dimension("ClusterName") in clusters and alarm.dimension("ServiceName") is None

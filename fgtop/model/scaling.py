"""Service Auto Scaling of ECS services (``ecs:service:DesiredCount``)."""

from __future__ import annotations

from dataclasses import dataclass

SCALING_SOURCE = "scaling"
"""The name prefix of the scaling source (``scaling:eu-west-1``)."""
DIMENSION = "ecs:service:DesiredCount"
"""The scalable dimension of an ECS service."""


def resource_id(cluster: str, service: str) -> str:
    """``service/CLUSTER/SERVICE``: an ECS service's Application Auto Scaling resource id."""
    return f"service/{cluster.rsplit('/', 1)[-1]}/{service}"


def resource_path(resource: str) -> tuple[str, str]:
    """``(cluster, service)`` of ``service/CLUSTER/SERVICE`` (empty strings when not that)."""
    parts = resource.split("/")
    if len(parts) == 3 and parts[0] == "service":
        return parts[1], parts[2]
    return "", ""


@dataclass(frozen=True)
class ScalableTarget:
    """A service's scalable target: the bounds of its desired count."""

    resource_id: str
    """``service/CLUSTER/SERVICE``."""
    region: str
    min_capacity: int
    max_capacity: int
    created_at: float | None = None
    suspended: tuple[str, ...] = ()
    """What is suspended: ``scale-in``, ``scale-out``, ``scheduled``."""
    account: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return f"{self.region}/{self.resource_id}"


@dataclass(frozen=True)
class ScalingPolicy:
    """A scaling policy of a service."""

    arn: str
    name: str
    resource_id: str
    region: str
    policy_type: str
    """TargetTrackingScaling, StepScaling or PredictiveScaling."""
    target_value: float | None = None
    """The target of a target tracking policy."""
    metric: str | None = None
    """The predefined metric (``ECSServiceAverageCPUUtilization``) or the custom metric's name."""
    alarms: tuple[str, ...] = ()
    """The names of the alarms that drive it."""
    scale_out_cooldown: int | None = None
    scale_in_cooldown: int | None = None
    account: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.arn


@dataclass(frozen=True)
class NotScaled:
    """Why one scaling activity did not scale (``AlreadyAtMaxCapacity``...)."""

    code: str
    max_capacity: int | None = None
    min_capacity: int | None = None
    current_capacity: int | None = None


@dataclass(frozen=True)
class ScalingActivity:
    """One scaling activity of a service: the desired count moved (or could not)."""

    id: str
    resource_id: str
    region: str
    started_at: float
    status: str
    """Pending, InProgress, Successful, Overridden, Unfulfilled or Failed."""
    description: str | None = None
    """Outside text: ``Setting desired count to 10.``"""
    cause: str | None = None
    """Outside text: ``monitor alarm … in state ALARM triggered policy cpu70``."""
    status_message: str | None = None
    """Outside text."""
    ended_at: float | None = None
    not_scaled: tuple[NotScaled, ...] = ()
    account: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.id

    @property
    def at_max(self) -> NotScaled | None:
        """The ``AlreadyAtMaxCapacity`` reason it did not scale, if that was it."""
        return next((n for n in self.not_scaled if n.code == "AlreadyAtMaxCapacity"), None)

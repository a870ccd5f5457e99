"""Load-balancer target health: what each target group says of each task (by IP and port)."""

from __future__ import annotations

from dataclasses import dataclass

ELB_SOURCE = "elb-health"
"""The name prefix of the target health source (``elb-health:eu-west-1``)."""

FAILING_REASONS = frozenset(
    {"Target.ResponseCodeMismatch", "Target.Timeout", "Target.FailedHealthChecks"}
)
"""Reason codes of a target that answers its health checks wrongly or not at all."""


def target_group_name(arn: str) -> str:
    """``shop-api-tg`` of ``arn:...:targetgroup/shop-api-tg/5c1f0e7a9b3d2e41``."""
    path = arn.rsplit(":", 1)[-1].split("/")
    return path[1] if len(path) >= 3 else path[-1]


def target_group_dimension(arn: str) -> str:
    """The ``TargetGroup`` metric dimension of a target group ARN (``targetgroup/name/id``)."""
    return arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class TargetHealth:
    """One target (a task's IP and port) of a target group, as DescribeTargetHealth said."""

    target_group: str
    """The target group ARN."""
    target_id: str
    """The task's private IP (awsvpc tasks register by IP)."""
    port: int | None
    region: str
    state: str
    """initial, healthy, unhealthy, unhealthy.draining, unused, draining or unavailable."""
    reason: str | None = None
    """The reason code: ``Target.ResponseCodeMismatch``, ``Target.Timeout``, ``Elb.InitialHealthChecking``..."""
    description: str | None = None
    """Outside text: the load balancer's description (``Health checks failed with these codes: [503]``)."""
    az: str | None = None
    health_check_port: str | None = None
    checked_at: float | None = None
    """When the load balancer said so (the answer's time)."""
    unhealthy_since: float | None = None
    """The first answer of the current unhealthy streak (None while not unhealthy)."""
    account: str | None = None

    @property
    def unhealthy(self) -> bool:
        """Whether the target is failing its health checks."""
        return self.state in ("unhealthy", "unhealthy.draining")

    @property
    def healthy(self) -> bool:
        """Whether the target passes its health checks."""
        return self.state == "healthy"

    @property
    def target_group_name(self) -> str:
        """The target group's name."""
        return target_group_name(self.target_group)

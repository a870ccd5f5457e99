"""ECS service deployments and service revisions, as the deployments API describes them.

``ListServiceDeployments`` / ``DescribeServiceDeployments`` / ``DescribeServiceRevisions``
(October 2024): a service's deployment history of the last 90 days, each deployment with its
status, lifecycle stage, times, the revisions it moved from and to, its circuit breaker, the
alarms it watched and its rollback. A service revision is immutable (like a task definition).
"""

from __future__ import annotations

from dataclasses import dataclass

DEPLOYMENTS_SOURCE = "deployments"
"""The name prefix of the deployments source (``deployments:eu-west-1``)."""

IN_PROGRESS = frozenset({"PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})
"""Statuses of a deployment still moving (described again on each look)."""
ROLLED_BACK = frozenset({"ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "ROLLBACK_IN_PROGRESS"})
"""Statuses of a deployment that was rolled back (or is being)."""
TERMINAL = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
"""Statuses after which a deployment no longer changes (described once)."""


def arn_tail(arn: str | None) -> str:
    """The last path part of an ARN: a deployment's id, a revision's number."""
    return (arn or "").rsplit("/", 1)[-1]


def service_path(arn: str) -> tuple[str, str, str]:
    """``(region, cluster, service)`` of a service, service-deployment or service-revision ARN.

    ``arn:aws:ecs:eu-west-1:1:service-deployment/shop-prod/shop-search/xV2`` gives
    ``("eu-west-1", "shop-prod", "shop-search")``; a service ARN of the old format (no cluster)
    gives an empty cluster.
    """
    parts = arn.split(":", 5)
    region = parts[3] if len(parts) > 3 else ""
    path = (parts[5] if len(parts) > 5 else arn).split("/")
    kind = path[0]
    if kind in ("service-deployment", "service-revision") and len(path) >= 3:
        return region, path[1], path[2]
    if len(path) >= 3:
        return region, path[-2], path[-1]
    return region, "", path[-1]


@dataclass(frozen=True)
class LoadBalancerRef:
    """One load balancer (target group) a service registers its tasks in."""

    target_group: str
    """The target group ARN."""
    container_name: str | None = None
    container_port: int | None = None


@dataclass(frozen=True)
class RevisionCount:
    """A service revision a deployment moves tasks from or to, with its task counts."""

    arn: str
    requested: int = 0
    running: int = 0
    pending: int = 0


@dataclass(frozen=True)
class ServiceDeployment:
    """One deployment of a service, from the ECS deployments API."""

    arn: str
    service_arn: str
    cluster_arn: str
    region: str
    status: str
    """PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED,
    ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED."""
    status_reason: str | None = None
    """Outside text: why it is in this status."""
    lifecycle_stage: str | None = None
    """RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, ..., BAKE_TIME, CLEAN_UP."""
    created_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    stopped_at: float | None = None
    updated_at: float | None = None
    target: RevisionCount | None = None
    """The service revision deployed (its ARN only, from the list, until described)."""
    sources: tuple[RevisionCount, ...] = ()
    """The revisions running before it (empty until described)."""
    breaker_status: str | None = None
    """The circuit breaker: TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED."""
    failure_count: int | None = None
    """Tasks the circuit breaker counted as failed."""
    failure_threshold: int | None = None
    """Failed tasks at which the circuit breaker trips."""
    alarms_status: str | None = None
    """The deployment's alarm monitor: TRIGGERED, MONITORING, MONITORING_COMPLETE, DISABLED."""
    alarm_names: tuple[str, ...] = ()
    """The CloudWatch alarms the deployment monitors."""
    triggered_alarms: tuple[str, ...] = ()
    """Those of them that went into ALARM during the deployment."""
    rollback_reason: str | None = None
    """Outside text: why it was rolled back."""
    rollback_started_at: float | None = None
    rollback_revision: str | None = None
    """The service revision ARN it rolled back to."""
    described: bool = False
    """Described in full (else only the list's summary is known)."""
    account: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.arn

    @property
    def id(self) -> str:
        """The deployment's id: the last part of its ARN."""
        return arn_tail(self.arn)

    @property
    def in_progress(self) -> bool:
        """Whether the deployment is still moving."""
        return self.status in IN_PROGRESS

    @property
    def terminal(self) -> bool:
        """Whether the deployment has ended (it changes no more)."""
        return self.status in TERMINAL

    @property
    def rolled_back(self) -> bool:
        """Whether it was rolled back (or is being)."""
        return self.status in ROLLED_BACK or self.rollback_started_at is not None

    @property
    def began(self) -> float | None:
        """When it started (else was created)."""
        return self.started_at or self.created_at

    @property
    def ended_at(self) -> float | None:
        """When it finished or was stopped (None while in progress)."""
        return self.finished_at or self.stopped_at

    @property
    def source_revision(self) -> str | None:
        """The revision it replaced: the first source revision (None until described)."""
        return self.sources[0].arn if self.sources else None


@dataclass(frozen=True)
class ContainerImage:
    """The image a service revision resolved for one container (tag and digest)."""

    container: str
    image: str
    digest: str | None = None


@dataclass(frozen=True)
class ServiceRevision:
    """A service revision: what one deployment runs (immutable by ARN)."""

    arn: str
    service_arn: str
    cluster_arn: str
    region: str
    task_definition: str
    """The task definition ARN."""
    created_at: float | None = None
    images: tuple[ContainerImage, ...] = ()
    """Each container's image with its resolved digest."""
    load_balancers: tuple[LoadBalancerRef, ...] = ()
    launch_type: str | None = None
    capacity_provider_strategy: tuple[tuple[str, int, int], ...] = ()
    """(capacity provider, weight, base) triples."""
    platform_version: str | None = None
    account: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.arn

    @property
    def family_revision(self) -> str:
        """``family:revision`` of its task definition."""
        return arn_tail(self.task_definition)

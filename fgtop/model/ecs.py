"""ECS model: clusters, services, deployments, tasks, containers, task definitions.

Times are POSIX seconds (UTC) as floats; ``None`` means unknown or not yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fgtop.model.service_deployments import LoadBalancerRef

RAW_DOCUMENT = {"mask": "document"}
"""Field metadata: an API's raw document (secrets in it are masked on display and redaction)."""
ENVIRONMENT = {"mask": "environment"}
"""Field metadata: environment values by name (secret-looking ones are masked)."""
LABELS = {"mask": "labels"}
"""Field metadata: a name -> value map (tags, labels, annotations, log options) whose
secret-named values are masked (``com.example.api-token``)."""
SHUTTING_DOWN = frozenset({"STOPPING", "DEPROVISIONING", "STOPPED"})
"""ECS task statuses of a task on its way down, or down."""
ABNORMAL_STOP_CODES = frozenset({"TaskFailedToStart", "SpotInterruption"})
"""Stop codes that make a stop abnormal whatever the exit codes."""
STATUS_RANK = {"failed": 0, "pending": 1, "running": 2, "stopped": 3}
"""How status kinds sort: problems first."""


def health_kind(health: str) -> str:
    """An ECS or Kubernetes health word as a kind: ``healthy``, ``unhealthy`` or ``unknown``."""
    h = health.upper()
    if h == "HEALTHY":
        return "healthy"
    if h == "UNHEALTHY":
        return "unhealthy"
    return "unknown"


@dataclass(frozen=True)
class Cluster:
    """An ECS cluster in one region."""

    name: str
    arn: str
    region: str
    status: str
    container_insights: str = "disabled"
    """``enabled``, ``enhanced`` or ``disabled`` (the cluster's containerInsights setting)."""
    running_tasks: int = 0
    pending_tasks: int = 0
    active_services: int = 0
    account: str | None = None
    """The AWS account id it belongs to (None: the one account of an older recording)."""


@dataclass(frozen=True)
class ServiceEvent:
    """One line of a service's event log."""

    id: str
    created_at: float
    message: str


@dataclass(frozen=True)
class Deployment:
    """One deployment of a service (PRIMARY, ACTIVE or INACTIVE)."""

    id: str
    status: str
    task_definition: str
    desired: int
    running: int
    pending: int
    failed_tasks: int = 0
    rollout_state: str | None = None
    """IN_PROGRESS, COMPLETED or FAILED (None for services without a rollout state)."""
    rollout_state_reason: str | None = None
    created_at: float | None = None
    updated_at: float | None = None


@dataclass(frozen=True)
class Service:
    """An ECS service with its deployments and its most recent events."""

    name: str
    arn: str
    cluster: str
    region: str
    status: str
    desired: int
    running: int
    pending: int
    task_definition: str = ""
    launch_type: str | None = None
    capacity_provider_strategy: tuple[tuple[str, int, int], ...] = ()
    """(capacity provider, weight, base) triples."""
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()
    """Most recent first, as ECS returns them (bounded)."""
    circuit_breaker: bool = False
    created_at: float | None = None
    raw: dict[str, Any] | None = field(
        default=None, compare=True, repr=False, metadata=RAW_DOCUMENT
    )
    """The describe_services document, for the describe view (secrets masked on display)."""
    load_balancers: tuple[LoadBalancerRef, ...] = ()
    """The target groups its tasks register in (``loadBalancers``)."""
    deployment_alarms: tuple[str, ...] = ()
    """The CloudWatch alarms its deployments monitor (``deploymentConfiguration.alarms``)."""
    account: str | None = None
    """The AWS account id it belongs to (None: the one account of an older recording)."""

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.arn

    @property
    def primary(self) -> Deployment | None:
        """The PRIMARY deployment, if any."""
        for d in self.deployments:
            if d.status == "PRIMARY":
                return d
        return None

    @property
    def deployment_state(self) -> str:
        """A short human summary: ``steady``, ``rolling 3/6``, ``FAILED``..."""
        primary = self.primary
        if primary is None:
            return "-"
        if any(d.rollout_state == "FAILED" for d in self.deployments):
            return "FAILED/rollback"
        if primary.rollout_state == "IN_PROGRESS" or len(self.deployments) > 1:
            return f"rolling {primary.running}/{primary.desired}"
        return "steady"


@dataclass(frozen=True, slots=True)
class Container:
    """One container of a task."""

    name: str
    image: str = ""
    last_status: str = ""
    exit_code: int | None = None
    reason: str | None = None
    health: str = "UNKNOWN"
    cpu: int | None = None
    memory: int | None = None


@dataclass(frozen=True, slots=True)
class Task:
    """An ECS task (Fargate or, with --include-ec2, EC2)."""

    arn: str
    cluster: str
    region: str
    task_definition: str
    last_status: str
    desired_status: str
    service: str | None = None
    """Service name, or None for a standalone (RunTask / scheduled) task."""
    group: str = ""
    health: str = "UNKNOWN"
    launch_type: str = "FARGATE"
    capacity_provider: str | None = None
    cpu: int | None = None
    """CPU units (1024 = 1 vCPU), from the task or its task definition."""
    memory: int | None = None
    """MiB, from the task or its task definition."""
    arch: str | None = None
    """``x86_64`` or ``arm64``."""
    os: str = "LINUX"
    """Operating system family (LINUX, WINDOWS_SERVER_...)."""
    ephemeral_storage_gib: int = 20
    az: str | None = None
    private_ip: str | None = None
    created_at: float | None = None
    pull_started_at: float | None = None
    """When the first image pull began (``pullStartedAt``): where Fargate billing starts."""
    started_at: float | None = None
    stopping_at: float | None = None
    execution_stopped_at: float | None = None
    """When the task's containers had all exited (``executionStoppedAt``)."""
    stopped_at: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    started_by: str | None = None
    containers: tuple[Container, ...] = ()
    tags: dict[str, str] = field(default_factory=dict, metadata=LABELS)
    platform_version: str | None = None
    account: str | None = None
    """The AWS account id it belongs to (None: the one account of an older recording)."""

    @property
    def key(self) -> str:
        """Stable identity across snapshots."""
        return self.arn

    @property
    def id(self) -> str:
        """The task id: the last part of its ARN."""
        return self.arn.rsplit("/", 1)[-1]

    @property
    def family_revision(self) -> str:
        """``family:revision`` of the task definition."""
        return self.task_definition.rsplit("/", 1)[-1]

    @property
    def is_spot(self) -> bool:
        """Whether the task runs on FARGATE_SPOT."""
        return self.capacity_provider == "FARGATE_SPOT"

    @property
    def is_stopped(self) -> bool:
        """Whether the task has ended (ECS reports it STOPPED): the one definition of it."""
        return self.last_status.upper() == "STOPPED"

    @property
    def is_billed(self) -> bool:
        """Whether the task is still billed (anything short of STOPPED or DELETED, no stop
        time yet): the one definition of it."""
        return self.last_status.upper() not in ("STOPPED", "DELETED") and self.stopped_at is None

    @property
    def is_shutting_down(self) -> bool:
        """Whether ECS reports the task on its way down or down (STOPPING, DEPROVISIONING or
        STOPPED): the one definition of "stopped" the status colours and details use."""
        return self.last_status.upper() in SHUTTING_DOWN

    @property
    def abnormal_stop(self) -> bool:
        """Whether a stopped task stopped for a bad reason (a non-zero exit, a failed start,
        a Spot interruption): the one definition of it."""
        if not self.is_stopped:
            return False
        if self.stop_code in ABNORMAL_STOP_CODES:
            return True
        return any(c.exit_code not in (None, 0) for c in self.containers)

    @property
    def status_kind(self) -> str:
        """The task's status as a kind: ``running``, ``pending``, ``stopped`` or ``failed``
        (an abnormal stop). Screens colour it; the problems view and the grid agree on it."""
        status = self.last_status.upper()
        if status == "RUNNING":
            return "running"
        if status in SHUTTING_DOWN:
            return "failed" if self.abnormal_stop else "stopped"
        return "pending"

    @property
    def is_stopping(self) -> bool:
        """Whether the task has ended or is on its way there (ECS wants it STOPPED)."""
        return self.is_stopped or self.desired_status.upper() == "STOPPED"

    @property
    def ended_at(self) -> float | None:
        """When a stopped task stopped (None while it has not, or when ECS did not say)."""
        if not self.is_stopped:
            return None
        return self.stopped_at or self.stopping_at

    @property
    def owner(self) -> str:
        """What the task belongs to: its service name, else its family (standalone tasks)."""
        if self.service:
            return self.service
        if self.group.startswith("service:"):
            return self.group.split(":", 1)[1]
        return self.family_revision.split(":", 1)[0]

    @property
    def in_service(self) -> bool:
        """Whether a service started the task (rather than RunTask or a schedule)."""
        return self.service is not None or self.group.startswith("service:")


@dataclass(frozen=True)
class LogConfig:
    """Where a container's logs go (from the task definition)."""

    driver: str
    """awslogs, awsfirelens, splunk, none..."""
    options: dict[str, str] = field(default_factory=dict, metadata=LABELS)

    @property
    def group(self) -> str | None:
        """The awslogs group, if any."""
        return self.options.get("awslogs-group")

    @property
    def stream_prefix(self) -> str | None:
        """The awslogs stream prefix, if any."""
        return self.options.get("awslogs-stream-prefix")

    @property
    def region(self) -> str | None:
        """The awslogs region, if any."""
        return self.options.get("awslogs-region")


@dataclass(frozen=True)
class ContainerDefinition:
    """The part of a container definition fgtop uses."""

    name: str
    image: str = ""
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    essential: bool = True
    log: LogConfig | None = None
    environment: dict[str, str] = field(default_factory=dict, metadata=ENVIRONMENT)
    secrets: dict[str, str] = field(default_factory=dict)
    """Secret name -> valueFrom reference (never the value)."""


@dataclass(frozen=True)
class TaskDefinition:
    """A task definition (immutable by ARN)."""

    arn: str
    family: str
    revision: int
    cpu: int | None = None
    memory: int | None = None
    arch: str | None = None
    os: str = "LINUX"
    ephemeral_storage_gib: int = 20
    requires_compatibilities: tuple[str, ...] = ()
    containers: tuple[ContainerDefinition, ...] = ()
    raw: dict[str, Any] | None = field(default=None, repr=False, metadata=RAW_DOCUMENT)
    """The describe_task_definition document, for the describe view."""
    account: str | None = None
    """The AWS account id it belongs to (None: the one account of an older recording)."""


def task_metrics_available(cluster: Cluster | None) -> bool:
    """Whether tasks of ``cluster`` have per-task CPU and memory metrics.

    Only Container Insights with enhanced observability publishes task-level metrics; with
    plain Container Insights or none, the grid should say "n/a (no Container Insights)".
    """
    return cluster is not None and cluster.container_insights == "enhanced"

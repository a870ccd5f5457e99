"""What every source is: the :class:`Source` base, its typed :class:`Part`, its context.

A source talks to one API and returns a *part*: some fields of a
:class:`~fgtop.model.Snapshot`. It never sees the engine, only a :class:`SourceContext` (the
current snapshot, the UI's hints, the clock and a way to report its health).

A source is a :class:`PollingSource` (the engine calls :meth:`PollingSource.poll` every
``interval`` seconds) or a :class:`StreamingSource` (the engine runs
:meth:`StreamingSource.stream`, which emits parts as they come); both are abstract, so the type
checker (and Python, at construction) holds every source to the method the engine calls.
"""

from __future__ import annotations

import dataclasses
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from fgtop.model import (
    Account,
    Alarm,
    AlarmChange,
    Cluster,
    EcsRecommendation,
    Hints,
    KubeCluster,
    KubeEvent,
    KubeWorkload,
    MetricSeries,
    MetricsUsage,
    OptimizerStatus,
    Pod,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    Service,
    ServiceDeployment,
    ServiceRevision,
    Snapshot,
    TargetHealth,
    Task,
    TaskDefinition,
)

if TYPE_CHECKING:
    from fgtop.sources.aws import Aws


class Part(TypedDict, total=False):
    """The fields of a snapshot one source may set. Tuple fields of several sources are
    concatenated; the others are taken from the last source that set them."""

    accounts: tuple[Account, ...]
    clusters: tuple[Cluster, ...]
    services: tuple[Service, ...]
    tasks: tuple[Task, ...]
    task_definitions: tuple[TaskDefinition, ...]
    pods: tuple[Pod, ...]
    kube_clusters: tuple[KubeCluster, ...]
    kube_events: tuple[KubeEvent, ...]
    workloads: tuple[KubeWorkload, ...]
    metrics: tuple[MetricSeries, ...]
    metrics_usage: MetricsUsage
    ecs_recommendations: tuple[EcsRecommendation, ...]
    compute_optimizer: OptimizerStatus
    service_deployments: tuple[ServiceDeployment, ...]
    service_revisions: tuple[ServiceRevision, ...]
    target_health: tuple[TargetHealth, ...]
    alarms: tuple[Alarm, ...]
    alarm_history: tuple[AlarmChange, ...]
    scalable_targets: tuple[ScalableTarget, ...]
    scaling_policies: tuple[ScalingPolicy, ...]
    scaling_activities: tuple[ScalingActivity, ...]


PART_FIELDS: frozenset[str] = frozenset(Part.__annotations__)
"""The keys a part may hold."""
SINGLE_FIELDS: frozenset[str] = frozenset({"metrics_usage", "compute_optimizer"})
"""Part fields that are one value, not a tuple (the last source that set one wins)."""
TUPLE_FIELDS: frozenset[str] = PART_FIELDS - SINGLE_FIELDS
assert {f.name for f in dataclasses.fields(Snapshot)} >= PART_FIELDS

Emit = Callable[[Part], None]
Report = Callable[[str | None, bool], None]
Partial = Callable[[Part, int, int], None]
"""``report(error, stale)``: a streaming source's failure (or recovery, ``error=None``)."""


class SourceContext:
    """What a source may see of the engine: the snapshot, the hints, the clock, a report.

    Args:
        snapshot: Returns the engine's latest merged snapshot.
        hints: What the UI is looking at (shared, updated in place).
        clock: POSIX seconds (tests pass a fake clock).
        report: Lets a streaming source report a failure or recovery without a new part.
        partial: Lets a polling source publish what its first poll has found so far.
    """

    def __init__(
        self,
        snapshot: Callable[[], Snapshot],
        hints: Hints,
        clock: Callable[[], float],
        report: Report | None = None,
        partial: Partial | None = None,
    ) -> None:
        self._snapshot = snapshot
        self.hints = hints
        self.clock = clock
        self._report = report
        self._partial = partial

    @property
    def snapshot(self) -> Snapshot:
        """The latest merged snapshot (what the other sources found)."""
        return self._snapshot()

    def report(self, error: str | None, *, stale: bool = True) -> None:
        """Report a failure (one line) or, with None, a recovery."""
        if self._report is not None:
            self._report(error, stale)

    @property
    def streams(self) -> bool:
        """Whether :meth:`partial` goes anywhere (an engine shows it; a one-off poll does not)."""
        return self._partial is not None

    def partial(self, part: Part, loaded: int, expected: int) -> None:
        """Publish what a first poll has found so far: ``loaded`` of about ``expected`` tasks.

        The engine shows it (the header says ``loading``) until the poll's full part arrives.
        """
        if self._partial is not None:
            self._partial(part, loaded, expected)

    @classmethod
    def standalone(cls, snapshot: Snapshot | None = None) -> SourceContext:
        """A context outside an engine (tests, one-off polls)."""
        snap = snapshot or Snapshot(taken_at=time.time())
        return cls(lambda: snap, Hints(), time.time)


class Source(ABC):  # noqa: B024 - abstract through its two kinds below
    """What every data source has: a name, counters, notes and a way to close.

    Subclass :class:`PollingSource` or :class:`StreamingSource`, never this class directly.
    """

    name: str = "source"
    phase: int = 0
    """For a one-off poll: sources of a later phase poll after the earlier ones merged
    (metrics need the tasks first)."""
    aws: Aws | None = None
    """The AWS session this source calls through (None: not an AWS source)."""
    essential: bool = True
    """ECS and Kubernetes are essential. An optional source (metrics, Compute Optimizer, the
    sources that explain why) says so with False: a one-off poll waits for it only until a
    short deadline, its AWS calls retry a 5xx at most once (``Aws.client(optional=True)``),
    and the header lists its problems after the essential sources'."""

    @property
    def account(self) -> str | None:
        """The id of the AWS account the source reads: its session's, once known (None: no
        AWS source, or not known yet)."""
        return self.aws.account if self.aws is not None else None

    def api_calls(self) -> int:
        """API requests this source has made so far."""
        return 0

    def note(self) -> str | None:
        """A one-line notice for the header, or None."""
        return None

    def state(self) -> str | None:
        """A short state for streaming sources (``watching``...), or None."""
        return None

    def degraded(self) -> str | None:
        """Why the last part is incomplete (an operation denied...), one line; None if whole.

        The engine marks such a source stale with this reason, though it answered.
        """
        return None

    async def close(self) -> None:  # noqa: B027 - a source without clients closes nothing
        """Release clients and connections."""


class PollingSource(Source):
    """A source the engine polls every :attr:`interval` seconds."""

    @property
    def interval(self) -> float:
        """Seconds between polls (a source may stretch it, e.g. to keep to an API budget; a
        subclass may make it a plain attribute)."""
        return 5.0

    @abstractmethod
    async def poll(self, ctx: SourceContext) -> Part:
        """Fetch once and return this source's whole part of the snapshot."""


class StreamingSource(Source):
    """A source that runs until cancelled and emits parts as it learns them (a watch)."""

    @abstractmethod
    async def stream(self, ctx: SourceContext, emit: Emit) -> None:
        """Run until cancelled, emitting parts."""

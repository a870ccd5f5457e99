"""The Snapshot: the whole observed state at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from fgtop.model.ecs import Cluster, Service, Task, TaskDefinition
from fgtop.model.health import SourceHealth
from fgtop.model.kube import KubeCluster, KubeEvent, KubeWorkload, Pod
from fgtop.model.metrics import MetricSeries, MetricsUsage


@dataclass(frozen=True)
class Snapshot:
    """Everything fgtop observed at ``taken_at``: the only thing sinks render from."""

    taken_at: float
    """POSIX seconds (UTC) of the merge that produced this snapshot."""
    account: str | None = None
    profile: str | None = None
    regions: tuple[str, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    services: tuple[Service, ...] = ()
    tasks: tuple[Task, ...] = ()
    task_definitions: tuple[TaskDefinition, ...] = ()
    pods: tuple[Pod, ...] = ()
    kube_clusters: tuple[KubeCluster, ...] = ()
    kube_events: tuple[KubeEvent, ...] = ()
    workloads: tuple[KubeWorkload, ...] = ()
    metrics: tuple[MetricSeries, ...] = ()
    metrics_usage: MetricsUsage = field(default_factory=MetricsUsage)
    sources: tuple[SourceHealth, ...] = ()
    notes: tuple[str, ...] = ()
    """One-line notices for the header (e.g. a refresh stretched to stay in the API budget)."""

    @property
    def api_calls(self) -> int:
        """All API calls made by all sources so far."""
        return sum(s.api_calls for s in self.sources)

    @cached_property
    def _task_definitions_by_arn(self) -> dict[str, TaskDefinition]:
        return {td.arn: td for td in self.task_definitions}

    @cached_property
    def _series_by_key(self) -> dict[tuple[str, str], MetricSeries]:
        return {(s.target, s.metric): s for s in reversed(self.metrics)}

    @cached_property
    def _tasks_by_owner(self) -> dict[tuple[str, str | None, str], tuple[Task, ...]]:
        out: dict[tuple[str, str | None, str], list[Task]] = {}
        for t in self.tasks:
            if t.in_service:
                out.setdefault((t.cluster, t.region, t.owner), []).append(t)
        return {k: tuple(v) for k, v in out.items()}

    def tasks_of(self, service: Service) -> tuple[Task, ...]:
        """The tasks of a service (same cluster and region), indexed once per snapshot."""
        return self._tasks_by_owner.get((service.cluster, service.region, service.name), ())

    def task_definition(self, arn: str) -> TaskDefinition | None:
        """The task definition with this ARN, if fetched (indexed once per snapshot)."""
        return self._task_definitions_by_arn.get(arn)

    def series(self, target: str, metric: str) -> MetricSeries | None:
        """The series of ``metric`` for ``target`` (a service or task ARN), if held.

        The grids ask this for every row on every snapshot, so it is indexed once per snapshot.
        """
        return self._series_by_key.get((target, metric))

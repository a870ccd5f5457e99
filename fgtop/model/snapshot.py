"""The Snapshot: the whole observed state at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def task_definition(self, arn: str) -> TaskDefinition | None:
        """The task definition with this ARN, if fetched."""
        for td in self.task_definitions:
            if td.arn == arn:
                return td
        return None

    def series(self, target: str, metric: str) -> MetricSeries | None:
        """The series of ``metric`` for ``target`` (a service or task ARN), if held."""
        for s in self.metrics:
            if s.target == target and s.metric == metric:
                return s
        return None

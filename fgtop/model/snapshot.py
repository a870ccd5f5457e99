"""The Snapshot: the whole observed state at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

from fgtop.model.account import Account
from fgtop.model.alarms import Alarm, AlarmChange
from fgtop.model.ecs import Cluster, Service, Task, TaskDefinition
from fgtop.model.elb import TargetHealth
from fgtop.model.health import SourceHealth
from fgtop.model.kube import KubeCluster, KubeEvent, KubeWorkload, Pod
from fgtop.model.metrics import MetricSeries, MetricsUsage
from fgtop.model.optimizer import EcsRecommendation, OptimizerStatus
from fgtop.model.scaling import ScalableTarget, ScalingActivity, ScalingPolicy
from fgtop.model.service_deployments import ServiceDeployment, ServiceRevision, service_path

_arn = attrgetter("arn")


@dataclass(frozen=True)
class Snapshot:
    """Everything fgtop observed at ``taken_at``: the only thing sinks render from."""

    taken_at: float
    """POSIX seconds (UTC) of the merge that produced this snapshot."""
    account: str | None = None
    """The account id when one account is watched (None with several: see ``accounts``)."""
    profile: str | None = None
    regions: tuple[str, ...] = ()
    accounts: tuple[Account, ...] = ()
    """The watched accounts with their display names and the state of their credentials
    (empty in recordings made before several accounts could be watched: see
    :attr:`watched_accounts`)."""
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
    ecs_recommendations: tuple[EcsRecommendation, ...] = ()
    """AWS Compute Optimizer's ECS service recommendations in the watched regions."""
    compute_optimizer: OptimizerStatus | None = None
    """How the last look at Compute Optimizer went; None when not asked (off, old recordings)."""
    service_deployments: tuple[ServiceDeployment, ...] = ()
    """The watched services' deployments from the ECS deployments API, newest first per service."""
    service_revisions: tuple[ServiceRevision, ...] = ()
    """The service revisions those deployments move between (immutable)."""
    target_health: tuple[TargetHealth, ...] = ()
    """What the watched services' target groups say of each target."""
    alarms: tuple[Alarm, ...] = ()
    """CloudWatch alarms on the watched clusters, services and target groups, and those their
    deployments monitor."""
    alarm_history: tuple[AlarmChange, ...] = ()
    """Those alarms' state changes in the window, oldest first."""
    scalable_targets: tuple[ScalableTarget, ...] = ()
    scaling_policies: tuple[ScalingPolicy, ...] = ()
    scaling_activities: tuple[ScalingActivity, ...] = ()
    """The watched services' scaling activities in the window, newest first."""
    sources: tuple[SourceHealth, ...] = ()
    notes: tuple[str, ...] = ()
    """One-line notices for the header (e.g. a refresh stretched to stay in the API budget)."""

    @property
    def loading(self) -> tuple[int, int] | None:
        """(tasks described so far, about how many there are) while a first poll streams in;
        None once every source has answered in full."""
        streaming = [s for s in self.sources if s.expected is not None and not s.answered]
        if not streaming:
            return None
        return sum(s.loaded or 0 for s in streaming), sum(s.expected or 0 for s in streaming)

    @cached_property
    def watched_accounts(self) -> tuple[Account, ...]:
        """The watched accounts: :attr:`accounts`, or for an older recording its one account."""
        if self.accounts:
            return self.accounts
        if self.account is None:
            return ()
        return (Account(id=self.account, name=self.profile, regions=self.regions),)

    @property
    def multi_account(self) -> bool:
        """Whether more than one account is watched (screens then show an account column)."""
        return len(self.watched_accounts) > 1

    @cached_property
    def _accounts_by_id(self) -> dict[str, Account]:
        return {a.id: a for a in self.watched_accounts if a.id}

    def account_info(self, account_id: str | None) -> Account | None:
        """The watched account with this id, if any."""
        return self._accounts_by_id.get(account_id) if account_id else None

    def account_label(self, account_id: str | None) -> str:
        """What a screen calls an account: its name, alias or id (outside text: sanitize it).

        The one lookup of an object's account label (``""`` for an object with no account)."""
        account = self.account_info(account_id)
        if account is not None:
            return account.label
        return account_id or ""

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
    def _by_key(self) -> dict[str, Task | Service | Pod | TaskDefinition | KubeWorkload]:
        found: dict[str, Task | Service | Pod | TaskDefinition | KubeWorkload] = {}
        for items in (self.task_definitions, self.workloads, self.pods, self.services):
            found.update((item.key if hasattr(item, "key") else item.arn, item) for item in items)
        # A task's key is its ARN (Task.key): read at C speed, there may be 20,000 of them.
        found.update(zip(map(_arn, self.tasks), self.tasks, strict=True))
        return found

    @cached_property
    def _tasks_by_service(
        self,
    ) -> dict[tuple[str | None, str | None, str, str], tuple[Task, ...]]:
        groups: dict[tuple[str | None, str | None, str, str], list[Task]] = {}
        for t in self.tasks:
            if t.in_service:  # the service name, or the group ``service:NAME`` ECS sets
                groups.setdefault((t.account, t.region, t.cluster, t.owner), []).append(t)
        return {k: tuple(v) for k, v in groups.items()}

    def find(self, key: str) -> Task | Service | Pod | TaskDefinition | KubeWorkload | None:
        """The task, service, pod, workload or task definition with this key (ARN or pod key).

        The one lookup by key every view uses (indexed once per snapshot).
        """
        return self._by_key.get(key)

    def tasks_of(self, service: Service) -> tuple[Task, ...]:
        """The tasks of ``service`` (same account, region, cluster and service name), running
        or not.

        The one definition of "tasks of a service" (indexed once per snapshot).
        """
        key = (service.account, service.region, service.cluster, service.name)
        return self._tasks_by_service.get(key, ())

    def task_definition(self, arn: str) -> TaskDefinition | None:
        """The task definition with this ARN, if fetched (indexed once per snapshot)."""
        return self._task_definitions_by_arn.get(arn)

    def series(self, target: str, metric: str) -> MetricSeries | None:
        """The series of ``metric`` for ``target`` (a service or task ARN), if held.

        The grids ask this for every row on every snapshot, so it is indexed once per snapshot.
        """
        return self._series_by_key.get((target, metric))

    @cached_property
    def _deployments_by_service(self) -> dict[tuple[str, str, str], tuple[ServiceDeployment, ...]]:
        groups: dict[tuple[str, str, str], list[ServiceDeployment]] = {}
        for d in self.service_deployments:
            groups.setdefault(service_path(d.service_arn), []).append(d)
        return {
            k: tuple(sorted(v, key=lambda d: -(d.created_at or d.started_at or 0.0)))
            for k, v in groups.items()
        }

    @cached_property
    def _revisions_by_arn(self) -> dict[str, ServiceRevision]:
        return {r.arn: r for r in self.service_revisions}

    @cached_property
    def _targets_by_group(self) -> dict[str, tuple[TargetHealth, ...]]:
        groups: dict[str, list[TargetHealth]] = {}
        for t in self.target_health:
            groups.setdefault(t.target_group, []).append(t)
        return {k: tuple(v) for k, v in groups.items()}

    def deployments_of(self, service: Service) -> tuple[ServiceDeployment, ...]:
        """The deployments API's history of ``service``, newest first (empty when not asked)."""
        key = (service.region, service.cluster.rsplit("/", 1)[-1], service.name)
        return self._deployments_by_service.get(key, ())

    def service_revision(self, arn: str | None) -> ServiceRevision | None:
        """The service revision with this ARN, if fetched."""
        return self._revisions_by_arn.get(arn or "")

    def targets_of(self, service: Service) -> tuple[TargetHealth, ...]:
        """What ``service``'s target groups say of their targets (empty when not asked)."""
        out: list[TargetHealth] = []
        for lb in service.load_balancers:
            out += self._targets_by_group.get(lb.target_group, ())
        return tuple(out)

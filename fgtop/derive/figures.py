"""The figures every screen and the printer show, worked out once per frame.

A row's $/h and $ so far, a service's (or Kubernetes workload's) state, the OOM kills of a
service: each has one definition here, read by the tables, the cost panel, the problems view
and ``fgtop snapshot`` alike, so two places never show two values for one fact. The money is
exact here (:class:`~decimal.Decimal`); :mod:`fgtop.text.money` rounds it, once, for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from fgtop.cost.estimate import is_pod_running
from fgtop.cost.summary import CostSummary
from fgtop.derive.decoder import decode_task
from fgtop.derive.problems import Problem, stop_time
from fgtop.model import KubeWorkload, Pod, Service, Snapshot, Task


def oom_kills(snapshot: Snapshot) -> dict[str, tuple[float, ...]]:
    """Service ARN -> when its tasks were killed for memory, oldest first.

    The one count of OOM kills: a task the decoder calls ``oom`` (stopped, or stopping once
    ECS has said why), at its stop time. The problems view counts those of the last hour, the
    right-sizing's held-back reason those of its window.
    """
    out: dict[str, tuple[float, ...]] = {}
    for service in snapshot.services:
        times = []
        for t in snapshot.tasks_of(service):
            if not t.is_stopping:
                continue
            decoded = decode_task(t)
            if decoded is not None and decoded.kind == "oom":
                times.append(stop_time(t) or snapshot.taken_at)
        if times:
            out[service.arn] = tuple(sorted(times))
    return out


def workload_cost_key(w: KubeWorkload) -> str:
    """The cost breakdown's key of a Kubernetes workload (its pods' row)."""
    return f"k8s:{w.cluster}/{w.namespace}/{w.name}"


def workload_problem_target(w: KubeWorkload) -> str:
    """The problems' target of a Kubernetes workload (``namespace/kind/name``)."""
    return f"{w.namespace}/{w.kind.lower()}/{w.name}"


@dataclass(frozen=True)
class ServiceState:
    """What the services table's DEPLOYMENT column says of a service or workload, and why."""

    state: str
    """``steady``, ``rolling 3/6``, ``FAILED/rollback``... or, while a problem lasts, the
    problem's kind (``oom``, ``below-desired``): never ``steady`` then."""
    problem: Problem | None = None
    """Its most severe problem that lasts (None: nothing wrong)."""

    @property
    def severity(self) -> int | None:
        """The severity of :attr:`problem` (None without one)."""
        return self.problem.severity if self.problem is not None else None


def deployment_words(item: Service | KubeWorkload) -> str:
    """What a service's or workload's rollout says, problems aside: ``steady``, ``rolling
    3/6``, ``FAILED/rollback``, ``updated 1/2``..."""
    if isinstance(item, Service):
        return item.deployment_state
    return f"updated {item.updated}/{item.desired}" if item.updated < item.desired else "steady"


def state_words(deployment: str, problem: Problem | None) -> str:
    """The DEPLOYMENT text: the deployment state, with the lasting problem named.

    ``steady`` (or ``-``, nothing listed) gives way to the problem's kind; a rollout keeps
    its own words before it (``rolling 1/2, image-not-found``).
    """
    if problem is None:
        return deployment
    if deployment in ("steady", "-", ""):
        return problem.kind
    return f"{deployment}, {problem.kind}"


def _worst(problems: Iterable[Problem]) -> Problem | None:
    """The most severe problem that lasts (the first of equals, in the problems' order)."""
    worst: Problem | None = None
    for p in problems:
        if p.resolved:
            continue
        if worst is None or p.severity < worst.severity:
            worst = p
    return worst


def service_states(snapshot: Snapshot, problems: Iterable[Problem]) -> dict[str, ServiceState]:
    """Service ARN and workload key -> its state, from the problems of the same frame.

    A workload's problems are its own (below desired) and its pods' (a pod is a workload's
    when its name is the workload's followed by ``-``, as the problems view groups them).
    """
    problems = list(problems)
    by_service: dict[str, list[Problem]] = {}
    by_target: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.service is not None:
            by_service.setdefault(p.service, []).append(p)
        by_target.setdefault((p.cluster, p.target), []).append(p)
    out: dict[str, ServiceState] = {}
    for s in snapshot.services:
        worst = _worst(by_service.get(s.arn, ()))
        out[s.arn] = ServiceState(state_words(s.deployment_state, worst), worst)
    for w in snapshot.workloads:
        mine = list(by_target.get((w.cluster, workload_problem_target(w)), ()))
        prefix = f"{w.namespace}/{w.name}-"
        mine += [
            p
            for (cluster, target), ps in by_target.items()
            if cluster == w.cluster and target.startswith(prefix) and target.count("/") == 1
            for p in ps
        ]
        worst = _worst(mine)
        out[w.key] = ServiceState(state_words(deployment_words(w), worst), worst)
    return out


@dataclass(frozen=True)
class Figures:
    """Per-row figures of one frame: money per task, pod, service and workload, states.

    Every table, panel and the JSON read these (through the accessors), never the cost
    summary's dictionaries with a rule of their own.
    """

    cost: CostSummary | None = None
    states: Mapping[str, ServiceState] = field(default_factory=dict)
    """Service ARN or workload key -> its state (:func:`service_states`)."""
    oom_kills: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    """Service ARN -> when its tasks were OOM-killed (:func:`oom_kills`)."""

    def task_rate(self, task: Task) -> Decimal | None:
        """What the task costs per hour now: None once it is no longer billed, or unpriced."""
        if self.cost is None or not task.is_billed:
            return None
        return self.cost.task_rates.get(task.arn)

    def task_spent(self, task: Task) -> Decimal | None:
        """What the task has cost so far (None: unpriced)."""
        return self.cost.task_costs.get(task.arn) if self.cost is not None else None

    def pod_rate(self, pod: Pod) -> Decimal | None:
        """What the pod costs per hour now: None once it no longer holds capacity."""
        if self.cost is None or not is_pod_running(pod):
            return None
        return self.cost.pod_rates.get(pod.key)

    def pod_spent(self, pod: Pod) -> Decimal | None:
        """What the pod has cost so far (None: unpriced)."""
        return self.cost.pod_costs.get(pod.key) if self.cost is not None else None

    def service_rate(self, service: Service) -> Decimal | None:
        """What the service's running tasks cost per hour (its breakdown row's figure)."""
        return self.cost.service_rates.get(service.arn) if self.cost is not None else None

    def service_spent(self, service: Service) -> Decimal | None:
        """What the service's tasks listed (running and stopped) have cost so far."""
        return self.cost.service_costs.get(service.arn) if self.cost is not None else None

    def workload_rate(self, w: KubeWorkload) -> Decimal | None:
        """What a Kubernetes workload's running pods cost per hour (None: none priced)."""
        if self.cost is None:
            return None
        return self.cost.by_service.get(workload_cost_key(w))

    def state(self, item: Service | KubeWorkload) -> ServiceState:
        """The state of a service or workload (its deployment's alone when not derived)."""
        found = self.states.get(item.arn if isinstance(item, Service) else item.key)
        return found if found is not None else ServiceState(deployment_words(item))

    def oom_kills_in(self, service_arn: str, since: float) -> int:
        """How many of the service's tasks were OOM-killed at or after ``since``."""
        return sum(1 for at in self.oom_kills.get(service_arn, ()) if at >= since)


def figures_for(
    snapshot: Snapshot,
    cost: CostSummary | None,
    problems: Iterable[Problem],
    oom_kills: Mapping[str, tuple[float, ...]],
) -> Figures:
    """The figures of one frame."""
    return Figures(cost=cost, states=service_states(snapshot, problems), oom_kills=oom_kills)

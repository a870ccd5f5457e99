"""AWS Compute Optimizer's ECS service recommendations, as fgtop holds them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

OPTIMIZER_SOURCE = "compute-optimizer"
"""The name of the Compute Optimizer source (its health entry in ``Snapshot.sources``)."""
OPTIMIZER_PERMISSION = "compute-optimizer:GetECSServiceRecommendations"
"""The IAM permission the source needs."""


@dataclass(frozen=True)
class OptimizerOption:
    """One size Compute Optimizer recommends for a service's tasks."""

    cpu: int | None
    """CPU units of the task (1024 = 1 vCPU)."""
    memory: int | None
    """Memory of the task in MiB."""
    monthly_savings: float | None = None
    """Estimated savings a month at public prices, in ``currency``; None when not given."""
    savings_percent: float | None = None
    """The estimated savings as a percentage of the service's current cost."""
    monthly_savings_after_discounts: float | None = None
    """The estimate after the account's discounts (Savings Plans...), when given."""
    currency: str | None = None
    """``USD`` (or ``CNY`` in China regions)."""


@dataclass(frozen=True)
class EcsRecommendation:
    """Compute Optimizer's finding for one ECS service, and the sizes it recommends."""

    service_arn: str
    region: str
    cluster: str
    """The cluster name, from the service ARN (empty for an old-format ARN)."""
    service_name: str
    """The service name, from the service ARN."""
    finding: str
    """``Overprovisioned``, ``Underprovisioned`` or ``Optimized`` (as AWS says it)."""
    current_cpu: int | None = None
    """CPU units of each task now."""
    current_memory: int | None = None
    """Memory of each task now, MiB."""
    options: tuple[OptimizerOption, ...] = ()
    """The recommended sizes, in AWS's order (its best first)."""
    reasons: tuple[str, ...] = ()
    """AWS's finding reason codes (``CPUOverprovisioned``, ``MemoryUnderprovisioned``...)."""
    performance_risk: str | None = None
    """AWS's ``currentPerformanceRisk`` (``VeryLow`` to ``High``)."""
    lookback_days: float | None = None
    """Days of utilisation the finding rests on."""
    refreshed_at: float | None = None
    """When AWS last refreshed the recommendation (POSIX seconds)."""
    account: str | None = None

    @property
    def best(self) -> OptimizerOption | None:
        """The option saving the most (AWS's first when none gives savings), or None."""
        if not self.options:
            return None
        priced = [o for o in self.options if o.monthly_savings is not None]
        if not priced:
            return self.options[0]
        return max(priced, key=lambda o: o.monthly_savings or 0.0)


@dataclass(frozen=True)
class OptimizerStatus:
    """How the last look at Compute Optimizer went (beside the recommendations it found)."""

    regions: tuple[str, ...] = ()
    """The regions asked."""
    not_enrolled: tuple[str, ...] = ()
    """Regions where the account is not opted in to Compute Optimizer."""
    denied: str | None = None
    """One line naming the missing permission, when access was denied."""
    skipped: int = 0
    """Recommendations skipped as malformed."""
    checked_at: float | None = None
    """When the recommendations were last fetched (POSIX seconds)."""

    @property
    def enrolled(self) -> bool:
        """Whether the account is opted in to Compute Optimizer in at least one region asked."""
        return not self.regions or set(self.regions) - set(self.not_enrolled) != set()


NOT_ENROLLED_LINE = (
    "Compute Optimizer: this account is not enrolled (opt in to see its ECS recommendations)"
)
"""The one line shown when the account is not opted in to Compute Optimizer."""


def status_line(status: OptimizerStatus | None) -> str | None:
    """The one line about Compute Optimizer's state, or None when there is nothing to say.

    Not enrolled anywhere: :data:`NOT_ENROLLED_LINE`; denied: the permission needed.
    """
    if status is None:
        return None
    if status.denied:
        return f"Compute Optimizer: {status.denied}"
    if not status.enrolled:
        return NOT_ENROLLED_LINE
    if status.not_enrolled:
        regions = ", ".join(status.not_enrolled)
        return f"Compute Optimizer: not enrolled in {regions} (opt in to see its recommendations)"
    return None


def service_key(arn: str) -> tuple[str, str, str]:
    """``(region, cluster, service)`` from an ECS service ARN (cluster empty for old ARNs).

    ``arn:aws:ecs:eu-west-1:123:service/prod/api`` gives ``("eu-west-1", "prod", "api")``.
    """
    parts = arn.split(":", 5)
    region = parts[3] if len(parts) > 3 else ""
    resource = parts[5] if len(parts) > 5 else arn
    path = resource.split("/")
    if len(path) >= 3:
        return region, path[-2], path[-1]
    return region, "", path[-1]


def by_service(
    recommendations: Iterable[EcsRecommendation],
) -> dict[tuple[str | None, str, str, str], EcsRecommendation]:
    """Recommendations by ``(account, region, cluster name, service name)``, the key ECS
    services share.

    The one way a recommendation is matched to a service: by account, region, cluster and
    name (the service ARN may be in the old format on one side).
    """
    return {(r.account, r.region, r.cluster, r.service_name): r for r in recommendations}


def for_services(
    recommendations: Iterable[EcsRecommendation], services: Iterable[Any]
) -> list[EcsRecommendation]:
    """The recommendations of the watched ``services`` (by account, region, cluster and
    name), in the services' order; the account's others (other clusters, EC2 services) are
    left out. A recommendation or service with no account matches on the rest."""
    recommendations = tuple(recommendations)
    index = by_service(recommendations)
    # A service or a recommendation with no account (hand-made, or from an older recording)
    # matches on region, cluster and name alone.
    loose = {(r.region, r.cluster, r.service_name): r for r in recommendations}
    out = []
    for s in services:
        cluster = s.cluster.rsplit("/", 1)[-1]
        account = getattr(s, "account", None)
        rec = None
        for name in (cluster, ""):
            if account is None:
                rec = loose.get((s.region, name, s.name))
            else:
                rec = index.get((account, s.region, name, s.name)) or index.get(
                    (None, s.region, name, s.name)
                )
            if rec is not None:
                break
        if rec is not None:
            out.append(rec)
    return out

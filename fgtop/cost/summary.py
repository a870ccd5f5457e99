"""The estate's cost at one instant: :class:`CostSummary`, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fgtop.text.money import value


@dataclass(frozen=True)
class CostSummary:
    """What the estate costs at ``at``: totals, breakdowns, and a figure per task and pod.

    Every figure is after the Savings Plan ``discount`` (0 by default); the ``*_list``
    figures beside them are list price.
    """

    at: float
    """The POSIX time the figures are for (the snapshot's, not the wall clock)."""
    per_hour: Decimal = Decimal(0)
    """Burn rate of everything running, dollars per hour."""
    per_month_projected: Decimal = Decimal(0)
    """``per_hour`` x 730."""
    by_cluster: dict[str, Decimal] = field(default_factory=dict)
    by_service: dict[str, Decimal] = field(default_factory=dict)
    """Keyed by service ARN; ``family:region/cluster/family`` for standalone tasks (and
    ``service:region/cluster/name`` for tasks of a service not listed); or
    ``k8s:cluster/namespace/workload`` for pods: every running priced task and pod is in one
    row, so the rows add up to ``per_hour``."""
    by_capacity_provider: dict[str, Decimal] = field(default_factory=dict)
    by_account: dict[str, Decimal] = field(default_factory=dict)
    """Burn rate by AWS account id (``""``: tasks and pods of no known account)."""
    spot_savings_per_hour: Decimal = Decimal(0)
    """What the running Spot tasks would cost on FARGATE (after the discount) minus what
    they cost."""
    task_rates: dict[str, Decimal] = field(default_factory=dict)
    task_costs: dict[str, Decimal] = field(default_factory=dict)
    pod_rates: dict[str, Decimal] = field(default_factory=dict)
    pod_costs: dict[str, Decimal] = field(default_factory=dict)
    service_rates: dict[str, Decimal] = field(default_factory=dict)
    service_costs: dict[str, Decimal] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    """Display names of the keys of ``by_cluster``, ``by_service`` and ``by_account``."""
    unpriced: tuple[str, ...] = ()
    """Keys of running tasks and pods that could not be priced."""
    unpriced_reasons: dict[str, str] = field(default_factory=dict)
    """Why each key of ``unpriced`` could not be priced."""
    price_table_date: str = ""
    price_table_source: str = ""
    spot_is_estimate: bool = True
    discount: Decimal = Decimal(0)
    """The Savings Plan fraction taken off on-demand Fargate compute."""
    per_hour_list: Decimal = Decimal(0)
    """``per_hour`` at list price."""
    per_month_projected_list: Decimal = Decimal(0)
    task_rates_list: dict[str, Decimal] = field(default_factory=dict)
    task_costs_list: dict[str, Decimal] = field(default_factory=dict)
    pod_rates_list: dict[str, Decimal] = field(default_factory=dict)
    pod_costs_list: dict[str, Decimal] = field(default_factory=dict)
    service_rates_list: dict[str, Decimal] = field(default_factory=dict)
    service_costs_list: dict[str, Decimal] = field(default_factory=dict)
    minimum_charge: Decimal = Decimal(0)
    """What the one-minute (Windows: 15-minute) minimum added for tasks and pods that ran
    for less than it and have ended, after the discount."""
    minimum_charge_list: Decimal = Decimal(0)
    minimum_charged: int = 0
    """How many ended tasks and pods ran for less than their minimum."""
    derived_figures: tuple[str, ...] = ()
    """``region figure`` pairs the figures above rest on that are derived, not published."""
    spot_dates: dict[str, str] = field(default_factory=dict)
    """Region -> date of its published x86 Spot figure (``""``: undated), for regions with x86
    Spot tasks; regions whose Spot figure is derived appear in ``derived_figures`` instead."""
    spot_arm_dates: dict[str, str] = field(default_factory=dict)
    """The same for the ARM64 Spot figure, for regions with ARM Spot tasks."""
    notes: tuple[str, ...] = ()
    """One-line notes on how figures were priced (e.g. Windows on FARGATE_SPOT: on-demand)."""

    def as_json(self) -> dict[str, object]:
        """The top-level ``cost`` object of ``fgtop snapshot --format json``."""
        return {
            "discount": float(self.discount),
            "per_hour": usd(self.per_hour),
            "per_hour_list": usd(self.per_hour_list),
            "per_month_projected": usd(self.per_month_projected),
            "per_month_projected_list": usd(self.per_month_projected_list),
            "spot_savings_per_hour": usd(self.spot_savings_per_hour),
            "by_account": {k: usd(v) for k, v in sorted(self.by_account.items())},
            "minimum_charge": usd(self.minimum_charge),
            "minimum_charge_list": usd(self.minimum_charge_list),
            "minimum_charged": self.minimum_charged,
            "price_table_date": self.price_table_date,
            "price_table_source": self.price_table_source,
            "spot_is_estimate": self.spot_is_estimate,
            "spot_dates": dict(self.spot_dates),
            "spot_arm_dates": dict(self.spot_arm_dates),
            "notes": list(self.notes),
            "derived_figures": list(self.derived_figures),
            "unpriced": list(self.unpriced),
            "unpriced_reasons": dict(self.unpriced_reasons),
        }


def usd(amount: Decimal | None) -> float | None:
    """A Decimal amount as a float number of dollars (for JSON), in micro-dollars: the
    amount every screen rounds (:func:`fgtop.text.money.value`)."""
    return None if amount is None else float(value(amount))

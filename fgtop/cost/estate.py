"""What the whole estate costs: :func:`estate_cost`, and :class:`EstatePricer`, which keeps
what it worked out for each task and pod from one snapshot to the next.

A task's price (its $/h, list $/h, whether it is billed, the figures it is priced from, which
breakdown rows it falls in) depends on the task alone, so the pricer keeps it by the task's
identity: an unchanged task (the same object in the next snapshot: the sources and the
recording's decoder reuse unchanged objects) is not priced again. Its cost so far depends on
the time too: it is worked out again from the kept parts (rate, billing window, minimum) only
when the end of its billed window moved (a running task's, every frame). A service's $/h is
summed again only when its tasks changed. :func:`estate_cost` is a fresh pricer's first
snapshot: the result is the same whichever way it is reached (``tests/unit/test_estate_pricer.py``
compares the two over random sequences of changes).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import repeat

from fgtop.cost.billing import (
    LINUX_MINIMUM_SECONDS,
    billed_seconds,
    cost_for,
    is_windows,
    minimum_surcharge_seconds,
    pod_billing_window,
    task_minimum_seconds,
)
from fgtop.cost.estimate import (
    DEFAULT_REGION,
    EKS_CAPACITY,
    HOURS_PER_MONTH,
    as_discount,
    figures_used,
    is_pod_running,
    pod_rate,
    pod_size,
    task_group,
    task_rate,
    unpriced_reason,
    workload_key,
)
from fgtop.cost.prices import PriceTable
from fgtop.cost.summary import CostSummary
from fgtop.model.ecs import Task
from fgtop.model.kube import Pod
from fgtop.model.snapshot import Snapshot

_ZERO = Decimal(0)


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


class _TaskPrice:
    """What a task's pricing keeps: everything that depends on the task alone."""

    __slots__ = (
        "capacity",
        "cluster",
        "cluster_of_account",
        "cost",
        "cost_l",
        "end",
        "extra",
        "figures",
        "list_rate",
        "listed",
        "minimum",
        "rate",
        "reason",
        "running",
        "spot_saving",
        "start",
        "stop",
        "task",
        "windows_spot",
    )

    def __init__(self, pricer: EstatePricer, t: Task) -> None:
        self.task = t
        """The task priced (its identity is the cache's key)."""
        rate = pricer.rate_of(t)
        self.rate = rate
        self.running = t.is_billed
        self.windows_spot = self.running and t.is_spot and is_windows(t.os)
        self.reason = unpriced_reason(t, pricer.table) if rate is None else None
        disc = pricer.discount
        self.list_rate = pricer.rate_of(t, d=_ZERO) if disc and rate is not None else rate
        self.figures = (
            tuple(
                (t.region, f)
                for f in figures_used(t.arch, t.os, t.is_spot, t.ephemeral_storage_gib)
            )
            if rate is not None
            else ()
        )
        self.start = next(
            (v for v in (t.pull_started_at, t.started_at, t.created_at) if v is not None), None
        )
        self.stop = t.stopped_at if t.stopped_at is not None else t.execution_stopped_at
        self.minimum = task_minimum_seconds(t)
        self.spot_saving: Decimal | None = None
        if rate is not None and self.running and t.is_spot:
            on_demand = pricer.rate_of(t, spot=False)
            if on_demand is not None:
                self.spot_saving = on_demand - rate
        self.cluster = t.cluster
        self.cluster_of_account = f"{t.account}/{t.cluster}" if t.account else t.cluster
        """Its ``by_cluster`` key when several accounts are watched."""
        self.capacity = t.capacity_provider or t.launch_type or "FARGATE"
        self.listed = (t.account, t.region, t.cluster, t.owner) if t.in_service else None
        """The service it belongs to (None: standalone): in the breakdown under the service's
        row when that service is listed, else by its own group."""
        self.end: float | None = None
        """The end of the billed window :attr:`cost` was worked out for (None: not yet)."""
        self.cost = self.cost_l = _ZERO
        self.extra = 0

    def costs_at(self, end: float) -> None:
        """Work out the cost so far (and list cost, minimum surcharge) for a billed window
        ending at ``end`` (the stop, or now)."""
        self.end = end
        rate, list_rate = self.rate, self.list_rate
        assert rate is not None and list_rate is not None
        seconds = billed_seconds(self.start, end, minimum=self.minimum)
        self.cost = cost_for(rate, seconds)
        self.cost_l = cost_for(list_rate, seconds) if list_rate is not rate else self.cost
        self.extra = 0 if self.running else minimum_surcharge_seconds(self.start, end, self.minimum)


class _PodPrice:
    """What a pod's pricing keeps (for one default region)."""

    __slots__ = ("list_rate", "pod", "rate", "reason", "region", "running")

    def __init__(self, pricer: EstatePricer, p: Pod, region: str) -> None:
        self.pod = p
        self.region = region
        disc = pricer.discount
        self.rate = pod_rate(p, pricer.table, region, discount=disc)
        self.running = is_pod_running(p)
        self.list_rate = (
            pod_rate(p, pricer.table, region) if disc and self.rate is not None else self.rate
        )
        self.reason: str | None = None
        if self.rate is None and self.running and p.is_fargate:
            self.reason = "size unknown" if pod_size(p) is None else "no prices"


class EstatePricer:
    """Prices snapshots one after another, keeping each task's and pod's price by identity.

    Args:
        table: The price table.
        discount: A Compute Savings Plan's fraction (0 to 0.72) off on-demand Fargate
            compute.

    Raises:
        ValueError: For a discount outside 0 to 0.72.
    """

    def __init__(self, table: PriceTable, discount: float | Decimal = 0) -> None:
        self.table = table
        self.discount = as_discount(discount)
        self._memo: dict[tuple[object, ...], Decimal | None] = {}
        self._tasks: dict[str, _TaskPrice] = {}
        self._pods: dict[str, _PodPrice] = {}
        self._services: dict[
            str, tuple[tuple[Task, ...], tuple[str, ...], Decimal, Decimal, bool]
        ] = {}

    def rate_of(
        self, t: Task, spot: bool | None = None, d: Decimal | None = None
    ) -> Decimal | None:
        """A task's $/h (on ``spot`` or not, at discount ``d``), remembered by its shape."""
        on_spot = t.is_spot if spot is None else spot
        disc = self.discount if d is None else d
        key: tuple[object, ...] = (t.region, t.cpu, t.memory, t.arch, t.os)
        key += (t.ephemeral_storage_gib, on_spot, disc, t.launch_type, t.capacity_provider)
        memo = self._memo
        if key not in memo:
            memo[key] = task_rate(t, self.table, spot=on_spot, discount=disc)
        return memo[key]

    def price(
        self, snapshot: Snapshot, now: float, default_region: str | None = None
    ) -> CostSummary:
        """Price every task and pod of a snapshot, and sum them up (see :func:`estate_cost`)."""
        disc, table = self.discount, self.table
        region = default_region or (snapshot.regions[0] if snapshot.regions else DEFAULT_REGION)
        by_cluster: dict[str, Decimal] = defaultdict(Decimal)
        by_service: dict[str, Decimal] = defaultdict(Decimal)
        by_cp: dict[str, Decimal] = defaultdict(Decimal)
        by_account: dict[str, Decimal] = defaultdict(Decimal)
        several = snapshot.multi_account
        task_rates: dict[str, Decimal] = {}
        task_costs: dict[str, Decimal] = {}
        task_rates_l: dict[str, Decimal] = {}
        task_costs_l: dict[str, Decimal] = {}
        pod_rates: dict[str, Decimal] = {}
        pod_costs: dict[str, Decimal] = {}
        pod_rates_l: dict[str, Decimal] = {}
        pod_costs_l: dict[str, Decimal] = {}
        labels: dict[str, str] = {}
        unpriced: dict[str, str] = {}
        total = total_l = _ZERO
        spot_savings = _ZERO
        minimum = minimum_l = _ZERO
        minimum_n = 0
        used: set[tuple[str, str]] = set()
        services = {(s.account, s.region, s.cluster, s.name) for s in snapshot.services}

        def prefix(account: str | None) -> str:
            return f"{snapshot.account_label(account)}/" if several and account else ""

        kept, fresh = self._tasks, {}
        windows_spot: list[str] = []
        figures: set[tuple[tuple[str, str], ...]] = set()
        for t in snapshot.tasks:
            arn = t.arn
            e = kept.get(arn)
            if e is None or e.task is not t:
                e = _TaskPrice(self, t)
            fresh[arn] = e
            rate = e.rate
            if e.windows_spot:
                windows_spot.append(arn)
            if rate is None:
                if e.running and e.reason is not None:
                    unpriced[arn] = e.reason
                continue
            list_rate = e.list_rate
            assert list_rate is not None
            figures.add(e.figures)
            stop = e.stop
            end = now if stop is None or stop > now else stop
            if end != e.end:
                e.costs_at(end)
            task_rates[arn] = rate
            task_rates_l[arn] = list_rate
            task_costs[arn] = e.cost
            task_costs_l[arn] = e.cost_l
            if not e.running:
                if e.extra:
                    minimum_n += 1
                    minimum += cost_for(rate, e.extra)
                    minimum_l += cost_for(list_rate, e.extra)
                continue
            total += rate
            total_l += list_rate
            account = t.account
            cluster = e.cluster_of_account if several else e.cluster
            by_cluster[cluster] += rate
            if cluster not in labels:
                labels[cluster] = prefix(account) + _short(e.cluster)
            by_account[account or ""] += rate
            if (account or "") not in labels:
                labels[account or ""] = snapshot.account_label(account) or "no account"
            by_cp[e.capacity] += rate
            if e.listed is None or e.listed not in services:
                # Not a listed service's: grouped by its family (or its unlisted service), so the
                # rows add up to the total.
                key, label = task_group(t)
                by_service[key] += rate
                if key not in labels:
                    labels[key] = label
            if e.spot_saving is not None:
                spot_savings += e.spot_saving
        self._tasks = fresh
        for some in figures:
            used.update(some)

        kept_pods, fresh_pods = self._pods, {}
        for p in snapshot.pods:
            pk = p.key
            pe = kept_pods.get(pk)
            if pe is None or pe.pod is not p or pe.region != region:
                pe = _PodPrice(self, p, region)
            fresh_pods[pk] = pe
            rate, running = pe.rate, pe.running
            if rate is None:
                if pe.reason is not None:
                    unpriced[pk] = pe.reason
                continue
            list_rate = pe.list_rate
            assert list_rate is not None
            used.add((p.region or region, "linux_x86"))
            pod_rates[pk], pod_rates_l[pk] = rate, list_rate
            window = pod_billing_window(p, now)
            seconds = billed_seconds(*window)
            pod_costs[pk] = cost_for(rate, seconds)
            pod_costs_l[pk] = cost_for(list_rate, seconds)
            if not running:
                extra = minimum_surcharge_seconds(*window, LINUX_MINIMUM_SECONDS)
                if extra:
                    minimum_n += 1
                    minimum += cost_for(rate, extra)
                    minimum_l += cost_for(list_rate, extra)
                continue
            total += rate
            total_l += list_rate
            cluster = f"{p.account}/{p.cluster}" if several and p.account else p.cluster
            by_cluster[cluster] += rate
            labels.setdefault(cluster, prefix(p.account) + p.cluster)
            by_account[p.account or ""] += rate
            labels.setdefault(p.account or "", snapshot.account_label(p.account) or "no account")
            by_cp[EKS_CAPACITY] += rate
            key, label = workload_key(p)
            by_service[key] += rate
            labels.setdefault(key, label)
        self._pods = fresh_pods

        service_rates: dict[str, Decimal] = {}
        service_costs: dict[str, Decimal] = {}
        service_rates_l: dict[str, Decimal] = {}
        service_costs_l: dict[str, Decimal] = {}
        kept_services, fresh_services = self._services, {}
        zeros = repeat(_ZERO)
        costs_of, costs_l_of = task_costs.get, task_costs_l.get
        for s in snapshot.services:
            tasks = snapshot.tasks_of(s)
            found = kept_services.get(s.arn)
            if found is None or found[0] != tasks:
                # Its tasks changed (or it is new): its $/h summed again, in the tasks' order.
                live = [t.arn for t in tasks if t.is_billed]
                found = (
                    tasks,
                    tuple(t.arn for t in tasks),
                    sum(map(task_rates.get, live, zeros), _ZERO),
                    sum(map(task_rates_l.get, live, zeros), _ZERO),
                    any(arn in task_rates for arn in live),
                )
            fresh_services[s.arn] = found
            _, arns, service_rates[s.arn], service_rates_l[s.arn], priced = found
            service_costs[s.arn] = sum(map(costs_of, arns, zeros), _ZERO)
            service_costs_l[s.arn] = sum(map(costs_l_of, arns, zeros), _ZERO)
            if priced:
                # The breakdown's row is the service's own figure: one value on every screen.
                by_service[s.arn] = service_rates[s.arn]
                labels.setdefault(s.arn, f"{_short(s.cluster)}/{s.name}")
        self._services = fresh_services

        derived: list[str] = []
        spot_dates: dict[str, str] = {}
        spot_arm_dates: dict[str, str] = {}
        for reg, figure in sorted(used):
            prices = table.region(reg)
            if prices is None:
                continue
            if figure in prices.derived:
                derived.append(f"{reg} {figure}")
            elif figure == "spot_x86":
                spot_dates[reg] = prices.spot_as_of
            elif figure == "spot_arm":
                spot_arm_dates[reg] = prices.spot_arm_as_of
        notes: list[str] = []
        if windows_spot:
            n = len(windows_spot)
            notes.append(
                f"{n} Windows task{'s' if n != 1 else ''} on FARGATE_SPOT priced on-demand: "
                "Windows has no Fargate Spot"
            )

        return CostSummary(
            at=now,
            per_hour=total,
            per_month_projected=total * HOURS_PER_MONTH,
            by_cluster=dict(by_cluster),
            by_service=dict(by_service),
            by_capacity_provider=dict(by_cp),
            by_account=dict(by_account),
            spot_savings_per_hour=spot_savings,
            task_rates=task_rates,
            task_costs=task_costs,
            pod_rates=pod_rates,
            pod_costs=pod_costs,
            service_rates=service_rates,
            service_costs=service_costs,
            labels=labels,
            unpriced=tuple(unpriced),
            unpriced_reasons=unpriced,
            price_table_date=table.taken_at,
            price_table_source=table.source,
            spot_is_estimate=table.spot_is_estimate,
            discount=disc,
            per_hour_list=total_l,
            per_month_projected_list=total_l * HOURS_PER_MONTH,
            task_rates_list=task_rates_l,
            task_costs_list=task_costs_l,
            pod_rates_list=pod_rates_l,
            pod_costs_list=pod_costs_l,
            service_rates_list=service_rates_l,
            service_costs_list=service_costs_l,
            minimum_charge=minimum,
            minimum_charge_list=minimum_l,
            minimum_charged=minimum_n,
            derived_figures=tuple(derived),
            spot_dates=spot_dates,
            spot_arm_dates=spot_arm_dates,
            notes=tuple(notes),
        )


def estate_cost(
    snapshot: Snapshot,
    table: PriceTable,
    now: float,
    default_region: str | None = None,
    *,
    discount: float | Decimal = 0,
) -> CostSummary:
    """Price every task and pod of a snapshot, and sum them up.

    Args:
        snapshot: The observed state.
        table: The price table.
        now: The time the costs so far run to (``snapshot.taken_at`` live or in replay).
        default_region: Region for pods whose region is unknown; defaults to the snapshot's
            first region, else us-east-1.
        discount: A Compute Savings Plan's fraction (0 to 0.72) off on-demand Fargate
            compute: every figure is after it, with the list price beside it.
    """
    return EstatePricer(table, discount).price(snapshot, now, default_region)

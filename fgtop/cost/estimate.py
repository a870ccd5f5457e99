"""What Fargate tasks, pods, services and the whole estate cost: pure functions.

The billing window and minimums live in :mod:`fgtop.cost.billing`, the summary type in
:mod:`fgtop.cost.summary`; their public names are importable from here as well.

Money is :class:`~decimal.Decimal` throughout (dollars); round only for display. Time
``now`` is always passed in (a replay passes the recording's time): nothing here reads the
wall clock, a file or the network.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from fgtop.cost.billing import (
    LINUX_MINIMUM_SECONDS,
    billed_seconds,
    cost_for,
    is_windows,
    minimum_surcharge_seconds,
    pod_billing_window,
    task_billing_window,
    task_minimum_seconds,
)
from fgtop.cost.billing import WINDOWS_MINIMUM_SECONDS as WINDOWS_MINIMUM_SECONDS
from fgtop.cost.prices import PriceTable, Rate, RegionPrices
from fgtop.cost.sizes import parse_capacity_provisioned, pod_fargate_size
from fgtop.cost.summary import CostSummary
from fgtop.cost.summary import usd as usd
from fgtop.model.ecs import Service, Task
from fgtop.model.kube import Pod
from fgtop.model.snapshot import Snapshot

HOURS_PER_MONTH = 730
"""AWS's hours in a month for monthly projections."""
FREE_STORAGE_GIB = 20
"""Ephemeral storage every Fargate task gets without charge."""
DEFAULT_REGION = "us-east-1"
MAX_DISCOUNT = Decimal("0.72")
"""The largest discount AWS advertises for a Savings Plan ("up to 72%"): the config bound."""
EKS_CAPACITY = "EKS_FARGATE"
"""The capacity-provider key EKS Fargate pods are grouped under."""

_UNITS = Decimal(1024)
_FARGATE_PROVIDERS = (None, "FARGATE", "FARGATE_SPOT")


def is_arm(arch: str | None) -> bool:
    """Whether a CPU architecture name is ARM64."""
    return (arch or "").lower() in {"arm64", "arm", "aarch64"}


def size_rate(
    prices: RegionPrices,
    cpu_units: int,
    memory_mib: int,
    *,
    arch: str | None = "x86_64",
    os_family: str | None = "LINUX",
    spot: bool = False,
    storage_gib: int = FREE_STORAGE_GIB,
    discount: Decimal = Decimal(0),
) -> Decimal:
    """Dollars per hour of one Fargate task of this size in one region.

    Args:
        prices: The region's prices.
        cpu_units: CPU units (1024 = 1 vCPU).
        memory_mib: Memory in MiB (1024 = 1 GB as Fargate bills it).
        arch: ``x86_64`` (or None) or ``arm64``.
        os_family: ``LINUX`` or a ``WINDOWS_SERVER_...`` family.
        spot: On FARGATE_SPOT (Linux x86 or ARM64; Windows has no Spot and stays on-demand).
        storage_gib: Configured ephemeral storage; only the part above 20 GB is charged.
        discount: A Compute Savings Plan's fraction off the on-demand vCPU and memory
            charges (not Spot, not the Windows licence, not storage).
    """
    vcpu = Decimal(cpu_units) / _UNITS
    gb = Decimal(memory_mib) / _UNITS
    arm = is_arm(arch)
    extra = Decimal(0)
    rate: Rate
    on_demand = True
    if is_windows(os_family):
        rate = prices.windows_x86
        extra = vcpu * prices.windows_license_vcpu_hour
    elif spot:
        rate = prices.spot(arm)
        on_demand = False
    else:
        rate = prices.linux_arm if arm else prices.linux_x86
    storage = Decimal(max(0, storage_gib - FREE_STORAGE_GIB)) * prices.storage_gb_hour
    compute = vcpu * rate.vcpu_hour + gb * rate.gb_hour
    if on_demand and discount:
        compute *= 1 - discount
    return compute + extra + storage


def figures_used(
    arch: str | None, os_family: str | None, spot: bool, storage_gib: int
) -> tuple[str, ...]:
    """Names of the :class:`RegionPrices` figures a task of this kind is priced from."""
    if is_windows(os_family):
        names = ["windows_x86", "windows_license_vcpu_hour"]
    elif spot:
        names = ["spot_arm" if is_arm(arch) else "spot_x86"]
    else:
        names = ["linux_arm" if is_arm(arch) else "linux_x86"]
    if storage_gib > FREE_STORAGE_GIB:
        names.append("storage_gb_hour")
    return tuple(names)


def unpriced_reason(task: Task, table: PriceTable) -> str | None:
    """Why a Fargate task cannot be priced, or None when it can (or is not Fargate)."""
    if task.launch_type == "EC2" or task.capacity_provider not in _FARGATE_PROVIDERS:
        return None
    if not task.cpu or not task.memory:
        return "size unknown"
    if table.region(task.region) is None:
        return f"no prices for {task.region}"
    return None


def task_rate(
    task: Task,
    table: PriceTable,
    *,
    spot: bool | None = None,
    discount: Decimal = Decimal(0),
) -> Decimal | None:
    """Dollars per hour of a Fargate task, or None when it cannot be priced.

    None for EC2 tasks, tasks whose CPU or memory is unknown, and regions missing from the
    table. ``spot`` overrides the task's own capacity provider (for "what if" figures);
    ``discount`` is a Savings Plan's fraction off on-demand compute. A Windows task on
    FARGATE_SPOT is priced on-demand (Windows has no Fargate Spot).
    """
    if task.launch_type == "EC2" or task.capacity_provider not in _FARGATE_PROVIDERS:
        return None
    if not task.cpu or not task.memory:
        return None
    prices = table.region(task.region)
    if prices is None:
        return None
    return size_rate(
        prices,
        task.cpu,
        task.memory,
        arch=task.arch,
        os_family=task.os,
        spot=task.is_spot if spot is None else spot,
        storage_gib=task.ephemeral_storage_gib,
        discount=discount,
    )


def task_cost_so_far(task: Task, table: PriceTable, now: float) -> Decimal | None:
    """Dollars a task has cost from its start until it stopped or ``now``.

    None when the task cannot be priced; 0 when it has not started.
    """
    rate = task_rate(task, table)
    return None if rate is None else _task_cost(task, rate, now)


def _task_cost(task: Task, rate: Decimal, now: float) -> Decimal:
    minimum = task_minimum_seconds(task)
    return cost_for(rate, billed_seconds(*task_billing_window(task, now), minimum=minimum))


def pod_size(pod: Pod) -> tuple[int, int] | None:
    """The Fargate size of a pod: its ``CapacityProvisioned`` annotation, else its requests."""
    if pod.capacity_provisioned:
        try:
            return parse_capacity_provisioned(pod.capacity_provisioned)
        except ValueError:
            pass
    if not pod.is_fargate:
        return None
    try:
        return pod_fargate_size(pod)
    except ValueError:
        return None


def pod_rate(
    pod: Pod,
    table: PriceTable,
    default_region: str = DEFAULT_REGION,
    *,
    discount: Decimal = Decimal(0),
) -> Decimal | None:
    """Dollars per hour of an EKS Fargate pod (Linux x86), or None when it cannot be priced.

    Args:
        pod: The pod.
        table: The price table.
        default_region: The region used when the pod's own is unknown.
        discount: A Compute Savings Plan's fraction off on-demand compute (EKS Fargate is
            always on-demand).
    """
    size = pod_size(pod)
    prices = table.region(pod.region or default_region)
    if size is None or prices is None:
        return None
    return size_rate(prices, *size, discount=discount)


def pod_cost_so_far(
    pod: Pod, table: PriceTable, now: float, default_region: str = DEFAULT_REGION
) -> Decimal | None:
    """Dollars a pod has cost from its start until deleted or ``now`` (None if unpriced)."""
    rate = pod_rate(pod, table, default_region)
    return None if rate is None else _pod_cost(pod, rate, now)


def _pod_cost(pod: Pod, rate: Decimal, now: float) -> Decimal:
    return cost_for(rate, billed_seconds(*pod_billing_window(pod, now)))


def is_pod_running(pod: Pod) -> bool:
    """Whether a pod still holds its Fargate capacity."""
    return pod.deleted_at is None and pod.phase not in ("Succeeded", "Failed")


def service_rate(service: Service, snapshot: Snapshot, table: PriceTable) -> Decimal:
    """Dollars per hour of a service: the sum over its running, priced tasks."""
    total = Decimal(0)
    for t in snapshot.tasks_of(service):
        if t.is_billed:
            total += task_rate(t, table) or 0
    return total


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def workload_key(pod: Pod) -> tuple[str, str]:
    """(key, label) grouping a pod with its siblings: its Deployment, Job... or itself."""
    owner = pod.owner or ""
    kind, _, name = owner.partition("/")
    pth = pod.labels.get("pod-template-hash")
    if kind == "ReplicaSet" and pth and name.endswith(f"-{pth}"):
        name = name[: -len(pth) - 1]
    name = name or pod.name
    return f"k8s:{pod.cluster}/{pod.namespace}/{name}", f"{pod.namespace}/{name}"


def task_group(task: Task) -> tuple[str, str]:
    """(key, label) of the cost breakdown's row for a task no listed service owns: a
    standalone task's family (``backfill-orders``), or the service it names."""
    kind = "service" if task.in_service else "family"
    key = f"{kind}:{task.account or ''}/{task.region}/{task.cluster}/{task.owner}"
    label = f"{_short(task.cluster)}/{task.owner}"
    return key, label if task.in_service else f"{label} (standalone)"


def as_discount(value: float | Decimal | str) -> Decimal:
    """A Savings Plan discount as an exact Decimal (``0.2`` -> ``Decimal("0.2")``).

    Raises:
        ValueError: Outside 0 to 0.72 (the config bound).
    """
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if not Decimal(0) <= d <= MAX_DISCOUNT:
        raise ValueError(f"a Savings Plan discount is between 0 and {MAX_DISCOUNT}, got {value}")
    return d


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
    disc = as_discount(discount)
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
    total = total_l = Decimal(0)
    spot_savings = Decimal(0)
    minimum = minimum_l = Decimal(0)
    minimum_n = 0
    used: set[tuple[str, str]] = set()
    services = {(s.account, s.region, s.cluster, s.name) for s in snapshot.services}

    memo: dict[tuple[object, ...], Decimal | None] = {}

    def rate_of(t: Task, spot: bool | None = None, d: Decimal = disc) -> Decimal | None:
        on_spot = t.is_spot if spot is None else spot
        key: tuple[object, ...] = (t.region, t.cpu, t.memory, t.arch, t.os)
        key += (t.ephemeral_storage_gib, on_spot, d, t.launch_type, t.capacity_provider)
        if key not in memo:
            memo[key] = task_rate(t, table, spot=on_spot, discount=d)
        return memo[key]

    windows_spot: list[str] = []
    for t in snapshot.tasks:
        rate = rate_of(t)
        running = t.is_billed
        if running and t.is_spot and is_windows(t.os):
            windows_spot.append(t.arn)
        if rate is None:
            reason = unpriced_reason(t, table)
            if running and reason is not None:
                unpriced[t.arn] = reason
            continue
        list_rate = rate_of(t, d=Decimal(0)) if disc else rate
        assert list_rate is not None
        for figure in figures_used(t.arch, t.os, t.is_spot, t.ephemeral_storage_gib):
            used.add((t.region, figure))
        window = task_billing_window(t, now)
        task_rates[t.arn], task_rates_l[t.arn] = rate, list_rate
        task_costs[t.arn] = _task_cost(t, rate, now)
        task_costs_l[t.arn] = _task_cost(t, list_rate, now)
        if not running:
            extra = minimum_surcharge_seconds(*window, task_minimum_seconds(t))
            if extra:
                minimum_n += 1
                minimum += cost_for(rate, extra)
                minimum_l += cost_for(list_rate, extra)
            continue
        total += rate
        total_l += list_rate
        cluster = _cluster_key(t.account, t.cluster, several)
        by_cluster[cluster] += rate
        labels.setdefault(
            cluster, _account_prefix(snapshot, t.account, several) + _short(t.cluster)
        )
        by_account[t.account or ""] += rate
        labels.setdefault(t.account or "", snapshot.account_label(t.account) or "no account")
        by_cp[t.capacity_provider or t.launch_type or "FARGATE"] += rate
        if (t.account, t.region, t.cluster, t.owner) not in services or not t.in_service:
            # Not a listed service's: grouped by its family (or its unlisted service), so the
            # rows add up to the total.
            key, label = task_group(t)
            by_service[key] += rate
            labels.setdefault(key, label)
        if t.is_spot:
            on_demand = rate_of(t, spot=False)
            if on_demand is not None:
                spot_savings += on_demand - rate

    for p in snapshot.pods:
        rate = pod_rate(p, table, region, discount=disc)
        running = is_pod_running(p)
        if rate is None:
            if running and p.is_fargate:
                unpriced[p.key] = "size unknown" if pod_size(p) is None else "no prices"
            continue
        list_rate = pod_rate(p, table, region) if disc else rate
        assert list_rate is not None
        used.add((p.region or region, "linux_x86"))
        pod_rates[p.key], pod_rates_l[p.key] = rate, list_rate
        pod_costs[p.key] = _pod_cost(p, rate, now)
        pod_costs_l[p.key] = _pod_cost(p, list_rate, now)
        if not running:
            extra = minimum_surcharge_seconds(*pod_billing_window(p, now), LINUX_MINIMUM_SECONDS)
            if extra:
                minimum_n += 1
                minimum += cost_for(rate, extra)
                minimum_l += cost_for(list_rate, extra)
            continue
        total += rate
        total_l += list_rate
        cluster = _cluster_key(p.account, p.cluster, several)
        by_cluster[cluster] += rate
        labels.setdefault(cluster, _account_prefix(snapshot, p.account, several) + p.cluster)
        by_account[p.account or ""] += rate
        labels.setdefault(p.account or "", snapshot.account_label(p.account) or "no account")
        by_cp[EKS_CAPACITY] += rate
        key, label = workload_key(p)
        by_service[key] += rate
        labels.setdefault(key, label)

    service_rates: dict[str, Decimal] = {}
    service_costs: dict[str, Decimal] = {}
    service_rates_l: dict[str, Decimal] = {}
    service_costs_l: dict[str, Decimal] = {}
    zero = Decimal(0)
    for s in snapshot.services:
        tasks = snapshot.tasks_of(s)
        live = [t for t in tasks if t.is_billed]
        service_rates[s.arn] = sum((task_rates.get(t.arn, zero) for t in live), zero)
        service_costs[s.arn] = sum((task_costs.get(t.arn, zero) for t in tasks), zero)
        service_rates_l[s.arn] = sum((task_rates_l.get(t.arn, zero) for t in live), zero)
        service_costs_l[s.arn] = sum((task_costs_l.get(t.arn, zero) for t in tasks), zero)
        if any(t.arn in task_rates for t in live):
            # The breakdown's row is the service's own figure: one value on every screen.
            by_service[s.arn] = service_rates[s.arn]
            labels.setdefault(s.arn, f"{_short(s.cluster)}/{s.name}")

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


def _cluster_key(account: str | None, cluster: str, several: bool) -> str:
    """The ``by_cluster`` key: the cluster, prefixed with its account when several are
    watched (two accounts may both have a cluster ``prod``)."""
    return f"{account}/{cluster}" if several and account else cluster


def _account_prefix(snapshot: Snapshot, account: str | None, several: bool) -> str:
    """``prod/`` before a cluster's label when several accounts are watched."""
    return f"{snapshot.account_label(account)}/" if several and account else ""

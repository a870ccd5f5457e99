"""What Fargate tasks, pods and services cost: pure functions.

The billing window and minimums live in :mod:`fgtop.cost.billing`, the summary type in
:mod:`fgtop.cost.summary` (their public names are importable from here as well), the whole
estate's figures in :mod:`fgtop.cost.estate`.

Money is :class:`~decimal.Decimal` throughout (dollars); round only for display. Time
``now`` is always passed in (a replay passes the recording's time): nothing here reads the
wall clock, a file or the network.
"""

from __future__ import annotations

from decimal import Decimal

from fgtop.cost.billing import WINDOWS_MINIMUM_SECONDS as WINDOWS_MINIMUM_SECONDS
from fgtop.cost.billing import (
    billed_seconds,
    cost_for,
    is_windows,
    pod_billing_window,
    task_billing_window,
    task_minimum_seconds,
)
from fgtop.cost.prices import PriceTable, Rate, RegionPrices
from fgtop.cost.sizes import parse_capacity_provisioned, pod_fargate_size
from fgtop.cost.summary import CostSummary as CostSummary
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

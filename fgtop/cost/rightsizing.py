"""Right-sizing: smaller Fargate sizes, ARM and Spot, with the dollars each would save.

Pure functions over a :class:`~fgtop.model.Snapshot` and a price table, like
:mod:`fgtop.cost.estimate`.

Advice is for healthy services only: a service that any rule of :mod:`fgtop.cost.holdbacks`
speaks for in its window (short of memory, a failing container or load balancer health check,
a failed deployment, tasks stopped for something other than scaling in) is never offered
cheaper capacity (a smaller size, Spot or ARM): it is listed as held back (:class:`Held`) with
every reason. A smaller size is advised only where the CPU and memory peaks of the window stay
under ``headroom`` (70% by default) of the new size.

FARGATE_SPOT runs Linux x86 and ARM64 tasks: an ARM service may be advised Spot, an x86
service on Spot ARM on Spot. Windows gets neither (no Spot, no ARM on Fargate).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from fgtop.cost.estimate import (
    HOURS_PER_MONTH,
    as_discount,
    is_arm,
    is_windows,
    size_rate,
)
from fgtop.cost.holdbacks import MEMORY_PRESSURE as MEMORY_PRESSURE
from fgtop.cost.holdbacks import RULES, HoldRule, HoldWindow, hold_reasons
from fgtop.cost.holdbacks import is_oom_kill as is_oom_kill
from fgtop.cost.prices import PriceTable, RegionPrices
from fgtop.cost.sizes import FARGATE_SIZES, format_size
from fgtop.model.ecs import Service, Task
from fgtop.model.metrics import MetricSeries
from fgtop.model.snapshot import Snapshot

DEFAULT_HEADROOM = 0.7
"""The observed CPU and memory peaks must stay under this fraction of a smaller size."""
MIN_SECONDS = 3600
"""Utilisation data needed before a resize is suggested."""

RESIZE, ARM, SPOT = "resize", "arm", "spot"


@dataclass(frozen=True)
class Evidence:
    """The utilisation a resize suggestion rests on (percent of the current reservation)."""

    cpu_peak: float
    cpu_p95: float
    memory_peak: float
    memory_p95: float
    samples: int
    """Points in the shorter of the two series."""
    seconds: float
    """Time the series cover."""


@dataclass(frozen=True)
class Suggestion:
    """One way a service could cost less."""

    kind: str
    """``resize``, ``arm`` or ``spot``."""
    service_arn: str
    service_name: str
    cluster: str
    region: str
    tasks: int
    """Running tasks the savings are counted over."""
    current: tuple[int, int]
    """(CPU units, memory MiB) of each task now."""
    proposed: tuple[int, int]
    """(CPU units, memory MiB) suggested (the same as ``current`` for ARM and Spot)."""
    per_hour_savings: Decimal
    monthly_savings: Decimal
    """``per_hour_savings`` x 730."""
    detail: str
    evidence: Evidence | None = None
    on_spot: int = 0
    """Tasks on FARGATE_SPOT now (a move to ARM keeps them there: ARM on Spot)."""


@dataclass(frozen=True)
class Held:
    """A service offered no cheaper capacity, and why (:mod:`fgtop.cost.holdbacks`)."""

    service_arn: str
    service_name: str
    cluster: str
    region: str
    reasons: tuple[str, ...]
    """One line per rule that holds the service back, in the rules' order."""
    oom_kills: int
    """Tasks stopped by an OOM kill in the window."""
    memory_peak: float | None
    """The highest memory seen in the window, percent of the reservation (None: no data)."""
    peak_of: str
    """Where the peak was seen: ``service`` or ``task ID`` (``task ID, stopped``)."""
    window: float
    """Seconds looked back."""

    @property
    def reason(self) -> str:
        """One line: why nothing cheaper is proposed."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class Rightsizing:
    """Every saving found (largest first) and the services held back from any."""

    suggestions: tuple[Suggestion, ...] = ()
    held: tuple[Held, ...] = ()


def hold_back(
    service: Service,
    tasks: list[Task] | tuple[Task, ...],
    snapshot: Snapshot,
    memory: MetricSeries | None,
    window: float,
    rules: tuple[HoldRule, ...] = RULES,
    kills_at: Sequence[float] | None = None,
) -> Held | None:
    """Why ``service`` must not get cheaper capacity, or None when it may.

    ``tasks`` are all the service's tasks (running and stopped), ``memory`` its service
    memory series, ``window`` the seconds looked back from ``snapshot.taken_at``, ``rules`` the
    hold-back rules (:data:`fgtop.cost.holdbacks.RULES`), ``kills_at`` when its tasks were
    OOM-killed as fgtop's problems count them (None: :func:`holdbacks.is_oom_kill` tells).
    """
    w = HoldWindow(service, tasks, snapshot, memory, window, kills_at)
    reasons = hold_reasons(w, rules)
    if not reasons:
        return None
    kills, peak, peak_of = w.memory_figures
    return Held(
        service_arn=service.arn,
        service_name=service.name,
        cluster=service.cluster,
        region=service.region,
        reasons=reasons,
        oom_kills=kills,
        memory_peak=peak,
        peak_of=peak_of,
        window=window,
    )


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` in 0-100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _values(series: MetricSeries) -> list[float]:
    return [v for _, v in series.points if isinstance(v, int | float) and math.isfinite(v)]


def _covered(series: MetricSeries) -> float:
    if not series.points:
        return 0.0
    return series.points[-1][0] - series.points[0][0] + series.period


def evidence_for(cpu: MetricSeries | None, memory: MetricSeries | None) -> Evidence | None:
    """Peak and p95 of both series, or None when either holds under an hour of data."""
    if cpu is None or memory is None:
        return None
    cv, mv = _values(cpu), _values(memory)
    seconds = min(_covered(cpu), _covered(memory))
    if not cv or not mv or seconds < MIN_SECONDS:
        return None
    return Evidence(
        cpu_peak=max(cv),
        cpu_p95=percentile(cv, 95),
        memory_peak=max(mv),
        memory_p95=percentile(mv, 95),
        samples=min(len(cv), len(mv)),
        seconds=seconds,
    )


def _exact(x: float) -> Fraction:
    """A float as the decimal it prints as (``0.7`` is 7/10, not its binary neighbour)."""
    return Fraction(repr(float(x)))


def needed(current: tuple[int, int], ev: Evidence, headroom: float) -> tuple[Fraction, Fraction]:
    """(CPU units, MiB) the observed peaks use, over ``headroom``: a new size must be larger
    than both, so that the peaks stay under ``headroom`` of it. Exact (no float rounding at
    the boundary)."""
    cpu, mem = current
    h = _exact(headroom) * 100
    return cpu * _exact(ev.cpu_peak) / h, mem * _exact(ev.memory_peak) / h


def cheapest_size(
    prices: RegionPrices,
    cpu_units: float | Fraction,
    memory_mib: float | Fraction,
    *,
    arch: str | None = "x86_64",
    os_family: str | None = "LINUX",
    strict: bool = False,
) -> tuple[int, int] | None:
    """The cheapest valid Fargate size with at least this CPU and memory (``strict``: more
    than this), or None."""
    if strict:  # sizes are whole numbers: more than x is at least floor(x) + 1, exactly
        cpu_units, memory_mib = math.floor(cpu_units) + 1, math.floor(memory_mib) + 1
    for _, size in _by_price(prices, arch, os_family):
        if size[0] >= cpu_units and size[1] >= memory_mib:
            return size
    return None


@functools.lru_cache(maxsize=64)
def _by_price(
    prices: RegionPrices, arch: str | None, os_family: str | None
) -> tuple[tuple[Decimal, tuple[int, int]], ...]:
    """Every valid size with its rate, cheapest first (smaller size first on a tie)."""
    rated = [(size_rate(prices, *s, arch=arch, os_family=os_family), s) for s in FARGATE_SIZES]
    return tuple(sorted(rated))


def _shape(service: Service, tasks: list[Task], snapshot: Snapshot) -> Task | None:
    """A running task of the service with a known size, to read size, arch and OS from."""
    for t in tasks:
        if t.cpu and t.memory:
            return t
    td = snapshot.task_definition(service.task_definition)
    if td is not None and td.cpu and td.memory and tasks:
        t = tasks[0]
        return Task(
            arn=t.arn,
            cluster=t.cluster,
            region=t.region,
            task_definition=td.arn,
            last_status=t.last_status,
            desired_status=t.desired_status,
            capacity_provider=t.capacity_provider,
            cpu=td.cpu,
            memory=td.memory,
            arch=td.arch,
            os=td.os,
            ephemeral_storage_gib=td.ephemeral_storage_gib,
        )
    return None


def _suggestion(
    kind: str, svc: Service, n: int, cur: tuple[int, int], new: tuple[int, int], per_hour: Decimal
) -> Suggestion:
    return Suggestion(
        kind=kind,
        service_arn=svc.arn,
        service_name=svc.name,
        cluster=svc.cluster,
        region=svc.region,
        tasks=n,
        current=cur,
        proposed=new,
        per_hour_savings=per_hour,
        monthly_savings=per_hour * HOURS_PER_MONTH,
        detail="",
    )


def suggest_for_service(
    service: Service,
    snapshot: Snapshot,
    table: PriceTable,
    headroom: float = DEFAULT_HEADROOM,
    *,
    tasks: list[Task] | None = None,
    series: dict[tuple[str, str], MetricSeries] | None = None,
    discount: Decimal = Decimal(0),
) -> list[Suggestion]:
    """Every saving found for one service (possibly none).

    ``tasks`` (the service's tasks) and ``series`` (by (target, metric)) may be given when
    already indexed; otherwise they are looked up in ``snapshot``. ``discount`` is a Savings
    Plan's fraction off on-demand compute: savings are counted after it.

    A smaller size only where the window's CPU and memory peaks stay under ``headroom`` of
    it; ARM for a Linux x86 service (on Spot: ARM on Spot); Spot for a Linux service of two or
    more tasks not on Spot yet (x86 or ARM, a base of one kept on FARGATE). None at all for a
    service held back (:func:`hold_back`).
    """
    return _for_service(service, snapshot, table, headroom, tasks, series, discount)[0]


def _for_service(
    service: Service,
    snapshot: Snapshot,
    table: PriceTable,
    headroom: float,
    tasks: list[Task] | tuple[Task, ...] | None,
    series: dict[tuple[str, str], MetricSeries] | None,
    discount: Decimal,
    kills_at: Sequence[float] | None = None,
) -> tuple[list[Suggestion], Held | None]:
    every = list(snapshot.tasks_of(service) if tasks is None else tasks)
    tasks = [t for t in every if t.is_billed]
    shape = _shape(service, tasks, snapshot)
    prices = table.region(service.region)
    if shape is None or prices is None or not shape.cpu or not shape.memory:
        return [], None
    n = len(tasks)
    cur = (shape.cpu, shape.memory)
    spot = any(t.is_spot for t in tasks)
    windows = is_windows(shape.os)
    arm = is_arm(shape.arch)
    storage = shape.ephemeral_storage_gib

    def rate(
        size: tuple[int, int], *, arch: str | None = shape.arch, on_spot: bool = spot
    ) -> Decimal:
        return size_rate(
            prices,
            *size,
            arch=arch,
            os_family=shape.os,
            spot=on_spot,
            storage_gib=storage,
            discount=discount,
        )

    n_spot = sum(1 for t in tasks if t.is_spot)

    def per_provider(saving: Callable[[bool], Decimal]) -> Decimal:
        """A per-task saving summed over the tasks, each on its own capacity provider."""
        total = Decimal(0)
        if n - n_spot:
            total += saving(False) * (n - n_spot)
        if n_spot:
            total += saving(True) * n_spot
        return total

    out: list[Suggestion] = []
    if series is None:
        cpu_s, mem_s = snapshot.series(service.arn, "cpu"), snapshot.series(service.arn, "memory")
    else:
        cpu_s, mem_s = series.get((service.arn, "cpu")), series.get((service.arn, "memory"))
    ev = evidence_for(cpu_s, mem_s)
    window = max(ev.seconds if ev is not None else 0.0, float(MIN_SECONDS))
    held = hold_back(service, every, snapshot, mem_s, window, kills_at=kills_at)
    if held is not None:
        return [], held
    if ev is not None:
        want_cpu, want_mem = needed(cur, ev, headroom)
        new = cheapest_size(
            prices, want_cpu, want_mem, arch=shape.arch, os_family=shape.os, strict=True
        )
        if new is not None and new != cur and rate(new, on_spot=False) < rate(cur, on_spot=False):
            saving = per_provider(lambda on: rate(cur, on_spot=on) - rate(new, on_spot=on))
            s = _suggestion(RESIZE, service, n, cur, new, saving)
            detail = (
                f"{format_size(*cur)} -> {format_size(*new)}: CPU peak {ev.cpu_peak:.0f}% "
                f"(p95 {ev.cpu_p95:.0f}%), memory peak {ev.memory_peak:.0f}% "
                f"(p95 {ev.memory_p95:.0f}%) over {ev.samples} samples, "
                f"each under {headroom:.0%} of the new size"
            )
            out.append(_with(s, detail, ev))
    if not arm and not windows and n:
        # each task stays on its capacity provider: FARGATE to ARM, FARGATE_SPOT to ARM on Spot
        saving = per_provider(
            lambda on: rate(cur, on_spot=on) - rate(cur, arch="arm64", on_spot=on)
        )
        if saving > 0:
            s = _suggestion(ARM, service, n, cur, cur, saving)
            s = replace(s, on_spot=n_spot)
            out.append(_with(s, _arm_detail(tasks), ev))
    if not windows and not spot and n >= 2:
        saving = (rate(cur, on_spot=False) - rate(cur, on_spot=True)) * (n - 1)
        if saving > 0:
            s = _suggestion(SPOT, service, n, cur, cur, saving)
            kind = "ARM64" if arm else "x86"
            detail = (
                f"keep 1 task on FARGATE (base 1), run the other {n - 1} on FARGATE_SPOT at "
                f"the {kind} Spot rate"
                + (" (ARM64 on Spot needs platform version 1.4.0 or later)" if arm else "")
            )
            out.append(_with(s, detail, ev))
    return out, None


def _arm_detail(tasks: list[Task]) -> str:
    """What a move to ARM takes: the images, and where the Spot tasks go."""
    images = sorted({c.image for t in tasks for c in t.containers if c.image})
    listed = f" ({', '.join(images[:3])}{', ...' if len(images) > 3 else ''})" if images else ""
    on_spot = sum(1 for t in tasks if t.is_spot)
    where = (
        f"; its {on_spot} FARGATE_SPOT task{'s' if on_spot != 1 else ''} become ARM on "
        "FARGATE_SPOT (platform version 1.4.0 or later)"
        if on_spot
        else ""
    )
    return (
        "set runtimePlatform cpuArchitecture ARM64; every image needs an arm64 variant (a "
        "multi-arch manifest): fgtop does not check the manifest, check it with `docker "
        f"manifest inspect IMAGE`{listed}{where}"
    )


def _with(s: Suggestion, detail: str, ev: Evidence | None) -> Suggestion:
    return replace(s, detail=detail, evidence=ev)


def suggest(
    snapshot: Snapshot,
    table: PriceTable,
    headroom: float = DEFAULT_HEADROOM,
    *,
    discount: float | Decimal = 0,
) -> list[Suggestion]:
    """All savings found across the snapshot's services, largest monthly savings first
    (:func:`rightsize` without the services held back).

    Args:
        snapshot: The observed state, with CPU and memory series keyed by service ARN.
        table: The price table.
        headroom: The fraction of a new size the observed peak may use (0 < headroom <= 1).
        discount: A Compute Savings Plan's fraction off on-demand compute (0 to 0.72).
    """
    return list(rightsize(snapshot, table, headroom, discount=discount).suggestions)


def rightsize(
    snapshot: Snapshot,
    table: PriceTable,
    headroom: float = DEFAULT_HEADROOM,
    *,
    discount: float | Decimal = 0,
    oom_kills: Mapping[str, Sequence[float]] | None = None,
) -> Rightsizing:
    """Every saving (largest monthly savings first) and every service held back from any
    (by name, with its reasons); the arguments as for :func:`suggest`, and ``oom_kills``
    (service ARN -> when its tasks were OOM-killed: fgtop.derive.figures.oom_kills, so the
    held-back reason counts what the problems view counts)."""
    disc = as_discount(discount)
    if not 0 < headroom <= 1:
        raise ValueError(f"headroom must be in (0, 1], got {headroom}")
    series = {(m.target, m.metric): m for m in snapshot.metrics if m.metric in ("cpu", "memory")}
    out: list[Suggestion] = []
    held: list[Held] = []
    for svc in snapshot.services:
        tasks = snapshot.tasks_of(svc)
        kills = None if oom_kills is None else oom_kills.get(svc.arn, ())
        found, hold = _for_service(svc, snapshot, table, headroom, tasks, series, disc, kills)
        out.extend(found)
        if hold is not None:
            held.append(hold)
    out.sort(key=lambda s: (-s.monthly_savings, s.service_name, s.kind))
    held.sort(key=lambda h: (h.service_name, h.region))
    return Rightsizing(tuple(out), tuple(held))

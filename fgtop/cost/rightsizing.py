"""Right-sizing: smaller Fargate sizes, ARM and Spot, with the dollars each would save.

Pure functions over a :class:`~fgtop.model.Snapshot` and a price table, like
:mod:`fgtop.cost.estimate`.

The rule of memory pressure: a service whose tasks were OOM-killed in its window, or whose
memory went above :data:`MEMORY_PRESSURE` percent (the peak of its series and of its tasks'
own series, the stopped tasks' last points included), is never offered cheaper capacity (a
smaller size, Spot or ARM): it is listed as held back (:class:`Held`) with the reason.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from fgtop.cost.estimate import (
    HOURS_PER_MONTH,
    as_discount,
    is_arm,
    is_windows,
    size_rate,
)
from fgtop.cost.prices import PriceTable, RegionPrices
from fgtop.cost.sizes import FARGATE_SIZES, format_size
from fgtop.model.ecs import Service, Task
from fgtop.model.metrics import MetricSeries
from fgtop.model.snapshot import Snapshot

DEFAULT_HEADROOM = 0.8
"""The observed peak must stay under this fraction of the new size."""
MIN_SECONDS = 3600
"""Utilisation data needed before a resize is suggested."""

MEMORY_PRESSURE = 80.0
"""Memory above this percent of the reservation in the window holds every saving back."""

RESIZE, ARM, SPOT = "resize", "arm", "spot"

_OOM = re.compile(r"OutOfMemory|OOMKilled|out of memory|killed due to memory", re.IGNORECASE)


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


@dataclass(frozen=True)
class Held:
    """A service offered no cheaper capacity because it is short of memory."""

    service_arn: str
    service_name: str
    cluster: str
    region: str
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
        parts = []
        if self.oom_kills:
            n = self.oom_kills
            parts.append(f"{n} OOM kill{'s' if n != 1 else ''} in the last {_span(self.window)}")
        if self.memory_peak is not None and self.memory_peak > MEMORY_PRESSURE:
            where = "" if self.peak_of == "service" else f" ({self.peak_of})"
            parts.append(f"memory peak {self.memory_peak:.0f}%{where}")
        return ", ".join(parts) + ": give it more memory before any smaller size, Spot or ARM"


@dataclass(frozen=True)
class Rightsizing:
    """Every saving found (largest first) and the services held back from any."""

    suggestions: tuple[Suggestion, ...] = ()
    held: tuple[Held, ...] = ()


def _span(seconds: float) -> str:
    """``1 h``, ``12 h``, ``45 min`` (a series' coverage is a whole number of hours and a
    period: rounded)."""
    if seconds >= 5400:
        return f"{round(seconds / 3600)} h"
    return "1 h" if seconds >= 3300 else f"{round(seconds / 60)} min"


def is_oom_kill(task: Task) -> bool:
    """Whether a stopped task was killed for memory: a container's reason says so, or an
    essential container died of SIGKILL (exit 137) on its own (not a scale-in or StopTask)."""
    if task.last_status != "STOPPED" and task.stopped_at is None:
        return False
    for c in task.containers:
        if c.reason and _OOM.search(c.reason):
            return True
    if task.stop_code not in (None, "EssentialContainerExited"):
        return False
    return any(c.exit_code == 137 for c in task.containers)


def memory_pressure(
    service: Service,
    tasks: list[Task] | tuple[Task, ...],
    snapshot: Snapshot,
    memory: MetricSeries | None,
    window: float,
) -> Held | None:
    """Why ``service`` must not get cheaper capacity, or None when it may.

    ``tasks`` are all the service's tasks (running and stopped), ``memory`` its service
    memory series, ``window`` the seconds looked back from ``snapshot.taken_at``.
    """
    since = snapshot.taken_at - window
    kills = sum(
        1 for t in tasks if is_oom_kill(t) and (t.stopped_at is None or t.stopped_at >= since)
    )
    peak, peak_of = None, "service"
    if memory is not None:
        values = [v for t, v in memory.points if t >= since and _finite(v)]
        if values:
            peak = max(values)
    for t in tasks:
        if t.stopped_at is not None and t.stopped_at < since:
            continue
        series = snapshot.series(t.arn, "memory")
        if series is None:
            continue
        values = [v for at, v in series.points if at >= since and _finite(v)]
        if values and (peak is None or max(values) > peak):
            peak = max(values)
            stopped = ", stopped" if t.last_status == "STOPPED" else ""
            peak_of = f"task {t.id[:8]}{stopped}"
    if not kills and (peak is None or peak <= MEMORY_PRESSURE):
        return None
    return Held(
        service_arn=service.arn,
        service_name=service.name,
        cluster=service.cluster,
        region=service.region,
        oom_kills=kills,
        memory_peak=peak,
        peak_of=peak_of,
        window=window,
    )


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and math.isfinite(v)


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


def needed(current: tuple[int, int], ev: Evidence, headroom: float) -> tuple[float, float]:
    """(CPU units, MiB) that keep the observed peaks under ``headroom`` of the new size."""
    cpu, mem = current
    return cpu * ev.cpu_peak / 100 / headroom, mem * ev.memory_peak / 100 / headroom


def cheapest_size(
    prices: RegionPrices,
    cpu_units: float,
    memory_mib: float,
    *,
    arch: str | None = "x86_64",
    os_family: str | None = "LINUX",
) -> tuple[int, int] | None:
    """The cheapest valid Fargate size with at least this CPU and memory, or None."""
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

    Never proposes ARM together with Spot (Fargate Spot runs Linux x86 only): a service on
    Spot gets no ARM advice, an ARM service no Spot advice, and a service observed running
    ARM on Spot (which Fargate does not offer) no advice at all. A service under memory
    pressure (:func:`memory_pressure`) gets none either.
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
    if arm and spot:
        return [], None
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

    out: list[Suggestion] = []
    if series is None:
        cpu_s, mem_s = snapshot.series(service.arn, "cpu"), snapshot.series(service.arn, "memory")
    else:
        cpu_s, mem_s = series.get((service.arn, "cpu")), series.get((service.arn, "memory"))
    ev = evidence_for(cpu_s, mem_s)
    window = max(ev.seconds if ev is not None else 0.0, float(MIN_SECONDS))
    held = memory_pressure(service, every, snapshot, mem_s, window)
    if held is not None:
        return [], held
    if ev is not None:
        want_cpu, want_mem = needed(cur, ev, headroom)
        new = cheapest_size(prices, want_cpu, want_mem, arch=shape.arch, os_family=shape.os)
        if new is not None and new != cur and rate(new, on_spot=False) < rate(cur, on_spot=False):
            saving = sum(
                (rate(cur, on_spot=t.is_spot) - rate(new, on_spot=t.is_spot) for t in tasks),
                Decimal(0),
            )
            s = _suggestion(RESIZE, service, n, cur, new, saving)
            detail = (
                f"{format_size(*cur)} -> {format_size(*new)}: CPU peak {ev.cpu_peak:.0f}% "
                f"(p95 {ev.cpu_p95:.0f}%), memory peak {ev.memory_peak:.0f}% "
                f"(p95 {ev.memory_p95:.0f}%) over {ev.samples} samples, "
                f"headroom {headroom:.0%}"
            )
            out.append(_with(s, detail, ev))
    if not arm and not windows and not spot and n:
        saving = (rate(cur) - rate(cur, arch="arm64")) * n
        if saving > 0:
            s = _suggestion(ARM, service, n, cur, cur, saving)
            images = sorted({c.image for t in tasks for c in t.containers if c.image})
            detail = (
                "set runtimePlatform cpuArchitecture ARM64; every image needs an arm64 "
                "variant (a multi-arch manifest): fgtop does not check the manifest, check it "
                "with `docker manifest inspect IMAGE`"
                + (
                    f" ({', '.join(images[:3])}{', ...' if len(images) > 3 else ''})"
                    if images
                    else ""
                )
                + ". Stays on FARGATE: Fargate Spot is x86 only, so not together with Spot"
            )
            out.append(_with(s, detail, ev))
    if not arm and not windows and not spot and n >= 2:
        saving = (rate(cur, on_spot=False) - rate(cur, on_spot=True)) * (n - 1)
        if saving > 0:
            s = _suggestion(SPOT, service, n, cur, cur, saving)
            detail = (
                f"keep 1 task on FARGATE (base 1), run the other {n - 1} on FARGATE_SPOT "
                "(x86 only: not together with a move to ARM)"
            )
            out.append(_with(s, detail, ev))
    return out, None


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
) -> Rightsizing:
    """Every saving (largest monthly savings first) and every service held back from any
    for memory pressure (by name); the arguments as for :func:`suggest`."""
    disc = as_discount(discount)
    if not 0 < headroom <= 1:
        raise ValueError(f"headroom must be in (0, 1], got {headroom}")
    series = {(m.target, m.metric): m for m in snapshot.metrics if m.metric in ("cpu", "memory")}
    out: list[Suggestion] = []
    held: list[Held] = []
    for svc in snapshot.services:
        tasks = snapshot.tasks_of(svc)
        found, hold = _for_service(svc, snapshot, table, headroom, tasks, series, disc)
        out.extend(found)
        if hold is not None:
            held.append(hold)
    out.sort(key=lambda s: (-s.monthly_savings, s.service_name, s.kind))
    held.sort(key=lambda h: (h.service_name, h.region))
    return Rightsizing(tuple(out), tuple(held))

"""CloudWatch metrics: CPU and memory per service and per task, asked for cheaply.

GetMetricData costs $0.01 per 1,000 metrics requested, so this source:

- asks each series at most once per period (60 s), and only for the minutes it does not hold
  yet (``StartTime`` = last held point + period), backfilling a window on first sight
  (3 h for services, 30 min for tasks, 12 h for the selected service or task);
- asks per-service figures from ``AWS/ECS`` (CPUUtilization, MemoryUtilization) for every
  service, and per-task figures (``ECS/ContainerInsights`` with enhanced observability) only
  for the tasks on screen and the selected one (``ctx.hints``), never the whole account;
- takes a task's reserved CPU and memory from the task itself, so per-task percentages cost
  two metrics (CpuUtilized, MemoryUtilized), not four;
- packs up to 500 queries in one call (fewer when a backfill would pass the 100,800
  datapoints a call returns), follows ``NextToken`` and counts every metric it requests.

IAM: ``cloudwatch:GetMetricData`` only. A denial fails only this source (the engine keeps the
rest of the snapshot live) with the reason "access denied: needs cloudwatch:GetMetricData".
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fgtop.model import Snapshot, arn_account
from fgtop.model.ecs import Cluster, Service, Task, task_metrics_available
from fgtop.model.metrics import MetricSeries, MetricsUsage
from fgtop.sources.aws import CALL_TIMEOUT as AWS_CALL_TIMEOUT
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.errors import SourceTimeout
from fgtop.sources.ring import PointRing

if TYPE_CHECKING:
    from fgtop.sources.aws import Aws

CALL_TIMEOUT = AWS_CALL_TIMEOUT
"""Seconds one poll's GetMetricData calls may take before the metrics are marked stale."""
PERIOD = 60
SERVICE_BACKFILL = 3 * 3600
TASK_BACKFILL = 30 * 60
LONG_BACKFILL = 12 * 3600
HISTORY = LONG_BACKFILL
"""The longest chart window: every ring holds HISTORY / PERIOD points."""
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
LATE = 3
"""Periods re-asked for a series that has no points yet (CloudWatch data arrives late)."""
SETTLE = 5.0
"""Seconds after a minute boundary before asking for that minute."""
EVICT_AFTER = 3600.0
"""Seconds a task series is kept after it was last wanted (scrolled away)."""
NS_ECS = "AWS/ECS"
NS_INSIGHTS = "ECS/ContainerInsights"
TASK_DIMENSIONS = ("ClusterName", "TaskDefinitionFamily", "TaskId")
"""The dimension set of task-level Container Insights metrics (enhanced observability)."""
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}

_SERVICE_INSIGHTS = (
    ("net_rx", "NetworkRxBytes"),
    ("net_tx", "NetworkTxBytes"),
    ("storage_read", "StorageReadBytes"),
    ("storage_write", "StorageWriteBytes"),
)


@dataclass(frozen=True)
class MetricSpec:
    """One series to ask CloudWatch for: what to query and where to store it."""

    target: str
    """The service or task ARN."""
    metric: str
    """The fgtop metric name (``cpu``, ``memory``, ``net_rx``...)."""
    region: str
    namespace: str
    name: str
    """The CloudWatch metric name."""
    dimensions: tuple[tuple[str, str], ...]
    backfill: int
    """Seconds of history wanted on first sight."""
    scale: float = 1.0
    """Multiplier applied to every value (e.g. 100 / reserved CPU units)."""
    denominator: str | None = None
    """A second metric (same dimensions) to divide by, times 100, when the scale is unknown."""
    kind: str = "service"
    """``service`` or ``task``."""

    @property
    def key(self) -> tuple[str, str]:
        """(target, metric): the identity of the stored series."""
        return (self.target, self.metric)

    @property
    def cost(self) -> int:
        """Metrics requested per ask."""
        return 2 if self.denominator else 1


class _Held:
    """What is held and was asked for one series."""

    __slots__ = ("asked_end", "earliest", "ring", "series", "spec", "wanted_at")

    def __init__(self, spec: MetricSpec, maxlen: int) -> None:
        self.spec = spec
        self.ring = PointRing(maxlen)
        self.asked_end: float | None = None
        """EndTime of the last request."""
        self.earliest: float | None = None
        """StartTime of the earliest request (how far back the history goes)."""
        self.wanted_at = 0.0
        self.series: MetricSeries | None = None


class CloudWatchSource(PollingSource):
    """Per-minute metrics from CloudWatch GetMetricData, incremental and within a budget.

    Args:
        aws: The AWS layer (clients and call counters).
        period: Seconds per point.
        service_backfill: History fetched on first sight of a service.
        task_backfill: History fetched on first sight of a task.
        long_backfill: History fetched for the selected service or task.
        service_insights: Which services get Container Insights network and storage series:
            ``"selected"`` (default: the charted one), ``"all"`` or ``"none"``.
        max_queries: Queries per GetMetricData call (AWS allows 500).
        timeout: Seconds a poll's calls may take; past it the poll fails (the metrics stay,
            marked stale) and the next one tries again.
    """

    phase = 1
    name = "cloudwatch"
    essential = False

    def __init__(
        self,
        aws: Aws,
        *,
        period: int = PERIOD,
        service_backfill: int = SERVICE_BACKFILL,
        task_backfill: int = TASK_BACKFILL,
        long_backfill: int = LONG_BACKFILL,
        service_insights: str = "selected",
        max_queries: int = MAX_QUERIES,
        timeout: float | None = None,
    ) -> None:
        self.aws: Aws = aws
        self.timeout = aws.call_timeout if timeout is None else timeout
        self.period = period
        self.service_backfill = service_backfill
        self.task_backfill = task_backfill
        self.long_backfill = long_backfill
        self.service_insights = service_insights
        self.max_queries = max_queries
        self.maxlen = max(1, HISTORY // period)
        self._held: dict[tuple[str, str], _Held] = {}
        self._ctx: SourceContext | None = None
        self._failed = False
        self._metrics_requested = 0
        self._calls = 0
        self._since: float | None = None
        self._recent: deque[tuple[float, int]] = deque()
        self.requests: list[dict[str, Any]] = []
        """The last poll's requests: region, start, end, queries (for tests and benchmarks)."""

    # -- engine contract -----------------------------------------------------------------

    @property
    def interval(self) -> float:
        """Seconds to the next poll: soon for new targets, else just after the next minute."""
        ctx = self._ctx
        if ctx is None:
            return 2.0
        now = ctx.clock()
        next_minute = math.floor(now / self.period) * self.period + self.period + SETTLE
        if self._failed:
            return max(self.period, next_minute - now)
        if not ctx.snapshot.services and not ctx.snapshot.tasks:
            return 5.0  # the task list has not arrived yet: look again soon
        end = next_minute - SETTLE - self.period
        for spec in self.wanted(ctx.snapshot, ctx.hints.visible_tasks, ctx.hints.selected):
            held = self._held.get(spec.key)
            if held is None or held.earliest is None:
                return 5.0  # a target came on screen: fetch its backfill now
            if held.earliest > end - spec.backfill + self.period:
                return 5.0  # selected: fetch its longer history now
        return max(1.0, next_minute - now)

    def api_calls(self) -> int:
        """HTTP requests sent to CloudWatch."""
        return self.aws.calls["cloudwatch"]

    async def poll(self, ctx: SourceContext) -> Part:
        """Ask for the minutes not yet held of every wanted series; return all series held."""
        self._ctx = ctx
        now = ctx.clock()
        if self._since is None:
            self._since = now
        end = math.floor(now / self.period) * self.period
        snapshot = ctx.snapshot
        specs = self.wanted(snapshot, ctx.hints.visible_tasks, ctx.hints.selected)
        self._evict(snapshot, {s.key for s in specs}, now)
        groups: dict[tuple[str, float], list[MetricSpec]] = {}
        for spec in specs:
            held = self._held.get(spec.key)
            if held is None:
                held = self._held[spec.key] = _Held(spec, self.maxlen)
            held.spec = spec
            held.wanted_at = now
            start = self._start(held, end)
            if start is not None:
                groups.setdefault((spec.region, start), []).append(spec)
        self.requests = []
        try:
            async with asyncio.timeout(self.timeout):
                await self._fetch_all(groups, end, now)
            self._failed = False
        except TimeoutError as exc:
            self._failed = True
            raise SourceTimeout(f"GetMetricData timed out after {self.timeout:g}s") from exc
        except ClientError as exc:
            self._failed = True
            err = exc.response.get("Error", {})
            if err.get("Code") in DENIED:
                # botocore's error carries no service name; one_line() needs it to name the
                # permission: "access denied: needs cloudwatch:GetMetricData".
                exc.response.setdefault("ResponseMetadata", {}).setdefault(
                    "ServiceName", "cloudwatch"
                )
            raise
        return {"metrics": self.series(), "metrics_usage": self.usage(now)}

    # -- what to ask for -------------------------------------------------------------------

    def wanted(
        self, snapshot: Snapshot, visible_tasks: Iterable[str], selected: str | None
    ) -> list[MetricSpec]:
        """Every series worth asking for now, given what is on screen."""
        account = self.account
        # With several accounts each has its own CloudWatch source: ask only for this one's.
        clusters = {
            (c.account, c.region, c.name): c
            for c in snapshot.clusters
            if account is None or c.account in (account, None)
        }
        specs: list[MetricSpec] = []
        for service in snapshot.services:
            if account is not None and service.account not in (account, None):
                continue
            cluster = clusters.get((service.account, service.region, _name(service.cluster)))
            specs.extend(self._service_specs(service, cluster, service.arn == selected))
        on_screen = set(visible_tasks)
        if selected:
            on_screen.add(selected)
        for task in snapshot.tasks:
            if task.arn not in on_screen:
                continue
            if account is not None and task.account not in (account, None):
                continue
            cluster = clusters.get((task.account, task.region, _name(task.cluster)))
            if task_metrics_available(cluster):
                specs.extend(self._task_specs(task, task.arn == selected))
        return specs

    def _service_specs(
        self, service: Service, cluster: Cluster | None, selected: bool
    ) -> list[MetricSpec]:
        held = self._held.get((service.arn, "cpu"))
        if service.running == 0 and service.desired == 0 and held and held.earliest:
            return []  # scaled to zero: its history is held, nothing new will come
        dims = (("ClusterName", _name(service.cluster)), ("ServiceName", service.name))
        backfill = self.long_backfill if selected else self.service_backfill
        make = partial(MetricSpec, service.arn, region=service.region, dimensions=dims)
        make = partial(make, backfill=backfill)
        specs = [
            make("cpu", namespace=NS_ECS, name="CPUUtilization"),
            make("memory", namespace=NS_ECS, name="MemoryUtilization"),
        ]
        insights = cluster is not None and cluster.container_insights != "disabled"
        wants = self.service_insights == "all" or (self.service_insights == "selected" and selected)
        if insights and wants:
            # Container Insights reports these as bytes/second; store bytes per period.
            scale = float(self.period)
            specs += [
                make(m, namespace=NS_INSIGHTS, name=n, scale=scale) for m, n in _SERVICE_INSIGHTS
            ]
        return specs

    def _task_specs(self, task: Task, selected: bool) -> list[MetricSpec]:
        if task.is_stopped and task.stopped_at is not None:
            held = self._held.get((task.arn, "cpu"))
            if held and held.asked_end and held.asked_end > task.stopped_at + 5 * self.period:
                return []  # stopped, and its last minutes are held
        family = task.task_definition.rsplit("/", 1)[-1].split(":", 1)[0]
        dims: tuple[tuple[str, str], ...] = (
            ("ClusterName", _name(task.cluster)),
            ("TaskDefinitionFamily", family),
            ("TaskId", task.id),
        )
        backfill = self.long_backfill if selected else self.task_backfill
        make = partial(MetricSpec, task.arn, region=task.region, namespace=NS_INSIGHTS)
        make = partial(make, dimensions=dims, backfill=backfill, kind="task")
        return [
            make(metric, name=name, scale=100.0 / reserved)
            if reserved  # the task's own size: one metric, not two
            else make(metric, name=name, denominator=denom)
            for metric, name, reserved, denom in (
                ("cpu", "CpuUtilized", task.cpu, "CpuReserved"),
                ("memory", "MemoryUtilized", task.memory, "MemoryReserved"),
            )
        ]

    def _start(self, held: _Held, end: float) -> float | None:
        """StartTime for ``held`` now, or None when it holds every complete minute."""
        lo = end - held.spec.backfill
        if held.earliest is None or held.earliest > lo + self.period:
            return lo  # first sight, or the selected target wants a longer history
        if held.asked_end is not None and held.asked_end >= end:
            return None  # asked once this period already
        if len(held.ring):
            start = held.ring.last + self.period  # type: ignore[operator]
        else:
            start = (held.asked_end or lo) - LATE * self.period
        start = max(start, lo)
        return start if start < end else None

    def _evict(self, snapshot: Snapshot, wanted: set[tuple[str, str]], now: float) -> None:
        """Forget series whose target is gone, or not wanted for a long time (scrolled away)."""
        if not snapshot.services and not snapshot.tasks:
            return  # no ECS part yet: nothing to judge by
        alive = {s.arn for s in snapshot.services} | {t.arn for t in snapshot.tasks}
        for key, held in list(self._held.items()):
            if key in wanted:
                continue
            if key[0] not in alive or now - held.wanted_at > EVICT_AFTER:
                del self._held[key]

    # -- asking -------------------------------------------------------------------------------

    async def _fetch_all(
        self, groups: dict[tuple[str, float], list[MetricSpec]], end: float, now: float
    ) -> None:
        jobs = []
        for (region, start), specs in sorted(groups.items()):
            points = math.ceil((end - start) / self.period) + 1
            per_call = max(1, min(self.max_queries, MAX_DATAPOINTS // points))
            batch: list[MetricSpec] = []
            size = 0
            for spec in specs:
                if batch and size + spec.cost > per_call:
                    jobs.append((region, start, batch))
                    batch, size = [], 0
                batch.append(spec)
                size += spec.cost
            if batch:
                jobs.append((region, start, batch))
        limit = asyncio.Semaphore(4)

        async def run(region: str, start: float, batch: list[MetricSpec]) -> None:
            async with limit:
                await self._fetch(region, start, end, batch, now)

        await asyncio.gather(*(run(*job) for job in jobs))

    async def _fetch(
        self, region: str, start: float, end: float, specs: list[MetricSpec], now: float
    ) -> None:
        queries: list[dict[str, Any]] = []
        for i, spec in enumerate(specs):
            queries.append(_query(f"q{i}", spec, spec.name, self.period))
            if spec.denominator:
                queries.append(_query(f"d{i}", spec, spec.denominator, self.period))
        client = await self.aws.client("cloudwatch", region, optional=True)
        values: dict[str, dict[float, float]] = {q["Id"]: {} for q in queries}
        kwargs: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": datetime.fromtimestamp(start, UTC),
            "EndTime": datetime.fromtimestamp(end, UTC),
            "ScanBy": "TimestampAscending",
        }
        self.requests.append({"region": region, "start": start, "end": end, "queries": queries})
        while True:
            response = await client.get_metric_data(**kwargs)
            self._count(len(queries), now)
            for result in response.get("MetricDataResults", ()):
                got = values.setdefault(result.get("Id", ""), {})
                for ts, value in zip(
                    result.get("Timestamps", ()), result.get("Values", ()), strict=False
                ):
                    t = ts.timestamp()
                    if start <= t < end:  # only complete minutes
                        got[t] = float(value)
            token = response.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
        for i, spec in enumerate(specs):
            got = values.get(f"q{i}", {})
            if spec.denominator:
                denom = values.get(f"d{i}", {})
                pts = [(t, 100.0 * v / denom[t]) for t, v in got.items() if denom.get(t)]
            else:
                pts = [(t, v * spec.scale) for t, v in got.items()]
            held = self._held.get(spec.key)
            if held is None:
                continue
            if held.ring.merge(pts):
                held.series = None
            held.ring.drop_before(end - HISTORY)
            held.asked_end = max(held.asked_end or end, end)
            held.earliest = start if held.earliest is None else min(held.earliest, start)

    def _count(self, metrics: int, now: float) -> None:
        self._metrics_requested += metrics
        self._calls += 1
        self._recent.append((now, metrics))

    # -- what to return ---------------------------------------------------------------------

    def series(self) -> tuple[MetricSeries, ...]:
        """Every non-empty series held, as frozen model objects."""
        out = []
        for held in self._held.values():
            if not len(held.ring):
                continue
            if held.series is None:
                spec = held.spec
                held.series = MetricSeries(
                    target=spec.target,
                    metric=spec.metric,
                    source=spec.namespace,
                    points=held.ring.points(),
                    period=self.period,
                    account=arn_account(spec.target),
                )
            out.append(held.series)
        return tuple(out)

    def usage(self, now: float) -> MetricsUsage:
        """Metrics requested so far, calls, and the projected metrics per hour."""
        while self._recent and self._recent[0][0] <= now - 3600:
            self._recent.popleft()
        recent = sum(n for _, n in self._recent)
        span = now - self._recent[0][0] if self._recent else 0.0
        # Over the last hour; early on, one period of asking stands for each minute to come.
        per_hour = round(recent * 3600 / max(span + self.period, self.period)) if recent else 0
        return MetricsUsage(
            metrics_requested=self._metrics_requested,
            calls=self._calls,
            since=self._since,
            per_hour_projected=per_hour,
        )


def _query(qid: str, spec: MetricSpec, name: str, period: int) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": spec.namespace,
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dimensions],
            },
            "Period": period,
            "Stat": "Average",
        },
        "ReturnData": True,
    }


def _name(cluster: str) -> str:
    """A cluster name from a name or an ARN."""
    return cluster.rsplit("/", 1)[-1]

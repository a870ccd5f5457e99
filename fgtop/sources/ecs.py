"""The ECS source: clusters, services, tasks and task definitions of one region.

Every list call is fully paginated; describe_tasks goes in batches of 100 (with tags),
describe_services in batches of 10, concurrently under a bound. Task definitions are
immutable and fetched once per ARN. An API budget (calls per second, averaged) stretches
the refresh interval on large accounts. The first poll streams: each batch of tasks is
published as it is described (``SourceContext.partial``), so the first rows show long
before a large account is fully listed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.errors import SetupError
from fgtop.model import (
    Cluster,
    Container,
    ContainerDefinition,
    Deployment,
    LoadBalancerRef,
    LogConfig,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
    arn_account,
)
from fgtop.sources.aws import Aws
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.errors import CredentialsError, SourceTimeout, malformed_note, one_line
from fgtop.sources.taskdef_cache import TaskDefCache

T = TypeVar("T")

DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
OPTIONAL_OPERATIONS = {
    "ListServices": "services not listed",
    "DescribeServices": "services not described",
    "ListTasks": "tasks not listed",
    "DescribeTaskDefinition": "sizes only where the task carries them",
}
"""Operations whose denial degrades only their own part (what is lost), not the region."""

DEPLOYMENT_OPERATIONS = (
    "ListServiceDeployments",
    "DescribeServiceDeployments",
    "DescribeServiceRevisions",
)
"""The deployments API's operations: ECS calls the deployments source makes, not this one."""

MAX_EVENTS = 20
"""Service events kept per service (ECS returns up to 100)."""
CONCURRENCY = 8
"""Describe calls in flight at once per region."""


class _FirstRows:
    """What the first poll has found so far (published batch by batch)."""

    def __init__(self, ctx: SourceContext) -> None:
        self.ctx = ctx
        self.clusters: list[Cluster] = []
        self.services: list[Service] = []
        self.batches: dict[int, list[Task]] = {}
        """The tasks of each DescribeTasks batch so far (by the id of its response)."""
        self.expected = 0
        """Task ARNs listed so far (running and stopped): about how many tasks there are."""

    @property
    def tasks(self) -> list[Task]:
        """Every task found so far."""
        return [t for batch in self.batches.values() for t in batch]

    def publish(self, taskdefs: dict[str, TaskDefinition]) -> None:
        """Hand the engine everything found so far."""
        tasks = self.tasks
        used = {t.task_definition for t in tasks}
        part: Part = {
            "clusters": tuple(self.clusters),
            "services": tuple(self.services),
            "tasks": tuple(tasks),
            "task_definitions": tuple(td for arn, td in taskdefs.items() if arn in used),
        }
        self.ctx.partial(part, len(tasks), max(self.expected, len(tasks)))


def _ts(value: Any) -> float | None:
    """A botocore datetime (or ISO string from a sample file) as POSIX seconds."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        from datetime import datetime

        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return value.timestamp()


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _jsonable(doc: dict) -> dict:
    """A raw AWS document with datetimes turned into ISO strings (for describe views)."""
    import json

    return json.loads(
        json.dumps(doc, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    )


def parse_cluster(raw: dict, region: str) -> Cluster:
    """A Cluster from one describe_clusters entry."""
    insights = "disabled"
    for setting in raw.get("settings") or ():
        if setting.get("name") == "containerInsights":
            insights = setting.get("value") or "disabled"
    return Cluster(
        name=raw["clusterName"],
        arn=raw["clusterArn"],
        region=region,
        status=raw.get("status", "ACTIVE"),
        container_insights=insights,
        running_tasks=raw.get("runningTasksCount", 0),
        pending_tasks=raw.get("pendingTasksCount", 0),
        active_services=raw.get("activeServicesCount", 0),
        account=arn_account(raw["clusterArn"]),
    )


def parse_service(raw: dict, cluster: str, region: str) -> Service:
    """A Service from one describe_services entry."""
    deployments = tuple(
        Deployment(
            id=d.get("id", ""),
            status=d.get("status", ""),
            task_definition=d.get("taskDefinition", ""),
            desired=d.get("desiredCount", 0),
            running=d.get("runningCount", 0),
            pending=d.get("pendingCount", 0),
            failed_tasks=d.get("failedTasks", 0),
            rollout_state=d.get("rolloutState"),
            rollout_state_reason=d.get("rolloutStateReason"),
            created_at=_ts(d.get("createdAt")),
            updated_at=_ts(d.get("updatedAt")),
        )
        for d in raw.get("deployments") or ()
    )
    events = tuple(
        ServiceEvent(
            id=e.get("id", ""),
            created_at=_ts(e.get("createdAt")) or 0.0,
            message=e.get("message", ""),
        )
        for e in (raw.get("events") or ())[:MAX_EVENTS]
    )
    config = raw.get("deploymentConfiguration") or {}
    breaker = (config.get("deploymentCircuitBreaker") or {}).get("enable", False)
    alarms = config.get("alarms") or {}
    return Service(
        name=raw["serviceName"],
        arn=raw["serviceArn"],
        cluster=cluster,
        region=region,
        status=raw.get("status", ""),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        task_definition=raw.get("taskDefinition", ""),
        launch_type=raw.get("launchType"),
        capacity_provider_strategy=tuple(
            (s.get("capacityProvider", ""), s.get("weight", 0), s.get("base", 0))
            for s in raw.get("capacityProviderStrategy") or ()
        ),
        deployments=deployments,
        events=events,
        circuit_breaker=bool(breaker),
        created_at=_ts(raw.get("createdAt")),
        raw=_jsonable({k: v for k, v in raw.items() if k != "events"}),
        load_balancers=_load_balancers(raw.get("loadBalancers")),
        deployment_alarms=tuple(
            a for a in alarms.get("alarmNames") or () if isinstance(a, str) and a
        )
        if alarms.get("enable")
        else (),
        account=arn_account(raw["serviceArn"]),
    )


def _load_balancers(raw: Any) -> tuple[LoadBalancerRef, ...]:
    """The target groups of a service's ``loadBalancers`` (Classic ones and bad entries left
    out: they cost the target health, not the service)."""
    out = []
    for lb in raw if isinstance(raw, list) else ():
        arn = lb.get("targetGroupArn") if isinstance(lb, dict) else None
        if isinstance(arn, str) and arn:
            port = lb.get("containerPort")
            name = lb.get("containerName")
            out.append(
                LoadBalancerRef(
                    arn,
                    name if isinstance(name, str) else None,
                    port if isinstance(port, int) and not isinstance(port, bool) else None,
                )
            )
    return tuple(out)


def parse_task_definition(raw: dict) -> TaskDefinition:
    """A TaskDefinition from describe_task_definition's ``taskDefinition``."""
    runtime = raw.get("runtimePlatform") or {}
    arch = runtime.get("cpuArchitecture")
    containers = []
    for c in raw.get("containerDefinitions") or ():
        log = c.get("logConfiguration")
        containers.append(
            ContainerDefinition(
                name=c.get("name", ""),
                image=c.get("image", ""),
                cpu=_int(c.get("cpu")),
                memory=_int(c.get("memory")),
                memory_reservation=_int(c.get("memoryReservation")),
                essential=c.get("essential", True),
                log=LogConfig(
                    driver=log.get("logDriver", ""), options=dict(log.get("options") or {})
                )
                if log
                else None,
                environment={
                    e.get("name", ""): e.get("value", "") for e in c.get("environment") or ()
                },
                secrets={s.get("name", ""): s.get("valueFrom", "") for s in c.get("secrets") or ()},
            )
        )
    storage = (raw.get("ephemeralStorage") or {}).get("sizeInGiB") or 20
    return TaskDefinition(
        arn=raw["taskDefinitionArn"],
        family=raw.get("family", ""),
        revision=raw.get("revision", 0),
        cpu=_int(raw.get("cpu")),
        memory=_int(raw.get("memory")),
        arch=arch.lower() if arch else None,
        os=runtime.get("operatingSystemFamily") or "LINUX",
        ephemeral_storage_gib=storage,
        requires_compatibilities=tuple(raw.get("requiresCompatibilities") or ()),
        containers=tuple(containers),
        raw=_jsonable(raw),
        account=arn_account(raw["taskDefinitionArn"]),
    )


def parse_task(raw: dict, cluster: str, region: str, taskdef: TaskDefinition | None) -> Task:
    """A Task from one describe_tasks entry, with gaps filled from its task definition."""
    group = raw.get("group") or ""
    service = group.split(":", 1)[1] if group.startswith("service:") else None
    arch = None
    for attr in raw.get("attributes") or ():
        if attr.get("name") == "ecs.cpu-architecture":
            arch = attr.get("value")
    arch = arch or (taskdef.arch if taskdef else None)
    ip = None
    for att in raw.get("attachments") or ():
        for detail in att.get("details") or ():
            if detail.get("name") == "privateIPv4Address":
                ip = detail.get("value")
    containers = []
    for c in raw.get("containers") or ():
        if ip is None:
            for ni in c.get("networkInterfaces") or ():
                ip = ni.get("privateIpv4Address") or ip
        containers.append(
            Container(
                name=c.get("name", ""),
                image=c.get("image", ""),
                last_status=c.get("lastStatus", ""),
                exit_code=c.get("exitCode"),
                reason=c.get("reason"),
                health=c.get("healthStatus") or "UNKNOWN",
                cpu=_int(c.get("cpu")),
                memory=_int(c.get("memory")),
            )
        )
    storage = (raw.get("ephemeralStorage") or {}).get("sizeInGiB") or (
        taskdef.ephemeral_storage_gib if taskdef else 20
    )
    platform = raw.get("platformFamily") or (taskdef.os if taskdef else "LINUX")
    provider = raw.get("capacityProviderName") or ""
    launch = raw.get("launchType") or ("FARGATE" if provider.startswith("FARGATE") else "EC2")
    return Task(
        arn=raw["taskArn"],
        cluster=cluster,
        region=region,
        task_definition=raw.get("taskDefinitionArn", ""),
        last_status=raw.get("lastStatus", ""),
        desired_status=raw.get("desiredStatus", ""),
        service=service,
        group=group,
        health=raw.get("healthStatus") or "UNKNOWN",
        launch_type=launch,
        capacity_provider=provider or (launch if launch == "FARGATE" else None),
        cpu=_int(raw.get("cpu")) or (taskdef.cpu if taskdef else None),
        memory=_int(raw.get("memory")) or (taskdef.memory if taskdef else None),
        arch=arch,
        os=(platform or "LINUX").upper(),
        ephemeral_storage_gib=int(storage),
        az=raw.get("availabilityZone"),
        private_ip=ip,
        created_at=_ts(raw.get("createdAt")),
        pull_started_at=_ts(raw.get("pullStartedAt")),
        started_at=_ts(raw.get("startedAt")),
        stopping_at=_ts(raw.get("stoppingAt")),
        execution_stopped_at=_ts(raw.get("executionStoppedAt")),
        stopped_at=_ts(raw.get("stoppedAt")),
        stop_code=raw.get("stopCode") or None,
        stopped_reason=raw.get("stoppedReason") or None,
        started_by=raw.get("startedBy") or None,
        containers=tuple(containers),
        tags={t.get("key", ""): t.get("value", "") for t in raw.get("tags") or ()},
        platform_version=raw.get("platformVersion"),
        account=arn_account(raw["taskArn"]),
    )


class EcsSource(PollingSource):
    """Polls ECS in one region.

    Args:
        aws: The shared AWS layer.
        region: The region to watch.
        clusters: Cluster names or ARNs to watch; empty means every cluster.
        include_ec2: Show EC2 tasks as well as Fargate ones.
        refresh: The wished refresh interval in seconds.
        budget: Average ECS calls per second allowed in this region.
    """

    interval: float = 5.0
    """Seconds between polls: ``refresh``, stretched to keep to the budget."""

    def __init__(
        self,
        aws: Aws,
        region: str,
        *,
        clusters: Sequence[str] = (),
        include_ec2: bool = False,
        refresh: float = 5.0,
        budget: float = 5.0,
        focus_service: str | None = None,
        taskdef_cache: TaskDefCache | None = None,
    ) -> None:
        self.aws: Aws = aws
        self.taskdef_cache = taskdef_cache
        """Task definitions on disk across launches (None: this process only)."""
        self.taskdef_calls = 0
        """DescribeTaskDefinition calls made (one-off: not counted against the budget)."""
        self.focus_service = focus_service
        """``--service``: the first poll fetches only this service, so it shows at once."""
        self.region = region
        self.name = f"ecs:{region}"
        self.wanted = tuple(clusters)
        self.include_ec2 = include_ec2
        self.refresh = refresh
        self.interval = refresh
        self.budget = budget
        self._taskdefs: dict[str, TaskDefinition] = {}
        """Task definitions by ARN: immutable, so fetched once."""
        self._inflight: dict[str, asyncio.Future] = {}
        self._sem = asyncio.Semaphore(CONCURRENCY)
        self._calls_before = 0
        self._last_calls = 0
        self.unknown_clusters: tuple[str, ...] = ()
        self._denied: dict[str, str] = {}
        """Operation -> one-line reason, for the optional operations denied in this poll."""
        self._denied_before: dict[str, str] = {}
        self._malformed: Counter[str] = Counter()
        """Objects of each kind (``tasks``, ``services``) skipped as malformed in this poll."""
        self._last_services: dict[str, list[Service]] = {}
        """The last services described per cluster ARN (kept, stale, while describe is denied)."""
        self._last_tasks: dict[str, list[Task]] = {}
        """The last tasks listed per cluster ARN (kept, stale, while ListTasks is denied)."""
        self._known: dict[str, Task] = {}
        """The tasks of the last poll by ARN: an unchanged task is reused (see _parse_tasks)."""
        self._polled = False
        """A poll has completed (only the first one streams its rows)."""
        self._first: _FirstRows | None = None

    def api_calls(self) -> int:
        """ECS requests made in this region by this source (the deployments API's are the
        deployments source's)."""
        region = f"ecs:{self.region}"
        theirs = sum(self.aws.calls[f"{region}.{op}"] for op in DEPLOYMENT_OPERATIONS)
        return self.aws.calls[region] - theirs

    def note(self) -> str | None:
        """Says when the refresh was stretched to stay inside the API budget (denied
        operations are the source's health: :meth:`degraded`)."""
        notes = []
        if self.interval > self.refresh + 0.01:
            notes.append(
                f"{self.region}: refresh every {self.interval:.0f}s to stay under "
                f"{self.budget:g} ECS calls/s ({self._last_calls} calls per refresh)"
            )
        return "; ".join(notes) or None

    def degraded(self) -> str | None:
        """The operations denied in the last poll and what that costs, one line; None if none.

        The rest of the region is still listed: a denied ``DescribeServices`` leaves the tasks
        (grouped by their ``group``) and the last services described, a denied
        ``DescribeTaskDefinition`` leaves the tasks with the sizes they carry.
        """
        note = malformed_note(dict(self._malformed))
        return "; ".join([*self._denied.values(), *([note] if note else [])]) or None

    def _parse_each(self, kind: str, items: Iterable[Any], parse: Callable[[dict], T]) -> list[T]:
        """``parse`` applied to each item on its own: a malformed one is skipped and counted."""
        out: list[T] = []
        for raw in items:
            try:
                if not isinstance(raw, dict):
                    raise TypeError(f"a {type(raw).__name__}, not an object")
                out.append(parse(raw))
            except Exception:  # noqa: BLE001 - any bad shape skips this one object only
                self._malformed[kind] += 1
        return out

    def _tasks_to_parse(self, raw_tasks: Iterable[Any]) -> list[dict]:
        """The raw tasks worth parsing (Fargate unless ``include_ec2``); malformed ones, whose
        launch type or task definition cannot even be read, are skipped and counted."""
        out: list[dict] = []
        for raw in raw_tasks:
            try:
                if not isinstance(raw, dict) or not isinstance(
                    raw.get("taskDefinitionArn", ""), str
                ):
                    raise TypeError("malformed task")
                if self.include_ec2 or _is_fargate(raw):
                    out.append(raw)
            except Exception:  # noqa: BLE001 - any bad shape skips this one object only
                self._malformed["tasks"] += 1
        return out

    async def _optional(self, op: str, call: Awaitable[T], fallback: T) -> T:
        """``call``'s result; ``fallback`` (and ``op`` noted as denied) when access is denied."""
        try:
            return await call
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in DENIED_CODES:
                raise
            lost = OPTIONAL_OPERATIONS.get(op, "")
            self._denied[op] = f"{op} denied (needs ecs:{op})" + (f": {lost}" if lost else "")
            return fallback

    async def _call(self, client: Any, op: str, **kwargs: Any) -> dict:
        async with self._sem:
            return await self._timed(op, lambda: getattr(client, op)(**kwargs))

    async def _timed(self, op: str, call: Callable[[], Awaitable[T]]) -> T:
        """One call within ``aws.call_timeout``; a call that times out is made once more
        (in this poll: ``fgtop snapshot`` has no next one) before the poll fails."""
        try:
            async with self._deadline(op):
                return await call()
        except SourceTimeout:
            pass
        async with self._deadline(op, again=True):
            return await call()

    @contextlib.asynccontextmanager
    async def _deadline(self, op: str, *, again: bool = False) -> AsyncIterator[None]:
        """At most ``aws.call_timeout`` seconds for one call; past it the poll fails with one
        line (the engine marks the source stale, the others keep refreshing)."""
        timeout = self.aws.call_timeout
        try:
            async with asyncio.timeout(timeout):
                yield
        except TimeoutError as exc:
            name = "".join(word.title() for word in op.split("_"))
            twice = " (tried twice)" if again else ""
            raise SourceTimeout(f"{name} timed out after {timeout:g}s{twice}") from exc

    async def _paginate(
        self,
        client: Any,
        op: str,
        key: str,
        on_page: Callable[[Sequence[str]], None] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Every item of a list call, page by page (``on_page`` sees each page as it lands);
        each page is one call, retried once when it times out."""
        out: list[str] = []
        # The largest page each list call allows (ListServices defaults to 10 otherwise).
        params = dict(kwargs, maxResults=100)
        while True:
            page = await self._timed(op, lambda: getattr(client, op)(**params))
            items = page.get(key) or ()
            out.extend(items)
            if on_page is not None:
                on_page(items)
            token = page.get("nextToken")
            if not token:
                return out
            params["nextToken"] = token

    async def poll(self, ctx: SourceContext | None = None) -> Part:
        """List and describe everything; return clusters, services, tasks, task definitions."""
        client = await self.aws.client("ecs", self.region)
        self._denied_before, self._denied = self._denied, {}
        self._malformed = Counter()
        if self.focus_service and self.wanted:
            focus, self.focus_service = self.focus_service, None
            part = await self._poll_focus(client, focus)
            if part is not None:
                self.interval = 0.0  # the full poll follows at once
                return part
        before = self.api_calls()
        before_taskdefs = self.taskdef_calls
        cluster_arns = await self._cluster_arns(client)
        clusters: list[Cluster] = []
        for batch in _chunks(cluster_arns, 100):
            resp = await self._call(
                client, "describe_clusters", clusters=list(batch), include=["SETTINGS"]
            )
            clusters.extend(parse_cluster(c, self.region) for c in resp.get("clusters") or ())
        streams = ctx is not None and ctx.streams and not self._polled
        self._first = _FirstRows(ctx) if streams and ctx is not None else None
        if self._first is not None:
            self._first.clusters = clusters
        try:
            results = await asyncio.gather(*(self._poll_cluster(client, c) for c in clusters))
        finally:
            self._first = None
        self._polled = True
        services = tuple(s for svc, _ in results for s in svc)
        tasks = tuple(t for _, tsk in results for t in tsk)
        self._known = {t.arn: t for t in tasks}
        used = {t.task_definition for t in tasks} | {s.task_definition for s in services}
        # One-off task-definition fetches do not stretch the refresh: a steady poll needs none.
        self._last_calls = self.api_calls() - before - (self.taskdef_calls - before_taskdefs)
        wanted = self._last_calls / self.budget if self.budget > 0 else 0.0
        self.interval = max(self.refresh, wanted)
        return {
            "clusters": tuple(clusters),
            "services": services,
            "tasks": tasks,
            "task_definitions": tuple(td for arn, td in self._taskdefs.items() if arn in used),
        }

    async def _poll_focus(self, client: Any, service: str) -> Part | None:
        """Only one service of the ``--cluster`` clusters: what ``--service`` opens on."""
        resp = await self._call(
            client, "describe_clusters", clusters=list(self.wanted), include=["SETTINGS"]
        )
        for raw in resp.get("clusters") or ():
            cluster = parse_cluster(raw, self.region)
            found = await self._call(
                client, "describe_services", cluster=cluster.arn, services=[service]
            )
            raw_services = found.get("services") or ()
            if not raw_services:
                continue
            arns = await self._paginate(
                client, "list_tasks", "taskArns", cluster=cluster.arn, serviceName=service
            )
            raw_tasks: list[dict[str, Any]] = []
            for batch in _chunks(arns, 100):
                got = await self._call(
                    client,
                    "describe_tasks",
                    cluster=cluster.arn,
                    tasks=list(batch),
                    include=["TAGS"],
                )
                raw_tasks += got.get("tasks") or ()
            raw_tasks = [
                t for t in self._tasks_to_parse(raw_tasks) if t.get("group") == f"service:{service}"
            ]
            await self._fetch_taskdefs(client, {t.get("taskDefinitionArn", "") for t in raw_tasks})
            tasks = tuple(self._parse_tasks(raw_tasks, cluster))
            return {
                "clusters": (cluster,),
                "services": tuple(
                    self._parse_each(
                        "services",
                        raw_services,
                        partial(parse_service, cluster=cluster.name, region=self.region),
                    )
                ),
                "tasks": tasks,
                "task_definitions": tuple(
                    self._taskdefs[a]
                    for a in {t.task_definition for t in tasks}
                    if a in self._taskdefs
                ),
            }
        return None

    def _parse_tasks(self, raw_tasks: Iterable[dict], cluster: Cluster) -> list[Task]:
        """Parse a batch of tasks; a task equal to the one the last poll found is that object.

        Unchanged tasks are then the same objects from snapshot to snapshot, so derivation and
        the tables, which keep their work by identity, redo only what changed, and the
        snapshots the UI and the history hold share them instead of holding copies.
        """
        parsed = self._parse_each(
            "tasks",
            raw_tasks,
            lambda t: parse_task(
                t, cluster.name, self.region, self._taskdefs.get(t.get("taskDefinitionArn", ""))
            ),
        )
        known = self._known
        out = []
        for task in parsed:
            before = known.get(task.arn)
            if before is not None and before == task:
                task = before
            else:
                known[task.arn] = task
            out.append(task)
        return out

    async def _cluster_arns(self, client: Any) -> list[str]:
        if not self.wanted:
            return await self._paginate(client, "list_clusters", "clusterArns")
        resp = await self._call(client, "describe_clusters", clusters=list(self.wanted))
        found = [
            c["clusterArn"] for c in resp.get("clusters") or () if c.get("status") != "INACTIVE"
        ]
        missing = [f.get("arn", "") for f in resp.get("failures") or ()]
        missing += [
            c["clusterName"] for c in resp.get("clusters") or () if c.get("status") == "INACTIVE"
        ]
        self.unknown_clusters = tuple(m.rsplit("/", 1)[-1] for m in missing)
        return found

    async def _poll_cluster(
        self, client: Any, cluster: Cluster
    ) -> tuple[list[Service], list[Task]]:
        # Tasks are described while they are still being listed: each 100 ARNs listed go to
        # DescribeTasks at once (the first rows show after one page, not after every page).
        first = self._first
        seen: set[str] = set()
        pending: list[str] = []
        task_batches: list[asyncio.Future] = []

        def listed(arns: Sequence[str], final: bool = False) -> None:
            fresh = [a for a in arns if a not in seen]
            seen.update(fresh)
            pending.extend(fresh)
            if first is not None:
                first.expected += len(fresh)
            while len(pending) >= 100 or (final and pending):
                batch = pending[:100]
                del pending[:100]
                task_batches.append(
                    asyncio.ensure_future(self._describe_tasks(client, cluster, batch))
                )

        try:
            service_arns, running, stopped = await asyncio.gather(
                self._optional(
                    "ListServices",
                    self._paginate(client, "list_services", "serviceArns", cluster=cluster.arn),
                    None,
                ),
                self._optional(
                    "ListTasks",
                    self._paginate(client, "list_tasks", "taskArns", listed, cluster=cluster.arn),
                    None,
                ),
                self._optional(
                    "ListTasks",
                    self._paginate(
                        client,
                        "list_tasks",
                        "taskArns",
                        listed,
                        cluster=cluster.arn,
                        desiredStatus="STOPPED",
                    ),
                    None,
                ),
            )
            listed((), final=True)
        except BaseException:
            for batch in task_batches:
                batch.cancel()
            await asyncio.gather(*task_batches, return_exceptions=True)
            raise
        service_batches = [
            self._optional(
                "DescribeServices",
                self._call(client, "describe_services", cluster=cluster.arn, services=list(b)),
                None,
            )
            for b in _chunks(service_arns or (), 10)
        ]
        try:
            responses = await asyncio.gather(*service_batches, *task_batches)
        except BaseException:
            for batch in task_batches:
                batch.cancel()
            await asyncio.gather(*task_batches, return_exceptions=True)
            raise
        described = responses[: len(service_batches)]
        raw_services = [s for r in described if r for s in r.get("services") or ()]
        services = self._parse_each(
            "services", raw_services, lambda s: parse_service(s, cluster.name, self.region)
        )
        if not self.include_ec2:
            services = [s for s in services if _service_is_fargate(s)]
        if service_arns is None or any(r is None for r in described):
            services = self._last_services.get(cluster.arn, [])  # stale: the last described
        else:
            self._last_services[cluster.arn] = services
        tasks = [t for batch in responses[len(service_batches) :] for t in batch]
        if running is None or stopped is None:
            tasks = self._last_tasks.get(cluster.arn, [])  # stale: the last listed
        else:
            self._last_tasks[cluster.arn] = tasks
        if first is not None:
            first.services += services
        return services, tasks

    async def _describe_tasks(
        self, client: Any, cluster: Cluster, arns: Sequence[str]
    ) -> list[Task]:
        """One batch of tasks described and parsed (with their task definitions); in the first
        poll, published at once with everything found so far."""
        resp = await self._call(
            client, "describe_tasks", cluster=cluster.arn, tasks=list(arns), include=["TAGS"]
        )
        raw_tasks = self._tasks_to_parse(resp.get("tasks") or ())
        first = self._first
        batch = id(resp)
        taskdef_arns = {t.get("taskDefinitionArn", "") for t in raw_tasks}
        if first is not None and any(a and a not in self._taskdefs for a in taskdef_arns):
            # Rows first, with what the tasks carry; their task definitions (architecture,
            # storage) follow in the next publication.
            provisional = []
            for raw in raw_tasks:
                with contextlib.suppress(Exception):  # counted by the full parse below
                    provisional.append(parse_task(raw, cluster.name, self.region, None))
            first.batches[batch] = provisional
            first.publish(self._taskdefs)
        await self._fetch_taskdefs(client, taskdef_arns)
        tasks = self._parse_tasks(raw_tasks, cluster)
        if first is not None:
            first.batches[batch] = tasks
            first.publish(self._taskdefs)
        return tasks

    async def _fetch_taskdefs(self, client: Any, arns: Iterable[str]) -> None:
        wanted = [a for a in dict.fromkeys(arns) if a and a not in self._taskdefs]
        if wanted and "DescribeTaskDefinition" in self._denied:
            return  # denied already in this poll (another batch asked)
        if wanted and "DescribeTaskDefinition" in self._denied_before:
            # Denied last time: one call asks whether it is allowed again before the others.
            await self._fetch_shared(client, wanted[:1])
            if "DescribeTaskDefinition" in self._denied:
                return
            wanted = wanted[1:]
        await self._fetch_shared(client, wanted)

    async def _fetch_shared(self, client: Any, arns: Iterable[str]) -> None:
        # Clusters are polled concurrently: share one in-flight fetch per ARN.
        waits = []
        fetched = self.taskdef_calls
        for arn in arns:
            if not arn or arn in self._taskdefs:
                continue
            fetch = self._inflight.get(arn)
            if fetch is None:
                fetch = asyncio.ensure_future(self._fetch_taskdef(client, arn))
                self._inflight[arn] = fetch
            waits.append(fetch)
        await asyncio.gather(*waits)
        if self.taskdef_calls != fetched and self.taskdef_cache is not None:
            await asyncio.to_thread(self.taskdef_cache.prune)

    async def _fetch_taskdef(self, client: Any, arn: str) -> None:
        try:
            cache = self.taskdef_cache
            if cache is not None:
                doc = await asyncio.to_thread(cache.get, arn)
                if doc is not None:
                    try:
                        self._taskdefs[arn] = parse_task_definition(doc)
                        return
                    except Exception:  # noqa: BLE001 - a bad entry is fetched again
                        cache.corrupt += 1
            self.taskdef_calls += 1
            call = self._call(client, "describe_task_definition", taskDefinition=arn)
            resp = await self._optional("DescribeTaskDefinition", call, None)
            if resp is not None:
                self._taskdefs[arn] = parse_task_definition(resp["taskDefinition"])
                if cache is not None:
                    await asyncio.to_thread(cache.put, arn, _jsonable(resp["taskDefinition"]))
        finally:
            self._inflight.pop(arn, None)


def _is_fargate(raw: dict) -> bool:
    return raw.get("launchType") == "FARGATE" or (raw.get("capacityProviderName") or "").startswith(
        "FARGATE"
    )


def _service_is_fargate(service: Service) -> bool:
    if service.launch_type:
        return service.launch_type == "FARGATE"
    return any(cp.startswith("FARGATE") for cp, _, _ in service.capacity_provider_strategy) or not (
        service.capacity_provider_strategy
    )


async def check_clusters(
    sources: Sequence[EcsSource], wanted: Sequence[str], *, skip_failing: bool = False
) -> None:
    """Raise :class:`SetupError` naming any ``--cluster`` that exists in no watched region.

    Args:
        sources: The ECS sources (one per account and region).
        wanted: The ``--cluster`` names or ARNs.
        skip_failing: Leave out a source whose call fails (with several accounts, one whose
            credentials fail degrades alone) instead of raising its error.
    """
    if not wanted:
        return
    found: set[str] = set()
    failures: list[BaseException] = []
    for source in sources:
        try:
            client = await source.aws.client("ecs", source.region)
            resp = await client.describe_clusters(clusters=list(wanted))
        except (ClientError, BotoCoreError, CredentialsError) as exc:
            if not skip_failing:
                raise
            failures.append(exc)
            continue
        for c in resp.get("clusters") or ():
            if c.get("status") != "INACTIVE":
                found.add(c["clusterName"])
                found.add(c["clusterArn"])
    if failures and len(failures) == len(sources):  # no account answered: say why, not "unknown"
        raise SetupError(f"cannot check --cluster: {one_line(failures[0])}")
    missing = [w for w in wanted if w not in found]
    if missing:
        regions = ", ".join(dict.fromkeys(s.region for s in sources))
        raise SetupError(
            f"unknown cluster {', '.join(missing)} in {regions} (check --cluster and --region)"
        )

"""Tail CloudWatch Logs for ECS tasks without losing or repeating a line.

:func:`resolve_targets` finds where each container of a task logs (the task definition's
``awslogs`` options: stream ``prefix/container/task-id``) or says, in one line, where the logs
go instead. :class:`CloudWatchTail` polls ``FilterLogEvents`` (one call per log group and poll,
paginated, up to 100 streams a call) and keeps per stream the last timestamp seen and the ids of
the events seen at that timestamp: a next poll starts at that timestamp, so events sharing a
millisecond are neither repeated nor skipped, across polls, pages and restarts
(:meth:`CloudWatchTail.state` / :meth:`CloudWatchTail.restore`).

IAM: ``logs:FilterLogEvents`` on the log groups (nothing else).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.model.ecs import Task, TaskDefinition
from fgtop.model.logs import LogLine
from fgtop.sources.errors import one_line

MAX_STREAMS_PER_CALL = 100
"""FilterLogEvents accepts at most 100 logStreamNames."""
MISSING_RETRY = 15.0
"""Seconds before a stream found missing is asked for again (alone)."""


@dataclass(frozen=True)
class LogTarget:
    """One CloudWatch Logs stream to tail: a container of a task."""

    region: str
    group: str
    stream: str
    container: str
    target: str
    """The task ARN (the LogLine target)."""

    @property
    def key(self) -> str:
        """A stable identity for the tail state."""
        return f"{self.region}|{self.group}|{self.stream}"

    @property
    def task_id(self) -> str:
        """The task id (last part of the ARN)."""
        return self.target.rsplit("/", 1)[-1]


@dataclass
class LogBatch:
    """What one poll (or fetch) produced."""

    lines: list[LogLine] = field(default_factory=list)
    """New lines, oldest first, merged by time across streams."""
    messages: list[str] = field(default_factory=list)
    """One-line problems (missing group, access denied...), for the view's notice line."""
    more: bool = False
    """True when the page cap was hit: poll again soon to catch up."""


def _driver_note(container: str, driver: str, options: dict[str, str]) -> str:
    if driver == "awsfirelens":
        name = options.get("Name") or options.get("name") or "fluent-bit"
        dest = options.get("log_group_name")
        where = f" to {name} {dest}" if dest else f" to {name}"
        return (
            f"container {container} logs through FireLens{where} - "
            "not in CloudWatch Logs via awslogs"
        )
    if driver == "splunk":
        url = options.get("splunk-url", "")
        return f"container {container} logs to Splunk {url}".rstrip() + " - not in CloudWatch Logs"
    if driver == "none":
        return f"container {container} has logging disabled (log driver none)"
    return f"container {container} uses log driver {driver} - not in CloudWatch Logs"


def resolve_targets(
    task: Task, taskdef: TaskDefinition | None, containers: Iterable[str] | None = None
) -> tuple[list[LogTarget], list[str]]:
    """Where each container of a task logs.

    Args:
        task: The task.
        taskdef: Its task definition (None when it could not be read).
        containers: Only these container names (all when None).

    Returns:
        The CloudWatch Logs targets, and one line for each container whose logs cannot be
        tailed here (other log driver, no log configuration, no stream prefix).
    """
    if taskdef is None:
        return [], [f"task definition {task.family_revision} unknown: cannot find its logs"]
    wanted = set(containers) if containers is not None else None
    targets: list[LogTarget] = []
    notes: list[str] = []
    for cdef in taskdef.containers:
        if wanted is not None and cdef.name not in wanted:
            continue
        log = cdef.log
        if log is None or not log.driver:
            notes.append(f"container {cdef.name} has no log configuration: logs not collected")
        elif log.driver != "awslogs":
            notes.append(_driver_note(cdef.name, log.driver, log.options))
        elif not log.group:
            notes.append(f"container {cdef.name}: awslogs without awslogs-group")
        elif not log.stream_prefix:
            notes.append(
                f"container {cdef.name}: awslogs group {log.group} has no stream prefix, "
                "so its stream name cannot be derived"
            )
        else:
            targets.append(
                LogTarget(
                    region=log.region or task.region,
                    group=log.group,
                    stream=f"{log.stream_prefix}/{cdef.name}/{task.id}",
                    container=cdef.name,
                    target=task.arn,
                )
            )
    return targets, notes


def _stream_missing(exc: ClientError) -> bool:
    err = exc.response.get("Error", {})
    return (
        err.get("Code") == "ResourceNotFoundException"
        and "stream" in (err.get("Message") or "").lower()
    )


def error_line(exc: BaseException, group: str, region: str) -> str:
    """One line for a CloudWatch Logs failure on ``group``."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        msg = exc.response.get("Error", {}).get("Message", "") or ""
        if code == "ResourceNotFoundException":
            if "stream" in msg.lower():
                return f"log stream in {group} not found (deleted, or nothing logged yet)"
            return f"log group {group} not found in {region}"
        if code in {"AccessDenied", "AccessDeniedException"}:
            return f"access denied: needs logs:FilterLogEvents on {group}"
    return f"{group}: {one_line(exc)}"


@dataclass
class _Cursor:
    ts: int
    """Last timestamp seen (ms)."""
    ids: set[str]
    """Event ids seen at exactly ``ts``."""


class CloudWatchTail:
    """Follow a set of CloudWatch Logs streams by polling FilterLogEvents.

    Args:
        aws: The AWS layer.
        targets: Streams to follow (several tasks of a service merge by time).
        since: Seconds of history to fetch on the first poll.
        max_pages: Pages per log group per poll before returning (``LogBatch.more`` is set).
        page_limit: Events per page (FilterLogEvents allows up to 10,000).
        max_lag: Seconds a quiet stream's cursor may trail the newest line of its group
            (events ingested later than that behind their group are not fetched).
        now: Clock, for tests.
    """

    def __init__(
        self,
        aws: Any,
        targets: Sequence[LogTarget],
        *,
        since: float = 900.0,
        max_pages: int = 10,
        page_limit: int | None = None,
        max_lag: float = 120.0,
        now: Any = time.time,
    ) -> None:
        self.aws = aws
        self.targets = list(targets)
        self.max_pages = max_pages
        self.page_limit = page_limit
        self.max_lag = max_lag
        self._complete: set[tuple[str, str]] = set()
        self._pending: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
        self._missing: dict[str, float] = {}
        self._now = now
        self._start_ms = max(0, int((now() - since) * 1000))
        self._cursors: dict[str, _Cursor] = {}
        self._by_stream = {(t.region, t.group, t.stream): t for t in self.targets}

    def state(self) -> dict[str, Any]:
        """JSON-able state to resume the tail later without repeats or gaps."""
        return {
            "start": self._start_ms,
            "streams": {k: {"ts": c.ts, "ids": sorted(c.ids)} for k, c in self._cursors.items()},
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Resume from :meth:`state` (unknown keys are ignored)."""
        self._start_ms = int(state.get("start", self._start_ms))
        for key, value in (state.get("streams") or {}).items():
            self._cursors[key] = _Cursor(int(value["ts"]), set(value.get("ids", ())))

    def _groups(self) -> dict[tuple[str, str], list[LogTarget]]:
        groups: dict[tuple[str, str], list[LogTarget]] = {}
        for target in self.targets:
            groups.setdefault((target.region, target.group), []).append(target)
        return groups

    def _accept(self, target: LogTarget, event: dict[str, Any]) -> bool:
        ts = int(event.get("timestamp", 0))
        event_id = str(event.get("eventId", ""))
        cursor = self._cursors.get(target.key)
        if cursor is None:
            self._cursors[target.key] = _Cursor(ts, {event_id})
            return True
        if ts < cursor.ts or (ts == cursor.ts and event_id in cursor.ids):
            return False
        if ts > cursor.ts:
            cursor.ts, cursor.ids = ts, {event_id}
        else:
            cursor.ids.add(event_id)
        return True

    async def poll(self) -> LogBatch:
        """Fetch the events that appeared since the last poll; never raises."""
        batch = LogBatch()
        now = self._now()
        for (region, group), targets in self._groups().items():
            present = [t for t in targets if t.key not in self._missing]
            # A stream that does not exist (yet) fails the whole call: retry those alone.
            retry = [t for t in targets if now - self._missing.get(t.key, now) >= MISSING_RETRY]
            missing: list[LogTarget] = []
            for i in range(0, len(present), MAX_STREAMS_PER_CALL):
                chunk = present[i : i + MAX_STREAMS_PER_CALL]
                if not await self._poll_chunk(region, group, chunk, batch):
                    retry += chunk if len(chunk) > 1 else []
                    missing += chunk if len(chunk) == 1 else []
            for target in retry:
                self._missing.pop(target.key, None)
                if not await self._poll_chunk(region, group, [target], batch):
                    missing.append(target)
            for target in missing:
                self._missing[target.key] = now
                batch.messages.append(
                    f"log stream {target.stream} not found in {group} "
                    "(deleted, or nothing logged yet)"
                )
        batch.lines.sort(key=lambda line: (line.timestamp, line.stream))
        return batch

    async def _poll_chunk(
        self, region: str, group: str, chunk: list[LogTarget], batch: LogBatch
    ) -> bool:
        """Poll some streams of one group; False when a stream of them does not exist."""
        try:
            batch.more = await self._poll_group(region, group, chunk, batch.lines) or batch.more
        except ClientError as exc:
            if _stream_missing(exc):
                return False
            batch.messages.append(error_line(exc, group, region))
        except (BotoCoreError, OSError, TimeoutError) as exc:
            batch.messages.append(error_line(exc, group, region))
        return True

    async def _poll_group(
        self, region: str, group: str, targets: list[LogTarget], out: list[LogLine]
    ) -> bool:
        client = await self.aws.client("logs", region)
        key = (region, group, tuple(t.stream for t in targets))
        params = self._pending.pop(key, None)
        if params is None:  # a new scan from the cursors (else: resume the interrupted one)
            params = {
                "logGroupName": group,
                "logStreamNames": [t.stream for t in targets],
                "startTime": self._start_for(region, group, targets),
            }
            if self.page_limit:
                params["limit"] = self.page_limit
        for _ in range(self.max_pages):
            response = await client.filter_log_events(**params)
            for event in response.get("events", ()):
                target = self._by_stream.get((region, group, event.get("logStreamName", "")))
                if target is None or not self._accept(target, event):
                    continue
                out.append(_to_line(target, event))
            token = response.get("nextToken")
            if not token:
                self._complete.add((region, group))
                return False
            params["nextToken"] = token
        # Page cap hit: the next poll resumes this scan from its token, so a run of more
        # same-millisecond events than fit in max_pages pages still makes progress.
        self._pending[key] = params
        self._complete.discard((region, group))
        return True

    def _start_for(self, region: str, group: str, targets: list[LogTarget]) -> int:
        """The query start: the oldest stream cursor, clamped for streams that went quiet.

        A stream that logged nothing for a while (a sidecar, a stopped task) would otherwise
        pull every poll back to its last line. After a complete scan, a stream's cursor counts
        as at most ``max_lag`` behind the newest line of its group.
        """
        starts = [c.ts if (c := self._cursors.get(t.key)) else self._start_ms for t in targets]
        if (region, group) in self._complete:
            newest = max(starts)
            floor = newest - int(self.max_lag * 1000)
            starts = [max(s, floor) for s in starts]
        return min(starts)

    async def follow(self, interval: float = 2.0) -> AsyncIterator[LogBatch]:
        """Poll forever, yielding each non-empty batch (catching up without waiting), and the
        first batch without a problem after one with (throttling ended: the view drops its
        notice even before a new line comes)."""
        import asyncio

        troubled = False
        while True:
            batch = await self.poll()
            if batch.lines or batch.messages or troubled:
                yield batch
            troubled = bool(batch.messages)
            if not batch.more:
                await asyncio.sleep(interval)


def _to_line(target: LogTarget, event: dict[str, Any]) -> LogLine:
    return LogLine(
        target=target.target,
        container=target.container,
        timestamp=int(event.get("timestamp", 0)) / 1000.0,
        message=str(event.get("message", "")),
        event_id=str(event.get("eventId", "")),
        stream=target.stream,
    )


async def fetch_around(
    aws: Any,
    target: LogTarget,
    at: float,
    before: float = 300.0,
    after: float = 60.0,
    *,
    max_events: int = 10_000,
) -> LogBatch:
    """The lines of one stream around a moment (for instance when its task stopped).

    Args:
        aws: The AWS layer.
        target: The stream.
        at: The moment, POSIX seconds.
        before: Seconds before ``at``.
        after: Seconds after ``at``.
        max_events: Stop after this many lines (``LogBatch.more`` is then set).

    Returns:
        The lines in ``[at - before, at + after]`` oldest first; never raises.
    """
    batch = LogBatch()
    params: dict[str, Any] = {
        "logGroupName": target.group,
        "logStreamNames": [target.stream],
        "startTime": max(0, int((at - before) * 1000)),
        "endTime": int((at + after) * 1000),
    }
    try:
        client = await aws.client("logs", target.region)
        while True:
            response = await client.filter_log_events(**params)
            batch.lines.extend(_to_line(target, e) for e in response.get("events", ()))
            token = response.get("nextToken")
            if len(batch.lines) >= max_events:
                batch.more = bool(token)
                break
            if not token:
                break
            params["nextToken"] = token
    except (ClientError, BotoCoreError, OSError, TimeoutError) as exc:
        batch.messages.append(error_line(exc, target.group, target.region))
    batch.lines.sort(key=lambda line: line.timestamp)
    return batch

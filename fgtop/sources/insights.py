"""CloudWatch Logs Insights: run one query over some log groups, poll it, stop it when left.

:func:`log_groups` finds the log groups a service's containers write to (the task
definitions' ``awslogs`` options, as the log tail does). :class:`InsightsQuery` starts the
query (``StartQuery``, one per region and 50 groups), polls ``GetQueryResults`` with backoff
until every part is ``Complete``, ``Failed``, ``Cancelled`` or ``Timeout`` or its own deadline
passes, and stops (``StopQuery``) any part still running when the deadline passes, when it is
cancelled (the user left the results) or when its iterator is closed. Failures are one line
each, never an exception.

Logs Insights bills the bytes each query scans: $0.005 per GB in most regions
(:data:`PRICE_PER_GB`); every progress report carries the bytes scanned so far and the cost.

IAM: ``logs:StartQuery``, ``logs:GetQueryResults``, ``logs:StopQuery`` on the log groups.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.model.ecs import TaskDefinition
from fgtop.model.logs import LogLine
from fgtop.sources.errors import one_line

PRICE_PER_GB = 0.005
"""USD per GB scanned (CloudWatch Logs Insights, us-east-1 and most regions)."""
BYTES_PER_GB = 1024**3
"""AWS bills data in GB of 2^30 bytes."""
MAX_GROUPS = 50
"""StartQuery accepts at most 50 log groups."""
MAX_LIMIT = 10_000
"""Rows a query may return at most."""
QUERY_TIMEOUT = 120.0
"""Seconds a query may run before fgtop stops it (Logs Insights' own limit is 60 minutes)."""
FINAL = frozenset({"Complete", "Failed", "Cancelled", "Timeout"})
"""Statuses after which a query has nothing more to give."""
STOP_TIMEOUT = 5.0
"""Seconds given to StopQuery when leaving."""


def query_cost(bytes_scanned: float) -> float:
    """USD Logs Insights bills for scanning ``bytes_scanned`` bytes."""
    return max(0.0, bytes_scanned) / BYTES_PER_GB * PRICE_PER_GB


def log_groups(
    taskdefs: Iterable[tuple[str, TaskDefinition | None]],
) -> tuple[list[tuple[str, str]], list[str]]:
    """The CloudWatch Logs groups the containers of some task definitions write to.

    Args:
        taskdefs: ``(region of the task or service, its task definition or None)`` pairs.

    Returns:
        ``(region, group)`` pairs in first-seen order, and one line for each container whose
        logs are not in CloudWatch Logs (another log driver, no log configuration).
    """
    groups: dict[tuple[str, str], None] = {}
    notes: dict[str, None] = {}
    for region, taskdef in taskdefs:
        if taskdef is None:
            notes["a task definition is unknown: its log groups are not included"] = None
            continue
        for cdef in taskdef.containers:
            log = cdef.log
            if log is None or not log.driver:
                notes[f"container {cdef.name} has no log configuration"] = None
            elif log.driver != "awslogs":
                notes[f"container {cdef.name} uses log driver {log.driver}: not queried"] = None
            elif not log.group:
                notes[f"container {cdef.name}: awslogs without awslogs-group"] = None
            else:
                groups[(log.region or region, log.group)] = None
    return list(groups), list(notes)


@dataclass(frozen=True)
class Progress:
    """Where a query stands: a report while it runs, the rows when it is done."""

    status: str = "Scheduled"
    """``Scheduled``, ``Running``, ``Complete``, ``Failed``, ``Cancelled`` or ``Timeout``
    (the worst of the query's parts)."""
    rows: tuple[dict[str, str], ...] = ()
    """The result rows (field -> value, ``@ptr`` dropped), set when done."""
    bytes_scanned: float = 0.0
    records_matched: float = 0.0
    records_scanned: float = 0.0
    messages: tuple[str, ...] = ()
    """One-line problems (access denied, a malformed query, the deadline)."""
    elapsed: float = 0.0
    """Seconds since the query was started."""
    done: bool = False

    @property
    def cost(self) -> float:
        """USD billed for the bytes scanned so far."""
        return query_cost(self.bytes_scanned)

    @property
    def ok(self) -> bool:
        """Done and complete, with nothing to say."""
        return self.done and self.status == "Complete" and not self.messages


def error_line(exc: BaseException, operation: str, where: str) -> str:
    """One line for a failed Logs Insights call."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code", "")
        msg = " ".join(str(err.get("Message") or "").split())[:300]
        if code in {"AccessDenied", "AccessDeniedException"}:
            return f"access denied: needs logs:{operation} on {where}"
        if code == "MalformedQueryException":
            return f"malformed query: {msg or 'Logs Insights cannot parse it'}"
        if code == "ResourceNotFoundException":
            return f"{where}: {msg or 'log group not found'}"
        if code == "LimitExceededException":
            return "too many Logs Insights queries running in the account: try again shortly"
        if code == "InvalidParameterException":
            return f"invalid query: {msg}" if msg else "invalid query"
    return f"{operation} ({where}): {one_line(exc)}"


_STATUS_RANK = {
    "Failed": 0,
    "Timeout": 1,
    "Cancelled": 2,
    "Unknown": 3,
    "Scheduled": 4,
    "Running": 5,
    "Complete": 6,
}


@dataclass
class _Part:
    region: str
    groups: list[str]
    query_id: str | None = None
    status: str = "Scheduled"
    rows: list[dict[str, str]] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def where(self) -> str:
        shown = ", ".join(self.groups[:3]) + (
            f" (+{len(self.groups) - 3})" if len(self.groups) > 3 else ""
        )
        return f"{shown} in {self.region}"


class InsightsQuery:
    """One Logs Insights query over log groups, in one or several regions.

    Args:
        aws: The AWS layer (its guard allows StartQuery, GetQueryResults and StopQuery).
        groups: ``(region, log group)`` pairs.
        query: The query string, in the Logs Insights language.
        start: Start of the time range (POSIX seconds).
        end: End of the time range (POSIX seconds).
        limit: Rows at most per region (None: the query's own ``limit``, else 1,000).
        timeout: Seconds before fgtop stops the query and reports ``Timeout``.
        poll: Seconds before the first GetQueryResults; the wait doubles up to ``max_poll``.
        max_poll: Longest wait between two polls.
        clock: Monotonic clock, for tests.
    """

    def __init__(
        self,
        aws: Any,
        groups: Sequence[tuple[str, str]],
        query: str,
        start: float,
        end: float,
        *,
        limit: int | None = None,
        timeout: float = QUERY_TIMEOUT,
        poll: float = 0.25,
        max_poll: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.aws = aws
        self.query = query
        self.start = int(start)
        self.end = max(int(end), self.start + 1)
        self.limit = min(limit, MAX_LIMIT) if limit else None
        self.timeout = timeout
        self.poll = poll
        self.max_poll = max_poll
        self._clock = clock
        by_region: dict[str, list[str]] = {}
        for region, group in dict.fromkeys(groups):
            by_region.setdefault(region, []).append(group)
        self.parts = [
            _Part(region, names[i : i + MAX_GROUPS])
            for region, names in by_region.items()
            for i in range(0, len(names), MAX_GROUPS)
        ]
        self.messages: list[str] = []
        self.stopped: list[str] = []
        """Query ids fgtop stopped (leaving, cancelled, or the deadline)."""

    # -- calls ---------------------------------------------------------------------------

    async def _call(self, region: str, method: str, **params: Any) -> dict[str, Any]:
        client = await self.aws.client("logs", region)
        timeout = getattr(self.aws, "call_timeout", 10.0)
        return await asyncio.wait_for(getattr(client, method)(**params), timeout)

    async def _start_part(self, part: _Part) -> None:
        params: dict[str, Any] = {
            "logGroupNames": part.groups,
            "startTime": self.start,
            "endTime": self.end,
            "queryString": self.query,
        }
        if self.limit:
            params["limit"] = self.limit
        try:
            resp = await self._call(part.region, "start_query", **params)
            part.query_id = str(resp.get("queryId") or "")
            part.status = "Running" if part.query_id else "Failed"
        except (ClientError, BotoCoreError, OSError, TimeoutError) as exc:
            part.status = "Failed"
            self.messages.append(error_line(exc, "StartQuery", part.where))

    async def _poll_part(self, part: _Part) -> None:
        try:
            resp = await self._call(part.region, "get_query_results", queryId=part.query_id)
        except (ClientError, BotoCoreError, OSError, TimeoutError) as exc:
            part.status = "Failed"
            self.messages.append(error_line(exc, "GetQueryResults", part.where))
            return
        status = str(resp.get("status") or "Unknown")
        part.status = status if status in _STATUS_RANK else "Unknown"
        stats = resp.get("statistics") or {}
        part.stats = {
            k: float(stats.get(k) or 0)
            for k in ("bytesScanned", "recordsMatched", "recordsScanned")
        }
        if part.status in FINAL:
            part.rows = [_row(r) for r in resp.get("results") or () if isinstance(r, list)]
            if part.status != "Complete":
                self.messages.append(_status_line(part))

    async def _stop_part(self, part: _Part) -> None:
        if not part.query_id or part.status in FINAL:
            return
        self.stopped.append(part.query_id)
        # It may have finished meanwhile; Logs Insights ends it at 60 minutes anyway.
        with contextlib.suppress(ClientError, BotoCoreError, OSError, TimeoutError):
            await self._call(part.region, "stop_query", queryId=part.query_id)
        part.status = "Cancelled"

    async def stop(self) -> None:
        """Stop every part still running (StopQuery); never raises."""
        running = [p for p in self.parts if p.query_id and p.status not in FINAL]
        if not running:
            return
        # Tasks and asyncio.wait, not wait_for(gather(...)): cancelled by the quit's shutdown,
        # Python 3.11's gather leaves "exception was never retrieved" on stderr after the
        # screen is gone; a cancelled task leaves nothing.
        tasks = [asyncio.ensure_future(self._stop_part(p)) for p in running]
        try:
            done, _ = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
        finally:
            for task in tasks:
                task.cancel()
        for task in done:
            if not task.cancelled():
                task.exception()  # retrieved: _stop_part's errors are not the quit's concern

    # -- the run -------------------------------------------------------------------------

    def _progress(self, started: float, done: bool) -> Progress:
        status = min((p.status for p in self.parts), key=_STATUS_RANK.__getitem__, default="Failed")
        rows: list[dict[str, str]] = []
        if done:
            for part in self.parts:
                rows += part.rows
        return Progress(
            status=status,
            rows=tuple(rows),
            bytes_scanned=sum(p.stats.get("bytesScanned", 0.0) for p in self.parts),
            records_matched=sum(p.stats.get("recordsMatched", 0.0) for p in self.parts),
            records_scanned=sum(p.stats.get("recordsScanned", 0.0) for p in self.parts),
            messages=tuple(dict.fromkeys(self.messages)),
            elapsed=max(0.0, self._clock() - started),
            done=done,
        )

    async def progress(self) -> AsyncIterator[Progress]:
        """Reports while the query runs (after each poll), then the result (``done``).

        Leaving early (cancelling the task, closing the iterator) stops the query.
        """
        started = self._clock()
        if not self.parts:
            self.messages.append("no log groups to query")
            yield self._progress(started, done=True)
            return
        try:
            await asyncio.gather(*(self._start_part(p) for p in self.parts))
            delay = self.poll
            while any(p.status not in FINAL for p in self.parts):
                yield self._progress(started, done=False)
                remaining = self.timeout - (self._clock() - started)
                if remaining <= 0:
                    late = [p for p in self.parts if p.status not in FINAL]
                    await self.stop()
                    for part in late:
                        part.status = "Timeout"
                    self.messages.append(
                        f"the query did not finish within {_seconds(self.timeout)}: stopped "
                        "(narrow the time range, or add a filter)"
                    )
                    break
                await asyncio.sleep(min(delay, remaining))
                delay = min(delay * 2, self.max_poll)
                await asyncio.gather(
                    *(self._poll_part(p) for p in self.parts if p.status not in FINAL)
                )
            result = self._progress(started, done=True)
        finally:
            await self.stop()  # cancelled, closed, or an unexpected error: stop what runs
        yield result


def _seconds(value: float) -> str:
    return f"{value / 60:g}m" if value >= 60 and value % 60 == 0 else f"{value:g}s"


def _status_line(part: _Part) -> str:
    if part.status == "Failed":
        return f"the query failed in Logs Insights ({part.where})"
    if part.status == "Timeout":
        return f"the query timed out in Logs Insights ({part.where})"
    if part.status == "Cancelled":
        return f"the query was cancelled ({part.where})"
    return f"the query ended {part.status} ({part.where})"


def _row(fields: list[Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for item in fields:
        if isinstance(item, dict) and "field" in item:
            name = str(item["field"])
            if name != "@ptr":
                row[name] = str(item.get("value", ""))
    return row


# -- rows as log lines ------------------------------------------------------------------------


def parse_time(value: str) -> float | None:
    """An Insights time (``2026-12-02 00:55:23.123``, UTC; or epoch milliseconds) as POSIX
    seconds, or None when it is not one."""
    value = value.strip()
    if value.isdigit():
        number = int(value)
        return number / 1000.0 if number > 10**11 else float(number)
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()
    return None


def row_text(row: dict[str, str]) -> str:
    """A row as one line: its ``@message``, else ``field=value`` pairs in the query's order."""
    if "@message" in row:
        return row["@message"]
    return "  ".join(f"{k}={v}" for k, v in row.items() if not k.startswith("@"))


def row_line(row: dict[str, str], tasks: dict[str, str], default_time: float) -> LogLine:
    """A result row as a log line for the log view.

    Args:
        row: Field -> value.
        tasks: Task id -> task ARN, to name the task of a row's ``@logStream``
            (``prefix/container/task-id``).
        default_time: The time of a row without a time field (a ``stats`` row).
    """
    stream = row.get("@logStream", "")
    parts = stream.split("/")
    container = parts[-2] if len(parts) >= 3 else ""
    task_id = parts[-1] if parts else ""
    target = tasks.get(task_id) or stream or row.get("@log", "")
    when = parse_time(row["@timestamp"]) if "@timestamp" in row else None
    if when is None:
        when = next(
            (t for v in row.values() if (t := parse_time(v)) is not None and t > 10**9), None
        )
    return LogLine(
        target=target,
        container=container,
        timestamp=default_time if when is None else when,
        message=row_text(row),
        stream=stream,
    )

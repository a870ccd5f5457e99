"""Live Logs Insights queries for the UI, through the engine's own AWS session."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

from fgtop.engine.core import Engine
from fgtop.feed import InsightsBatch, InsightsPlan, InsightsRequest
from fgtop.model import LogLine, TaskDefinition
from fgtop.sources.errors import one_line
from fgtop.sources.insights import QUERY_TIMEOUT, InsightsQuery, Progress, log_groups, row_line

if TYPE_CHECKING:
    from fgtop.sources.aws import Aws


def plan_request(request: InsightsRequest) -> InsightsPlan:
    """The log groups of the request's tasks and services (their task definitions' awslogs
    groups: a service's current one and those of its deployments)."""
    snapshot = request.snapshot
    wanted: dict[tuple[str, str], None] = {}
    for service in request.services:
        arns = [service.task_definition, *(d.task_definition for d in service.deployments)]
        for arn in arns:
            if arn:
                wanted[(service.region, arn)] = None
    for task in request.tasks:
        wanted[(task.region, task.task_definition)] = None
    taskdefs: list[tuple[str, TaskDefinition | None]] = [
        (region, snapshot.task_definition(arn)) for region, arn in wanted
    ]
    groups, notes = log_groups(taskdefs)
    if not wanted:
        notes.append("no task or service selected")
    elif not groups and not notes:
        notes.append("no container logs to CloudWatch Logs (awslogs)")
    return InsightsPlan(tuple(groups), tuple(notes))


def to_batch(progress: Progress, request: InsightsRequest) -> InsightsBatch:
    """A query's progress as the UI's batch (rows as log lines when done)."""
    lines: tuple[LogLine, ...] = ()
    table = False
    if progress.done:
        ids = {t.id: t.arn for t in request.snapshot.tasks}
        rows = progress.rows
        table = bool(rows) and not any("@message" in r for r in rows)
        made = [row_line(r, ids, request.end) for r in rows]
        if not table:  # log lines: oldest first, as in the log view
            made.sort(key=lambda line: line.timestamp)
        lines = tuple(made)
    return InsightsBatch(
        lines=lines,
        status=progress.status,
        message="; ".join(progress.messages) or None,
        bytes_scanned=progress.bytes_scanned,
        records_matched=progress.records_matched,
        records_scanned=progress.records_scanned,
        cost=progress.cost,
        elapsed=progress.elapsed,
        done=progress.done,
        table=table,
    )


class LiveInsightsFeed:
    """Runs Logs Insights queries for the UI; a query left running is stopped.

    Args:
        engine: The live engine (its AWS session is reused).
        timeout: Seconds a query may run before it is stopped.
    """

    def __init__(self, engine: Engine, *, timeout: float = QUERY_TIMEOUT) -> None:
        self.engine = engine
        self.timeout = timeout
        self._running: set[InsightsQuery] = set()

    def _aws(self, request: InsightsRequest | None = None) -> Aws | None:
        accounts = [
            *(s.account for s in (request.services if request else ())),
            *(t.account for t in (request.tasks if request else ())),
        ]
        return self.engine.aws_of(accounts[0] if accounts else None)

    @property
    def available(self) -> bool:
        """Whether there is an AWS session to query with."""
        return self._aws() is not None

    @property
    def why(self) -> str:
        """Why queries cannot run (when not available)."""
        return "" if self.available else "Logs Insights needs an AWS session (no ECS source)"

    def plan(self, request: InsightsRequest) -> InsightsPlan:
        """The log groups the request would query."""
        return plan_request(request)

    async def run(self, request: InsightsRequest) -> AsyncGenerator[InsightsBatch, None]:
        """Progress, then the result; cancelled or closed early, the query is stopped."""
        aws = self._aws(request)
        plan = plan_request(request)
        if aws is None or not plan.groups:
            why = self.why if aws is None else "; ".join(plan.notes) or "no log groups"
            yield InsightsBatch(status="Failed", message=why, done=True)
            return
        query = InsightsQuery(
            aws, plan.groups, request.query, request.start, request.end, timeout=self.timeout
        )
        self._running.add(query)
        try:
            async for progress in query.progress():
                yield to_batch(progress, request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line in the view, never a crash
            yield InsightsBatch(status="Failed", message=one_line(exc), done=True)
        finally:
            self._running.discard(query)

    @property
    def running(self) -> bool:
        """Whether a query is still running (and would be stopped by :meth:`close`)."""
        return bool(self._running)

    async def close(self) -> None:
        """Stop every query still running (the app is quitting)."""
        running, self._running = list(self._running), set()
        with contextlib.suppress(Exception):
            await asyncio.gather(*(q.stop() for q in running), return_exceptions=True)

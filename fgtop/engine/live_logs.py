"""Live log lines for the log view: CloudWatch Logs for ECS tasks, the Kubernetes log API for pods."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any

from fgtop.engine.core import Engine
from fgtop.feed import LogBatch, LogRequest
from fgtop.model import LogLine, Pod
from fgtop.sources.errors import one_line
from fgtop.sources.logs import CloudWatchTail, LogTarget, fetch_around, resolve_targets

if TYPE_CHECKING:
    pass

AROUND_BEFORE = 300.0
"""Seconds of lines shown before a moment (a task's stop) when jumping to it."""
AROUND_AFTER = 60.0
"""Seconds of lines shown after it."""
POD_PREVIOUS_TAIL = 2000
POD_TAIL = 500


class LiveLogFeed:
    """Tails what a log view asks for, through the engine's own clients.

    Args:
        engine: The live engine (its AWS session and Kubernetes sources are reused).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _kube(self, cluster: str) -> Any:
        return next((s for s in self.engine.sources if s.name == f"kube:{cluster}"), None)

    async def lines(self, request: LogRequest) -> AsyncGenerator[LogBatch, None]:
        """Batches of lines until cancelled; a failure is one line in the view, never a crash."""
        try:
            if request.pod is not None:
                async for batch in self._pod(request, request.pod):
                    yield batch
            else:
                async for batch in self._ecs(request):
                    yield batch
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line in the view, never a crash
            yield LogBatch(message=one_line(exc), done=True)

    async def _ecs(self, request: LogRequest) -> AsyncIterator[LogBatch]:
        snapshot = request.snapshot
        containers = [request.container] if request.container else None
        targets: list[LogTarget] = []
        notes: list[str] = []
        for task in request.tasks:
            found, why = resolve_targets(
                task, snapshot.task_definition(task.task_definition), containers
            )
            targets += found
            notes += why
        notes = list(dict.fromkeys(notes))
        aws = self.engine.aws_of(request.tasks[0].account if request.tasks else None)
        if aws is None:
            yield LogBatch(message="no AWS session for logs", done=True)
            return
        yield LogBatch(message="; ".join(notes))
        if not targets:
            yield LogBatch(done=True)
            return
        if request.at is not None:
            lines: list[LogLine] = []
            for target in targets:
                batch = await fetch_around(aws, target, request.at, AROUND_BEFORE, AROUND_AFTER)
                lines += batch.lines
                notes += batch.messages
            lines.sort(key=lambda ln: ln.timestamp)
            yield LogBatch(
                tuple(lines),
                message="; ".join(dict.fromkeys(notes)),
                jump_to=request.at,
                done=True,
            )
            return
        tail = CloudWatchTail(aws, targets)
        troubled = False
        async for batch in tail.follow():
            message: str | None = None
            if batch.messages:
                message = "; ".join(dict.fromkeys(notes + batch.messages))
            elif troubled:  # the problem (throttling, a denial) is over: only the notes stay
                message = "; ".join(notes)
            troubled = bool(batch.messages)
            if batch.lines or message is not None:
                yield LogBatch(tuple(batch.lines), message=message)

    async def _pod(self, request: LogRequest, pod: Pod) -> AsyncIterator[LogBatch]:
        source = self._kube(pod.cluster)
        if source is None:
            yield LogBatch(message=f"no Kubernetes connection for cluster {pod.cluster}", done=True)
            return
        container = request.container or (pod.containers[0].name if pod.containers else None)
        crashed = any(
            c.last_state is not None and c.last_state.state == "terminated" for c in pod.containers
        )
        if crashed:
            with contextlib.suppress(Exception):
                previous = await source.logs(
                    pod.namespace, pod.name, container, previous=True, tail_lines=POD_PREVIOUS_TAIL
                )
                yield LogBatch(
                    tuple(previous),
                    message="lines of the previous (crashed) container first, then the current one",
                )
        async for line in source.follow(pod.namespace, pod.name, container, tail_lines=POD_TAIL):
            yield LogBatch((line,))

"""The engine: runs sources concurrently on their own intervals and merges their parts.

A *part* (:class:`fgtop.sources.base.Part`) holds some :class:`~fgtop.model.Snapshot` fields.
Tuple fields from several sources are concatenated; other fields are taken from the last source
that set them. A source that fails keeps its last good part, marked stale with a one-line
reason; a part that cannot be merged (an unknown field, a value of the wrong shape) fails its
own source and never the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from fgtop.model import Hints, Snapshot, SourceHealth
from fgtop.sources.base import (
    PART_FIELDS,
    TUPLE_FIELDS,
    Emit,
    Part,
    PollingSource,
    Source,
    SourceContext,
    StreamingSource,
)
from fgtop.sources.errors import one_line

if TYPE_CHECKING:
    from fgtop.sources.aws import Aws

log = logging.getLogger(__name__)

STREAM_ONCE_TIMEOUT = 15.0
"""Seconds ``poll_once`` waits for a streaming source's first full list."""
STREAM_SETTLED = frozenset({"watching", "backoff", "error"})
"""States in which a streaming source has listed (or failed to)."""
FIRST_GATHER = 0.1
"""Seconds the first publication waits for parts arriving with the first one."""
PUBLISH_WINDOW = 0.5
"""Seconds later publications wait after a change: parts arriving within it are merged."""
OPTIONAL_WAIT = 2.0
"""Seconds a one-off poll waits for an optional source from the moment it starts (metrics start
once the task list is in), unless the essential ones take longer: ``optional_wait`` in the
config file, ``--optional-wait``."""
MIN_INTERVAL = 1.0
"""Least seconds between two publications after the first: three sources polling mean one
re-render a second at most, not three."""

__all__ = ["Emit", "Engine", "Hints", "Part", "Source", "SourceContext"]


Subscriber = Callable[[Snapshot], Awaitable[None] | None]


class Engine:
    """Runs sources and hands a merged :class:`Snapshot` to every subscriber.

    Args:
        sources: The data sources (each a PollingSource or a StreamingSource).
        meta: Fixed snapshot fields (``account``, ``profile``, ``regions``).
        clock: Returns POSIX seconds; tests pass a fake clock.
    """

    def __init__(
        self,
        sources: Iterable[Source],
        *,
        meta: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sources = list(sources)
        for s in self.sources:
            if not isinstance(s, PollingSource | StreamingSource):
                raise TypeError(f"{s.name}: a source is a PollingSource or a StreamingSource")
        self.meta = dict(meta or {})
        self.clock = clock
        self.hints = Hints()
        self.paused = False
        self.snapshot = Snapshot(taken_at=clock(), **self.meta)
        self._parts: dict[str, Part] = {}
        self._health: dict[str, SourceHealth] = {
            s.name: SourceHealth(
                name=s.name, ok=True, stale=True, essential=s.essential, account=s.account
            )
            for s in self.sources
        }
        self._subscribers: list[Subscriber] = []
        self._contexts = {s.name: self._context(s) for s in self.sources}
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: dict[str, asyncio.Event] = {}
        self._dirty = asyncio.Event() if _has_loop() else None
        self._closed = False
        self.closers: list[Callable[[], Awaitable[None]]] = []
        """Called last by :meth:`stop` (e.g. closing the AWS clients the sources share)."""

    def _context(self, source: Source) -> SourceContext:
        def report(error: str | None, stale: bool) -> None:
            self.report(source, error, stale=stale)

        def partial(part: Part, loaded: int, expected: int) -> None:
            self._accept_partial(source, part, loaded, expected)

        return SourceContext(lambda: self.snapshot, self.hints, self.clock, report, partial)

    @property
    def aws(self) -> Aws | None:
        """The AWS session the sources call through (the first source's that has one)."""
        return next((s.aws for s in self.sources if s.aws is not None), None)

    @property
    def complete(self) -> bool:
        """Every source has answered at least once (the first poll is over)."""
        return all(h.answered for h in self._health.values())

    def aws_of(self, account: str | None = None) -> Aws | None:
        """The AWS session the sources read ``account`` with (several accounts watched); with
        no account, or none matching, :attr:`aws`."""
        if account is not None:
            for source in self.sources:
                if source.aws is not None and source.aws.account == account:
                    return source.aws
        return self.aws

    def subscribe(self, callback: Subscriber) -> None:
        """Call ``callback`` with every new snapshot."""
        self._subscribers.append(callback)

    # -- running -------------------------------------------------------------------------

    async def poll_once(
        self, phase: int | None = None, *, optional_wait: float | None = None
    ) -> Snapshot:
        """Poll every polling source once, concurrently by phase, and return the merged snapshot.

        Args:
            phase: Poll only the sources of this phase (e.g. 0: the task list, not metrics).
            optional_wait: Seconds to wait for each optional source from its own start (None:
                wait for every source). They never hold the essential ones: a later phase
                starts once the essential sources before it have merged, and once the essential
                sources have answered, an optional source that has not answered within its
                deadline is cancelled and marked ``late``.
        """
        loop = asyncio.get_running_loop()
        polling = [
            s
            for s in self.sources
            if isinstance(s, PollingSource) and (phase is None or s.phase == phase)
        ]
        streams = [s for s in self.sources if isinstance(s, StreamingSource) and phase in (None, 0)]
        optional: dict[asyncio.Task[None], tuple[PollingSource, float]] = {}
        for current in sorted({s.phase for s in polling} | ({0} if streams else set())):
            essential = []
            for s in polling:
                if s.phase != current:
                    continue
                if optional_wait is not None and not s.essential:
                    task = asyncio.create_task(self._poll(s), name=s.name)
                    optional[task] = (s, loop.time())
                else:
                    essential.append(self._poll(s))
            await asyncio.gather(
                *essential, *(self._stream_once(s) for s in streams if current == 0)
            )
            self._merge()
        if optional and optional_wait is not None:
            await self._wait_optional(optional, optional_wait)
        self._merge()
        return self.snapshot

    async def _wait_optional(
        self, tasks: dict[asyncio.Task[None], tuple[PollingSource, float]], wait: float
    ) -> None:
        """Wait for the optional sources' polls, each ``wait`` seconds from its start; the late
        ones are cancelled (not awaited for long) and marked ``late``."""
        loop = asyncio.get_running_loop()
        until = max(start + wait for _, start in tasks.values())
        pending = {t for t in tasks if not t.done()}
        if pending:
            _, pending = await asyncio.wait(pending, timeout=max(0.0, until - loop.time()))
        for task in pending:
            task.cancel()
            source, start = tasks[task]
            waited = loop.time() - start
            self._health[source.name] = dataclasses.replace(
                self._health[source.name],
                ok=False,
                stale=True,
                late=True,
                error=f"no answer within {waited:.1f}s (optional: not waited for)",
                api_calls=source.api_calls(),
            )
        if pending:
            await asyncio.wait(pending, timeout=0.1)  # cancelled: nobody reads what it had

    async def _stream_once(
        self, source: StreamingSource, timeout: float = STREAM_ONCE_TIMEOUT
    ) -> None:
        """Run a streaming source until its first full list is emitted (or it fails), then stop."""
        emitted = 0

        def emit(part: Part) -> None:
            nonlocal emitted
            emitted += 1
            self._accept(source, part)

        task = asyncio.create_task(source.stream(self._contexts[source.name], emit))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen: int | None = None
        try:
            while not task.done() and loop.time() < deadline:
                if seen is None and source.state() in STREAM_SETTLED:
                    seen = emitted
                    deadline = min(deadline, loop.time() + 1.0)
                elif seen is not None and emitted > seen:
                    break  # the part holding the full list has arrived
                await asyncio.sleep(0.02)
            else:
                if not task.done() and seen is None:
                    self._fail(source, TimeoutError(f"no full list within {timeout:g}s"))
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        error = task.exception() if task.done() and not task.cancelled() else None
        if error is not None:
            self._fail(source, error)

    async def start(self) -> None:
        """Start every source's loop in the background."""
        self._dirty = asyncio.Event()
        for source in self.sources:
            if isinstance(source, StreamingSource):
                self._tasks.append(asyncio.create_task(self._run_stream(source), name=source.name))
            elif isinstance(source, PollingSource):
                self._wake[source.name] = asyncio.Event()
                self._tasks.append(asyncio.create_task(self._run_poll(source), name=source.name))
        self._tasks.append(asyncio.create_task(self._publisher(), name="publisher"))

    def refresh_now(self) -> None:
        """Wake every polling source now (the ``r`` key)."""
        for event in self._wake.values():
            event.set()

    async def stop(self) -> None:
        """Cancel the loops and close every source (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for source in self.sources:
            with contextlib.suppress(Exception):
                await source.close()
        for closer in self.closers:
            with contextlib.suppress(Exception):
                await closer()

    async def _run_poll(self, source: PollingSource) -> None:
        wake = self._wake[source.name]
        while True:
            if not self.paused:
                await self._poll(source)
                self._mark_dirty()
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=max(0.05, source.interval))

    async def _run_stream(self, source: StreamingSource) -> None:
        def emit(part: Part) -> None:
            self._accept(source, part)
            self._mark_dirty()

        try:
            await source.stream(self._contexts[source.name], emit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - isolate every source failure
            self._fail(source, exc)
            self._mark_dirty()

    async def _poll(self, source: PollingSource) -> None:
        try:
            part = await source.poll(self._contexts[source.name])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("source %s failed", source.name, exc_info=True)
            self._fail(source, exc)
        else:
            self._accept(source, part)

    def _accept(self, source: Source, part: Part) -> None:
        self._parts[source.name] = part
        degraded = source.degraded()
        self._health[source.name] = SourceHealth(
            name=source.name,
            essential=source.essential,
            ok=degraded is None,
            stale=degraded is not None,
            error=degraded,
            api_calls=source.api_calls(),
            last_success=self.clock(),
            state=source.state(),
            account=source.account,
        )

    def _accept_partial(self, source: Source, part: Part, loaded: int, expected: int) -> None:
        """What a first poll has found so far: shown (``loading``) until the full part lands.

        Only before the source has answered: a later poll's rows never replace the full ones.
        """
        old = self._health[source.name]
        if old.answered:
            return
        self._parts[source.name] = part
        self._health[source.name] = dataclasses.replace(
            old, loaded=loaded, expected=expected, api_calls=source.api_calls()
        )
        self._mark_dirty()

    def report(self, source: Source, error: str | None, *, stale: bool = True) -> None:
        """Let a streaming source report a failure (or recovery) without a new part."""
        old = self._health[source.name]
        self._health[source.name] = dataclasses.replace(
            old,
            ok=error is None,
            stale=stale if error else old.stale,
            error=error,
            api_calls=source.api_calls(),
            state=source.state(),
        )
        self._mark_dirty()

    def _fail(self, source: Source, exc: BaseException | str) -> None:
        old = self._health[source.name]
        self._health[source.name] = dataclasses.replace(
            old,
            ok=False,
            stale=True,
            error=exc if isinstance(exc, str) else one_line(exc),
            api_calls=source.api_calls(),
            state=source.state(),
        )

    def _mark_dirty(self) -> None:
        if self._dirty is not None:
            self._dirty.set()

    async def _publisher(self) -> None:
        """Merge part updates into one snapshot per refresh window.

        The first snapshot goes out :data:`FIRST_GATHER` after the first part (the first rows
        show at once); after that a change waits :data:`PUBLISH_WINDOW` for the parts that come
        with it, and publications are at least :data:`MIN_INTERVAL` apart.
        """
        assert self._dirty is not None
        loop = asyncio.get_running_loop()
        last: float | None = None
        while True:
            await self._dirty.wait()
            if last is None:
                await asyncio.sleep(FIRST_GATHER)
            else:
                await asyncio.sleep(max(PUBLISH_WINDOW, last + MIN_INTERVAL - loop.time()))
            self._dirty.clear()
            last = loop.time()
            try:
                snapshot = self._merge()
            except Exception:  # noqa: BLE001 - a bug here must not freeze every viewer
                log.exception("merge failed")
                continue
            await self.publish(snapshot)

    async def publish(self, snapshot: Snapshot) -> None:
        """Hand ``snapshot`` to every subscriber."""
        for callback in list(self._subscribers):
            try:
                result = callback(snapshot)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("subscriber failed")

    def _merge(self) -> Snapshot:
        fields: dict[str, Any] = {}
        for source in self.sources:
            part = self._parts.get(source.name)
            if not part:
                continue
            try:
                merged = _merge_part(fields, part)
            except (TypeError, ValueError) as exc:
                # One source's bad part fails that source; the others keep publishing.
                del self._parts[source.name]
                self._fail(source, f"bad data from the source: {exc}")
                log.warning("source %s: %s", source.name, exc)
                continue
            fields = merged
        health = []
        for s in self.sources:
            h = self._health[s.name]
            health.append(
                dataclasses.replace(
                    h, api_calls=s.api_calls(), state=s.state() or h.state, account=s.account
                )
            )
        notes = tuple(n for n in (s.note() for s in self.sources) if n)
        self.snapshot = Snapshot(
            taken_at=self.clock(), sources=tuple(health), notes=notes, **{**self.meta, **fields}
        )
        return self.snapshot


def _merge_part(fields: dict[str, Any], part: Part) -> dict[str, Any]:
    """``fields`` with ``part`` merged in (a new dict).

    Raises:
        ValueError: For a key that is no part field.
        TypeError: For a tuple field whose value is not a list or tuple.
    """
    if not isinstance(part, dict):
        raise TypeError(f"a part must be a dict, got {type(part).__name__}")
    unknown = sorted(set(part) - PART_FIELDS)
    if unknown:
        raise ValueError(f"unexpected field {unknown[0]!r}")
    out = dict(fields)
    for key, value in part.items():
        if key in TUPLE_FIELDS:
            if not isinstance(value, list | tuple):
                raise TypeError(f"{key} must be a list, got {type(value).__name__}")
            out[key] = out.get(key, ()) + tuple(value)
        else:
            out[key] = value
    return out


def _has_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True

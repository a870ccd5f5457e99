"""The live feed: the engine's snapshots, derived once, as frames for the UI.

The engine runs on a :class:`~fgtop.engine.poller.Poller` (its own thread and event loop):
polling, botocore's parsing, the merge and derivation never run on the UI's loop, which
receives finished frames. Log tails and Logs Insights queries run there too, their batches
handed over the same way.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import AsyncGenerator
from pathlib import Path

from fgtop.derive.pipeline import Derived, Deriver, DerivingPublisher
from fgtop.engine.core import Engine
from fgtop.engine.live_insights import LiveInsightsFeed
from fgtop.engine.live_logs import LiveLogFeed
from fgtop.engine.poller import Poller
from fgtop.errors import FeedError
from fgtop.feed import (
    Clock,
    Frame,
    FrameCallback,
    InsightsBatch,
    InsightsPlan,
    InsightsRequest,
    LogBatch,
    LogRequest,
)
from fgtop.model import Snapshot
from fgtop.recording.format import RecordingError
from fgtop.recording.writer import Recorder

STOP_QUERIES_DEADLINE = 1.0
"""Seconds the background shutdown gives a running Logs Insights query's StopQuery (it is
billed by the data it scans) before the clients close."""
CLOSE_DEADLINE = 3.0
"""Seconds the background shutdown may take in all after ``q`` (stopping a running query,
closing the sources and their clients); the UI does not wait for it."""


class LiveFeed:
    """A :class:`fgtop.feed.Feed` over the live engine, which runs on its own thread.

    Args:
        engine: The engine (not started yet; :meth:`start` starts it). Its sources' clients
            must not have been used on another loop: they live on the poller's.
        deriver: The derivation step (insights, alerts, timeline).
        record_dir: Where ``R`` writes a recording of the session.
        poller: The thread the engine runs on (the CLI builds the engine on it first); a new
            one when not given.
    """

    label = "LIVE"
    seekable = False

    def __init__(
        self,
        engine: Engine,
        deriver: Deriver,
        *,
        record_dir: Path | None = None,
        poller: Poller | None = None,
    ) -> None:
        self.engine = engine
        self.poller = poller or Poller()
        self.hints = engine.hints
        self.logs = _PolledLogs(LiveLogFeed(engine), self.poller)
        self.insights = _PolledInsights(LiveInsightsFeed(engine), self.poller)
        self.warnings: tuple[str, ...] = tuple(deriver.table.warnings) if deriver.table else ()
        self.record_dir = record_dir
        self.recorder: Recorder | None = None
        self._recording = threading.Lock()
        """Held while the recorder writes (the poller's thread) or opens and closes (the UI's)."""
        self._paused = False
        self._closed = False
        self._stopping_queries = False
        """Whether a Logs Insights query was running at :meth:`stop` (``finish`` waits)."""
        self._subscribers: list[FrameCallback] = []
        self._publisher = DerivingPublisher(deriver, self._deliver)
        self._latest: Snapshot | None = None
        self._notices: list[str] = []
        self._ui_loop: asyncio.AbstractEventLoop | None = None
        self.closing: concurrent.futures.Future[None] | None = None
        """The background shutdown's future, once :meth:`stop` has been called."""
        engine.subscribe(self._on_snapshot)

    # -- frames --------------------------------------------------------------------------

    def subscribe(self, callback: FrameCallback) -> None:
        """Call ``callback`` with every frame, on the loop that subscribes it (the UI's)."""
        with contextlib.suppress(RuntimeError):
            self._ui_loop = asyncio.get_running_loop()
        self._subscribers.append(callback)

    async def start(self) -> None:
        """Start the engine's loops and derivation on the poller's thread."""
        self._ui_loop = asyncio.get_running_loop()
        await self.poller.call(self._start())

    async def _start(self) -> None:
        self._publisher.start()
        await self.engine.start()

    async def stop(self) -> None:
        """Stop at once: no frame is delivered and no derivation starts after this; the engine
        (a Logs Insights query still running first, then the sources and their clients) shuts
        down in the background on its own thread, which nothing waits for."""
        if self._closed:
            return
        self._closed = True
        self._stopping_queries = self.insights.inner.running
        self._publisher.close()
        with self._recording:
            self._close_recorder()
        self.closing = self.poller.shutdown(self._shutdown, deadline=CLOSE_DEADLINE)

    def finish(self, timeout: float = STOP_QUERIES_DEADLINE + 0.5) -> None:
        """Before the process exits: wait (at most ``timeout`` seconds) for the background
        shutdown only while a Logs Insights query is still to be stopped; nothing else it does
        matters once the process is gone."""
        closing = self.closing
        if self._stopping_queries and closing is not None:
            with contextlib.suppress(Exception):
                closing.result(timeout)

    async def _shutdown(self) -> None:
        await self._publisher.stop()
        # Before the clients close: a query left running goes on scanning (and billing).
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.insights.inner.close(), STOP_QUERIES_DEADLINE)
        await self.engine.stop()

    async def settled(self) -> None:
        """Wait until the snapshots received so far are delivered (and handed to the
        subscribers' loop)."""
        if self._closed:
            return
        await self.poller.call(self._publisher.settled())
        await asyncio.sleep(0)  # the frames handed over before the answer run first

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        """A merged snapshot, on the poller's thread."""
        if self._closed:
            return
        self._latest = snapshot
        with self._recording:
            self._record(snapshot)
        if not self._paused:
            self._publisher.submit(snapshot)

    def _record(self, snapshot: Snapshot) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.write_snapshot(snapshot)
        except (OSError, RecordingError) as exc:  # a full disk stops the recording only
            path = self.recorder.path
            with contextlib.suppress(Exception):
                self._close_recorder()
            self.recorder = None
            self._notices.append(f"recording to {path} stopped: {exc}")

    def _deliver(self, snapshot: Snapshot | None, derived: Derived, jumped: bool) -> None:
        """A derived snapshot, on the poller's thread: a frame for the UI's loop."""
        if self._paused or self._closed or snapshot is None:
            return
        # An optional source (metrics, Compute Optimizer) does not hold the landing decision.
        complete = all(h.answered for h in snapshot.sources if h.essential)
        frame = Frame(snapshot, derived, complete=complete, jumped=jumped)
        loop = self._ui_loop
        for callback in list(self._subscribers):
            if loop is None:
                callback(frame)
                continue
            with contextlib.suppress(RuntimeError):  # the UI's loop has closed: no viewer
                loop.call_soon_threadsafe(self._hand_over, callback, frame)

    def _hand_over(self, callback: FrameCallback, frame: Frame) -> None:
        if not self._closed:
            callback(frame)

    def take_notices(self) -> list[str]:
        """One-line notices since the last call (e.g. a recording stopped by a full disk)."""
        notices, self._notices = self._notices, []
        return notices

    # -- controls ------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """Whether polling is paused."""
        return self._paused

    def pause(self) -> None:
        """Stop polling and showing new snapshots."""
        self._paused = True
        self.engine.paused = True

    def resume(self) -> None:
        """Poll again, now."""
        self._paused = False
        self.engine.paused = False
        self.poller.call_soon(self.engine.refresh_now)

    def refresh(self) -> None:
        """Poll every source now (resumes if paused)."""
        self.resume()

    @property
    def clock(self) -> Clock:
        """Live time: the newest snapshot's."""
        now = self._latest.taken_at if self._latest is not None else time.time()
        return Clock(now=now, playing=not self._paused, start=now, end=now)

    def _no_replay(self, *_args: object) -> None:
        raise FeedError("replay controls work on a recording (fgtop replay FILE, fgtop demo)")

    step = seek = _no_replay

    def to_start(self) -> None:
        """Not available live."""
        self._no_replay()

    def to_end(self) -> None:
        """Not available live."""
        self._no_replay()

    def cycle_speed(self) -> float:
        """Not available live."""
        self._no_replay()
        return 1.0

    # -- recording -----------------------------------------------------------------------

    def toggle_recording(self) -> str:
        """Start recording the session to a new file, or stop and say where it went.

        Raises:
            FeedError: When the file cannot be created.
        """
        with self._recording:
            if self.recorder is not None:
                path = self.recorder.path
                self._close_recorder()
                return f"recording saved to {path}"
            folder = self.record_dir or Path.cwd()
            path = folder / f"fgtop-{time.strftime('%Y%m%d-%H%M%S')}.fgrec"
            try:
                self.recorder = Recorder(path, meta={"source": "dashboard"})
                if self._latest is not None:
                    self.recorder.write_snapshot(self._latest)
            except (OSError, RecordingError) as exc:
                with contextlib.suppress(Exception):
                    self._close_recorder()
                self.recorder = None
                reason = getattr(exc, "strerror", None) or exc
                raise FeedError(f"cannot record to {path}: {reason}") from None
            return f"recording to {path} (R stops)"

    @property
    def recording_path(self) -> str | None:
        """The file being recorded to, if any."""
        return str(self.recorder.path) if self.recorder is not None else None

    def _close_recorder(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None


class _PolledLogs:
    """The live log tails, run on the poller's loop: the UI's loop gets the batches."""

    def __init__(self, inner: LiveLogFeed, poller: Poller) -> None:
        self.inner = inner
        self.poller = poller

    def lines(self, request: LogRequest) -> AsyncGenerator[LogBatch, None]:
        """Batches of lines for ``request``, fetched and parsed on the poller's thread."""
        return self.poller.stream(lambda: self.inner.lines(request))


class _PolledInsights:
    """Logs Insights queries run on the poller's loop: the UI's loop gets the batches."""

    def __init__(self, inner: LiveInsightsFeed, poller: Poller) -> None:
        self.inner = inner
        self.poller = poller

    @property
    def available(self) -> bool:
        """Whether there is an AWS session to query with."""
        return self.inner.available

    @property
    def why(self) -> str:
        """Why queries cannot run (when not available)."""
        return self.inner.why

    def plan(self, request: InsightsRequest) -> InsightsPlan:
        """The log groups the request would query (no call made)."""
        return self.inner.plan(request)

    def run(self, request: InsightsRequest) -> AsyncGenerator[InsightsBatch, None]:
        """Progress, then the result, run on the poller's thread; leaving early stops it."""
        return self.poller.stream(lambda: self.inner.run(request))

"""The live feed: the engine's snapshots, derived once, as frames for the UI."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from fgtop.derive.pipeline import Derived, Deriver, DerivingPublisher
from fgtop.engine.core import Engine
from fgtop.engine.live_insights import LiveInsightsFeed
from fgtop.engine.live_logs import LiveLogFeed
from fgtop.errors import FeedError
from fgtop.feed import Clock, Frame, FrameCallback
from fgtop.model import Snapshot
from fgtop.recording.format import RecordingError
from fgtop.recording.writer import Recorder


class LiveFeed:
    """A :class:`fgtop.feed.Feed` over the live engine.

    Args:
        engine: The engine (not started yet; :meth:`start` starts it).
        deriver: The derivation step (insights, alerts, timeline).
        record_dir: Where ``R`` writes a recording of the session.
    """

    label = "LIVE"
    seekable = False

    def __init__(self, engine: Engine, deriver: Deriver, *, record_dir: Path | None = None) -> None:
        self.engine = engine
        self.hints = engine.hints
        self.logs = LiveLogFeed(engine)
        self.insights = LiveInsightsFeed(engine)
        self.warnings: tuple[str, ...] = tuple(deriver.table.warnings) if deriver.table else ()
        self.record_dir = record_dir
        self.recorder: Recorder | None = None
        self._paused = False
        self._subscribers: list[FrameCallback] = []
        self._publisher = DerivingPublisher(deriver, self._deliver)
        self._latest: Snapshot | None = None
        self._notices: list[str] = []

    # -- frames --------------------------------------------------------------------------

    def subscribe(self, callback: FrameCallback) -> None:
        """Call ``callback`` with every frame."""
        self._subscribers.append(callback)

    async def start(self) -> None:
        """Start deriving and the engine's loops."""
        self._publisher.start()
        self.engine.subscribe(self._on_snapshot)
        await self.engine.start()

    async def stop(self) -> None:
        """Stop the engine (a Logs Insights query still running first), close the recorder."""
        await self.insights.close()
        self._close_recorder()
        await self._publisher.stop()
        await self.engine.stop()

    async def settled(self) -> None:
        """Wait until the snapshots received so far are delivered."""
        await self._publisher.settled()

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self._latest = snapshot
        if self.recorder is not None:
            try:
                self.recorder.write_snapshot(snapshot)
            except (OSError, RecordingError) as exc:  # a full disk stops the recording only
                path = self.recorder.path
                with contextlib.suppress(Exception):
                    self._close_recorder()
                self.recorder = None
                self._notices.append(f"recording to {path} stopped: {exc}")
        if not self._paused:
            self._publisher.submit(snapshot)

    def _deliver(self, snapshot: Snapshot, derived: Derived, jumped: bool) -> None:
        if self._paused:
            return
        complete = all(h.answered for h in snapshot.sources)
        frame = Frame(snapshot, derived, complete=complete, jumped=jumped)
        for callback in list(self._subscribers):
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
        self.engine.refresh_now()

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

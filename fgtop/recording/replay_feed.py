"""The replay feed: a player over a recording, derived once per frame, for the UI.

The same frames a live feed gives, with working replay controls; the recorded log lines up to
the replay clock stand in for the live tails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

from fgtop.derive.pipeline import Derived, Deriver, DerivingPublisher
from fgtop.derive.replay import ReplayDeriver
from fgtop.errors import FeedError
from fgtop.feed import Clock, Frame, FrameCallback, LogBatch, LogRequest
from fgtop.model import Hints, LogLine, Snapshot
from fgtop.recording.insights import RecordedInsights, read_recorded
from fgtop.recording.player import Player
from fgtop.recording.reader import Frames
from fgtop.text.sanitize import safe_str

TICK = 0.1
"""Seconds between looks at the replay clock."""
LOG_POLL = 0.25
"""Seconds between looks for recorded lines the replay clock has reached."""
AROUND_BEFORE = 300.0
"""Seconds of lines shown before a moment (a task's stop) when jumping to it."""


class ReplayLogFeed:
    """Recorded log lines up to the replay clock, following it as it moves."""

    def __init__(self, recording: Frames, player: Player) -> None:
        self.recording = recording
        self.player = player

    def _keys(self, request: LogRequest) -> list[str]:
        if request.pod is not None:
            return [request.pod.key]
        return [t.arn for t in request.tasks]

    def _between(
        self, request: LogRequest, since: float | None, until: float, *, any_container: bool = False
    ) -> list[LogLine]:
        lines: list[LogLine] = []
        for key in self._keys(request):
            lines += self.recording.logs(key, since=since, until=until)
        if request.container and not any_container:
            lines = [ln for ln in lines if ln.container == request.container]
        lines.sort(key=lambda ln: ln.timestamp)
        return lines

    def _none_message(self, request: LogRequest, since: float | None, until: float) -> str:
        """Why nothing shows: nothing recorded, or nothing from the picked container."""
        if request.container:
            others = len(self._between(request, since, until, any_container=True))
            if others:
                name = safe_str(request.container, max_chars=80)
                return (
                    f"no lines from container {name} recorded up to the replay clock "
                    f"({others:,} from the other containers: c picks another)"
                )
        return "no log lines recorded for this target up to the replay clock"

    async def lines(self, request: LogRequest) -> AsyncGenerator[LogBatch, None]:
        """The lines recorded up to the replay clock, then new ones as the clock reaches them."""
        until = self.player.now
        since = request.at - AROUND_BEFORE if request.at is not None else None
        lines = self._between(request, since, until)
        if not lines:
            yield LogBatch(message=self._none_message(request, since, until))
        else:
            yield LogBatch(tuple(lines), message="", jump_to=request.at)
        shown = until
        while True:
            await asyncio.sleep(LOG_POLL)
            now = self.player.now
            if now <= shown:
                continue
            new = [ln for ln in self._between(request, shown, now) if ln.timestamp > shown]
            shown = now
            if new:
                yield LogBatch(tuple(new), message="" if not lines else None)
                lines = new


class ReplayFeed:
    """A :class:`fgtop.feed.Feed` over a recording.

    Every frame is derived with the history of the recorded frames before it
    (:class:`~fgtop.derive.replay.ReplayDeriver`): the problems, alerts and timeline at a
    moment are the same whether the clock got there by playing, stepping or seeking.

    Args:
        recording: The open recording.
        player: Its replay clock.
        deriver: The derivation step (insights, alerts, timeline).
        label: ``REPLAY`` or ``DEMO`` for the header.
    """

    seekable = True

    def __init__(
        self, recording: Frames, player: Player, deriver: Deriver, *, label: str = "REPLAY"
    ) -> None:
        self.recording = recording
        self.player = player
        self._label = label
        self.hints = Hints()
        self.logs = ReplayLogFeed(recording, player)
        self.insights = RecordedInsights(read_recorded(getattr(recording, "meta", {})))
        """The query results the recording carries (none: `i` is not offered)."""
        self.warnings: tuple[str, ...] = tuple(deriver.table.warnings) if deriver.table else ()
        self.recording_path: str | None = None
        self._subscribers: list[FrameCallback] = []
        self.deriver = ReplayDeriver(deriver, recording)
        """Derives each frame with the history of the frames before it."""
        self._publisher = DerivingPublisher(self.deriver, self._deliver)
        self._ticker: asyncio.Task[None] | None = None
        self._shown: Snapshot | None = None

    @property
    def label(self) -> str:
        """``REPLAY`` or ``DEMO``."""
        return self._label

    def subscribe(self, callback: FrameCallback) -> None:
        """Call ``callback`` with every frame."""
        self._subscribers.append(callback)

    async def start(self) -> None:
        """Show the current frame and follow the replay clock."""
        self._publisher.start()
        self._show(jumped=True)
        self._ticker = asyncio.create_task(self._tick(), name="replay-clock")

    async def stop(self) -> None:
        """Stop following the clock."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        await self._publisher.stop()

    async def settled(self) -> None:
        """Wait until the frames submitted so far are delivered."""
        await self._publisher.settled()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            i = self.player.tick_index()
            if i is not None:
                self._publisher.submit(self.recording.time_at(i))

    def _show(self, *, jumped: bool) -> None:
        """Have the frame the player stands on derived (read and decoded in the worker)."""
        self.player.tick_index()
        self._publisher.submit(self.recording.time_at(self.player.index), jumped=jumped)

    def _deliver(self, snapshot: Snapshot | None, derived: Derived, jumped: bool) -> None:
        if snapshot is None:  # the frame could not be read: say why over the one shown
            if self._shown is None:
                return
            snapshot = self._shown
        self._shown = snapshot
        frame = Frame(snapshot, derived, complete=True, jumped=jumped)
        for callback in list(self._subscribers):
            callback(frame)

    # -- controls ------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """Whether the replay clock stands still."""
        return not self.player.playing

    def pause(self) -> None:
        """Stop the replay clock."""
        self.player.pause()

    def resume(self) -> None:
        """Run the replay clock."""
        self.player.play()
        self._show(jumped=False)

    def refresh(self) -> None:
        """Show the current frame again."""
        self._publisher.submit(self.recording.time_at(self.player.index))

    @property
    def clock(self) -> Clock:
        """The replay position."""
        p, rec = self.player, self.recording
        return Clock(
            now=p.now,
            playing=p.playing,
            speed=float(p.speed),
            position=p.position,
            start=rec.start,
            end=rec.end,
        )

    def step(self, frames: int = 1) -> None:
        """Pause and move ``frames`` frames; one frame forward is a step of playback."""
        self.player.step(frames)
        self._show(jumped=frames != 1)

    def seek(self, t: float) -> None:
        """Jump to recording time ``t``."""
        self.player.seek(t)
        self._show(jumped=True)

    def to_start(self) -> None:
        """Jump to the first frame."""
        self.player.to_start()
        self._show(jumped=True)

    def to_end(self) -> None:
        """Jump to the last frame."""
        self.player.to_end()
        self._show(jumped=True)

    def cycle_speed(self) -> float:
        """The next replay speed."""
        return float(self.player.cycle_speed())

    def take_notices(self) -> list[str]:
        """A replay has no notices of its own."""
        return []

    def toggle_recording(self) -> str:
        """A replay is already a recording.

        Raises:
            FeedError: Always.
        """
        raise FeedError("recording works on a live session")

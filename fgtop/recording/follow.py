"""Follow mode: a recording shown while the recorder writes it (``fgtop replay --follow``).

The follower looks at the file (or the directory of segments) every :data:`POLL` seconds and
reads up to the last complete frame; while following it shows the newest frame. Seeking back
pauses following; ``end`` (``]``) resumes it, and so does playback reaching the newest frame.
When no frame has come for a while (:meth:`FollowFeed.stall_after`), the recorder is taken for
stopped: the last frame stays and the header says how long ago; a new segment (the recorder
started again) is picked up like any new frame.

A follower reads files only: it makes no AWS or Kubernetes call and needs no credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import statistics
import time
from collections.abc import Callable

from fgtop.derive.pipeline import Deriver
from fgtop.recording.player import Player
from fgtop.recording.replay_feed import ReplayFeed
from fgtop.recording.segments import Timeline

POLL = 0.5
"""Seconds between looks at the recording for new frames."""
STALL_MIN = 15.0
"""The recorder is taken for stopped after at least this many seconds without a frame."""
STALL_INTERVALS = 3
"""... and at least this many of its usual frame intervals."""


class FollowFeed(ReplayFeed):
    """A :class:`ReplayFeed` that keeps up with a recording being written.

    Args:
        timeline: The recording (file or directory) being followed.
        player: Its replay clock.
        deriver: The derivation step.
        poll: Seconds between looks for new frames.
        wall: POSIX seconds now (injectable for tests).
    """

    def __init__(
        self,
        timeline: Timeline,
        player: Player,
        deriver: Deriver,
        *,
        poll: float = POLL,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(timeline, player, deriver, label="FOLLOWING")
        self.timeline = timeline
        self.poll = poll
        self._wall = wall
        self.following = True
        """Whether the newest frame is shown as it comes (False once the user seeks back)."""
        self._notices: list[str] = []
        self._skipped = len(timeline.skipped)
        self.warnings = (*self.warnings, *timeline.skipped)
        self._poller: asyncio.Task[None] | None = None
        player.pause()
        player.to_end()

    async def start(self) -> None:
        """Show the newest frame and keep looking for more."""
        await super().start()
        self._poller = asyncio.create_task(self._poll(), name="follow-poll")

    async def stop(self) -> None:
        """Stop looking for new frames."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await super().stop()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            self.check()

    def check(self) -> int:
        """Look for new frames now; show the newest while following. Returns how many came."""
        timeline, player = self.timeline, self.player
        new = timeline.refresh()
        if len(timeline.skipped) > self._skipped:
            self._notices += timeline.skipped[self._skipped :]
            self._skipped = len(timeline.skipped)
        if timeline.reset:
            player.timeline_changed()
            self.deriver.reset()  # another recording: its history starts afresh
            self.following = True
        elif timeline.is_dir:
            gone = timeline.drop_deleted(player.index)
            if gone:
                player.dropped(gone)
        if not self.following and player.playing and player.now >= timeline.end:
            self.following = True  # playback caught up with the recorder
        if self.following and (new or timeline.reset or player.playing):
            was_last = player.index == len(timeline) - 1 - new
            player.pause()
            player.to_end()
            # Frames that came while it showed the newest are played on: each is taken into the
            # history (fgtop.derive.replay), so their alerts are news, not a jump's history.
            self._show(jumped=timeline.reset or not was_last)
        return new

    # -- what the header says -------------------------------------------------------------

    @property
    def label(self) -> str:
        """``FOLLOWING``, or ``FOLLOW PAUSED`` once the user went back in time."""
        return "FOLLOWING" if self.following else "FOLLOW PAUSED"

    def stall_after(self) -> float:
        """Seconds without a new frame after which the recorder is taken for stopped."""
        times = self.timeline.times[-21:]
        gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
        usual = statistics.median(gaps) if gaps else 0.0
        return max(STALL_MIN, STALL_INTERVALS * usual)

    @property
    def stopped_for(self) -> float | None:
        """Seconds since the recorder's last frame when it looks stopped, else None."""
        age = self._wall() - self.timeline.end
        return age if age > self.stall_after() else None

    @property
    def follow_text(self) -> str:
        """The header's clock for a follower: following or paused, the lag, a stopped recorder."""
        end = self.timeline.end
        stopped = self.stopped_for
        parts = []
        if self.following:
            lag = max(0.0, self._wall() - end)
            parts.append(f"{_clock(end)} ▶")
            if stopped is None:
                parts.append(f"{_age(lag)} behind the recorder")
        else:
            now = self.player.now
            state = "▶" if self.player.playing else "⏸"
            parts.append(f"{_clock(now)} {state} {self.player.speed:g}x")
            parts.append(f"{_age(max(0.0, end - now))} behind the recorder; ] follows")
        if stopped is not None:
            parts.append(f"recorder stopped {_age(stopped)} ago")
        return " · ".join(parts)

    # -- controls: seeking back pauses following, the end resumes it ----------------------

    @property
    def paused(self) -> bool:
        """Paused: neither following nor playing."""
        return not self.following and not self.player.playing

    def pause(self) -> None:
        """Stop following (the frame shown stays)."""
        self.following = False
        self.player.pause()

    def resume(self) -> None:
        """Follow again from the end, or play from where the replay stands."""
        if self.player.index >= len(self.timeline) - 1:
            self.to_end()
        else:
            super().resume()

    def step(self, frames: int = 1) -> None:
        """Step; stepping back pauses following."""
        super().step(frames)
        self.following = self.player.index >= len(self.timeline) - 1 and frames > 0

    def seek(self, t: float) -> None:
        """Jump to ``t``; before the newest frame that pauses following."""
        super().seek(t)
        self.following = t >= self.timeline.end

    def to_start(self) -> None:
        """Jump to the first frame (following pauses)."""
        self.following = False
        super().to_start()

    def to_end(self) -> None:
        """Jump to the newest frame and follow again."""
        self.following = True
        self.player.pause()
        super().to_end()

    def take_notices(self) -> list[str]:
        """Segments skipped since the last call (one line each)."""
        notices, self._notices = self._notices, []
        return notices


def _age(seconds: float) -> str:
    """``3s``, ``4m05s``, ``2h10m``."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))

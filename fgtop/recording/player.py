"""The replay clock: plays a recording at 1x-10x, pauses, steps, seeks and loops.

No Textual here: the UI calls :meth:`Player.tick` from a timer and renders the Snapshot it
returns (``None`` when the frame has not changed). Controls only move the position; the next
``tick()`` hands out the new frame.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from fgtop.model import Snapshot
from fgtop.recording.reader import Frames

SPEEDS: tuple[int, ...] = (1, 2, 5, 10)
"""The replay speeds offered, in the order :meth:`Player.cycle_speed` goes through them."""


class Player:
    """A replay clock over a recording (or a timeline of several).

    Args:
        recording: The recording to play.
        loop: Start again from where it opened after the last frame (else pause there).
        clock: A monotonic clock in seconds (injectable for tests).
        autoplay: Start playing at once.
        opens_at: Where the replay opens, and where it loops back to (recording time; None:
            its first frame). The demo opens at its worst moment with the night behind it
            (the recording's ``opens_at`` meta key); ``[`` and a seek still go back.
    """

    def __init__(
        self,
        recording: Frames,
        *,
        loop: bool = False,
        clock: Callable[[], float] = time.monotonic,
        autoplay: bool = True,
        opens_at: float | None = None,
    ) -> None:
        self.recording = recording
        self.loop = loop
        self._clock = clock
        self.speed: int = 1
        """Replay speed: recording seconds per wall-clock second."""
        self.playing = False
        """Whether the replay clock is running."""
        self.opens_at = (
            recording.start
            if opens_at is None
            else min(max(opens_at, recording.start), recording.end)
        )
        """Where the replay opened, and where a loop starts again."""
        self._pos = self.opens_at
        self._anchor_wall = clock()
        self._anchor_pos = self._pos
        self._index = recording.index_at(self._pos)
        self._delivered: int | None = None
        times = recording.times
        gaps = sorted(b - a for a, b in itertools.pairwise(times))
        self._hold = gaps[len(gaps) // 2] if gaps else 1.0
        """How long the last frame is shown before looping (the median frame interval)."""
        if autoplay:
            self.play()

    # -- state --------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The replay position in the recording's own time (POSIX seconds)."""
        if self.playing:
            return self._anchor_pos + (self._clock() - self._anchor_wall) * self.speed
        return self._pos

    @property
    def index(self) -> int:
        """The index of the current frame."""
        return self._index

    @property
    def current(self) -> Snapshot:
        """The Snapshot at the current position."""
        return self.recording.frame(self._index)

    @property
    def position(self) -> float:
        """Where the replay is, from 0.0 (start) to 1.0 (end), for a timeline bar."""
        rec = self.recording
        span = rec.end - rec.start
        if span <= 0:
            return 1.0 if self._index else 0.0
        return min(max((self._now_clamped() - rec.start) / span, 0.0), 1.0)

    # -- controls -----------------------------------------------------------------------------

    def play(self) -> None:
        """Run the replay clock (from the start again if paused at the very end)."""
        if self.playing:
            return
        if not self.loop and self._index == len(self.recording) - 1 and len(self.recording) > 1:
            self._set(self.recording.start)
        self._anchor_pos = self._pos
        self._anchor_wall = self._clock()
        self.playing = True

    def pause(self) -> None:
        """Stop the replay clock where it is."""
        if self.playing:
            self._pos = self._now_clamped()
            self._index = self.recording.index_at(self._pos)
            self.playing = False

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def step(self, delta: int = 1) -> None:
        """Pause and move ``delta`` frames forward (negative: back), clamped to the ends."""
        self.pause()
        i = min(max(self._index + delta, 0), len(self.recording) - 1)
        self._set(self.recording.times[i])

    def seek(self, t: float) -> None:
        """Jump to recording time ``t`` (clamped to the recording), keeping play/pause."""
        rec = self.recording
        self._set(min(max(t, rec.start), rec.end))

    def to_start(self) -> None:
        """Jump to the first frame."""
        self.seek(self.recording.start)

    def to_end(self) -> None:
        """Jump to the last frame."""
        self.seek(self.recording.end)

    def set_speed(self, speed: float) -> None:
        """Set the replay speed (one of :data:`SPEEDS`).

        Raises:
            ValueError: for any other speed.
        """
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {', '.join(f'{s}x' for s in SPEEDS)}")
        self._rebase()
        self.speed = int(speed)

    def cycle_speed(self) -> int:
        """Go to the next speed (1x, 2x, 5x, 10x, 1x...) and return it."""
        self.set_speed(SPEEDS[(SPEEDS.index(self.speed) + 1) % len(SPEEDS)])
        return self.speed

    def tick(self) -> Snapshot | None:
        """Advance with the clock; return the frame to show if it changed since the last tick.

        At the end of the recording the last frame is held for one frame interval, then the
        replay loops to where it opened (``loop=True``) or pauses on the last frame.
        """
        i = self.tick_index()
        return None if i is None else self.recording.frame(i)

    def tick_index(self) -> int | None:
        """:meth:`tick` without decoding: the index of the frame to show if it changed since
        the last tick, else None (the replay feed has the frame decoded off the event loop)."""
        rec = self.recording
        if self.playing:
            now = self.now
            if now >= rec.end + self._hold:
                if self.loop:
                    self._set(self.opens_at)
                else:
                    self._set(rec.end)
                    self.playing = False
            else:
                self._index = rec.index_at(now)
        if self._index == self._delivered:
            return None
        self._delivered = self._index
        return self._index

    def timeline_changed(self) -> None:
        """The recording was replaced under the player (a followed file written anew): go to
        its newest frame and hand it out at the next tick."""
        self.playing = False
        self._delivered = None
        self._set(self.recording.end)

    def dropped(self, frames: int) -> None:
        """The first ``frames`` frames were removed from the recording (a followed directory's
        oldest segments deleted): the same frame is now ``frames`` earlier."""
        self._index = max(0, self._index - frames)
        if self._delivered is not None:
            self._delivered -= frames

    # -- internals ----------------------------------------------------------------------------

    def _now_clamped(self) -> float:
        rec = self.recording
        return min(max(self.now, rec.start), rec.end)

    def _rebase(self) -> None:
        if self.playing:
            self._anchor_pos = self.now
            self._anchor_wall = self._clock()
            self._pos = self._anchor_pos

    def _set(self, t: float) -> None:
        self._pos = t
        self._index = self.recording.index_at(t)
        self._anchor_pos = t
        self._anchor_wall = self._clock()

"""Replay history as a function of the recording: any frame derived as if played from the start.

The history at replay time T (alerts fired and still active, the timeline, when each pod's
crash loop began) is the history after taking in every recorded frame up to T, in order,
whether T was reached by playing (at any speed), stepping or seeking, in a file, a directory
of segments or a recording being followed. :class:`ReplayDeriver` keeps that state as it
goes and takes checkpoints of it (a copy every :data:`CHECKPOINT_EVERY` seconds of recording):
a seek back restores the nearest checkpoint before it and takes in the frames from there,
instead of deriving the recording from its start again.

It reads frames itself, in the deriving thread: a recording with a ``lock`` attribute (a
``threading.RLock``) is read under it, so the player's reads on the event loop never
interleave with these.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from fgtop.derive.alerts import Alert
from fgtop.derive.history import History
from fgtop.derive.pipeline import Derived, Deriver
from fgtop.model import Snapshot

CHECKPOINT_EVERY = 600.0
"""Seconds of recording between two checkpoints of the history (at first: see
:data:`MAX_CHECKPOINTS`)."""
MAX_CHECKPOINTS = 512
"""Checkpoints kept at most (48 h of recording at one per 10 minutes is 288): past it, every
other one goes and the spacing doubles, so a long recording keeps them evenly spread."""
CHECKPOINT_WEIGHT = 2_000_000
"""What the checkpoints may hold together (:meth:`History.weight`: entries and remembered
ids, ~100 bytes each): past it they are thinned the same way, so a large estate's replay keeps
fewer, further apart, in bounded memory."""
BUDGET = 0.4
"""Seconds a derivation may spend taking in frames before it delivers what it has (marked
:attr:`Derived.history_at`) and carries on in the next run."""
CARRY_ON = 5
"""A run that carries on towards the same frame has this many budgets: a long catch-up
delivers a frame every 2 s, not every 0.4 s (each delivered frame is rendered again, and
rendering competes with the catch-up for the interpreter)."""


class Frames(Protocol):
    """A recording as the replay deriver reads it (``Recording`` and ``segments.Timeline``)."""

    @property
    def times(self) -> tuple[float, ...]:
        """The time of every frame, in order."""
        ...

    def frame(self, i: int) -> Snapshot:
        """Decode frame ``i``."""
        ...


class ReplayDeriver:
    """Derives any frame of a recording with the history of every frame before it.

    Args:
        deriver: The derivation step (its price table, rules and headroom; its history is the
            one this deriver moves along the recording).
        frames: The recording.
        checkpoint_every: Seconds of recording between checkpoints (at first).
        max_checkpoints: Checkpoints kept at most.
        max_weight: What the checkpoints may hold together (:meth:`History.weight`).
        budget: Seconds of taking in frames per run before a partial result (None: no limit).
        clock: A monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        deriver: Deriver,
        frames: Frames,
        *,
        checkpoint_every: float = CHECKPOINT_EVERY,
        max_checkpoints: int = MAX_CHECKPOINTS,
        max_weight: int = CHECKPOINT_WEIGHT,
        budget: float | None = BUDGET,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deriver = deriver
        self.frames = frames
        self.every = checkpoint_every
        self.max_checkpoints = max(2, max_checkpoints)
        self.max_weight = max_weight
        self._weight = 0
        """What the checkpoints kept hold together (:meth:`History.weight`)."""
        self.budget = budget
        self._clock = clock
        self._checkpoints: list[tuple[float, History]] = []
        """(time of the last frame taken in, a copy of the history then), oldest first."""
        self._reset = False
        self._partial: float | None = None
        """The goal of the last run when it stopped short of it (the budget ran out)."""
        self._guard = threading.Lock()
        self.frames_taken = 0
        """Frames taken into the history so far (a measure of the work done)."""
        self.restores = 0
        """Checkpoints restored so far."""

    @property
    def history(self) -> History:
        """The history as it stands."""
        return self.deriver.history

    def reset(self) -> None:
        """Forget the history and every checkpoint at the next derivation (the recording was
        replaced under the deriver: a followed file written anew)."""
        self._reset = True

    # -- deriving -------------------------------------------------------------------------

    def derive_batch(
        self, snapshots: Sequence[Snapshot | float], jumped: bool = False
    ) -> tuple[Snapshot, Derived]:
        """The frame to show and what is derived from it, with its history.

        Args:
            snapshots: The frames the player asked for, oldest first, as their times (or the
                frames themselves): only the last one matters (the history takes in every
                recorded frame up to it, each read here, in order, off the event loop).
            jumped: The clock jumped: the alerts fired on the way are history, not news.
        """
        last = snapshots[-1]
        t = last.taken_at if isinstance(last, Snapshot) else float(last)
        with self._guard:
            snapshot, fired, done = self.advance_to(t)
            at = None if done else self.history.at
            return snapshot, self.deriver.conclude(snapshot, () if jumped else fired, history_at=at)

    def derive_at(self, t: float) -> tuple[Snapshot, Derived]:
        """The frame shown at recording time ``t`` and everything derived from it (no budget:
        what ``fgtop snapshot --replay --at`` prints)."""
        with self._guard:
            budget, self.budget = self.budget, None
            try:
                snapshot, _fired, _done = self.advance_to(t)
                return snapshot, self.deriver.conclude(snapshot)
            finally:
                self.budget = budget

    def advance_to(self, t: float) -> tuple[Snapshot, list[Alert], bool]:
        """Bring the history to the frame shown at ``t`` (the last at or before it; the first
        before the recording starts).

        Returns:
            That frame, the alerts the frames taken in fired, and whether the history got there
            (False: the budget ran out first; the next call carries on).
        """
        if self._reset:
            self._reset = False
            self._checkpoints, self._weight = [], 0
            self.deriver.history = self.deriver.fresh_history()
        with self._lock():
            times = self.frames.times
        last = max(0, bisect.bisect_right(times, t) - 1)
        goal = times[last]
        self._restore_for(goal)
        budget = self.budget
        if budget is not None and self._partial == goal:
            budget *= CARRY_ON
        self._partial = None
        started = self._clock()
        fired: list[Alert] = []
        history = self.history
        first = 0 if history.at is None else bisect.bisect_right(times, history.at)
        snapshot: Snapshot | None = None
        for i in range(first, last + 1):
            if budget is not None and i > first and self._clock() - started > budget:
                self._partial = goal
                with self._lock():
                    return self.frames.frame(last), fired, False
            with self._lock():
                snapshot = self.frames.frame(i)
            fired += history.observe(snapshot)
            self.frames_taken += 1
            self._maybe_checkpoint(snapshot.taken_at)
        if snapshot is None:  # the history was there already (a refresh, a step to itself)
            with self._lock():
                snapshot = self.frames.frame(last)
        return snapshot, fired, True

    # -- checkpoints ----------------------------------------------------------------------

    def _restore_for(self, goal: float) -> None:
        """Start from the best state for reaching ``goal``: the history as it stands when it
        is not past ``goal`` and no checkpoint is nearer; else the nearest checkpoint at or
        before ``goal``; else an empty history."""
        at = self.history.at
        keys = [c[0] for c in self._checkpoints]
        k = bisect.bisect_right(keys, goal) - 1
        if at is not None and at <= goal and (k < 0 or keys[k] <= at):
            return
        if k >= 0:
            self.deriver.history = self._checkpoints[k][1].copy()
            self.restores += 1
        else:
            self.deriver.history = self.deriver.fresh_history()

    def _maybe_checkpoint(self, at: float) -> None:
        last = self._checkpoints[-1][0] if self._checkpoints else None
        if last is not None and at - last < self.every:
            return
        if last is not None and at <= last:
            return  # an earlier stretch taken in again after a restore: already covered
        copy = self.history.copy()
        self._checkpoints.append((at, copy))
        self._weight += copy.weight()
        while len(self._checkpoints) > 2 and (
            len(self._checkpoints) > self.max_checkpoints or self._weight > self.max_weight
        ):
            self._checkpoints = self._checkpoints[::2]
            self._weight = sum(c[1].weight() for c in self._checkpoints)
            self.every *= 2

    @property
    def checkpoints(self) -> tuple[float, ...]:
        """The times of the checkpoints kept."""
        return tuple(c[0] for c in self._checkpoints)

    def _lock(self) -> Any:
        lock = getattr(self.frames, "lock", None)
        return lock if lock is not None else contextlib.nullcontext()

"""Bounded, time-ordered point buffers for metric series.

One :class:`PointRing` holds the points of one series (one value per period), oldest first, and
never more than ``maxlen`` of them: memory stays flat however long fgtop runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

Point = tuple[float, float]


class PointRing:
    """The latest ``maxlen`` points of one series, ordered by time, one value per timestamp.

    Appending newer points is O(1) per point; a late or backfilled (older) point is merged in
    order. When full, the oldest points are dropped.

    Args:
        maxlen: The most points held (e.g. 12 h / 60 s = 720).
    """

    __slots__ = ("_cache", "_points", "maxlen")

    def __init__(self, maxlen: int) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self.maxlen = maxlen
        self._points: deque[Point] = deque(maxlen=maxlen)
        self._cache: tuple[Point, ...] | None = ()

    def __len__(self) -> int:
        return len(self._points)

    @property
    def first(self) -> float | None:
        """The oldest timestamp held, or None when empty."""
        return self._points[0][0] if self._points else None

    @property
    def last(self) -> float | None:
        """The newest timestamp held, or None when empty."""
        return self._points[-1][0] if self._points else None

    def merge(self, points: Iterable[Point]) -> int:
        """Add ``points`` (any order); a timestamp already held takes the new value.

        Returns:
            How many points were new or changed.
        """
        new = sorted(points)
        if not new:
            return 0
        last = self.last
        if last is None or new[0][0] > last:
            # The common path: only newer minutes. Drop duplicate timestamps within ``new``.
            added = 0
            for t, v in new:
                if self._points and self._points[-1][0] == t:
                    self._points[-1] = (t, v)
                else:
                    self._points.append((t, v))
                added += 1
            self._cache = None
            return added
        held = dict(self._points)
        changed = sum(1 for t, v in new if held.get(t) != v)
        if not changed:
            return 0
        held.update(new)
        ordered = sorted(held.items())[-self.maxlen :]
        self._points = deque(ordered, maxlen=self.maxlen)
        self._cache = None
        return changed

    def drop_before(self, start: float) -> None:
        """Forget the points older than ``start``."""
        dropped = False
        while self._points and self._points[0][0] < start:
            self._points.popleft()
            dropped = True
        if dropped:
            self._cache = None

    def points(self) -> tuple[Point, ...]:
        """The points held, oldest first (cached until the next change)."""
        if self._cache is None:
            self._cache = tuple(self._points)
        return self._cache

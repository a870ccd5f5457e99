"""Sources with fixed answers, for engine and feed tests (no API behind them)."""

from __future__ import annotations

import asyncio

from fgtop.model import Hints, Snapshot
from fgtop.sources.base import Part, PollingSource, SourceContext


class FixedSource(PollingSource):
    """A source that returns a fixed part after a delay, every ``interval`` seconds."""

    interval: float = 60.0

    def __init__(self, name: str, part: Part, delay: float = 0.0, interval: float = 60) -> None:
        self.name = name
        self.part = part
        self.delay = delay
        self.interval = interval
        self.polls = 0

    async def poll(self, ctx: SourceContext) -> Part:
        self.polls += 1
        await asyncio.sleep(self.delay)
        return self.part


class Clock:
    """A clock a test moves by hand: ``clock.t += 60``."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def ctx(snapshot: Snapshot, clock: Clock) -> SourceContext:
    """What a source sees when it polls: this snapshot, no hints, this clock."""
    return SourceContext(lambda: snapshot, Hints(), clock)

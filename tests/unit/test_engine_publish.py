"""One snapshot per refresh window, not one per source (issue 12).

A real Engine with three sources; what the engine publishes is counted by a subscriber.
"""

from __future__ import annotations

import asyncio
import itertools
import time

from fgtop.engine.core import MIN_INTERVAL, Engine
from fgtop.model import Pod
from fgtop.sources.base import Part
from tests.fakes.sources import FixedSource


def _pods(prefix: str) -> Part:
    return {"pods": (Pod(namespace="default", name=f"{prefix}-1", cluster="c", context="x"),)}


async def _published(engine: Engine, seconds: float) -> list[tuple[float, int]]:
    """(time, number of pods) of every snapshot published within ``seconds``."""
    seen: list[tuple[float, int]] = []
    engine.subscribe(lambda snap: seen.append((time.monotonic(), len(snap.pods))))
    await engine.start()
    try:
        await asyncio.sleep(seconds)
    finally:
        await engine.stop()
    return seen


async def test_parts_arriving_together_make_one_snapshot() -> None:
    # Three sources answer 0, 150 and 300 ms after the start: one refresh, one snapshot
    # (the first goes out with the first part; the other two, within the window, make one more).
    sources = [
        FixedSource("ecs:eu", _pods("eu")),
        FixedSource("ecs:us", _pods("us"), delay=0.15),
        FixedSource("cloudwatch", _pods("cw"), delay=0.3),
    ]
    seen = await _published(Engine(sources), 2.5)
    assert len(seen) <= 2, seen
    assert seen[-1][1] == 3  # every part merged


async def test_three_polling_sources_publish_at_most_once_a_window() -> None:
    # Three sources polling every 0.1 s for 3.5 s: about 100 parts, a handful of snapshots.
    sources = [
        FixedSource("ecs:eu", _pods("eu"), interval=0.1),
        FixedSource("ecs:us", _pods("us"), delay=0.03, interval=0.1),
        FixedSource("cloudwatch", _pods("cw"), delay=0.06, interval=0.1),
    ]
    seen = await _published(Engine(sources), 3.5)
    assert sum(s.polls for s in sources) >= 30
    assert 2 <= len(seen) <= 1 + 3.5 / MIN_INTERVAL, seen
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen)]
    assert all(g >= MIN_INTERVAL - 0.05 for g in gaps), gaps
    assert seen[-1][1] == 3

"""How long one snapshot blocks the event loop: deriving on the loop vs in the worker thread.

At 5,000 tasks, deriving a snapshot (cost, right-sizing, problems, alerts, timeline) takes a
few hundred milliseconds. Before the feed, the app did it on Textual's event loop, so every
key waited for it; now ``DerivingPublisher`` does it in a worker thread. A probe coroutine
that wakes every 5 ms measures the longest the loop went without running it.

Prints numbers, asserts nothing. Run: python bench/bench_derive.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_oncall import T0, estate  # noqa: E402
from fgtop.cost.prices import load_price_table  # noqa: E402
from fgtop.derive.pipeline import Deriver, DerivingPublisher  # noqa: E402

ROUNDS = 8


async def probe(stop: asyncio.Event, lags: list[float]) -> None:
    """Sleep 5 ms at a time; record how late each wake-up came."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(0.005)
        lags.append(loop.time() - before - 0.005)


async def on_loop(snapshots: list) -> tuple[float, float]:
    deriver = Deriver(load_price_table())
    stop, lags = asyncio.Event(), []
    task = asyncio.create_task(probe(stop, lags))
    took = []
    for snap in snapshots:
        await asyncio.sleep(0.05)
        start = time.perf_counter()
        deriver.derive(snap)  # what FgtopApp.apply_snapshot did before the feed
        took.append(time.perf_counter() - start)
    stop.set()
    await task
    return statistics.median(took), max(lags)


async def off_loop(snapshots: list) -> tuple[float, float]:
    delivered: list[float] = []
    publisher = DerivingPublisher(
        Deriver(load_price_table()), lambda s, d, j: delivered.append(time.perf_counter())
    )
    publisher.start()
    stop, lags = asyncio.Event(), []
    task = asyncio.create_task(probe(stop, lags))
    took = []
    for snap in snapshots:
        await asyncio.sleep(0.05)
        start = time.perf_counter()
        publisher.submit(snap)
        await publisher.settled()
        took.append(delivered[-1] - start)
    stop.set()
    await task
    await publisher.stop()
    return statistics.median(took), max(lags)


def main() -> None:
    for services, per in ((50, 1), (250, 20)):
        snaps = [estate(services, per, 200, T0 + 5 * i, i) for i in range(ROUNDS)]
        n = len(snaps[0].tasks)
        derive, lag = asyncio.run(on_loop(snaps))
        print(
            f"{n:>5} tasks  derive on the loop:     {derive * 1000:7.1f} ms median, "
            f"longest loop stall {lag * 1000:7.1f} ms"
        )
        derive, lag = asyncio.run(off_loop(snaps))
        print(
            f"{n:>5} tasks  derive in the worker:   {derive * 1000:7.1f} ms median, "
            f"longest loop stall {lag * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()

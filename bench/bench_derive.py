"""How long one snapshot blocks the event loop: deriving on the loop vs in the worker thread.

At 5,000 tasks, deriving a snapshot (cost, right-sizing, problems, alerts, timeline) takes a
few hundred milliseconds. Before the feed, the app did it on Textual's event loop, so every
key waited for it; now ``DerivingPublisher`` does it in a worker thread. A probe coroutine
that wakes every 5 ms measures the longest the loop went without running it.

``--tasks 5000,20000`` (the default) times instead one derivation of a 5% change (a fifth of
the changed tasks replaced, the rest stopped or changing health: ``tests/fakes/estate.py``) at
each size, after a first snapshot: the median and p95 of ``--refreshes`` derivations, in this
thread (what a derivation costs, and so how long it holds the GIL: it is Python throughout, so
it runs in slices of the switch interval while another thread wants the GIL). ``--stalls``
runs the loop-stall comparison above.

Prints numbers, asserts nothing. Run: python bench/bench_derive.py [--tasks 5000,20000]
[--refreshes 10] [--stalls]
"""

from __future__ import annotations

import argparse
import asyncio
import os
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


def change_cost(tasks: int, refreshes: int) -> None:
    """Derivation of a 5% change at ``tasks`` tasks: median and p95 over ``refreshes``."""
    from tests.fakes.estate import Estate

    estate = Estate(tasks=tasks)
    deriver = Deriver(load_price_table())
    start = time.perf_counter()
    deriver.derive(estate.snapshot())
    first = time.perf_counter() - start
    snaps = [estate.advance() for _ in range(refreshes)]
    took = []
    for snap in snaps:
        start = time.perf_counter()
        deriver.derive(snap)
        took.append(time.perf_counter() - start)
    took.sort()
    p95 = took[min(len(took) - 1, round(0.95 * (len(took) - 1)))]
    print(
        f"{tasks:>6} tasks  first snapshot {first * 1000:7.1f} ms; a 5% change: median "
        f"{statistics.median(took) * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms "
        f"(n={len(took)}); load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", default="5000,20000")
    ap.add_argument("--refreshes", type=int, default=10)
    ap.add_argument("--stalls", action="store_true", help="the loop-stall comparison")
    args = ap.parse_args()
    if not args.stalls:
        for n in (int(v) for v in args.tasks.split(",")):
            change_cost(n, args.refreshes)
        return
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

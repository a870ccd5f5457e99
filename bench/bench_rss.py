"""Benchmark: memory (RSS) over 30 minutes of refreshes at 5,000 tasks, in simulated time.

The real app headless (``pushed_app``: a real LiveFeed, derivation and UI) on the estate of
``tests/fakes/estate.py`` (5,000 tasks, 200 services, 500 pods; 5% of tasks change per
refresh, a fifth of those replaced by new tasks). 360 refreshes 5 s apart in the estate's
clock (30 minutes) go through the feed as fast as the app takes them; the process's RSS is
printed every 60 refreshes. Numbers, not pass/fail: see docs/performance.md.

Usage: ``python bench/bench_rss.py [--tasks 5000] [--refreshes 360] [--every 60] [--top N]``.

``--top N`` traces allocations (tracemalloc, which slows the run and adds its own memory to
the RSS) and prints, at the end, the N lines of code holding the most memory.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: fgtop, tests.fakes

from tests.fakes.estate import Estate  # noqa: E402
from tests.ui.helpers import push, pushed_app  # noqa: E402


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux ``/proc``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def main(tasks: int, refreshes: int, every: int, top: int = 0) -> None:
    """Drive the refreshes and print RSS as it goes (and what holds memory, with ``top``)."""
    if top:
        tracemalloc.start()
    estate = Estate(tasks=tasks)
    app = pushed_app()
    started = time.perf_counter()
    async with app.run_test(size=(200, 50)) as pilot:
        await push(pilot, estate.snapshot())
        print(f"after the first snapshot: RSS {rss_mb():.0f} MB", flush=True)
        for i in range(1, refreshes + 1):
            await push(pilot, estate.advance(5.0))
            if i % every == 0:
                gc.collect()
                print(
                    f"refresh {i:4d} ({i * 5 / 60:4.0f} simulated min): RSS {rss_mb():.0f} MB, "
                    f"{len(app.snapshot.tasks)} tasks shown, "
                    f"{time.perf_counter() - started:.0f} s wall",
                    flush=True,
                )
        if top:
            gc.collect()
            held = tracemalloc.take_snapshot().statistics("lineno")
            total = sum(stat.size for stat in held)
            print(f"traced: {total / 1e6:.1f} MB; the {top} lines holding the most:")
            for stat in held[:top]:
                frame = stat.traceback[0]
                print(
                    f"  {stat.size / 1e6:6.1f} MB {stat.count:8d} blocks  {frame.filename}:{frame.lineno}"
                )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--refreshes", type=int, default=360)
    ap.add_argument("--every", type=int, default=60)
    ap.add_argument("--top", type=int, default=0, help="print the N lines holding the most")
    args = ap.parse_args()
    asyncio.run(main(args.tasks, args.refreshes, args.every, args.top))

"""What keeping fgtop open costs in CloudWatch, next to naive polling.

A 1,000-task account (50 services x 20 tasks, Container Insights with enhanced observability),
40 tasks on screen, one simulated hour: fgtop's CloudWatchSource runs through a real Engine
with a fake clock against moto's CloudWatch server over HTTP, and counts what it requests.
Then the ring buffers are fed a simulated day to show memory stays flat.

Run: ``python bench/bench_metrics.py``. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
import tracemalloc
from pathlib import Path

from moto.server import ThreadedMotoServer

from fgtop.engine.core import Engine
from fgtop.model.metrics import USD_PER_METRIC
from fgtop.sources.aws import Aws
from fgtop.sources.cloudwatch import CloudWatchSource
from fgtop.sources.ring import PointRing

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.accounts import REGION, Account, Clock  # noqa: E402

SERVICES, PER_SERVICE, ON_SCREEN = 50, 20, 40
REFRESH = 5  # seconds between task refreshes in the naive poller


async def one_hour(service_insights: str) -> tuple[int, int, int, float]:
    """Metrics requested, calls, projected per hour, and seconds of wall time per poll."""
    account = Account(SERVICES, PER_SERVICE)
    aws = Aws(regions=[REGION])
    cw = CloudWatchSource(aws, service_insights=service_insights)
    t0 = math.floor(time.time() / 3600) * 3600 - 3600
    clock = Clock(t0 + 10)
    engine = Engine([account, cw], clock=clock)
    await engine.poll_once(phase=0)
    spent = 0.0
    for minute in range(60):
        clock.now = t0 + 10 + 60 * minute
        first = 0 if minute < 30 else 500  # one scroll half way through
        engine.hints.visible_tasks = tuple(t.arn for t in account.tasks[first : first + ON_SCREEN])
        engine.hints.selected = account.services[0].arn
        began = time.perf_counter()
        snap = await engine.poll_once()
        spent += time.perf_counter() - began
    await aws.close()
    usage = snap.metrics_usage
    return usage.metrics_requested, usage.calls, usage.per_hour_projected, spent / 60


def ring_memory(series: int, hours: int) -> int:
    """Bytes held by ``series`` rings after ``hours`` of one point a minute."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    rings = [PointRing(720) for _ in range(series)]
    for minute in range(hours * 60):
        for ring in rings:
            ring.merge([(minute * 60.0, float(minute % 100))])
    for ring in rings:
        ring.points()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return used


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address  # noqa: SLF001
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_MAX_ATTEMPTS="1",
    )
    try:
        selected = asyncio.run(one_hour("selected"))
        everything = asyncio.run(one_hour("all"))
    finally:
        server.stop()

    tasks = SERVICES * PER_SERVICE
    rows = [
        ("fgtop (default: services + on-screen tasks)", selected[0], selected[1]),
        ("fgtop, network/storage for every service", everything[0], everything[1]),
        ("naive: every task CPU+mem, every 60 s", tasks * 2 * 60, None),
        (
            f"naive: every task CPU+mem, every {REFRESH} s refresh",
            tasks * 2 * 3600 // REFRESH,
            None,
        ),
        (
            f"naive: every task CPU/mem used+reserved, every {REFRESH} s",
            tasks * 4 * 3600 // REFRESH,
            None,
        ),
    ]
    print(f"{tasks:,} tasks in {SERVICES} services, {ON_SCREEN} on screen, one simulated hour")
    print()
    print(f"{'strategy':<52} {'metrics/h':>11} {'$/h':>8} {'$/day':>8} {'calls/h':>8}")
    for label, metrics, calls in rows:
        usd = metrics * USD_PER_METRIC
        shown_calls = f"{calls:,}" if calls is not None else "-"
        print(f"{label:<52} {metrics:>11,} {usd:>8.3f} {usd * 24:>8.2f} {shown_calls:>8}")
    print()
    print(f"projected per hour by MetricsUsage after the hour: {selected[2]:,} metrics")
    print(f"wall time per poll (client + moto, 1 region): {selected[3] * 1000:.1f} ms")
    series = SERVICES * 2 + ON_SCREEN * 2
    for hours in (1, 12, 24):
        print(
            f"ring memory, {series} series after {hours:>2} h: {ring_memory(series, hours):>10,} B"
        )


if __name__ == "__main__":
    main()

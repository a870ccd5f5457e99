"""Benchmark: the live dashboard on 5,000 Fargate tasks in moto, 50 ms added to every call.

moto (a local server) holds the estate: 2 regions, 2 clusters each, 200 services, 220 task
definitions, ``--tasks`` running tasks. fgtop reaches it through the paging proxy
(``tests/fakes/paging_proxy.py``: list calls paged as real ECS pages them) behind the fault
proxy (``tests/fakes/fault_proxy.py``) adding ``--latency`` to every ECS call; moto and both
proxies run in a server process of their own (moto answering 5,000 tasks in this process
would compete with the app for its GIL). The app is the real one headless (``run_test``) over
a real Engine with the two regions' ``EcsSource``; it is timed from its start (Python's
imports excluded) to the first task rows in the task grid and to all of them, cold (an empty
task-definition cache) and warm (the cache the cold run filled), and the ECS calls each
launch made are counted. Seeding moto takes a while: its time is printed.

Stock moto spends 130-200 ms of CPU on each DescribeTasks of 100 out of 5,000 tasks (it scans
every task for each one; ``bench/bench_moto_percall.py``), and answers one call at a time: the
first poll's 50 of them alone take it 9-11 s, whatever the client does. So by default the
server process gives moto's DescribeTasks an index by ARN (``index_describe_tasks``, checked
against moto's own answer at start); ``--stock-moto`` measures against moto unchanged.

Usage: ``python bench/bench_live.py [--tasks 5000] [--latency 0.05] [--runs 1] [--stock-moto]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: fgtop, tests.fakes
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench_demo_start import cpu_seconds  # noqa: E402
from live_server import REGIONS, LiveServer  # noqa: E402


async def launch(cache_dir: Path, tasks: int) -> tuple[float, float, float, int, int, float]:
    """Seconds to the first task rows, to all of them and to the end of the first poll (task
    definitions and services too); the ECS calls and DescribeTaskDefinition calls by then; the
    CPU seconds this process (fgtop) used."""
    from fgtop.engine.core import Engine
    from fgtop.sources.aws import Aws
    from fgtop.sources.ecs import EcsSource
    from fgtop.sources.taskdef_cache import TaskDefCache
    from fgtop.ui.widgets.task_grid import TaskGrid
    from tests.ui.helpers import pushed_app

    started, cpu = time.perf_counter(), time.process_time()
    aws = Aws(regions=list(REGIONS))
    cache = TaskDefCache(cache_dir)
    sources = [EcsSource(aws, r, taskdef_cache=cache) for r in REGIONS]
    app = pushed_app(sources=tuple(sources))
    engine: Engine = app.feed.engine  # type: ignore[attr-defined]
    engine.closers.append(aws.close)
    first = full = done = 0.0
    async with app.run_test(size=(200, 50)):
        grid = app.screen.query_one(TaskGrid)
        deadline = time.perf_counter() + 300
        while time.perf_counter() < deadline:
            rows = grid.row_count
            now = time.perf_counter() - started
            if rows and not first:
                first = now
            if rows >= tasks and not full:
                full = now
            if full and engine.complete:
                done = now
                break
            await asyncio.sleep(0.01)
        calls = sum(s.api_calls() for s in sources)
        taskdefs = sum(s.taskdef_calls for s in sources)
    return first, full, done, calls, taskdefs, time.process_time() - cpu


def main() -> None:
    """Seed (in a server process, so moto does not share this one's GIL), then a cold and a
    warm launch per run."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument(
        "--stock-moto",
        action="store_true",
        help="keep moto's DescribeTasks, which scans all 5,000 tasks per call (130-200 ms of CPU)",
    )
    args = ap.parse_args()
    with LiveServer(args.tasks, args.latency, stock=args.stock_moto) as server:
        os.environ.update(server.env())
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as cache:
                for label in ("cold", "warm"):
                    busy = cpu_seconds(server.pid)
                    first, full, done, calls, taskdefs, cpu = asyncio.run(
                        launch(Path(cache), args.tasks)
                    )
                    busy = cpu_seconds(server.pid) - busy
                    print(
                        f"{label}: first task rows {first:.2f} s, all {args.tasks} {full:.2f} s, "
                        f"first poll over {done:.2f} s, "
                        f"ECS calls {calls} (DescribeTaskDefinition {taskdefs}), "
                        f"{args.latency * 1000:.0f} ms added per call, "
                        f"CPU: fgtop {cpu:.2f} s, the server process (moto, proxies) {busy:.2f} s; "
                        f"load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()

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

Usage: ``python bench/bench_live.py [--tasks 5000] [--latency 0.05] [--runs 1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from moto.server import ThreadedMotoServer

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: fgtop, tests.fakes

from tests.fakes.aws_world import add_service, client, network, register  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1")
ECS_OPS = (
    "ListClusters",
    "DescribeClusters",
    "ListServices",
    "DescribeServices",
    "ListTasks",
    "DescribeTasks",
    "DescribeTaskDefinition",
)


def seed(endpoint: str, tasks: int, services: int = 200, families: int = 220) -> None:
    """The estate: per region 2 clusters; services' tasks spread over the task definitions."""
    per_service = max(1, tasks // services)
    s = 0
    for r, region in enumerate(REGIONS):
        ecs = client("ecs", region, endpoint)
        net = network(region, endpoint)
        tds = [register(ecs, f"app-{r}-{f:03d}") for f in range(families // len(REGIONS))]
        for c in range(2):
            cluster = f"prod-{c}"
            ecs.create_cluster(clusterName=cluster)
            for _ in range(services // 4):
                name = f"svc-{s:03d}"
                td = tds[s % len(tds)]
                add_service(ecs, cluster, name, td, net, per_service)
                s += 1


class Proxies:
    """The paging proxy behind the fault proxy, on their own loop in a thread."""

    def __init__(self, upstream: str, latency: float) -> None:
        from tests.fakes.fault_proxy import FaultProxy
        from tests.fakes.paging_proxy import PagingProxy

        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.paging = PagingProxy(upstream)
        self.fault = FaultProxy("")

        async def start() -> str:
            self.fault.upstream = await self.paging.start()
            self.fault.delay = dict.fromkeys(ECS_OPS, latency)
            return await self.fault.start()

        self.url = asyncio.run_coroutine_threadsafe(start(), self.loop).result()


async def launch(cache_dir: Path, tasks: int) -> tuple[float, float, float, int, int]:
    """Seconds to the first task rows, to all of them and to the end of the first poll (task
    definitions and services too); the ECS calls and DescribeTaskDefinition calls by then."""
    from fgtop.engine.core import Engine
    from fgtop.sources.aws import Aws
    from fgtop.sources.ecs import EcsSource
    from fgtop.sources.taskdef_cache import TaskDefCache
    from fgtop.ui.widgets.task_grid import TaskGrid
    from tests.ui.helpers import pushed_app

    started = time.perf_counter()
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
    return first, full, done, calls, taskdefs


def serve(tasks: int, latency: float) -> None:
    """The server process: moto seeded, the proxies; prints the endpoint, serves until killed."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address  # noqa: SLF001
    moto = f"http://{host}:{port}"
    requests.post(
        f"{moto}/moto-api/state-manager/set-transition",
        json={"model_name": "ecs::task", "transition": {"progression": "manual", "times": 999999}},
        timeout=5,
    )
    t0 = time.perf_counter()
    seed(moto, tasks)
    print(f"seeded moto with {tasks} tasks in {time.perf_counter() - t0:.0f} s", flush=True)
    proxies = Proxies(moto, latency)
    print(f"ready {proxies.url}", flush=True)
    threading.Event().wait()


def main() -> None:
    """Seed (in a server process, so moto does not share this one's GIL), then a cold and a
    warm launch per run."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.tasks, args.latency)
        return
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", f"--tasks={args.tasks}", f"--latency={args.latency}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = ""
        for line in child.stdout:
            if line.startswith("ready "):
                url = line.split()[1]
                break
            print(line.rstrip(), flush=True)
        os.environ.update(
            AWS_ENDPOINT_URL=url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGIONS[0],
        )
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as cache:
                for label in ("cold", "warm"):
                    first, full, done, calls, taskdefs = asyncio.run(
                        launch(Path(cache), args.tasks)
                    )
                    print(
                        f"{label}: first task rows {first:.2f} s, all {args.tasks} {full:.2f} s, "
                        f"first poll over {done:.2f} s, "
                        f"ECS calls {calls} (DescribeTaskDefinition {taskdefs}), "
                        f"{args.latency * 1000:.0f} ms added per call; "
                        f"load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()

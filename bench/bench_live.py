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
import logging
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
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench_demo_start import cpu_seconds  # noqa: E402

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


def index_describe_tasks() -> None:
    """Give moto's DescribeTasks an index by task ARN. Stock moto scans every task of every
    cluster for each call and tests each one against each requested ARN (a substring test too),
    so a DescribeTasks of 100 out of 5,000 tasks costs it 130-200 ms of CPU in one process, where
    ECS answers in 50-100 ms and in parallel. With full ARNs, as fgtop sends them, the index
    returns the same tasks (``check_index`` compares the two on the seeded estate)."""
    from moto.ecs.models import EC2ContainerServiceBackend, InvalidParameterException

    stock = EC2ContainerServiceBackend.describe_tasks

    def describe_tasks(self, cluster_str, tasks):  # noqa: ANN001, ANN202
        self._get_cluster(cluster_str)
        if not tasks:
            raise InvalidParameterException("Tasks cannot be empty.")
        index = {arn: task for cluster in self.tasks.values() for arn, task in cluster.items()}
        if not all(t.startswith("arn:") and t in index for t in tasks):
            return stock(self, cluster_str, tasks)  # short ids or unknown ARNs: moto's own way
        found = [index[t] for t in dict.fromkeys(tasks)]
        for task in found:
            task.advance()
        return found

    describe_tasks.stock = stock  # type: ignore[attr-defined]
    EC2ContainerServiceBackend.describe_tasks = describe_tasks  # type: ignore[method-assign]


def memoize_backend_lookup() -> None:
    """Remember which moto backend serves a host. Stock moto works it out for every request,
    under a lock all its request threads share, listing its ~150 service modules with a
    ``stat`` each (``list_of_moto_modules``); the answer for a host never changes."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lookup = DomainDispatcherApplication.get_backend_for_host
    known: dict[str | None, object] = {}

    def get_backend_for_host(self, host):  # noqa: ANN001, ANN202
        if host not in known:
            known[host] = lookup(self, host)
        return known[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def check_index(endpoint: str) -> None:
    """The indexed DescribeTasks returns what stock moto returns, for a batch of each cluster."""
    from moto.backends import get_backend
    from moto.ecs.models import EC2ContainerServiceBackend

    indexed = EC2ContainerServiceBackend.describe_tasks
    for region in REGIONS:
        ecs = client("ecs", region, endpoint)
        backend = get_backend("ecs")["123456789012"][region]
        for cluster in ecs.list_clusters()["clusterArns"]:
            arns = ecs.list_tasks(cluster=cluster)["taskArns"][:100]
            want = sorted(t.task_arn for t in indexed.stock(backend, cluster, arns))
            got = sorted(t.task_arn for t in indexed(backend, cluster, arns))
            assert got == want and len(got) == len(arns), (
                f"indexed DescribeTasks differs: {cluster}"
            )


def serve(tasks: int, latency: float, stock: bool = False) -> None:
    """The server process: moto seeded, the proxies; prints the endpoint, serves until killed."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    if not stock:
        index_describe_tasks()
        memoize_backend_lookup()
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
    if not stock:
        check_index(moto)
        print(
            "moto's DescribeTasks indexed by ARN and its backend lookup memoized "
            "(--stock-moto for moto unchanged)",
            flush=True,
        )
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
    ap.add_argument(
        "--stock-moto",
        action="store_true",
        help="keep moto's DescribeTasks, which scans all 5,000 tasks per call (130-200 ms of CPU)",
    )
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.tasks, args.latency, args.stock_moto)
        return
    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            f"--tasks={args.tasks}",
            f"--latency={args.latency}",
            *(["--stock-moto"] if args.stock_moto else []),
        ],
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
                    busy = cpu_seconds(child.pid)
                    first, full, done, calls, taskdefs, cpu = asyncio.run(
                        launch(Path(cache), args.tasks)
                    )
                    busy = cpu_seconds(child.pid) - busy
                    print(
                        f"{label}: first task rows {first:.2f} s, all {args.tasks} {full:.2f} s, "
                        f"first poll over {done:.2f} s, "
                        f"ECS calls {calls} (DescribeTaskDefinition {taskdefs}), "
                        f"{args.latency * 1000:.0f} ms added per call, "
                        f"CPU: fgtop {cpu:.2f} s, the server process (moto, proxies) {busy:.2f} s; "
                        f"load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()

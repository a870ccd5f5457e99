"""The live benchmarks' AWS: moto seeded with an estate, behind proxies, in a process of its own.

moto (a local server) holds the estate; fgtop reaches it through the paging proxy
(``tests/fakes/paging_proxy.py``: list calls paged as real ECS pages them) behind the fault
proxy (``tests/fakes/fault_proxy.py``) adding ``--latency`` to every ECS call. The fake
Compute Optimizer (``tests/fakes/compute_optimizer.py``) answers as ``--co-mode`` says
(``not_enrolled`` by default: what most accounts answer; ``broken``: HTTP 500; ``hang``: never).
Everything runs in a server process of its own: moto answering 20,000 tasks in the measured
process would compete with the app for its GIL.

Estates: ``--tasks N`` (2 regions, 2 clusters each, 200 services, 220 task definitions), or
``--small`` (207 tasks in 3 clusters of one region: 69 services of 3 tasks).

Stock moto spends 130-200 ms of CPU on each DescribeTasks of 100 out of 5,000 tasks (it scans
every task for each one; ``bench/bench_moto_percall.py``), and answers one call at a time. So
by default the server process gives moto's DescribeTasks an index by ARN
(``index_describe_tasks``, checked against moto's own answer at start); ``--stock-moto``
measures against moto unchanged.

Use :class:`LiveServer` (a context manager) from a benchmark; ``env()`` is what the fgtop
process needs to reach it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
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


def seed_small(endpoint: str) -> None:
    """207 tasks in 3 clusters of one region (the issue's grapes-ecs comparison)."""
    region = REGIONS[0]
    ecs = client("ecs", region, endpoint)
    net = network(region, endpoint)
    tds = [register(ecs, f"small-{f}") for f in range(6)]
    s = 0
    for c in range(3):
        cluster = f"small-{c}"
        ecs.create_cluster(clusterName=cluster)
        for _ in range(23):
            add_service(ecs, cluster, f"svc-{s:03d}", tds[s % len(tds)], net, 3)
            s += 1


def start_moto(*, stock: bool) -> str:
    """moto's server in this process (indexed and memoized unless ``stock``), its tasks held
    in their state (no progression); its URL."""
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
    return moto


def serve(tasks: int, latency: float, *, stock: bool, small: bool, co_mode: str) -> None:
    """The server process: moto seeded, the proxies, the fake Compute Optimizer; prints
    ``ready URL CO_URL`` and serves until killed."""
    from tests.fakes.compute_optimizer import FakeComputeOptimizer

    moto = start_moto(stock=stock)
    t0 = time.perf_counter()
    if small:
        seed_small(moto)
    else:
        seed(moto, tasks)
    print(
        f"seeded moto with {207 if small else tasks} tasks in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    if not stock:
        check_index(moto)
        print(
            "moto's DescribeTasks indexed by ARN and its backend lookup memoized "
            "(--stock-moto for moto unchanged)",
            flush=True,
        )
    proxies = Proxies(moto, latency)
    optimizer = FakeComputeOptimizer()
    optimizer.start()
    optimizer.state.mode = co_mode
    print(f"ready {proxies.url} {optimizer.url}", flush=True)
    threading.Event().wait()


class LiveServer:
    """The server process, started and seeded on entry, killed on exit.

    Args:
        tasks: Running tasks in the big estate.
        latency: Seconds added to every ECS call.
        stock: moto unchanged (no index, no memo).
        small: The 207-task estate instead.
        co_mode: What the fake Compute Optimizer answers.
    """

    def __init__(
        self,
        tasks: int = 5000,
        latency: float = 0.05,
        *,
        stock: bool = False,
        small: bool = False,
        co_mode: str = "not_enrolled",
    ) -> None:
        self.args = [
            f"--tasks={tasks}",
            f"--latency={latency}",
            f"--co-mode={co_mode}",
            *(["--stock-moto"] if stock else []),
            *(["--small"] if small else []),
        ]
        self.child: subprocess.Popen | None = None
        self.url = ""
        self.optimizer_url = ""

    def __enter__(self) -> LiveServer:
        self.child = subprocess.Popen(
            [sys.executable, __file__, "--serve", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.child.stdout is not None
        for line in self.child.stdout:
            if line.startswith("ready "):
                self.url, self.optimizer_url = line.split()[1:3]
                break
            print(line.rstrip(), flush=True)
        if not self.url:
            raise RuntimeError("the server process did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.child is not None:
            self.child.kill()
            self.child.wait()

    @property
    def pid(self) -> int:
        """The server process's id (for its CPU time)."""
        assert self.child is not None
        return self.child.pid

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment for an fgtop process against this server (no real AWS variable)."""
        env = {
            k: v
            for k, v in (os.environ if base is None else base).items()
            if not k.startswith("AWS_") and k != "KUBECONFIG"
        }
        env.update(
            AWS_ENDPOINT_URL=self.url,
            AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER=self.optimizer_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGIONS[0],
            AWS_EC2_METADATA_DISABLED="true",
        )
        return env


def main() -> None:
    """The server process's entry (``--serve``)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--stock-moto", action="store_true")
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--co-mode", default="not_enrolled")
    args = ap.parse_args()
    serve(
        args.tasks,
        args.latency,
        stock=args.stock_moto,
        small=args.small,
        co_mode=args.co_mode,
    )


if __name__ == "__main__":
    main()

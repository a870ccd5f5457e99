"""Benchmark: `fgtop snapshot` for 1,000 tasks against a local moto server.

Prints the wall time of the command (median of runs) and the ECS API calls it made next to
the minimum that the API page sizes allow. Numbers, not pass/fail: see docs/performance.md.

    python bench/bench_snapshot.py [--tasks 1000] [--services 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.aws_world import add_service, client, network, register  # noqa: E402


def minimum_calls(clusters: int, services: int, tasks: float, families: int, page: int) -> int:
    """The fewest ECS calls one full poll can make, for a given list page size."""
    per_cluster = (
        math.ceil(services / page)  # list_services
        + max(1, math.ceil(tasks / page))  # list_tasks RUNNING
        + 1  # list_tasks STOPPED
        + math.ceil(services / 10)  # describe_services, 10 per call
        + math.ceil(tasks / 100)  # describe_tasks, 100 per call
    )
    # list_clusters + describe_clusters + per cluster + describe_task_definition once per ARN
    return (
        max(1, math.ceil(clusters / page))
        + math.ceil(clusters / 100)
        + clusters * per_cluster
        + families
    )


async def breakdown(env: dict[str, str]) -> None:
    """One poll in-process, to print the calls per operation."""
    os.environ.update(env)
    from fgtop.sources.aws import Aws
    from fgtop.sources.ecs import EcsSource

    aws = Aws(regions=["us-east-1"])
    await EcsSource(aws, "us-east-1").poll()
    await aws.close()
    ops = {k: v for k, v in sorted(aws.calls.items()) if "." in k}
    print("per operation:", ", ".join(f"{k.split('.')[1]} {v}" for k, v in ops.items()))


def main() -> None:
    """Arrange the estate, run the command, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--services", type=int, default=40)
    ap.add_argument("--clusters", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--families", type=int, default=4, help="task definitions")
    args = ap.parse_args()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address
    url = f"http://{host}:{port}"
    requests.post(
        f"{url}/moto-api/state-manager/set-transition",
        json={"model_name": "ecs::task", "transition": {"progression": "manual", "times": 999999}},
        timeout=5,
    )
    t0 = time.perf_counter()
    ecs = client("ecs", "us-east-1", url)
    net = network("us-east-1", url)
    families = [register(ecs, f"fam{i}") for i in range(args.families)]
    per_cluster_services = args.services // args.clusters
    per_service = args.tasks // args.services
    for c in range(args.clusters):
        name = f"big{c}"
        ecs.create_cluster(clusterName=name)
        for s in range(per_cluster_services):
            svc = f"svc{s:03d}"
            td = families[s % len(families)]
            add_service(ecs, name, svc, td, net, per_service)
    print(
        f"arranged {args.tasks} tasks, {args.services} services in {time.perf_counter() - t0:.1f}s"
    )

    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_MAX_ATTEMPTS="1",
        AWS_REGION="us-east-1",
    )
    import tempfile

    warm_cache = tempfile.mkdtemp(prefix="fgtop-bench-cache-")
    times: dict[str, list[float]] = {"cold": [], "warm": []}
    calls_by: dict[str, int] = {}
    doc = {}
    # Cold: an empty task-definition cache each run; warm: the cache the previous run left.
    for mode in ("cold", "warm"):
        for _ in range(args.runs):
            cache = tempfile.mkdtemp(prefix="fgtop-bench-cold-") if mode == "cold" else warm_cache
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "fgtop", "snapshot"],
                capture_output=True,
                text=True,
                env={**env, "XDG_CACHE_HOME": cache},
            )
            if proc.returncode:
                sys.exit(f"fgtop snapshot failed: {proc.stderr.strip()}")
            times[mode].append(time.perf_counter() - start)
            doc = json.loads(proc.stdout)
            calls_by[mode] = sum(
                s["api_calls"] for s in doc["sources"] if s["name"].startswith("ecs")
            )
    for mode in ("cold", "warm"):
        print(
            f"{mode} task-definition cache: wall time median {statistics.median(times[mode]):.2f}s"
            f" (runs: {', '.join(f'{t:.2f}' for t in times[mode])}); ECS calls {calls_by[mode]}"
        )
    calls = calls_by["cold"]
    tasks = len(doc["tasks"])
    per_cluster_tasks = tasks / args.clusters
    minimum_moto = minimum_calls(
        args.clusters, per_cluster_services, per_cluster_tasks, len(families), 10**9
    )
    minimum = minimum_calls(
        args.clusters, per_cluster_services, per_cluster_tasks, len(families), 100
    )
    print(f"tasks in snapshot: {tasks}")
    print(
        f"ECS API calls: {calls}; minimum for moto's page sizes (one page per list): {minimum_moto}; "
        f"minimum for real AWS page sizes (100 per list page): {minimum}; plus sts:GetCallerIdentity 1"
    )
    asyncio.run(breakdown(env))
    server.stop()


if __name__ == "__main__":
    main()

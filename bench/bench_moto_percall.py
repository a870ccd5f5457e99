"""Benchmark: how long moto itself takes to answer DescribeTasks at 5,000 tasks.

    python bench/bench_moto_percall.py

It seeds the estate of ``bench_live.py`` (5,000 tasks, 2 regions, 4 clusters) and times
DescribeTasks of 100 tasks, one at a time and 8 at once (fgtop's ECS concurrency), against moto
alone: no proxy, no fgtop. It tells how much of ``bench_live``'s "all 5,000 rows" is moto's;
then the same with the index and memo ``bench_live`` gives moto by default.
Numbers, not pass/fail: see docs/performance.md.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from moto.server import ThreadedMotoServer

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: tests.fakes
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench_live import REGIONS, index_describe_tasks, memoize_backend_lookup, seed  # noqa: E402

from tests.fakes.aws_world import client  # noqa: E402


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address  # noqa: SLF001
    url = f"http://{host}:{port}"
    t0 = time.perf_counter()
    seed(url, 5000)
    print(f"seeded moto with 5000 tasks in {time.perf_counter() - t0:.0f} s")
    ecs = client("ecs", REGIONS[0], url)
    cluster = ecs.list_clusters()["clusterArns"][0]
    arns = [
        a
        for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster)
        for a in page["taskArns"]
    ]
    batches = [arns[i : i + 100] for i in range(0, len(arns), 100)][:16]
    clients = [client("ecs", REGIONS[0], url) for _ in range(8)]
    for label in ("stock moto", "moto with bench_live's index and memo"):
        if label != "stock moto":
            index_describe_tasks()
            memoize_backend_lookup()
        alone = []
        for batch in batches:
            t = time.perf_counter()
            ecs.describe_tasks(cluster=cluster, tasks=batch)
            alone.append(time.perf_counter() - t)
        t = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(
                pool.map(
                    lambda ib: clients[ib[0] % 8].describe_tasks(cluster=cluster, tasks=ib[1]),
                    enumerate(batches),
                )
            )
        wall = time.perf_counter() - t
        print(
            f"{label}: {len(arns)} tasks in the cluster; DescribeTasks of 100, one at a time: "
            f"median {statistics.median(alone) * 1000:.0f} ms ({len(batches)} calls, "
            f"{sum(alone):.2f} s); 8 at once: {wall:.2f} s wall "
            f"({wall / len(batches) * 1000:.0f} ms a call)"
        )
    server.stop()


if __name__ == "__main__":
    main()

"""Benchmark the cost estimators on a large synthetic estate (prints numbers, asserts nothing).

Run: /work/venv/bin/python bench/bench_cost.py
"""

from __future__ import annotations

import time
from pathlib import Path

from fgtop.cost.estate import estate_cost
from fgtop.cost.prices import load_price_table
from fgtop.cost.rightsizing import suggest
from fgtop.model import MetricSeries, Pod, Service, Snapshot, Task

T0 = 1_800_000_000.0


def estate(services: int, tasks_per_service: int, pods: int) -> Snapshot:
    """A snapshot with ``services`` services of ``tasks_per_service`` tasks, plus pods."""
    svcs, tasks, metrics = [], [], []
    for s in range(services):
        cluster = f"arn:aws:ecs:us-east-1:1:cluster/c{s % 5}"
        svc = Service(
            name=f"svc{s}",
            arn=f"arn:aws:ecs:us-east-1:1:service/c{s % 5}/svc{s}",
            cluster=cluster,
            region="us-east-1",
            status="ACTIVE",
            desired=tasks_per_service,
            running=tasks_per_service,
            pending=0,
        )
        svcs.append(svc)
        for i in range(tasks_per_service):
            tasks.append(
                Task(
                    arn=f"arn:aws:ecs:us-east-1:1:task/c{s % 5}/{s:016x}{i:016x}",
                    cluster=cluster,
                    region="us-east-1",
                    task_definition="td",
                    last_status="RUNNING",
                    desired_status="RUNNING",
                    service=svc.name,
                    cpu=1024,
                    memory=4096,
                    arch="x86_64",
                    capacity_provider="FARGATE_SPOT" if i % 3 == 0 else "FARGATE",
                    started_at=T0,
                )
            )
        pts = tuple((T0 + k * 60, 5.0 + (k * 7 + s) % 30) for k in range(180))
        metrics += [
            MetricSeries(svc.arn, "cpu", "AWS/ECS", pts),
            MetricSeries(svc.arn, "memory", "AWS/ECS", pts),
        ]
    pod_list = [
        Pod(
            namespace="ns",
            name=f"p{i}",
            cluster="eks",
            context=None,
            scheduler="fargate-scheduler",
            phase="Running",
            started_at=T0,
            annotations={"CapacityProvisioned": "0.5vCPU 1GB"},
        )
        for i in range(pods)
    ]
    return Snapshot(
        taken_at=T0 + 3 * 3600,
        regions=("us-east-1",),
        services=tuple(svcs),
        tasks=tuple(tasks),
        pods=tuple(pod_list),
        metrics=tuple(metrics),
    )


def timeit(fn, repeat: int = 5) -> float:  # noqa: ANN001
    """Best wall time of ``repeat`` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> None:
    """Print timings for a few estate sizes."""
    table = load_price_table(Path("/nonexistent-cache"))
    print(f"load_price_table: {timeit(lambda: load_price_table(Path('/nonexistent'))):.2f} ms")
    for services, per, pods in [(20, 5, 50), (200, 10, 500), (500, 10, 2000)]:
        snap = estate(services, per, pods)
        n = len(snap.tasks)
        ms = timeit(lambda snap=snap: estate_cost(snap, table, snap.taken_at))
        print(f"estate_cost {n} tasks + {pods} pods, {services} services: {ms:.1f} ms")
        ms = timeit(lambda snap=snap: suggest(snap, table), repeat=3)
        print(f"suggest {services} services (180 points each): {ms:.1f} ms")


if __name__ == "__main__":
    main()

"""Benchmark the on-call data path: problems, alerts and timeline on a large estate.

Prints numbers, asserts nothing. Run: /work/venv/bin/python bench/bench_oncall.py
"""

from __future__ import annotations

import time

from fgtop.derive.alerts import DEFAULT_RULES, AlertEvaluator
from fgtop.derive.problems import find_problems
from fgtop.derive.timeline import Timeline
from fgtop.model import (
    Container,
    ContainerState,
    KubeEvent,
    MetricSeries,
    Pod,
    PodContainer,
    Service,
    ServiceEvent,
    Snapshot,
    Task,
)

T0 = 1_800_000_000.0
P = "arn:aws:ecs:us-east-1:123456789012"


def estate(services: int, tasks_per_service: int, pods: int, t: float, step: int) -> Snapshot:
    """A snapshot at ``t``; ``step`` rotates which tasks are stopped and which pods restart."""
    svcs, tasks, metrics = [], [], []
    for s in range(services):
        arn = f"{P}:service/c{s % 5}/svc{s}"
        running = tasks_per_service - (1 if s % 7 == 0 else 0)
        events = tuple(
            ServiceEvent(f"svc{s}-e{step - k}", t - 30 * k, f"(service svc{s}) event {step - k}")
            for k in range(5)
        )
        svcs.append(
            Service(
                f"svc{s}",
                arn,
                f"c{s % 5}",
                "us-east-1",
                "ACTIVE",
                tasks_per_service,
                running,
                0,
                events=events,
            )
        )
        for i in range(tasks_per_service):
            tid = f"{s:04d}{i:04d}{step if (s + i) % 11 == 0 else 0:06d}"
            stopped = (s + i) % 11 == 0
            tasks.append(
                Task(
                    arn=f"{P}:task/c{s % 5}/{tid}",
                    cluster=f"c{s % 5}",
                    region="us-east-1",
                    task_definition=f"{P}:task-definition/svc{s}:1",
                    last_status="STOPPED" if stopped else "RUNNING",
                    desired_status="STOPPED" if stopped else "RUNNING",
                    service=f"svc{s}",
                    started_at=t - 600,
                    stopped_at=t - 5 if stopped else None,
                    stop_code="EssentialContainerExited" if stopped else None,
                    stopped_reason="Essential container in task exited" if stopped else None,
                    containers=(Container("app", exit_code=137 if stopped else None),),
                )
            )
        points = tuple((t - 60 * (10 - k), 50.0 + (40 if s % 13 == 0 else 0)) for k in range(10))
        metrics.append(MetricSeries(arn, "cpu", "AWS/ECS", points))
        metrics.append(MetricSeries(arn, "memory", "AWS/ECS", points))
    pod_list, events = [], []
    for p in range(pods):
        crash = p % 17 == 0
        state = (
            ContainerState("waiting", "CrashLoopBackOff") if crash else ContainerState("running")
        )
        last = ContainerState("terminated", "OOMKilled", exit_code=137) if crash else None
        pod_list.append(
            Pod(
                namespace=f"ns{p % 10}",
                name=f"pod-{p}",
                cluster="eks",
                context=None,
                phase="Running",
                containers=(
                    PodContainer(
                        "app", restarts=step if crash else 0, state=state, last_state=last
                    ),
                ),
            )
        )
        if crash:
            events.append(
                KubeEvent(
                    "eks", f"ns{p % 10}", f"pod-{p}", "BackOff", "Back-off", "Warning", step, t
                )
            )
    return Snapshot(
        taken_at=t,
        services=tuple(svcs),
        tasks=tuple(tasks),
        pods=tuple(pod_list),
        kube_events=tuple(events),
        metrics=tuple(metrics),
    )


def bench(label: str, fn, runs: int) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for i in range(runs):
        fn(i)
    per = (time.perf_counter() - start) / runs * 1000
    print(f"{label:<52} {per:8.2f} ms")


def run(services: int, per: int, pods: int) -> None:
    """Time each step over ten consecutive snapshots of one estate."""
    frames = [estate(services, per, pods, T0 + 60 * i, i) for i in range(10)]
    print(f"estate: {services} services, {services * per} tasks, {pods} pods")
    bench(
        "  find_problems per snapshot", lambda i: find_problems(frames[i], frames[i].taken_at), 10
    )
    ev = AlertEvaluator(DEFAULT_RULES)
    bench("  AlertEvaluator.feed per snapshot (default rules)", lambda i: ev.feed(frames[i]), 10)
    tl = Timeline()
    bench("  Timeline.feed per snapshot", lambda i: tl.feed(frames[i]), 10)
    bench(
        "  Timeline.entries('svc1 event') over all entries", lambda i: tl.entries("svc1 event"), 10
    )
    print(f"  timeline entries: {len(tl)}; active alerts: {len(ev.active)}")


def main() -> None:
    """Print per-snapshot times for a small and a large estate."""
    run(50, 4, 200)
    run(300, 10, 2000)


if __name__ == "__main__":
    main()

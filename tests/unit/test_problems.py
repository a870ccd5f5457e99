"""The problems list: what is broken, most severe first, then newest."""

from __future__ import annotations

import itertools
import json

from fgtop.derive.problems import PENDING_GRACE, find_problems, problems_json
from fgtop.model import (
    Container,
    ContainerState,
    Deployment,
    FargateProfile,
    FargateSelector,
    KubeCluster,
    KubeWorkload,
    Pod,
    PodContainer,
    Service,
    ServiceEvent,
    Snapshot,
    Task,
)

NOW = 1_795_860_000.0  # 2026-11-28T10:40:00Z
ACCT = "210987654321"
REGION = "eu-west-1"
CLUSTER = "shop-prod"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCT}:{kind}/{name}"


def service(name: str, desired: int, running: int, **kw: object) -> Service:
    return Service(
        name=name,
        arn=arn("service", f"{CLUSTER}/{name}"),
        cluster=CLUSTER,
        region=REGION,
        status="ACTIVE",
        desired=desired,
        running=running,
        pending=int(kw.pop("pending", 0)),  # type: ignore[call-overload]
        task_definition=arn("task-definition", f"{name}:3"),
        **kw,  # type: ignore[arg-type]
    )


def stopped(
    svc: str,
    task_id: str,
    ago: float,
    reason: str,
    *containers: Container,
    stop_code: str = "EssentialContainerExited",
    td: str | None = None,
) -> Task:
    return Task(
        arn=arn("task", f"{CLUSTER}/{task_id}"),
        cluster=CLUSTER,
        region=REGION,
        task_definition=td or arn("task-definition", f"{svc}:3"),
        last_status="STOPPED",
        desired_status="STOPPED",
        service=svc,
        group=f"service:{svc}",
        started_at=NOW - ago - 300,
        stopped_at=NOW - ago,
        stop_code=stop_code,
        stopped_reason=reason,
        containers=containers,
    )


def running(svc: str, task_id: str, health: str = "HEALTHY") -> Task:
    return Task(
        arn=arn("task", f"{CLUSTER}/{task_id}"),
        cluster=CLUSTER,
        region=REGION,
        task_definition=arn("task-definition", f"{svc}:3"),
        last_status="RUNNING",
        desired_status="RUNNING",
        service=svc,
        group=f"service:{svc}",
        health=health,
        started_at=NOW - 7200,
        containers=(Container("app", health=health),),
    )


OOM = Container(
    "worker", exit_code=137, reason="OutOfMemoryError: Container killed due to memory usage"
)
ESSENTIAL = "Essential container in task exited"
PULL = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
    f" resolve ref {ACCT}.dkr.ecr.{REGION}.amazonaws.com/payments:v2: not found"
)


def pod(name: str, ns: str = "shop", **kw: object) -> Pod:
    return Pod(
        namespace=ns,
        name=name,
        cluster="shop-eks",
        context=None,
        region=REGION,
        scheduler="fargate-scheduler",
        **kw,
    )  # type: ignore[arg-type]


def snapshot() -> Snapshot:
    worker_deps = (
        Deployment(
            "ecs-svc/556",
            "PRIMARY",
            arn("task-definition", "shop-worker:11"),
            3,
            1,
            2,
            rollout_state="IN_PROGRESS",
            rollout_state_reason="ECS deployment detected failure. Rolling back to ecs-svc/556.",
        ),
        Deployment(
            "ecs-svc/712",
            "ACTIVE",
            arn("task-definition", "shop-worker:12"),
            0,
            0,
            0,
            failed_tasks=5,
            rollout_state="FAILED",
            created_at=NOW - 2500,
            rollout_state_reason="ECS deployment circuit breaker: tasks failed to start.",
        ),
    )
    services = (
        service("shop-api", 6, 6),
        service(
            "shop-worker",
            3,
            1,
            pending=2,
            deployments=worker_deps,
            events=(
                ServiceEvent(
                    "e3",
                    NOW - 1500,
                    "(service shop-worker) (deployment ecs-svc/712)"
                    " deployment failed: tasks failed to start.",
                ),
                ServiceEvent("e1", NOW - 9000, "(service shop-worker) has reached a steady state."),
            ),
        ),
        service("payments", 2, 0, pending=2),
    )
    td12 = arn("task-definition", "shop-worker:12")
    tasks = (
        running("shop-api", "a1"),
        running("shop-api", "a2", health="UNHEALTHY"),
        stopped(
            "shop-api",
            "a0",
            200,
            "Scaling activity initiated by (deployment ecs-svc/1)",
            stop_code="ServiceSchedulerInitiated",
        ),
        stopped(
            "shop-api", "s0", 100, "Your Spot Task was interrupted.", stop_code="SpotInterruption"
        ),
        stopped("shop-worker", "w1", 2000, ESSENTIAL, OOM, td=td12),
        stopped("shop-worker", "w2", 1200, ESSENTIAL, OOM, td=td12),
        stopped("shop-worker", "w3", 600, ESSENTIAL, OOM),
        stopped("shop-worker", "w0", 5000, ESSENTIAL, OOM),  # over an hour ago: history
        stopped("payments", "p1", 900, PULL, stop_code="TaskFailedToStart"),
        stopped("payments", "p2", 300, PULL, stop_code="TaskFailedToStart"),
    )
    pods = (
        pod(
            "cart-7d9f6c5b8-x2k4p",
            phase="Running",
            containers=(PodContainer("cart", ready=True, state=ContainerState("running")),),
        ),
        pod(
            "checkout-55c8d7f9b-m7q2z",
            phase="Running",
            containers=(
                PodContainer(
                    "checkout",
                    restarts=9,
                    state=ContainerState("waiting", "CrashLoopBackOff"),
                    last_state=ContainerState(
                        "terminated", "OOMKilled", exit_code=137, finished_at=NOW - 40
                    ),
                ),
            ),
        ),
        pod(
            "spark-driver-0",
            ns="analytics",
            phase="Pending",
            created_at=NOW - 1200,
            labels={"app": "spark-driver"},
            conditions=(
                ("PodScheduled", "False", "Unschedulable", "no nodes available to schedule pods"),
            ),
        ),
        pod("cart-7d9f6c5b8-new", phase="Pending", created_at=NOW - 30),
        pod("cart-7d9f6c5b8-old", phase="Pending", created_at=NOW - PENDING_GRACE - 60),
    )
    kube = KubeCluster(
        "shop-eks",
        region=REGION,
        fargate_profiles=(
            FargateProfile("fp-shop", "shop-eks", selectors=(FargateSelector("shop"),)),
        ),
    )
    workloads = (KubeWorkload("shop-eks", "shop", "checkout", desired=2, ready=1, available=1),)
    return Snapshot(
        taken_at=NOW,
        services=services,
        tasks=tasks,
        pods=pods,
        kube_clusters=(kube,),
        workloads=workloads,
    )


def test_most_severe_first_then_newest() -> None:
    problems = find_problems(snapshot(), NOW)
    severities = [p.severity for p in problems]
    assert severities == sorted(severities)
    first = problems[0]
    assert (first.kind, first.title, first.severity) == ("below-desired", "payments", 1)
    assert "0 of 2 tasks running (2 pending)" in first.reason
    assert "image payments:v2 does not exist" in first.reason
    assert first.related_task == arn("task", f"{CLUSTER}/p2")
    assert first.at == NOW - 300 and first.since == NOW - 900
    for a, b in itertools.pairwise(problems):
        if a.severity == b.severity and a.at is not None and b.at is not None:
            assert a.at >= b.at, (a, b)


def test_what_is_and_is_not_a_problem() -> None:
    problems = find_problems(snapshot(), NOW)
    by = {(p.kind, p.title) for p in problems}
    assert ("deployment-rollback", "shop-worker") in by
    assert ("below-desired", "shop-worker") in by
    assert ("oom", "shop-worker") in by
    assert ("image-not-found", "payments") in by
    assert ("health-check-container", "shop-api") in by
    assert ("spot", "shop-api") in by
    assert ("oom", "checkout-55c8d7f9b-m7q2z") in by
    assert ("pending-no-profile", "spark-driver-0") in by
    assert ("pending", "cart-7d9f6c5b8-old") in by
    assert ("below-desired", "Deployment/checkout") in by
    titles = {p.title for p in problems}
    assert "cart-7d9f6c5b8-new" not in titles  # still within the Fargate start-up grace
    assert "cart-7d9f6c5b8-x2k4p" not in titles
    assert not any(p.kind == "scaling" for p in problems)
    assert not any(p.kind == "below-desired" and p.title == "shop-api" for p in problems)
    assert problems[-1].kind == "spot" and problems[-1].severity == 4


def test_stopped_tasks_are_grouped_and_windowed() -> None:
    oom = next(
        p for p in find_problems(snapshot(), NOW) if p.kind == "oom" and p.title == "shop-worker"
    )
    assert oom.count == 3  # w0 stopped more than an hour ago
    assert oom.target == oom.related_task == arn("task", f"{CLUSTER}/w3")
    assert oom.at == NOW - 600 and oom.since == NOW - 2000
    assert "3 tasks in the last hour" in oom.reason
    later = find_problems(snapshot(), NOW + 3600)
    assert not any(
        p.kind in ("oom", "image-not-found")
        and p.target.startswith("arn:")
        and ":task/" in p.target
        for p in later
    )


def test_rollback_points_at_a_task_of_the_failed_revision() -> None:
    rollback = next(p for p in find_problems(snapshot(), NOW) if p.kind == "deployment-rollback")
    assert rollback.related_task == arn("task", f"{CLUSTER}/w2")
    # One time per problem: when the deployment failed (its "deployment failed" event), the
    # same in SINCE, in the panel and where the logs open (not the deployment's creation).
    assert rollback.since == rollback.at == NOW - 1500
    assert "shop-worker:12" in rollback.reason and rollback.resolved_at is None
    below = next(
        p
        for p in find_problems(snapshot(), NOW)
        if p.kind == "below-desired" and p.title == "shop-worker"
    )
    assert below.severity == 2 and "killed" in below.reason


def test_pod_targets_and_times() -> None:
    problems = find_problems(snapshot(), NOW)
    crash = next(p for p in problems if p.title.startswith("checkout-"))
    assert crash.target == "shop/checkout-55c8d7f9b-m7q2z"
    assert crash.cluster == "shop-eks" and crash.at == NOW - 40
    spark = next(p for p in problems if p.title == "spark-driver-0")
    assert "namespace analytics" in spark.reason and spark.since == NOW - 1200


def test_healthy_snapshot_has_no_problems() -> None:
    snap = Snapshot(
        taken_at=NOW,
        services=(service("shop-api", 2, 2),),
        tasks=(running("shop-api", "a1"), running("shop-api", "a2")),
    )
    assert find_problems(snap, NOW) == []
    assert problems_json([]) == []


def test_problems_json_shape() -> None:
    rows = problems_json(find_problems(snapshot(), NOW))
    json.dumps(rows)
    assert rows[0]["severity"] == "critical"
    assert {r["severity"] for r in rows} <= {"critical", "high", "medium", "low"}
    for r in rows:
        assert {"severity", "kind", "target", "reason", "next_step"} <= set(r)
        assert r["target"].startswith("arn:aws:ecs:") or r["target"].count("/") >= 1

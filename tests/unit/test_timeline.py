"""The timeline: diffs of consecutive snapshots, de-duplicated, chronological, filterable."""

from __future__ import annotations

from dataclasses import replace

from fgtop.derive.alerts import Alert
from fgtop.derive.timeline import Timeline
from fgtop.model import (
    Container,
    ContainerState,
    Deployment,
    KubeEvent,
    Pod,
    PodContainer,
    Service,
    ServiceEvent,
    Snapshot,
    Task,
)

T0 = 1_795_860_000.0
ACCT = "210987654321"
PREFIX = f"arn:aws:ecs:eu-west-1:{ACCT}"
SVC = f"{PREFIX}:service/shop-prod/shop-worker"
TD11 = f"{PREFIX}:task-definition/shop-worker:11"
TD12 = f"{PREFIX}:task-definition/shop-worker:12"


def task_arn(task_id: str) -> str:
    return f"{PREFIX}:task/shop-prod/{task_id}"


def task(task_id: str, status: str, td: str = TD11, **kw: object) -> Task:
    return Task(
        arn=task_arn(task_id),
        cluster="shop-prod",
        region="eu-west-1",
        task_definition=td,
        last_status=status,
        desired_status="STOPPED" if status == "STOPPED" else "RUNNING",
        service="shop-worker",
        group="service:shop-worker",
        **kw,  # type: ignore[arg-type]
    )


def oom_stop(task_id: str, at: float, td: str = TD11) -> Task:
    return task(
        task_id,
        "STOPPED",
        td,
        stopped_at=at,
        stop_code="EssentialContainerExited",
        stopped_reason="Essential container in task exited",
        containers=(
            Container(
                "worker",
                exit_code=137,
                reason="OutOfMemoryError: Container killed due to memory usage",
            ),
        ),
    )


def service(deployments: tuple[Deployment, ...], events: tuple[ServiceEvent, ...]) -> Service:
    return Service(
        "shop-worker",
        SVC,
        "shop-prod",
        "eu-west-1",
        "ACTIVE",
        3,
        3,
        0,
        deployments=deployments,
        events=events,
    )


def checkout(restarts: int, phase: str = "Running", finished: float | None = None) -> Pod:
    last = (
        ContainerState("terminated", "OOMKilled", exit_code=137, finished_at=finished)
        if restarts
        else None
    )
    state = ContainerState("waiting", "CrashLoopBackOff") if restarts else ContainerState("running")
    return Pod(
        namespace="shop",
        name="checkout-55c8d7f9b-m7q2z",
        cluster="shop-eks",
        context=None,
        region="eu-west-1",
        phase=phase,
        created_at=T0 - 3600,
        containers=(PodContainer("checkout", restarts=restarts, state=state, last_state=last),),
    )


def backoff(count: int, last_seen: float) -> KubeEvent:
    return KubeEvent(
        "shop-eks",
        "shop",
        "checkout-55c8d7f9b-m7q2z",
        "BackOff",
        "Back-off restarting failed container checkout in pod"
        " checkout-55c8d7f9b-m7q2z_shop(1c2d3e4f)",
        "Warning",
        count,
        last_seen,
    )


D556 = Deployment(
    "ecs-svc/556", "PRIMARY", TD11, 3, 3, 0, rollout_state="COMPLETED", created_at=T0 - 86400
)
D712 = Deployment(
    "ecs-svc/712",
    "PRIMARY",
    TD12,
    3,
    0,
    1,
    rollout_state="IN_PROGRESS",
    created_at=T0 + 30,
    updated_at=T0 + 30,
)
E1 = ServiceEvent("e1", T0 - 900, "(service shop-worker) has reached a steady state.")
E2 = ServiceEvent("e2", T0 + 40, "(service shop-worker) has started 1 tasks: (task w2).")
E3 = ServiceEvent(
    "e3",
    T0 + 110,
    "(service shop-worker) (deployment ecs-svc/712) deployment failed: tasks failed to start.",
)


def frames() -> list[Snapshot]:
    s0 = Snapshot(
        taken_at=T0,
        services=(service((D556,), (E1,)),),
        tasks=(task("w1", "RUNNING", started_at=T0 - 7000), oom_stop("w0", T0 - 300)),
        pods=(checkout(0),),
    )
    s1 = Snapshot(
        taken_at=T0 + 60,
        services=(service((D712, replace(D556, status="ACTIVE")), (E2, E1)),),
        tasks=(
            task("w1", "RUNNING", started_at=T0 - 7000),
            oom_stop("w0", T0 - 300),
            task("w2", "RUNNING", TD12, started_at=T0 + 45),
        ),
        pods=(checkout(1, finished=T0 + 50),),
        kube_events=(backoff(1, T0 + 55),),
    )
    failed = replace(
        D712,
        status="ACTIVE",
        rollout_state="FAILED",
        updated_at=T0 + 110,
        rollout_state_reason="ECS deployment circuit breaker: tasks failed to start.",
    )
    new_pod = replace(
        checkout(0), name="cart-7d9f6c5b8-x2k4p", created_at=T0 + 100, phase="Pending"
    )
    s2 = Snapshot(
        taken_at=T0 + 120,
        services=(service((D556, failed), (E3, E2, E1)),),
        tasks=(oom_stop("w0", T0 - 300), oom_stop("w2", T0 + 100, TD12)),
        pods=(checkout(2, "Failed", T0 + 105), new_pod),
        kube_events=(backoff(5, T0 + 115),),
    )
    s3 = Snapshot(
        taken_at=T0 + 900,
        services=s2.services,
        tasks=s2.tasks,
        pods=(new_pod,),
        kube_events=(backoff(20, T0 + 890),),
    )
    return [s0, s1, s2, s3]


def build() -> Timeline:
    tl = Timeline()
    for f in frames():
        tl.feed(f)
    tl.add_alerts(
        [
            Alert(
                "task-stopped",
                task_arn("w2"),
                "shop-worker w2 stopped: OOM",
                T0 + 120,
                2,
                "task_stopped_abnormally",
                "shop-worker w2",
                "shop-prod",
                "eu-west-1",
            )
        ]
    )
    return tl


def test_baseline_has_only_timed_facts() -> None:
    tl = Timeline()
    tl.feed(frames()[0])
    got = [(e.at, e.kind) for e in tl.entries()]
    assert got == [(T0 - 900, "service-event"), (T0 - 300, "task-stopped")]
    assert tl.entries()[1].message.startswith(
        "shop-worker w0 stopped: container worker was killed for using more memory"
    )
    assert tl.entries()[0].message == "shop-worker: has reached a steady state."


def test_changes_between_snapshots() -> None:
    got = [(e.at - T0, e.kind, e.message) for e in build().entries()]
    assert got == [
        (-900, "service-event", "shop-worker: has reached a steady state."),
        (-300, "task-stopped", got[1][2]),
        (
            30,
            "deployment",
            "shop-worker: deployment ecs-svc/712 of shop-worker:12 started (replaces :11)",
        ),
        (40, "service-event", "shop-worker: has started 1 tasks: (task w2)."),
        (45, "task-started", "shop-worker w2 started (shop-worker:12)"),
        (
            50,
            "pod-restart",
            "checkout-55c8d7f9b-m7q2z: restarted after checkout OOMKilled exit 137 (1 restarts)",
        ),
        (
            55,
            "pod-event",
            "checkout-55c8d7f9b-m7q2z: BackOff: Back-off restarting failed"
            " container checkout in pod checkout-55c8d7f9b-m7q2z_shop(1c2d3e4f)",
        ),
        (100, "task-stopped", got[7][2]),
        (100, "pod-phase", "cart-7d9f6c5b8-x2k4p created: Pending"),
        (105, "pod-restart", got[9][2]),
        (
            110,
            "service-event",
            "shop-worker: (deployment ecs-svc/712) deployment failed: tasks failed to start.",
        ),
        (
            110,
            "deployment",
            "shop-worker: deployment ecs-svc/712 of shop-worker:12 FAILED: ECS"
            " deployment circuit breaker: tasks failed to start.",
        ),
        (120, "task-stopped", "task w1 is gone (no longer listed)"),
        (
            120,
            "pod-phase",
            "checkout-55c8d7f9b-m7q2z: Running -> Failed (CrashLoopBackOff (OOMKilled exit 137))",
        ),
        (120, "alert", "alert task-stopped: shop-worker w2 stopped: OOM"),
        (890, "pod-event", got[15][2]),
        (900, "pod-phase", "checkout-55c8d7f9b-m7q2z deleted (was Failed)"),
    ]
    assert (
        "shop-worker w2 stopped 1m after shop-worker:12 replaced :11: container worker was killed"
        in got[7][2]
    )
    assert got[15][2].endswith("(x20)")  # the x5 repeat within 10 minutes was not listed


def test_targets_let_the_view_jump() -> None:
    entries = build().entries()
    by_kind = {e.kind: e for e in entries}
    assert by_kind["task-started"].target == task_arn("w2")
    assert by_kind["deployment"].target == SVC
    assert by_kind["pod-event"].target == "shop/checkout-55c8d7f9b-m7q2z"
    assert by_kind["pod-event"].cluster == "shop-eks"
    assert by_kind["alert"].severity == 2


def test_filter_and_replay_clock() -> None:
    tl = build()
    assert [e.kind for e in tl.entries("DEPLOYMENT FAILED")] == ["service-event", "deployment"]
    assert [e.kind for e in tl.entries("alert")] == ["alert"]
    assert tl.entries("no-such-thing") == []
    until = tl.entries(until=T0 + 45)
    assert until[-1].kind == "task-started" and all(e.at <= T0 + 45 for e in until)
    assert len(tl.entries("shop-eks", until=T0 + 60)) == 2


def test_idempotent_and_seek_back() -> None:
    tl = build()
    n, version = len(tl), tl.version
    tl.feed(frames()[-1])
    assert len(tl) == n and tl.version == version
    for f in frames():  # a replay seeking back to the start and playing again
        tl.feed(f)
    tl.add_alerts(
        [
            Alert(
                "task-stopped",
                task_arn("w2"),
                "shop-worker w2 stopped: OOM",
                T0 + 120,
                2,
                cluster="shop-prod",
            )
        ]
    )
    assert len(tl) == n and tl.version == version
    later = replace(
        frames()[-1], taken_at=T0 + 960, tasks=(task("w9", "RUNNING", started_at=T0 + 950),)
    )
    tl.feed(later)
    assert [e.kind for e in tl.entries()][-1] == "task-started"


def test_bounded() -> None:
    tl = Timeline(maxlen=50)
    events = tuple(
        ServiceEvent(f"e{i}", T0 + i, f"(service shop-worker) event {i}") for i in range(120)
    )
    tl.feed(Snapshot(taken_at=T0 + 200, services=(service((), events),)))
    entries = tl.entries()
    assert len(entries) == 50
    assert entries[0].message.endswith("event 70") and entries[-1].message.endswith("event 119")

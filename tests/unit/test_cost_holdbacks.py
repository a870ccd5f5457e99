"""Hold-backs: each reason a service gets no cheaper capacity, in unit tests.

One healthy service (three x86 tasks, an hour of low CPU and memory: it would get a smaller
size, ARM and Spot), then one kind of trouble at a time; the same trouble before the window,
or a benign stop, holds nothing back.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from fgtop.cost.holdbacks import (
    RULES,
    HoldWindow,
    container_health_failing,
    deployment_failed,
    hold_reasons,
    is_benign_stop,
    is_scale_in,
    load_balancer_health_failing,
    stopped_not_by_scaling,
)
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.cost.rightsizing import ARM, RESIZE, SPOT, hold_back, rightsize
from fgtop.model import Container, Deployment, MetricSeries, Service, ServiceEvent, Snapshot, Task

T0 = 1_800_000_000.0
NOW = T0 + 3600
REGION = "us-east-1"
CLUSTER = f"arn:aws:ecs:{REGION}:1:cluster/prod"
TD = f"arn:aws:ecs:{REGION}:1:task-definition/api:7"
TG = f"arn:aws:elasticloadbalancing:{REGION}:1:targetgroup/api-tg/6d0ecf831eec9f09"


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> PriceTable:
    return load_price_table(tmp_path_factory.mktemp("cache"))


def service(**kw: object) -> Service:
    base: dict[str, object] = dict(
        name="api",
        arn=f"arn:aws:ecs:{REGION}:1:service/prod/api",
        cluster=CLUSTER,
        region=REGION,
        status="ACTIVE",
        desired=3,
        running=3,
        pending=0,
        task_definition=TD,
        deployments=(Deployment("ecs-svc/7", "PRIMARY", TD, 3, 3, 0, rollout_state="COMPLETED"),),
    )
    base.update(kw)
    return Service(**base)  # type: ignore[arg-type]


def task(i: int, **kw: object) -> Task:
    base: dict[str, object] = dict(
        arn=f"arn:aws:ecs:{REGION}:1:task/prod/{i:032x}",
        cluster=CLUSTER,
        region=REGION,
        task_definition=TD,
        last_status="RUNNING",
        desired_status="RUNNING",
        service="api",
        group="service:api",
        health="HEALTHY",
        cpu=2048,
        memory=8192,
        arch="x86_64",
        started_at=T0,
        started_by="ecs-svc/7",
        containers=(Container(name="app", health="HEALTHY"),),
    )
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def stopped(i: int, at: float, code: str | None, reason: str, **kw: object) -> Task:
    return task(
        i,
        last_status="STOPPED",
        desired_status="STOPPED",
        stopped_at=at,
        stop_code=code,
        stopped_reason=reason,
        health="UNKNOWN",
        **kw,
    )


def estate(*extra: Task, svc: Service | None = None) -> Snapshot:
    svc = svc or service()
    points = tuple((T0 + i * 60, 10.0) for i in range(60))
    metrics = tuple(MetricSeries(svc.arn, m, "AWS/ECS", points) for m in ("cpu", "memory"))
    tasks = (task(1), task(2), task(3), *extra)
    return Snapshot(taken_at=NOW, regions=(REGION,), services=(svc,), tasks=tasks, metrics=metrics)


def window(snap: Snapshot) -> HoldWindow:
    svc = snap.services[0]
    return HoldWindow(svc, snap.tasks_of(svc), snap, snap.series(svc.arn, "memory"), 3600)


def test_a_healthy_service_gets_every_saving(table: PriceTable) -> None:
    out = rightsize(estate(), table)
    assert out.held == () and {s.kind for s in out.suggestions} == {RESIZE, ARM, SPOT}
    assert hold_reasons(window(estate())) == ()


def held_for(snap: Snapshot, table: PriceTable) -> tuple[str, ...]:
    """The reasons the service is held back for; it then gets no saving at all."""
    out = rightsize(snap, table)
    assert out.suggestions == ()
    (held,) = out.held
    assert held.reason == "; ".join(held.reasons)
    return held.reasons


# -- container health check ---------------------------------------------------------------


def test_a_task_unhealthy_now_holds_the_service_back(table: PriceTable) -> None:
    sick = task(4, health="UNHEALTHY", containers=(Container(name="app", health="UNHEALTHY"),))
    reasons = held_for(estate(sick), table)
    assert reasons == (
        f"container health check failing: task {sick.id[:8]} UNHEALTHY (container app)",
    )


def test_a_task_replaced_for_its_container_health_check(table: PriceTable) -> None:
    gone = stopped(4, NOW - 600, "ServiceSchedulerInitiated", "Task failed container health checks")
    assert held_for(estate(gone), table) == (
        "container health check failing: 1 task stopped for it in the last 1 h",
    )
    # before the window, it no longer counts
    old = replace(gone, stopped_at=NOW - 4000)
    assert container_health_failing(window(estate(old))) is None
    assert rightsize(estate(old), table).held == ()


# -- load balancer health checks ----------------------------------------------------------


def test_tasks_stopped_for_failing_elb_health_checks(table: PriceTable) -> None:
    reason = f"Task failed ELB health checks in (target-group {TG})"
    gone = stopped(4, NOW - 300, "ServiceSchedulerInitiated", reason)
    assert held_for(estate(gone), table) == (
        "load balancer health checks failing (target group api-tg): "
        "1 task stopped for it in the last 1 h",
    )
    # the scheduler's stop code alone is not a scale-in when the reason says otherwise
    assert not is_scale_in(gone) and not is_benign_stop(gone)


def test_a_target_reported_unhealthy_by_the_service_events(table: PriceTable) -> None:
    sick = task(4)
    message = (
        f"(service api) (task {sick.id}) (port 8080) is unhealthy in (target-group {TG}) due to "
        "(reason Health checks failed with these codes: [502])."
    )
    svc = service(events=(ServiceEvent("e1", NOW - 120, message),))
    assert held_for(estate(sick, svc=svc), table) == (
        "load balancer health checks failing (target group api-tg): 1 task reported unhealthy",
    )
    old = service(events=(ServiceEvent("e1", NOW - 7200, message),))
    assert load_balancer_health_failing(window(estate(sick, svc=old))) is None


# -- failed or rolled-back deployment -----------------------------------------------------


def test_a_failed_deployment_listed_by_the_service(table: PriceTable) -> None:
    bad_td = TD.replace("api:7", "api:8")
    svc = service(
        deployments=(
            Deployment(
                "ecs-svc/8",
                "ACTIVE",
                bad_td,
                3,
                0,
                0,
                failed_tasks=3,
                rollout_state="FAILED",
                rollout_state_reason="ECS deployment circuit breaker: tasks failed to start.",
            ),
            Deployment(
                "ecs-svc/7",
                "PRIMARY",
                TD,
                3,
                3,
                0,
                rollout_state="IN_PROGRESS",
                rollout_state_reason="ECS deployment detected failure. Rolling back.",
            ),
        )
    )
    assert held_for(estate(svc=svc), table) == (
        "deployment of api:8 failed (ECS deployment circuit breaker: tasks failed to start), "
        "rolled back",
    )


def test_a_failed_deployment_told_by_the_events_after_the_rollback(table: PriceTable) -> None:
    # the failed deployment is gone from the list; its event and its task remain
    events = (
        ServiceEvent("e3", NOW - 300, "(service api) has reached a steady state."),
        ServiceEvent("e2", NOW - 360, "(service api) rolling back to deployment ecs-svc/7."),
        ServiceEvent(
            "e1",
            NOW - 360,
            "(service api) (deployment ecs-svc/8) deployment failed: tasks failed to start.",
        ),
    )
    failed_task = stopped(
        4,
        NOW - 400,
        "TaskFailedToStart",
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found",
        task_definition=TD.replace("api:7", "api:8"),
        started_by="ecs-svc/8",
    )
    reasons = held_for(estate(failed_task, svc=service(events=events)), table)
    assert reasons[0] == "deployment of api:8 failed (tasks failed to start) 6 min ago, rolled back"
    # its tasks that failed to start are stops not by scaling in, told as well
    assert reasons[1].startswith("1 task stopped in the last 1 h, not by scaling in: CannotPull")
    # the same event before the window holds nothing back
    old = tuple(replace(e, created_at=e.created_at - 7200) for e in events)
    assert deployment_failed(window(estate(svc=service(events=old)))) is None


# -- stops other than scaling in ----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "benign"),
    [
        # scaling in, and a deployment replacing the task: ECS words both the same
        ("ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/7)", True),
        ("ServiceSchedulerInitiated", "", True),
        ("SpotInterruption", "Your Spot Task was interrupted.", True),
        ("TerminationNotice", "Task stopped due to maintenance", True),
        (
            None,
            "ECS is performing maintenance on the underlying infrastructure hosting the task",
            True,
        ),
        ("EssentialContainerExited", "Essential container in task exited", False),
        ("UserInitiated", "Task stopped by user", False),
        ("TaskFailedToStart", "ResourceInitializationError: unable to pull secrets", False),
    ],
)
def test_stops_other_than_scaling_in(
    table: PriceTable, code: str | None, reason: str, benign: bool
) -> None:
    gone = stopped(4, NOW - 60, code, reason, containers=(Container(name="app", exit_code=1),))
    assert is_benign_stop(gone) is benign
    found = stopped_not_by_scaling(window(estate(gone)))
    if benign:
        assert found is None and rightsize(estate(gone), table).held == ()
    else:
        assert found is not None and found.startswith(
            "1 task stopped in the last 1 h, not by scaling in: "
        )
        assert held_for(estate(gone), table) == (found,)


def test_an_essential_exit_names_its_exit_code() -> None:
    gone = stopped(
        4,
        NOW - 60,
        "EssentialContainerExited",
        "Essential container in task exited",
        containers=(Container(name="app", exit_code=1),),
    )
    assert stopped_not_by_scaling(window(estate(gone))) == (
        "1 task stopped in the last 1 h, not by scaling in: Essential container in task exited "
        "(exit 1)"
    )


def test_a_stop_named_by_another_rule_is_not_counted_again(table: PriceTable) -> None:
    reason = f"Task failed ELB health checks in (target-group {TG})"
    elb = stopped(4, NOW - 300, "ServiceSchedulerInitiated", reason)
    assert stopped_not_by_scaling(window(estate(elb))) is None
    assert len(held_for(estate(elb), table)) == 1


# -- several reasons, and the list of rules -----------------------------------------------


def test_every_reason_is_told_in_the_rules_order(table: PriceTable) -> None:
    sick = task(4, health="UNHEALTHY")
    exited = stopped(5, NOW - 60, "EssentialContainerExited", "Essential container in task exited")
    oom = stopped(
        6,
        NOW - 120,
        "EssentialContainerExited",
        "Essential container in task exited",
        containers=(Container(name="app", exit_code=137, reason="OutOfMemoryError: killed"),),
    )
    reasons = held_for(estate(sick, exited, oom), table)
    assert [r.split(" ")[0] for r in reasons] == ["1", "container", "1"]
    assert reasons[0].startswith("1 OOM kill in the last 1 h")
    assert reasons[2].startswith("1 task stopped in the last 1 h, not by scaling in")


def test_the_rules_are_a_list_a_new_rule_joins() -> None:
    def alarm(w: HoldWindow) -> str | None:
        return f"alarm {w.service.name}-5xx in ALARM"

    snap = estate()
    svc = snap.services[0]
    held = hold_back(svc, snap.tasks_of(svc), snap, None, 3600, rules=(*RULES, alarm))
    assert held is not None and held.reasons == ("alarm api-5xx in ALARM",)
    assert hold_back(svc, snap.tasks_of(svc), snap, None, 3600) is None

"""Problems from the sources of truth: target health (``elb-health``, apart from a container
health check), the deployments API's rollback (replacing the inference), alarms in ALARM, a
service held at its maximum capacity."""

from __future__ import annotations

from fgtop.derive.problems import find_problems
from fgtop.derive.problems_why import all_problems
from fgtop.model import Deployment
from tests.fakes.why_snapshots import (
    T,
    cpu_alarm,
    failure_events,
    rolled_back,
    scaling,
    service,
    snapshot,
    target,
    task,
)


def kinds(problems) -> list[str]:
    return [p.kind for p in problems]


def test_an_unhealthy_target_is_an_elb_problem_from_its_first_unhealthy_answer() -> None:
    good, bad, slow = task("10.20.12.34"), task("10.20.44.7"), task("10.20.45.19")
    snap = snapshot(
        services=(service(),),
        tasks=(good, bad, slow),
        target_health=(
            target("10.20.12.34"),
            target(
                "10.20.44.7",
                "unhealthy",
                "Target.ResponseCodeMismatch",
                "Health checks failed with these codes: [503]",
                since=T - 70,
            ),
            target("10.20.45.19", "unhealthy", "Target.Timeout", "Request timed out", since=T - 40),
            target("10.20.13.250", "initial", "Elb.InitialHealthChecking"),
        ),
    )
    found = [p for p in all_problems(snap, T) if p.kind == "elb-health"]
    by_task = {p.related_task: p for p in found}
    assert set(by_task) == {bad.arn, slow.arn}
    mismatch = by_task[bad.arn]
    assert mismatch.since == T - 70 and mismatch.at == T - 70 and mismatch.title == "shop-search"
    assert "HTTP 503" in mismatch.reason and "shop-search-tg" in mismatch.reason
    assert mismatch.reason.startswith(f"task {bad.id[:8]} fails the load balancer")
    assert "health-check path" in mismatch.next_step and "port 8080" in mismatch.next_step
    assert "healthCheckGracePeriodSeconds" in mismatch.next_step
    assert (
        "security group" in by_task[slow.arn].next_step and "timed out" in by_task[slow.arn].reason
    )
    assert mismatch.service == service().arn
    # Without target health (an old recording), the same tasks are no problem at all.
    assert "elb-health" not in kinds(
        all_problems(snapshot(services=(service(),), tasks=(good, bad)), T)
    )


def test_a_container_health_check_stays_its_own_kind() -> None:
    sick = task("10.20.44.7", health="UNHEALTHY")
    snap = snapshot(
        services=(service(),),
        tasks=(sick,),
        target_health=(target("10.20.44.7", "unhealthy", "Target.Timeout", since=T - 30),),
    )
    assert sorted(kinds(all_problems(snap, T))) == ["elb-health", "health-check-container"]
    stopped = task("10.20.44.7", stopped=True)  # stopped: its own row says why, not the target's
    snap = snapshot(services=(service(),), tasks=(stopped,), target_health=snap.target_health)
    assert "elb-health" not in kinds(all_problems(snap, T))


def test_the_deployments_api_rollback_replaces_the_inference() -> None:
    listed = (Deployment("ecs-svc/2", "PRIMARY", "arn:td:17", 4, 4, 0, rollout_state="COMPLETED"),)
    svc = service(events=failure_events(), deployments=listed)
    inferred = snapshot(services=(svc,))
    assert kinds(find_problems(inferred, T)) == ["deployment-rollback"]
    snap = snapshot(services=(svc,), service_deployments=(rolled_back(),))
    (row,) = [p for p in all_problems(snap, T) if p.kind.startswith("deployment")]
    assert row.reason == (
        "deployment of shop-search:18 rolled back to :17 after the circuit breaker counted 3 "
        "failed tasks; the failed :18 changed image tag, memory 2048 → 1024"
    )
    assert row.since == T - 600 and row.resolved_at == T - 300 and row.resolved
    # Still rolling back: not resolved, and worded so.
    going = snapshot(
        services=(svc,),
        service_deployments=(rolled_back(status="ROLLBACK_IN_PROGRESS", finished_at=None),),
    )
    (row,) = [p for p in all_problems(going, T) if p.kind.startswith("deployment")]
    assert (
        row.reason.startswith("deployment of shop-search:18 rolling back to :17")
        and not row.resolved
    )
    # A newer successful deployment ends it; one from two hours ago is history.
    fixed = rolled_back(
        arn=rolled_back().arn + "2",
        status="SUCCESSFUL",
        created_at=T - 100,
        started_at=T - 100,
        rollback_started_at=None,
        rollback_revision=None,
        breaker_status="MONITORING_COMPLETE",
    )
    later = snapshot(services=(service(),), service_deployments=(rolled_back(), fixed))
    assert not [p for p in all_problems(later, T) if p.kind.startswith("deployment")]
    old = snapshot(
        services=(service(),),
        service_deployments=(rolled_back(created_at=T - 7200, started_at=T - 7200),),
    )
    assert "deployment-rollback" not in kinds(all_problems(old, T))


def test_an_alarm_in_alarm_is_a_problem_with_its_reason_and_since() -> None:
    low = cpu_alarm(name="TargetTracking-service/shop-prod/shop-search-AlarmLow-1a2b")
    snap = snapshot(
        services=(service(),), alarms=(cpu_alarm(), cpu_alarm("OK", "shop-search-mem"), low)
    )
    (row,) = [p for p in all_problems(snap, T) if p.kind == "alarm"]
    assert row.since == T - 120 and row.severity == 3
    assert row.reason.startswith(
        "alarm shop-search-cpu is in ALARM (CPUUtilization > 70): Threshold Crossed"
    )
    monitored = snapshot(
        services=(service(deployment_alarms=("shop-search-cpu",)),), alarms=(cpu_alarm(),)
    )
    (row,) = [p for p in all_problems(monitored, T) if p.kind == "alarm"]
    assert row.severity == 2 and "rolls back" in row.next_step


def test_held_at_max_capacity_while_cpu_is_high() -> None:
    at_max = service(desired=10, running=10)
    snap = snapshot(services=(at_max,), **scaling(10, cpu=91.0))
    (row,) = [p for p in all_problems(snap, T) if p.kind == "at-max-capacity"]
    assert row.reason == "at max capacity 10/10 while CPU 91% (wants 70%)"
    assert row.since == T - 200 and "max capacity" in row.next_step  # since it was scaled to max
    assert "at-max-capacity" not in kinds(
        all_problems(snapshot(services=(at_max,), **scaling(10, cpu=40.0)), T)
    )
    below = service(desired=8, running=8)
    assert "at-max-capacity" not in kinds(
        all_problems(snapshot(services=(below,), **scaling(10, cpu=95.0)), T)
    )
    # Quiet load, but Application Auto Scaling just said it could not scale out.
    held = snapshot(services=(at_max,), **scaling(10, cpu=40.0, held_at=T - 30))
    (row,) = [p for p in all_problems(held, T) if p.kind == "at-max-capacity"]
    assert row.reason.endswith("could not scale out further (AlreadyAtMaxCapacity)")

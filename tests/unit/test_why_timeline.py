"""Timeline entries from the sources of truth: the deployments API's start, rollback and end
(the inferred deployment entries stay out while the API tells them, and come back when it is
denied), target health turning bad and good, alarm state changes, scaling activities; each
once, at its own time, however the snapshots were reached."""

from __future__ import annotations

from dataclasses import replace

from fgtop.derive.timeline import KIND_DEPLOYMENT, Timeline
from fgtop.derive.timeline_why import KIND_ALARM_STATE, KIND_SCALING, KIND_TARGET_HEALTH
from fgtop.model import Deployment
from tests.fakes.why_snapshots import (
    TD18,
    T,
    alarm_change,
    cpu_alarm,
    deployments_health,
    rolled_back,
    scaling,
    service,
    snapshot,
    target,
    task,
)

LISTED = (
    Deployment(
        "ecs-svc/1", "PRIMARY", TD18.arn, 4, 0, 4, rollout_state="IN_PROGRESS", created_at=T - 899
    ),
)


def lines(timeline: Timeline, kind: str) -> list[tuple[float, str]]:
    return [(e.at, e.message) for e in timeline.entries() if e.kind == kind]


def test_deployment_entries_come_from_the_api_where_it_answers() -> None:
    timeline = Timeline()
    first = snapshot(
        T - 700,
        services=(service(deployments=LISTED),),
        service_deployments=(
            rolled_back(
                status="IN_PROGRESS",
                finished_at=None,
                rollback_started_at=None,
                rollback_revision=None,
                breaker_status="MONITORING",
                failure_count=1,
            ),
        ),
        sources=(deployments_health(),),
    )
    timeline.feed(first)
    timeline.feed(replace(first, taken_at=T, service_deployments=(rolled_back(),)))
    assert lines(timeline, KIND_DEPLOYMENT) == [
        (
            T - 899,
            "shop-search: deployment xV2Rz0hK7cQm1pLs3dYt9 of shop-search:18 started (replaces :17: image tag, memory 2048 → 1024)",
        ),
        (
            T - 600,
            "shop-search: deployment xV2Rz0hK7cQm1pLs3dYt9 of shop-search:18 rolling back to :17 after the circuit breaker counted 3 failed tasks; the failed :18 changed image tag, memory 2048 → 1024",
        ),
        (
            T - 300,
            "shop-search: deployment xV2Rz0hK7cQm1pLs3dYt9 of shop-search:18 rolled back to :17 after the circuit breaker counted 3 failed tasks; the failed :18 changed image tag, memory 2048 → 1024",
        ),
    ]
    before = len(timeline)
    timeline.feed(replace(first, taken_at=T + 5, service_deployments=(rolled_back(),)))
    assert len(timeline) == before  # each fact once


def test_the_inference_comes_back_when_the_api_is_denied_or_absent() -> None:
    denied = deployments_health(
        "ListServiceDeployments denied (needs ecs:ListServiceDeployments)", answered=False
    )
    for sources in ((denied,), ()):
        timeline = Timeline()
        timeline.feed(snapshot(T, services=(service(deployments=LISTED),), sources=sources))
        assert [m for _, m in lines(timeline, KIND_DEPLOYMENT)] == [
            "shop-search: deployment ecs-svc/1 of shop-search:18 in progress"
        ]
    quiet = Timeline()  # the API's source is there and answered: no inferred entry
    quiet.feed(
        snapshot(T, services=(service(deployments=LISTED),), sources=(deployments_health(),))
    )
    assert lines(quiet, KIND_DEPLOYMENT) == []


def test_target_health_alarms_and_scaling_entries() -> None:
    bad = task("10.20.44.7")
    timeline = Timeline()
    base = snapshot(
        T,
        services=(service(desired=10),),
        tasks=(bad,),
        target_health=(
            target(
                "10.20.44.7",
                "unhealthy",
                "Target.ResponseCodeMismatch",
                "Health checks failed with these codes: [503]",
                since=T - 70,
            ),
        ),
        alarms=(cpu_alarm(),),
        alarm_history=(alarm_change(T - 120, "OK", "ALARM"),),
        **scaling(10, held_at=T - 30),
    )
    timeline.feed(base)
    timeline.feed(
        replace(
            base,
            taken_at=T + 30,
            target_health=(target("10.20.44.7", at=T + 25),),
            alarm_history=(
                alarm_change(T - 120, "OK", "ALARM"),
                alarm_change(T + 20, "ALARM", "OK"),
            ),
        )
    )
    assert lines(timeline, KIND_TARGET_HEALTH) == [
        (
            T - 70,
            f"shop-search {bad.id[:8]} fails target group shop-search-tg's health checks: Target.ResponseCodeMismatch (Health checks failed with these codes: [503])",
        ),
        (T + 25, f"shop-search {bad.id[:8]} is healthy again in target group shop-search-tg"),
    ]
    assert lines(timeline, KIND_ALARM_STATE) == [
        (T - 120, "alarm shop-search-cpu OK → ALARM: Threshold Crossed"),
        (T + 20, "alarm shop-search-cpu ALARM → OK: Threshold Crossed"),
    ]
    assert lines(timeline, KIND_SCALING) == [
        (
            T - 200,
            "shop-search: Setting desired count to 10. (monitor alarm x in state ALARM triggered policy cpu70)",
        ),
        (
            T - 30,
            "shop-search: not scaled: already at max capacity 10/10 (monitor alarm x in state ALARM triggered policy cpu70)",
        ),
    ]
    entry = next(e for e in timeline.entries() if e.kind == KIND_TARGET_HEALTH)
    assert entry.target == bad.arn and entry.severity == 3


def test_a_replay_that_jumps_builds_the_same_why_entries() -> None:
    frames = [
        snapshot(
            T - 700 + 100 * i,
            services=(service(),),
            service_deployments=(rolled_back(),),
            sources=(deployments_health(),),
            alarms=(cpu_alarm(),),
            alarm_history=(alarm_change(T - 120, "OK", "ALARM"),),
        )
        for i in range(8)
    ]
    step = Timeline()
    for f in frames:
        step.feed(f)
    jump = Timeline()
    jump.feed(frames[-1])
    kinds = (KIND_DEPLOYMENT, KIND_ALARM_STATE)
    assert [lines(step, k) for k in kinds] == [lines(jump, k) for k in kinds]

"""The Compute Optimizer source: the real client against the fake Compute Optimizer over HTTP,
ECS against moto, both through the engine."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from fgtop.engine.core import Engine
from fgtop.model.optimizer import NOT_ENROLLED_LINE, OPTIMIZER_SOURCE, status_line
from fgtop.sources.aws import Aws, ReadOnlyViolation, is_read_only
from fgtop.sources.ecs import EcsSource
from fgtop.sources.optimizer import DENIED_LINE, OptimizerSource
from tests.fakes.aws_world import build_world
from tests.fakes.compute_optimizer import (
    BROKEN,
    DENIED,
    OK,
    TARGET,
    FakeComputeOptimizer,
    recommendation,
)

ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/svc-{:02d}"


async def _poll(regions: list[str], *, ecs: bool = False, aws: Aws | None = None):
    aws = aws or Aws(regions=regions)
    sources: list = [EcsSource(aws, r) for r in aws.regions] if ecs else []
    sources.append(OptimizerSource(aws, aws.regions, first_wait=0 if not ecs else 15))
    engine = Engine(sources)
    engine.closers.append(aws.close)
    try:
        snapshot = await engine.poll_once()
    finally:
        await engine.stop()
    return snapshot, {h.name: h for h in snapshot.sources}


def _ok(fake: FakeComputeOptimizer, region: str, items: list[dict], page_size: int = 1000):
    fake.state.mode = OK
    fake.state.recommendations[region] = items
    fake.state.page_size = page_size


def test_the_operation_passes_the_read_only_guard() -> None:
    assert is_read_only("compute-optimizer", "GetECSServiceRecommendations")
    assert not is_read_only("compute-optimizer", "UpdateEnrollmentStatus")
    assert not is_read_only("compute-optimizer", "PutRecommendationPreferences")


async def test_mutating_compute_optimizer_calls_are_refused_before_sending(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    aws = Aws(regions=["us-east-1"])
    try:
        client = await aws.client("compute-optimizer", "us-east-1")
        with pytest.raises(ReadOnlyViolation, match="UpdateEnrollmentStatus"):
            await client.update_enrollment_status(status="Active")
        assert compute_optimizer.state.requests == [] and aws.calls["compute-optimizer"] == 0
        with pytest.raises(ClientError, match="OptInRequiredException"):  # the read call is sent
            await client.get_ecs_service_recommendations()
    finally:
        await aws.close()
    assert [r.target for r in compute_optimizer.state.requests] == [TARGET]


async def test_recommendations_over_pages_with_a_malformed_one_skipped(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    items = [recommendation(ARN.format(i), options=((512, 1024, 10.0 + i),)) for i in range(4)]
    items.insert(2, {"finding": "Overprovisioned", "currentServiceConfiguration": {"cpu": 1}})
    items.append(recommendation(ARN.format(9), finding="Underprovisioned", options=()))
    items[-1]["currentServiceConfiguration"]["cpu"] = "lots"  # wrong type: skipped too
    _ok(compute_optimizer, "us-east-1", items, page_size=2)
    snapshot, health = await _poll(["us-east-1"])
    bodies = [r.body for r in compute_optimizer.state.requests]
    assert [b.get("nextToken") for b in bodies] == [None, "2", "4"]  # every page followed
    assert all(b["maxResults"] == 1000 for b in bodies)
    recs = snapshot.ecs_recommendations
    assert [r.service_name for r in recs] == ["svc-00", "svc-01", "svc-02", "svc-03"]
    first = recs[0]
    assert (first.region, first.cluster, first.finding) == ("us-east-1", "prod", "Overprovisioned")
    assert (first.current_cpu, first.current_memory) == (1024, 2048)
    assert first.reasons == ("CPUOverprovisioned", "MemoryOverprovisioned")
    option = first.options[0]
    assert (option.cpu, option.memory, option.monthly_savings) == (512, 1024, 10.0)
    assert option.savings_percent == 50.0 and option.currency == "USD"
    assert option.monthly_savings_after_discounts == pytest.approx(8.0)
    assert first.refreshed_at == 1_800_000_000.0 and first.lookback_days == 14.0
    status = snapshot.compute_optimizer
    assert status is not None and status.skipped == 2 and status.enrolled
    assert status_line(status) is None
    h = health[OPTIMIZER_SOURCE]
    assert h.ok and not h.stale and h.error is None and h.api_calls == 3


async def test_not_enrolled_is_one_line_and_healthy(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    build_world(moto, big_cluster_tasks=2, services=1)
    snapshot, health = await _poll(["us-east-1", "eu-west-1"], ecs=True)
    assert snapshot.ecs_recommendations == ()
    assert status_line(snapshot.compute_optimizer) == NOT_ENROLLED_LINE
    assert "not enrolled" in NOT_ENROLLED_LINE and "opt in" in NOT_ENROLLED_LINE
    h = health[OPTIMIZER_SOURCE]
    assert h.ok and not h.stale and h.error is None and h.state is None  # nothing in the header
    assert snapshot.notes == ()
    assert all(x.ok for x in health.values()) and snapshot.tasks


async def test_enrolled_in_one_region_only(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    _ok(compute_optimizer, "us-east-1", [recommendation(ARN.format(1))])
    compute_optimizer.state.modes["eu-west-1"] = "not_enrolled"
    snapshot, health = await _poll(["us-east-1", "eu-west-1"])
    assert [r.service_name for r in snapshot.ecs_recommendations] == ["svc-01"]
    status = snapshot.compute_optimizer
    assert status is not None and status.enrolled and status.not_enrolled == ("eu-west-1",)
    assert "not enrolled in eu-west-1" in (status_line(status) or "")
    assert health[OPTIMIZER_SOURCE].ok


async def test_denied_degrades_only_this_part_naming_the_permission(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    build_world(moto, big_cluster_tasks=2, services=1)
    compute_optimizer.state.mode = DENIED
    snapshot, health = await _poll(["us-east-1"], ecs=True)
    h = health[OPTIMIZER_SOURCE]
    assert not h.ok and h.stale and h.error == DENIED_LINE
    assert "compute-optimizer:GetECSServiceRecommendations" in DENIED_LINE
    assert status_line(snapshot.compute_optimizer) == f"Compute Optimizer: {DENIED_LINE}"
    assert health["ecs:us-east-1"].ok and snapshot.tasks  # the rest is untouched


async def test_a_failure_keeps_the_last_recommendations_stale(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    _ok(compute_optimizer, "us-east-1", [recommendation(ARN.format(1))])
    aws = Aws(regions=["us-east-1"])
    now = [1_800_000_000.0]
    source = OptimizerSource(aws, first_wait=0)
    engine = Engine([source], clock=lambda: now[0])
    engine.closers.append(aws.close)
    try:
        first = await engine.poll_once()
        assert source.interval == 1800
        compute_optimizer.state.mode = BROKEN
        again = await engine.poll_once()  # within a minute: the last answer, no call
        assert len(compute_optimizer.state.requests) == 1 and again.ecs_recommendations
        now[0] += 120
        later = await engine.poll_once()
    finally:
        await engine.stop()
    assert first.ecs_recommendations == later.ecs_recommendations
    h = next(h for h in later.sources if h.name == OPTIMIZER_SOURCE)
    assert not h.ok and h.stale and "InternalServerException: try again" in (h.error or "")
    assert source.interval == 300  # asks again sooner after a failure

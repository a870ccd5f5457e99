"""The Service Auto Scaling source: the real client against moto's scalable targets and
policies and the fake in front of it for the activities moto lacks. Targets 50 resource ids a
call, policies per scalable service, activities of the region paged only until one already
seen and only while a watched service scales; denied, throttled, malformed entries skipped and
counted, hostile text kept as data."""

from __future__ import annotations

from fgtop.engine.core import Engine
from fgtop.model import Service, Snapshot
from fgtop.sources.scaling import (
    ACTIVITY_EVERY,
    CONFIG_EVERY,
    POLICIES_EVERY,
    WINDOW,
    ScalingSource,
)
from tests.fakes.aws_world import add_service, client, network, register
from tests.fakes.hostile import EVIL
from tests.fakes.sources import Clock, FixedSource, ctx
from tests.fakes.why_services import activity

REGION = "us-east-1"
ACCOUNT = "123456789012"
NOW = 1_800_000_000.0


def service(name: str) -> Service:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{name}"
    return Service(name, arn, "prod", REGION, "ACTIVE", 2, 2, 0)


def scalable(moto: str, *names: str) -> None:
    """ECS services in moto with a scalable target (2-10) and a CPU target-tracking policy."""
    ecs = client("ecs", REGION, moto)
    ecs.create_cluster(clusterName="prod")
    net = network(REGION, moto)
    td = register(ecs, "app")
    aas = client("application-autoscaling", REGION, moto)
    for name in names:
        add_service(ecs, "prod", name, td, net, 0)
        rid = f"service/prod/{name}"
        aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=rid,
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=2,
            MaxCapacity=10,
        )
        aas.put_scaling_policy(
            PolicyName=f"{name}-cpu70",
            ServiceNamespace="ecs",
            ResourceId=rid,
            ScalableDimension="ecs:service:DesiredCount",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                },
            },
        )


async def test_targets_policies_and_activities(why, aws, moto) -> None:
    scalable(moto, "api", "web", "unwatched")
    why.scaling.state.activities = [
        activity(
            f"a{i:03d}",
            "service/prod/api" if i % 2 else "service/prod/unwatched",
            NOW - 60 * i,
            desired=4,
        )
        for i in range(120)
    ]
    why.scaling.state.activities.insert(
        0, activity("max", "service/prod/api", NOW - 5, desired=11, at_max=10, cause=EVIL)
    )
    services = [service("api"), service("web"), *(service(f"idle-{i:02d}") for i in range(60))]
    snap = Snapshot(NOW, services=tuple(services))
    clock = Clock(NOW)
    source = ScalingSource(aws, REGION, first_wait=0, budget=500)
    part = await source.poll(ctx(snap, clock))
    reqs = why.scaling.state.requests
    targets = [r.body for r in reqs if r.op == "DescribeScalableTargets"]
    assert [len(b["ResourceIds"]) for b in targets] == [50, 12]  # 62 services, 50 a call
    assert {t.resource_id: (t.min_capacity, t.max_capacity) for t in part["scalable_targets"]} == {
        "service/prod/api": (2, 10),
        "service/prod/web": (2, 10),
    }
    policies = [r.body for r in reqs if r.op == "DescribeScalingPolicies"]
    assert len(policies) == 1 and "ResourceId" not in policies[0]  # the region's, one page
    assert policies[0]["MaxResults"] == 10 and policies[0]["ServiceNamespace"] == "ecs"
    assert {p.name for p in part["scaling_policies"]} == {"api-cpu70", "web-cpu70"}  # watched
    acts = [r.body for r in reqs if r.op == "DescribeScalingActivities"]
    # The window is 3 hours: 121 activities of a minute each are all in it, 3 pages of 50.
    assert [b.get("NextToken") for b in acts] == [None, "50", "100"]
    assert all(b["IncludeNotScaledActivities"] and b["MaxResults"] == 50 for b in acts)
    mine = part["scaling_activities"]
    assert {a.resource_id for a in mine} == {"service/prod/api"} and len(mine) == 61
    assert mine[0].id == "max" and mine[0].at_max is not None and mine[0].cause == EVIL

    # 30 s later: only the activities, one page (the newest seen is finished).
    reqs.clear()
    why.scaling.state.activities.insert(0, activity("new", "service/prod/api", NOW + 20, desired=5))
    clock.t += ACTIVITY_EVERY
    part = await source.poll(ctx(snap, clock))
    assert [r.op for r in reqs] == ["DescribeScalingActivities"]
    assert part["scaling_activities"][0].id == "new"
    reqs.clear()
    clock.t += CONFIG_EVERY
    part = await source.poll(ctx(snap, clock))
    ops = [r.op for r in reqs]
    assert ops.count("DescribeScalableTargets") == 2 and "DescribeScalingPolicies" not in ops
    reqs.clear()
    clock.t += POLICIES_EVERY
    part = await source.poll(ctx(snap, clock))
    assert [r.op for r in reqs].count("DescribeScalingPolicies") == 1
    clock.t += WINDOW  # the old activities leave the window
    part = await source.poll(ctx(snap, clock))
    assert part["scaling_activities"] == ()


async def test_no_scalable_target_no_activity_calls(why, aws) -> None:
    snap = Snapshot(NOW, services=(service("api"),))
    source = ScalingSource(aws, REGION, first_wait=0)
    part = await source.poll(ctx(snap, Clock(NOW)))
    assert [r.op for r in why.scaling.state.requests] == ["DescribeScalableTargets"]
    assert part["scalable_targets"] == () and part["scaling_activities"] == ()


async def test_denied_throttled_and_malformed(why, aws, moto) -> None:
    scalable(moto, "api")
    broken = activity("b", "service/prod/api", NOW - 10, desired=3)
    del broken["StatusCode"]
    why.scaling.state.activities = [activity("a", "service/prod/api", NOW - 5, desired=3), broken]
    clock = Clock(NOW)
    snap = Snapshot(NOW, services=(service("api"),))
    source = ScalingSource(aws, REGION, first_wait=0)
    engine = Engine(
        [FixedSource(f"ecs:{REGION}", {"services": snap.services}), source], clock=clock
    )
    first = await engine.poll_once()
    assert [a.id for a in first.scaling_activities] == ["a"]
    health = {h.name: h for h in first.sources}[f"scaling:{REGION}"]
    assert health.error == "1 malformed scaling activity skipped"
    why.scaling.state.throttle = {"DescribeScalingActivities"}
    clock.t += ACTIVITY_EVERY
    second = await engine.poll_once()
    health = {h.name: h for h in second.sources}[f"scaling:{REGION}"]
    assert health.error == "throttled by AWS (DescribeScalingActivities)"
    assert second.scaling_activities == first.scaling_activities
    why.scaling.state.throttle = set()
    why.scaling.state.deny = {"DescribeScalableTargets"}
    clock.t += CONFIG_EVERY
    third = await engine.poll_once()
    health = {h.name: h for h in third.sources}[f"scaling:{REGION}"]
    assert health.error == (
        "DescribeScalableTargets denied (needs application-autoscaling:DescribeScalableTargets): "
        "scaling unknown"
    )
    assert third.scalable_targets == first.scalable_targets

"""The target health source: the real client against moto's ELB v2 (healthy and draining
targets of a real target group) and the fake in front of it for what moto cannot say
(unhealthy, with reason codes). One call per target group per look, fewer when all are
healthy, at once when the service reports a task unhealthy; denied, throttled, a target group
gone, malformed entries skipped and counted, hostile text kept as data."""

from __future__ import annotations

from dataclasses import replace

from fgtop.engine.core import Engine
from fgtop.model import Hints, LoadBalancerRef, Service, ServiceEvent, Snapshot, Task
from fgtop.sources.base import SourceContext
from fgtop.sources.elb_health import HEALTHY_EVERY, UNHEALTHY_EVERY, TargetHealthSource
from tests.fakes.aws_world import client
from tests.fakes.hostile import EVIL
from tests.fakes.sources import Clock, FixedSource, ctx

REGION = "us-east-1"
ACCOUNT = "123456789012"
NOW = 1_800_000_000.0
XML_EVIL = "".join(ch for ch in EVIL if ord(ch) >= 0x20)
"""The hostile vectors an XML answer can carry (XML 1.0 holds no C0 control characters;
C1 controls, bidi overrides and markup it does)."""
TG_B = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/b-tg/0123456789abcdef"


def service(name: str, *groups: str, events: tuple[ServiceEvent, ...] = ()) -> Service:
    return Service(
        name,
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{name}",
        "prod",
        REGION,
        "ACTIVE",
        2,
        2,
        0,
        load_balancers=tuple(LoadBalancerRef(g, "app", 8080) for g in groups),
        events=events,
    )


def task(name: str, ip: str) -> Task:
    return Task(
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/{ip.replace('.', '')}",
        "prod",
        REGION,
        "td",
        "RUNNING",
        "RUNNING",
        service=name,
        group=f"service:{name}",
        private_ip=ip,
    )


def moto_group(moto: str) -> str:
    """A real IP target group in moto with two registered targets, one then deregistered."""
    ec2 = client("ec2", REGION, moto)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    elb = client("elbv2", REGION, moto)
    tg = elb.create_target_group(
        Name="a-tg",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        TargetType="ip",
        HealthCheckPath="/health",
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.9.0.4", "Port": 8080}])
    return tg


async def test_healthy_targets_from_moto_and_unhealthy_ones_with_reasons(why, aws, moto) -> None:
    tg_a = moto_group(moto)
    why.elb.state.groups[TG_B] = [
        ("10.9.1.5", 8080, "healthy", None, None),
        (
            "10.9.1.6",
            8080,
            "unhealthy",
            "Target.ResponseCodeMismatch",
            "Health checks failed with these codes: [503]",
        ),
        ("10.9.1.7", 8080, "unhealthy", "Target.Timeout", XML_EVIL),
    ]
    # Two services share target group b: it is asked once.
    snap = Snapshot(
        NOW,
        services=(service("a", tg_a), service("b", TG_B), service("c", TG_B)),
        tasks=(
            task("a", "10.9.0.4"),
            task("b", "10.9.1.5"),
            task("b", "10.9.1.6"),
            task("b", "10.9.1.7"),
        ),
    )
    clock = Clock(NOW)
    source = TargetHealthSource(aws, REGION, first_wait=0)
    part = await source.poll(ctx(snap, clock))
    asked = [
        r.body["TargetGroupArn"] for r in why.elb.state.requests if r.op == "DescribeTargetHealth"
    ]
    assert sorted(asked) == sorted([tg_a, TG_B])
    by_ip = {t.target_id: t for t in part["target_health"]}
    assert by_ip["10.9.0.4"].healthy and by_ip["10.9.0.4"].target_group == tg_a  # moto's answer
    bad = by_ip["10.9.1.6"]
    assert bad.reason == "Target.ResponseCodeMismatch" and bad.unhealthy_since == NOW
    assert bad.description == "Health checks failed with these codes: [503]"
    assert by_ip["10.9.1.7"].description == XML_EVIL  # data, exactly: the screens sanitise it
    assert source.api_calls() == 2 and source.degraded() is None

    # 10 s later only the group with an unhealthy target is asked; its streak keeps its start.
    why.elb.state.requests.clear()
    clock.t += UNHEALTHY_EVERY
    part = await source.poll(ctx(snap, clock))
    assert [r.body["TargetGroupArn"] for r in why.elb.state.requests] == [TG_B]
    assert {t.target_id: t for t in part["target_health"]}["10.9.1.6"].unhealthy_since == NOW
    # Healthy again: the streak ends; then the group is asked only every HEALTHY_EVERY.
    why.elb.state.groups[TG_B] = [
        (ip, 8080, "healthy", None, None) for ip in ("10.9.1.5", "10.9.1.6", "10.9.1.7")
    ]
    clock.t += UNHEALTHY_EVERY
    part = await source.poll(ctx(snap, clock))
    assert all(t.unhealthy_since is None for t in part["target_health"])
    why.elb.state.requests.clear()
    clock.t += UNHEALTHY_EVERY
    await source.poll(ctx(snap, clock))
    assert why.elb.state.requests == []
    clock.t += HEALTHY_EVERY
    await source.poll(ctx(snap, clock))
    assert len(why.elb.state.requests) == 2


async def test_a_new_task_or_an_unhealthy_event_asks_sooner(why, aws) -> None:
    why.elb.state.groups[TG_B] = [("10.9.1.5", 8080, "healthy", None, None)]
    snap = Snapshot(NOW, services=(service("b", TG_B),), tasks=(task("b", "10.9.1.5"),))
    clock = Clock(NOW)
    source = TargetHealthSource(aws, REGION, first_wait=0)
    await source.poll(ctx(snap, clock))
    why.elb.state.requests.clear()
    # A new task not in the answer yet: asked at the unhealthy pace, not the healthy one.
    snap = replace(snap, tasks=(*snap.tasks, task("b", "10.9.1.8")))
    clock.t += UNHEALTHY_EVERY
    await source.poll(ctx(snap, clock))
    assert len(why.elb.state.requests) == 1
    why.elb.state.groups[TG_B].append(("10.9.1.8", 8080, "healthy", None, None))
    clock.t += UNHEALTHY_EVERY
    await source.poll(ctx(snap, clock))
    why.elb.state.requests.clear()
    clock.t += 1
    event = ServiceEvent(
        "e1",
        clock.t,
        f"(service b) (task 1234) is unhealthy in (target-group {TG_B}) due to (reason x).",
    )
    snap = replace(snap, services=(service("b", TG_B, events=(event,)),))
    await source.poll(ctx(snap, clock))
    assert len(why.elb.state.requests) == 1  # at once, though all were healthy a second ago


async def test_denied_throttled_gone_and_malformed(why, aws) -> None:
    gone = TG_B.replace("b-tg", "gone-tg")
    why.elb.state.groups[TG_B] = [
        ("10.9.1.5", 8080, "healthy", None, None),
        ("", 8080, "unhealthy", "Target.Timeout", None),  # no Id: skipped and counted
    ]
    snap = Snapshot(NOW, services=(service("b", TG_B, gone),))
    clock = Clock(NOW)
    source = TargetHealthSource(aws, REGION, first_wait=0)
    ecs = FixedSource(f"ecs:{REGION}", {"services": snap.services})
    engine = Engine([ecs, source], clock=clock)
    first = await engine.poll_once()
    assert [t.target_id for t in first.target_health] == ["10.9.1.5"]  # moto: gone-tg not found
    health = {h.name: h for h in first.sources}[f"elb-health:{REGION}"]
    assert health.error == "1 malformed target skipped" and health.stale
    why.elb.state.throttle = {"DescribeTargetHealth"}
    why.elb.state.groups[TG_B] = [("10.9.1.5", 8080, "unhealthy", "Target.Timeout", None)]
    clock.t += HEALTHY_EVERY
    second = await engine.poll_once()
    health = {h.name: h for h in second.sources}[f"elb-health:{REGION}"]
    assert health.error == "throttled by AWS (DescribeTargetHealth)" and health.stale
    assert second.target_health == first.target_health  # the last answer stays
    why.elb.state.throttle = set()
    why.elb.state.deny = {"DescribeTargetHealth"}
    clock.t += HEALTHY_EVERY
    third = await engine.poll_once()
    health = {h.name: h for h in third.sources}[f"elb-health:{REGION}"]
    assert health.error == (
        "DescribeTargetHealth denied (needs elasticloadbalancing:DescribeTargetHealth): "
        "load-balancer health unknown"
    )
    assert third.target_health == first.target_health


async def test_the_service_on_screen_is_watched_closely(why, aws) -> None:
    why.elb.state.groups[TG_B] = [("10.9.1.5", 8080, "healthy", None, None)]
    snap = Snapshot(NOW, services=(service("b", TG_B),), tasks=(task("b", "10.9.1.5"),))
    clock = Clock(NOW)
    source = TargetHealthSource(aws, REGION, first_wait=0)
    hints = Hints()
    context = SourceContext(lambda: snap, hints, clock)
    await source.poll(context)
    why.elb.state.requests.clear()
    clock.t += UNHEALTHY_EVERY
    await source.poll(context)
    assert why.elb.state.requests == []  # all healthy, not on screen: not yet
    hints.selected = snap.tasks[0].arn  # one of its tasks selected: its group at the close pace
    await source.poll(context)
    assert len(why.elb.state.requests) == 1

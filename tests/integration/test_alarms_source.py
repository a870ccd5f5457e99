"""The CloudWatch alarms source: the real client against moto's alarms (DescribeAlarms) and
the fake in front of it for the history moto lacks (and for pages of alarms, which moto does
not page). Only the alarms of the watched services and clusters are kept; a full listing now
and then, the alarms in ALARM in between; state changes of the window; denied, throttled,
malformed entries skipped and counted, hostile text kept as data."""

from __future__ import annotations

from fgtop.engine.core import Engine
from fgtop.model import LoadBalancerRef, Service, ServiceDeployment, Snapshot
from fgtop.sources.alarms import FULL_EVERY, STATE_EVERY, WINDOW, AlarmsSource
from tests.fakes.aws_world import client, web_service
from tests.fakes.hostile import EVIL
from tests.fakes.sources import Clock, FixedSource, ctx
from tests.fakes.why_services import history_item

REGION = "us-east-1"
ACCOUNT = "123456789012"
NOW = 1_800_000_000.0
TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web-tg/0123456789abcdef"
WEB = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"


def web(*alarms: str) -> Service:
    return Service(
        "web",
        WEB,
        "prod",
        REGION,
        "ACTIVE",
        2,
        2,
        0,
        load_balancers=(LoadBalancerRef(TG, "app", 8080),),
        deployment_alarms=alarms,
    )


def put(cw, name: str, dims: dict[str, str], **extra) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        MetricName=extra.pop("metric", "CPUUtilization"),
        Namespace=extra.pop("namespace", "AWS/ECS"),
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        Threshold=70.0,
        ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        **extra,
    )


def alarm_doc(name: str, state: str = "OK", reason: str = "fine", **dims: str) -> dict:
    """A MetricAlarms entry as the API reference shapes it (for the paging fake)."""
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": NOW - 60,
        "MetricName": "CPUUtilization",
        "Namespace": "AWS/ECS",
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Threshold": 70.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }


async def test_only_the_watched_services_alarms_from_moto(why, aws, moto) -> None:
    web_service(moto, REGION)  # moto's scaling policy names need nothing, but be realistic
    cw = client("cloudwatch", REGION, moto)
    put(cw, "web-cpu", {"ClusterName": "prod", "ServiceName": "web"})
    put(cw, "other-cpu", {"ClusterName": "prod", "ServiceName": "other"})
    put(cw, "prod-reservation", {"ClusterName": "prod"}, metric="CPUReservation")
    put(
        cw,
        "web-5xx",
        {"TargetGroup": "targetgroup/web-tg/0123456789abcdef", "LoadBalancer": "app/x/1"},
    )
    put(cw, "web-latency", {"LoadBalancer": "app/x/1"})  # only its deployments name it
    put(cw, "staging-cpu", {"ClusterName": "staging", "ServiceName": "web"})
    put(
        cw,
        "web-scale-out",
        {"Custom": "x"},
        AlarmActions=[
            f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:1:resource/ecs/service/prod/web:policyName/cpu70"
        ],
    )
    cw.set_alarm_state(AlarmName="web-cpu", StateValue="ALARM", StateReason="Threshold Crossed")
    monitored = ServiceDeployment(
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/prod/web/d1",
        WEB,
        "",
        REGION,
        "SUCCESSFUL",
        alarm_names=("web-latency",),
    )
    snap = Snapshot(NOW, services=(web(),), service_deployments=(monitored,))
    source = AlarmsSource(aws, REGION, first_wait=0)
    part = await source.poll(ctx(snap, Clock(NOW)))
    names = [a.name for a in part["alarms"]]
    assert names == ["prod-reservation", "web-5xx", "web-cpu", "web-latency", "web-scale-out"]
    cpu = next(a for a in part["alarms"] if a.name == "web-cpu")
    assert (
        cpu.firing and cpu.reason == "Threshold Crossed" and cpu.condition == "CPUUtilization > 70"
    )
    assert source.degraded() is None
    assert [r.op for r in why.alarms.state.requests] == ["DescribeAlarms", "DescribeAlarmHistory"]


async def test_pages_states_between_listings_and_the_history(why, aws) -> None:
    why.alarms.state.alarms = [alarm_doc(f"noise-{i:03d}") for i in range(230)] + [
        alarm_doc("web-cpu", "ALARM", EVIL, ClusterName="prod", ServiceName="web"),
        alarm_doc("web-mem", "OK", ClusterName="prod", ServiceName="web"),
    ]
    why.alarms.state.history = [
        history_item("web-cpu", NOW - 4 * 3600, "OK", "ALARM", "old"),  # before the window
        history_item("web-cpu", NOW - 600, "OK", "ALARM", "Threshold Crossed: 3 datapoints"),
        history_item("noise-001", NOW - 500, "OK", "ALARM", "not ours"),
    ]
    clock = Clock(NOW)
    snap = Snapshot(NOW, services=(web(),))
    source = AlarmsSource(aws, REGION, first_wait=0)
    part = await source.poll(ctx(snap, clock))
    reqs = why.alarms.state.requests
    pages = [r.body.get("NextToken") for r in reqs if r.op == "DescribeAlarms"]
    assert pages == [None, "100", "200"] and all(
        r.body["MaxRecords"] == 100 for r in reqs if r.op == "DescribeAlarms"
    )
    assert [a.name for a in part["alarms"]] == ["web-cpu", "web-mem"]
    assert part["alarms"][0].reason == EVIL  # data, exactly: the screens sanitise it
    (hist,) = [r.body for r in reqs if r.op == "DescribeAlarmHistory"]
    assert hist["StartDate"] == NOW - WINDOW and hist["HistoryItemType"] == "StateUpdate"
    assert [(c.alarm, c.at) for c in part["alarm_history"]] == [("web-cpu", NOW - 600)]

    # Between full listings: one call for the alarms in ALARM, one by name for those that left.
    reqs.clear()
    why.alarms.state.alarms[-2]["StateValue"] = "OK"
    why.alarms.state.history.append(history_item("web-cpu", NOW + 20, "ALARM", "OK", "recovered"))
    clock.t += STATE_EVERY
    part = await source.poll(ctx(snap, clock))
    calls = [(r.op, r.body.get("StateValue"), r.body.get("AlarmNames")) for r in reqs]
    assert calls == [
        ("DescribeAlarms", "ALARM", None),
        ("DescribeAlarms", None, ["web-cpu"]),
        ("DescribeAlarmHistory", None, None),
    ]
    assert reqs[-1].body["StartDate"] == NOW  # from the last look on
    assert {a.name: a.state for a in part["alarms"]} == {"web-cpu": "OK", "web-mem": "OK"}
    assert [c.new_state for c in part["alarm_history"]] == ["ALARM", "OK"]
    reqs.clear()
    clock.t += FULL_EVERY
    await source.poll(ctx(snap, clock))
    assert [r.body.get("NextToken") for r in reqs if r.op == "DescribeAlarms"] == [
        None,
        "100",
        "200",
    ]


async def test_denied_history_throttled_and_malformed(why, aws) -> None:
    why.alarms.state.alarms = [
        alarm_doc("web-cpu", "ALARM", ClusterName="prod", ServiceName="web"),
        {"AlarmName": "broken", "StateValue": "OK"},  # no ARN: skipped and counted
    ]
    why.alarms.state.deny = {"DescribeAlarmHistory"}
    clock = Clock(NOW)
    snap = Snapshot(NOW, services=(web(),))
    source = AlarmsSource(aws, REGION, first_wait=0)
    engine = Engine(
        [FixedSource(f"ecs:{REGION}", {"services": snap.services}), source], clock=clock
    )
    first = await engine.poll_once()
    assert [a.name for a in first.alarms] == ["web-cpu"]
    health = {h.name: h for h in first.sources}[f"alarms:{REGION}"]
    assert health.stale and health.error == (
        "DescribeAlarmHistory denied (needs cloudwatch:DescribeAlarmHistory): "
        "no alarm state changes on the timeline; 1 malformed alarm skipped"
    )
    why.alarms.state.deny = set()
    why.alarms.state.throttle = {"DescribeAlarms"}
    clock.t += 600
    second = await engine.poll_once()
    health = {h.name: h for h in second.sources}[f"alarms:{REGION}"]
    assert health.error == "throttled by AWS (DescribeAlarms)" and second.alarms == first.alarms

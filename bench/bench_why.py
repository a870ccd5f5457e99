"""API calls per hour of the four why sources at 500 services / 5,000 tasks (issue 23).

The real sources (deployments, target health, alarms, scaling) poll the fakes of the tests
(``tests/fakes/why_services.py``, without moto) over HTTP with the real aiobotocore client,
on a fake clock stepped at each source's own interval through three simulated hours:

- hour 1, a quiet estate: 500 services (10 tasks each, behind 500 target groups, all healthy,
  each with 3 deployments of history), 500 scalable targets with 500 policies, 2,000 alarms of
  which 1,000 are about the services; it includes the first look at everything;
- hour 2, the same estate, steady;
- hour 3, an incident: 10 services deploy (10 minutes each), 5 target groups have a failing
  target for 10 minutes, 3 alarms fire (with their history), 3 services scale 5 times.

Counts every HTTP request per operation (the AWS layer's counters, as the header shows
them). The budget is the default ``--api-budget 5`` (each source a fifth). Prints a table,
asserts nothing.

    python bench/bench_why.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fgtop.model import (  # noqa: E402
    Deployment,
    Hints,
    LoadBalancerRef,
    Service,
    ServiceEvent,
    Snapshot,
    Task,
)
from fgtop.sources.alarms import AlarmsSource  # noqa: E402
from fgtop.sources.aws import Aws  # noqa: E402
from fgtop.sources.base import SourceContext  # noqa: E402
from fgtop.sources.deployments import DeploymentsSource  # noqa: E402
from fgtop.sources.elb_health import TargetHealthSource  # noqa: E402
from fgtop.sources.scaling import ScalingSource  # noqa: E402
from fgtop.sources.taskdef_cache import RevisionCache  # noqa: E402
from tests.fakes.why_services import (  # noqa: E402
    FakeAlarmHistory,
    FakeEcsDeployments,
    FakeScalingActivities,
    FakeTargetHealth,
    activity,
    deployment,
    history_item,
    revision,
)

REGION = "us-east-1"
ACCOUNT = "123456789012"
SERVICES = 500
TASKS = 10
T0 = 1_800_000_000.0
HOUR = 3600.0


def arn(i: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/svc-{i:03d}"


def tg(i: int) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/svc-{i:03d}/{i:016x}"


def ip(i: int, k: int) -> str:
    return f"10.{i // 250}.{i % 250}.{k + 10}"


def estate(
    busy: frozenset[int] = frozenset(), sick: frozenset[int] = frozenset(), t: float = T0
) -> Snapshot:
    """500 services of 10 tasks; ``busy`` ones have a deployment in progress (DescribeServices),
    ``sick`` ones report a task unhealthy in their target group (their events, as ECS does a
    minute after the load balancer)."""
    services, tasks = [], []
    for i in range(SERVICES):
        events = (
            (
                ServiceEvent(
                    f"e{i}",
                    t,
                    f"(service svc-{i:03d}) (task 1) is unhealthy in (target-group {tg(i)}) due to (reason Request timed out).",
                ),
            )
            if i in sick
            else ()
        )
        td = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/svc-{i:03d}:{3 + (i in busy)}"
        deps = (
            Deployment(
                f"ecs-svc/{i}{int(i in busy)}",
                "PRIMARY",
                td,
                TASKS,
                TASKS,
                0,
                rollout_state="IN_PROGRESS" if i in busy else "COMPLETED",
            ),
        )
        services.append(
            Service(
                f"svc-{i:03d}",
                arn(i),
                "prod",
                REGION,
                "ACTIVE",
                TASKS,
                TASKS,
                0,
                td,
                deployments=deps,
                load_balancers=(LoadBalancerRef(tg(i), "app", 8080),),
                events=events,
            )
        )
        for k in range(TASKS):
            tasks.append(
                Task(
                    f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/{i:04d}{k:028d}",
                    "prod",
                    REGION,
                    td,
                    "RUNNING",
                    "RUNNING",
                    f"svc-{i:03d}",
                    f"service:svc-{i:03d}",
                    private_ip=ip(i, k),
                )
            )
    return Snapshot(T0, services=tuple(services), tasks=tuple(tasks))


def arrange(
    ecs: FakeEcsDeployments, elb: FakeTargetHealth, cw: FakeAlarmHistory, aas: FakeScalingActivities
) -> None:
    for i in range(SERVICES):
        revs = [
            revision(
                arn(i),
                n,
                f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/svc-{i:03d}:{n}",
                {"app": f"x/svc-{i}:{n}"},
            )
            for n in range(4)
        ]
        ecs.state.revisions.update({r["serviceRevisionArn"]: r for r in revs})
        ecs.state.deployments[arn(i)] = [
            deployment(
                arn(i),
                f"d{i:03d}{n}",
                created=T0 - 86400 * (10 - 3 * n),
                target=revs[n]["serviceRevisionArn"],
                source=revs[n - 1]["serviceRevisionArn"],
                finished=T0 - 86400 * (10 - 3 * n) + 300,
            )
            for n in (3, 2, 1)
        ]
        elb.state.groups[tg(i)] = [(ip(i, k), 8080, "healthy", None, None) for k in range(TASKS)]
    aas.state.targets = [
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/prod/svc-{i:03d}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 5,
            "MaxCapacity": 20,
            "CreationTime": T0 - 86400,
        }
        for i in range(SERVICES)
    ]
    aas.state.policies = [
        {
            "PolicyARN": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{i}:resource/ecs/service/prod/svc-{i:03d}:policyName/cpu70",
            "PolicyName": "cpu70",
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/prod/svc-{i:03d}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0},
            "CreationTime": T0,
        }
        for i in range(SERVICES)
    ]
    cw.state.alarms = [
        {
            "AlarmName": f"svc-{i:03d}-{m}",
            "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:svc-{i:03d}-{m}",
            "StateValue": "OK",
            "StateUpdatedTimestamp": T0 - 3600,
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/ECS",
            "Dimensions": [
                {"Name": "ClusterName", "Value": "prod"},
                {"Name": "ServiceName", "Value": f"svc-{i:03d}"},
            ],
            "Threshold": 70.0,
            "ComparisonOperator": "GreaterThanThreshold",
        }
        for i in range(SERVICES)
        for m in ("cpu", "mem")
    ] + [
        {
            "AlarmName": f"other-{j}",
            "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:other-{j}",
            "StateValue": "OK",
            "MetricName": "X",
            "Namespace": "Other",
            "Dimensions": [],
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanThreshold",
        }
        for j in range(1000)
    ]


def incident(t: float, ecs, elb, cw, aas) -> tuple[frozenset[int], frozenset[int]]:
    """Hour 3's incident at time ``t``: which services deploy now and which report a task
    unhealthy (the fakes answer the rest)."""
    into = t - (T0 + 2 * HOUR)
    busy = frozenset(range(0, 100, 10)) if 0 <= into < 600 else frozenset()
    for i in range(0, 100, 10):
        d = ecs.state.deployments[arn(i)]
        if into >= 0 and not d[0]["serviceDeploymentArn"].endswith("new"):
            d.insert(
                0,
                deployment(
                    arn(i),
                    f"d{i:03d}new",
                    created=t,
                    status="IN_PROGRESS",
                    target=d[0]["targetServiceRevision"]["arn"],
                    source=d[0]["targetServiceRevision"]["arn"],
                ),
            )
        if into >= 600 and d[0]["status"] == "IN_PROGRESS":
            d[0].update(status="SUCCESSFUL", finishedAt=t, lifecycleStage="CLEAN_UP")
    for i in range(5):
        state = "unhealthy" if 300 <= into < 900 else "healthy"
        elb.state.groups[tg(i * 7)][0] = (
            ip(i * 7, 0),
            8080,
            state,
            "Target.Timeout" if state == "unhealthy" else None,
            None,
        )
    for i in range(3):
        firing = 1200 <= into < 1800
        alarm = cw.state.alarms[2 * i * 11]
        if (alarm["StateValue"] == "ALARM") != firing:
            alarm["StateValue"] = "ALARM" if firing else "OK"
            cw.state.history.append(
                history_item(
                    alarm["AlarmName"],
                    t,
                    "OK" if firing else "ALARM",
                    alarm["StateValue"],
                    "Threshold Crossed",
                )
            )
        if firing and int(into) % 120 == 0:
            aas.state.activities.insert(
                0,
                activity(f"a{i}-{int(into)}", f"service/prod/svc-{2 * i * 11:03d}", t, desired=12),
            )
    sick = frozenset(i * 7 for i in range(5)) if 360 <= into < 900 else frozenset()
    return busy, sick


async def run() -> dict[str, list[Counter[str]]]:
    fakes = (FakeEcsDeployments(), FakeTargetHealth(), FakeAlarmHistory(), FakeScalingActivities())
    ecs, elb, cw, aas = fakes
    for fake in fakes:
        fake.start()
    env = {
        "AWS_ENDPOINT_URL_ECS": ecs.url,
        "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": elb.url,
        "AWS_ENDPOINT_URL_CLOUDWATCH": cw.url,
        "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": aas.url,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_MAX_ATTEMPTS": "1",
    }
    os.environ.update(env)
    arrange(ecs, elb, cw, aas)
    import tempfile

    aws = Aws(regions=[REGION])
    clock = [T0]
    with tempfile.TemporaryDirectory() as cache:
        sources = [
            DeploymentsSource(aws, REGION, first_wait=0, revisions=RevisionCache(Path(cache))),
            TargetHealthSource(aws, REGION, first_wait=0),
            AlarmsSource(aws, REGION, first_wait=0),
            ScalingSource(aws, REGION, first_wait=0),
        ]
        snap = estate()
        ctx = SourceContext(lambda: snap, Hints(), lambda: clock[0])
        due = {s.name: T0 for s in sources}
        hours: dict[str, list[Counter[str]]] = {
            s.name: [Counter(), Counter(), Counter()] for s in sources
        }
        step = 5.0
        t = T0
        while t < T0 + 3 * HOUR:
            clock[0] = t
            busy, sick = incident(t, ecs, elb, cw, aas)
            snap = estate(busy, sick, t - 60 if sick else t)
            for s in sources:
                if t < due[s.name]:
                    continue
                before = Counter(
                    {op: aws.calls[f"{s.service}:{REGION}.{op}"] for op in s.operations}
                )
                part = await s.poll(ctx)
                after = Counter(
                    {op: aws.calls[f"{s.service}:{REGION}.{op}"] for op in s.operations}
                )
                hours[s.name][int((t - T0) // HOUR)] += after - before
                if s.prefix == "deployments":
                    snap = replace(snap, **part)
                due[s.name] = t + s.interval
            t += step
    await aws.close()
    for fake in fakes:
        fake.stop()
    return hours


def main() -> int:
    """Print the calls per hour of each source and operation."""
    started = time.perf_counter()
    hours = asyncio.run(run())
    print(
        f"{SERVICES} services, {SERVICES * TASKS:,} tasks, 500 target groups, 2,000 alarms, 500 scalable targets"
    )
    print(
        f"{'source':<24}{'operation':<28}{'hour 1 (first look)':>20}{'hour 2 (steady)':>16}{'hour 3 (incident)':>18}"
    )
    totals = [0, 0, 0]
    for name, counts in hours.items():
        for op in sorted(set().union(*counts)):
            print(f"{name:<24}{op:<28}{counts[0][op]:>20,}{counts[1][op]:>16,}{counts[2][op]:>18,}")
            for h in range(3):
                totals[h] += counts[h][op]
    print(f"{'all four':<52}{totals[0]:>20,}{totals[1]:>16,}{totals[2]:>18,}")
    print(
        f"(simulated 3 h in {time.perf_counter() - started:.0f} s of wall time; {os.uname().nodename}; load {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A small estate with every why part, in moto and the why fakes (test data, not fgtop code).

Cluster ``prod`` (us-east-1) with service ``web`` behind a real moto target group: two tasks,
one of them failing its health checks (the fake answers for the group, as moto cannot), a
deployment that failed and rolled back (the fake deployments API), a CPU alarm in ALARM with
its state change, and a scalable target (moto) at its maximum with the scale-out activity and
an ``AlreadyAtMaxCapacity`` one (the fake).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.aws_world import client, network, register, run
from tests.fakes.why_services import activity, deployment, history_item, revision

REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass
class WhyWorld:
    """What was created, to assert against."""

    service: str
    target_group: str
    tasks: list[str]
    ips: list[str]
    bad_ip: str
    deployment: str
    good_td: str
    bad_td: str
    alarm: str
    now: float


def why_world(moto: str, why: Any) -> WhyWorld:
    """Build it; ``why`` is the conftest's fakes (reset)."""
    now = time.time()
    ecs = client("ecs", REGION, moto)
    net = network(REGION, moto)
    ecs.create_cluster(clusterName="prod")
    vpc = client("ec2", REGION, moto).describe_vpcs()["Vpcs"][-1]["VpcId"]
    elb = client("elbv2", REGION, moto)
    tg = elb.create_target_group(
        Name="web-tg",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        TargetType="ip",
        HealthCheckPath="/health",
    )["TargetGroups"][0]["TargetGroupArn"]
    good = register(ecs, "web")
    bad = register(ecs, "web", memory="512")
    service = ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition=good,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=net,
        loadBalancers=[{"targetGroupArn": tg, "containerName": "app", "containerPort": 8080}],
    )["service"]["serviceArn"]
    tasks = run(ecs, "prod", good, net, 2, group="service:web")
    described = ecs.describe_tasks(cluster="prod", tasks=tasks)["tasks"]
    ips = [
        d["value"]
        for t in described
        for a in t.get("attachments") or ()
        for d in a.get("details") or ()
        if d["name"] == "privateIPv4Address"
    ]
    why.elb.state.groups[tg] = [
        (ips[0], 8080, "healthy", None, None),
        (
            ips[1],
            8080,
            "unhealthy",
            "Target.ResponseCodeMismatch",
            "Health checks failed with these codes: [503]",
        ),
    ]
    r1 = revision(service, 1, good, {"app": "example/web:1"})
    r2 = revision(service, 2, bad, {"app": "example/web:2"})
    why.ecs.state.revisions = {r["serviceRevisionArn"]: r for r in (r1, r2)}
    failed = deployment(
        service,
        "Bad0Deploy1",
        created=now - 900,
        status="ROLLBACK_SUCCESSFUL",
        target=r2["serviceRevisionArn"],
        source=r1["serviceRevisionArn"],
        failures=3,
        rollback=(now - 700, r1["serviceRevisionArn"]),
        reason="Service deployment rolled back because the circuit breaker threshold was exceeded.",
        finished=now - 600,
    )
    first = deployment(
        service,
        "Good0Deploy0",
        created=now - 86400,
        target=r1["serviceRevisionArn"],
        finished=now - 86000,
    )
    why.ecs.state.deployments[service] = [failed, first]
    cw = client("cloudwatch", REGION, moto)
    cw.put_metric_alarm(
        AlarmName="web-cpu-high",
        MetricName="CPUUtilization",
        Namespace="AWS/ECS",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        Threshold=70.0,
        ComparisonOperator="GreaterThanThreshold",
        Dimensions=[
            {"Name": "ClusterName", "Value": "prod"},
            {"Name": "ServiceName", "Value": "web"},
        ],
    )
    cw.set_alarm_state(
        AlarmName="web-cpu-high",
        StateValue="ALARM",
        StateReason="Threshold Crossed: 3 datapoints were greater than the threshold (70.0).",
    )
    why.alarms.state.history = [
        history_item(
            "web-cpu-high",
            now - 300,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 datapoints were greater than the threshold (70.0).",
        )
    ]
    aas = client("application-autoscaling", REGION, moto)
    aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/prod/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=2,
    )
    why.scaling.state.activities = [
        activity(
            "held",
            "service/prod/web",
            now - 120,
            desired=3,
            at_max=2,
            cause="monitor alarm web-cpu-high in state ALARM triggered policy cpu70",
        ),
        activity(
            "out",
            "service/prod/web",
            now - 290,
            desired=2,
            cause="monitor alarm web-cpu-high in state ALARM triggered policy cpu70",
        ),
    ]
    return WhyWorld(
        service,
        tg,
        tasks,
        ips,
        ips[1],
        failed["serviceDeploymentArn"],
        good,
        bad,
        "web-cpu-high",
        now,
    )

"""Arrange a realistic ECS estate in moto with plain boto3 (test data, not fgtop code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3


@dataclass
class World:
    """What was created, to assert against."""

    clusters: dict[str, list[str]] = field(default_factory=dict)
    """region -> cluster names."""
    services: dict[str, list[str]] = field(default_factory=dict)
    """cluster -> service names."""
    tasks: dict[str, list[str]] = field(default_factory=dict)
    """cluster -> task ARNs (running and stopped)."""
    stopped: dict[str, str] = field(default_factory=dict)
    """stopped task ARN -> reason."""
    spot: set[str] = field(default_factory=set)
    arm_taskdef: str = ""


def client(service: str, region: str, endpoint: str) -> Any:
    """A boto3 client against the moto server."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def network(region: str, endpoint: str, ec2: Any = None) -> dict:
    """A VPC with DNS hostnames, a subnet and a security group (run_task needs them in moto).

    ``ec2``: the client of another account (default: moto's default account)."""
    ec2 = ec2 or client("ec2", region, endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName=f"fgtop-{vpc}", Description="t", VpcId=vpc)["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg]}}


def register(
    ecs: Any, family: str, *, arm: bool = False, cpu: str = "512", memory: str = "1024"
) -> str:
    """Register a Fargate task definition with awslogs and container-level memory."""
    runtime = {"cpuArchitecture": "ARM64" if arm else "X86_64", "operatingSystemFamily": "LINUX"}
    return ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=cpu,
        memory=memory,
        runtimePlatform=runtime,
        containerDefinitions=[
            {
                "name": "app",
                "image": f"example/{family}:1",
                "memory": int(memory),
                "environment": [
                    {"name": "DB_PASSWORD", "value": "hunter2"},
                    {"name": "MODE", "value": "prod"},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": f"/ecs/{family}", "awslogs-stream-prefix": "ecs"},
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]


def run(
    ecs: Any,
    cluster: str,
    taskdef: str,
    net: dict,
    count: int,
    *,
    group: str | None = None,
    spot: bool = False,
    tags: dict[str, str] | None = None,
) -> list[str]:
    """run_task in batches of 10 (the API's limit); returns the task ARNs."""
    arns: list[str] = []
    while len(arns) < count:
        n = min(10, count - len(arns))
        kwargs: dict[str, Any] = {
            "cluster": cluster,
            "taskDefinition": taskdef,
            "count": n,
            "networkConfiguration": net,
        }
        if spot:
            kwargs["capacityProviderStrategy"] = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
        else:
            kwargs["launchType"] = "FARGATE"
        if group:
            kwargs["group"] = group
        if tags:
            kwargs["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        resp = ecs.run_task(**kwargs)
        arns += [t["taskArn"] for t in resp["tasks"]]
    return arns


def add_service(
    ecs: Any, cluster: str, name: str, taskdef: str, net: dict, count: int
) -> list[str]:
    """A Fargate service of ``count`` running tasks in ``cluster``; returns the task ARNs."""
    ecs.create_service(
        cluster=cluster,
        serviceName=name,
        taskDefinition=taskdef,
        desiredCount=count,
        launchType="FARGATE",
        networkConfiguration=net,
    )
    return run(ecs, cluster, taskdef, net, count, group=f"service:{name}")


def web_service(endpoint: str, region: str, tasks: int = 2) -> tuple[Any, dict, list[str]]:
    """Cluster ``prod`` with a Fargate service ``web`` of ``tasks`` running tasks.

    Returns the ECS client, the network configuration and the task ARNs.
    """
    ecs = client("ecs", region, endpoint)
    net = network(region, endpoint)
    ecs.create_cluster(clusterName="prod")
    return ecs, net, add_service(ecs, "prod", "web", register(ecs, "web"), net, tasks)


def build_world(endpoint: str, *, big_cluster_tasks: int = 105, services: int = 12) -> World:
    """Two regions, two clusters in the first: >100 tasks, >10 services, Spot, ARM, a stop."""
    world = World()
    # us-east-1: "prod" with many services and tasks; "batch" with standalone tasks.
    ecs = client("ecs", "us-east-1", endpoint)
    net = network("us-east-1", endpoint)
    ecs.create_cluster(
        clusterName="prod", settings=[{"name": "containerInsights", "value": "enabled"}]
    )
    ecs.create_cluster(clusterName="batch")
    world.clusters["us-east-1"] = ["prod", "batch"]
    api_td = register(ecs, "api")
    world.arm_taskdef = register(ecs, "worker", arm=True, cpu="1024", memory="2048")
    names = [f"svc-{i:02d}" for i in range(services)]
    for name in names:
        ecs.create_service(
            cluster="prod",
            serviceName=name,
            taskDefinition=api_td,
            desiredCount=2,
            launchType="FARGATE",
            networkConfiguration=net,
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": True, "rollback": True}
            },
        )
    world.services["prod"] = names
    arns: list[str] = []
    per = max(1, big_cluster_tasks // services)
    for i, name in enumerate(names):
        n = per if i < services - 1 else big_cluster_tasks - per * (services - 1)
        arns += run(ecs, "prod", api_td, net, n, group=f"service:{name}", tags={"team": "core"})
    spot = run(ecs, "prod", world.arm_taskdef, net, 3, group="service:svc-00", spot=True)
    world.spot.update(spot)
    arns += spot
    world.tasks["prod"] = arns
    batch = run(ecs, "batch", world.arm_taskdef, net, 2, tags={"job": "nightly"})
    stop_arn = batch[0]
    ecs.stop_task(cluster="batch", task=stop_arn, reason="Essential container in task exited")
    world.stopped[stop_arn] = "Essential container in task exited"
    world.tasks["batch"] = batch
    # eu-west-1: one small cluster.
    ecs2 = client("ecs", "eu-west-1", endpoint)
    net2 = network("eu-west-1", endpoint)
    ecs2.create_cluster(clusterName="edge")
    edge_td = register(ecs2, "edge")
    ecs2.create_service(
        cluster="edge",
        serviceName="edge-proxy",
        taskDefinition=edge_td,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=net2,
    )
    world.services["edge"] = ["edge-proxy"]
    world.tasks["edge"] = run(ecs2, "edge", edge_td, net2, 2, group="service:edge-proxy")
    world.clusters["eu-west-1"] = ["edge"]
    return world

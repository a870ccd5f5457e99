"""The ECS source against a real moto server over HTTP."""

from __future__ import annotations

import json

import pytest

from fgtop.engine.core import Engine
from fgtop.sources.aws import Aws, ReadOnlyViolation
from fgtop.sources.ecs import EcsSource, parse_service, parse_task
from tests.fakes.aws_world import build_world
from tests.fakes.snapshots import SAMPLES as SAMPLES_DIR

SAMPLES = str(SAMPLES_DIR)


@pytest.fixture
def world(moto: str):
    return build_world(moto)


async def _poll(regions: list[str], **kwargs) -> tuple:
    aws = Aws(regions=regions)
    sources = [EcsSource(aws, r, **kwargs) for r in aws.regions]
    engine = Engine(sources)
    engine.closers.append(aws.close)
    try:
        snapshot = await engine.poll_once()
    finally:
        await engine.stop()
    return snapshot, sources, aws


async def test_snapshot_holds_everything_across_pages_and_regions(world) -> None:
    snapshot, _, _ = await _poll(["us-east-1", "eu-west-1"])
    assert {(c.name, c.region) for c in snapshot.clusters} == {
        ("prod", "us-east-1"),
        ("batch", "us-east-1"),
        ("edge", "eu-west-1"),
    }
    # More than 100 tasks in one cluster and more than 10 services: nothing capped.
    prod_tasks = {t.arn for t in snapshot.tasks if t.cluster == "prod"}
    assert prod_tasks == set(world.tasks["prod"])
    assert len(prod_tasks) > 100
    assert (
        sorted(s.name for s in snapshot.services if s.cluster == "prod") == world.services["prod"]
    )
    assert len(world.services["prod"]) > 10
    # Every task of every cluster, standalone and service tasks.
    assert {t.arn for t in snapshot.tasks} == {a for arns in world.tasks.values() for a in arns}
    standalone = [t for t in snapshot.tasks if t.cluster == "batch"]
    assert all(t.service is None for t in standalone)
    assert {t.service for t in snapshot.tasks if t.cluster == "edge"} == {"edge-proxy"}


async def test_task_fields_spot_arm_stopped_tags(world) -> None:
    snapshot, _, _ = await _poll(["us-east-1"])
    by_arn = {t.arn: t for t in snapshot.tasks}
    for arn in world.spot:
        t = by_arn[arn]
        assert t.capacity_provider == "FARGATE_SPOT"
        assert t.arch == "arm64"
        # moto leaves out task cpu/memory: they come from the task definition.
        assert (t.cpu, t.memory) == (1024, 2048)
    ((stopped_arn, reason),) = world.stopped.items()
    stopped = by_arn[stopped_arn]
    assert stopped.last_status == "STOPPED"
    assert stopped.stopped_reason == reason
    assert stopped.tags == {"job": "nightly"}
    api = next(t for t in snapshot.tasks if t.service == "svc-03")
    assert (api.cpu, api.memory, api.arch) == (512, 1024, "x86_64")
    assert api.tags == {"team": "core"}
    assert api.private_ip
    td = snapshot.task_definition(api.task_definition)
    assert td is not None and td.containers[0].log.group == "/ecs/api"
    assert {c.container_insights for c in snapshot.clusters if c.name == "prod"} == {"enabled"}


async def test_calls_are_batched_and_task_definitions_cached(world) -> None:
    aws = Aws(regions=["us-east-1"])
    source = EcsSource(aws, "us-east-1")
    try:
        await source.poll()
        first = aws.calls["ecs"]
        await source.poll()
        second = aws.calls["ecs"] - first
    finally:
        await aws.close()
    # Second poll: no describe_task_definition again (2 families cached).
    # list_clusters 1 + describe_clusters 1 + per cluster (list_services, list_tasks x2)
    # + describe_services ceil(12/10)=2 + describe_tasks ceil(108/100)=2 for prod, 1 for batch.
    assert second == first - 2
    assert second == 1 + 1 + 3 * 2 + 2 + 2 + 1


async def test_ec2_tasks_hidden_unless_asked(moto: str, boto) -> None:
    from tests.fakes.aws_world import network, register, run

    ecs = boto("ecs")
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="mixed")
    td = register(ecs, "f")
    run(ecs, "mixed", td, net, 2)
    snapshot, _, _ = await _poll(["us-east-1"])
    assert len(snapshot.tasks) == 2 and all(t.launch_type == "FARGATE" for t in snapshot.tasks)


async def test_cluster_filter(world) -> None:
    snapshot, _, _ = await _poll(["us-east-1"], clusters=["batch"])
    assert {t.cluster for t in snapshot.tasks} == {"batch"}
    assert [c.name for c in snapshot.clusters] == ["batch"]


async def test_mutating_call_refused_before_any_request(moto: str) -> None:
    aws = Aws(regions=["us-east-1"])
    try:
        ecs = await aws.client("ecs", "us-east-1")
        before = aws.calls["ecs"]
        with pytest.raises(ReadOnlyViolation, match="StopTask"):
            await ecs.stop_task(cluster="x", task="y")
        with pytest.raises(ReadOnlyViolation, match="RunTask"):
            await ecs.run_task(taskDefinition="x")
        assert aws.calls["ecs"] == before  # nothing was sent
    finally:
        await aws.close()


async def test_api_budget_stretches_the_interval(world) -> None:
    aws = Aws(regions=["us-east-1"])
    source = EcsSource(aws, "us-east-1", refresh=2.0, budget=1.0)
    try:
        await source.poll()
    finally:
        await aws.close()
    assert source.interval > 2.0
    assert "ECS calls/s" in (source.note() or "")


def test_parse_real_shaped_samples() -> None:
    with open(f"{SAMPLES}/ecs-describe-tasks.json") as fh:
        tasks = json.load(fh)["tasks"]
    running = parse_task(tasks[0], "shop-prod", "eu-west-1", None)
    assert running.capacity_provider == "FARGATE_SPOT" and running.is_spot
    assert (running.cpu, running.memory, running.arch) == (1024, 2048, "arm64")
    assert running.private_ip == "10.20.3.41" and running.az == "eu-west-1b"
    assert running.ephemeral_storage_gib == 21
    assert running.service == "shop-api" and running.tags == {"team": "checkout", "env": "prod"}
    assert running.started_at is not None and running.health == "HEALTHY"
    oom = parse_task(tasks[1], "shop-prod", "eu-west-1", None)
    assert oom.stop_code == "EssentialContainerExited"
    assert oom.containers[0].exit_code == 137
    assert "OutOfMemoryError" in (oom.containers[0].reason or "")
    assert oom.stopped_at is not None and oom.stopped_at > oom.started_at
    with open(f"{SAMPLES}/ecs-describe-services.json") as fh:
        services = json.load(fh)["services"]
    rolling = parse_service(services[0], "shop-prod", "eu-west-1")
    assert rolling.deployment_state == "rolling 3/6"
    assert rolling.capacity_provider_strategy == (("FARGATE", 1, 2), ("FARGATE_SPOT", 3, 0))
    failed = parse_service(services[1], "shop-prod", "eu-west-1")
    assert failed.deployment_state == "FAILED/rollback"
    assert failed.deployments[1].failed_tasks == 5 and failed.circuit_breaker


async def test_failing_source_is_stale_others_keep_refreshing(
    world, moto: str, monkeypatch
) -> None:
    aws = Aws(regions=["us-east-1", "eu-west-1"])
    good = EcsSource(aws, "us-east-1")
    bad = EcsSource(aws, "eu-west-1")
    engine = Engine([good, bad])
    engine.closers.append(aws.close)
    try:
        first = await engine.poll_once()
        assert all(s.ok for s in first.sources)
        # The network to eu-west-1 goes away: its source now reaches a closed port.
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        broken = Aws(regions=["eu-west-1"])
        engine.closers.append(broken.close)
        bad.aws = broken
        second = await engine.poll_once()
    finally:
        await engine.stop()
    health = {s.name: s for s in second.sources}
    assert health["ecs:us-east-1"].ok and not health["ecs:us-east-1"].stale
    assert not health["ecs:eu-west-1"].ok and health["ecs:eu-west-1"].stale
    assert health["ecs:eu-west-1"].error and "\n" not in health["ecs:eu-west-1"].error
    # The last good eu-west-1 data is kept.
    assert {t.cluster for t in second.tasks} >= {"edge", "prod"}


async def test_list_calls_follow_every_page(world, moto: str, monkeypatch) -> None:
    """Behind a proxy that pages like real ECS: >100 tasks and >10 services, nothing capped."""
    from tests.fakes.paging_proxy import PagingProxy

    proxy = PagingProxy(moto, max_page=100)
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    try:
        snapshot, _, aws = await _poll(["us-east-1"])
    finally:
        await proxy.stop()
    assert {t.arn for t in snapshot.tasks if t.cluster == "prod"} == set(world.tasks["prod"])
    assert len(world.tasks["prod"]) > 100
    assert (
        sorted(s.name for s in snapshot.services if s.cluster == "prod") == world.services["prod"]
    )
    # 108 running prod tasks need two pages of ListTasks; the proxy served them.
    assert proxy.pages["ListTasks"] >= 2 + 2  # prod: 2 pages running + 1 stopped; batch: 1 + 1
    assert aws.calls["ecs.ListTasks"] == proxy.pages["ListTasks"]


async def test_small_pages_still_complete(world, moto: str, monkeypatch) -> None:
    """Even at 7 items a page (a stingy server), every cluster, service and task arrives."""
    from tests.fakes.paging_proxy import PagingProxy

    proxy = PagingProxy(moto, max_page=7)
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    try:
        snapshot, _, _ = await _poll(["us-east-1"])
    finally:
        await proxy.stop()
    assert {t.arn for t in snapshot.tasks} == set(world.tasks["prod"]) | set(world.tasks["batch"])
    assert len({s.name for s in snapshot.services}) == 12
    assert proxy.pages["ListServices"] >= 2


async def test_focus_service_comes_first_then_everything(world) -> None:
    """`--cluster prod --service svc-03`: the first poll holds that service alone."""
    aws = Aws(regions=["us-east-1"])
    source = EcsSource(aws, "us-east-1", clusters=["prod"], focus_service="svc-03")
    try:
        first = await source.poll()
        assert source.interval == 0.0  # the full poll is due at once
        second = await source.poll()
    finally:
        await aws.close()
    assert [s.name for s in first["services"]] == ["svc-03"]
    assert {t.service for t in first["tasks"]} == {"svc-03"} and first["tasks"]
    assert len(second["services"]) == 12 and len(second["tasks"]) > 100
    assert source.interval >= 5.0


async def test_unchanged_tasks_are_the_same_objects_from_poll_to_poll(world, moto: str) -> None:
    """A task ECS describes as before is the object the last poll made (derivation and the
    tables keep their work by identity; the snapshots share it); a changed one is new."""
    from tests.fakes.aws_world import client

    aws = Aws(regions=["us-east-1"])
    source = EcsSource(aws, "us-east-1")
    try:
        first = {t.arn: t for t in (await source.poll())["tasks"]}
        client("ecs", "us-east-1", moto).stop_task(
            cluster="prod", task=world.tasks["prod"][0], reason="scaled in"
        )
        second = {t.arn: t for t in (await source.poll())["tasks"]}
    finally:
        await aws.close()
    stopped = world.tasks["prod"][0]
    assert second[stopped] is not first[stopped]
    assert second[stopped].last_status == "STOPPED" != first[stopped].last_status
    same = [arn for arn, t in second.items() if arn in first and t == first[arn]]
    assert len(same) > 100
    assert all(second[arn] is first[arn] for arn in same)

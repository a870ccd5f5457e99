"""One denied ECS operation degrades its own part, never the region (moto behind a proxy).

The fault proxy answers the chosen operation with ``AccessDeniedException``, as real AWS does
for a policy that allows ``ListTasks`` but not, say, ``DescribeServices``. The tasks are still
listed; what was lost is named (operation and permission) in the source's note, which the
snapshot carries and the header shows; allowing the call again clears it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fgtop.engine.core import Engine
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.ui.widgets.header_bar import HeaderBar
from tests.fakes.aws_world import register, run, web_service
from tests.fakes.fault_proxy import FaultProxy

REGION = "us-east-1"


@pytest.fixture
async def proxy(moto: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FaultProxy]:
    ecs, net, _ = web_service(moto, REGION, tasks=3)
    run(ecs, "prod", register(ecs, "batch"), net, 1)
    async with FaultProxy(moto) as fp:
        monkeypatch.setenv("AWS_ENDPOINT_URL", fp.url)
        yield fp


@pytest.fixture
async def source(proxy: FaultProxy) -> AsyncIterator[EcsSource]:
    aws = Aws(regions=[REGION])
    yield EcsSource(aws, REGION)
    await aws.close()


async def test_denied_describe_services_still_lists_the_tasks(
    proxy: FaultProxy, source: EcsSource
) -> None:
    proxy.deny = {"DescribeServices"}
    part = await source.poll()
    assert len(part["tasks"]) == 4 and part["services"] == ()
    assert sorted(t.service or "-" for t in part["tasks"]) == ["-", "web", "web", "web"]
    assert source.degraded() == (
        "DescribeServices denied (needs ecs:DescribeServices): services not described"
    )
    assert "denied" not in (source.note() or "")  # it is the source's health, said once

    proxy.deny = set()  # allowed again: the mark clears
    part = await source.poll()
    assert [s.name for s in part["services"]] == ["web"] and source.degraded() is None

    proxy.deny = {"DescribeServices"}  # denied again: the last services described stay
    part = await source.poll()
    assert [s.name for s in part["services"]] == ["web"] and len(part["tasks"]) == 4
    assert "DescribeServices denied" in (source.degraded() or "")


async def test_denied_list_services_still_lists_the_tasks(
    proxy: FaultProxy, source: EcsSource
) -> None:
    proxy.deny = {"ListServices"}
    part = await source.poll()
    assert len(part["tasks"]) == 4 and part["services"] == ()
    assert source.degraded() == "ListServices denied (needs ecs:ListServices): services not listed"


async def test_denied_describe_task_definition_shows_tasks_with_unknown_sizes(
    proxy: FaultProxy, source: EcsSource
) -> None:
    proxy.deny = {"DescribeTaskDefinition"}
    part = await source.poll()
    assert len(part["tasks"]) == 4 and [s.name for s in part["services"]] == ["web"]
    assert part["task_definitions"] == ()
    assert all(t.cpu is None for t in part["tasks"])  # moto's tasks carry no size: "?"
    assert "DescribeTaskDefinition denied (needs ecs:DescribeTaskDefinition)" in (
        source.degraded() or ""
    )
    assert proxy.calls["DescribeTaskDefinition"] == 2  # both definitions asked once

    await source.poll()  # still denied: one call asks, not one per definition
    assert proxy.calls["DescribeTaskDefinition"] == 3 and source.degraded()

    proxy.deny = set()
    part = await source.poll()
    assert len(part["task_definitions"]) == 2 and source.degraded() is None
    assert {t.cpu for t in part["tasks"]} == {512}


async def test_the_snapshot_and_header_name_the_denied_operation(proxy: FaultProxy) -> None:
    proxy.deny = {"DescribeServices", "DescribeTaskDefinition"}
    aws = Aws(regions=[REGION])
    engine = Engine([EcsSource(aws, REGION)], meta={"regions": (REGION,)})
    engine.closers.append(aws.close)
    try:
        snapshot = await engine.poll_once()
    finally:
        await engine.stop()
    assert len(snapshot.tasks) == 4
    [health] = snapshot.sources
    assert not health.ok and health.stale and health.last_success is not None
    assert health.error.startswith("DescribeServices denied (needs ecs:DescribeServices)")
    assert "DescribeTaskDefinition denied" in health.error
    header = HeaderBar()
    header.snapshot = snapshot
    assert f"{health.name}: DescribeServices denied" in header.render().plain


@pytest.mark.parametrize("op", ["DescribeClusters", "ListClusters"])
async def test_a_denied_essential_operation_fails_the_region_with_one_line(
    proxy: FaultProxy, op: str
) -> None:
    proxy.deny = {op}
    aws = Aws(regions=[REGION])
    engine = Engine([EcsSource(aws, REGION)], meta={"regions": (REGION,)})
    engine.closers.append(aws.close)
    try:
        snapshot = await engine.poll_once()
    finally:
        await engine.stop()
    [health] = snapshot.sources
    assert not health.ok and health.stale
    assert op in (health.error or "") and "\n" not in (health.error or "")

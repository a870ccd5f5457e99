"""Pod logs through KubeSource and the pod log API of the fake server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from fgtop.sources.kube import KubeSource
from fgtop.sources.kubeconfig import kubeconfig_connections
from fgtop.sources.podlogs import read_pod_logs
from tests.fakes.kube_server import FakeKube, make_pod, write_kubeconfig

T0 = 1_790_000_000.25


@pytest.fixture
async def source(tmp_path: Path) -> AsyncIterator[tuple[FakeKube, KubeSource]]:
    async with FakeKube(token="tok") as kube:
        kube.add("pods", make_pod("checkout-1", "shop"))
        kube.set_logs("shop", "checkout-1", "app", [(T0, "starting"), (T0 + 1, "ready")])
        kube.set_logs(
            "shop",
            "checkout-1",
            "app",
            [(T0 - 60, "loading cart"), (T0 - 59.5, "[bold]killed[/] \x1b[31m")],
            previous=True,
        )
        config = write_kubeconfig(tmp_path / "config", kube.url, token="tok")
        [conn] = kubeconfig_connections(config_file=str(config))
        src = KubeSource(conn)
        src.api = await conn.client()  # connected, not streaming: logs only
        try:
            yield kube, src
        finally:
            await src.close()


async def test_logs_have_times_and_the_pod_key(source: tuple[FakeKube, KubeSource]) -> None:
    kube, src = source
    lines = await src.logs("shop", "checkout-1", "app")
    assert [(ln.timestamp, ln.message) for ln in lines] == [(T0, "starting"), (T0 + 1, "ready")]
    assert {ln.target for ln in lines} == {"fake/shop/checkout-1"}
    assert {ln.container for ln in lines} == {"app"}
    assert len({ln.event_id for ln in lines}) == 2
    assert kube.requests["log"] == 1 and src.api_calls() == 1


async def test_previous_logs_of_a_crashed_container(source: tuple[FakeKube, KubeSource]) -> None:
    _, src = source
    lines = await src.logs("shop", "checkout-1", "app", previous=True)
    assert [ln.message for ln in lines] == ["loading cart", "[bold]killed[/] \x1b[31m"]
    assert lines[1].timestamp == pytest.approx(T0 - 59.5)
    assert {ln.stream for ln in lines} == {"previous"}


async def test_no_previous_container_is_an_api_error(source: tuple[FakeKube, KubeSource]) -> None:
    kube, src = source
    kube.logs.pop(("shop", "checkout-1", "app", True))
    with pytest.raises(ApiException) as info:
        await src.logs("shop", "checkout-1", "app", previous=True)
    assert info.value.status == 400 and "previous terminated container" in str(info.value.reason)


async def test_tail_and_since(source: tuple[FakeKube, KubeSource]) -> None:
    kube, src = source
    now = time.time()
    kube.set_logs("shop", "checkout-1", "app", [(now - 600, "old"), (now - 5, "new")])
    assert [ln.message for ln in await src.logs("shop", "checkout-1", tail_lines=1)] == ["new"]
    recent = await src.logs("shop", "checkout-1", "app", since_seconds=60)
    assert [ln.message for ln in recent] == ["new"]


async def test_read_with_a_bare_api_client(source: tuple[FakeKube, KubeSource]) -> None:
    _, src = source
    assert src.api is not None
    lines = await read_pod_logs(src.api, "shop", "checkout-1", "app", cluster="c1")
    assert lines[0].target == "c1/shop/checkout-1"


async def test_follow_yields_lines_as_they_come(source: tuple[FakeKube, KubeSource]) -> None:
    kube, src = source
    got: list[str] = []

    async def consume() -> None:
        async for line in src.follow("shop", "checkout-1", "app"):
            got.append(line.message)

    task = asyncio.create_task(consume())
    for _ in range(100):
        if got == ["starting", "ready"]:
            break
        await asyncio.sleep(0.02)
    kube.push_log("shop", "checkout-1", "app", (T0 + 2, "order 42 paid"))
    for _ in range(100):
        if len(got) == 3:
            break
        await asyncio.sleep(0.02)
    assert got == ["starting", "ready", "order 42 paid"]
    kube.end_logs("shop", "checkout-1", "app")
    await asyncio.wait_for(task, 2)


async def test_cancelling_follow_closes_the_stream(source: tuple[FakeKube, KubeSource]) -> None:
    kube, src = source
    stream = src.follow("shop", "checkout-1", "app")
    first = await anext(stream)
    assert first.message == "starting"
    await stream.aclose()  # type: ignore[attr-defined]
    for _ in range(100):
        if not kube._log_followers.get(("shop", "checkout-1", "app")):  # noqa: SLF001
            break
        await asyncio.sleep(0.02)
    assert not kube._log_followers.get(("shop", "checkout-1", "app"))  # noqa: SLF001

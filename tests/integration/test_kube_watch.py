"""KubeSource against the fake API server through a real kubeconfig: list, watch, relist."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fgtop.engine.core import Engine
from fgtop.sources.kube import KubeSource
from fgtop.sources.kubeconfig import kubeconfig_connections
from tests.fakes.kube_server import (
    FakeKube,
    make_deployment,
    make_event,
    make_pod,
    wait_until,
    write_kubeconfig,
)

FAST = {"backoff": (0.05, 0.2), "coalesce": 0.01}


@pytest.fixture
async def kube() -> AsyncIterator[FakeKube]:
    async with FakeKube(token="tok-1") as server:
        server.add("pods", make_pod("web-5d9-a1", "shop", owner="web-5d9"))
        server.add("pods", make_pod("web-5d9-b2", "shop", owner="web-5d9"))
        server.add("pods", make_pod("ec2-pod", "shop", fargate=False))
        server.add("deployments", make_deployment("web", "shop"))
        server.add("deployments", make_deployment("ec2-only", "shop"))
        yield server


async def start(kube: FakeKube, tmp_path: Path, **kw: object) -> tuple[Engine, KubeSource]:
    config = write_kubeconfig(tmp_path / "config", kube.url, token="tok-1")
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **{**FAST, **kw})  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    await wait_until(lambda: source.state() == "watching" and kube.watching("pods") == 1)
    await wait_until(lambda: len(engine.snapshot.pods) >= 2, what="first snapshot")
    # Pods and deployments are listed by separate calls: either may land first.
    await wait_until(lambda: len(engine.snapshot.workloads) >= 1, what="first workloads")
    return engine, source


def names(engine: Engine) -> set[str]:
    return {p.name for p in engine.snapshot.pods}


async def test_lists_fargate_pods_then_follows_the_watch(kube: FakeKube, tmp_path: Path) -> None:
    engine, source = await start(kube, tmp_path)
    try:
        assert names(engine) == {"web-5d9-a1", "web-5d9-b2"}  # the EC2 pod is not shown
        pod = next(p for p in engine.snapshot.pods if p.name == "web-5d9-a1")
        assert pod.cluster == "fake" and pod.context == "fake" and pod.is_fargate
        assert [w.name for w in engine.snapshot.workloads] == ["web"]
        [cluster] = engine.snapshot.kube_clusters
        assert cluster.watch_state == "watching" and cluster.endpoint == kube.url

        kube.add("pods", make_pod("web-5d9-c3", "shop", owner="web-5d9"))
        crashing = kube.get("pods", "shop", "web-5d9-a1")
        status = crashing["status"]["containerStatuses"][0]
        status["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
        status["lastState"] = {"terminated": {"reason": "OOMKilled", "exitCode": 137}}
        status["restartCount"] = 4
        kube.modify("pods", crashing)
        kube.delete("pods", "shop", "web-5d9-b2")
        await wait_until(lambda: names(engine) == {"web-5d9-a1", "web-5d9-c3"})
        await wait_until(lambda: engine.snapshot.pods[0].restarts == 4)
        pod = next(p for p in engine.snapshot.pods if p.name == "web-5d9-a1")
        assert pod.reason == "CrashLoopBackOff (OOMKilled exit 137)"
        # One list and one watch per kind: no polling.
        assert kube.requests["list pods"] == 1 and kube.requests["watch pods"] == 1
        assert source.api_calls() == 6
        assert engine.snapshot.sources[0].state == "watching"
    finally:
        await engine.stop()


async def test_all_pods_shows_every_pod(kube: FakeKube, tmp_path: Path) -> None:
    engine, _ = await start(kube, tmp_path, all_pods=True)
    try:
        await wait_until(lambda: "ec2-pod" in names(engine))
        await wait_until(lambda: {w.name for w in engine.snapshot.workloads} == {"web", "ec2-only"})
    finally:
        await engine.stop()


async def test_gone_relists_and_rewatches(kube: FakeKube, tmp_path: Path) -> None:
    engine, source = await start(kube, tmp_path)
    try:
        kube.gone("pods")
        kube.delete("pods", "shop", "web-5d9-b2")  # happens while the watch is down
        await wait_until(lambda: kube.requests["list pods"] == 2 and source.state() == "watching")
        await wait_until(lambda: names(engine) == {"web-5d9-a1"})
        assert source.relists == 1
        assert source.relist_seconds is not None and source.relist_seconds < 2
        assert kube.requests["watch pods"] == 2
        assert kube.requests["list events"] == 1  # the other kinds are untouched
    finally:
        await engine.stop()


async def test_dropped_stream_relists_with_backoff(kube: FakeKube, tmp_path: Path) -> None:
    engine, source = await start(kube, tmp_path)
    try:
        kube.drop("pods")
        kube.add("pods", make_pod("late-1", "shop"))
        await wait_until(lambda: "late-1" in names(engine))
        await wait_until(lambda: source.state() == "watching" and kube.watching("pods") == 1)
        assert kube.requests["list pods"] == 2
    finally:
        await engine.stop()


async def test_clean_end_rewatches_from_last_version_without_relist(
    kube: FakeKube, tmp_path: Path
) -> None:
    engine, _ = await start(kube, tmp_path)
    try:
        kube.end_watches("pods")
        kube.add("pods", make_pod("between-1", "shop"))  # before the rewatch: from history
        await wait_until(lambda: "between-1" in names(engine))
        await wait_until(lambda: kube.requests["watch pods"] == 2)
        assert kube.requests["list pods"] == 1
    finally:
        await engine.stop()


async def test_bookmark_keeps_a_compacted_watch_from_relisting(
    kube: FakeKube, tmp_path: Path
) -> None:
    engine, _ = await start(kube, tmp_path)
    try:
        kube.add("events", make_event("web-5d9-a1", "shop", "Pulled", "ok", when=time.time()))
        kube.bookmark("pods")  # pods' version moves up to the events' change
        await wait_until(lambda: len(engine.snapshot.kube_events) == 1)
        await _settle()
        kube.compact()
        kube.end_watches("pods")
        await wait_until(lambda: kube.requests["watch pods"] == 2)
        await _settle()
        assert kube.requests["list pods"] == 1
        # Without the bookmark the same history loss forces a relist.
        kube.add("events", make_event("web-5d9-a1", "shop", "Started", "ok", when=time.time()))
        kube.compact()
        kube.end_watches("pods")
        await wait_until(lambda: kube.requests["list pods"] == 2)
    finally:
        await engine.stop()


async def _settle() -> None:
    import asyncio

    await asyncio.sleep(0.15)


async def test_events_keep_the_last_n_per_pod(kube: FakeKube, tmp_path: Path) -> None:
    now = time.time()
    for i in range(5):
        kube.add("events", make_event("web-5d9-a1", "shop", f"R{i}", f"m{i}", when=now + i))
    kube.add("events", make_event("ec2-pod", "shop", "Pulled", "not shown", when=now))
    engine, _ = await start(kube, tmp_path, events_per_pod=3)
    try:
        await wait_until(lambda: len(engine.snapshot.kube_events) == 3)
        assert [e.reason for e in engine.snapshot.kube_events] == ["R2", "R3", "R4"]
        kube.add("events", make_event("web-5d9-a1", "shop", "R9", "newest", when=now + 9))
        await wait_until(lambda: engine.snapshot.kube_events[-1].reason == "R9")
        assert len(engine.snapshot.kube_events) == 3
        kube.delete("pods", "shop", "web-5d9-a1")
        await wait_until(lambda: engine.snapshot.kube_events == ())
    finally:
        await engine.stop()


async def test_deployment_replicas_follow_the_watch(kube: FakeKube, tmp_path: Path) -> None:
    engine, _ = await start(kube, tmp_path)
    try:
        dep = kube.get("deployments", "shop", "web")
        dep["spec"]["replicas"] = 5
        dep["status"]["readyReplicas"] = 3
        kube.modify("deployments", dep)
        await wait_until(lambda: engine.snapshot.workloads[0].desired == 5)
        assert engine.snapshot.workloads[0].ready == 3
    finally:
        await engine.stop()


async def test_list_pages_with_continue(kube: FakeKube, tmp_path: Path) -> None:
    for i in range(7):
        kube.add("pods", make_pod(f"batch-{i}", "jobs"))
    engine, _ = await start(kube, tmp_path, page_size=3)
    try:
        await wait_until(lambda: len(engine.snapshot.pods) == 9)
        assert kube.requests["list pods"] == 4  # 10 pods, 3 per page
    finally:
        await engine.stop()

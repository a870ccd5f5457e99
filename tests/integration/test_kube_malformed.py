"""One malformed Kubernetes object never hides the good ones (fake API server, real kubeconfig).

Each pod, event and Deployment is parsed on its own: a malformed one is skipped and counted
(``1 malformed pod skipped`` in the source's health), the rest are listed; a watch event with
a null or non-map object adds nothing.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

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


def _broken_pods() -> list[dict[str, Any]]:
    """One pod per way of being malformed that used to fail the whole source."""
    text_restarts = make_pod("bad-restarts", "shop")
    text_restarts["status"]["containerStatuses"][0]["restartCount"] = "many"
    text_exit = make_pod("bad-exit", "shop")
    text_exit["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"exitCode": "one hundred", "reason": "Error"}
    }
    list_labels = make_pod("bad-labels", "shop")
    list_labels["metadata"]["labels"] = ["app", "web"]
    map_statuses = make_pod("bad-statuses", "shop")
    map_statuses["status"]["containerStatuses"] = {"app": {"ready": True}}
    string_meta = make_pod("bad-meta", "shop")
    string_meta["metadata"] = "not a map"
    return [text_restarts, text_exit, list_labels, map_statuses, string_meta]


@pytest.fixture
async def kube() -> AsyncIterator[FakeKube]:
    async with FakeKube(token="tok-1") as server:
        server.add("pods", make_pod("web-5d9-a1", "shop", owner="web-5d9"))
        for pod in _broken_pods():
            server.add("pods", pod)
        server.add("pods", make_pod("web-5d9-b2", "shop", owner="web-5d9"))
        server.add("events", make_event("web-5d9-a1", "shop", "Started", "ok", when=1.8e9))
        bad_event = make_event("web-5d9-a1", "shop", "BackOff", "x", when=1.8e9, uid="bad")
        bad_event["count"] = "lots"
        server.add("events", bad_event)
        server.add("deployments", make_deployment("web", "shop"))
        bad_dep = make_deployment("broken", "shop")
        bad_dep["spec"]["replicas"] = "two"
        server.add("deployments", bad_dep)
        yield server


async def start(kube: FakeKube, tmp_path: Path) -> tuple[Engine, KubeSource]:
    config = write_kubeconfig(tmp_path / "config", kube.url, token="tok-1")
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    await wait_until(lambda: source.state() == "watching" and kube.watching("pods") == 1)
    await wait_until(lambda: len(engine.snapshot.pods) >= 2, what="first snapshot")
    return engine, source


def health(engine: Engine, name: str) -> Any:
    return next(h for h in engine.snapshot.sources if h.name == name)


async def test_malformed_objects_are_skipped_and_counted(kube: FakeKube, tmp_path: Path) -> None:
    engine, source = await start(kube, tmp_path)
    try:
        snap = engine.snapshot
        assert {p.name for p in snap.pods} == {"web-5d9-a1", "web-5d9-b2"}
        await wait_until(lambda: bool(engine.snapshot.kube_events), what="events")
        await wait_until(lambda: "deployment" in (source.error() or ""), what="deployments")
        note = "5 malformed pods skipped; 1 malformed event skipped; 1 malformed deployment skipped"
        assert source.malformed() == note
        await wait_until(lambda: health(engine, source.name).error == note, what="health")
        h = health(engine, source.name)
        assert not h.stale  # the good objects are fresh
        assert [e.reason for e in engine.snapshot.kube_events] == ["Started"]
        assert engine.snapshot.kube_clusters[0].error == note

        # A fixed pod is counted no more; a pod turning malformed is dropped and counted.
        fixed = make_pod("bad-restarts", "shop")
        kube.modify("pods", fixed)
        broken = copy.deepcopy(kube.get("pods", "shop", "web-5d9-b2"))
        broken["status"]["containerStatuses"][0]["restartCount"] = {"n": 1}
        kube.modify("pods", broken)
        await wait_until(
            lambda: {p.name for p in engine.snapshot.pods} == {"web-5d9-a1", "bad-restarts"},
            what="fixed pod shown, broken one dropped",
        )
        assert (source.malformed() or "").startswith("5 malformed pods skipped")
    finally:
        await engine.stop()


async def test_watch_events_without_an_object_add_nothing(kube: FakeKube, tmp_path: Path) -> None:
    engine, source = await start(kube, tmp_path)
    try:
        before = {p.key for p in engine.snapshot.pods}
        for event in (
            {"type": "ADDED", "object": None},
            {"type": "MODIFIED"},
            {"type": "ADDED", "object": "a string"},
            {"type": "ADDED", "object": {}},
            {"type": "DELETED", "object": None},
            ["not", "an", "event"],
        ):
            kube.raw_event("pods", event)
        kube.add("pods", make_pod("after-1", "shop"))  # the watch still works after them
        await wait_until(lambda: "after-1" in {p.name for p in engine.snapshot.pods})
        assert {p.key for p in engine.snapshot.pods} - before == {"fake/shop/after-1"}
        assert all(p.name for p in engine.snapshot.pods)
        assert source.state() == "watching"
    finally:
        await engine.stop()

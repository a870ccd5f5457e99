"""Kubeconfig contexts, exec credential plugins, and a cluster that refuses or is unreachable."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fgtop.engine.core import Engine
from fgtop.errors import SetupError
from fgtop.model import SourceHealth
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.kube import KubeSource
from fgtop.sources.kubeconfig import kubeconfig_connections, list_contexts
from tests.fakes.kube_server import (
    FakeKube,
    make_pod,
    wait_until,
    write_exec_plugin,
    write_kubeconfig,
)

FAST = {"backoff": (0.05, 0.2), "coalesce": 0.01}


class Ticker(PollingSource):
    """Another source in the same engine, to show it keeps working."""

    name = "ticker"
    interval = 0.05

    def __init__(self) -> None:
        self.polls = 0

    async def poll(self, ctx: SourceContext) -> Part:
        self.polls += 1
        return {"clusters": ()}


@pytest.fixture
async def kube() -> AsyncIterator[FakeKube]:
    async with FakeKube(token="good") as server:
        server.add("pods", make_pod("api-1", "prod"))
        yield server


def health(engine: Engine, name: str) -> SourceHealth:
    """The source's health in the last published snapshot (ok until the first one)."""
    return next((s for s in engine.snapshot.sources if s.name == name), SourceHealth(name))


async def test_exec_plugin_token_is_used_and_rerun_after_401(
    kube: FakeKube, tmp_path: Path
) -> None:
    plugin = write_exec_plugin(tmp_path, "good")
    config = write_kubeconfig(
        tmp_path / "config", kube.url, exec_command=[sys.executable, str(plugin)]
    )
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    try:
        await wait_until(lambda: [p.name for p in engine.snapshot.pods] == ["api-1"])
        assert set(kube.tokens_seen) == {"good"}
        assert (tmp_path / "runs").read_text().count("run") == 1
        # The cluster stops accepting the token; the plugin now prints a new one.
        kube.token = "rotated"
        (tmp_path / "token").write_text("rotated")
        kube.gone("pods")
        await wait_until(lambda: "rotated" in kube.tokens_seen, what="new token used")
        await wait_until(lambda: source.state() == "watching" and health(engine, source.name).ok)
        assert (tmp_path / "runs").read_text().count("run") >= 2
        kube.add("pods", make_pod("api-2", "prod"))
        await wait_until(lambda: len(engine.snapshot.pods) == 2)
    finally:
        await engine.stop()


@pytest.mark.parametrize(("expires_in", "runs"), [(600, 1), (240, 2)])
async def test_exec_plugin_is_rerun_only_near_expiry(
    kube: FakeKube, tmp_path: Path, expires_in: int, runs: int
) -> None:
    # kubernetes-asyncio treats a token with less than 5 minutes left as expired.
    plugin = write_exec_plugin(tmp_path, "good", expires_in=expires_in)
    config = write_kubeconfig(
        tmp_path / "config", kube.url, exec_command=[sys.executable, str(plugin)]
    )
    [conn] = kubeconfig_connections(config_file=str(config))
    api = await conn.client()
    try:
        assert (tmp_path / "runs").read_text().count("run") == 1
        conn._checked_at = 0.0  # noqa: SLF001 - skip the 15 s pacing of checks
        await conn.refresh(api.configuration)
        assert (tmp_path / "runs").read_text().count("run") == runs
        assert api.configuration.api_key["BearerToken"] == "Bearer good"
    finally:
        await api.close()


async def test_wrong_token_is_one_line_and_other_sources_keep_working(
    kube: FakeKube, tmp_path: Path
) -> None:
    config = write_kubeconfig(tmp_path / "config", kube.url, token="wrong")
    [conn] = kubeconfig_connections(config_file=str(config))
    source, ticker = KubeSource(conn, **FAST), Ticker()  # type: ignore[arg-type]
    engine = Engine([source, ticker])
    await engine.start()
    try:
        await wait_until(lambda: not health(engine, source.name).ok)
        h = health(engine, source.name)
        assert h.error == "Kubernetes: unauthorized (token expired or invalid)"
        assert source.state() == "error"
        [cluster] = engine.snapshot.kube_clusters
        assert cluster.error is not None and "unauthorized" in cluster.error
        polls = ticker.polls
        await wait_until(lambda: ticker.polls > polls + 3)
        assert health(engine, "ticker").ok
        await wait_until(lambda: kube.requests["list pods"] >= 3, what="retries")
    finally:
        await engine.stop()


async def test_rbac_forbidden_then_allowed(kube: FakeKube, tmp_path: Path) -> None:
    kube.forbidden = {"pods"}
    config = write_kubeconfig(tmp_path / "config", kube.url, token="good")
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    try:
        await wait_until(lambda: source.state() == "error")
        await wait_until(lambda: health(engine, source.name).error is not None)
        assert "forbidden by RBAC" in (health(engine, source.name).error or "")
        kube.forbidden = set()
        await wait_until(lambda: [p.name for p in engine.snapshot.pods] == ["api-1"])
        await wait_until(lambda: health(engine, source.name).ok)
    finally:
        await engine.stop()


async def test_forbidden_events_do_not_hide_pods(kube: FakeKube, tmp_path: Path) -> None:
    kube.forbidden = {"events"}
    config = write_kubeconfig(tmp_path / "config", kube.url, token="good")
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    try:
        await wait_until(lambda: [p.name for p in engine.snapshot.pods] == ["api-1"])
        await wait_until(lambda: health(engine, source.name).error is not None)
        h = health(engine, source.name)
        assert h.error is not None and h.error.startswith("events: ") and "events" in h.error
        assert source.state() == "watching" and not h.stale
    finally:
        await engine.stop()


async def test_unreachable_cluster_backs_off_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}", token="x")
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    try:
        await wait_until(lambda: source.state() == "backoff")
        await wait_until(lambda: health(engine, source.name).error is not None)
        error = health(engine, source.name).error or ""
        assert error.startswith("Kubernetes: cannot reach http://127.0.0.1:") and "\n" not in error
    finally:
        await engine.stop()


async def test_close_leaves_no_session_or_thread_pool(kube: FakeKube, tmp_path: Path) -> None:
    before = {t.ident for t in threading.enumerate() if not t.name.startswith("asyncio_")}
    config = write_kubeconfig(tmp_path / "config", kube.url, token="good")
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    await wait_until(lambda: len(engine.snapshot.pods) == 1)
    api = source.api
    assert api is not None
    await engine.stop()
    assert source.api is None
    assert api.rest_client.pool_manager.closed
    assert api._pool is None  # noqa: SLF001 - kubernetes-asyncio's lazy ThreadPool
    await asyncio.sleep(0.05)
    after = {t.ident for t in threading.enumerate() if not t.name.startswith("asyncio_")}
    assert after <= before


def test_contexts_from_several_kubeconfig_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_kubeconfig(tmp_path / "a", "http://127.0.0.1:1", token="a", context="dev")
    second = write_kubeconfig(
        tmp_path / "b",
        "http://127.0.0.1:2",
        token="b",
        context="arn:aws:eks:eu-west-1:111122223333:cluster/prod",
    )
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    names, current = list_contexts()
    assert names == ["dev", "arn:aws:eks:eu-west-1:111122223333:cluster/prod"]
    assert current == "arn:aws:eks:eu-west-1:111122223333:cluster/prod"  # the last file wins
    [conn] = kubeconfig_connections()
    assert conn.name == "prod" and conn.region == "eu-west-1" and conn.context == current
    both = kubeconfig_connections(["dev", current, "dev"])
    assert [c.name for c in both] == ["dev", "prod"]
    with pytest.raises(SetupError, match="unknown kube context 'nope'"):
        kubeconfig_connections(["nope"])


def test_missing_kubeconfig_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    with pytest.raises(SetupError, match="no kubeconfig found"):
        kubeconfig_connections()


async def test_failing_exec_plugin_is_one_line(kube: FakeKube, tmp_path: Path) -> None:
    plugin = tmp_path / "broken.py"
    plugin.write_text(
        "import sys\nsys.stderr.write('token expired: run aws sso login')\nsys.exit(1)\n"
    )
    config = write_kubeconfig(
        tmp_path / "config", kube.url, exec_command=[sys.executable, str(plugin)]
    )
    [conn] = kubeconfig_connections(config_file=str(config))
    source = KubeSource(conn, **FAST)  # type: ignore[arg-type]
    engine = Engine([source])
    await engine.start()
    try:
        await wait_until(lambda: health(engine, source.name).error is not None)
        error = health(engine, source.name).error or ""
        assert "exec: process returned 1" in error and "aws sso login" in error
        assert "\n" not in error and source.state() == "error"
        assert kube.requests["list pods"] == 0
    finally:
        await engine.stop()

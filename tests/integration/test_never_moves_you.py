"""Issue 27, live: while the first ECS poll is still running (DescribeTasks answering seconds
late, as on a large estate) the user opens the pods grid; the Kubernetes API then answers 410
Gone to every watch for a while. When the first complete frame lands (with a crash-looping pod
in it, a problem fgtop would open on), nothing moves: the pods grid stays, a one-line notice
says what appeared. Real parts: moto behind the fault proxy, the fake Kubernetes API server."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual.widgets import TabbedContent

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.sources.kube import KubeSource
from fgtop.sources.kubeconfig import kubeconfig_connections
from fgtop.ui.app import create_app
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.widgets.pod_grid import PodGrid
from tests.fakes.fault_proxy import FaultProxy
from tests.fakes.kube_server import FakeKube, make_pod, wait_until, write_kubeconfig

REGION = "us-east-1"


async def test_a_late_first_poll_and_a_410_storm_do_not_switch_screens(
    web_proxy: FaultProxy, tmp_path: Path
) -> None:
    web_proxy.delay["DescribeTasks"] = 4.0  # the first ECS poll ends seconds after launch
    async with FakeKube(token="tok-1") as kube:
        kube.add(
            "pods",
            make_pod("web-5d9-a1", "shop", owner="web-5d9", waiting="CrashLoopBackOff", restarts=7),
        )
        config = write_kubeconfig(tmp_path / "config", kube.url, token="tok-1")
        [conn] = kubeconfig_connections(config_file=str(config))
        aws = Aws(regions=[REGION])
        engine = Engine(
            [EcsSource(aws, REGION), KubeSource(conn, backoff=(0.05, 0.2), coalesce=0.01)]
        )
        engine.closers.append(aws.close)
        app = create_app(LiveFeed(engine, Deriver(load_price_table())))  # lands when untouched
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(":", *"pods", "enter")  # the user goes to the pods grid
            await pilot.pause()
            dash = app.screen
            assert isinstance(dash, DashboardScreen)
            assert dash.query_one(TabbedContent).active == "tab-pods"
            grid = dash.query_one(PodGrid)
            await wait_until(lambda: grid.row_count == 1, what="the pod listed")
            assert not engine.complete  # ECS has not answered yet
            # 410 Gone on every pods watch while the ECS poll runs: relist after relist.
            lists = kube.requests["list pods"]
            end = time.monotonic() + 1.5
            while time.monotonic() < end:
                kube.gone("pods")
                await asyncio.sleep(0.05)
            await wait_until(lambda: kube.requests["list pods"] > lists + 2, what="relists")
            await wait_until(
                lambda: app.frame is not None and app.frame.complete, 20, "the first full frame"
            )
            await pilot.pause(0.5)
            assert any(p.severity <= 2 for p in app.insights.problems)  # one to land on
            assert app.screen is dash and grid.has_focus
            assert dash.query_one(TabbedContent).active == "tab-pods"
            assert not any(isinstance(s, ProblemsScreen) for s in app.screen_stack)
            told = [n.message for n in app.told]
            assert any(m.endswith("— ! to see") for m in told), told

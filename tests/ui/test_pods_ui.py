"""Pilot tests of the pods grid and pod details: from the demo, and live from a fake cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.model import Pod
from fgtop.sources.kube import KubeSource
from fgtop.sources.kubeconfig import kubeconfig_connections
from fgtop.ui.app import FgtopApp, create_app
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.widgets.pod_grid import PodGrid
from tests.fakes.kube_server import FakeKube, make_pod, wait_until, write_kubeconfig
from tests.ui.helpers import demo_app as make_demo_app
from tests.ui.helpers import plain, settle

SIZE = (200, 50)


def demo_app() -> FgtopApp:
    """The app on the bundled demo, paused 20 minutes into the incident."""
    return make_demo_app(20)[0]


def rows(table: PodGrid) -> dict[str, dict[str, str]]:
    """Every row's plain text by row key, then by column key."""
    keys = [c.key for c in PodGrid.COLUMNS]
    out = {}
    for i in range(table.row_count):
        row_key = table.row_key_at(i)
        cells = [getattr(c, "plain", str(c)) for c in table.get_row_at(i)]
        out[row_key] = dict(zip(keys, cells, strict=True))
    return out


def table_row(text: str, first: str) -> list[str]:
    """The cells of the table row of ``text`` whose first cell is ``first``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{text}")


def body(app: FgtopApp) -> str:
    """The plain text of the details screen."""
    return plain(app.screen.query_one("#body", Static).content, width=200)


async def open_pods_tab(pilot: Pilot) -> PodGrid:
    """``:pods`` — the pods tab, focused."""
    await pilot.press("colon", *"pods", "enter")
    await pilot.pause()
    app = pilot.app
    assert app.screen.query_one(TabbedContent).active == "tab-pods"
    grid = app.screen.query_one(PodGrid)
    assert grid.has_focus
    return grid


async def open_pod(pilot: Pilot, grid: PodGrid, pod: Pod) -> None:
    """Move the cursor to a pod with the arrow keys and press enter."""
    await pilot.press("ctrl+home", *["down"] * grid.get_row_index(pod.key))
    assert grid.selected_key == pod.key
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DetailsScreen) and screen.kind == "pod" and screen.key == pod.key


async def test_demo_pods_grid_and_details() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pods = app.snapshot.pods
        tabs = app.screen.query_one(TabbedContent)
        assert str(tabs.get_tab("tab-pods").label) == f"Pods ({len(pods)})"
        grid = await open_pods_tab(pilot)
        shown = rows(grid)
        assert set(shown) == {p.key for p in pods}
        crash = next(p for p in pods if p.restarts and p.phase == "Running")
        pending = next(p for p in pods if p.phase == "Pending")
        row = shown[crash.key]
        assert row["namespace"] == "shop" and row["name"] == crash.name
        assert row["reason"] == "CrashLoopBackOff (OOMKilled exit 137)"
        assert row["restarts"] == "9" and row["ready"] == crash.ready
        assert row["profile"] == "fp-shop" and row["cluster"] == "shop-eks"
        assert row["size"] == (crash.capacity_provisioned or "-")
        row = shown[pending.key]
        assert row["namespace"] == "analytics" and "Pending" in row["phase"]
        assert row["reason"].startswith("Unschedulable")
        assert row["node"] == "-" and row["ip"] == "-"
        # Problems sort first: the crash-looping and the pending pod head the grid.
        first_two = {grid.row_key_at(i) for i in range(2)}
        assert first_two == {crash.key, pending.key}

        # The crash-looping pod: containers with state, last state, restarts; its events.
        await open_pod(pilot, grid, crash)
        text = body(app)
        assert f"Pod {crash.name}" in text and "CrashLoopBackOff (OOMKilled exit 137)" in text
        container = crash.containers[0]
        _, ready, restarts, state, last, image = table_row(text, container.name)
        assert (ready, restarts, state) == ("no", "9", "waiting (CrashLoopBackOff)")
        assert last.startswith("terminated (OOMKilled) exit 137 at ")
        assert image == container.image
        assert "Warning BackOff" in text and "Back-off restarting failed container" in text
        assert "Normal Started" in text
        assert "FailedScheduling" not in text  # only this pod's events
        profiles = text[text.index("Fargate profiles") :]
        assert table_row(profiles, "fp-shop") == ["fp-shop", "shop", "yes"]
        assert table_row(profiles, "fp-default") == ["fp-default", "default", "no"]
        await pilot.press("escape")
        assert app.screen is app.dashboard and grid.has_focus

        # The pending pod: no Fargate profile matches namespace analytics.
        await open_pod(pilot, grid, pending)
        text = body(app)
        assert "Pending" in text and "analytics" in text
        assert "Warning FailedScheduling" in text and "no nodes available" in text
        profiles = text[text.index("Fargate profiles") :]
        assert table_row(profiles, "fp-shop") == ["fp-shop", "shop", "no"]
        assert table_row(profiles, "fp-default") == ["fp-default", "default", "no"]
        await pilot.press("escape")
        assert app.screen is app.dashboard


async def test_live_pods_from_a_fake_cluster_show_up_and_change(tmp_path: Path) -> None:
    async with FakeKube(token="tok-1") as kube:
        kube.add("pods", make_pod("web-5d9-a1", "shop", owner="web-5d9"))
        config = write_kubeconfig(tmp_path / "config", kube.url, token="tok-1")
        [conn] = kubeconfig_connections(config_file=str(config))
        source = KubeSource(conn, backoff=(0.05, 0.2), coalesce=0.01)
        engine = Engine([source])
        app = create_app(LiveFeed(engine, Deriver(load_price_table())), land_on_problems=False)
        async with app.run_test(size=SIZE) as pilot:
            grid = app.screen.query_one(PodGrid)

            async def shown() -> dict[str, dict[str, str]]:
                await pilot.pause()
                return rows(grid)

            await wait_until(lambda: grid.row_count == 1, what="the listed pod in the grid")
            [(key, row)] = (await shown()).items()
            assert key == "fake/shop/web-5d9-a1"
            assert row["name"] == "web-5d9-a1" and "Running" in row["phase"]
            assert row["profile"] == "fp-default" and row["size"] == "0.25vCPU 0.5GB"

            # Added on the server: shows up by watch.
            kube.add("pods", make_pod("web-5d9-b2", "shop", owner="web-5d9"))
            await wait_until(lambda: grid.row_count == 2, what="the added pod")
            assert "fake/shop/web-5d9-b2" in await shown()

            # Modified on the server: the row changes in place.
            crashing = kube.get("pods", "shop", "web-5d9-a1")
            status = crashing["status"]["containerStatuses"][0]
            status["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
            status["lastState"] = {"terminated": {"reason": "OOMKilled", "exitCode": 137}}
            status["restartCount"] = 3
            status["ready"] = False
            kube.modify("pods", crashing)
            await wait_until(
                lambda: rows(grid)["fake/shop/web-5d9-a1"]["restarts"] == "3",
                what="the modified pod",
            )
            row = (await shown())["fake/shop/web-5d9-a1"]
            assert row["reason"] == "CrashLoopBackOff (OOMKilled exit 137)"
            assert row["ready"] == "0/1"

            # Deleted on the server: the row goes.
            kube.delete("pods", "shop", "web-5d9-b2")
            await wait_until(lambda: grid.row_count == 1, what="the deleted pod gone")
            assert kube.requests["list pods"] == 1  # by watch, not by polling
        # The app stopped the engine on exit, in the background on the poller's thread.
        await asyncio.wait_for(asyncio.wrap_future(app.feed.closing), 5)  # type: ignore[attr-defined]
        assert engine._closed  # noqa: SLF001

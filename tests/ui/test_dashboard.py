"""Pilot tests of the dashboard: grid contents, filter, sort, details, pause, stale source."""

from __future__ import annotations

import dataclasses

from textual.widgets import Static

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.model import SourceHealth
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.ui.app import create_app
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.snapshots import sample_snapshot
from tests.ui.helpers import plain, push, pushed_app

SIZE = (180, 50)


def rows(table) -> list[list[str]]:
    return [
        [str(c.plain) if hasattr(c, "plain") else str(c) for c in table.get_row_at(i)]
        for i in range(table.row_count)
    ]


async def test_grid_shows_tasks_and_services() -> None:
    snap = sample_snapshot(extra_tasks=5)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.pause()
        grid = app.screen.query_one(TaskGrid)
        assert grid.row_count == 7
        text = "\n".join(" ".join(r) for r in rows(grid))
        assert "shop-api" in text and "shop-worker" in text
        assert "Essential container in task exited [exit worker:137]" in text
        assert "SPOT" in text and "arm64" in text and "1vCPU/2GB" in text
        # The abnormal stop sorts first (problems first by default).
        status = [c.key for c in TaskGrid.COLUMNS].index("status")
        assert "STOPPED" in rows(grid)[0][status]
        services = app.screen.query_one(ServicesTable)
        srows = rows(services)
        assert {r[0] for r in srows} == {"shop-api", "shop-worker"}
        deploy = [c.key for c in ServicesTable.COLUMNS].index("deploy")
        assert any("FAILED/rollback" in r[deploy] for r in srows)


async def test_update_in_place_keeps_selection() -> None:
    snap = sample_snapshot(extra_tasks=10)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.pause()
        grid = app.screen.query_one(TaskGrid)
        await pilot.press("down", "down", "down")
        chosen = grid.selected_key
        # A new snapshot: one task gone, one health change.
        gone = next(t for t in snap.tasks if t.arn != chosen and t.last_status == "RUNNING")
        changed = tuple(
            dataclasses.replace(t, health="UNHEALTHY") if t.arn == chosen else t
            for t in snap.tasks
            if t is not gone
        )
        await push(pilot, dataclasses.replace(snap, tasks=changed, taken_at=snap.taken_at + 5))
        await pilot.pause()
        assert grid.row_count == 11
        assert grid.selected_key == chosen
        health = [c.key for c in TaskGrid.COLUMNS].index("health")
        assert "UNHEALTHY" in rows(grid)[grid.cursor_row][health]


async def test_filter_sort_details_and_back() -> None:
    snap = sample_snapshot(extra_tasks=6)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.pause()
        grid = app.screen.query_one(TaskGrid)
        await pilot.press("slash", *"worker")
        await pilot.pause()
        assert grid.row_count == 1
        await pilot.press("enter")  # keep the filter, back to the grid
        assert grid.has_focus
        await pilot.press("enter")  # open details
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        body = plain(app.screen.query_one("#body", Static).content)
        assert "Task b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2" in body
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)
        await pilot.press("slash", "escape")  # clear the filter
        await pilot.pause()
        assert grid.row_count == 8
        # Sort by the next columns: status -> health -> service ...
        grid.sort_column = "ip"
        await pilot.pause()
        ip = [c.key for c in TaskGrid.COLUMNS].index("ip")
        ips = [r[ip] for r in rows(grid)]
        assert ips == sorted(ips, key=lambda s: s.lower())
        await pilot.press("S")
        await pilot.pause()
        assert [r[ip] for r in rows(grid)] == sorted(ips, key=lambda s: s.lower(), reverse=True)


async def test_details_show_containers_and_full_reason() -> None:
    snap = sample_snapshot(extra_tasks=0)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.pause()
        stopped = next(t for t in snap.tasks if t.last_status == "STOPPED")
        app.open_details(stopped.arn, stopped)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        text = plain(screen.query_one("#body", Static).content)
        assert "OutOfMemoryError: Container killed due to memory usage" in text
        assert "137" in text and "Essential container in task exited" in text
        assert "EssentialContainerExited" in text


async def test_pause_stops_applying_and_r_resumes() -> None:
    snap = sample_snapshot(extra_tasks=2)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.press("p")
        assert app.paused and app.screen.query_one(HeaderBar).paused
        await push(pilot, dataclasses.replace(snap, tasks=snap.tasks[:1]))
        await pilot.pause()
        assert app.screen.query_one(TaskGrid).row_count == 4
        await pilot.press("p")
        await push(pilot, dataclasses.replace(snap, tasks=snap.tasks[:1]))
        await pilot.pause()
        assert app.screen.query_one(TaskGrid).row_count == 1


async def test_stale_source_is_shown_in_the_header() -> None:
    snap = sample_snapshot(extra_tasks=1)
    bad = SourceHealth(
        "ecs:us-east-1", ok=False, stale=True, error="access denied: needs ecs:ListTasks"
    )
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, dataclasses.replace(snap, sources=(*snap.sources, bad)))
        await pilot.pause()
        header = app.screen.query_one(HeaderBar).render().plain
        assert "ecs:us-east-1: access denied: needs ecs:ListTasks" in header
        assert "LIVE" in header and "210987654321" in header


async def test_live_engine_against_moto_fills_the_grid(moto: str) -> None:
    import boto3

    from tests.fakes.aws_world import network, register, run

    ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=moto)
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="live")
    td = register(ecs, "web")
    arns = run(ecs, "live", td, net, 4, group="service:web")
    aws = Aws(regions=["us-east-1"])
    engine = Engine([EcsSource(aws, "us-east-1", refresh=1.0)], meta={"regions": ("us-east-1",)})
    engine.closers.append(aws.close)
    app = create_app(LiveFeed(engine, Deriver(load_price_table())), land_on_problems=False)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.1)
            if app.snapshot is not None and app.snapshot.tasks:
                break
        grid = app.screen.query_one(TaskGrid)
        await pilot.pause()
        assert grid.row_count == 4
        assert {t.arn for t in app.snapshot.tasks} == set(arns)
        # r refreshes at once; p pauses the engine itself.
        await pilot.press("p")
        assert engine.paused
        await pilot.press("r")
        assert not engine.paused


async def test_cost_columns_show_rate_and_cost_so_far() -> None:
    snap = sample_snapshot(extra_tasks=3)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.pause()
        grid = app.screen.query_one(TaskGrid)
        keys = [c.key for c in TaskGrid.COLUMNS]
        cost = app.insights.cost
        # the sample's first task runs ARM64 on FARGATE_SPOT: its column shows the ARM Spot
        # rate, like its FARGATE copies show theirs
        arm_spot = snap.tasks[0]
        assert arm_spot.is_spot and arm_spot.arch == "arm64" and not cost.unpriced
        row = rows(grid)[grid.get_row_index(arm_spot.arn)]
        assert row[keys.index("cost")] == f"{float(cost.task_rates[arm_spot.arn]):.4f}"
        running = next(
            t for t in snap.tasks if t.last_status == "RUNNING" and t.arn in cost.task_rates
        )
        row = rows(grid)[grid.get_row_index(running.arn)]
        assert row[keys.index("cost")] == f"{float(cost.task_rates[running.arn]):.4f}"
        spent = float(cost.task_costs[running.arn])
        assert spent > 0 and row[keys.index("spent")] == f"${spent:.4f}"
        stopped = next(t for t in snap.tasks if t.last_status == "STOPPED")
        assert rows(grid)[grid.get_row_index(stopped.arn)][keys.index("cost")] == "-"  # not burning

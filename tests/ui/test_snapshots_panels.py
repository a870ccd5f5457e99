"""SVG snapshots of the chart panel and the cost panel from the demo, plus Pilot checks of both.

The demo is paused at a fixed frame, the time zone is fixed and notifications are cleared, so
the pictures do not depend on the wall clock or the machine. Update them with
``pytest tests/ui/test_snapshots_panels.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from fgtop.cost.prices import load_price_table
from fgtop.derive.insights import analyse
from fgtop.model import Service
from fgtop.recording.reader import Recording
from fgtop.ui.app import FgtopApp
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.widgets.cost_panel import hourly, money
from fgtop.ui.widgets.metric_chart import MetricChart
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.ui.helpers import demo_app as make_demo_app
from tests.ui.helpers import plain, settle, until

SIZE = (200, 50)
MINUTES = 20
"""The frame shown: 20 minutes into the incident (the OOM crash loop is on)."""
SERVICE = "shop-recs"
"""The crash-looping service of the demo: a memory climb before each OOM."""


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC: the chart axis and the header's times are local time."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def demo_app() -> tuple[FgtopApp, Recording]:
    """The app on the bundled demo, paused at the fixed frame."""
    app, _, rec = make_demo_app(MINUTES)
    return app, rec


async def quiet(pilot: Pilot) -> None:
    """Let the first frame render and clear the start-up notifications."""
    await pilot.pause(0.2)
    pilot.app.clear_notifications()
    await pilot.pause()


async def freeze(pilot: Pilot) -> None:
    """Let the replay timer update every header (the player is paused), clear notifications."""
    await pilot.pause(0.25)
    pilot.app.clear_notifications()
    await pilot.pause()


async def select_service(pilot: Pilot, name: str) -> Service:
    """``:svc``, then the arrow keys down to the service's row."""
    await pilot.press("colon", *"svc", "enter")
    await pilot.pause()
    table = pilot.app.screen.query_one(ServicesTable)
    assert table.has_focus
    service = next(s for s in pilot.app.snapshot.services if s.name == name)
    await pilot.press("ctrl+home", *["down"] * table.get_row_index(service.arn))
    await pilot.pause()
    assert table.selected_key == service.arn
    return service


# -- snapshots -----------------------------------------------------------------------------


def test_chart_panel_snapshot(snap_compare) -> None:  # noqa: ANN001 - pytest fixture
    """The dashboard with the chart of shop-recs over the last 15 minutes."""
    app, _ = demo_app()

    async def run_before(pilot: Pilot) -> None:
        await quiet(pilot)
        await select_service(pilot, SERVICE)
        await pilot.press("w", "w", "w")  # 1h -> 3h -> 12h -> 15m
        await freeze(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_cost_panel_snapshot(snap_compare) -> None:  # noqa: ANN001 - pytest fixture
    """The cost panel (``c``) at the fixed frame."""
    app, _ = demo_app()

    async def run_before(pilot: Pilot) -> None:
        await quiet(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CostScreen)
        await freeze(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- behaviour -----------------------------------------------------------------------------


async def test_chart_follows_the_selection_and_switches_windows() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await quiet(pilot)
        chart = app.screen.query_one("#chart", MetricChart)
        # The task grid has the focus: the chart shows its selected task (once the first frame
        # reached the grid: a busy machine takes longer than quiet's pause).
        grid = app.screen.query_one(TaskGrid)
        await until(pilot, lambda: grid.selected_item is not None, "a selected task")
        await until(pilot, lambda: chart._title.startswith("task "), "the task's chart")  # noqa: SLF001
        task = grid.selected_item
        assert task is not None
        assert chart._title.startswith(f"task {task.id[:8]}")  # noqa: SLF001
        service = await select_service(pilot, SERVICE)
        assert chart._title == f"service {SERVICE}"  # noqa: SLF001
        assert chart._memory == app.snapshot.series(service.arn, "memory")  # noqa: SLF001
        assert chart.message is None  # the demo has series for it: a chart, not "no data"
        assert chart.window == 3600
        # `w` on the dashboard cycles the window; 1-4 pick one on the focused chart.
        seen = []
        for _ in range(4):
            await pilot.press("w")
            seen.append(chart.window)
        assert seen == [10800, 43200, 900, 3600]
        chart.focus()
        await pilot.pause()
        for key, window in (("1", 900), ("4", 43200), ("2", 3600), ("3", 10800)):
            await pilot.press(key)
            assert chart.window == window
        await pilot.press("w")
        assert chart.window == 43200
        # The plot's title names the target and the window.
        rendered = plain(chart.render(), width=120)
        assert f"service {SERVICE} · 12h · 100% = reserved" in rendered
        # A 15-minute window holds fewer points than a 12-hour one.
        series = app.snapshot.series(service.arn, "cpu")
        assert series is not None
        now = app.snapshot.taken_at
        assert 0 < len(series.window(900, now)) < len(series.window(43200, now))
        await freeze(pilot)


async def test_cost_panel_shows_the_burn_rate_at_the_recording_time() -> None:
    app, rec = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await quiet(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CostScreen)
        cost = app.insights.cost
        assert cost is not None and cost.per_hour > 0
        total = plain(app.screen.query_one("#cost-total", Static).content, width=200)
        assert f"Burn rate {hourly(cost.per_hour)}" in total
        assert money(cost.per_month_projected) in total
        assert hourly(cost.spot_savings_per_hour) in total
        breakdown = plain(app.screen.query_one("#cost-breakdown", Static).content, width=200)
        top_cluster = max(cost.by_cluster, key=lambda k: cost.by_cluster[k])
        assert cost.labels.get(top_cluster, top_cluster) in breakdown
        assert "FARGATE_SPOT" in breakdown and "By service" in breakdown
        source = plain(app.screen.query_one("#cost-source", Static).content, width=200)
        assert str(cost.price_table_date) in source
        # Figures follow the replay clock, not the wall clock: seek to a frame of the
        # recording where the estate costs something else, and the panel follows.
        other = next(
            i
            for i in range(0, len(rec), 10)
            if analyse(rec.frame(i), load_price_table()).cost.per_hour != cost.per_hour
        )
        app.feed.seek(rec.times[other])
        await settle(pilot)
        assert app.snapshot.taken_at == rec.times[other]
        after = app.insights.cost.per_hour
        assert after == analyse(rec.frame(other), load_price_table()).cost.per_hour != cost.per_hour
        total = plain(app.screen.query_one("#cost-total", Static).content, width=200)
        assert f"Burn rate {hourly(after)}" in total
        await pilot.press("escape")
        assert app.screen is app.dashboard
        await freeze(pilot)

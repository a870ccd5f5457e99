"""Issue 27: 80x24 is a real size (and 160x48 shows what it has room for).

Each table keeps its identity, status, CPU% and MEM% first; a cut cell ends with an ellipsis
and the wide view shows it whole; the footer shows ``esc`` and ``?`` first on every screen; a
toast sits in the header's corner, one at a time, never over the focused content; the chart
keeps five plot rows; the timeline's MESSAGE gets the width; the logs open on the line they
were opened for; details wrap an image or an error message instead of cutting it.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Static
from textual.widgets._toast import Toast

from fgtop.ui.app import FgtopApp
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.screens.describe import DescribeScreen
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.logs import LogsScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.timeline import TimelineScreen, TimelineTable
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.log_view import LogView
from fgtop.ui.widgets.metric_chart import MetricChart
from fgtop.ui.widgets.pod_grid import PodGrid
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.ui.helpers import demo_app, plain, settle, until

SMALL = (80, 24)
LARGE = (160, 48)


def line(strip: Strip) -> str:
    return "".join(segment.text for segment in strip)


def table_lines(table: ResourceTable) -> list[str]:
    """The table's lines as the terminal gets them (header first)."""
    return [line(table.render_line(y)) for y in range(table.size.height)]


def log_rows(view: LogView) -> list[str]:
    """The visible log rows."""
    lines = view.lines
    return [line(lines.render_line(y)) for y in range(lines.scrollable_content_region.height)]


async def open_screen(pilot: Pilot, name: str) -> None:
    """Open one of the screens from the dashboard (the task grid has the focus)."""
    app = pilot.app
    assert isinstance(app, FgtopApp)
    keys = {
        "problems": ["exclamation_mark"],
        "timeline": ["e"],
        "cost": ["c"],
        "logs": ["l"],
        "details": ["enter"],
        "describe": ["d"],
    }[name]
    await pilot.press(*keys)
    await settle(pilot)
    await pilot.pause(0.2)


SCREENS = {
    "problems": ProblemsScreen,
    "timeline": TimelineScreen,
    "cost": CostScreen,
    "logs": LogsScreen,
    "details": DetailsScreen,
    "describe": DescribeScreen,
}


async def test_each_table_keeps_identity_status_cpu_and_mem_first_at_80x24() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(TaskGrid)
        services = app.screen.query_one(ServicesTable)
        assert [c.key for c in grid.shown_columns][:4] == ["id", "status", "cpu", "mem"]
        assert [c.key for c in services.shown_columns][:4] == ["name", "tasks", "cpu", "mem"]
        header = table_lines(grid)[0]
        assert [w for w in header.split() if w not in "▲▼"][:4] == [
            "TASK",
            "STATUS",
            "CPU%",
            "MEM%",
        ]
        assert sum(w for w in (grid.column_width(k) for k in ("id", "status")) if w) < 40
        for table in (grid, services):  # they fit: no sideways scrollbar eats a row
            assert table.virtual_size.width <= table.scrollable_content_region.width
        # A name longer than its column ends with an ellipsis; the wide view shows it whole.
        width = services.column_width("name")
        long = next(s for s in services.visible_items() if len(s.name) > (width or 0))
        shown = "\n".join(table_lines(services))
        assert long.name not in shown and "…" in shown
        services.focus()
        await pilot.press("W")
        assert services.wide and (services.column_width("name") or 0) >= len(long.name)
        await pilot.press("colon", *"pods", "enter")
        await pilot.pause()
        pods = app.screen.query_one(PodGrid)
        assert [c.key for c in pods.shown_columns][:2] == ["name", "phase"]


async def test_the_footer_shows_esc_and_help_first_on_every_screen_at_80x24() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)

        def first_keys() -> list[str]:
            footer = app.screen.query_one(KeyFooter)
            keys = [k for k in footer.children if getattr(k, "key", "") != "ctrl+p"]
            assert all(k.region.right <= SMALL[0] for k in keys[:2])
            return [k.key for k in keys[:2]]  # type: ignore[attr-defined]

        await until(pilot, lambda: first_keys()[:1] == ["question_mark"], "the footer")
        await pilot.press("slash", *"shop", "enter")  # esc clears the filter: it says so
        await until(pilot, lambda: first_keys() == ["escape", "question_mark"], "esc clear")
        await pilot.press("escape")
        for name, screen_type in SCREENS.items():
            await open_screen(pilot, name)
            assert isinstance(app.screen, screen_type)
            await until(
                pilot, lambda: first_keys() == ["escape", "question_mark"], f"{name}'s footer"
            )
            await pilot.press("escape")
            await settle(pilot)


async def test_a_toast_never_covers_the_focused_content_and_shows_one_at_a_time() -> None:
    for size in (SMALL, LARGE):
        app, _, _ = demo_app(20)
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(pilot)
            for name in ("dashboard", "problems", "logs", "details"):
                if name != "dashboard":
                    await open_screen(pilot, name)
                covered = [app.focused.region] if app.focused else []
                if name == "problems":  # the panel's why / next text too
                    covered.append(app.screen.query_one("#problem-detail").region)
                if name == "logs":
                    covered.append(app.screen.query_one(LogView).lines.region)
                for i in range(3):
                    app.notify(
                        f"memory above 90% for 5 minutes on shop-recs ({i}) " + "x" * 60,
                        title="alert: memory-high",
                        severity="warning",
                    )
                await pilot.pause(0.3)
                shown = [t for t in app.screen.query(Toast) if t.parent and t.parent.display]
                assert len(shown) == 1, f"{name} at {size}: {len(shown)} toasts"
                toast: Region = shown[0].region
                assert toast.height and toast.bottom <= 2  # the header's two lines
                assert toast.right == size[0] and toast.width <= size[0] // 2
                for region in covered:
                    assert not toast.overlaps(region), f"{name} at {size}: {toast} {region}"
                app.clear_notifications()
                if name != "dashboard":
                    await pilot.press("escape")
                    await settle(pilot)


def plot_rows(chart: MetricChart) -> int:
    """Rows of the plot: the lines that start with a y-axis label."""
    text = chart.render()
    assert isinstance(text, Text)
    return sum(1 for row in text.plain.splitlines() if re.match(r"\s*\d+\.\d\b", row))


async def test_the_chart_keeps_five_plot_rows_at_80x24() -> None:
    for size, compact in ((SMALL, True), (LARGE, False)):
        app, _, _ = demo_app(20)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            chart = app.screen.query_one(MetricChart)
            await until(pilot, lambda: chart.message is None, "a plotted chart")  # noqa: B023
            rows = plot_rows(chart)
            assert rows >= 5, f"{rows} plot rows at {size}"
            assert chart.compact is compact
            if compact:  # the title is its own line, cut to the width
                first = chart.render().plain.splitlines()[0]  # type: ignore[union-attr]
                assert "reserved" in first or first.endswith("…")


async def test_the_timeline_message_gets_the_width_at_80x24() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        table = app.screen.query_one(TimelineTable)
        message, time = table.column_width("message"), table.column_width("time")
        assert message is not None and time is not None
        assert message >= 40 and message > 2 * time
        assert table.column_width("target") is None  # the message names its target


async def test_the_logs_open_on_the_oom_line_following_at_80x24() -> None:
    """``↓ ↓ l`` from the landing: the OutOfMemoryError line is on screen, no End needed."""
    app, _, _ = demo_app(None, land_on_problems=True)
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen), "the landing")
        await settle(pilot)
        await pilot.press("down", "down", "l")
        await until(pilot, lambda: isinstance(app.screen, LogsScreen), "the logs")
        view = app.screen.query_one(LogView)
        await until(pilot, lambda: len(view.buffer) > 0, "the lines")
        await pilot.pause(0.3)
        rows = log_rows(view)
        assert any("OutOfMemoryError" in r for r in rows), rows
        assert view.follow  # at the tail: the kill is the task's last line
        assert any("09:47:4" in r for r in rows)  # with the lines before it


async def test_details_wrap_an_image_and_an_event_message_instead_of_cutting_at_160x48() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        snapshot = app.snapshot
        task = next(t for t in snapshot.tasks if t.containers and len(t.containers[0].image) > 60)
        app.open_details(task.key, task)
        await pilot.pause(0.3)
        body = plain(app.screen.query_one("#body", Static).content, width=LARGE[0] - 4)
        image = task.containers[0].image
        tag = image.rsplit(":", 1)[1]
        assert tag in body.replace("\n", "").replace("│", "").replace(" ", "")
        await pilot.press("escape")
        service = next(
            s
            for s in snapshot.services
            if any("CannotPullContainerError" in e.message for e in s.events)
        )
        app.open_details(service.key, service)
        await pilot.pause(0.3)
        body = plain(app.screen.query_one("#body", Static).content, width=LARGE[0] - 4)
        message = next(e.message for e in service.events if "CannotPullContainerError" in e.message)
        words = " ".join(body.replace("│", " ").split())
        assert message in words  # wrapped at spaces: every word, none cut

"""Issue 27: k9s habits, on every screen of the demo at 80x24.

``:`` opens over the current screen and ``esc`` returns to it; ``esc`` clears a filter or
search first, then goes back; ``/`` filters every list and the counts say ``12 of 103``; ``?``
lists the current screen's keys first; ``ctrl+p`` offers fgtop's commands; a sort goes to the
top of the sorted rows (``Home`` and ``PageUp`` bring them back too); the sort letters work on
the table that has the focus, one ``tab`` from the grid; a seek outside the recording says
where it starts and ends.
"""

from __future__ import annotations

import re

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from fgtop.text import fmt
from fgtop.ui.app import FgtopApp
from fgtop.ui.command_palette import palette_entries
from fgtop.ui.screens.command import CommandScreen
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.help import HelpScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.widgets.cost_panel import CostPanel
from fgtop.ui.widgets.log_view import LogView
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.ui.helpers import demo_app, plain, settle, until
from tests.ui.test_small_terminal import SCREENS, open_screen

SIZE = (80, 24)


def text_of(app: FgtopApp, selector: str) -> str:
    return " ".join(plain(w.render(), width=200) for w in app.screen.query(selector))


async def back_to_dashboard(pilot: Pilot) -> None:
    app = pilot.app
    for _ in range(4):
        if isinstance(app.screen, DashboardScreen):
            return
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(app.screen, DashboardScreen)


async def test_colon_opens_over_each_screen_and_esc_returns_to_it() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name, screen_type in SCREENS.items():
            await open_screen(pilot, name)
            under = app.screen
            assert isinstance(under, screen_type)
            await pilot.press("colon")
            await pilot.pause()
            assert isinstance(app.screen, CommandScreen)
            assert app.screen_stack[-2] is under  # over it, not over the dashboard
            await pilot.press(*"pro", "escape")
            await pilot.pause()
            assert app.screen is under, name
            await back_to_dashboard(pilot)
        # A command run from a screen goes where it says.
        await pilot.press("e", "colon", *"problems", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)


async def test_esc_clears_a_filter_or_search_first_then_goes_back_on_every_screen() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dash = app.screen
        grid = dash.query_one(TaskGrid)
        await pilot.press("slash", *"shop", "enter")
        assert grid.filter_text == "shop"
        await pilot.press("escape")
        assert grid.filter_text == "" and app.screen is dash
        for name in ("problems", "timeline", "cost", "details"):
            await open_screen(pilot, name)
            screen = app.screen
            await pilot.press("slash", *"shop", "enter")
            await pilot.pause()
            assert screen.esc_clears(), name  # type: ignore[attr-defined]
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen and not screen.esc_clears(), name  # type: ignore[attr-defined]
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is dash, name
        # The logs: the search first, then the filter, then back.
        await open_screen(pilot, "logs")
        logs = app.screen
        view = logs.query_one(LogView)
        await until(pilot, lambda: len(view.buffer) > 0, "log lines")
        await pilot.press("slash", *"e", "enter", "s", *"a", "enter")
        await pilot.pause()
        assert view.filter_pattern == "e" and view._search is not None  # noqa: SLF001
        await pilot.press("escape")
        assert view._search is None and view.filter_pattern == "e"  # noqa: SLF001
        await pilot.press("escape")
        assert view.filter_pattern == "" and app.screen is logs
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dash


async def test_slash_filters_every_list_and_the_counts_say_how_many_of_how_many() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(TaskGrid)
        total = grid.row_count
        await pilot.press("slash", *"shop-recs", "enter")
        label = str(app.screen.query_one(TabbedContent).get_tab("tab-tasks").label)
        assert label == f"Tasks ({grid.row_count} of {total})" and grid.row_count < total
        await pilot.press("escape")
        assert str(app.screen.query_one(TabbedContent).get_tab("tab-tasks").label) == (
            f"Tasks ({total})"
        )
        # problems
        await open_screen(pilot, "problems")
        everything = len(app.insights.problems)
        await pilot.press("slash", *"shop-recs", "enter")
        shown = len(app.screen.problems)  # type: ignore[attr-defined]
        assert 0 < shown < everything
        assert f"{shown} of {everything} problems" in text_of(app, "#problems-summary")
        await back_to_dashboard(pilot)
        # timeline
        await open_screen(pilot, "timeline")
        await pilot.press("slash", *"shop-recs", "enter")
        await pilot.pause()
        found = re.search(r"(\d+) of (\d+) entries", text_of(app, "#timeline-summary"))
        assert found and 0 < int(found[1]) < int(found[2])
        await back_to_dashboard(pilot)
        # cost: the breakdowns' rows by name
        await open_screen(pilot, "cost")
        await pilot.press("slash", *"shop-recs", "enter")
        await pilot.pause()
        panel = app.screen.query_one(CostPanel)
        breakdown = plain(panel.query_one("#cost-breakdown", Static).content, width=200)
        assert re.search(r"By service \(1 of \d+\)", breakdown), breakdown
        assert "shop-recs" in breakdown and "shop-api" not in breakdown
        await back_to_dashboard(pilot)
        # logs: the lines
        await open_screen(pilot, "logs")
        view = app.screen.query_one(LogView)
        await until(pilot, lambda: len(view.buffer) > 0, "log lines")
        await pilot.press("slash", *"INFO", "enter")
        assert view.filter_pattern == "INFO"
        assert 0 < len(view._nos()) < len(view.buffer)  # noqa: SLF001
        await back_to_dashboard(pilot)
        # details: a service's events
        services = app.screen.query_one(ServicesTable)
        service = next(s for s in services.visible_items() if len(getattr(s, "events", ())) > 2)
        app.open_details(service.key, service)
        await pilot.pause(0.3)
        word = service.events[0].message.split()[-1]
        await pilot.press("slash", *word, "enter")
        await pilot.pause()
        body = plain(app.screen.query_one("#body", Static).content, width=200)
        found = re.search(r"Events \((\d+) of (\d+)\)", body)
        assert found and int(found[2]) == len(service.events), body[-500:]


async def test_a_sort_goes_to_the_top_and_home_and_pageup_bring_the_top_rows_back() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(TaskGrid)
        height = grid.scrollable_content_region.height - 1
        await pilot.press(*["down"] * (height * 2))
        assert grid.cursor_row == height * 2 and grid.scroll_y > 0
        await pilot.press("M")  # memory, highest first
        await pilot.pause()
        assert grid.cursor_row == 0 and grid.scroll_y == 0
        mem = [grid.sort_value(t, "mem") for t in grid.on_screen_items()]
        known = [m for m in mem if m is not None]
        assert known and known == sorted(known, reverse=True)
        assert grid.on_screen_items()[0] is grid.visible_items()[0]
        for key in ("home", "pageup"):
            await pilot.press(*["down"] * (height * 2))
            assert grid.scroll_y > 0
            await pilot.press(*[key] * 3)
            await pilot.pause()
            assert grid.scroll_y == 0 and grid.cursor_row == 0, key


async def test_sort_letters_work_on_the_services_table_one_tab_from_the_grid() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(TaskGrid)
        services = app.screen.query_one(ServicesTable)
        assert grid.has_focus
        grid_sort = grid.sort_column
        await pilot.press("tab")
        assert services.has_focus
        await pilot.press("C")
        assert services.sort_column == "cpu" and grid.sort_column == grid_sort
        await pilot.press("tab", "tab")  # the chart, then the grid: no tab strip between
        assert grid.has_focus
        await pilot.press("shift+tab", "shift+tab")
        assert services.has_focus


async def test_help_lists_the_current_screens_keys_first_on_every_screen() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        expected = {
            "dashboard": "dashboard",
            "problems": "problems",
            "timeline": "timeline",
            "cost": "cost",
            "logs": "logs",
            "details": "details",
            "describe": "describe",
        }
        for name, area in expected.items():
            if name != "dashboard":
                await open_screen(pilot, name)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            rows = help_screen.keys or []
            if not rows:
                from fgtop.ui.keys import key_rows

                rows = key_rows(app.BINDINGS, help_screen.context)
            assert area in rows[0].area.split(", "), (name, rows[0])
            await pilot.press("escape")
            await back_to_dashboard(pilot)


async def test_ctrl_p_offers_fgtops_commands() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        texts = [text for text, _, _ in palette_entries(app)]
        for word in (":services", ":tasks", ":pods", ":problems", ":timeline", ":cost"):
            assert word in texts
        assert any(t.startswith(":region ") for t in texts)  # one per region watched
        assert any(t.startswith(":theme ") for t in texts)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"pods")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert app.screen.query_one(TabbedContent).active == "tab-pods"


async def test_a_seek_outside_the_recording_says_where_it_starts_and_ends() -> None:
    app, _, rec = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", *"+2h", "enter")
        await settle(pilot)
        said = [n.message for n in app.told]
        assert any(
            "outside the recording" in m
            and fmt.clock(rec.start) in m
            and fmt.clock(rec.end) in m
            and m.endswith("showing its end")
            for m in said
        ), said
        assert app.feed.clock.now == rec.end
        await pilot.press("G", *"-3h", "enter")
        await settle(pilot)
        assert app.told[-1].message.endswith("showing its start")
        told = len(app.told)
        await pilot.press("G", *"+1m", "enter")  # inside: nothing to say
        await settle(pilot)
        assert len(app.told) == told

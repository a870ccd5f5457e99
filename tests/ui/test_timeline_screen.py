"""Pilot tests of the timeline view, driven by the bundled demo recording."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime

from textual.widgets import Static

from fgtop.derive.alerts import Alert
from fgtop.derive.timeline import KIND_TASK_STARTED, KIND_TASK_STOPPED, Timeline
from fgtop.text import fmt
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.logs import LogsScreen
from fgtop.ui.screens.timeline import TimelineScreen, TimelineTable
from tests.ui.helpers import plain
from tests.ui.test_problems_screen import SIZE, demo_app, settle, table_rows


async def open_timeline(pilot) -> TimelineScreen:  # noqa: ANN001
    """Press ``e`` and return the timeline screen."""
    await settle(pilot)
    await pilot.press("e")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TimelineScreen)
    return screen


async def test_newest_first_up_to_the_replay_clock() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_timeline(pilot)
        expected = app.timeline.entries(until=app.now)
        assert len(expected) > 20
        rows = table_rows(screen.query_one("#timeline", TimelineTable))
        assert len(rows) == len(expected)
        assert [r[0] for r in rows] == [fmt.stamp(e.at, app.now) for e in reversed(expected)]
        assert screen.entries[0] == expected[-1]
        assert all(e.at <= app.now for e in screen.entries)
        kinds = {r[1].split(" ", 1)[1] for r in rows}
        assert {"service-event", "task-stopped"} <= kinds
        # The crash-looping service's OOM stops are there, in plain words.
        assert any("shop-recs" in r[3] and "exit 137" in r[3] for r in rows)


async def test_filter_as_you_type_and_kind_toggles() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_timeline(pilot)
        table = screen.query_one("#timeline", TimelineTable)
        total = table.row_count
        await pilot.press("slash", *"recs 137")
        await pilot.pause()
        rows = table_rows(table)
        assert 0 < len(rows) < total
        assert len(rows) == len(app.timeline.entries("recs 137", until=app.now))
        assert all("137" in r[3] and "recs" in " ".join(r) for r in rows)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen) and table.row_count == total
        await pilot.press("2")  # hide task starts and stops
        await pilot.pause()
        hidden = {KIND_TASK_STARTED, KIND_TASK_STOPPED}
        assert table.row_count < total
        assert not any(e.kind in hidden for e in screen.entries)
        assert "✖ tasks" in plain(screen.query_one("#timeline-summary", Static).render())
        await pilot.press("2")
        await pilot.pause()
        assert table.row_count == total


async def test_follows_the_replay_clock_and_skips_useless_redraws() -> None:
    app, player = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_timeline(pilot)
        table = screen.query_one("#timeline", TimelineTable)
        before = table.row_count
        rebuilds, updates = screen.rebuilds, screen.updates
        screen.show_snapshot(app.snapshot)  # nothing changed: no redraw
        assert (screen.rebuilds, screen.updates) == (rebuilds, updates)
        app.feed.seek(player.now + 5 * 60)
        await settle(pilot)
        assert table.row_count > before
        expected = app.timeline.entries(until=app.now)
        assert screen.entries == list(reversed(expected))
        assert table_rows(table)[0][3] == expected[-1].message[: len(table_rows(table)[0][3])]
        # New entries were added to the rows already there, not rebuilt from scratch.
        assert screen.updates > updates and screen.rebuilds == rebuilds
        # Back in time: the clock's cut-off hides what has not happened yet.
        app.feed.seek(player.now - 8 * 60)
        await settle(pilot)
        assert table.row_count == len(app.timeline.entries(until=app.now)) < before


async def test_enter_jumps_to_the_task_and_l_opens_logs_then() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_timeline(pilot)
        arns = {t.arn for t in app.snapshot.tasks}
        row = next(
            i
            for i, e in enumerate(screen.entries)
            if e.kind == KIND_TASK_STOPPED and e.target in arns
        )
        entry = screen.entries[row]
        await pilot.press("ctrl+home", *["down"] * row)
        assert screen.selected_entry() == entry
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen) and app.screen.key == entry.target
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.selected_entry() == entry
        await pilot.press("l")
        await pilot.pause()
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        if hasattr(logs, "target"):
            assert logs.target == entry.target and logs.at == entry.at


def use(app, timeline: Timeline) -> None:
    """Show ``timeline`` as the derived timeline of the app's current frame."""
    frame = app.frame
    derived = dataclasses.replace(frame.derived, timeline=timeline.view())
    app.frame = dataclasses.replace(frame, derived=derived)


async def test_five_thousand_entries() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_timeline(pilot)
        big = Timeline(maxlen=5000)
        tasks = app.snapshot.tasks
        big.add_alerts(
            Alert(
                "task-stopped",
                tasks[i % len(tasks)].arn,
                f"event number {i}",
                app.now - 5000 + i,
                2 + i % 3,
                cluster=tasks[i % len(tasks)].cluster,
            )
            for i in range(5000)
        )
        use(app, big)
        started = time.perf_counter()
        screen.refresh_entries()
        await pilot.pause()
        took = time.perf_counter() - started
        table = screen.query_one("#timeline", TimelineTable)
        assert table.row_count == 5000  # every entry is a row (the table is virtual)
        assert table_rows(table)[0][3] == "alert task-stopped: event number 4999"
        assert table_rows(table)[-1][3] == "alert task-stopped: event number 0"
        summary = plain(screen.query_one("#timeline-summary", Static).render())
        assert "5000 of 5000 entries" in summary
        updates = screen.updates
        started = time.perf_counter()
        for _ in range(10):
            screen.show_snapshot(app.snapshot)
        skipped = (time.perf_counter() - started) / 10
        assert screen.updates == updates
        # Ten new entries, one of them older than most: added and put in time order.
        rebuilds = screen.rebuilds
        arn = tasks[0].arn
        big.add_alerts(Alert("late", arn, f"new {i}", app.now - 100 + i, 2) for i in range(9))
        big.add_alerts([Alert("late", arn, "older one", app.now - 500.5, 2)])
        use(app, big)
        started = time.perf_counter()
        screen.refresh_entries()
        await pilot.pause()
        added = time.perf_counter() - started
        # The oldest rows went (the timeline holds 5,000), the new ones are in time order,
        # without a rebuild.
        assert screen.rebuilds == rebuilds and table.row_count == 5000
        expected = list(reversed(big.entries(until=app.now)))
        assert screen.entries == expected
        messages = [r[3] for r in table_rows(table)]
        assert messages == [e.message for e in expected]
        assert 100 < messages.index("alert late: older one") < 600
        # The filter reaches every entry.
        screen.set_filter("number 17")
        await pilot.pause()
        assert table.row_count == len(big.entries("number 17")) < 5000
        assert "alert task-stopped: event number 17" in [r[3] for r in table_rows(table)]
        print(
            f"5000 entries: rebuild+paint {took * 1000:.0f} ms, unchanged update "
            f"{skipped * 1000:.1f} ms, 10 new entries {added * 1000:.0f} ms"
        )


async def test_entries_of_other_days_carry_their_date_in_timestamp_order() -> None:
    """Issue 14: without dates, yesterday's 23:22 read as later than today's 09:48."""
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_timeline(pilot)
        rows = table_rows(screen.query_one("#timeline", TimelineTable))
        ats = [e.at for e in screen.entries]
        assert ats == sorted(ats, reverse=True)  # newest first, by the full timestamp
        today = [
            r[0] for r, e in zip(rows, screen.entries, strict=True) if fmt.same_day(e.at, app.now)
        ]
        older = [
            (r[0], e)
            for r, e in zip(rows, screen.entries, strict=True)
            if not fmt.same_day(e.at, app.now)
        ]
        assert today and older  # the demo's baseline reaches back to the day before
        assert all(len(t) == 8 for t in today)  # HH:MM:SS on the replay day
        for text, e in older:
            assert text == datetime.fromtimestamp(e.at).strftime("%m-%d %H:%M:%S")
        # Read as text top to bottom, the dated rows still go back in time.
        texts = [text for text, _ in older]
        assert texts == sorted(texts, reverse=True)
        assert screen.query_one("#timeline", TimelineTable).column_width("time") >= 14

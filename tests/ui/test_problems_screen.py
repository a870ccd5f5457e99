"""Pilot tests of the problems view, driven by the bundled demo recording (a real incident)."""

from __future__ import annotations

import dataclasses

from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from fgtop.derive.problems import Problem
from fgtop.recording.player import Player
from fgtop.recording.reader import open_recording
from fgtop.resources import demo_recording
from fgtop.ui import app as app_module
from fgtop.ui.app import FgtopApp
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.describe import DescribeScreen
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.logs import LogsScreen
from fgtop.ui.screens.problems import ProblemsScreen, ProblemsTable, problem_key
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.ui.helpers import demo_app as make_demo_app
from tests.ui.helpers import plain, push, pushed_app, settle, until

SIZE = (200, 50)
WORDS = {"CRIT": 1, "HIGH": 2, "MED": 3, "LOW": 4}


def demo_app(minutes: float = 20) -> tuple[FgtopApp, Player]:
    """The app on the bundled demo, paused ``minutes`` into the incident; lands on problems."""
    app, player, _ = make_demo_app(minutes, land_on_problems=True)
    return app, player


def table_rows(table: ProblemsTable) -> list[list[str]]:
    """The plain text of every row."""
    return [
        [getattr(c, "plain", str(c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


def oom_problem(app: FgtopApp) -> Problem:
    """The crash-looping OOM service of the demo (shop-recs, exit 137)."""
    return next(p for p in app.insights.problems if p.kind == "oom" and p.title == "shop-recs")


async def select(pilot: Pilot, screen: ProblemsScreen, problem: Problem) -> None:
    """Move the cursor to a problem's row with the arrow keys."""
    table = screen.query_one("#problems", ProblemsTable)
    key = problem_key(problem)

    def shown() -> bool:
        try:
            table.get_row_index(key)
        except KeyError:
            return False
        return True

    # The frame the problem came from may still be on its way to the table (a busy machine).
    await until(pilot, shown, f"the row of {problem.title}")
    row = table.get_row_index(key)
    await pilot.press("ctrl+home", *["down"] * row)
    assert screen.selected_problem() == problem


async def test_demo_lands_on_problems_most_severe_first() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        rows = table_rows(screen.query_one("#problems", ProblemsTable))
        assert len(rows) == len(app.insights.problems) > 3
        # What lasts first, most severe first; then what ended within the hour (resolved).
        resolved = [r[6].startswith("resolved ") for r in rows]
        assert resolved == sorted(resolved)
        severities = [
            WORDS[r[0].split()[1]] for r, done in zip(rows, resolved, strict=True) if not done
        ]
        assert severities == sorted(severities)
        assert severities[0] == 1 and rows[0][0] == "✖ CRIT"
        # Glyph and word, never colour alone; one that ended says so in its SEV cell.
        assert all(r[0][0] in "✖▲●○" for r, done in zip(rows, resolved, strict=True) if not done)
        assert all(r[0] == "✔ RES" for r, done in zip(rows, resolved, strict=True) if done)
        summary = plain(screen.query_one("#problems-summary", Static).render())
        assert f"{len(rows)} problems" in summary


def dashboard_beneath(app: FgtopApp) -> DashboardScreen:
    """The dashboard at the bottom of the stack."""
    dash = app.screen_stack[1]
    assert isinstance(dash, DashboardScreen)
    return dash


async def test_landing_on_problems_composes_the_dashboard_beneath_after_they_paint() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen), "landing")
        dash = dashboard_beneath(app)
        assert not dash.built and not dash.query(TaskGrid)  # only its header so far
        await until(pilot, lambda: dash.built, "the dashboard composed in the background")
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)  # still on top, and still has the keys
        assert dash.query(TaskGrid) and dash.shown is None  # composed, not rendered hidden
        first = screen.selected_problem()
        await pilot.press("down")
        assert screen.selected_problem() not in (None, first)
        await pilot.press("escape")
        await until(pilot, lambda: dash.query_one(TaskGrid).row_count > 0, "task rows")
        assert app.screen is dash and dash.shown is app.frame


async def test_keys_before_the_dashboard_is_composed_are_carried_out_once_it_is(
    monkeypatch,
) -> None:
    monkeypatch.setattr(app_module, "DASHBOARD_AFTER", 600.0)  # never in the background
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen), "landing")
        dash = dashboard_beneath(app)
        problem = oom_problem(app)
        await select(pilot, app.screen, problem)
        assert not dash.built
        await pilot.press("g")  # go to the problem's service on the dashboard
        await until(pilot, lambda: dash.selected_target() == problem.target, "selection")
        assert app.screen is dash and dash.query_one(TaskGrid).row_count > 0
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen), "landing")
        dash = dashboard_beneath(app)
        await pilot.press("escape")  # back to the dashboard before it was composed
        await until(pilot, lambda: dash.built and dash.shown is app.frame, "dashboard shown")
        await pilot.press("colon", *"pods", "enter")
        await until(pilot, lambda: dash.query_one(TabbedContent).active == "tab-pods", ":pods")


async def test_oom_service_has_reason_and_next_step() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        rows = table_rows(screen.query_one("#problems", ProblemsTable))
        oom = [r for r in rows if r[1] == "oom" and r[2] == "shop-recs"]
        assert len(oom) == 1
        assert "exit 137" in oom[0][6] or oom[0][6].endswith("…")
        assert oom[0][3] == "shop-prod" and int(oom[0][5]) > 1
        problem = oom_problem(app)
        await select(pilot, screen, problem)
        detail = plain(screen.query_one("#problem-detail", Static).render(), width=120)
        flat = " ".join(detail.split())
        assert "exit 137" in flat and "more memory than its limit" in flat
        assert " ".join(problem.next_step.split()) in flat


async def test_l_opens_the_logs_at_the_moment_it_failed() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problem = oom_problem(app)
        assert problem.related_task and problem.at
        await select(pilot, app.screen, problem)
        await pilot.press("l")
        await pilot.pause()
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        if hasattr(logs, "target"):
            assert logs.target == problem.related_task
            assert logs.at == problem.at


async def test_enter_opens_details_and_g_goes_to_the_dashboard() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problem = oom_problem(app)
        await select(pilot, app.screen, problem)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.key == problem.target
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        # A pod problem: enter opens the pod's details (matched by namespace/pod and cluster).
        pod_problem = next(p for p in app.insights.problems if p.kind == "oom" and p is not problem)
        await select(pilot, app.screen, pod_problem)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.key == f"{pod_problem.cluster}/{pod_problem.target}"
        await pilot.press("escape")
        await pilot.pause()
        await select(pilot, app.screen, problem)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        # The dashboard beneath may still be composing (it is deferred while the problems
        # paint): the selection lands once it is.
        await until(pilot, lambda: app.screen.selected_target() == problem.target, "selection")


async def test_filter_as_you_type_and_esc_clears() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#problems", ProblemsTable)
        total = table.row_count
        await pilot.press("slash", *"prod memory")
        await pilot.pause()
        rows = table_rows(table)
        assert 0 < len(rows) < total
        assert all(r[3] == "shop-prod" for r in rows)
        assert any(r[2] == "shop-recs" for r in rows)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert table.row_count == total
        await pilot.press("slash", *"zzz")
        await pilot.pause()
        empty = plain(screen.query_one("#problems-empty", Static).render())
        assert "no problem matches" in empty and not table.display


async def test_new_snapshots_update_in_place_keeping_the_selection() -> None:
    app, player = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        problem = oom_problem(app)
        await select(pilot, screen, problem)
        before = app.snapshot
        app.feed.seek(player.now + 4 * 60)
        await settle(pilot)
        assert app.snapshot is not before
        assert screen.selected_problem() is not None
        assert problem_key(screen.selected_problem()) == problem_key(problem)
        # The count and age follow the new snapshot.
        rows = table_rows(screen.query_one("#problems", ProblemsTable))
        new = oom_problem(app)
        row = next(r for r in rows if r[1] == "oom" and r[2] == "shop-recs")
        assert row[5] == str(new.count)


async def test_nothing_is_broken() -> None:
    with open_recording(demo_recording()) as rec:
        frame = rec.frame(len(rec) // 2)
    healthy = dataclasses.replace(
        frame, services=(), tasks=(), pods=(), workloads=(), kube_events=()
    )
    app = pushed_app(land_on_problems=True)
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, healthy)
        assert isinstance(app.screen, DashboardScreen)  # nothing to land on
        await pilot.press("exclamation_mark")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        assert not app.insights.problems
        assert "nothing is broken" in plain(screen.query_one("#problems-empty", Static).render())
        assert not screen.query_one("#problems", ProblemsTable).display
        assert not screen.query_one("#problem-detail", Static).display


async def test_d_on_a_deployment_problem_describes_its_unhealthy_pod() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        problem = next(p for p in app.insights.problems if p.title.startswith("Deployment/"))
        await select(pilot, screen, problem)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DescribeScreen)
        described = app.snapshot.find(app.screen.key)
        # The unhealthy pod (Pending, or Running but crash-looping): it says why.
        assert described is not None and described.reason is not None


async def test_oom_logs_filter_then_another_container_does_not_crash() -> None:
    """Issue 14: ``↓ ↓ l``, ``f OutOfMemory enter``, ``c ↓ ↓ enter`` exited with IndexError."""
    from fgtop.ui.widgets.log_view import LogView

    app, _ = demo_app(minutes=0.5)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select(pilot, app.screen, oom_problem(app))
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LogsScreen), "the logs screen")
        logs = app.screen
        view = logs.query_one(LogView)
        await until(pilot, lambda: len(view.buffer) > 0, "log lines")
        await pilot.press("f", *"OutOfMemory", "enter")
        await until(pilot, lambda: 0 < len(view._nos()) < len(view.buffer), "the filter")
        await pilot.press("c", "down", "down", "enter")
        await until(pilot, lambda: logs.container == "otel-collector", "the container picked")
        await until(pilot, lambda: not view._pending, "the container's lines")
        assert app.screen is logs and app.return_code is None
        # The filter still applies, to that container's lines only.
        assert all("outofmemory" in view._entry(n).text.lower() for n in view._nos())
        assert all(e.line.container == "otel-collector" for e in view.buffer)
        assert view.new_lines == 0  # nothing new arrived: the switch is not "new lines"


async def test_a_sort_goes_to_the_top_of_the_sorted_rows_and_the_detail_follows() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#problems", ProblemsTable)
        problem = oom_problem(app)
        await select(pilot, screen, problem)
        assert table.cursor_row > 0
        given = [r[2] for r in table_rows(table)]
        # Click the COUNT header: by count, the cursor on the first row (k9s).
        x = table.header_text().index("COUNT")
        await pilot.click(ProblemsTable, offset=(x + 1, 0))
        await pilot.pause()
        assert table.sort_column == "count"
        counts = [int(r[5]) for r in table_rows(table)]
        assert counts == sorted(counts)
        assert table.cursor_row == 0 and table.scroll_y == 0
        # The cursor moved (a Selected message): the detail pane follows it.
        first = screen.selected_problem()
        assert first is not None and first != problem
        detail = plain(screen.query_one("#problem-detail", Static).render(), width=200)
        assert first.title in detail
        await pilot.press("end")  # again from the last row
        await pilot.press("S")
        await pilot.pause()
        counts = [int(r[5]) for r in table_rows(table)]
        assert counts == sorted(counts, reverse=True) and counts != sorted(counts)
        assert table.cursor_row == 0 and table.scroll_y == 0
        assert screen.selected_problem() == table.selected_item
        detail = plain(screen.query_one("#problem-detail", Static).render(), width=200)
        assert table.selected_item.title in detail
        # Sorting never changes what is listed.
        assert sorted(r[2] for r in table_rows(table)) == sorted(given)

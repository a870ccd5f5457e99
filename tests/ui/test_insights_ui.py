"""Logs Insights in the app: `i` and `:insights` on a live engine (moto's ECS, the fake
Insights), and the one line a replay answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from fgtop.cost.prices import load_price_table
from fgtop.derive.log_queries import LAST_ERRORS
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.recording.player import Player
from fgtop.recording.reader import open_recording
from fgtop.recording.replay_feed import ReplayFeed
from fgtop.recording.writer import Recorder
from fgtop.resources import demo_recording
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.ui.app import FgtopApp, create_app
from fgtop.ui.screens.help import HelpScreen
from fgtop.ui.screens.insights import ConfirmQuery, InsightsScreen, QueryPicker
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.widgets.footer import shown_keys
from fgtop.ui.widgets.log_view import LogView
from tests.fakes.aws_world import web_service
from tests.fakes.hostile import MARKUP, VECTORS
from tests.fakes.insights_server import FakeInsights
from tests.ui.helpers import plain, settle
from tests.ui.test_hostile_text import SIZE, assert_harmless

REGION = "us-east-1"


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = 20):
    """Pause until ``condition()`` is true (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)
    return value


def arrange(moto: str) -> list[str]:
    return web_service(moto, REGION)[2]


def live_app() -> FgtopApp:
    aws = Aws(regions=[REGION])
    engine = Engine([EcsSource(aws, REGION, refresh=1.0)], meta={"regions": (REGION,)})
    engine.closers.append(aws.close)
    feed = LiveFeed(engine, Deriver(load_price_table()))
    return create_app(feed, land_on_problems=False)


def shown(app: FgtopApp, selector: str) -> str:
    return plain(app.screen.query_one(selector).render())


async def command(pilot: Pilot, text: str) -> None:
    await pilot.press("colon", *text, "enter")
    await pilot.pause()


async def test_insights_on_a_live_service(insights: FakeInsights, moto: str) -> None:
    tasks = arrange(moto)
    task_id = tasks[0].rsplit("/", 1)[-1]
    rows = [
        {"@timestamp": f"2026-12-02 00:50:{i:02d}.000", "@message": f"ERROR {name} {text}"}
        | {"@logStream": f"ecs/app/{task_id}", "@log": "123456789012:/ecs/web"}
        for i, (name, text) in enumerate(VECTORS.items())
    ]
    rows.append({"@timestamp": "2026-12-02 00:51:00.000", "@message": "ERROR db timeout"})
    insights.state.rows = rows
    insights.state.bytes_scanned = 2 * 1024**3
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        snap = await wait_for(
            pilot,
            lambda: (
                (s := app.snapshot)
                and len(s.tasks) == 2
                and s.services
                and s.task_definition(s.services[0].task_definition)
                and s
            ),
            "the live service and its task definition",
        )
        assert app.dashboard is not None and app.dashboard.select(snap.services[0].arn)

        # `i`: the canned queries; the second one is the last 50 errors.
        await pilot.press("i")
        picker = await wait_for(pilot, lambda: isinstance(app.screen, QueryPicker), "the picker")
        assert picker and "service web (prod, us-east-1)" in plain(
            app.screen.query_one("Static").render()
        )
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
        plan = shown(app, "#plan")
        assert "/ecs/web (us-east-1)" in plan and "local time" in plan and "$0.005 per GB" in plan
        assert insights.state.calls("StartQuery") == []  # nothing runs before the prompt

        await pilot.press("enter")
        screen = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, InsightsScreen)
                and app.screen.last_batch
                and app.screen.last_batch.done
                and app.screen
            ),
            "the results",
        )
        [start] = insights.state.calls("StartQuery")
        assert start.body["logGroupNames"] == ["/ecs/web"]
        assert start.body["queryString"] == LAST_ERRORS.query
        assert 3590 <= start.body["endTime"] - start.body["startTime"] <= 3610  # the last hour
        view = screen.query_one(LogView)
        await wait_for(pilot, lambda: len(view.buffer) == len(rows), "the rows in the log view")
        status = shown(app, "#insights-status")
        assert status.startswith("complete · 17 rows · 2.00 GB scanned · $0.0100"), status
        assert view.buffer[0].line.target == tasks[0]  # the row's task, from its log stream
        text = await assert_harmless(pilot, "insights results", "ERROR db timeout", MARKUP[0])
        assert "17/17 lines" in text

        # search and filter work as on any log
        await pilot.press("f", *"timeout", "enter")
        await wait_for(pilot, lambda: "1/17 lines" in shown(app, "#status"), "the filter")

        # leaving a finished query stops nothing; back to the dashboard
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, InsightsScreen), "back")
        assert insights.state.stopped == []

        # `i` on a problem row: the broken service's log groups (moto's tasks stay pending)
        await wait_for(pilot, lambda: app.insights and app.insights.problems, "a problem")
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen), "the problems")
        await wait_for(pilot, lambda: app.screen.selected_problem(), "a problem row")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, QueryPicker), "the picker")
        assert app.screen.title_text == "service web (prod, us-east-1)"
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, "the dashboard")

        # on the logs screen, the view's filter is offered across all tasks
        app.open_logs(snap.services[0].arn)
        await wait_for(pilot, lambda: app.screen.query(LogView), "the logs")
        await pilot.press("f", *"time/out", "enter")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, QueryPicker), "the picker")
        assert [q.key for q in app.screen.queries] == ["errors", "last-errors", "filter"]
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
        assert r"| filter @message like /(?i)time\/out/" in shown(app, "#plan")
        await pilot.press("escape")  # cancelled: nothing runs
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmQuery), "cancelled")
        await pilot.press("escape")
        assert len(insights.state.calls("StartQuery")) == 1

        # `:insights QUERY` runs your own: a malformed one says so in one line
        insights.state.start_error = (400, "MalformedQueryException", "unexpected symbol '|'")
        await command(pilot, "ins x |")  # the alias
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
        assert "query   x |" in shown(app, "#plan")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, InsightsScreen)
                and "malformed query" in shown(app, "#notice")
            ),
            "the error",
        )
        assert shown(app, "#notice").strip() == "malformed query: unexpected symbol '|'"
        await pilot.press("escape")

        # a query still running when the results are left is stopped
        insights.state.start_error = None
        insights.state.final = "never"
        await command(pilot, "insights x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(insights.state.calls("GetQueryResults")) >= 1, "a poll")
        assert "running" in shown(app, "#insights-status")
        running = [q for q in insights.state.queries.values() if q.status == "Running"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: insights.state.stopped, "StopQuery")
        assert insights.state.stopped == [q.id for q in running]


async def test_the_demo_answers_i_with_its_recorded_results(demo_app) -> None:
    """Issue 27: the demo carries the canned queries' results for its incidents' services:
    `i` on the shop-recs OOM row shows what it does live, saying the result is recorded."""
    app, _player, _rec = demo_app(22.5, land_on_problems=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen), "the problems")
        await settle(pilot)
        assert "i" in [k[0] for k in shown_keys(app.screen)]  # offered: the demo can answer
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        oom = next(p for p in screen.problems if p.title == "shop-recs" and p.kind == "oom")
        assert screen.select_problem(oom)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, QueryPicker), "the query picker")
        await pilot.press("enter")  # error lines grouped by message, with counts
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
        assert "a recorded result" in shown(app, "#plan")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InsightsScreen), "the results")
        view = app.screen.query_one(LogView)
        await wait_for(pilot, lambda: len(view.buffer) == 1, "the recorded row")
        assert view.buffer[0].line.message.startswith("count=11  last=2026-11-28 10:10:25.000")
        assert "java.lang.OutOfMemoryError" in view.buffer[0].line.message
        assert (view.message or "").startswith("a recorded result: what this query returned")


async def test_a_recording_without_results_does_not_offer_i(tmp_path: Path) -> None:
    """A recording with no query results: `i` is in no footer, not in help, and does nothing."""
    demo = open_recording(demo_recording())
    path = tmp_path / "plain.fgrec"
    with Recorder(path, meta={"title": "no insights"}) as out:
        for i in range(268, 272):
            out.write_snapshot(demo.frame(i))
    demo.close()
    rec = open_recording(path)
    player = Player(rec, autoplay=False)
    feed = ReplayFeed(rec, player, Deriver(load_price_table()), label="REPLAY")
    assert not feed.insights.available
    app = create_app(feed, land_on_problems=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen), "the problems")
        await settle(pilot)
        assert "i" not in [k[0] for k in shown_keys(app.screen)]
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = plain(app.screen.query_one("#help Static", Static).content, width=200)
        assert "Logs Insights" not in text and ":insights" not in text
        assert "Logs at failure" in text or "logs at the moment it failed" in text
    rec.close()

"""The feed drives every screen: replay keys on each, no stale alerts after a jump, landing
after a slow first poll, a bad source failing alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import Select

from fgtop.config import Config
from fgtop.derive.alerts import Alert
from fgtop.recording.reader import open_recording
from fgtop.resources import demo_recording
from fgtop.sources.base import Part
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.logs import LogsScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.timeline import TimelineScreen
from fgtop.ui.widgets.command_line import CommandLine
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.log_view import LogView
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.sources import FixedSource
from tests.ui.helpers import plain, push, pushed_app, settle, until

SIZE = (200, 50)
SCREENS = {
    "dashboard": ([], DashboardScreen),
    "problems": (["exclamation_mark"], ProblemsScreen),
    "timeline": (["e"], TimelineScreen),
    "cost": (["c"], CostScreen),
    "logs": (["l"], LogsScreen),
}


def header(app) -> str:
    return plain(app.screen.query_one(HeaderBar).render(), width=200)


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_replay_key_works_on_every_screen(name: str, demo_app) -> None:
    keys, screen_type = SCREENS[name]
    app, player, rec = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, screen_type)
        times = rec.times
        i = rec.index_at(app.now)
        await pilot.press("full_stop")  # one frame on
        await settle(pilot)
        assert app.now == times[i + 1] and app.snapshot.taken_at == times[i + 1]
        await pilot.press("comma", "comma")  # two back
        await settle(pilot)
        assert app.now == times[i - 1] and app.snapshot.taken_at == times[i - 1]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.snapshot.taken_at == rec.end
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.snapshot.taken_at == rec.start
        await pilot.press("x")
        assert player.speed == 2
        await pilot.press("G", *"+5m", "enter")
        await settle(pilot)
        assert app.now == pytest.approx(rec.start + 300)
        assert isinstance(app.screen, screen_type)  # the seek prompt is gone, the screen stays
        # The screen's own header shows the replay clock, the same way on every screen.
        assert "DEMO" in header(app) and "2x" in header(app)
        await app.feed.settled()


async def test_a_jump_fires_no_alert_for_what_happened_before_it(demo_app) -> None:
    app, _, rec = demo_app(5)
    fired: list[Alert] = []
    app.feed.subscribe(lambda frame: fired.extend(frame.derived.fired))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", *"+10m", "enter")  # a jump over ten minutes of stops
        await settle(pilot)
        target = app.now
        await pilot.press("x", "x", "x", "p")  # then play at 10x: consecutive frames
        await pilot.pause(1.5)
        await pilot.press("p")
        await settle(pilot)
        assert app.now > target + 5
    stops = [a for a in fired if a.kind == "task_stopped_abnormally"]
    gap = max(b - a for a, b in zip(rec.times, rec.times[1:], strict=False))
    for alert in stops:  # each one is a stop seen between two frames of playback
        task = next(t for t in rec.frame(rec.index_at(alert.at)).tasks if t.arn == alert.target)
        assert task.stopped_at is not None and task.stopped_at >= target - gap, alert


def _demo_parts(minutes: float = 20) -> tuple[float, Part, Part]:
    with open_recording(demo_recording()) as rec:
        frame = rec.frame(rec.index_at(rec.start + minutes * 60))
    ecs: Part = {
        "clusters": frame.clusters,
        "services": frame.services,
        "tasks": frame.tasks,
        "task_definitions": frame.task_definitions,
    }
    kube: Part = {"pods": frame.pods, "workloads": frame.workloads}
    return frame.taken_at, ecs, kube


async def test_a_slow_first_poll_still_lands_on_the_problems() -> None:
    at, ecs, kube = _demo_parts()
    fast = FixedSource("kube:fast", kube)
    slow = FixedSource("ecs:slow", ecs, delay=3.0)
    app = pushed_app(land_on_problems=True, sources=(fast, slow))
    app.feed.engine.clock = lambda: at  # the demo's own time, so its stops are recent
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.0)
        await settle(pilot)
        # The fast source has answered; the first poll is not over: no landing decision yet.
        assert app.snapshot is not None and not app.frame.complete
        assert isinstance(app.screen, DashboardScreen)
        for _ in range(60):
            await pilot.pause(0.1)
            if app.frame is not None and app.frame.complete:
                break
        await settle(pilot)
        assert app.frame.complete and app.snapshot.tasks
        assert any(p.severity <= 2 for p in app.insights.problems)
        assert isinstance(app.screen, ProblemsScreen)


async def test_a_source_with_a_bad_part_fails_alone_and_the_rest_keep_publishing() -> None:
    _, ecs, _ = _demo_parts()
    good = FixedSource("ecs:good", ecs, interval=0.2)
    bad = FixedSource("kube:bad", {"pods": (), "podz": ()}, interval=0.2)  # type: ignore[typeddict-unknown-key]
    app = pushed_app(sources=(good, bad))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.1)
            if app.snapshot is not None and good.polls >= 3 and bad.polls >= 3:
                break
        await settle(pilot)
        health = {h.name: h for h in app.snapshot.sources}
        assert not health["kube:bad"].ok and "unexpected field 'podz'" in health["kube:bad"].error
        assert health["ecs:good"].ok
        assert len(app.snapshot.tasks) == len(ecs["tasks"])
        first = app.snapshot.taken_at
        for _ in range(50):
            await pilot.pause(0.1)
            if app.snapshot.taken_at > first:
                break
        await settle(pilot)
        assert app.snapshot.taken_at > first  # still publishing
        assert "kube:bad: bad data from the source: unexpected field 'podz'" in header(app)
        # A value of the wrong shape fails its source the same way.
        bad.part = {"pods": 42}  # type: ignore[typeddict-item]
        for _ in range(50):
            await pilot.pause(0.1)
            health = {h.name: h for h in app.snapshot.sources}
            if "must be a list" in (health["kube:bad"].error or ""):
                break
        await settle(pilot)
        health = {h.name: h for h in app.snapshot.sources}
        assert "pods must be a list, got int" in health["kube:bad"].error
        assert len(app.snapshot.tasks) == len(ecs["tasks"])
    assert dataclasses.is_dataclass(app.snapshot)


async def test_esc_leaves_the_logs_and_a_picked_container_gives_the_keys_back(demo_app) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")  # logs of the task under the cursor
        await settle(pilot)
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        view = logs.query_one(LogView)
        for _ in range(20):  # the recorded lines arrive through the log feed
            await pilot.pause(0.1)
            if len(view.buffer):
                break
        assert len(view.buffer) > 0
        # A search is cleared by the first esc; the second goes back.
        await pilot.press("s", *"e", "enter")
        await pilot.pause()
        assert view._search is not None  # noqa: SLF001
        await pilot.press("escape")
        await pilot.pause()
        assert view._search is None and app.screen is logs  # noqa: SLF001
        picker = logs.query_one("#containers", Select)
        if picker.display:
            await pilot.press("c")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert view.has_focus_within  # the log keys work at once
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_hidden_screens_do_not_render_and_catch_up_when_back(demo_app) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dash = app.screen
        assert isinstance(dash, DashboardScreen) and dash.shown is app.frame
        await pilot.press("exclamation_mark")
        await settle(pilot)
        problems = app.screen
        for _ in range(3):
            await pilot.press("full_stop")
            await settle(pilot)
            assert problems.shown is app.frame  # the visible screen follows every frame
        assert dash.shown is not app.frame  # the hidden one did not re-render
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dash and dash.shown is app.frame  # and caught up on return


async def test_region_and_context_commands_complete_and_check_their_argument(demo_app) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        regions = app.snapshot.regions
        assert len(regions) >= 2
        await pilot.press(":", *"region ", *regions[-1][:4], "tab")
        line = app.screen.query_one(CommandLine)
        assert line.input.value.startswith(f"region {regions[-1][:4]}")
        assert any(v == f"region {regions[-1]}" for v in line.candidates(line.input.value))
        line.input.value = f"region {regions[-1]}"
        await pilot.press("enter")
        await until(pilot, lambda: app.shown_narrowing == app.narrowing, "the narrowed frame")
        await settle(pilot)
        grid = app.screen.query_one(TaskGrid)
        # A narrowing of every screen, not a text filter over the visible columns.
        assert grid.filter_text == ""
        assert grid.visible_items()
        assert all(t.region == regions[-1] for t in grid.visible_items())
        # A context nobody watches is an error, and the tables stay as they are.
        before = len(grid.visible_items())
        await pilot.press(":", *"ctx nonexistent", "enter")
        await settle(pilot)
        errors = [n.message for n in app.told if n.severity == "error"]
        assert any("no context 'nonexistent': watching" in m for m in errors)
        assert len(grid.visible_items()) == before


async def test_the_savings_plan_discount_reaches_the_cost_panel(demo_app) -> None:
    app, _, _ = demo_app(20, config=Config(savings_plan_discount=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CostScreen)
        text = " ".join(plain(w.render(), width=200) for w in app.screen.query("Static"))
        assert "list price less 20% Savings Plan" in text
        assert float(app.insights.cost.discount) == pytest.approx(0.2)


async def test_recording_onto_a_full_disk_stops_the_recording_not_the_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_recording(demo_recording()) as rec:
        first, second = rec.frame(10), rec.frame(20)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, first)
        await pilot.press("R")
        await pilot.pause()
        recorder = app.feed.recorder
        assert recorder is not None and "REC" in header(app)
        # The disk fills up: every further write fails (the file handle now writes to /dev/full).
        recorder._file = open("/dev/full", "wb", buffering=0)  # noqa: SIM115, SLF001
        await push(pilot, second)
        assert app.snapshot.taken_at == second.taken_at  # the dashboard still updates
        assert app.feed.recorder is None and "REC" not in header(app)
        warnings = [n.message for n in app.told if n.severity == "warning"]
        assert any("stopped: cannot write" in m and "No space left" in m for m in warnings)
        # Nowhere to write at all: one line, and nothing else changes.
        app.feed.record_dir = tmp_path / "a-file"
        app.feed.record_dir.write_text("not a folder")
        await pilot.press("R")
        await pilot.pause()
        warnings = [n.message for n in app.told if n.severity == "warning"]
        assert any(m.startswith("cannot record to") for m in warnings)
        assert app.feed.recorder is None


async def test_alert_toasts_show_outside_text_harmlessly() -> None:
    from tests.fakes.hostile import EVIL, MARKUP, bad_chars
    from tests.fakes.snapshots import sample_snapshot

    first = sample_snapshot(extra_tasks=2)
    running = next(t for t in first.tasks if t.last_status == "RUNNING")
    name = f"svc {EVIL}"
    first = dataclasses.replace(
        first,
        tasks=tuple(
            dataclasses.replace(t, service=name) if t is running else t for t in first.tasks
        ),
    )
    stopped = dataclasses.replace(
        running,
        service=name,
        last_status="STOPPED",
        desired_status="STOPPED",
        stopped_at=first.taken_at + 4,
        stop_code="EssentialContainerExited",
        stopped_reason=f"Essential container in task exited {MARKUP[0]}",
        containers=tuple(dataclasses.replace(c, exit_code=137) for c in running.containers),
    )
    second = dataclasses.replace(
        first,
        taken_at=first.taken_at + 5,
        tasks=tuple(stopped if t.arn == running.arn else t for t in first.tasks),
    )
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, first)
        await push(pilot, second)
        await pilot.pause(0.3)
        toasts = [n for n in app.told if n.title.startswith("alert")]
        assert toasts, "the stop fired no alert"
        for toast in toasts:
            assert not bad_chars(toast.message + toast.title), toast.message
            assert not toast.markup
        shown = "\n".join(
            "".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()
        )  # noqa: SLF001
        assert not bad_chars(shown)

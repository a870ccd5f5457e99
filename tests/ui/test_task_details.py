"""Task details in the demo: a stopped task's decoded reason and next step, and a small
CPU/memory chart of that task's own series (issue 14)."""

from __future__ import annotations

from textual.widgets import Static

from fgtop.derive.decoder import decode_task
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.widgets.metric_chart import MetricChart
from tests.ui.helpers import demo_app, plain, settle


async def test_a_stopped_task_says_why_and_what_next_with_its_own_chart() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        snap = app.snapshot
        stopped = [
            t
            for t in snap.tasks
            if t.service == "shop-recs"
            and t.last_status == "STOPPED"
            and snap.series(t.arn, "memory") is not None
        ]
        assert stopped, "the demo has OOM-killed shop-recs tasks with their own series"
        task = max(stopped, key=lambda t: t.stopped_at or 0)
        app.open_details(task.arn, task)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        why = plain(screen.query_one("#task-why", Static).content, width=160)
        decoded = decode_task(task)
        assert decoded is not None and decoded.kind == "oom"
        assert f"Task {task.id[:8]} stopped" in why
        assert "killed for using more memory than its limit" in why
        assert "Next step" in why and decoded.next_step[:60] in why
        chart = screen.query_one("#task-chart", MetricChart)
        assert chart.display and chart.message is None
        assert chart.window <= 3600
        memory = snap.series(task.arn, "memory")
        last = memory.points[-1][1]
        assert f"memory % {last:.1f}" in chart.readout(160).plain
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)

        # A running task that is fine: no reason section; its chart only with its own series.
        fine = next(t for t in snap.tasks if t.last_status == "RUNNING" and decode_task(t) is None)
        has_series = bool(snap.series(fine.arn, "memory") or snap.series(fine.arn, "cpu"))
        app.open_details(fine.arn, fine)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        assert not screen.query_one("#task-why", Static).display
        assert screen.query_one("#task-chart", MetricChart).display == has_series
        assert f"Task {fine.id}" in plain(screen.query_one("#body", Static).content, width=160)

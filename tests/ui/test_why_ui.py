"""The why parts on screen, through the real feed: a service's details show its deployment
history from the deployments API (a rollback read as one), target health, alarms and scaling;
a task's details its target health; the problems view and the timeline their rows; the chart
marks the deployment and its rollback. Hostile text in every outside field stays harmless."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from fgtop.derive.timeline_why import KIND_TARGET_HEALTH
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.timeline import TimelineScreen
from fgtop.ui.widgets.metric_chart import MetricChart
from tests.fakes.hostile import EVIL, MARKUP, bad_chars
from tests.fakes.why_snapshots import (
    SVC,
    T,
    alarm_change,
    cpu_alarm,
    deployments_health,
    rolled_back,
    scaling,
    service,
    snapshot,
    target,
    task,
)
from tests.ui.helpers import plain, push, pushed_app, settle, until
from tests.ui.test_hostile_text import SIZE, assert_harmless


def why_snapshot(hostile: bool = False):
    sick = task("10.20.44.7")
    text = EVIL if hostile else None
    return snapshot(
        T,
        services=(service(desired=10, running=10),),
        tasks=(task("10.20.12.34"), sick),
        target_health=(
            target("10.20.12.34"),
            target(
                "10.20.44.7",
                "unhealthy",
                "Target.ResponseCodeMismatch",
                text or "Health checks failed with these codes: [503]",
                since=T - 70,
            ),
        ),
        service_deployments=(rolled_back(status_reason=text or rolled_back().status_reason),),
        alarms=(replace(cpu_alarm(), reason=text or cpu_alarm().reason),),
        alarm_history=(alarm_change(T - 120, "OK", "ALARM"),),
        sources=(deployments_health(),),
        **scaling(10, cpu=91.0),
    ), sick


async def test_service_and_task_details_problems_timeline_and_chart() -> None:
    snap, sick = why_snapshot()
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        app.open_details(SVC, snap.services[0])
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        body = plain(app.screen.query_one("#body", Static).content, width=200)
        assert "Deployment history (ECS deployments API, 90 days)" in body
        assert (
            "shop-search:18 rolled back to :17 after the circuit breaker counted 3 failed tasks;"
            in body
        )
        assert "the failed :18 changed image tag, memory 2048 → 1024" in body
        assert "Deployments (as fgtop has seen them)" not in body  # the API's history instead
        assert "Load balancer target health" in body and "1 of 2 healthy" in body
        assert (
            f"task {sick.id[:8]} unhealthy: target group shop-search-tg's health check got HTTP 503"
            in body
        )
        assert "ALARM shop-search-cpu (CPUUtilization > 70)" in body
        assert "min 4 · max 10 · desired 10 (at max)" in body
        assert "cpu70: TargetTrackingScaling ECSServiceAverageCPUUtilization at 70" in body
        await pilot.press("escape")
        app.open_details(sick.arn, sick)
        await settle(pilot)
        body = plain(app.screen.query_one("#body", Static).content, width=200)
        assert "shop-search-tg" in body and "unhealthy since the first failing answer" in body
        await pilot.press("escape")

        # The dashboard's chart of the service marks the deployment and its rollback.
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen), "problems")
        kinds = {p.kind for p in app.insights.problems}
        assert {"elb-health", "deployment-rollback", "alarm", "at-max-capacity"} <= kinds
        shown = "\n".join(
            "".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()
        )
        assert "fails the load balancer" in shown and "at max capacity 10/10" in shown
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen), "timeline")
        kinds = {e.kind for e in app.timeline.entries()}
        assert {KIND_TARGET_HEALTH, "deployment", "alarm-state", "scaling"} <= kinds


async def test_the_chart_marks_deployments_at_start_and_rollback() -> None:
    snap, _ = why_snapshot()
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        chart = app.screen.query_one(MetricChart)
        await until(pilot, lambda: chart._marks != (), "the service's chart")  # noqa: SLF001
        assert chart.marks_shown() == [(T - 899, ":18"), (T - 600, "↩:17")]


async def test_hostile_text_in_the_why_parts_is_harmless() -> None:
    snap, sick = why_snapshot(hostile=True)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        app.open_details(SVC, snap.services[0])
        await settle(pilot)
        await assert_harmless(pilot, "service details", MARKUP[0])
        await pilot.press("escape")
        app.open_details(sick.arn, sick)
        await settle(pilot)
        body = plain(app.screen.query_one("#body", Static).content, width=200)
        assert MARKUP[1] in body  # the target's description, literally (below the fold)
        await assert_harmless(pilot, "task details")
        await pilot.press("escape")
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen), "problems")
        await assert_harmless(pilot, "problems")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen), "timeline")
        await assert_harmless(pilot, "timeline")
        assert not bad_chars(app.export_screenshot())

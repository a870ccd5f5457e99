"""Pilot: a failed deployment in the demo shows what it changed, in the problems panel, the
service details and the timeline (shop-search:18: image tag and memory 2048 → 1024)."""

from __future__ import annotations

from textual.widgets import Static

from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.timeline import TimelineScreen, TimelineTable
from tests.ui.helpers import plain, settle
from tests.ui.test_problems_screen import SIZE, select

WORDS = "shop-search:18 replaced :17 — image tag, memory 2048 → 1024"


async def test_the_rollback_problem_says_what_changed_and_details_show_the_history(
    demo_app,
) -> None:
    app, _, _ = demo_app(10, land_on_problems=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        rollback = next(
            p
            for p in app.insights.problems
            if p.title == "shop-search" and p.kind == "deployment-rollback"
        )
        await select(pilot, screen, rollback)
        await pilot.pause()
        panel = plain(screen.query_one("#problem-detail", Static).content, width=200)
        assert f"change: began 45s after {WORDS}" in panel
        # A problem of a service with no recent deployment says nothing of one.
        other = next(p for p in app.insights.problems if p.title == "shop-checkout")
        await select(pilot, screen, other)
        await pilot.pause()
        assert "change:" not in plain(screen.query_one("#problem-detail", Static).content)

        await select(pilot, screen, rollback)
        await pilot.press("enter")
        await settle(pilot)
        details = app.screen
        assert isinstance(details, DetailsScreen) and details.kind == "service"
        body = plain(details.query_one("#body", Static).content, width=200)
        # The deployments API's history (issue 23): the rollback reads as one, with what the
        # failed :18 changed, never as the newest deployment's diff in reverse.
        assert "Deployment history (ECS deployments API, 90 days)" in body
        assert "Deployments (as fgtop has seen them)" not in body
        rows = [line for line in body.splitlines() if "│" in line]
        assert any(
            "shop-search:18 rolled back to :17 after the circuit breaker counted 3 failed tasks;"
            in r
            for r in rows
        )
        assert "the failed :18 changed image tag, memory 2048 → 1024" in body
        assert any("shop-search:17 successful (replaces :16)" in r for r in rows)
        assert "1024 → 2048" not in body


async def test_the_timeline_links_the_failure_to_the_deployment(demo_app) -> None:
    app, _, _ = demo_app(10)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        table = screen.query_one("#timeline", TimelineTable)
        cells = [
            " ".join(getattr(c, "plain", str(c)) for c in table.get_row_at(i))
            for i in range(table.row_count)
        ]
        assert any("30s after shop-search:18 replaced :17" in c for c in cells)


def test_hostile_task_definitions_render_harmlessly() -> None:
    from fgtop.derive.deployments import DeploymentHistory
    from fgtop.kinds.service import service_details
    from fgtop.model import Deployment, Service, Snapshot, TaskDefinition
    from tests.fakes.hostile import BIG, EVIL, MARKUP, bad_chars

    def td(rev: int, image: str) -> TaskDefinition:
        arn = f"arn:aws:ecs:us-east-1:1:task-definition/web:{rev}"
        raw = {
            "taskDefinitionArn": arn,
            "family": "web",
            "revision": rev,
            "containerDefinitions": [
                {"name": EVIL, "image": image, "environment": [{"name": EVIL, "value": image}]}
            ],
        }
        return TaskDefinition(arn, "web", rev, raw=raw)

    old, new = td(1, "web:1"), td(2, EVIL + BIG)
    deps = tuple(
        Deployment(f"ecs-svc/{i}", s, t.arn, 1, 1, 0, rollout_state=r, created_at=float(i))
        for i, s, t, r in ((2, "PRIMARY", new, EVIL), (1, "ACTIVE", old, "COMPLETED"))
    )
    arn = "arn:aws:ecs:us-east-1:1:service/c/web"
    service = Service("web", arn, "c", "us-east-1", "ACTIVE", 1, 1, 0, deployments=deps)
    snapshot = Snapshot(10.0, services=(service,), task_definitions=(old, new))
    history = DeploymentHistory()
    history.feed(snapshot)
    assert history.of(arn)[-1].changes is not None
    text = plain(service_details(service, snapshot, history.of(arn)), width=200)
    assert "Changes in the newest deployment: web:2 replaced :1" in text
    assert not bad_chars(text)
    assert all(m in text for m in MARKUP[:1])  # markup shown literally
    assert len(text) < 60_000  # the 100 KB value is capped


def test_without_the_deployments_api_a_rollback_still_reads_as_one(demo_app) -> None:
    """The inferred history (the API denied, or a recording without it): the newest deployment
    is the rollback, shown with what the failed :18 changed, not its own diff in reverse."""
    from dataclasses import replace

    from fgtop.derive.deployments import DeploymentHistory
    from fgtop.kinds.service import service_details

    _, _, rec = demo_app(10)
    history = DeploymentHistory()
    snap = None
    for i in range(rec.index_at(rec.start + 600) + 1):
        snap = replace(rec.frame(i), service_deployments=(), service_revisions=())
        history.feed(snap)
    assert snap is not None
    service = next(s for s in snap.services if s.name == "shop-search")
    body = plain(service_details(service, snap, history.of(service.arn)), width=200)
    assert "Deployments (as fgtop has seen them)" in body
    assert f"shop-search:17 rolled back the failed {WORDS}" in body
    assert "Changes in the newest deployment: shop-search:17 replaced :18" not in body
    assert "1024 → 2048" not in body

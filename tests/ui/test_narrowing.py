"""Several accounts on screen: the ACCOUNT column, the header, and ``:account`` / ``:region`` /
``:cluster`` narrowing every screen (the demo watches two accounts: prod and edge)."""

from __future__ import annotations

import pytest

from fgtop.model import Cluster, Service, Snapshot
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.screens.timeline import TimelineScreen
from fgtop.ui.widgets.command_line import CommandLine
from fgtop.ui.widgets.cost_panel import CostPanel
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.kind_table import KindTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.ui.helpers import plain, push, pushed_app, settle, until

SIZE = (200, 50)
PROD, EDGE = "210987654321", "420987654321"


def header(app) -> str:  # noqa: ANN001
    return plain(app.screen.query_one(HeaderBar).render(), width=400)


async def command(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press(":", *text, "enter")
    await shown(pilot)


async def shown(pilot) -> None:  # noqa: ANN001
    """Until the screens show the narrowing asked (it is worked out in a thread)."""
    app = pilot.app
    await settle(pilot)
    await until(pilot, lambda: app.shown_narrowing == app.narrowing, "the narrowed frame")
    await settle(pilot)


async def test_the_account_column_and_narrowing_every_screen(demo_app) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        services = app.screen.query_one(ServicesTable)
        grid = app.screen.query_one(TaskGrid)
        assert services.header_text().split()[-1] == "ACCOUNT"
        assert grid.header_text().split()[-1] == "ACCOUNT"
        assert {s.account for s in services.visible_items()} == {PROD, EDGE}
        assert "accounts prod, edge" in header(app)
        # Completion offers the accounts by name.
        await pilot.press(":", *"account e", "tab")
        assert app.screen.query_one(CommandLine).input.value == "account edge"
        await pilot.press("enter")
        await shown(pilot)
        assert {s.account for s in services.visible_items()} == {EDGE}
        assert {t.account for t in grid.visible_items()} == {EDGE}
        assert services.filter_text == "" and grid.filter_text == ""  # not a text filter
        assert "▸ account edge" in header(app)
        # Every screen: the problems, the timeline, the cost.
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        problems = app.screen.query_one(KindTable)
        assert all(p.account == EDGE for p in problems.visible_items())
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        entries = app.screen.query_one(KindTable).visible_items()
        assert entries and all(e.account == EDGE for e in entries)
        await command(pilot, "cost")
        assert isinstance(app.screen, CostScreen)
        summary = app.screen.query_one(CostPanel).summary
        assert summary is not None and set(summary.by_account) == {EDGE}
        whole = app.whole.derived.insights.cost
        assert summary.per_hour == whole.by_account[EDGE] < whole.per_hour
        # ":account" alone widens again.
        await command(pilot, "account")
        await command(pilot, "cost")
        summary = app.screen.query_one(CostPanel).summary
        assert set(summary.by_account) == {PROD, EDGE}
        assert "▸" not in header(app)


async def test_region_and_cluster_narrow_and_a_bad_name_changes_nothing(demo_app) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(TaskGrid)
        every = len(grid.visible_items())
        await command(pilot, "region us-east-1")
        assert {t.region for t in grid.visible_items()} == {"us-east-1"}
        await command(pilot, "cluster shop-prod")  # and narrower still: none in us-east-1
        assert grid.visible_items() == []
        assert "▸ region us-east-1, cluster shop-prod" in header(app)
        await command(pilot, "region")
        assert {t.cluster for t in grid.visible_items()} == {"shop-prod"}
        await command(pilot, "cluster nope")
        errors = [n.message for n in app._notifications if n.severity == "error"]  # noqa: SLF001
        assert any("no cluster 'nope': watching" in m for m in errors)
        assert {t.cluster for t in grid.visible_items()} == {"shop-prod"}
        await command(pilot, "cluster")
        assert len(grid.visible_items()) == every


async def test_one_account_has_no_account_column() -> None:
    app = pushed_app()
    arn = "arn:aws:ecs:us-east-1:123456789012"
    snap = Snapshot(
        1_800_000_000.0,
        account="123456789012",
        regions=("us-east-1",),
        clusters=(Cluster("prod", f"{arn}:cluster/prod", "us-east-1", "ACTIVE"),),
        services=(
            Service(
                "web", f"{arn}:service/prod/web", "prod", "us-east-1", "ACTIVE", 1, 1, 0,
                account="123456789012",
            ),
        ),
    )  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await settle(pilot)
        services = app.screen.query_one(ServicesTable)
        assert services.visible_items()
        assert "ACCOUNT" not in services.header_text()
        assert services.header_text().split()[0] == "SERVICE"


@pytest.mark.parametrize(("size", "shown"), [((80, 24), False), ((160, 48), True)])
async def test_the_account_column_gives_way_first_on_a_small_terminal(
    demo_app, size: tuple[int, int], shown: bool
) -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for table in (app.screen.query_one(ServicesTable), app.screen.query_one(TaskGrid)):
            assert ("ACCOUNT" in table.header_text()) is shown
            # What 80 columns keep: the priority-0 columns (name, status, RUN/DES...).
            assert all(
                c.key in {k.key for k in table.shown_columns}
                for c in table.COLUMNS
                if c.priority == 0
            )

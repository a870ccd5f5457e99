"""The "no Fargate tasks in ... for profile ..." line of an empty account, through a real
LiveFeed: shown only once the ECS sources have answered, gone when a task appears, and
harmless when the profile name is hostile (it comes from the user's config or environment).
Against moto with an empty account: ``tests/integration/test_empty_account.py``.
"""

from __future__ import annotations

import dataclasses

from fgtop.model import Snapshot, SourceHealth
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.hostile import MARKUP, evil, leaks
from tests.fakes.snapshots import sample_snapshot
from tests.ui.helpers import push, pushed_app
from tests.ui.test_hostile_text import SIZE, assert_harmless, screen_lines

T0 = 1_800_000_000.0


def empty(*, answered: bool = True, profile: str | None = None) -> Snapshot:
    health = SourceHealth("ecs:eu-west-1", last_success=T0 if answered else None)
    return Snapshot(
        T0, account="123456789012", profile=profile, regions=("eu-west-1",), sources=(health,)
    )


async def test_the_line_waits_for_an_answer_and_goes_with_the_first_task() -> None:
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.screen.query_one(TaskGrid)
        await push(pilot, empty(answered=False))
        assert grid.empty_text is None  # the first poll is not over: nothing is known yet
        assert grid.render_line(1).text.strip() == ""
        await push(pilot, empty())
        line = "no Fargate tasks in eu-west-1 for profile default (account 123456789012)"
        assert grid.render_line(1).text.strip() == line
        assert app.screen.query_one(ServicesTable).render_line(1).text.strip() == line
        full = sample_snapshot(extra_tasks=2, now=T0)
        await push(pilot, dataclasses.replace(full, sources=(*full.sources, *empty().sources)))
        assert grid.row_count > 0 and grid.empty_text is None
        assert line not in "\n".join(screen_lines(app))


async def test_a_hostile_profile_name_is_shown_harmlessly() -> None:
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, empty(profile=evil("profile")))
        line = app.screen.query_one(ServicesTable).render_line(1).text
        assert line.strip().startswith("no Fargate tasks in eu-west-1 for profile profile-")
        assert not leaks([line])
        await assert_harmless(pilot, "the empty line", MARKUP[0])


async def test_the_line_cut_short_ends_with_an_ellipsis() -> None:
    app = pushed_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await push(pilot, empty())
        services = app.screen.query_one(ServicesTable)
        line = services.render_line(1).text.rstrip()
        assert services.size.width < 80  # the chart takes the rest of the row
        assert line.startswith(" no Fargate tasks in eu-west-1") and line.endswith("…"), line
        assert len(line) <= services.size.width

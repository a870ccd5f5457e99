"""Sorting the task grid by a live column (CPU%, MEM%, $/h, cost so far) at 2,000 tasks.

The order is the one the cells' values give, and sorting builds no cells beyond the rows on
screen (``LazyCells(values=...)``: the sort asks the task kind for values, not for the bars).
"""

from __future__ import annotations

import pytest

from fgtop.kinds.task import TaskKind
from fgtop.ui.widgets.resource_table import sort_key
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.estate import Estate
from tests.ui.helpers import push, pushed_app, settle

TASKS = 2000


@pytest.mark.parametrize("column", ["cpu", "mem", "cost", "spent"])
async def test_live_column_sort_matches_the_cells_and_builds_only_the_rows_on_screen(
    column: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = TaskKind.live_cells

    def counted(self, task, *args):  # noqa: ANN001, ANN202
        built.append(task.arn)
        return real(self, task, *args)

    monkeypatch.setattr(TaskKind, "live_cells", counted)
    estate = Estate(tasks=TASKS, services=40, pods=0)
    app = pushed_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await push(pilot, estate.snapshot())
        await push(pilot, estate.advance())
        grid = app.screen.query_one(TaskGrid)
        built.clear()
        grid.sort_column = column
        await settle(pilot)
        assert 0 < len(built) <= 60  # the rows on screen, not all 2,000
        order = grid.visible_items()
        assert len(order) == TASKS
        values = [sort_key(grid.extra[t.arn][column].sort_value) for t in order]
        assert values == sorted(values)
        assert len({v for v in values if v[0] != 2}) > 10  # a real spread of known values
        grid.sort_reverse = True
        await settle(pilot)
        values = [sort_key(grid.extra[t.arn][column].sort_value) for t in grid.visible_items()]
        known = [v for v in values if v[0] != 2]
        assert known == sorted(known, reverse=True) and values[: len(known)] == known

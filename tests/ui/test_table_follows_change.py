"""A table kept from frame to frame shows what a table built afresh for the frame shows.

The tables redo only what changed (row texts, widths and sort values of rows whose item is not
the object shown before); over a random sequence of frames (tasks added, stopped, changing
health, some handed over as equal copies), sort columns (live and not, both directions) and
filters, the kept task grid must equal a new one given the same frame: the rows in the same
order, every cell's text and style, the column widths, the header.
"""

from __future__ import annotations

import dataclasses
import random

from textual.app import App, ComposeResult

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.kinds.base import View
from fgtop.model import Snapshot
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.estate import Estate

COLUMNS = ("status", "id", "cpu", "cost", "spent", "age", "service", "health", "size", "reason")


class Grids(App[None]):
    def compose(self) -> ComposeResult:
        yield TaskGrid(id="kept")


def _rows(grid: TaskGrid) -> list[list[tuple[str, str, list[tuple[int, int, str]]]]]:
    """Every row's cells: text, style, spans."""
    out = []
    for i in range(grid.row_count):
        out.append(
            [
                (c.plain, str(c.style), [(s.start, s.end, str(s.style)) for s in c.spans])
                for c in grid.get_row_at(i)
            ]
        )
    return out


def _state(grid: TaskGrid) -> tuple:
    keys = [grid.row_key_at(i) for i in range(grid.row_count)]
    widths = [grid.column_width(c.key) for c in grid.COLUMNS]
    return keys, widths, grid.header_text(), grid.count_text(), _rows(grid)


async def test_the_kept_grid_is_the_grid_built_afresh_over_random_changes() -> None:
    rng = random.Random(7)
    estate = Estate(tasks=240, services=12, pods=0, change=0.2, seed=5)
    deriver = Deriver(load_price_table())
    app = Grids()
    async with app.run_test(size=(220, 30)) as pilot:
        kept = app.query_one("#kept", TaskGrid)
        snap = estate.snapshot()
        for step in range(14):
            if step % 4 == 3:  # the same tasks, handed over as equal copies (a decoded frame)
                snap = dataclasses.replace(
                    snap, tasks=tuple(dataclasses.replace(t) for t in snap.tasks)
                )
            view = View(snap, deriver.derive(snap))
            if rng.random() < 0.5:
                kept.sort_by(rng.choice(COLUMNS))
            kept.filter_text = rng.choice(("", "", "svc00", "unhealthy", "stopped"))
            kept.show_view(view)
            fresh = TaskGrid(id=f"fresh{step}")
            await app.mount(fresh)
            fresh.set_reactive(TaskGrid.sort_column, kept.sort_column)
            fresh.set_reactive(TaskGrid.sort_reverse, kept.sort_reverse)
            fresh.set_reactive(TaskGrid.filter_text, kept.filter_text)
            fresh.show_view(view)
            await pilot.pause()
            assert kept.row_count > 0 or kept.filter_text
            assert _state(kept) == _state(fresh), (step, kept.sort_column, kept.filter_text)
            await fresh.remove()
            snap = estate.advance()
            if step == 6:  # a frame with no tasks at all, then the estate again
                view = View(Snapshot(snap.taken_at), deriver.derive(Snapshot(snap.taken_at)))
                kept.show_view(view)
                assert kept.row_count == 0

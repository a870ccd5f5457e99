"""The virtual resource table through Pilot: contents, cursor, filter, sort, clicks, the
visible-window rendering at 5,000 rows, and columns that fit an 80-column terminal."""

from __future__ import annotations

from textual.app import App, ComposeResult

from fgtop.model import Task
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.estate import Estate


class CountingGrid(TaskGrid):
    """The task grid, counting the rows whose cells it builds."""

    def __init__(self) -> None:
        super().__init__(id="tasks")
        self.built: list[str] = []

    def cells(self, task: Task):  # noqa: ANN201
        self.built.append(task.arn)
        return super().cells(task)


class GridApp(App[None]):
    def __init__(self, estate: Estate) -> None:
        super().__init__()
        self.estate = estate
        self.selected: list[ResourceTable.Selected] = []

    def compose(self) -> ComposeResult:
        yield CountingGrid()

    def on_mount(self) -> None:
        grid = self.query_one(CountingGrid)
        snap = self.estate.snapshot()
        grid.now = snap.taken_at
        grid.show(snap.tasks)
        grid.focus()

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        self.selected.append(event)


def table_text(table: ResourceTable) -> str:
    """What the table's lines on screen say."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_5000_rows_build_cells_only_for_the_rows_on_screen() -> None:
    app = GridApp(Estate(tasks=5000))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        assert grid.row_count == 5000
        assert 0 < len(set(grid.built)) <= 30
        grid.built.clear()
        await pilot.press("pagedown")
        await pilot.pause()
        assert 0 < len(set(grid.built)) <= 30
        on_screen = grid.on_screen_items()
        assert len(on_screen) == 29  # 30 lines minus the header
        assert set(grid.built) <= {t.arn for t in grid.visible_items()}


async def test_cursor_stays_on_its_task_across_refreshes_and_vanishes_cleanly() -> None:
    estate = Estate(tasks=400, services=20, change=0.2)
    app = GridApp(estate)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        await pilot.press(*["down"] * 7)
        chosen = grid.selected_key
        assert chosen == grid.row_key_at(7)
        for _ in range(5):
            snap = estate.advance()
            if chosen not in {t.arn for t in snap.tasks}:
                break
            grid.show(snap.tasks)
            await pilot.pause()
            assert grid.selected_key == chosen
        assert grid.row_count == len(snap.tasks)


async def test_filter_narrows_widens_and_clears() -> None:
    app = GridApp(Estate(tasks=2000, services=100))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        grid.filter_text = "svc017"
        await pilot.pause()
        shown = grid.visible_items()
        assert shown and all(t.service.startswith("svc017") for t in shown)
        assert grid.row_count == 20
        grid.filter_text = "SVC01"  # case-insensitive, wider
        await pilot.pause()
        assert grid.row_count == 200
        grid.filter_text = "no such thing"
        await pilot.pause()
        assert grid.row_count == 0 and grid.selected_item is None
        grid.filter_text = ""
        await pilot.pause()
        assert grid.row_count == 2000


async def test_sort_keys_cycle_only_shown_columns_and_the_header_shows_the_arrow() -> None:
    app = GridApp(Estate(tasks=300, services=10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        shown = [c.key for c in grid.shown_columns]
        assert {"status", "service", "reason"} <= set(shown)
        assert len(shown) < len(TaskGrid.COLUMNS)  # 80 columns cannot hold all sixteen
        seen = []
        for _ in range(len(shown)):
            await pilot.press("s")
            seen.append(grid.sort_column)
            assert grid.sort_column in [c.key for c in grid.shown_columns]
            assert "▲" in grid.header_text()
        assert set(seen) == set(shown)
        await pilot.press("S")
        assert "▼" in grid.header_text()
        # Sorted by IP (hidden at 80 columns): the sort column is shown.
        grid.sort_column = "ip"
        await pilot.pause()
        assert "ip" in [c.key for c in grid.shown_columns]
        ips = [t.private_ip for t in grid.visible_items()]
        assert ips == sorted(ips, reverse=grid.sort_reverse)


async def test_click_on_a_header_sorts_and_again_reverses() -> None:
    app = GridApp(Estate(tasks=300, services=10))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        layout = grid._columns()  # noqa: SLF001 - where the SERVICE header is
        _column, x, _ = next(entry for entry in layout if entry[0].key == "service")
        await pilot.click(CountingGrid, offset=(x + 2, 0))
        assert grid.sort_column == "service" and not grid.sort_reverse
        names = [t.service for t in grid.visible_items()]
        assert names == sorted(names)
        await pilot.click(CountingGrid, offset=(x + 2, 0))
        assert grid.sort_reverse
        assert [t.service for t in grid.visible_items()] == sorted(names, reverse=True)


async def test_cursor_moves_say_selected_and_enter_opens() -> None:
    app = GridApp(Estate(tasks=100, services=5))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        app.selected.clear()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        keys = [(e.key, e.opened) for e in app.selected]
        assert keys == [
            (grid.row_key_at(1), False),
            (grid.row_key_at(2), False),
            (grid.row_key_at(2), True),
        ]
        await pilot.press("ctrl+end")
        assert grid.cursor_row == 99
        await pilot.press("ctrl+home")
        assert grid.cursor_row == 0


async def test_services_table_at_80_columns_shows_run_des_and_deployment() -> None:
    class ServicesApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ServicesTable()

    estate = Estate(tasks=200, services=40)
    app = ServicesApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ServicesTable)
        table.show(estate.snapshot().services)
        await pilot.pause()
        header = table.header_text()
        assert "SERVICE" in header and "RUN/DES" in header and "DEPLOYMENT" in header
        text = table_text(table)
        assert "svc000-api" in text and "steady" in text
        await pilot.press("W")  # the wide view: every column, scrolling sideways
        # (ACCOUNT only when several accounts are watched: one here)
        every = [c for c in ServicesTable.COLUMNS if c.key != "account"]
        assert table.shown_columns == every


def _letters(table: type[ResourceTable]) -> dict[str, str]:
    return {c.letter: c.key for c in table.COLUMNS if c.letter}


def test_every_sort_letter_is_in_its_title_unique_and_bound_nowhere_else() -> None:
    from fgtop.ui.app import FgtopApp
    from fgtop.ui.screens import dashboard, details, problems
    from fgtop.ui.widgets.metric_chart import MetricChart
    from fgtop.ui.widgets.pod_grid import PodGrid

    def keys(bindings) -> set[str]:  # noqa: ANN001
        out = set()
        for b in bindings:
            out |= {k.strip() for k in b.key.split(",")}
        return out

    taken = keys(FgtopApp.BINDINGS) | keys(ResourceTable.BINDINGS) | keys(MetricChart.BINDINGS)
    for screen in (dashboard.DashboardScreen, details.DetailsScreen, problems.ProblemsScreen):
        taken |= keys(screen.BINDINGS)
    for table in (ServicesTable, TaskGrid, PodGrid):
        letters = [c.letter for c in table.COLUMNS if c.letter]
        assert len(letters) == len(set(letters)), table
        assert len(letters) >= len(table.COLUMNS) - 2  # at most two columns without a letter
        for c in table.COLUMNS:
            if c.letter:
                assert c.letter in c.label, (c.label, c.letter)
                key = "dollar_sign" if c.letter == "$" else c.letter
                assert key not in taken, (table.__name__, c.letter)


async def test_shift_letters_sort_by_their_column_again_reverse_and_the_header_underlines() -> None:
    app = GridApp(Estate(tasks=300, services=10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(CountingGrid)
        letters = _letters(TaskGrid)
        assert letters["V"] == "service" and letters["A"] == "age" and letters["C"] == "cpu"
        await pilot.press("V")
        assert grid.sort_column == "service" and not grid.sort_reverse
        names = [t.service for t in grid.visible_items()]
        assert names == sorted(names, key=str.lower)
        await pilot.press("V")
        assert grid.sort_reverse
        assert [t.service for t in grid.visible_items()] == sorted(names, key=str.lower)[::-1]
        await pilot.press("K")  # a new column starts A to Z again
        assert grid.sort_column == "id" and not grid.sort_reverse
        await pilot.press("C")  # numbers start highest first, unknown values last
        assert grid.sort_column == "cpu" and grid.sort_reverse
        cpus = [grid.sort_value(t, "cpu") for t in grid.visible_items()]
        known = [v for v in cpus if v is not None]
        assert cpus == sorted(known, reverse=True) + [None] * (len(cpus) - len(known))
        await pilot.press("dollar_sign")
        assert grid.sort_column == "cost" and grid.sort_reverse
        # A letter of a column hidden at 80 columns brings the column on screen.
        await pilot.press("P")
        assert grid.sort_column == "ip" and "ip" in [c.key for c in grid.shown_columns]
        # The header underlines each shown column's letter, at its place in the title.
        strip = grid.render_line(0)
        underlined = "".join(s.text for s in strip if s.style and s.style.underline)
        shown = [c for c in grid.shown_columns if c.letter]
        assert underlined == "".join(c.letter for c in shown)
        assert len(grid.header_text()) <= 80

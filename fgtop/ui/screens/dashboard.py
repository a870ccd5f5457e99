"""The main screen: header, services table, task grid (and pods), filter bar, footer."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, TabbedContent, TabPane

from fgtop.model import Snapshot
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid


class DashboardScreen(Screen):
    """Everything at a glance."""

    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def compose(self) -> ComposeResult:
        """Header, services, tasks, filter, footer."""
        yield HeaderBar(id="header")
        yield ServicesTable(id="services")
        with TabbedContent(id="tabs"), TabPane("Tasks", id="tab-tasks"):
            yield TaskGrid(id="tasks")
        yield Input(
            placeholder="filter (substring of any visible column) — enter keeps, esc clears",
            id="filter",
        )
        yield Footer()

    def on_mount(self) -> None:
        """Focus the task grid; show what the app already has."""
        self.query_one("#filter", Input).display = False
        self.query_one(HeaderBar).mode = self.app.mode  # type: ignore[attr-defined]
        self.query_one(TaskGrid).focus()
        if self.app.snapshot is not None:  # type: ignore[attr-defined]
            self.show_snapshot(self.app.snapshot)  # type: ignore[attr-defined]

    @property
    def tables(self) -> list[ResourceTable]:
        """Every resource table on the screen."""
        return list(self.query(ResourceTable))

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Render a snapshot: only changed cells are written."""
        self.query_one(HeaderBar).show_snapshot(snapshot)
        grid = self.query_one(TaskGrid)
        grid.now = snapshot.taken_at
        grid.show(snapshot.tasks)
        self.query_one(ServicesTable).show(snapshot.services)

    # -- filter --------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Open the filter bar."""
        bar = self.query_one("#filter", Input)
        bar.display = True
        bar.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter live as the user types."""
        if event.input.id == "filter":
            for table in self.tables:
                table.filter_text = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter keeps the filter and returns to the grid."""
        if event.input.id == "filter":
            event.input.display = bool(event.value)
            self.query_one(TaskGrid).focus()

    def action_clear_filter(self) -> None:
        """Esc clears the filter."""
        bar = self.query_one("#filter", Input)
        if bar.value or bar.display:
            bar.value = ""
            bar.display = False
            for table in self.tables:
                table.filter_text = ""
            self.query_one(TaskGrid).focus()

    def on_key(self, event) -> None:  # noqa: ANN001
        """Esc inside the filter bar clears it."""
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            self.action_clear_filter()

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        """Enter on a row opens its details."""
        if event.opened:
            self.app.open_details(event.key, event.item)  # type: ignore[attr-defined]

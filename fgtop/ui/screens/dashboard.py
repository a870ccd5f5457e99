"""The main screen: header, services and chart, task and pod grids, filter, footer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import ProgressBar, TabbedContent, TabPane, Tabs

from fgtop.derive.why_details import deployment_marks
from fgtop.feed import Frame
from fgtop.kinds import registry
from fgtop.kinds.base import Kind, View
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.kind_table import KindTable, table_class
from fgtop.ui.widgets.metric_chart import WINDOWS, MetricChart
from fgtop.ui.widgets.pod_grid import PodGrid
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid

__all__ = ["DashboardScreen", "PodGrid", "ServicesTable", "TaskGrid"]
"""The bundled kinds' table classes are imported so :func:`table_class` finds them (tests
query them by class); a kind without one gets a table class made for it."""


def tab_id(kind: Kind[Any]) -> str:
    """The id of the tab of a kind's table (``tab-tasks``)."""
    return "tab-" + kind.plural.replace(" ", "-")


def table_id(kind: Kind[Any]) -> str:
    """The id of a kind's table (``tasks``)."""
    return kind.plural.replace(" ", "-")


class DashboardScreen(FgtopScreen):
    """Everything at a glance."""

    BINDINGS: ClassVar = [
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="filter rows (substring over the visible columns); enter keeps it",
        ),
        Binding(
            "l",
            "logs",
            "Logs",
            tooltip="logs of the selected task, service (all tasks merged) or pod",
        ),
        Binding("d", "describe", "Describe", tooltip="describe: the raw document, secrets masked"),
        Binding(
            "i",
            "insights",
            "Insights",
            show=False,
            tooltip="Logs Insights over the selected task's or service's log groups, the last hour",
        ),
        Binding(
            "w",
            "chart_window",
            "Chart window",
            show=False,
            tooltip="chart window 15m / 1h / 3h / 12h",
        ),
    ]

    def __init__(self, *, deferred: bool = False) -> None:
        super().__init__()
        self.built = not deferred
        """Whether the widgets are composed. A deferred dashboard (a replay, which may open on
        the problems) holds only its header until it is first shown or :meth:`build` is called:
        ``fgtop demo`` paints the problems without composing the tables and chart first."""
        self._building = False
        self._when_built: list[Callable[[], object]] = []

    def compose(self) -> ComposeResult:
        """Header, services and chart, tasks and pods, filter, footer."""
        yield HeaderBar(id="header")
        if not (self.built or self._building):
            return
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="replay-bar")
        tables = registry.tables()
        with Horizontal(id="top"):
            for owner, kinds in tables:
                if not owner.tab:
                    yield table_class(owner, kinds)(id=table_id(owner))
            yield MetricChart(id="chart", replay=self.fgtop.feed.seekable)
        with TabbedContent(id="tabs"):
            for owner, kinds in tables:
                if owner.tab:
                    with TabPane(owner.plural.capitalize(), id=tab_id(owner)):
                        yield table_class(owner, kinds)(id=table_id(owner))
        yield FilterBar(
            placeholder="filter (substring of any visible column) — enter keeps, esc clears",
            id="filter",
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        """Set up the widgets, if composed."""
        if self.built:
            self._set_up()

    def _set_up(self) -> None:
        """Focus the task grid; the chart window from the config; hints every 2 s. The tab
        strip takes no focus: ``tab`` / ``shift+tab`` go from table to chart to table, so the
        services table (and its sort letters) is one key from the grid (``:tasks`` / ``:pods``
        switch the tab)."""
        self.query_one("#replay-bar").display = self.fgtop.feed.seekable
        for strip in self.query_one(TabbedContent).query(Tabs):
            strip.can_focus = False
        self.query_one(TaskGrid).focus()
        wanted = self.fgtop.config.metrics_window
        self.query_one(MetricChart).window = min(WINDOWS, key=lambda w: abs(w - wanted))
        self.set_interval(2.0, self._send_hints)

    def build(self) -> None:
        """Compose a deferred dashboard's widgets now (in the background when hidden)."""
        if not self.built and not self._building:
            self._building = True
            self.run_worker(self._build(), group="build")

    def when_built(self, then: Callable[[], object]) -> None:
        """Call ``then`` once the widgets are composed: now, or after :meth:`build`."""
        if self.built:
            then()
            return
        self._when_built.append(then)
        self.build()

    async def _build(self) -> None:
        await self.recompose()
        self.built = True
        self._set_up()
        if self.app.screen is self:
            self.catch_up(force=True)
        waiting, self._when_built = self._when_built, []
        for then in waiting:
            then()

    def catch_up(self, *, force: bool = False) -> None:
        """Render the app's frame; a deferred dashboard on top with a frame to show builds."""
        if not self.built:
            self.update_header()
            if self.fgtop.frame is not None and self.app.screen is self:
                self.build()
            return
        super().catch_up(force=force)

    @property
    def tables(self) -> list[ResourceTable]:
        """Every resource table on the screen."""
        return list(self.query(ResourceTable))

    def _kind_tables(self) -> list[KindTable]:
        """The kinds' tables: the tabs' first, then the top ones."""
        tables = list(self.query(KindTable))
        return [t for t in tables if t.KINDS[0].tab] + [t for t in tables if not t.KINDS[0].tab]

    def table_of(self, kind: Kind[Any]) -> KindTable | None:
        """The table that shows a kind's items."""
        return next((t for t in self.query(KindTable) if kind in t.KINDS), None)

    # -- rendering -----------------------------------------------------------------------

    def show_frame(self, frame: Frame) -> None:
        """Render a frame: only changed cells are written."""
        snapshot = frame.snapshot
        palette = self.fgtop.palette
        view = View(snapshot, frame.derived, glyph=palette.glyph)
        for table in self.query(KindTable):
            table.palette = palette
            table.show_view(view)
        self._label_tabs()
        self.set_replay(self.fgtop.feed.clock.position)
        self._update_chart()

    def _label_tabs(self) -> None:
        """Each tab says how many rows its table has: ``Tasks (12 of 103)`` when filtered."""
        tabs = self.query_one(TabbedContent)
        for table in self.query(KindTable):
            owner = table.KINDS[0]
            if owner.tab:
                label = f"{owner.plural.capitalize()} ({table.count_text()})"
                tab = tabs.get_tab(tab_id(owner))
                if str(tab.label) != label:
                    tab.label = label

    def _update_chart(self) -> None:
        snapshot = self.fgtop.snapshot
        if snapshot is None:
            return
        chart = self.query_one(MetricChart)
        found = self._chart_item()
        if found is None:
            chart.show_series("select a service or task", None, None, snapshot.taken_at)
            return
        spec = found
        chart.show_series(
            spec.title,
            snapshot.series(spec.target, "cpu"),
            snapshot.series(spec.target, "memory"),
            snapshot.taken_at,
            net_rx=snapshot.series(spec.target, "net_rx"),
            net_tx=snapshot.series(spec.target, "net_tx"),
            unavailable=spec.unavailable,
            marks=deployment_marks(snapshot, spec.target, self.fgtop.timeline.deployments),
        )

    def _chart_item(self) -> Any:
        """The chart of the focused table's row, else of the first table's row that has one."""
        snapshot = self.fgtop.snapshot
        focused = self.focused
        candidates = [focused] if isinstance(focused, KindTable) else []
        for table in [*candidates, *self._kind_tables()]:
            item = table.selected_item
            if item is not None and snapshot is not None:
                chart = table.kind(item).chart(item, snapshot)
                if chart is not None:
                    return chart
        return None

    def set_replay(self, position: float) -> None:
        """Show where the replay is in the recording."""
        # The app's timer may tick while this screen is being composed or torn down.
        for bar in self.query("#replay-bar").results(ProgressBar):
            bar.update(progress=position)

    # -- selection and hints -------------------------------------------------------------

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        """A cursor move re-targets the chart; Enter opens details."""
        if event.opened:
            self.fgtop.open_details(event.key, event.item)
            return
        kind = registry.kind_of(event.item)
        hint = kind.hint(event.item) if kind is not None else None
        if hint is not None:
            self.fgtop.feed.hints.selected = hint
        self._update_chart()

    def _send_hints(self) -> None:
        """Tell the feed which tasks are on screen (metrics are fetched only for those)."""
        grid = self.query_one(TaskGrid)
        self.fgtop.feed.hints.visible_tasks = tuple(t.arn for t in grid.on_screen_items())

    def selected_target(self) -> str | None:
        """The key of what ``l`` shows the logs of for the selection (a workload: its pod)."""
        item = self.selected_item()
        snapshot = self.fgtop.snapshot
        if item is None or snapshot is None:
            return None
        return registry.log_key(snapshot, item)

    def selected_item(self) -> Any:
        """The resource under the cursor of the focused table (or the first tab's)."""
        if not self.built:
            return None
        focused = self.focused
        tables: list[ResourceTable] = [focused] if isinstance(focused, ResourceTable) else []
        tables += [t for t in self._kind_tables() if t.KINDS[0].tab]
        for table in tables:
            item = table.selected_item
            if item is not None:
                return item
        return None

    def select(self, key: str) -> bool:
        """Select a resource by key in whichever table shows it."""
        self.catch_up()  # rows of the latest frame (a screen brought back renders it later)
        for table in self.query(KindTable):
            if table.select_key(key):
                if table.KINDS[0].tab:
                    self.query_one(TabbedContent).active = tab_id(table.KINDS[0])
                table.focus()
                return True
        return False

    def focus_service(self, name: str) -> None:
        """``--service``: filter the grids to the service and select it."""
        self.catch_up()
        self.set_filter(name)
        services = self.query_one(ServicesTable)
        for item in services.visible_items():
            if getattr(item, "name", None) == name:
                services.select_key(item.key)
                break
        services.focus()

    def show_kind(self, kind: Kind[Any], text: str | None) -> None:
        """``:tasks``, ``:pods``, ``:svc``: focus that kind's table, optionally filtered."""
        table = self.table_of(kind)
        if table is None:
            return
        if table.KINDS[0].tab:
            self.query_one(TabbedContent).active = tab_id(table.KINDS[0])
        table.focus()
        if text is not None:
            self.set_filter(text)

    # -- filter --------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Filter every table by a substring."""
        bar = self.query_one("#filter", FilterBar)
        bar.value = text
        bar.display = bool(text)
        for table in self.tables:
            table.filter_text = text
        self._label_tabs()

    def action_filter(self) -> None:
        """Open the filter bar."""
        self.query_one("#filter", FilterBar).open()

    def on_filter_bar_edited(self, event: FilterBar.Edited) -> None:
        """Filter live as the user types."""
        for table in self.tables:
            table.filter_text = event.text
        self._label_tabs()

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        """Back to the grid."""
        self.query_one(TaskGrid).focus()

    def esc_clears(self) -> bool:
        """A filter is set (``esc`` clears it)."""
        return self.built and bool(self.query_one("#filter", FilterBar).value)

    def esc_clear(self) -> None:
        """Clear the filter."""
        self.set_filter("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No action of the dashboard's own before it is built (then as every screen)."""
        return self.built and super().check_action(action, parameters)

    # -- actions -------------------------------------------------------------------------

    def action_logs(self) -> None:
        """Logs of the selected task, service or pod."""
        target = self.selected_target()
        if target:
            self.fgtop.open_logs(target)
        else:
            self.notify("select a task, service or pod first", severity="warning")

    def action_describe(self) -> None:
        """The raw document of the selected resource."""
        snapshot = self.fgtop.snapshot
        item = self.selected_item()
        key = registry.describe_key(snapshot, item) if snapshot is not None else None
        if key:
            self.fgtop.open_describe(key)

    def action_insights(self) -> None:
        """Logs Insights over the selected task's or service's log groups (the last hour)."""
        self.fgtop.open_insights(self.selected_item())

    def action_chart_window(self) -> None:
        """Cycle the chart's time window (15m, 1h, 3h, 12h)."""
        self.query_one(MetricChart).action_cycle_window()

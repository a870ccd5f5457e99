"""The main screen: header, services and chart, task and pod grids, filter, footer."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import ProgressBar, TabbedContent, TabPane

from fgtop.derive.problems import worst_by_service
from fgtop.feed import Frame
from fgtop.model import Pod, Service, Task
from fgtop.model.ecs import task_metrics_available
from fgtop.paths import history_path
from fgtop.ui.cells import LazyCells, money, service_cells, task_cells, task_values
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.command_line import CommandLine
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.metric_chart import NO_TASK_METRICS, WINDOWS, MetricChart
from fgtop.ui.widgets.pod_grid import PodGrid
from fgtop.ui.widgets.resource_table import ResourceTable
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid

TABS = {"tasks": "tab-tasks", "pods": "tab-pods"}


class DashboardScreen(FgtopScreen):
    """Everything at a glance."""

    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("l", "logs", "Logs"),
        Binding("d", "describe", "Describe"),
        Binding("i", "insights", "Insights", show=False),
        Binding("w", "chart_window", "Chart window", show=False),
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
        """Header, services and chart, tasks and pods, filter, command line, footer."""
        yield HeaderBar(id="header")
        if not (self.built or self._building):
            return
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="replay-bar")
        with Horizontal(id="top"):
            yield ServicesTable(id="services")
            yield MetricChart(id="chart", replay=self.fgtop.feed.seekable)
        with TabbedContent(id="tabs"):
            with TabPane("Tasks", id="tab-tasks"):
                yield TaskGrid(id="tasks")
            with TabPane("Pods", id="tab-pods"):
                yield PodGrid(id="pods")
        yield FilterBar(
            placeholder="filter (substring of any visible column) — enter keeps, esc clears",
            id="filter",
        )
        yield CommandLine(history_path=history_path(), id="cmd")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Set up the widgets, if composed."""
        if self.built:
            self._set_up()

    def _set_up(self) -> None:
        """Focus the task grid; the chart window from the config; hints every 2 s."""
        self.query_one("#replay-bar").display = self.fgtop.feed.seekable
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

    # -- rendering -----------------------------------------------------------------------

    def show_frame(self, frame: Frame) -> None:
        """Render a frame: only changed cells are written."""
        snapshot = frame.snapshot
        palette = self.fgtop.palette
        cost = frame.derived.insights.cost
        active = frame.derived.active
        grid = self.query_one(TaskGrid)
        grid.palette = palette
        grid.now = snapshot.taken_at
        clusters = {(c.name, c.region): c for c in snapshot.clusters}
        grid.extra = LazyCells(
            {t.arn: t for t in snapshot.tasks},
            lambda t: task_cells(
                t, snapshot, cost, clusters.get((t.cluster, t.region)), t.arn in active
            ),
            values=lambda t: task_values(t, snapshot, cost),
        )
        grid.show(snapshot.tasks)
        services = self.query_one(ServicesTable)
        services.palette = palette
        workload_cells = {}
        if cost is not None:
            for w in snapshot.workloads:
                rate = cost.by_service.get(f"k8s:{w.cluster}/{w.namespace}/{w.name}")
                workload_cells[w.key] = {"cost": money(rate)}
        services.extra = LazyCells(
            {s.arn: s for s in snapshot.services},
            lambda s: service_cells(s, snapshot, cost, s.arn in active),
            ready=workload_cells,
        )
        services.problems = worst_by_service(frame.derived.insights.problems)
        services.show([*snapshot.services, *snapshot.workloads])
        pods = self.query_one(PodGrid)
        pods.palette = palette
        pods.now = snapshot.taken_at
        pods.costs = cost
        pods.show(snapshot.pods)
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-tasks").label = f"Tasks ({len(snapshot.tasks)})"
        tabs.get_tab("tab-pods").label = f"Pods ({len(snapshot.pods)})"
        self.set_replay(self.fgtop.feed.clock.position)
        self._update_chart()
        line = self.query_one(CommandLine)
        line.set_completions("regions", self.fgtop.scope_values("region"))
        line.set_completions("contexts", self.fgtop.scope_values("context"))
        line.set_completions("themes", self.fgtop.theme_names)

    def _update_chart(self) -> None:
        snapshot = self.fgtop.snapshot
        if snapshot is None:
            return
        chart = self.query_one(MetricChart)
        item = self._chart_item()
        if item is None:
            chart.show_series("select a service or task", None, None, snapshot.taken_at)
            return
        if isinstance(item, Task):
            cluster = next(
                (
                    c
                    for c in snapshot.clusters
                    if c.name == item.cluster and c.region == item.region
                ),
                None,
            )
            unavailable = None if task_metrics_available(cluster) else NO_TASK_METRICS
            title = f"task {item.id[:8]} ({item.service or item.group})"
        else:
            unavailable = None
            title = f"service {item.name}"
        chart.show_series(
            title,
            snapshot.series(item.arn, "cpu"),
            snapshot.series(item.arn, "memory"),
            snapshot.taken_at,
            net_rx=snapshot.series(item.arn, "net_rx"),
            net_tx=snapshot.series(item.arn, "net_tx"),
            unavailable=unavailable,
        )

    def _chart_item(self) -> Task | Service | None:
        focused = self.focused
        for table in (focused, self.query_one(TaskGrid), self.query_one(ServicesTable)):
            if isinstance(table, TaskGrid | ServicesTable):
                item = table.selected_item
                if isinstance(item, Task | Service):
                    return item
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
        if isinstance(event.item, Task | Service):
            self.fgtop.feed.hints.selected = event.item.arn
        self._update_chart()

    def _send_hints(self) -> None:
        """Tell the feed which tasks are on screen (metrics are fetched only for those)."""
        grid = self.query_one(TaskGrid)
        self.fgtop.feed.hints.visible_tasks = tuple(t.arn for t in grid.on_screen_items())

    def selected_target(self) -> str | None:
        """The key of the selected task, service or pod (for logs and describe)."""
        item = self.selected_item()
        if isinstance(item, Task | Service):
            return item.arn
        if isinstance(item, Pod):
            return item.key
        return None

    def selected_item(self) -> Task | Service | Pod | None:
        """The resource under the cursor of the focused table (or the task grid)."""
        if not self.built:
            return None
        focused = self.focused
        tables = [focused] if isinstance(focused, ResourceTable) else []
        tables += [self.query_one(TaskGrid), self.query_one(PodGrid)]
        for table in tables:
            item = table.selected_item
            if item is not None:
                return item
        return None

    def select(self, key: str) -> bool:
        """Select a resource by key in whichever table shows it."""
        self.catch_up()  # rows of the latest frame (a screen brought back renders it later)
        for table in self.tables:
            if table.select_key(key):
                if isinstance(table, PodGrid):
                    self.query_one(TabbedContent).active = "tab-pods"
                elif isinstance(table, TaskGrid):
                    self.query_one(TabbedContent).active = "tab-tasks"
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

    def show_tab(self, name: str, text: str | None) -> None:
        """``:tasks``, ``:pods``, ``:svc``: focus that table, optionally filtered."""
        if name in TABS:
            self.query_one(TabbedContent).active = TABS[name]
            table = self.query_one(TaskGrid if name == "tasks" else PodGrid)
        else:
            table = self.query_one(ServicesTable)
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

    def action_filter(self) -> None:
        """Open the filter bar."""
        self.query_one("#filter", FilterBar).open()

    def on_filter_bar_edited(self, event: FilterBar.Edited) -> None:
        """Filter live as the user types."""
        for table in self.tables:
            table.filter_text = event.text

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        """Back to the grid."""
        self.query_one(TaskGrid).focus()

    def action_clear_filter(self) -> None:
        """Esc clears the filter."""
        self.set_filter("")
        self.query_one(TaskGrid).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``esc`` clears a filter only when there is one (else it goes back, app-wide); no
        action of the dashboard's own before it is built."""
        if not self.built:
            return False
        if action == "clear_filter":
            return bool(self.query_one("#filter", FilterBar).value)
        return True

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
        target = self.selected_target()
        if target:
            self.fgtop.open_describe(target)

    def action_insights(self) -> None:
        """Logs Insights over the selected task's or service's log groups (the last hour)."""
        self.fgtop.open_insights(self.selected_item())

    def action_chart_window(self) -> None:
        """Cycle the chart's time window (15m, 1h, 3h, 12h)."""
        self.query_one(MetricChart).action_cycle_window()

    def on_command_line_submitted(self, event: CommandLine.Submitted) -> None:
        """Carry out a ``:`` command."""
        self.fgtop.run_command(event.command, event.argument)

"""Details of one resource, kept live as snapshots arrive: what its kind says of it.

The sections, the decoded reason a task failed and the chart's range are the kind's
(:meth:`fgtop.kinds.base.Kind.details`); this screen shows them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from fgtop.derive.why_details import deployment_marks
from fgtop.kinds import registry
from fgtop.kinds.base import Chart, Details
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.metric_chart import WINDOWS, MetricChart


def chart_window(span: float | None) -> int:
    """The smallest chart window that holds a run of ``span`` seconds (at most an hour)."""
    if span is None:
        return WINDOWS[0]
    window = next((w for w in WINDOWS if w >= span), WINDOWS[-1])
    return min(window, 3600)


class DetailsScreen(FgtopScreen):
    """A live details view of one resource; ``esc`` goes back."""

    DEFAULT_CSS = """
    DetailsScreen #task-why { margin-bottom: 1; }
    DetailsScreen #task-chart { height: 12; min-height: 8; margin-bottom: 1; }
    """

    BINDINGS: ClassVar = [
        Binding("l", "logs", "Logs", tooltip="logs"),
        Binding("t", "logs_at_stop", "Logs at stop", tooltip="logs at the moment it stopped"),
        Binding("d", "describe", "Describe", tooltip="describe"),
        Binding("slash", "filter", "Filter", tooltip="filter the events (all words must match)"),
    ]

    def __init__(self, kind: str, key: str) -> None:
        super().__init__()
        self.kind = kind
        """The kind's name (``task``, ``service``, ``pod``...)."""
        self.key = key
        self.filter_text = ""
        """The events filter (``/``)."""

    def compose(self) -> ComposeResult:
        """The header, a scrolling body and the footer of keys."""
        yield HeaderBar()
        yield FilterBar(
            placeholder="filter the events (all words must match) — esc clears", id="dfilter"
        )
        with VerticalScroll():
            why = Static(id="task-why")
            why.display = False
            yield why
            chart = MetricChart(id="task-chart", replay=self.fgtop.feed.seekable)
            chart.display = False
            yield chart
            yield Static(id="body")
        yield KeyFooter()

    AUTO_FOCUS = "VerticalScroll"
    """The body has the keys (not the hidden filter bar)."""

    def find(self, snapshot: Snapshot) -> Any:
        """The resource in this snapshot."""
        return registry.named(self.kind).find(snapshot, self.key)

    def _show_extras(self, details: Details | None, snapshot: Snapshot) -> None:
        """The decoded reason it failed, and a small CPU/memory chart of its own series
        (hidden when the kind has none, it is fine, or it has no series)."""
        why = self.query_one("#task-why", Static)
        chart = self.query_one("#task-chart", MetricChart)
        found = details.why if details is not None else None
        why.display = found is not None
        if found is not None:
            why.update(found)
        spec: Chart | None = details.chart if details is not None else None
        cpu = snapshot.series(spec.target, "cpu") if spec is not None else None
        memory = snapshot.series(spec.target, "memory") if spec is not None else None
        chart.display = spec is not None and bool(
            (cpu and cpu.points) or (memory and memory.points)
        )
        if spec is not None and chart.display:
            window = chart_window(spec.span)
            if chart.window != window:
                chart.set_reactive(MetricChart.window, window)
            end = spec.end if spec.end is not None else snapshot.taken_at
            marks = deployment_marks(snapshot, spec.target, self.fgtop.timeline.deployments)
            chart.show_series(spec.title, cpu, memory, end, clock=snapshot.taken_at, marks=marks)

    def action_logs(self) -> None:
        """The logs of this resource."""
        self.fgtop.open_logs(self.key)

    def action_logs_at_stop(self) -> None:
        """The logs around the moment this task stopped (or this pod's container last died)."""
        snapshot = self.fgtop.snapshot
        item = self.find(snapshot) if snapshot else None
        at = registry.named(self.kind).stopped_at(item) if item is not None else None
        if at is None:
            self.notify("it has not stopped: showing the latest logs", timeout=3)
        self.fgtop.open_logs(self.key, at=at)

    def action_describe(self) -> None:
        """The raw document of this resource."""
        self.fgtop.open_describe(self.key)

    # -- filter --------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Open the filter bar."""
        self.query_one("#dfilter", FilterBar).open()

    def set_filter(self, text: str) -> None:
        """Show only the events matching every word of ``text``."""
        self.filter_text = text
        snapshot = self.fgtop.snapshot
        if snapshot is not None:
            self.show_snapshot(snapshot)

    def on_filter_bar_edited(self, event: FilterBar.Edited) -> None:
        """Filter as the user types."""
        self.set_filter(event.text)

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        """Back to the details."""
        self.query_one(VerticalScroll).focus()

    def esc_clears(self) -> bool:
        """A filter is set (``esc`` clears it)."""
        return bool(self.filter_text)

    def esc_clear(self) -> None:
        """Clear the filter."""
        bar = self.query_one("#dfilter", FilterBar)
        bar.value = ""
        bar.display = False
        self.set_filter("")

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Re-render from a new snapshot."""
        item = self.find(snapshot)
        body = self.query_one("#body", Static)
        view = self.fgtop.view()
        if view is not None and self.filter_text:
            view = replace(view, events_filter=self.filter_text)
        details = None
        if item is None or view is None:
            body.update(
                Text(f"{self.kind} {fmt.short_arn(self.key)} is no longer reported by ECS.")
            )
        else:
            details = registry.named(self.kind).details(item, view)
            body.update(details.body if details is not None else Text(""))
        self._show_extras(details, snapshot)

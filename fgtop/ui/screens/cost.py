"""The cost panel screen (``c``): burn rate, breakdowns, Spot savings, right-sizing."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding

from fgtop.model import Snapshot
from fgtop.model.optimizer import for_services
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.cost_panel import CostPanel
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar


class CostScreen(FgtopScreen):
    """What the estate costs now, and what it could cost."""

    BINDINGS: ClassVar = [
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="filter the rows by name (clusters, services, capacity providers, savings)",
        ),
        Binding(
            "m,enter",
            "more",
            "All rows",
            tooltip='show every row ("N more") of the breakdowns and the savings; again: fold',
        ),
    ]

    AUTO_FOCUS = "CostPanel"
    """The panel has the keys (not the hidden filter bar)."""

    def compose(self) -> ComposeResult:
        """Header, the cost panel, footer."""
        yield HeaderBar()
        yield FilterBar(
            placeholder="filter rows by name (all words must match) — esc clears", id="cfilter"
        )
        yield CostPanel(id="cost")
        yield KeyFooter()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Re-render the figures of this snapshot (at its own time, live or replayed)."""
        insights = self.fgtop.insights
        if insights is None or insights.cost is None:
            return
        usage = snapshot.metrics_usage
        self.query_one(CostPanel).update_cost(
            insights.cost,
            list(insights.suggestions),
            usage.cost_usd,
            usage.cost_per_hour_usd,
            insights.warnings,
            for_services(snapshot.ecs_recommendations, snapshot.services),
            snapshot.compute_optimizer,
            held=insights.held,
        )

    def action_filter(self) -> None:
        """Open the filter bar."""
        self.query_one("#cfilter", FilterBar).open()

    def on_filter_bar_edited(self, event: FilterBar.Edited) -> None:
        """Filter as the user types."""
        self.query_one(CostPanel).set_filter(event.text)

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        """Back to the panel."""
        self.query_one(CostPanel).focus()

    def esc_clears(self) -> bool:
        """A filter is set (``esc`` clears it)."""
        return bool(self.query_one(CostPanel).filter_text)

    def esc_clear(self) -> None:
        """Clear the filter."""
        bar = self.query_one("#cfilter", FilterBar)
        bar.value = ""
        bar.display = False
        self.query_one(CostPanel).set_filter("")

    def action_more(self) -> None:
        """Expand every "N more" (the breakdowns and the savings), or fold them again."""
        self.query_one(CostPanel).toggle_expanded()

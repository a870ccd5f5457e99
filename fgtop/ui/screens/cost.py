"""The cost panel screen (``c``): burn rate, breakdowns, Spot savings, right-sizing."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding

from fgtop.model import Snapshot
from fgtop.model.optimizer import for_services
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.cost_panel import CostPanel
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar


class CostScreen(FgtopScreen):
    """What the estate costs now, and what it could cost."""

    BINDINGS: ClassVar = [
        Binding(
            "m,enter",
            "more",
            "All rows",
            tooltip='show every row ("N more") of the breakdowns and the savings; again: fold',
        ),
    ]

    def compose(self) -> ComposeResult:
        """Header, the cost panel, footer."""
        yield HeaderBar()
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

    def action_more(self) -> None:
        """Expand every "N more" (the breakdowns and the savings), or fold them again."""
        self.query_one(CostPanel).toggle_expanded()

"""The Textual app and the one factory shared by the CLI and the tests."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding

from fgtop.engine import Engine
from fgtop.model import Service, Snapshot, Task
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.details import DetailsScreen
from fgtop.ui.screens.help import HelpScreen


class FgtopApp(App):
    """fgtop's dashboard. It renders only from Snapshots, live or replayed."""

    CSS_PATH = "fgtop.tcss"
    TITLE = "fgtop"
    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("r", "refresh", "Refresh"),
        Binding("p", "pause", "Pause"),
    ]

    def __init__(
        self, *, engine: Engine | None = None, mode: str = "live", theme: str | None = None
    ) -> None:
        super().__init__()
        self.engine = engine
        self.mode = mode
        self.snapshot: Snapshot | None = None
        self.paused = False
        self._wanted_theme = theme

    def on_mount(self) -> None:
        """Push the dashboard and start the data."""
        self.push_screen(DashboardScreen())
        if self.engine is not None:
            self.engine.subscribe(self.apply_snapshot)
            self.run_worker(self.engine.start(), exit_on_error=False)

    async def on_unmount(self) -> None:
        """Stop the engine and close every client."""
        if self.engine is not None:
            await self.engine.stop()

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Show a snapshot on every screen that renders snapshots."""
        if self.paused and self.mode == "live":
            return
        self.snapshot = snapshot
        for screen in self.screen_stack:
            show = getattr(screen, "show_snapshot", None)
            if show is not None and screen.is_mounted:
                show(snapshot)

    # -- actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen())

    def action_refresh(self) -> None:
        """Poll every source now."""
        if self.engine is not None:
            self.paused = False
            self.engine.paused = False
            self._set_paused_badge()
            self.engine.refresh_now()
            self.notify("refreshing…", timeout=1.5)

    def action_pause(self) -> None:
        """Pause or resume live polling."""
        self.paused = not self.paused
        if self.engine is not None:
            self.engine.paused = self.paused
            if not self.paused:
                self.engine.refresh_now()
        self._set_paused_badge()

    def _set_paused_badge(self) -> None:
        from fgtop.ui.widgets.header_bar import HeaderBar

        for screen in self.screen_stack:
            for header in screen.query(HeaderBar):
                header.paused = self.paused

    def open_details(self, key: str, item: Any) -> None:
        """Open the details of a task or service."""
        if isinstance(item, Task):
            self.push_screen(DetailsScreen("task", key))
        elif isinstance(item, Service):
            self.push_screen(DetailsScreen("service", key))


def create_app(
    *,
    engine: Engine | None = None,
    mode: str = "live",
    theme: str | None = None,
    **kwargs: Any,
) -> FgtopApp:
    """Build the app. The CLI and the tests both use this one factory."""
    return FgtopApp(engine=engine, mode=mode, theme=theme, **kwargs)


_ = time

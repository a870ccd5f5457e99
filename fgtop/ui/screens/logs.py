"""The log screen: a task's, a service's (all its tasks merged) or a pod's lines.

The lines come from the feed's :class:`~fgtop.feed.LogFeed`: live, CloudWatch Logs (the
awslogs options of the task definition) and the Kubernetes log API (the previous container's
lines first for a crash-looping pod); in replay and demo, the recorded lines up to the replay
clock. The screen cannot tell which.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Select, Static

from fgtop.feed import LogBatch, LogRequest
from fgtop.kinds import registry
from fgtop.kinds.base import LogTarget
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.text.sanitize import safe
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.log_view import LogView

ALL = "__all__"
WRAP_BELOW = 120
"""Narrower terminals open the logs wrapped (``w`` unwraps): at 80 columns the
``OutOfMemoryError`` at the end of a line is on screen, not 40 columns to the right."""


class LogsScreen(FgtopScreen):
    """Logs of one target; ``esc`` goes back."""

    DEFAULT_CSS = """
    LogsScreen #logs-title { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS: ClassVar = [
        Binding("c", "pick_container", "Container", tooltip="pick a container"),
        Binding(
            "i",
            "insights",
            "Insights",
            tooltip="Logs Insights over the service's log groups: the error queries, and the current filter across all tasks",
        ),
    ]

    def __init__(
        self, target: str, *, at: float | None = None, container: str | None = None
    ) -> None:
        super().__init__()
        self.target = target
        """A task ARN, a service ARN or a pod key (``cluster/namespace/name``)."""
        self.at = at
        """The moment to show the lines around (POSIX seconds), or None to follow."""
        self.container = container
        self._tail: asyncio.Task | None = None
        self._item: Any = None
        self._logs: LogTarget | None = None
        """What the item's kind says its logs are."""

    def compose(self) -> ComposeResult:
        """Header, title, container picker, the log view, footer."""
        yield HeaderBar()
        yield Static(id="logs-title")
        yield Select(
            [("all containers", ALL)], value=ALL, allow_blank=False, compact=True, id="containers"
        )
        yield LogView(max_lines=self.fgtop.config.log_buffer, id="log")
        yield KeyFooter()

    # -- resolving what to show ----------------------------------------------------------

    def _find(self, snapshot: Snapshot | None) -> tuple[Any, LogTarget | None]:
        """The item the target names and what its kind says its logs are."""
        item = registry.find(snapshot, self.target) if snapshot is not None else None
        kind = registry.kind_of(item)
        logs = kind.logs(item, snapshot) if kind is not None and snapshot is not None else None
        return (item, logs) if logs is not None else (None, None)

    def on_mount(self) -> None:
        """Find the target, set up the picker, start the lines."""
        snapshot = self.fgtop.snapshot
        self._item, self._logs = self._find(snapshot)
        view = self.query_one(LogView)
        view.show_source = self._logs is not None and self._logs.merged
        view.wrap = self.app.size.width < WRAP_BELOW  # the end of a long line stays in sight
        self.query_one("#logs-title", Static).update(self._title())
        picker = self.query_one("#containers", Select)
        names = list(self._logs.containers) if self._logs is not None else []
        picker.set_options([("all containers", ALL), *((n, n) for n in names)])
        picker.display = len(names) > 1
        if self.container in names:
            picker.value = self.container
        view.focus()
        self._restart()

    def _title(self) -> Text:
        text = Text("logs of ", style="bold")
        if self._logs is not None:
            text.append_text(safe(self._logs.title))
        else:
            text.append_text(safe(fmt.short_arn(self.target)))
        if self.at is not None:
            text.append(f"  around {fmt.when(self.at)}", style="italic")
        return text

    def _restart(self) -> None:
        if self._tail is not None:
            self._tail.cancel()
        view = self.query_one(LogView)
        view.clear()
        snapshot = self.fgtop.snapshot
        if self._logs is None or snapshot is None:
            view.set_message(f"{fmt.short_arn(self.target)} is not in the current snapshot")
            return
        request = LogRequest(
            snapshot,
            tasks=self._logs.tasks,
            pod=self._logs.pod,
            container=self.container,
            at=self.at,
        )
        self._tail = asyncio.create_task(self._follow(request), name="log-lines")

    async def _follow(self, request: LogRequest) -> None:
        """Show the feed's batches as they come."""
        stream = self.fgtop.feed.logs.lines(request)
        try:
            async for batch in stream:
                self._show_batch(batch)
                if batch.done:
                    break
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()

    def _show_batch(self, batch: LogBatch) -> None:
        view = self.query_one(LogView)
        if batch.message is not None:
            view.set_message(batch.message or None)
        if batch.lines:
            view.append_lines(list(batch.lines))
        if batch.jump_to is not None:
            self.call_after_refresh(view.jump_to_time, batch.jump_to)

    def on_select_changed(self, event: Select.Changed) -> None:
        """A container was picked: show its lines only."""
        value = event.value
        container = None if value in (Select.BLANK, ALL) else str(value)
        self.query_one(LogView).focus()  # the log keys work at once
        if container == self.container and self._tail is not None:
            return
        self.container = container
        self._restart()

    def action_pick_container(self) -> None:
        """Focus the container picker."""
        picker = self.query_one("#containers", Select)
        if picker.display:
            picker.focus()
            picker.expanded = True

    def action_insights(self) -> None:
        """Logs Insights over this service's log groups, around the moment shown (the log
        view's filter is offered as a query across all tasks)."""
        pattern = self.query_one(LogView).filter_pattern
        self.fgtop.open_insights(self._item, at=self.at, filter_pattern=pattern or None)

    def esc_clears(self) -> bool:
        """A search or a filter is set (``esc`` clears the search, then the filter)."""
        return self.query_one(LogView).clearable

    def esc_clear(self) -> None:
        """Clear the search, else the filter."""
        self.query_one(LogView).clear_one()

    def on_unmount(self) -> None:
        """Stop the lines."""
        if self._tail is not None:
            self._tail.cancel()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """The header follows the snapshots; the lines follow the log feed."""

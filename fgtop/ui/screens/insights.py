"""Logs Insights from the problem: `i` offers canned queries, ``:insights QUERY`` runs yours.

A query runs over the log groups of the selected service (a task: its service's) around the
moment of the problem or the logs shown, else over the last hour. Before it runs, a prompt
shows the time range and the log groups; the results open in a log view (search, filter, JSON
as on any log) under a line with the bytes scanned and the cost. Leaving the results stops a
query still running. Where the feed cannot query (replay, demo), `i` says so in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fgtop.derive.log_queries import CannedQuery, canned_queries, time_range
from fgtop.feed import InsightsBatch, InsightsPlan, InsightsRequest
from fgtop.kinds import registry
from fgtop.kinds.base import Scope
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.log_view import LogView

GROUPS_SHOWN = 8
"""Log groups listed in the prompt (the rest are counted)."""
PRICE_NOTE = "Logs Insights bills the data it scans: $0.005 per GB in most regions"


def insights_scope(snapshot: Snapshot, item: object) -> Scope | str:
    """The scope of a selected item, as its kind says; a one-line reason where it has none."""
    kind = registry.kind_of(item)
    if kind is None:
        return "select a task or service first"
    return kind.insights_scope(item, snapshot)


def start_insights(
    app: Any,
    item: object,
    *,
    at: float | None = None,
    filter_pattern: str | None = None,
    query: str | None = None,
) -> None:
    """`i` (``query`` None: pick a canned query) or ``:insights QUERY`` on a selected item.

    Args:
        app: The app (its feed, snapshot and clock).
        item: The selected task or service (anything else gets one line).
        at: The moment to look around (a problem's, the logs'); None: the last hour.
        filter_pattern: The logs view's filter, offered as a query across all tasks.
        query: Your own query (skips the picker).
    """
    insights = app.feed.insights
    if not insights.available:
        app.notify(safe_str(insights.why), severity="warning", markup=False)
        return
    snapshot = app.snapshot
    scope = insights_scope(snapshot, item) if snapshot is not None else "nothing shown yet"
    if isinstance(scope, str):
        app.notify(scope, severity="warning", markup=False)
        return
    start, end = time_range(at, app.now)

    def chosen(canned: CannedQuery | None) -> None:
        if canned is None:
            return
        request = InsightsRequest(
            snapshot, canned.query, start, end, tasks=scope.tasks, services=scope.services
        )
        plan = insights.plan(request)
        if not plan.groups:
            why = "; ".join(plan.notes) or "no log groups"
            app.notify(safe_str(f"nothing to query: {why}"), severity="warning", markup=False)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                app.push_screen(InsightsScreen(scope.title, request))

        app.push_screen(ConfirmQuery(scope.title, request, plan), confirmed)

    if query is not None:
        chosen(CannedQuery("own", "your query", query))
    else:
        app.push_screen(QueryPicker(scope.title, canned_queries(filter_pattern)), chosen)


def range_text(start: float, end: float) -> str:
    """``2026-12-02 00:21:05 → 01:01:05 (40m, local time)``."""
    return f"{fmt.when(start)} → {fmt.stamp(end, start)} ({fmt.age(start, end)}, local time)"


def plan_text(title: str, request: InsightsRequest, plan: InsightsPlan) -> Text:
    """What the prompt shows before a query runs (outside text as Text, never markup)."""
    text = Text()
    text.append("Logs Insights · ", "bold")
    text.append_text(safe(title, style="bold"))
    text.append("\n\ntime    ", "bold")
    text.append(range_text(request.start, request.end))
    for i, (region, group) in enumerate(plan.groups[:GROUPS_SHOWN]):
        text.append("\ngroups  " if i == 0 else "\n        ", "bold")
        text.append_text(safe(f"{group} ({region})", max_chars=200))
    if len(plan.groups) > GROUPS_SHOWN:
        text.append(f"\n        and {len(plan.groups) - GROUPS_SHOWN} more")
    for i, line in enumerate(request.query.splitlines()[:12]):
        text.append("\nquery   " if i == 0 else "\n        ", "bold")
        text.append_text(safe(line, max_chars=200))
    for note in plan.notes:
        text.append("\nnote    ", "bold")
        text.append_text(safe(note, max_chars=200))
    text.append("\ncost    ", "bold")
    text.append(PRICE_NOTE)
    return text


class _Modal(ModalScreen):
    DEFAULT_CSS = """
    _Modal { align: center middle; background: $background 40%; }
    _Modal > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    _Modal .hint { color: $text-muted; margin-top: 1; }
    _Modal OptionList { height: auto; max-height: 12; border: none; }
    """


class QueryPicker(_Modal):
    """The canned queries of `i`; enter runs one (after the prompt), esc closes."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, queries: list[CannedQuery]) -> None:
        super().__init__()
        self.title_text = title
        self.queries = queries

    def compose(self) -> ComposeResult:
        """Title, the queries, a hint."""
        with Vertical():
            yield Static(Text("Logs Insights over ", style="bold") + safe(self.title_text))
            yield OptionList(
                *(Option(safe(q.label, max_chars=200), id=q.key) for q in self.queries),
                id="queries",
            )
            yield Static(
                "enter picks · esc closes · :insights QUERY runs your own query", classes="hint"
            )

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A query was picked."""
        event.stop()
        self.dismiss(self.queries[event.option_index])

    def action_cancel(self) -> None:
        """Close without a query."""
        self.dismiss(None)


class ConfirmQuery(_Modal):
    """The time range, log groups and query before it runs: enter runs, esc cancels."""

    BINDINGS: ClassVar = [
        Binding("enter", "run", "Run"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, request: InsightsRequest, plan: InsightsPlan) -> None:
        super().__init__()
        self.body = plan_text(title, request, plan)

    def compose(self) -> ComposeResult:
        """The plan and a hint."""
        with Vertical():
            yield Static(self.body, id="plan")
            yield Static("enter runs the query · esc cancels", classes="hint")

    def action_run(self) -> None:
        """Run it."""
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Do not run it."""
        self.dismiss(False)


def _size(n: float) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{int(n)} B"


def money(cost: float) -> str:
    """``$0.0123``; ``<$0.0001`` for a small scan (never a cost that reads as free)."""
    if cost <= 0:
        return "$0"
    return f"${cost:.4f}" if cost >= 0.0001 else "<$0.0001"


def status_text(batch: InsightsBatch, rows: int) -> str:
    """The line above the results: state, rows, bytes scanned and the cost."""
    state = batch.status.lower() if batch.done else f"{batch.status.lower()} {batch.elapsed:.0f}s"
    parts = [state]
    if batch.done:
        parts.append(f"{rows:,} row{'s' if rows != 1 else ''}")
    parts.append(f"{_size(batch.bytes_scanned)} scanned")
    parts.append(money(batch.cost))
    if batch.records_scanned:
        parts.append(f"{batch.records_scanned:,.0f} records scanned")
    if not batch.done:
        parts.append("esc stops it")
    return " · ".join(parts)


class InsightsScreen(FgtopScreen):
    """The results of a query in a log view; ``esc`` goes back (stopping a running query)."""

    DEFAULT_CSS = """
    InsightsScreen #insights-status { height: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar = [Binding("escape", "back", "Back")]

    def __init__(self, title: str, request: InsightsRequest) -> None:
        super().__init__()
        self.title_text = title
        self.request = request
        self.last_batch: InsightsBatch | None = None
        """The latest batch shown."""
        self._query_task: asyncio.Task[None] | None = None

    def compose(self) -> ComposeResult:
        """Header, title, status, the log view, footer."""
        yield HeaderBar()
        yield Static(id="insights-title")
        yield Static(id="insights-status")
        yield LogView(max_lines=self.fgtop.config.log_buffer, show_source=True, id="log")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Title, then start the query."""
        title = Text("Logs Insights · ", style="bold") + safe(self.title_text)
        title.append(f"  {range_text(self.request.start, self.request.end)}", style="italic")
        self.query_one("#insights-title", Static).update(title)
        self.query_one("#insights-status", Static).update("starting…")
        self.query_one(LogView).focus()
        self._query_task = asyncio.create_task(self._run(), name="insights-query")

    async def _run(self) -> None:
        stream = self.fgtop.feed.insights.run(self.request)
        try:
            async for batch in stream:
                self._show(batch)
                if batch.done:
                    break
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()

    def _show(self, batch: InsightsBatch) -> None:
        self.last_batch = batch
        view = self.query_one(LogView)
        if batch.message is not None:
            view.set_message(batch.message)
        if batch.done:
            if batch.lines:
                view.append_lines(list(batch.lines))
                if batch.table:  # a stats table reads from the top (highest count first)
                    self.call_after_refresh(view.jump_to_time, float("-inf"))
            elif batch.status == "Complete" and batch.message is None:
                view.set_message("no rows: nothing matched in this time range")
        self.query_one("#insights-status", Static).update(
            Text(status_text(batch, len(batch.lines)))
        )

    def action_back(self) -> None:
        """Back (a query still running is stopped)."""
        self.app.pop_screen()

    def on_unmount(self) -> None:
        """Stop the query if it still runs."""
        if self._query_task is not None:
            self._query_task.cancel()

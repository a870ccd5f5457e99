"""The timeline (``e``, ``:timeline``): what happened, newest first, filterable.

Service events, task starts and stops, deployments, pod events and fired alerts, merged by
:class:`fgtop.derive.timeline.Timeline`. In replay it follows the replay clock. The table (virtual:
every entry is a row, only the lines on screen are rendered) changes only when the timeline,
the clock's cut-off, the filter or the kind toggles change.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from fgtop.derive.pipeline import Derived
from fgtop.derive.timeline import (
    KIND_ALERT,
    KIND_DEPLOYMENT,
    KIND_POD_EVENT,
    KIND_POD_PHASE,
    KIND_POD_RESTART,
    KIND_SERVICE_EVENT,
    KIND_TASK_STARTED,
    KIND_TASK_STOPPED,
    TimelineEntry,
)
from fgtop.derive.timeline_why import KIND_ALARM_STATE, KIND_SCALING, KIND_TARGET_HEALTH
from fgtop.kinds import registry
from fgtop.kinds.base import View
from fgtop.kinds.timeline_entry import KIND as ENTRY
from fgtop.kinds.timeline_entry import short_target
from fgtop.model import Snapshot
from fgtop.text import fmt
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.footer import KeyFooter
from fgtop.ui.widgets.header_bar import HeaderBar
from fgtop.ui.widgets.kind_table import KindTable
from fgtop.ui.widgets.resource_table import ResourceTable

KIND_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("services", frozenset({KIND_SERVICE_EVENT, KIND_SCALING})),
    ("tasks", frozenset({KIND_TASK_STARTED, KIND_TASK_STOPPED, KIND_TARGET_HEALTH})),
    ("deployments", frozenset({KIND_DEPLOYMENT})),
    ("pods", frozenset({KIND_POD_EVENT, KIND_POD_PHASE, KIND_POD_RESTART})),
    ("alerts", frozenset({KIND_ALERT, KIND_ALARM_STATE})),
)
"""Kind toggles, on keys 1-5."""

_TOGGLES = (
    "show or hide services (with scaling activities), tasks (with target health), deployments,"
    " pods, alerts (with alarm state changes)"
)


def entry_key(entry: TimelineEntry) -> str:
    """A row key for an entry: the same entry object keeps its key whatever the filter."""
    return ENTRY.key(entry)


class TimelineTable(KindTable):
    """The entries, newest first (every one: only the lines on screen are rendered)."""

    KINDS: ClassVar = (ENTRY,)

    def forget_texts(self) -> None:
        """Work out every row's text again (the day looked at changed)."""
        self._seen.clear()


class TimelineScreen(FgtopScreen):
    """A merged chronology of events, newest first."""

    DEFAULT_CSS = """
    TimelineScreen #timeline-summary { height: 1; padding: 0 1; }
    TimelineScreen #timeline { height: 1fr; }
    TimelineScreen #timeline-empty { height: 1fr; content-align: center middle; }
    """

    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter", tooltip="filter (all words must match)"),
        Binding("l", "logs", "Logs then", tooltip="logs at that moment"),
        Binding("g", "goto", "Go to", tooltip="show it on the dashboard"),
        Binding("1", "toggle_group(0)", "Services", show=False, tooltip=_TOGGLES),
        Binding("2", "toggle_group(1)", "Tasks", show=False, tooltip=_TOGGLES),
        Binding("3", "toggle_group(2)", "Deployments", show=False, tooltip=_TOGGLES),
        Binding("4", "toggle_group(3)", "Pods", show=False, tooltip=_TOGGLES),
        Binding("5", "toggle_group(4)", "Alerts", show=False, tooltip=_TOGGLES),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.hidden: set[int] = set()
        """Indexes into :data:`KIND_GROUPS` of the kinds not shown."""
        self.entries: list[TimelineEntry] = []
        """The entries shown, newest first."""
        self._signature: tuple[object, ...] | None = None
        self.rebuilds = 0
        """How many times every row was worked out again (new entries are only added)."""
        self.updates = 0
        """How many times the table changed at all (an unchanged timeline costs nothing)."""
        self._ref = 0.0
        """The moment looked at (its day is the one shown without dates)."""
        self._dated = ""
        """'' (times only), 'date' or 'year': what the TIME column shows of other days."""

    def compose(self) -> ComposeResult:
        """Header, summary and kind toggles, filter, the table, footer."""
        yield HeaderBar()
        yield Static(id="timeline-summary")
        yield FilterBar(placeholder="filter (all words must match) — esc clears", id="tfilter")
        yield TimelineTable(id="timeline")
        yield Static(id="timeline-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the table (the frame is rendered by the catch-up)."""
        self.query_one("#timeline", TimelineTable).focus()

    def show_empty(self) -> None:
        """Before the first frame: the empty state."""
        self.refresh_entries()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Follow the timeline (and the replay clock); redraw only when something changed."""
        self.refresh_entries()

    # -- rendering -----------------------------------------------------------------------

    def _until(self) -> float | None:
        return self.fgtop.until

    def refresh_entries(self, force: bool = False) -> None:
        """Re-query the timeline and rebuild the table if what it shows changed."""
        timeline = self.fgtop.timeline
        until = self._until()
        everything = timeline.entries(self.filter_text, until=until)
        kinds = {k for i, (_, group) in enumerate(KIND_GROUPS) if i in self.hidden for k in group}
        shown = [e for e in everything if e.kind not in kinds] if kinds else everything
        # Entries only grow at the new end (sorted by time), so for one timeline version and
        # one filter the count says which prefix the clock lets through.
        palette = self.fgtop.palette
        signature: tuple[object, ...] = (
            timeline.origin,
            timeline.version,
            self.filter_text,
            frozenset(self.hidden),
        )
        signature += (len(shown), id(shown[-1]) if shown else None, id(palette))
        if signature == self._signature and not force:
            return
        same_base = self._signature is not None and self._signature[:1] + self._signature[-1:] == (
            timeline.origin,
            id(palette),
        )
        self._signature = signature
        self._update(shown, len(timeline), incremental=same_base and not force)

    def _dates_needed(self, shown: list[TimelineEntry]) -> str:
        """'' when every entry is of the day looked at, else 'date' (or 'year')."""
        ref = self._ref
        stamps = {len(fmt.stamp(e.at, ref)) for e in shown if not fmt.same_day(e.at, ref)}
        return "" if not stamps else "year" if max(stamps) > 14 else "date"

    def _update(self, shown: list[TimelineEntry], total: int, incremental: bool) -> None:
        """Show ``shown`` (oldest first) newest first.

        The table keeps the rows it has and works out only the new entries' texts; when the
        day looked at or the dates needed change (or the timeline is another one), every
        row's text is worked out again. The cursor stays on its entry, or follows the newest
        when it was on the newest.
        """
        self.updates += 1
        table = self.query_one("#timeline", TimelineTable)
        # Dates are shown when an entry is not from the day looked at (the replay day, or
        # today live); the rows are in full-timestamp order either way.
        ref = self.fgtop.now
        day_changed = not fmt.same_day(ref, self._ref)
        self._ref = ref
        dated = self._dates_needed(shown)
        if dated != self._dated or day_changed or not incremental:
            self._dated = dated
            self.rebuilds += 1
            table.forget_texts()
            incremental = False
        palette = self.fgtop.palette
        table.palette = palette
        follow = incremental and table.cursor_row == 0
        self.entries = list(reversed(shown))
        frame = self.fgtop.frame
        snapshot = frame.snapshot if frame is not None else Snapshot(ref)
        derived = frame.derived if frame is not None else Derived()
        table.show_view(View(snapshot, derived, ref, palette.glyph, self._until()), self.entries)
        if follow and self.entries:
            table.action_cursor_to(0)
        table.display = bool(self.entries)
        empty = self.query_one("#timeline-empty", Static)
        empty.display = not self.entries
        empty.update(
            Text("nothing has happened yet" if not self.filter_text else "no entry matches")
        )
        self._render_summary(len(shown), total)

    def _render_summary(self, shown: int, total: int) -> None:
        text = Text()
        text.append(f"{shown} of {total} entries", "bold")
        if self.filter_text:
            text.append("  filter: ")
            text.append_text(safe(self.filter_text))
        text.append("  kinds:")
        for i, (name, _) in enumerate(KIND_GROUPS):
            on = i not in self.hidden
            text.append(f"  {i + 1} ")
            text.append(f"{'✔' if on else '✖'} {name}", "" if on else "dim strike")
        self.query_one("#timeline-summary", Static).update(text)

    # -- selection and actions -----------------------------------------------------------

    def selected_entry(self) -> TimelineEntry | None:
        """The entry under the cursor."""
        return self.query_one("#timeline", TimelineTable).selected_item

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        """Enter jumps to the entry's task, service or pod."""
        event.stop()
        if event.opened:
            self.action_jump()

    def action_jump(self) -> None:
        """Details of the entry's task, service or pod (the dashboard if it has none)."""
        entry = self.selected_entry()
        if entry is None:
            return
        snapshot = self.fgtop.snapshot
        item = registry.resource_of(snapshot, entry) if snapshot else None
        if item is None:
            self.notify(
                f"{safe_str(short_target(entry))} is no longer reported",
                severity="warning",
                markup=False,
            )
        else:
            self.fgtop.open_details(item.key, item)

    def action_goto(self) -> None:
        """The entry's resource, selected on the dashboard."""
        entry = self.selected_entry()
        if entry is None:
            return
        snapshot = self.fgtop.snapshot
        item = registry.resource_of(snapshot, entry) if snapshot else None
        self.fgtop.go_dashboard(item.key if item is not None else ENTRY.log_key(entry, None))

    def action_logs(self) -> None:
        """The logs of the entry's target around the entry's time."""
        entry = self.selected_entry()
        if entry is not None:
            self.fgtop.open_logs(ENTRY.log_key(entry, None) or entry.target, at=entry.at)

    def action_toggle_group(self, index: int) -> None:
        """Show or hide one group of kinds."""
        self.hidden ^= {index}
        self.refresh_entries()

    # -- filter --------------------------------------------------------------------------

    def esc_clears(self) -> bool:
        """A filter is set (``esc`` clears it)."""
        return bool(self.filter_text)

    def esc_clear(self) -> None:
        """Clear the filter."""
        bar = self.query_one("#tfilter", FilterBar)
        bar.value = ""
        bar.display = False
        self.set_filter("")

    def action_filter(self) -> None:
        """Open the filter bar."""
        self.query_one("#tfilter", FilterBar).open()

    def set_filter(self, text: str) -> None:
        """Show only entries matching every word of ``text``."""
        self.filter_text = text
        self.refresh_entries()

    def on_filter_bar_edited(self, event: FilterBar.Edited) -> None:
        """Filter as the user types (and clear with esc)."""
        self.set_filter(event.text)

    def on_filter_bar_done(self, event: FilterBar.Done) -> None:
        """Back to the table."""
        self.query_one("#timeline", TimelineTable).focus()

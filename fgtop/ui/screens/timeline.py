"""The timeline (``e``, ``:timeline``): what happened, newest first, filterable.

Service events, task starts and stops, deployments, pod events and fired alerts, merged by
:class:`fgtop.derive.timeline.Timeline`. In replay it follows the replay clock. The table is rebuilt
only when the timeline, the clock's cut-off, the filter or the kind toggles change.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

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
from fgtop.model import KubeWorkload, Snapshot
from fgtop.text.sanitize import safe, safe_str
from fgtop.ui import fmt
from fgtop.ui.screens.base import FgtopScreen
from fgtop.ui.screens.problems import SEVERITY_CELLS, find_resource, selected_key
from fgtop.ui.widgets.filter_bar import FilterBar
from fgtop.ui.widgets.header_bar import HeaderBar

KIND_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("services", frozenset({KIND_SERVICE_EVENT})),
    ("tasks", frozenset({KIND_TASK_STARTED, KIND_TASK_STOPPED})),
    ("deployments", frozenset({KIND_DEPLOYMENT})),
    ("pods", frozenset({KIND_POD_EVENT, KIND_POD_PHASE, KIND_POD_RESTART})),
    ("alerts", frozenset({KIND_ALERT})),
)
"""Kind toggles, on keys 1-5."""

MAX_REMOVALS = 50
"""Above this many vanished rows the table is rebuilt (each removal costs O(rows))."""
ROW_LIMIT = 1000
"""The newest this many matching entries are rows; the filter reaches every entry."""


def entry_key(entry: TimelineEntry) -> str:
    """A row key for an entry: the same entry object keeps its key whatever the filter."""
    return f"e{id(entry)}"


def short_target(entry: TimelineEntry) -> str:
    """A short name for an entry's target: service name, task id, or ``namespace/pod``."""
    target = entry.target
    if target.startswith("arn:"):
        tail = target.rsplit(":", 1)[-1]
        kind, _, rest = tail.partition("/")
        last = rest.rsplit("/", 1)[-1]
        return last[:12] if kind == "task" else last
    return target


CELL_CHARS = 300
"""Cap on outside text in a timeline cell (the message column ends in an ellipsis anyway)."""


def _cell(value: str, style: str = "") -> Text:
    """Outside text (a target, a message) as a timeline cell: plain, printable, capped."""
    text = safe(value, max_chars=CELL_CHARS, style=style)
    text.overflow = "ellipsis"
    return text


def logs_target(entry: TimelineEntry) -> str:
    """What :meth:`FgtopApp.open_logs` takes for an entry: an ARN or a pod key."""
    if entry.target.startswith("arn:") or entry.cluster is None:
        return entry.target
    if entry.target.count("/") == 1:
        return f"{entry.cluster}/{entry.target}"
    return entry.target


class TimelineScreen(FgtopScreen):
    """A merged chronology of events, newest first."""

    DEFAULT_CSS = """
    TimelineScreen #timeline-summary { height: 1; padding: 0 1; }
    TimelineScreen #timeline { height: 1fr; }
    TimelineScreen #timeline-empty { height: 1fr; content-align: center middle; }
    """

    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("slash", "filter", "Filter"),
        Binding("l", "logs", "Logs then"),
        Binding("g", "goto", "Go to"),
        Binding("1", "toggle(0)", "Services", show=False),
        Binding("2", "toggle(1)", "Tasks", show=False),
        Binding("3", "toggle(2)", "Deployments", show=False),
        Binding("4", "toggle(3)", "Pods", show=False),
        Binding("5", "toggle(4)", "Alerts", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.hidden: set[int] = set()
        """Indexes into :data:`KIND_GROUPS` of the kinds not shown."""
        self.entries: list[TimelineEntry] = []
        """The entries shown, newest first."""
        self._signature: tuple | None = None
        self.rebuilds = 0
        """How many times the table was rebuilt from scratch (new entries are only added)."""
        self.updates = 0
        """How many times the table changed at all (an unchanged timeline costs nothing)."""
        self._by_cell: dict[int, TimelineEntry] = {}
        """id of a row's first cell -> its entry (DataTable sorts by cell values only)."""
        self._ref = 0.0
        """The moment looked at (its day is the one shown without dates)."""
        self._dated = ""
        """'' (times only), 'date' or 'year': what the TIME column shows of other days."""

    def compose(self) -> ComposeResult:
        """Header, summary and kind toggles, filter, the table, footer."""
        yield HeaderBar()
        yield Static(id="timeline-summary")
        yield FilterBar(placeholder="filter (all words must match) — esc clears", id="tfilter")
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, id="timeline")
        self._add_columns(table)
        yield table
        yield Static(id="timeline-empty")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the table (the frame is rendered by the catch-up)."""
        self.query_one("#timeline", DataTable).focus()

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
        matching = [e for e in everything if e.kind not in kinds] if kinds else everything
        shown = matching[-ROW_LIMIT:]
        # Entries only grow at the new end (sorted by time), so for one timeline version and
        # one filter the count says which prefix the clock lets through.
        palette = self.app.palette  # type: ignore[attr-defined]
        signature = (timeline.origin, timeline.version, self.filter_text, frozenset(self.hidden))
        signature += (len(matching), id(shown[-1]) if shown else None, id(palette))
        if signature == self._signature and not force:
            return
        same_base = self._signature is not None and self._signature[:1] + self._signature[-1:] == (
            timeline.origin,
            id(palette),
        )
        self._signature = signature
        self._update(shown, len(matching), len(timeline), incremental=same_base and not force)

    def _add_columns(self, table: DataTable) -> None:
        """The columns; TIME is wider when some entry needs its date (another day)."""
        width = 20 if self._dated == "year" else 14 if self._dated else 8
        table.add_column("TIME", key="time", width=width)
        table.add_column("KIND", key="kind", width=15)
        table.add_column("TARGET", key="target", width=34)
        # The message takes the rest of the width (cells end in an ellipsis, never scroll).
        rest = self.app.size.width - 59 - width
        table.add_column("MESSAGE", key="message", width=max(40, rest))

    def _dates_needed(self, shown: list[TimelineEntry]) -> str:
        """'' when every entry is of the day looked at, else 'date' (or 'year')."""
        ref = self._ref
        stamps = {len(fmt.stamp(e.at, ref)) for e in shown if not fmt.same_day(e.at, ref)}
        return "" if not stamps else "year" if max(stamps) > 14 else "date"

    def _cells(self, e: TimelineEntry) -> tuple[Text, ...]:
        palette = self.app.palette  # type: ignore[attr-defined]
        glyph, _, style_kind = SEVERITY_CELLS.get(e.severity, SEVERITY_CELLS[4])
        style = palette.style(style_kind) if e.severity <= 3 else ""
        return (
            Text(fmt.stamp(e.at, self._ref)),
            _cell(f"{glyph} {e.kind}", style=style),
            _cell(short_target(e)),
            _cell(e.message),
        )

    def _update(
        self, shown: list[TimelineEntry], matching: int, total: int, incremental: bool
    ) -> None:
        """Show ``shown`` (oldest first) newest first.

        When few shown entries went away (the usual case: new events arrived, the oldest were
        trimmed), only those rows are removed and the new ones added, then the rows re-ordered,
        which costs little even with thousands of rows; otherwise the table is rebuilt.
        """
        self.updates += 1
        table = self.query_one("#timeline", DataTable)
        # Dates are shown when an entry is not from the day looked at (the replay day, or
        # today live); the rows are in full-timestamp order either way.
        ref = self.fgtop.now
        day_changed = not fmt.same_day(ref, self._ref)
        self._ref = ref
        dated = self._dates_needed(shown)
        if dated != self._dated or day_changed:
            self._dated = dated
            table.clear(columns=True)
            self._add_columns(table)
            self.entries = []
            incremental = False
        keep = selected_key(table)
        row = table.cursor_row
        old = {id(e) for e in self.entries}
        new_ids = {id(e) for e in shown}
        gone = [e for e in self.entries if id(e) not in new_ids]
        if incremental and self.entries and len(gone) <= MAX_REMOVALS:
            for e in gone:  # the oldest, trimmed by the timeline's bound
                table.remove_row(entry_key(e))
            fresh = [e for e in shown if id(e) not in old]
            position = {id(e): i for i, e in enumerate(shown)}
            for e in fresh:
                cells = self._cells(e)
                self._by_cell[id(cells[0])] = e
                table.add_row(*cells, key=entry_key(e))
            by_cell = self._by_cell
            table.sort(key=lambda cells: -position[id(by_cell[id(cells[0])])])
        else:
            self.rebuilds += 1
            table.clear()
            self._by_cell = {}
            for e in reversed(shown):
                cells = self._cells(e)
                self._by_cell[id(cells[0])] = e
                table.add_row(*cells, key=entry_key(e))
        self.entries = list(reversed(shown))
        keys = [entry_key(e) for e in self.entries]
        if keys:
            if keep in keys and not (incremental and row == 0):  # on the newest: follow
                row = keys.index(keep)
            table.move_cursor(row=min(max(row, 0), len(keys) - 1), animate=False)
        table.display = bool(keys)
        empty = self.query_one("#timeline-empty", Static)
        empty.display = not keys
        empty.update(
            Text("nothing has happened yet" if not self.filter_text else "no entry matches")
        )
        self._render_summary(len(shown), matching, total)

    def _render_summary(self, shown: int, matching: int, total: int) -> None:
        text = Text()
        text.append(f"{matching} of {total} entries", "bold")
        if shown < matching:
            text.append(f" (newest {shown} listed: filter to reach older ones)")
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
        table = self.query_one("#timeline", DataTable)
        if not table.row_count or not self.entries:
            return None
        row = table.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter jumps to the entry's task, service or pod."""
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        """Details of the entry's task, service or pod (the dashboard if it has none)."""
        entry = self.selected_entry()
        if entry is None:
            return
        snapshot = self.app.snapshot  # type: ignore[attr-defined]
        item = find_resource(snapshot, entry.target, entry.cluster) if snapshot else None
        if item is None:
            self.notify(
                f"{safe_str(short_target(entry))} is no longer reported",
                severity="warning",
                markup=False,
            )
        elif isinstance(item, KubeWorkload):
            self.app.go_dashboard(item.key)  # type: ignore[attr-defined]
        else:
            self.app.open_details(item.key, item)  # type: ignore[attr-defined]

    def action_goto(self) -> None:
        """The entry's resource, selected on the dashboard."""
        entry = self.selected_entry()
        if entry is None:
            return
        snapshot = self.app.snapshot  # type: ignore[attr-defined]
        item = find_resource(snapshot, entry.target, entry.cluster) if snapshot else None
        self.app.go_dashboard(item.key if item is not None else logs_target(entry))  # type: ignore[attr-defined]

    def action_logs(self) -> None:
        """The logs of the entry's target around the entry's time."""
        entry = self.selected_entry()
        if entry is not None:
            self.app.open_logs(logs_target(entry), at=entry.at)  # type: ignore[attr-defined]

    def action_toggle(self, index: int) -> None:
        """Show or hide one group of kinds."""
        self.hidden ^= {index}
        self.refresh_entries()

    # -- filter --------------------------------------------------------------------------

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
        self.query_one("#timeline", DataTable).focus()

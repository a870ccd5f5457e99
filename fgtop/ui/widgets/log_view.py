"""LogView: a virtualised, follow-mode log viewer for lines from any producer.

Only the visible rows are rendered (Line API), from a bounded :class:`~fgtop.text.logbuffer.LogBuffer`.
Appends are coalesced into one update per frame, so a burst of thousands of lines a second
does not delay keys. Every message is cleaned by :mod:`fgtop.text.sanitize` and built as a Rich
``Text`` (never markup): control sequences and ``[red]``-style markup are shown harmlessly.

Keys: ``/`` or ``f`` filter, ``+``/``-`` filter context, ``s`` search, ``n``/``N`` next/previous match,
``j`` pretty JSON, ``w`` wrap, ``t`` timestamps, ``end`` follow; the screen's ``esc`` clears the
search, then the filter (:meth:`LogView.clear_one`).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Static

from fgtop.model.logs import LogLine
from fgtop.text.logbuffer import Entry, FilterView, LogBuffer, RowLayout, source_label, time_label
from fgtop.text.sanitize import Matcher, clean
from fgtop.ui.widgets.log_lines import (
    _LEVEL_CLASS,
    SOURCE_WIDTH,
    _Lines,
    build_strips,
    row_count,
)

_FILTER = "filter to matching lines, with more / fewer lines of context"
_VIEW = "pretty-print JSON / wrap / timestamps (search and filter are kept)"


class LogView(Vertical):
    """A log viewer: follow, search, filter with context, level colours, JSON, wrap, times.

    Args:
        max_lines: Lines kept (oldest dropped first).
        show_source: Show the task/pod and container column (for merged service logs).
        timestamps: Show the time column.
        name: The widget name. id: The DOM id. classes: CSS classes.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # `/` filters, as on every list (k9s); `f` too. `s` searches (highlights, n / N).
        Binding("slash,f", "filter", "Filter", tooltip=_FILTER),
        Binding("s", "search", "Search", tooltip="search, next / previous match"),
        Binding("n", "next_match", "Next", show=False, tooltip="search, next / previous match"),
        Binding("N", "prev_match", "Prev", show=False, tooltip="search, next / previous match"),
        Binding("plus,equals_sign", "context(1)", "+ctx", show=False, tooltip=_FILTER),
        Binding("minus", "context(-1)", "-ctx", show=False, tooltip=_FILTER),
        # Textual's own ``toggle`` action flips the reactive (search and filter are kept).
        Binding("j", "toggle('json')", "JSON", tooltip=_VIEW),
        Binding("w", "toggle('wrap')", "Wrap", tooltip=_VIEW),
        Binding("t", "toggle('timestamps')", "Times", tooltip=_VIEW),
        Binding(
            "end",
            "follow",
            "Follow",
            tooltip="follow again (scrolling up pauses it and counts new lines)",
        ),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--error",
        "log-view--warn",
        "log-view--debug",
        "log-view--match",
        "log-view--match-current",
        "log-view--time",
        "log-view--source",
    }
    DEFAULT_CSS = """
    LogView { height: 1fr; }
    LogView > .log-view--error { color: $error; }
    LogView > .log-view--warn { color: $warning; }
    LogView > .log-view--debug { color: $text-muted; text-style: dim; }
    LogView > .log-view--match { background: $accent 40%; }
    LogView > .log-view--match-current { background: $accent; color: $text; text-style: bold; }
    LogView > .log-view--time { color: $text-muted; }
    LogView > .log-view--source { color: $secondary; }
    LogView > #notice { height: auto; color: $warning; display: none; }
    LogView > #status { height: 1; background: $panel; color: $text-muted; }
    LogView > Input { display: none; }
    LogView.-input > Input { display: block; }
    """

    follow: reactive[bool] = reactive(True)
    """Stick to the newest line; scrolling up turns it off, ``end`` turns it on."""
    wrap: reactive[bool] = reactive(False)
    json: reactive[bool] = reactive(False)
    """Pretty-print JSON lines over several rows."""
    timestamps: reactive[bool] = reactive(True)
    show_source: reactive[bool] = reactive(False)

    class FollowChanged(Message):
        """Follow mode was turned on or off."""

        def __init__(self, log_view: LogView, follow: bool) -> None:
            super().__init__()
            self.log_view = log_view
            self.follow = follow

    class SearchChanged(Message):
        """The search or the filter changed (``pattern`` empty when cleared)."""

        def __init__(self, log_view: LogView, pattern: str, filter: str, matches: int) -> None:
            super().__init__()
            self.log_view = log_view
            self.pattern = pattern
            self.filter = filter
            self.matches = matches

    def __init__(
        self,
        max_lines: int = 10_000,
        *,
        show_source: bool = False,
        timestamps: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.buffer = LogBuffer(max_lines)
        self._pending: list[LogLine] = []
        self._flush_timer: Timer | None = None
        self._search: Matcher | None = None
        self._match_nos: list[int] = []
        self._current: int | None = None
        self._filter: FilterView | None = None
        self.context = 0
        """Lines of context kept around each filter match."""
        self.new_lines = 0
        """Lines arrived (and shown by the filter) since follow was paused."""
        self._input_mode = "search"
        self._cache: LRUCache[int, list[Strip]] = LRUCache(2048)
        self._layout: RowLayout | None = None  # wrap/JSON mode: lines span several rows
        self._rows_width = 0
        self._max_width = 0
        self._moving = False
        self._status_text = Text()
        self.message: str | None = None
        """The notice shown above the lines (see :meth:`set_message`)."""
        self.set_reactive(LogView.show_source, show_source)
        self.set_reactive(LogView.timestamps, timestamps)

    def compose(self) -> ComposeResult:
        yield Static(id="notice")
        self.lines = _Lines(self)
        yield self.lines
        yield Input(placeholder="search (regex or text)")
        yield Static(id="status")

    def on_mount(self) -> None:
        self.set_message(self.message)
        self._flush()

    def focus(self, scroll_visible: bool = True) -> LogView:
        """Focus the lines (where the keys work)."""
        self.lines.focus(scroll_visible)
        return self

    # ---- public API ---------------------------------------------------------------------

    def append_lines(self, lines: Sequence[LogLine]) -> None:
        """Queue lines (oldest first); they are shown at the next frame, in one batch."""
        self._pending.extend(lines)
        if len(self._pending) > 2 * self.buffer.maxlen:
            del self._pending[: -self.buffer.maxlen]
        if self._flush_timer is None and self.is_mounted:
            self._flush_timer = self.set_timer(1 / 30, self._flush)

    def clear(self) -> None:
        """Drop every line (a new target or container is about to be shown).

        The filter and search patterns are kept, re-applied to the lines that come next; the
        view starts over as when first shown: following, with no new lines counted.
        """
        self._pending.clear()
        self.buffer.clear()
        self._cache.clear()
        if self._filter is not None:  # its line numbers were of the lines just dropped
            self._filter.rebuild(self.buffer)
        self._match_nos = []
        self._current = None
        self._max_width = 0
        self.new_lines = 0
        self.follow = True
        self._layout_changed(keep=False)

    @property
    def filter_pattern(self) -> str:
        """The filter's pattern ("" when none is set)."""
        return self._filter.matcher.pattern if self._filter is not None else ""

    def set_message(self, text: str | None) -> None:
        """Show a one-line notice (an error such as "log group /ecs/x not found"); None hides."""
        self.message = text
        if self.is_mounted:
            notice = self.query_one("#notice", Static)
            notice.update(Text(clean(text or "", max_chars=500)))
            notice.display = bool(text)

    def jump_to_time(self, t: float) -> None:
        """Show the line the view was opened for: the last shown line at or before ``t`` (POSIX
        seconds), on the bottom row, the lines before it above. When it is the newest line the
        view stays at the tail, following; else following pauses there.

        Lines still queued are shown first: they are where the jump lands, and they arrived
        before the pause, so they are not counted as new.
        """
        if self._pending and self.is_mounted:
            self._flush()
        nos = self._nos()
        if not nos:
            return
        index = next(
            (i for i in range(len(nos) - 1, -1, -1) if self._entry(nos[i]).line.timestamp <= t),
            0,
        )
        if index == len(nos) - 1:
            self.follow = True
            self._scroll_to_row(self.lines.max_scroll_y)
            self.call_after_refresh(self._stick)
            return
        self.follow = False
        height = max(1, self.lines.scrollable_content_region.height)
        last_row = self._row_of_index(index + 1) - 1
        self._scroll_to_row(max(0, last_row - height + 1))

    # ---- rows ---------------------------------------------------------------------------

    def _nos(self) -> Sequence[int]:
        if self._filter is not None:
            return self._filter.nos
        return range(self.buffer.first_no, self.buffer.next_no)

    def _entry(self, no: int) -> Entry:
        return self.buffer[no - self.buffer.first_no]

    def _multirow(self) -> bool:
        return self.wrap or self.json

    def _prefix(self, line: LogLine) -> Text:
        prefix = Text(no_wrap=True, end="")
        if self.timestamps:
            prefix.append(time_label(line.timestamp), self._style("log-view--time"))
            prefix.append(" ")
        if self.show_source:
            prefix.append(source_label(line).ljust(SOURCE_WIDTH), self._style("log-view--source"))
            prefix.append(" ")
        return prefix

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _texts(self, entry: Entry) -> list[str]:
        if self.json and (pretty := entry.pretty):
            return pretty
        return [entry.text]

    def _build(self, entry: Entry, base: Style) -> list[Strip]:
        level = _LEVEL_CLASS.get(entry.level or "")
        style = base + self._style(level) if level else base
        console = self.app.console
        prefix = self._prefix(entry.line)
        match = None
        if self._search is not None:
            current = entry.no == self._current
            match = self._style("log-view--match-current" if current else "log-view--match")
        width = max(1, self.lines.scrollable_content_region.width) if self.wrap else None
        return build_strips(
            self._texts(entry), prefix, base, style, console, self._search, match, width
        )

    def _prefix_width(self) -> int:
        return (13 if self.timestamps else 0) + (SOURCE_WIDTH + 1 if self.show_source else 0)

    _row_count = staticmethod(row_count)

    def row_strip(self, y: int, base: Style | None = None) -> Strip:
        """The full (uncropped) strip of virtual row ``y``."""
        nos = self._nos()
        index = self._index_at_row(y)
        if not 0 <= index < len(nos):
            return Strip.blank(0)
        no = nos[index]
        strips = self._cache.get(no)
        if strips is None:
            strips = self._build(self._entry(no), base or self.lines.rich_style)
            self._cache[no] = strips
        sub = y - self._row_of_index(index)
        return strips[sub] if sub < len(strips) else Strip.blank(0)

    def _row_of_index(self, index: int) -> int:
        return index if self._layout is None else self._layout.row_of(index)

    def _index_at_row(self, y: int) -> int:
        return y if self._layout is None else self._layout.index_at(y)

    def _relayout(self, incremental: bool = False) -> None:
        """Recompute row offsets and the virtual size: in full, or only for appended lines."""
        nos = self._nos()
        if self._multirow():
            width = max(1, self.lines.scrollable_content_region.width)
            if not incremental or self._layout is None or width != self._rows_width:
                self._layout, self._rows_width = RowLayout(), width
            extra, wrap, json = self._prefix_width(), self.wrap, self.json
            self._layout.update(
                nos, lambda no: self._row_count(self._entry(no), width, extra, wrap, json)
            )
            height = self._layout.height
        else:
            self._layout, height = None, len(nos)
        width = 0 if self.wrap else self._max_width + self._prefix_width()
        self.lines.virtual_size = Size(width, height)

    # ---- updates ------------------------------------------------------------------------

    def _anchor(self) -> tuple[int, int] | None:
        nos = self._nos()
        y = round(self.lines.scroll_y)
        index = self._index_at_row(y)
        if not 0 <= index < len(nos):
            return None
        return nos[index], y - self._row_of_index(index)

    def _restore(self, anchor: tuple[int, int] | None) -> None:
        if self.follow:
            self._scroll_to_row(self.lines.max_scroll_y)
            return
        if anchor is None:
            return
        nos = self._nos()
        index = bisect.bisect_left(nos, anchor[0])
        offset = anchor[1] if index < len(nos) and nos[index] == anchor[0] else 0
        if index < len(nos):
            self._scroll_to_row(self._row_of_index(index) + offset)

    def _scroll_to_row(self, y: int, center: bool = False) -> None:
        if center:
            y -= self.lines.scrollable_content_region.height // 2
        self._moving = True
        try:
            self.lines.scroll_to(y=y, animate=False, force=True, immediate=True)
        finally:
            self._moving = False
        self.lines.refresh()

    def _flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if not self.is_mounted:
            return
        pending, self._pending = self._pending, []
        anchor = None if self.follow else self._anchor()
        before = len(self._nos())
        first_before, next_before = self.buffer.first_no, self.buffer.next_no
        self.buffer.append(pending)
        new_first = self.buffer.first_no
        if self._filter is not None:
            self._filter.extend(self.buffer)
        for pos in range(max(0, next_before - new_first), len(self.buffer)):
            entry = self.buffer[pos]
            self._max_width = max(self._max_width, min(len(entry.text), 10_100))
            if self._search is not None and self._search.matches(entry.text):
                self._match_nos.append(entry.no)
        if self._match_nos and self._match_nos[0] < new_first:
            del self._match_nos[: bisect.bisect_left(self._match_nos, new_first)]
        if not self.follow:
            evicted = max(0, new_first - first_before)
            self.new_lines += len(self._nos()) - before + (evicted if self._filter is None else 0)
        self._relayout(incremental=True)
        self._restore(anchor)
        self.lines.refresh()
        self._update_status()

    def _stick(self) -> None:
        """Following: the newest line on the bottom row (after the scrollbars settled)."""
        if self.follow and self.is_mounted and self.lines.scroll_y < self.lines.max_scroll_y:
            self._scroll_to_row(self.lines.max_scroll_y)

    def _layout_changed(self, keep: bool = True) -> None:
        anchor = self._anchor() if keep else None
        self._cache.clear()
        self._relayout()
        self._restore(anchor)
        self.lines.refresh()
        self._update_status()

    def _scrolled(self) -> None:
        if self._moving or not self.is_mounted:
            return
        if self.follow and not self.lines.is_vertical_scroll_end:
            self.follow = False

    def watch_follow(self, follow: bool) -> None:
        if not self.is_mounted:
            return
        if follow:
            self.new_lines = 0
            self._scroll_to_row(self.lines.max_scroll_y)
        self._update_status()
        self.post_message(self.FollowChanged(self, follow))

    def _toggled(self) -> None:
        if self.is_mounted:
            self._layout_changed()

    def _columns_toggled(self) -> None:
        if self.is_mounted and not self.wrap:  # same rows: just re-render
            self._cache.clear()
            self.lines.virtual_size = Size(
                self._max_width + self._prefix_width(), self.lines.virtual_size.height
            )
            self.lines.refresh()
        elif self.is_mounted:
            self._layout_changed()

    watch_wrap = watch_json = _toggled
    watch_timestamps = watch_show_source = _columns_toggled

    def _update_status(self) -> None:
        parts: list[str] = []
        if self.follow:
            parts.append("following")
        else:
            parts.append(f"paused · {self.new_lines:,} new lines · end to follow")
        parts.append(f"{len(self._nos()):,}/{len(self.buffer):,} lines")
        if self._filter is not None:
            parts.append(f"filter {self._filter.matcher.pattern!r} ±{self.context}")
        if self._search is not None:
            pos = bisect.bisect_left(self._match_nos, self._current or 0) + 1
            shown = f"{pos}/" if self._current in self._match_nos else ""
            parts.append(f"search {self._search.pattern!r} {shown}{len(self._match_nos)}")
        modes = [m for m in ("wrap", "json") if getattr(self, m)]
        if modes:
            parts.append(" ".join(modes))
        text = Text(clean(" │ ".join(parts), max_chars=400))
        if text != self._status_text:  # fixed height: no layout pass needed
            self._status_text = text
            self.query_one("#status", Static).update(text, layout=False)

    # ---- actions ------------------------------------------------------------------------

    def _open_input(self, mode: str) -> None:
        self._input_mode = mode
        box = self.query_one(Input)
        box.placeholder = f"{mode} (regex or text, empty clears)"
        box.value = self.filter_pattern if mode == "filter" else ""
        self.add_class("-input")
        box.focus()

    def action_search(self) -> None:
        """Open the search box."""
        self._open_input("search")

    def action_filter(self) -> None:
        """Open the filter box."""
        self._open_input("filter")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-input")
        self.lines.focus()
        if self._input_mode == "filter":
            self.set_filter(event.value)
        else:
            self.search(event.value)

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.has_class("-input"):
            event.stop()
            self.remove_class("-input")
            self.lines.focus()

    def search(self, pattern: str) -> None:
        """Highlight ``pattern`` and jump to the last match at or above the bottom."""
        self._search = Matcher(pattern) if pattern else None
        first = self.buffer.first_no
        found = self.buffer.search(self._search) if self._search is not None else []
        self._match_nos = [first + p for p in found]
        self._current = None
        self._cache.clear()
        if self._match_nos:
            self.action_prev_match()
        self.lines.refresh()
        self._update_status()
        self._post_search()

    def set_filter(self, pattern: str, context: int | None = None) -> None:
        """Keep only lines matching ``pattern`` (and ``context`` lines around); empty clears."""
        if context is not None:
            self.context = max(0, context)
        anchor = self._anchor()
        self._filter = FilterView(pattern, self.context) if pattern else None
        if self._filter is not None:
            self._filter.rebuild(self.buffer)
        self._layout_changed(keep=False)
        self._restore(anchor)
        self._post_search()

    def _post_search(self) -> None:
        self.post_message(
            self.SearchChanged(
                self,
                self._search.pattern if self._search else "",
                self.filter_pattern,  # a filter matching nothing is still set
                len(self._match_nos),
            )
        )

    def _jump(self, step: int) -> None:
        nos = self._nos()
        shown = self._match_nos
        if self._filter is not None:
            kept = set(nos)
            shown = [n for n in shown if n in kept]
        if not shown or not nos:
            return
        if self._current is None:  # from the screen: first below the top, or last above the end
            height = self.lines.scrollable_content_region.height
            top = self._index_at_row(round(self.lines.scroll_y))
            bottom = self._index_at_row(round(self.lines.scroll_y) + max(0, height - 1))
            if step > 0:
                ref = nos[min(top, len(nos) - 1)]
                target = next((n for n in shown if n >= ref), shown[0])
            else:
                ref = nos[min(bottom, len(nos) - 1)]
                target = next((n for n in reversed(shown) if n <= ref), shown[-1])
        else:
            i = bisect.bisect_left(shown, self._current)
            if step < 0 or (i < len(shown) and shown[i] == self._current):
                i += step
            target = shown[i % len(shown)]
        self.follow = False
        self._current = target
        self._cache.clear()
        index = bisect.bisect_left(nos, target) if self._filter else target - self.buffer.first_no
        self._scroll_to_row(self._row_of_index(index), center=True)
        self._update_status()

    def action_next_match(self) -> None:
        """Jump to the next search match."""
        self._jump(1)

    def action_prev_match(self) -> None:
        """Jump to the previous search match."""
        self._jump(-1)

    def action_context(self, delta: int) -> None:
        """Change the filter's lines of context."""
        self.context = max(0, self.context + delta)
        if self._filter is not None:
            self.set_filter(self._filter.matcher.pattern)
        else:
            self._update_status()

    def action_follow(self) -> None:
        """Resume following the newest line."""
        self.follow = True

    @property
    def clearable(self) -> bool:
        """Whether a search or a filter is set (what ``esc`` clears before going back)."""
        return self._search is not None or self._filter is not None

    def clear_one(self) -> None:
        """Clear the search, else the filter."""
        if self._search is not None:
            self.search("")
        elif self._filter is not None:
            self.set_filter("")

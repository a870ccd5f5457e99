"""The row machinery of :class:`~fgtop.ui.widgets.log_view.LogView`.

``_Lines`` is the virtualised scrolling body (it renders only the visible rows, asking the
LogView for each row's strip); :func:`build_strips` renders one log line into strips and
:func:`row_count` says how many rows a line takes when wrapped or shown as pretty JSON.
"""

from __future__ import annotations

import math
from typing import Protocol

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Offset, Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fgtop.text.logbuffer import Entry
from fgtop.text.sanitize import Matcher, pretty_json_rows

SOURCE_WIDTH = 22
_LEVEL_CLASS = {"ERROR": "log-view--error", "WARN": "log-view--warn", "DEBUG": "log-view--debug"}


class LinesOwner(Protocol):
    """What the scrolling body asks of the view it scrolls (a LogView), without knowing it."""

    follow: bool
    """Whether the view keeps the newest line in sight (scrolling up turns it off)."""

    def row_strip(self, y: int, base: Style | None = None) -> Strip:
        """Row ``y`` of the whole view, rendered."""
        ...

    def _scrolled(self) -> None:
        """The body scrolled."""
        ...

    def _layout_changed(self, keep: bool = True) -> None:
        """The body changed size."""
        ...

    def _stick(self) -> None:
        """Following: scroll the newest line onto the bottom row."""
        ...


class _Lines(ScrollView, can_focus=True):
    """The scrolling body of a LogView: renders only visible rows."""

    DEFAULT_CSS = "_Lines { height: 1fr; background: $surface; }"

    def __init__(self, view: LinesOwner) -> None:
        super().__init__()
        self.view = view
        self._frame: tuple[Style, int, Offset] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        # Computed once per frame: rich_style is costly and the same for every row.
        self._frame = (self.rich_style, self.scrollable_content_region.width, self.scroll_offset)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        style, width, (scroll_x, scroll_y) = self._frame or (
            self.rich_style,
            self.scrollable_content_region.width,
            self.scroll_offset,
        )
        strip = self.view.row_strip(scroll_y + y, style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.view._scrolled()

    def action_scroll_end(self) -> None:
        self.view.follow = True

    # Moving up pauses follow at once (an animated scroll could be overtaken by new lines).
    def action_scroll_up(self) -> None:
        self.view.follow = False
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self.view.follow = False
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self.view.follow = False
        super().action_scroll_home()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.view.follow = False
        super()._on_mouse_scroll_up(event)

    def on_resize(self, event: events.Resize) -> None:
        self.view._layout_changed()

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        """A scrollbar that comes or goes changes the rows shown: keep the tail in sight."""
        if self.view.follow:
            self.call_after_refresh(self.view._stick)


def build_strips(
    texts: list[str],
    prefix: Text,
    base: Style,
    style: Style,
    console: Console,
    search: Matcher | None,
    match_style: Style | None,
    wrap_width: int | None,
) -> list[Strip]:
    """Render one log line into strips: one per text (several for pretty JSON), then wrapped.

    Args:
        texts: The line's message rows (one, or the pretty-printed JSON rows).
        prefix: The time/source columns, shown before the first row (blank before the others).
        base: The widget's base style.
        style: The message style (the base plus the level colour).
        console: The console to render with.
        search: The current search, whose matches are highlighted, or None.
        match_style: The highlight style of the matches (when ``search`` is set).
        wrap_width: Cut every row at this many cells, or None not to wrap.
    """
    strips: list[Strip] = []
    for i, part in enumerate(texts):
        text = Text(style=base, no_wrap=True, end="")
        text.append_text(prefix if i == 0 else Text(" " * len(prefix)))
        start = len(text)
        text.append(part, style)
        if search is not None and match_style is not None:
            for a, b in search.spans(part):
                text.stylize(match_style, start + a, start + b)
        strip = Strip(text.render(console), text.cell_len)
        if wrap_width is not None:
            cuts = [*range(wrap_width, strip.cell_length, wrap_width), strip.cell_length]
            strips.extend(strip.divide(cuts))
        else:
            strips.append(strip)
    return strips


def row_count(entry: Entry, width: int, extra: int, wrap: bool, json: bool) -> int:
    """How many rows ``entry`` takes at ``width`` cells, after ``extra`` cells of prefix."""
    if not wrap:  # JSON only: count without formatting
        return pretty_json_rows(entry.line.message[:1_000_000]) if json else 1
    texts = (entry.pretty or [entry.text]) if json else [entry.text]
    return sum(
        max(1, math.ceil((extra + (len(t) if t.isascii() else cell_len(t))) / width)) for t in texts
    )

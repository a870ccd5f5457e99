"""A virtual table of resources: rows are data, only the lines on screen are rendered.

Subclasses declare their columns and say three things about one model object: the plain
text of its item columns (:meth:`ResourceTable.texts`, which the filter searches and the
column widths come from), the value a column sorts it by (:meth:`ResourceTable.sort_value`)
and its rich cells (:meth:`ResourceTable.cells`, built only for rows on screen, cached until
the next :meth:`ResourceTable.show`). A refresh, a filter character, a sort or a cursor key
therefore cost about the same at 50 rows and at 5,000 (Textual's line API: ``render_line``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from fgtop.kinds.columns import Column, fit_columns

T = TypeVar("T")
PAD = 1
"""Blank cells on each side of a cell."""
_MAX_LINES = 400
"""Rendered lines kept (a few screens' worth)."""


class Cell(Text):
    """A Rich Text cell that carries the value it sorts by."""

    def __init__(self, text: str | Text = "", sort_value: Any = None, style: str = "") -> None:
        if isinstance(text, Text):
            super().__init__(text.plain, style=text.style, justify=text.justify, no_wrap=True)
            self._spans = list(text.spans)
        else:
            super().__init__(str(text), style=style, no_wrap=True)
        self.sort_value = self.plain.lower() if sort_value is None else sort_value


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before text; None and unknown values last whatever their type."""
    if value is None:
        return (2, 0)
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, tuple):
        return (1, tuple(sort_key(v) for v in value))
    return (1, str(value).lower())


_NO_CELLS: Mapping[str, Cell] = {}


class ResourceTable(ScrollView, Generic[T], can_focus=True):
    """Base of the services table, the task grid and the pod grid."""

    COLUMNS: ClassVar[Sequence[Column]] = ()
    DEFAULT_SORT: ClassVar[tuple[str, bool]] = ("", False)

    BINDINGS: ClassVar = [
        Binding(
            "s",
            "cycle_sort",
            "Sort",
            tooltip="sort by the next column on screen / reverse (or click a column header)",
        ),
        Binding(
            "S",
            "reverse_sort",
            "Reverse",
            show=False,
            tooltip="sort by the next column on screen / reverse (or click a column header)",
        ),
        Binding(
            "W",
            "toggle_wide",
            "Wide",
            show=False,
            tooltip="wide view: every column at full width, scrolling sideways",
        ),
        Binding(
            "ctrl+w",
            "toggle_wide",
            "Wide",
            show=False,
            tooltip="wide view: every column at full width, scrolling sideways",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            show=False,
            tooltip="open the row: details of a service, task or pod; a problem's or entry's resource",
        ),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("ctrl+home,home", "cursor_to(0)", "Top", show=False),
        Binding("ctrl+end,end", "cursor_to(-1)", "Bottom", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "datatable--header",
        "datatable--cursor",
        "datatable--even-row",
        "datatable--odd-row",
    }
    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header { background-tint: $foreground 5%; }
        }
        &:dark > .datatable--even-row { background: $surface-darken-1 40%; }
        & > .datatable--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .datatable--header { background: ansi_bright_blue; color: ansi_default; }
        & > .datatable--even-row { background: $surface-lighten-1 50%; }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    filter_text: reactive[str] = reactive("", init=False)
    """Case-insensitive substring that rows must contain (in one of their item columns)."""
    sort_column: reactive[str] = reactive("", init=False)
    sort_reverse: reactive[bool] = reactive(False, init=False)
    wide: reactive[bool] = reactive(False, init=False)
    """Every column at its natural width, scrolling sideways (else they fit the width)."""

    class Selected(Message):
        """The cursor moved to (or Enter was pressed on) a resource."""

        def __init__(self, table: ResourceTable, key: str, item: Any, opened: bool) -> None:
            self.table = table
            self.key = key
            self.item = item
            self.opened = opened
            """True when Enter was pressed (open details), False on a cursor move."""
            super().__init__()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A table that declares its columns gets a binding per column letter (``N`` sorts by
        the column whose header has the N underlined)."""
        if "COLUMNS" in cls.__dict__:
            own = [b for b in cls.__dict__.get("BINDINGS", ()) if not _is_letter(b)]
            cls.BINDINGS = own + [
                Binding(
                    _key_name(c.letter),
                    f"sort_by_letter('{c.key}')",
                    f"Sort by {c.label}",
                    show=False,
                    key_display=c.letter,
                )
                for c in cls.COLUMNS
                if c.letter
            ]
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: dict[str, T] = {}
        """Every item by key, in the order given."""
        self._seen: dict[str, T] = {}
        """The item each row's texts and sort values were computed from."""
        self._texts: dict[str, tuple[str, ...]] = {}
        self._column_index = {c.key: i for i, c in enumerate(self.COLUMNS)}
        self._hay: dict[str, str] = {}
        self._sorted: list[str] = []
        """Every key, sorted."""
        self._sort_cache: dict[str, Any] = {}
        self._order: list[str] = []
        """The keys shown (filtered), in display order."""
        self._pos: dict[str, int] = {}
        self._cursor = 0
        self._announced: str | None = None
        self._cells: dict[str, Mapping[str, Text]] = {}
        self._lines: dict[tuple, Strip] = {}
        self._natural: dict[str, int] = {}
        self._width_counts: list[tuple[dict[int, int], int]] = [
            ({}, i) for i, c in enumerate(self.COLUMNS) if c.width is None
        ]
        """Per content-sized column: how many rows have each text width, and its index."""
        self._layout: list[tuple[Column, int, int]] = []
        """Shown columns: (column, x offset, width)."""
        self._layout_for: tuple = ()
        self._palette: Any = None
        self.now = 0.0
        self.extra: Mapping[str, Mapping[str, Cell]] = {}
        """Extra cells by item key (metrics, cost), set by the screen before :meth:`show`."""
        self.empty_text: Text | None = None
        """What the first row says while there is no row at all (not merely none matching the
        filter), e.g. "no Fargate tasks in eu-west-1 for profile default"; safe text."""
        self.set_reactive(ResourceTable.sort_column, self.DEFAULT_SORT[0])
        self.set_reactive(ResourceTable.sort_reverse, self.DEFAULT_SORT[1])

    # -- what subclasses provide ---------------------------------------------------------

    def item_key(self, item: T) -> str:
        """The stable identity of an item."""
        return item.key  # type: ignore[attr-defined]

    def texts(self, item: T) -> Mapping[str, str]:
        """The plain text of the item's own columns (not the live ones), by column key."""
        return {k: c.plain for k, c in self.cells(item).items()}

    def sort_value(self, item: T, column: str) -> Any:
        """The value ``column`` sorts ``item`` by (default: from the cell)."""
        cell = self.extra_cells(item).get(column) or self.cells(item).get(column)
        return getattr(cell, "sort_value", None)

    def text_sort_value(self, item: T, column: str) -> str:
        """An item's text in ``column``, lowercase: from the row texts kept per item version
        (sorting 5,000 rows by a text column computes no texts again)."""
        row = self._texts.get(self.item_key(item))
        index = self._column_index.get(column)
        if row is None or index is None:
            return self.texts(item).get(column, "").lower()
        return row[index].lower()

    def sort_values(self, keys: list[str], column: str) -> dict[str, Any]:
        """The sort keys (:func:`sort_key`) of these rows in ``column``."""
        items = self._items
        return {k: sort_key(self.sort_value(items[k], column)) for k in keys}

    def cells(self, item: T) -> Mapping[str, Text]:
        """The row of an item, by column key (only rows on screen are asked)."""
        raise NotImplementedError

    def extra_cells(self, item: T) -> Mapping[str, Cell]:
        """The screen's extra cells of an item (:attr:`extra`)."""
        return self.extra.get(self.item_key(item), _NO_CELLS)

    def extra_sort_value(self, item: T, column: str) -> Any:
        """What an item's extra cell sorts by: asked of :attr:`extra` when it can tell without
        building the cells (``fgtop.ui.cells.LazyCells``)."""
        values = getattr(self.extra, "sort_value", None)
        if values is not None:
            return values(self.item_key(item), column)
        return getattr(self.extra_cells(item).get(column), "sort_value", None)

    @property
    def palette(self) -> Any:
        """Status styles and glyphs; a new palette re-renders every row."""
        return self._palette

    @palette.setter
    def palette(self, value: Any) -> None:
        if value is not self._palette:
            self._palette = value
            self._seen.clear()
            self._forget_render()
            if self._items:
                self.show(list(self._items.values()))

    # -- updating ------------------------------------------------------------------------

    def show(self, items: Iterable[T]) -> None:
        """Show these items: rows come and go by key, the cursor stays on its resource."""
        key_of = self.item_key
        self.show_keyed({key_of(item): item for item in items})

    def show_keyed(self, new: dict[str, T]) -> None:
        """:meth:`show`, the items already by key (in the order given).

        Only rows whose item is not the object shown before (and not equal to it) have their
        texts, widths and sort values worked out again.
        """
        selected = self.selected_key
        seen, texts_of = self._seen, self._texts
        for key, item in new.items():
            before = seen.get(key)
            if before is item:
                continue
            if before is not None and before == item:
                seen[key] = item
                continue
            seen[key] = item
            texts = self.texts(item)
            row = tuple(texts.get(c.key, "") for c in self.COLUMNS)
            self._count_widths(texts_of.get(key), -1)
            self._count_widths(row, 1)
            texts_of[key] = row
            self._hay[key] = "\0".join(row).lower()
            self._sort_cache.pop(key, None)
        if len(seen) != len(new):
            for key in [k for k in seen if k not in new]:
                self._count_widths(texts_of.get(key), -1)
                for store in (seen, texts_of, self._hay, self._sort_cache):
                    store.pop(key, None)
        self._items = new
        self._measure()
        self._forget_render()
        self._resort(selected)

    def _count_widths(self, row: tuple[str, ...] | None, step: int) -> None:
        """Count (or uncount) a row's text widths, column by column."""
        if row is None:
            return
        for counts, i in self._width_counts:
            width = cell_len(row[i])
            left = counts.get(width, 0) + step
            if left:
                counts[width] = left
            else:
                del counts[width]

    def _measure(self) -> None:
        """Natural widths: the widest text of each item column (live columns are fixed)."""
        natural = {}
        counts = iter(self._width_counts)
        for col in self.COLUMNS:
            if col.width is not None:
                natural[col.key] = col.width
                continue
            widths, _ = next(counts)
            widest = max((w for w in widths if w), default=0)
            # A column no row has a text for, when it says so, stays out (ACCOUNT, one account).
            natural[col.key] = 0 if col.hide_empty and not widest else max(widest, col.min)
        if natural != self._natural:
            self._natural = natural
            self._layout_for = ()

    def _forget_render(self) -> None:
        self._cells.clear()
        self._lines.clear()

    def _resort(self, selected: str | None) -> None:
        keys = list(self._items)
        column = self.sort_column
        if column:
            live = any(c.key == column and c.live for c in self.COLUMNS)
            cache = self._sort_cache
            if live:
                values = self.sort_values(keys, column)
            else:
                missing = [k for k in keys if k not in cache]
                if missing:
                    cache.update(self.sort_values(missing, column))
                values = cache
            keys.sort(key=values.__getitem__, reverse=self.sort_reverse)
            if self.sort_reverse:  # unknown values last in either direction
                known = [k for k in keys if values[k][0] != 2]
                if len(known) != len(keys):
                    keys = known + [k for k in keys if values[k][0] == 2]
        self._sorted = keys
        self._refilter(selected)

    def _refilter(self, selected: str | None) -> None:
        needle = self.filter_text.lower()
        hay = self._hay
        order = [k for k in self._sorted if needle in hay[k]] if needle else self._sorted
        self._order = order
        self._pos = {k: i for i, k in enumerate(order)}
        self._set_virtual(Size(self._table_width(), len(order) + 1))
        row = self._pos.get(selected, self._cursor) if selected else self._cursor
        self._cursor = max(0, min(row, len(order) - 1))
        self.refresh()
        self._scroll_to_cursor()
        self._announce()

    def watch_filter_text(self) -> None:
        """Re-filter (a substring test over precomputed lowercase rows)."""
        self._refilter(self.selected_key)

    def watch_sort_column(self) -> None:
        """Re-sort when the sort column changes; the view goes to the top of the sorted rows."""
        self._sort_cache.clear()
        self._resort(None)
        self._to_top()

    def watch_sort_reverse(self) -> None:
        """Re-sort when the direction changes; the view goes to the top of the sorted rows."""
        self._resort(None)
        self._to_top()

    def _to_top(self) -> None:
        """The cursor on the first row, and the first rows in view (k9s, after a sort)."""
        self._move(0)
        self.scroll_to(y=0, animate=False, immediate=True)

    def watch_wide(self) -> None:
        """Re-lay the columns."""
        self._layout_for = ()
        self._lines.clear()
        self._set_virtual(Size(self._table_width(), len(self._order) + 1))
        self.refresh()

    def _set_virtual(self, size: Size) -> None:
        """A new virtual size; without a layout of the screen when the scrollbars stay."""
        old = self.virtual_size
        if size == old:
            return
        region = self.scrollable_content_region
        same_bars = (old.height > region.height) == (size.height > region.height) and (
            old.width > region.width
        ) == (size.width > region.width)
        if same_bars and self.is_mounted and region.height:
            # Only the scroll range changed: no layout of the whole screen (costly at 5,000).
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    # -- columns -------------------------------------------------------------------------

    def _fit_width(self) -> int:
        """The width the columns fit in: without the vertical scrollbar the rows will need,
        even before it shows (else the table is a column too wide, and a sideways scrollbar
        takes a row at 80x24)."""
        width = self.scrollable_content_region.width or self.size.width or 80
        height = self.size.height
        if height and not self.show_vertical_scrollbar and len(self._order) + 1 > height:
            width -= self.styles.scrollbar_size_vertical
        return max(1, width)

    def _columns(self) -> list[tuple[Column, int, int]]:
        width = self._fit_width()
        wanted = (width, self.wide, tuple(self._natural.items()), self.sort_column)
        if wanted != self._layout_for:
            self._layout = fit_columns(
                self.COLUMNS, self._natural, width, PAD, self.wide, self.sort_column
            )
            self._layout_for = wanted
            self._lines.clear()
        return self._layout

    def _table_width(self) -> int:
        layout = self._columns()
        return layout[-1][1] + layout[-1][2] + 2 * PAD if layout else 0

    def column_width(self, key: str) -> int | None:
        """The width a column has on screen (None when it is hidden)."""
        return next((w for c, _, w in self._columns() if c.key == key), None)

    @property
    def shown_columns(self) -> list[Column]:
        """The columns on screen (what ``s`` cycles through)."""
        return [c for c, _, _ in self._columns()]

    def on_resize(self, _event: events.Resize) -> None:
        """The columns fit the new width."""
        self._layout_for = ()
        self._set_virtual(Size(self._table_width(), len(self._order) + 1))
        self._scroll_to_cursor()

    # -- rendering -----------------------------------------------------------------------

    def render_lines(self, crop):  # noqa: ANN001, ANN201 - Textual's signature
        """Work out the base style once per pass (it is not cheap)."""
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """One line: the header at the top, else the row scrolled to it."""
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        layout = self._columns()
        if y == 0:
            return self._header(layout, scroll_x, width)
        row = y - 1 + scroll_y
        if row >= len(self._order):
            if row == 0 and not self._items and self.empty_text is not None:
                return self._empty_strip(width)
            return Strip.blank(width, self._base())
        key = self._order[row]
        cursor = row == self._cursor
        cache_key = (key, row % 2, cursor, self.has_focus, scroll_x, width)
        strip = self._lines.get(cache_key)
        if strip is None:
            if len(self._lines) > _MAX_LINES:
                self._lines.clear()
            strip = self._row_strip(key, row, cursor, layout, scroll_x, width)
            self._lines[cache_key] = strip
        return strip

    def _base(self) -> Style:
        style = getattr(self, "_base_style", None)
        return style if style is not None else self.rich_style

    def _row_cells(self, key: str) -> Mapping[str, Text]:
        cells = self._cells.get(key)
        if cells is None:
            if len(self._cells) > _MAX_LINES:
                self._cells.clear()
            cells = self._cells[key] = self.cells(self._items[key])
        return cells

    def _row_strip(
        self,
        key: str,
        row: int,
        cursor: bool,
        layout: list[tuple[Column, int, int]],
        scroll_x: int,
        width: int,
    ) -> Strip:
        cells = self._row_cells(key)
        console = self.app.console
        pad = Segment(" " * PAD)
        segments: list[Segment] = []
        for column, _x, w in layout:
            segments.append(pad)
            segments += _cell_segments(cells.get(column.key), w, column.right, console)
            segments.append(pad)
        zebra = self.get_component_rich_style(
            "datatable--odd-row" if row % 2 else "datatable--even-row"
        )
        base = self._base() + zebra
        if cursor:
            post = self.get_component_rich_style("datatable--cursor")
            segments = list(Segment.apply_style(segments, base, post))
            base += post
        else:
            segments = list(Segment.apply_style(segments, base))
        strip = Strip(segments)
        if scroll_x:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base).simplify()

    def _header(self, layout: list[tuple[Column, int, int]], scroll_x: int, width: int) -> Strip:
        style = self._base() + self.get_component_rich_style("datatable--header")
        line = Text(no_wrap=True, end="")
        for column, _x, w in layout:
            label = Text(column.label)
            at = column.label.upper().find(column.letter.upper()) if column.letter else -1
            if at >= 0:
                label.stylize("underline", at, at + 1)
            if column.key == self.sort_column:
                arrow = "▼" if self.sort_reverse else "▲"
                if label.cell_len + 2 <= w:
                    label.append(" " + arrow)
                else:  # a narrow column: the arrow over its label's last letters, not cut off
                    label.truncate(max(0, w - 1))
                    label.append(arrow)
            line.append(" " * PAD)
            line.append_text(_fit(label, w, column.right))
            line.append(" " * PAD)
        segments = list(Segment.apply_style(list(line.render(self.app.console)), style))
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, style).simplify()

    def _empty_strip(self, width: int) -> Strip:
        style = self._base()
        line = Text(" " * PAD, no_wrap=True, end="")
        line.append_text(self.empty_text or Text())
        line.stylize("italic")
        line.truncate(max(1, width - PAD), overflow="ellipsis")  # cut short: ends with "…"
        segments = list(Segment.apply_style(list(line.render(self.app.console)), style))
        return Strip(segments).crop(0, width).extend_cell_length(width, style).simplify()

    def header_text(self) -> str:
        """The header line as plain text (what the columns say)."""
        return self._header(self._columns(), 0, 10_000).text.rstrip()

    # -- the cursor ----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._order)

    @property
    def total_count(self) -> int:
        """Rows before the filter."""
        return len(self._items)

    def count_text(self) -> str:
        """``103``, or ``12 of 103`` while a filter hides some rows."""
        if self.filter_text:
            return f"{self.row_count:,} of {self.total_count:,}"
        return f"{self.total_count:,}"

    @property
    def cursor_row(self) -> int:
        """The cursor's row in display order."""
        return self._cursor

    def _move(self, row: int) -> None:
        if not self._order:
            return
        row = max(0, min(row, len(self._order) - 1))
        if row != self._cursor:
            self.refresh_line(self._cursor + 1)
            self._cursor = row
            self.refresh_line(row + 1)
        self._scroll_to_cursor()
        self._announce()

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)

    def _announce(self) -> None:
        key = self.selected_key
        if key is not None and key != self._announced:
            self._announced = key
            self.post_message(self.Selected(self, key, self._items[key], opened=False))
        elif key is None:
            self._announced = None

    def action_cursor(self, step: int) -> None:
        """Move the cursor up or down."""
        self._move(self._cursor + step)

    def action_page(self, direction: int) -> None:
        """Scroll one screen and move the cursor with it (at the top, to the first row)."""
        rows = len(self._order)
        if not rows:
            return
        height = max(1, self.scrollable_content_region.height - 1)
        top = max(0, min(int(self.scroll_y) + direction * height, rows - height))
        cursor = max(0, min(self._cursor + direction * height, rows - 1))
        cursor = min(max(cursor, top), top + height - 1)
        self.scroll_to(y=top, animate=False, immediate=True)
        self._move(cursor)

    def action_cursor_to(self, row: int) -> None:
        """First or last row (the first: the top rows in view again)."""
        if row == 0:
            self._to_top()
        else:
            self._move(row if row >= 0 else len(self._order) - 1)

    def action_open(self) -> None:
        """Enter opens the resource under the cursor."""
        key = self.selected_key
        if key is not None:
            self.post_message(self.Selected(self, key, self._items[key], opened=True))

    def on_click(self, event: events.Click) -> None:
        """A header sorts by its column (again: reverses); a row takes the cursor."""
        if event.y == 0:
            x = event.x + int(self.scroll_x)
            for column, offset, w in self._columns():
                if offset <= x < offset + w + 2 * PAD:
                    self.sort_by(column.key)
                    break
            return
        row = event.y - 1 + int(self.scroll_y)
        if row < len(self._order):
            again = row == self._cursor
            self._move(row)
            if again and event.chain >= 1 and self.has_focus:
                self.action_open()

    # -- selection -----------------------------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        """The key of the resource under the cursor."""
        return self._order[self._cursor] if self._order else None

    @property
    def selected_item(self) -> T | None:
        """The resource under the cursor."""
        key = self.selected_key
        return self._items.get(key) if key else None

    def visible_items(self) -> list[T]:
        """The resources that pass the filter, in display order."""
        return [self._items[k] for k in self._order]

    def on_screen_items(self) -> list[T]:
        """The resources in the rows currently scrolled into view."""
        first = int(self.scroll_y)
        height = max(0, self.scrollable_content_region.height - 1)  # minus the header row
        return [self._items[k] for k in self._order[first : first + height]]

    def select_key(self, key: str) -> bool:
        """Move the cursor to a resource; False when it is not shown."""
        row = self._pos.get(key)
        if row is None:
            return False
        self._move(row)
        return True

    def get_row_index(self, key: str) -> int:
        """The display row of a resource (KeyError when not shown)."""
        return self._pos[key]

    def row_key_at(self, row: int) -> str:
        """The key of the resource at a display row."""
        return self._order[row]

    def get_row_at(self, row: int) -> list[Text]:
        """The cells of a display row, in column order (every column, shown or not)."""
        cells = self._row_cells(self._order[row])
        return [cells.get(c.key) or Text("") for c in self.COLUMNS]

    # -- sorting -------------------------------------------------------------------------

    def sort_by(self, column: str) -> None:
        """Sort by a column (numbers highest first, text A to Z); the same column again:
        reverse."""
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
            return
        first = next((c.descending for c in self.COLUMNS if c.key == column), False)
        if first != self.sort_reverse:
            self.set_reactive(ResourceTable.sort_reverse, first)
        self.sort_column = column

    def action_sort_by_letter(self, column: str) -> None:
        """A column's shift+letter: sort by it; pressed again, reverse (k9s-style)."""
        self.sort_by(column)

    def action_cycle_sort(self) -> None:
        """Sort by the next column on screen."""
        keys = [c.key for c in self.shown_columns]
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.sort_column = keys[(index + 1) % len(keys)]

    def action_reverse_sort(self) -> None:
        """Reverse the sort direction."""
        self.sort_reverse = not self.sort_reverse

    def action_toggle_wide(self) -> None:
        """Every column at full width (scroll sideways), or fit the terminal."""
        self.wide = not self.wide


def _key_name(letter: str) -> str:
    """The Textual key of a column letter ("V" -> "V", "$" -> "dollar_sign")."""
    return "dollar_sign" if letter == "$" else letter


def _is_letter(binding: Binding) -> bool:
    return binding.action.startswith("sort_by_letter(")


def _cell_segments(cell: Text | None, width: int, right: bool, console: Any) -> list[Segment]:
    """A cell as segments exactly ``width`` cells wide (a fast path for plain short cells)."""
    if cell is None:
        return [Segment(" " * width)]
    if not cell.spans:
        plain = cell.plain
        length = cell_len(plain)
        if length <= width:
            style = cell.style
            parsed = (Style.parse(style) if style else None) if isinstance(style, str) else style
            fill = " " * (width - length)
            return [Segment(fill + plain if right else plain + fill, parsed or None)]
    return list(_fit(cell, width, right).render(console))


def _fit(cell: Text | None, width: int, right: bool) -> Text:
    """A cell cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if cell is None:
        return Text(" " * width)
    if cell.cell_len == width:
        return cell
    text = cell.copy()
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    pad = width - text.cell_len
    if pad:
        if right:
            text = Text(" " * pad) + text
        else:
            text.pad_right(pad)
    return text


def flagged(text: Text, extra: Mapping[str, Cell]) -> Text:
    """Prefix a cell with the alert flag when the row has a firing alert."""
    flag = extra.get("flag")
    return flag + " " + text if flag is not None else text

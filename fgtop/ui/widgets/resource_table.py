"""A DataTable of resources that updates in place, filters and sorts by any column.

Subclasses declare their columns and turn one model object into a row of cells. On each
snapshot only changed cells are written, rows come and go by key, and the cursor stays on
the same resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

T = TypeVar("T")


class Cell(Text):
    """A Rich Text cell that carries the value it sorts by."""

    def __init__(self, text: str | Text = "", sort_value: Any = None, style: str = "") -> None:
        if isinstance(text, Text):
            super().__init__(text.plain, style=text.style, justify=text.justify, no_wrap=True)
            self._spans = list(text.spans)
        else:
            super().__init__(str(text), style=style, no_wrap=True)
        self.sort_value = self.plain.lower() if sort_value is None else sort_value


@dataclass(frozen=True)
class Column:
    """One column: its key, its header, and an optional fixed width."""

    key: str
    label: str
    width: int | None = None


def _sort_key(value: Any) -> tuple[int, Any]:
    # None and unknown values sort last whatever their type.
    if value is None:
        return (2, 0)
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value))


class ResourceTable(DataTable, Generic[T]):
    """Base of the services table, the task grid and the pod grid."""

    COLUMNS: ClassVar[Sequence[Column]] = ()
    DEFAULT_SORT: ClassVar[tuple[str, bool]] = ("", False)

    BINDINGS: ClassVar = [
        Binding("s", "cycle_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse", show=False),
    ]

    filter_text: reactive[str] = reactive("", init=False)
    """Case-insensitive substring that rows must contain (over the visible columns)."""
    sort_column: reactive[str] = reactive("", init=False)
    sort_reverse: reactive[bool] = reactive(False, init=False)

    class Selected(Message):
        """The cursor moved to (or Enter was pressed on) a resource."""

        def __init__(self, table: ResourceTable, key: str, item: Any, opened: bool) -> None:
            self.table = table
            self.key = key
            self.item = item
            self.opened = opened
            """True when Enter was pressed (open details), False on a cursor move."""
            super().__init__()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._items: dict[str, T] = {}
        self._rows: dict[str, tuple[Cell, ...]] = {}
        self._all: list[T] = []
        self.set_reactive(ResourceTable.sort_column, self.DEFAULT_SORT[0])
        self.set_reactive(ResourceTable.sort_reverse, self.DEFAULT_SORT[1])

    def on_mount(self) -> None:
        """Create the columns."""
        for col in self.COLUMNS:
            self.add_column(col.label, key=col.key, width=col.width)

    # -- what subclasses provide ---------------------------------------------------------

    def item_key(self, item: T) -> str:
        """The stable identity of an item."""
        return item.key  # type: ignore[attr-defined]

    def cells(self, item: T) -> dict[str, Cell]:
        """The row of an item, by column key."""
        raise NotImplementedError

    # -- updating ------------------------------------------------------------------------

    def show(self, items: Iterable[T]) -> None:
        """Show these items: update changed cells in place, add and remove rows by key."""
        self._all = list(items)
        self._apply()

    def _apply(self) -> None:
        needle = self.filter_text.lower()
        wanted: dict[str, tuple[T, tuple[Cell, ...]]] = {}
        for item in self._all:
            key = self.item_key(item)
            by_col = self.cells(item)
            row = tuple(by_col[c.key] for c in self.COLUMNS)
            if needle and not any(needle in cell.plain.lower() for cell in row):
                continue
            wanted[key] = (item, row)
        selected = self.selected_key
        for key in [k for k in self._rows if k not in wanted]:
            self.remove_row(key)
            del self._rows[key]
            self._items.pop(key, None)
        changed_order = False
        for key, (item, row) in wanted.items():
            self._items[key] = item
            old = self._rows.get(key)
            if old is None:
                self.add_row(*row, key=key)
                changed_order = True
            elif old != row:
                for col, new, before in zip(self.COLUMNS, row, old, strict=True):
                    if new != before or new.style != before.style or new.spans != before.spans:
                        self.update_cell(key, col.key, new)
                        if col.key == self.sort_column:
                            changed_order = True
            self._rows[key] = row
        if changed_order:
            self._sort()
        if selected is not None and selected in self._rows:
            self._move_to(selected)

    def _sort(self) -> None:
        if not self.sort_column or not self.row_count:
            return
        self.sort(
            self.sort_column,
            key=lambda cell: _sort_key(getattr(cell, "sort_value", None)),
            reverse=self.sort_reverse,
        )

    def _move_to(self, key: str) -> None:
        try:
            index = self.get_row_index(key)
        except Exception:  # noqa: BLE001 - the row vanished meanwhile
            return
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False, scroll=False)

    def watch_filter_text(self) -> None:
        """Re-filter when the filter changes."""
        self._apply()

    def watch_sort_column(self) -> None:
        """Re-sort when the sort column changes."""
        self._resort()

    def watch_sort_reverse(self) -> None:
        """Re-sort when the direction changes."""
        self._resort()

    def _resort(self) -> None:
        selected = self.selected_key
        self._sort()
        if selected:
            self._move_to(selected)
        self._update_headers()

    def _update_headers(self) -> None:
        for col in self.COLUMNS:
            label = col.label
            if col.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            column = self.columns.get(col.key)  # type: ignore[call-overload]
            if column is not None:
                column.label = Text(label)
        self.refresh()

    # -- selection -----------------------------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        """The key of the resource under the cursor."""
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # noqa: BLE001 - empty or shrinking table
            return None
        return row_key.value

    @property
    def selected_item(self) -> T | None:
        """The resource under the cursor."""
        key = self.selected_key
        return self._items.get(key) if key else None

    def visible_items(self) -> list[T]:
        """The resources that pass the filter, in display order."""
        keys = [self.coordinate_to_cell_key((i, 0))[0].value for i in range(self.row_count)]
        return [self._items[k] for k in keys if k in self._items]

    def on_screen_items(self) -> list[T]:
        """The resources in the rows currently scrolled into view."""
        first = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)  # minus the header row
        items = []
        for i in range(first, min(self.row_count, first + height)):
            key = self.coordinate_to_cell_key((i, 0))[0].value
            if key in self._items:
                items.append(self._items[key])
        return items

    def select_key(self, key: str) -> bool:
        """Move the cursor to a resource; False when it is not shown."""
        if key not in self._rows:
            return False
        self._move_to(key)
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Tell the app which resource is selected."""
        key = event.row_key.value if event.row_key else None
        if key in self._items:
            self.post_message(self.Selected(self, key, self._items[key], opened=False))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens it."""
        event.stop()
        key = event.row_key.value if event.row_key else None
        if key in self._items:
            self.post_message(self.Selected(self, key, self._items[key], opened=True))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Clicking a header sorts by it (again: reverses)."""
        event.stop()
        key = event.column_key.value or ""
        if key == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column = key

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        keys = [c.key for c in self.COLUMNS]
        index = keys.index(self.sort_column) if self.sort_column in keys else -1
        self.sort_column = keys[(index + 1) % len(keys)]

    def action_reverse_sort(self) -> None:
        """Reverse the sort direction."""
        self.sort_reverse = not self.sort_reverse


def flagged(text: Text, extra: dict[str, Cell]) -> Text:
    """Prefix a cell with the alert flag when the row has a firing alert."""
    flag = extra.get("flag")
    return flag + " " + text if flag is not None else text

"""Cells built on first use: the dashboard's tables ask only for the rows on screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

from fgtop.ui.widgets.resource_table import Cell

T = TypeVar("T")


class LazyCells(Mapping[str, Mapping[str, Cell]], Generic[T]):
    """Extra cells by key, built on first use (the grids ask only for the rows on screen).

    Args:
        items: The items by key.
        build: Makes one item's extra cells.
        ready: Cells already made, by key (looked up first).
        values: What one item's extra cells sort by, without building them (sorting 5,000
            rows by CPU% builds no bars); default: the built cells' sort values.
        value: What one of an item's extra cells sorts by (asked before ``values``: sorting
            20,000 rows by one column works out that column only).
    """

    def __init__(
        self,
        items: Mapping[str, T],
        build: Callable[[T], Mapping[str, Cell]],
        ready: Mapping[str, Mapping[str, Cell]] | None = None,
        values: Callable[[T], Mapping[str, object]] | None = None,
        value: Callable[[T, str], object] | None = None,
    ) -> None:
        self._items = items
        self._build = build
        self._built: dict[str, Mapping[str, Cell]] = dict(ready or {})
        self._values = values
        self._value = value
        self._sort_values: dict[str, Mapping[str, object]] = {}

    def __getitem__(self, key: str) -> Mapping[str, Cell]:
        cells = self._built.get(key)
        if cells is None:
            cells = self._built[key] = self._build(self._items[key])
        return cells

    def __iter__(self) -> Iterator[str]:
        return iter({**self._items, **self._built})

    def __len__(self) -> int:
        return len({**self._items, **self._built})

    def sort_value(self, key: str, column: str) -> object:
        """What the item's ``column`` cell sorts by (from ``values`` when given: a built cell
        whose value is unknown sorts by its text, ``-``, which put the rows without a figure
        first in a descending sort once they had been on screen)."""
        if self._value is not None and key in self._items:
            return self._value(self._items[key], column)
        if self._values is None or key not in self._items:
            return getattr(self.get(key, {}).get(column), "sort_value", None)
        values = self._sort_values.get(key)
        if values is None:
            values = self._sort_values[key] = self._values(self._items[key])
        return values.get(column)

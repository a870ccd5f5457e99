"""A virtual table of the items of one or more resource kinds, laid out by their declaration.

The kinds (:mod:`fgtop.kinds`) say what each column of a row says and sorts by, headless; this
table styles their cells from the theme's palette, draws the figures (utilisation bars,
sparklines), prefixes the alert flag, and builds cells only for the rows on screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text

from fgtop.kinds import registry
from fgtop.kinds.base import BY_TEXT, Cell, Kind, View
from fgtop.model import Snapshot
from fgtop.text.sanitize import safe
from fgtop.ui.cells import LazyCells
from fgtop.ui.palette import Palette
from fgtop.ui.widgets.bars import sparkline, util_bar
from fgtop.ui.widgets.resource_table import Cell as RichCell
from fgtop.ui.widgets.resource_table import ResourceTable, flagged, sort_key

TONES = {"dim": "dim", "flag": "bold yellow"}
"""Tones that are not palette status kinds."""
_CLASSES: dict[str, type[KindTable]] = {}


def tone_style(tone: str, palette: Any) -> str:
    """The Rich style of a cell's tone: the palette's for a status kind."""
    if not tone:
        return ""
    fixed = TONES.get(tone)
    if fixed is not None:
        return fixed
    return palette.style(tone) if palette is not None else ""


def rich_cell(cell: Cell, palette: Any, width: int | None = None) -> RichCell:
    """A headless cell as a Rich cell: its tone styled, its figure drawn."""
    if cell.look == "bar":
        return RichCell(util_bar(cell.value, width or 9, na=cell.text), sort_value=cell.sort)
    if cell.look == "spark":
        drawn = sparkline(cell.series, width or 12, lo=0, hi=100) if cell.series else ""
        return RichCell(drawn, sort_value=cell.sort)
    text = Text(cell.text, style=tone_style(cell.tone, palette))
    for more, tone in cell.more:
        text.append(more, style=tone_style(tone, palette))
    return RichCell(text, sort_value=cell.sort)


class KindTable(ResourceTable[Any]):
    """The rows of some kinds: the first one's columns, each row told by its own kind."""

    KINDS: ClassVar[tuple[Kind[Any], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Columns, default sort and the letter bindings come from the first kind."""
        if cls.__dict__.get("KINDS"):
            owner = cls.KINDS[0]
            cls.COLUMNS = owner.columns
            cls.DEFAULT_SORT = owner.default_sort
            _CLASSES.setdefault(owner.name, cls)
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.palette = Palette()
        self.view: View | None = None
        """The frame the rows are told from (set by :meth:`show_view`; :meth:`show` alone
        tells them as of :attr:`now` with nothing derived)."""
        self._live = {c.key: c for c in self.COLUMNS if c.live}
        self._flagged = next((c.key for c in self.COLUMNS if c.flagged), None)
        self._keyed = all(type(k).key is Kind.key for k in self.KINDS)
        self._one = self.KINDS[0] if len(self.KINDS) == 1 else None

    def kind(self, item: Any) -> Kind[Any]:
        """The kind of a row's item."""
        if self._one is not None:
            return self._one
        kind = registry.kind_of(item)
        return kind if kind is not None else self.KINDS[0]

    # -- rows ----------------------------------------------------------------------------

    def show_view(self, view: View, items: Sequence[Any] | None = None) -> None:
        """Show the kinds' items of a frame (or ``items``)."""
        self.view = view
        self.now = view.at
        if items is None:
            items = [item for kind in self.KINDS for item in kind.items(view)]
        empty = None if items else self.KINDS[0].empty(view)
        self.empty_text = None if empty is None else safe(empty, max_chars=300)
        key_of = self.item_key
        keyed = {key_of(item): item for item in items}
        if self._live:
            self.extra = LazyCells(
                keyed,
                self._live_cells,
                value=lambda item, column: self.kind(item).live_value(item, column, view),
            )
        self.show_keyed(keyed)

    def show(self, items: Any) -> None:
        """Show these items (told from :attr:`view`, or as of :attr:`now` without one)."""
        if self.view is None:
            self.view = View(Snapshot(self.now), glyph=self.palette.glyph)
        super().show(items)

    def show_keyed(self, items: dict[str, Any]) -> None:
        """:meth:`show`, the items already by key."""
        if self.view is None:
            self.view = View(Snapshot(self.now), glyph=self.palette.glyph)
        super().show_keyed(items)

    def sort_values(self, keys: list[str], column: str) -> dict[str, Any]:
        """The sort keys of these rows in ``column``: a text column's from the row texts kept by
        key (no texts worked out again, no key asked of an item)."""
        view = self.view
        if column in self._live or view is None:
            return super().sort_values(keys, column)
        items, texts = self._items, self._texts
        index = self._column_index.get(column)
        out = {}
        for k in keys:
            item = items[k]
            value = self.kind(item).sort_value(item, column, view)
            if value is BY_TEXT:
                row = texts.get(k)
                if row is None or index is None:
                    value = self.text_sort_value(item, column)
                else:
                    out[k] = (1, row[index].lower())
                    continue
            out[k] = sort_key(value)
        return out

    def item_key(self, item: Any) -> str:
        """The item's key, as its kind says."""
        return item.key if self._keyed else self.kind(item).key(item)

    def texts(self, item: Any) -> Mapping[str, str]:
        """The plain text of the item's own columns."""
        if self.view is None:
            return {}
        return self.kind(item).texts(item, self.view)

    def sort_value(self, item: Any, column: str) -> Any:
        """What a column sorts the item by (live columns: without building cells)."""
        if column in self._live:
            return self.extra_sort_value(item, column)
        if self.view is None:
            return None
        value = self.kind(item).sort_value(item, column, self.view)
        return self.text_sort_value(item, column) if value is BY_TEXT else value

    def cells(self, item: Any) -> Mapping[str, Text]:
        """One row (built only while it is on screen): styled, figures drawn, flagged."""
        if self.view is None:
            return {}
        palette = self.palette
        own = self.kind(item).cells(item, self.view)
        cells: dict[str, Text] = {k: rich_cell(c, palette) for k, c in own.items()}
        if self._live:
            extra = self.extra_cells(item)
            for key, column in self._live.items():
                cells[key] = extra.get(key) or Text(column.blank)
            if self._flagged is not None and self._flagged in cells:
                cells[self._flagged] = flagged(cells[self._flagged], extra)
        return cells

    def _live_cells(self, item: Any) -> Mapping[str, RichCell]:
        view = self.view
        if view is None:
            return {}
        palette = self.palette
        out = {}
        for key, cell in self.kind(item).live_cells(item, view).items():
            column = self._live.get(key)
            drawn = rich_cell(cell, palette, column.width if column is not None else None)
            if cell.sort is None:  # unknown (no figure): last in either direction, not "-"
                drawn.sort_value = None
            out[key] = drawn
        return out


def table_class(owner: Kind[Any], kinds: tuple[Kind[Any], ...]) -> type[KindTable]:
    """The table class of a kind's table (a new kind gets one made for it)."""
    found = _CLASSES.get(owner.name)
    if found is None or kinds != found.KINDS:
        name = "".join(w.title() for w in owner.plural.split()) + "Table"
        found = type(name, (KindTable,), {"KINDS": kinds})
        _CLASSES[owner.name] = found
    return found

"""The columns of a resource kind's table and how they fit the terminal's width (k9s-style).

Headless: a kind declares its columns here; the UI's tables and the printer lay them out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of a resource table."""

    key: str
    label: str
    width: int | None = None
    """A fixed width; None sizes the column to its widest text (up to :attr:`max`)."""
    priority: int = 1
    """0: always shown; columns of higher priority are hidden first when space runs out."""
    live: bool = False
    """Filled from outside the item (metrics, cost, age): not searched, not cached."""
    min: int = 3
    """The narrowest a content-sized column is cut to."""
    max: int = 48
    """The widest a content-sized column grows to (the wide view ignores it)."""
    right: bool = False
    """Right-aligned (numbers)."""
    descending: bool = False
    """Sorting by it (a letter or a click) starts highest first (CPU, memory, cost)."""
    fill: bool = False
    """Takes the width left over once every shown column has its width (up to its natural
    width, past :attr:`max`): a long REASON uses the terminal instead of pushing other
    columns out."""
    letter: str = ""
    """The shift+letter (or ``$``) that sorts by this column, k9s-style; underlined in the
    header. A character of :attr:`label`, unique in its table and bound nowhere else."""
    blank: str = "-"
    """What a live cell the row's kind does not fill shows."""
    flagged: bool = False
    """The row's alert flag (a firing alert) is shown at the start of this column."""
    hide_empty: bool = False
    """Hidden while no row has a text for it (ACCOUNT, with one account watched)."""


def fit_columns(
    columns: Sequence[Column],
    natural: Mapping[str, int],
    width: int,
    pad: int,
    wide: bool,
    keep: str = "",
) -> list[tuple[Column, int, int]]:
    """Which columns show, and how wide, in ``width`` cells.

    Every column wants its natural width (capped at its ``max`` unless ``wide``). Priority 0
    (and the sort column ``keep``) always shows; then each priority in turn: its columns show
    whole when they fit, else cut towards their ``min`` when that makes them fit, else those
    that still fit at their width, left to right; no column of a later priority shows after a
    priority that did not fit whole. If the shown columns still do not fit, the widest
    content-sized ones are cut, down to their ``min``; a ``fill`` column then takes what is
    left, up to its natural width. A ``hide_empty`` column whose natural width is 0 (no row has
    a text for it) is left out.

    Returns:
        (column, x offset, width) of each shown column, left to right.
    """

    def want(c: Column) -> int:
        n = max(natural.get(c.key, c.width or c.min), len(c.label) + (2 if c.key == keep else 0))
        return n if wide or c.width is not None else min(n, c.max)

    def least(c: Column) -> int:
        """The narrowest it may be cut to."""
        return widths[c.key] if c.width is not None else min(widths[c.key], max(c.min, 1))

    columns = [c for c in columns if not c.hide_empty or natural.get(c.key, 0) > 0]
    widths = {c.key: want(c) for c in columns}
    shown = list(columns)
    if not wide:

        def total(cols: Sequence[Column]) -> int:
            return sum(widths[c.key] + 2 * pad for c in cols)

        kept = {c.key for c in columns if c.priority == 0 or c.key == keep}
        used = total([c for c in columns if c.key in kept])
        for level in sorted({c.priority for c in columns if c.key not in kept}):
            group = [c for c in columns if c.priority == level and c.key not in kept]
            whole = total(group)
            if used + whole <= width or used + sum(least(c) + 2 * pad for c in group) <= width:
                kept.update(c.key for c in group)
                used += whole
                if used > width:
                    break  # they show cut: nothing of a later priority
                continue
            for c in group:
                if used + widths[c.key] + 2 * pad <= width:
                    kept.add(c.key)
                    used += widths[c.key] + 2 * pad
            break
        shown = [c for c in columns if c.key in kept]
        excess = total(shown) - width
        while excess > 0:
            flexible = [c for c in shown if c.width is None and widths[c.key] > c.min]
            if not flexible:
                break
            widest = max(flexible, key=lambda c: widths[c.key])
            cut = min(excess, widths[widest.key] - widest.min, max(1, widths[widest.key] // 4))
            widths[widest.key] -= cut
            excess -= cut
        spare = width - total(shown)
        for c in shown:
            if c.fill and spare > 0:
                grown = min(natural.get(c.key, 0), widths[c.key] + spare)
                spare -= max(0, grown - widths[c.key])
                widths[c.key] = max(widths[c.key], grown)
    out: list[tuple[Column, int, int]] = []
    x = 0
    for c in shown:
        out.append((c, x, widths[c.key]))
        x += widths[c.key] + 2 * pad
    return out

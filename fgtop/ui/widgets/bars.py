"""Pure text rendering of metrics for table cells: sparklines and utilisation bars.

No Textual here: these return ``str`` or :class:`rich.text.Text`, ready for a DataTable cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeGuard

from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▏▎▍▌▋▊▉█"
WARN_AT = 70.0
CRIT_AT = 90.0
DEFAULT_LEVEL_STYLES = {"ok": "green", "warn": "yellow", "crit": "bold red", "na": "grey50"}
NA_TASK = "n/a (no Container Insights)"


def _ok(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value)


def sparkline(
    values: Sequence[float | None],
    width: int,
    *,
    lo: float | None = None,
    hi: float | None = None,
) -> str:
    """A one-line sparkline (``▁▂▃▄▅▆▇█``) of ``values``, at most ``width`` characters.

    More values than ``width`` are grouped into ``width`` buckets, each drawn at its maximum
    (a one-minute spike stays visible). Fewer values are right-aligned (newest at the right
    edge). Missing values (None, NaN) are blanks, never a zero bar.

    Args:
        values: Oldest first.
        width: The most characters returned.
        lo: The value drawn as ``▁`` (default: the smallest value).
        hi: The value drawn as ``█`` (default: the largest value).
    """
    if width <= 0 or not values:
        return ""
    if len(values) > width:
        buckets: list[float | None] = []
        for i in range(width):
            chunk = values[i * len(values) // width : (i + 1) * len(values) // width]
            good = [v for v in chunk if _ok(v)]
            buckets.append(max(good) if good else None)
        values = buckets
    good = [v for v in values if _ok(v)]
    if not good:
        return " " * len(values)
    low = min(good) if lo is None else lo
    high = max(good) if hi is None else hi
    span = high - low
    out = []
    for v in values:
        if not _ok(v):
            out.append(" ")
        elif span <= 0:
            out.append(BLOCKS[len(BLOCKS) // 2 - 1])
        else:
            level = (min(max(v, low), high) - low) / span
            out.append(BLOCKS[min(len(BLOCKS) - 1, int(level * len(BLOCKS)))])
    return "".join(out)


def level(percent: float) -> str:
    """``ok``, ``warn`` (>= 70 %) or ``crit`` (>= 90 %)."""
    if percent >= CRIT_AT:
        return "crit"
    if percent >= WARN_AT:
        return "warn"
    return "ok"


def util_bar(
    percent: float | None,
    width: int = 9,
    *,
    styles: Mapping[str, str] | None = None,
    na: str = "-",
) -> Text:
    """A utilisation cell: the number and a small bar, coloured by level.

    ``42% ▍`` style: four characters of number, a space, and a bar in eighths filling the rest
    of ``width`` (100 % fills it; more than 100 % is shown as a full bar in the ``crit`` style).

    Args:
        percent: The utilisation, or None when unknown.
        width: Total characters of the cell.
        styles: Rich styles for ``ok``, ``warn``, ``crit`` and ``na`` (the app passes theme
            colours); defaults to green/yellow/red/grey.
        na: The text when ``percent`` is unknown (e.g. :data:`NA_TASK`).
    """
    st = {**DEFAULT_LEVEL_STYLES, **(styles or {})}
    if percent is None or not math.isfinite(percent):
        return Text(na, style=st["na"], no_wrap=True)
    shown = max(0.0, percent)
    number = f"{shown:3.0f}%" if shown < 999.5 else "999%"
    style = st[level(shown)]
    bar_width = max(0, width - len(number) - 1)
    text = Text(number, style=style, no_wrap=True)
    if bar_width:
        eighths = round(min(shown, 100.0) / 100.0 * bar_width * 8)
        full, part = divmod(eighths, 8)
        bar = "█" * full + (EIGHTHS[part] if part else "")
        text.append(" ")
        text.append(bar.ljust(bar_width), style=style)
    return text

"""The building blocks of a kind's details: titles, key/value tables, folded long text.

Rich renderables (no Textual): the details screen shows them as they are. Outside text goes
through :func:`fgtop.text.sanitize.safe`, never through markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fgtop.derive.decoder import CRITICAL, HIGH, MEDIUM
from fgtop.derive.why_details import Section
from fgtop.text import fmt
from fgtop.text.sanitize import safe, safe_str

LONG_CHARS = 2_000
"""Cap on a reason or message shown in details (the full value is in describe)."""
KEY_CHARS = 80
"""Cap on a label or tag key in the left column."""


def _wrapping(text: Text) -> Text:
    """A cell that wraps at spaces (and folds a word longer than its column) instead of being
    cut: an image URI keeps its tag, an error message its last words."""
    text.no_wrap = False
    text.overflow = "fold"
    return text


def short(value: object, style: str = "") -> Text:
    """A name as a details cell: controls visible, markup literal, capped; folded, never cut."""
    return _wrapping(safe(value, style=style))


def long(value: object, style: str = "") -> Text:
    """A reason, a message or an event: wrapped, up to :data:`LONG_CHARS`."""
    return _wrapping(safe(value, max_chars=LONG_CHARS, style=style))


def key_values(rows: list[tuple[str, str | None]]) -> Table:
    """A two-column grid: bold keys, folded values (``-`` for none)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, max_width=KEY_CHARS)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(
            safe(key, max_chars=KEY_CHARS),
            long(value if value not in (None, "") else "-"),
        )
    return table


def title(kind: str, name: str) -> Text:
    """``Task 4c2b...``: the kind's word and the item's name, bold."""
    text = Text(f"{kind} ", style="bold")
    return text.append_text(safe(name, style="bold"))


_STYLES = {CRITICAL: "bold red", HIGH: "bold red", MEDIUM: "yellow"}


def render_section(section: Section) -> RenderableType:
    """A headless :class:`~fgtop.derive.why_details.Section` as a titled two-column block:
    the time (or label), then the text, folded, outside text made safe."""
    table = Table(title=section.title, title_justify="left", expand=True, show_header=False)
    table.add_column(no_wrap=True, max_width=40)
    table.add_column(overflow="fold")
    for line in section.lines:
        left = Text(fmt.when(line.at)) if line.at is not None else safe(line.label, style="bold")
        # Folded over lines (safe() keeps one line): the sanitised text as a plain Text.
        text = Text(safe_str(line.text, max_chars=LONG_CHARS), style=_STYLES.get(line.severity, ""))
        table.add_row(left, text)
    if section.note:
        return Group(table, Text(section.note, style="dim"))
    return table


def events(rows: Sequence[tuple[Text, ...]], filter_text: str = "") -> Table:
    """The Events table of a details view: one row per event, the last cell folded (no
    header). With ``filter_text``, only the rows containing every word of it, and the title
    says how many of how many (``Events (3 of 12)``)."""
    words = filter_text.lower().split()
    shown = [r for r in rows if all(w in " ".join(c.plain for c in r).lower() for w in words)]
    title = f"Events ({len(shown)} of {len(rows)})" if words else "Events"
    width = max((len(r) for r in rows), default=2)
    table = Table(title=title, title_justify="left", expand=True, show_header=False)
    for i in range(width):
        table.add_column(no_wrap=i < width - 1, overflow="fold")
    for row in shown:
        table.add_row(*row)
    return table

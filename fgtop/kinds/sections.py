"""The building blocks of a kind's details: titles, key/value tables, folded long text.

Rich renderables (no Textual): the details screen shows them as they are. Outside text goes
through :func:`fgtop.text.sanitize.safe`, never through markup.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from fgtop.text.sanitize import safe

LONG_CHARS = 2_000
"""Cap on a reason or message shown in details (the full value is in describe)."""
KEY_CHARS = 80
"""Cap on a label or tag key in the left column."""


def short(value: object, style: str = "") -> Text:
    """A name as a details cell: controls visible, markup literal, capped."""
    return safe(value, style=style)


def long(value: object, style: str = "") -> Text:
    """A reason, a message or an event: folded, up to :data:`LONG_CHARS`."""
    return safe(value, max_chars=LONG_CHARS, style=style)


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

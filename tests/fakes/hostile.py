"""A corpus of hostile strings, one per class, and checks of what a screen shows (test data).

Each vector is something a name, tag, reason or event from AWS or Kubernetes could hold. What
the screen renders must hold none of the control characters, and markup must show literally.
"""

from __future__ import annotations

from collections.abc import Iterable

VECTORS: dict[str, str] = {
    "csi": "\x1b[31mred\x1b[0m\x1b[2J\x1b[H",
    "osc0": "\x1b]0;pwned-title\x07",
    "osc8": "\x1b]8;;https://evil.example/\x1b\\linktext\x1b]8;;\x1b\\",
    "osc52-bel": "\x1b]52;c;ZXZpbA==\x07",
    "osc52-st": "\x1b]52;c;ZXZpbA==\x1b\\",
    "dcs": "\x1bP1$r0m\x1b\\",
    "c1": "\x9b31m\x85\x9d0;c1title\x9c",
    "bel": "bell\x07",
    "nul": "nul\x00",
    "bs": "bs\x08\x08",
    "bidi": "\u202eevil\u202c",
    "rich-link": "[link=https://x]click[/link]",
    "rich-close": "[/] after",
    "rich-style": "[bold red]loud",
    "textual-click": "[@click=app.quit]quit[/]",
    "unbalanced": "[/bold][[]]",
}
"""One hostile string per class."""

EVIL = "".join(VECTORS.values())
"""Every vector at once, for fields that get one value."""
BIG = "B" * 100_000
"""A 100 KB string."""
MARKUP = ("[link=https://x]click[/link]", "[bold red]loud", "[@click=app.quit]quit[/]")
"""Markup that must appear literally on screen wherever EVIL is shown."""

FORBIDDEN = frozenset(
    [chr(c) for c in range(0x00, 0x20) if c not in (0x0A,)]
    + [chr(0x7F)]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
"""Characters that must never reach the terminal (newline is a line break of the screen)."""


def evil(tag: str) -> str:
    """A recognisable hostile value: ``tag`` then every vector."""
    return f"{tag}-{EVIL}"


def bad_chars(text: str) -> set[str]:
    """The forbidden characters in ``text``, as ``repr`` strings for a readable failure."""
    return {repr(c) for c in set(text) & FORBIDDEN}


def leaks(lines: Iterable[str]) -> list[str]:
    """The lines that hold a forbidden character."""
    return [line for line in lines if set(line) & FORBIDDEN]

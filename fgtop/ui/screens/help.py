"""The help screen: every key."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, str, str]] = [
    ("Navigation", "tab / shift+tab", "move between the services table and the task/pod grids"),
    ("Navigation", "enter", "details of the selected service, task or pod"),
    ("Navigation", "esc", "back"),
    ("Navigation", "/", "filter rows (substring over the visible columns); esc clears"),
    ("Navigation", "s / S", "sort by the next column / reverse (or click a header)"),
    ("Live", "r", "refresh now"),
    ("Live", "p", "pause / resume"),
    ("App", "ctrl+p", "command palette"),
    ("App", "?", "this help"),
    ("App", "q", "quit"),
]


class HelpScreen(ModalScreen):
    """A modal list of keys; any of esc, q or ? closes it."""

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__()
        self.keys = keys or KEYS

    def compose(self) -> ComposeResult:
        """The table of keys."""
        table = Table(title="fgtop keys", expand=True)
        table.add_column("Area", style="dim")
        table.add_column("Key", style="bold")
        table.add_column("What it does")
        for area, key, what in self.keys:
            table.add_row(area, key, Text(what))
        with VerticalScroll(id="help"):
            yield Static(table)

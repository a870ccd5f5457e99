"""The help screen: every key and ``:`` command, the current screen's keys first.

Generated from the bindings (their help text is the binding's ``tooltip``) and the command
declarations by :mod:`fgtop.ui.keys`, which the README's tables come from too.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fgtop.ui.keys import KeyRow, command_rows, key_rows
from fgtop.ui.screens.base import insights_offered


class HelpScreen(ModalScreen):
    """A modal list of keys and commands; any of esc, q or ? closes it.

    Args:
        keys: The rows to show (default: every key, ``context``'s first).
        context: The screen help was opened from.
    """

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[KeyRow] | None = None, context: object = None) -> None:
        super().__init__()
        self.keys = keys
        self.context = context

    def compose(self) -> ComposeResult:
        """The table of keys, then the commands."""
        hidden = () if insights_offered(self.app) else ("insights",)
        rows = (
            self.keys
            if self.keys is not None
            else key_rows(self.app.BINDINGS, self.context, hidden)
        )
        table = Table(title="fgtop keys", expand=True)
        table.add_column("Area", style="dim")
        table.add_column("Key", style="bold")
        table.add_column("What it does")
        for row in rows:
            table.add_row(row.area, row.keys, Text(row.what))
        commands = Table(title=": commands", expand=True)
        commands.add_column("Command", style="bold")
        commands.add_column("Aliases", style="dim")
        commands.add_column("What it does")
        for row in command_rows(hidden):
            commands.add_row(row.keys, row.area, Text(row.what))
        with VerticalScroll(id="help"):
            yield Static(Group(table, Text(""), commands))

"""The ``:`` command line over the current screen (k9s-style): ``esc`` returns to that screen.

A modal screen holding the :class:`~fgtop.ui.widgets.command_line.CommandLine` on the line
above the footer: whatever screen was shown stays shown under it (problems, timeline, cost,
logs, details...). It dismisses with ``(command, argument)``, or ``None`` when closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.screen import ModalScreen

from fgtop.paths import history_path
from fgtop.ui.widgets.command_line import CommandLine

Result = tuple[str, str | None] | None
"""What the screen dismisses with: a known command and its argument, or None."""


class CommandScreen(ModalScreen[Result]):
    """The ``:`` line over the current screen.

    Args:
        completions: The values each kind of argument completes from (regions, contexts,
            themes), by kind.
    """

    DEFAULT_CSS = """
    CommandScreen { align: left bottom; background: transparent; }
    CommandScreen > CommandLine { width: 100%; margin-bottom: 1; }
    """

    def __init__(self, completions: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__()
        self.completions = dict(completions or {})
        self._done = False

    def compose(self) -> ComposeResult:
        """The command line."""
        yield CommandLine(history_path=history_path(), id="cmd")

    def on_mount(self) -> None:
        """Supply the completions and open the line."""
        line = self.query_one(CommandLine)
        for kind, values in self.completions.items():
            line.set_completions(kind, list(values))
        line.open()

    def on_command_line_submitted(self, event: CommandLine.Submitted) -> None:
        """A known command: back to the screen under, which carries it out."""
        event.stop()
        self._finish((event.command, event.argument))

    def on_command_line_closed(self, event: CommandLine.Closed) -> None:
        """Closed (``esc``, or an empty line): back to the screen under. A command submitted
        with it is posted after this message, so wait for it."""
        event.stop()
        self.call_later(self._finish, None)

    def _finish(self, result: Result) -> None:
        if not self._done:
            self._done = True
            self.dismiss(result)

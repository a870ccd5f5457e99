"""The k9s-style ``:`` command line: aliases, history, tab completion, one-line errors.

Hidden until :meth:`CommandLine.open` (the app binds ``:`` to it). ``enter`` runs the command
and posts :class:`CommandLine.Submitted` with the canonical command name and its argument;
an unknown command shows one line (with the closest name) and the line stays open to fix.
``esc`` closes it, ``up``/``down`` walk the history, ``tab`` completes command names and the
arguments the app supplies through :meth:`CommandLine.set_completions`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Static

from fgtop.text.sanitize import safe
from fgtop.ui.commands import (
    CommandError,
    CommandSpec,
    commands,
    common_prefix,
    complete,
    parse_command,
)

MAX_HISTORY = 500
"""Commands kept in memory and in the history file."""


class _Suggest(Suggester):
    """Ghost text for the single completion of what is typed."""

    def __init__(self, owner: CommandLine) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._owner = owner

    async def get_suggestion(self, value: str) -> str | None:
        candidates = self._owner.candidates(value)
        return candidates[0] if len(candidates) == 1 else None


class CommandLine(Widget):
    """A ``:`` command line, hidden until opened.

    Args:
        history_path: File to keep the history in between runs (None: memory only).
        table: The command table (default: every command, :func:`fgtop.ui.commands.commands`).
    """

    DEFAULT_CSS = """
    CommandLine { height: auto; display: none; background: $panel; }
    CommandLine.-open { display: block; }
    CommandLine > Horizontal { height: 1; }
    CommandLine #prompt { width: 1; color: $accent; text-style: bold; }
    CommandLine Input { border: none; height: 1; padding: 0; width: 1fr; background: $panel; }
    CommandLine Input:focus { border: none; }
    CommandLine #hint { height: 1; color: $text-muted; display: none; }
    CommandLine #hint.-shown { display: block; }
    CommandLine #hint.-error { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False),
        Binding("up", "history(-1)", "Previous command", show=False),
        Binding("down", "history(1)", "Next command", show=False),
        Binding("escape", "close", "Close", show=False),
    ]

    @property
    def _commands(self) -> tuple[CommandSpec, ...]:
        """The command table (every registered kind's commands when not given)."""
        return self._table if self._table is not None else commands()

    class Submitted(Message):
        """A known command was entered."""

        def __init__(self, command_line: CommandLine, command: str, argument: str | None) -> None:
            super().__init__()
            self.command_line = command_line
            self.command = command
            """Canonical command name (aliases resolved), e.g. ``"services"``."""
            self.argument = argument
            """The argument, or None."""

        @property
        def control(self) -> CommandLine:
            """The command line that posted the message."""
            return self.command_line

    class Closed(Message):
        """The command line was closed (after a command, or with ``esc``)."""

    def __init__(
        self,
        history_path: Path | None = None,
        table: tuple[CommandSpec, ...] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._history_path = history_path
        self._table = table
        self._values: dict[str, list[str]] = {}
        self._history: list[str] = []
        self._position: int | None = None
        self._draft = ""
        self._cycle: list[str] = []
        self._completed: str | None = None
        self._return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(":", id="prompt")
            yield Input(id="command", suggester=_Suggest(self), select_on_focus=False)
        yield Static(id="hint", markup=False)

    def on_mount(self) -> None:
        self._history = self._read_history()

    @property
    def input(self) -> Input:
        """The text input inside."""
        return self.query_one("#command", Input)

    @property
    def is_open(self) -> bool:
        """Whether the command line is shown."""
        return self.has_class("-open")

    @property
    def history(self) -> list[str]:
        """Previous commands, oldest first."""
        return list(self._history)

    def set_completions(self, kind: str, values: list[str]) -> None:
        """Supply the values an argument of ``kind`` completes from.

        Args:
            kind: "regions", "contexts" or "themes" (the ``arg`` of a command).
            values: The values, in the order to offer them.
        """
        self._values[kind] = list(values)

    def candidates(self, text: str) -> list[str]:
        """Full command lines completing ``text``."""
        return complete(text, self._values, self._commands)

    def open(self, text: str = "") -> None:
        """Show the command line with ``text`` typed, and focus it."""
        focused = self.app.focused
        if not self.is_open:
            self._return_focus = None if focused is self.input else focused
        self.add_class("-open")
        self._position = None
        self._cycle = []
        self._set_hint("")
        self.input.value = text
        self.input.cursor_position = len(text)
        self.input.focus()

    def close(self) -> None:
        """Hide the command line and give focus back to where it was."""
        if not self.is_open:
            return
        self.remove_class("-open")
        self.input.value = ""
        self._set_hint("")
        target = self._return_focus
        self._return_focus = None
        if target is not None and target.is_attached:
            target.focus()
        else:
            self.screen.set_focus(None)
        self.post_message(self.Closed())

    def action_close(self) -> None:
        """Close without running anything."""
        self.close()

    def action_history(self, step: int) -> None:
        """Recall the previous (``-1``) or next (``1``) command."""
        if not self._history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.input.value
            self._position = len(self._history)
        self._position = max(0, self._position + step)
        if self._position >= len(self._history):
            self._position = None
            self._replace(self._draft)
        else:
            self._replace(self._history[self._position])

    def action_complete(self) -> None:
        """Complete the command or argument; repeated presses cycle through the choices."""
        value = self.input.value
        if self._cycle and value == self._completed:
            index = (self._cycle.index(value) + 1) % len(self._cycle) if value in self._cycle else 0
            self._replace(self._cycle[index], completed=True)
            return
        candidates = self.candidates(value)
        if not candidates:
            self._set_hint("no completion", error=True)
            return
        if len(candidates) == 1:
            self._cycle = []
            self._replace(candidates[0])
            self._set_hint("")
            return
        prefix = common_prefix(candidates)
        self._cycle = candidates
        self._set_hint("  ".join(c.strip().rsplit(" ", 1)[-1] for c in candidates))
        if len(prefix) > len(value):
            self._replace(prefix, completed=False)
        else:
            self._replace(candidates[0], completed=True)

    def _replace(self, text: str, completed: bool = False) -> None:
        self._completed = text if completed else None
        self.input.value = text
        self.input.cursor_position = len(text)

    def _set_hint(self, message: str, error: bool = False) -> None:
        hint = self.query_one("#hint", Static)
        hint.update(safe(message))  # completions hold service and pod names
        hint.set_class(bool(message), "-shown")
        hint.set_class(error, "-error")

    @on(Input.Changed, "#command")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self._completed:
            self._cycle = []
            self._completed = None
            if self.query_one("#hint").has_class("-error"):
                self._set_hint("")

    @on(Input.Submitted, "#command")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip().removeprefix(":").strip()
        if not text:
            self.close()
            return
        self._remember(text)
        self._position = None
        try:
            command, argument = parse_command(text, self._commands)
        except CommandError as exc:
            self._set_hint(str(exc), error=True)
            return
        self.close()
        self.post_message(self.Submitted(self, command, argument))

    def _remember(self, text: str) -> None:
        if self._history and self._history[-1] == text:
            return
        self._history.append(text)
        del self._history[:-MAX_HISTORY]
        if self._history_path is None:
            return
        with contextlib.suppress(OSError):
            self._history_path.parent.mkdir(parents=True, exist_ok=True)
            with self._history_path.open("a", encoding="utf-8") as out:
                out.write(text.replace("\n", " ") + "\n")
            if self._history_path.stat().st_size > MAX_HISTORY * 200:
                self._history_path.write_text("\n".join(self._history) + "\n", encoding="utf-8")

    def _read_history(self) -> list[str]:
        if self._history_path is None:
            return []
        try:
            lines = self._history_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        return [line for line in lines if line.strip()][-MAX_HISTORY:]

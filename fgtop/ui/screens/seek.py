"""The seek prompt (``G``): where to jump to in a replay, as a local time or a relative jump.

The grammar is :func:`fgtop.text.moments.parse_moment`, the one ``fgtop snapshot --at`` takes.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from fgtop.feed import Feed
from fgtop.text.moments import FORMS, parse_moment


class SeekScreen(ModalScreen[float | None]):
    """One line at the bottom; enter seeks, esc cancels. Dismisses with the target time."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SeekScreen { align: center bottom; background: $background 30%; }
    SeekScreen > Input { width: 100%; }
    """

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed
        """Whose clock a relative jump starts from."""

    def compose(self) -> ComposeResult:
        """The input."""
        yield Input(
            placeholder="seek to HH:MM[:SS] (local), an ISO time or +5m / -90s"
            " — enter seeks, esc cancels",
            id="seek",
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Parse and seek, or say what is wrong and stay."""
        event.stop()
        clock = self.feed.clock
        try:
            target = parse_moment(event.value, now=clock.now, start=clock.start, end=clock.end)
        except ValueError:
            text = event.value.strip()
            self.notify(f"cannot seek to {text!r}: use {FORMS}", severity="error", markup=False)
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        """Close without seeking."""
        self.dismiss(None)

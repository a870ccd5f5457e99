"""A filter bar: hidden until opened, filters as you type, enter keeps, esc clears."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """The ``/`` filter of a screen.

    It says what happened with its own messages; the screen filters on :class:`Edited` and
    gives the focus back to its table on :class:`Done`.
    """

    class Edited(Message):
        """The filter text changed (also to "" when cleared)."""

        def __init__(self, bar: FilterBar, text: str) -> None:
            self.bar = bar
            self.text = text
            super().__init__()

    class Done(Message):
        """The user left the bar (enter keeps the filter, esc cleared it)."""

        def __init__(self, bar: FilterBar) -> None:
            self.bar = bar
            super().__init__()

    def on_mount(self) -> None:
        """Hidden until opened."""
        self.display = bool(self.value)

    def open(self) -> None:
        """Show the bar and focus it."""
        self.display = True
        self.focus()

    def clear_filter(self) -> None:
        """Empty the bar, hide it, say so."""
        self.value = ""
        self.display = False
        self.post_message(self.Edited(self, ""))
        self.post_message(self.Done(self))

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self.post_message(self.Edited(self, value))

    async def action_submit(self) -> None:
        """Enter keeps the filter (the bar stays shown while it filters)."""
        self.display = bool(self.value)
        self.post_message(self.Done(self))

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.clear_filter()
            return
        await super()._on_key(event)

"""The terminal driver: Textual's Linux driver, with a lone ``esc`` answered in ~25 ms.

A terminal sends the escape key as the byte ESC, which also starts every escape sequence
(arrows, function keys, mouse), so the input parser waits ``ESCAPE_DELAY`` for more bytes
before it calls it ``esc``. Textual's delay is 100 ms (``ESCDELAY``, as ncurses calls it), and
its input thread notices the delay has passed only when its ``select`` wakes, every 100 ms:
``esc`` reached the screen 146-260 ms after the key (a real terminal, issue 22), where every
other key took 30-75 ms. Here the delay is 25 ms unless ``ESCDELAY`` is set, and the input
thread wakes when the delay ends. Sequences arrive in one read in practice (a terminal writes
them at once; vim waits 100 ms, neovim 50, tmux 10).
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual import constants
from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

ESCAPE_DELAY = 0.025
"""Seconds a lone ESC waits for the rest of a sequence before it is the ``esc`` key."""
IDLE_WAKE = 0.1
"""Seconds the input thread waits for input when no sequence is pending (Textual's own)."""


def driver_for(chosen: type[Driver]) -> type[Driver]:
    """The driver to run: :class:`QuickEscapeDriver` where Textual chose its Linux driver
    (a terminal on Linux or macOS), else Textual's choice (Windows, the web, headless)."""
    return QuickEscapeDriver if chosen is LinuxDriver else chosen


class QuickEscapeDriver(LinuxDriver):
    """Textual's Linux driver whose input thread answers a lone ESC after :data:`ESCAPE_DELAY`."""

    def start_application_mode(self) -> None:
        """Set the shorter escape delay (unless ``ESCDELAY`` says otherwise), then start."""
        if "ESCDELAY" not in os.environ:
            constants.ESCAPE_DELAY = ESCAPE_DELAY  # type: ignore[misc]
        super().start_application_mode()

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop; the wait ends when a pending
        escape sequence's delay does, not up to 100 ms later)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick
        decode = getincrementaldecoder("utf-8")().decode
        read = os.read

        def wait() -> float:
            pending = getattr(parser, "_timeout_time", None)
            if pending is None:
                return IDLE_WAKE
            return min(IDLE_WAKE, max(0.0, pending - get_time()) + 0.001)

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for last, (_key, mask) in loop_last(events):
                if mask & selectors.EVENT_READ:
                    data = decode(read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break
                    for event in feed(data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(wait()))
            selector.unregister(self.fileno)
            process(selector.select(IDLE_WAKE), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass

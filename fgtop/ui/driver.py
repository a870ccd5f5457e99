"""The terminal driver: Textual's Linux driver, with a lone ``esc`` answered in ~25 ms.

A terminal sends the escape key as the byte ESC, which also starts every escape sequence
(arrows, function keys, mouse), so the input parser waits ``ESCAPE_DELAY`` for more bytes
before it calls it ``esc``. Textual's delay is 100 ms (``ESCDELAY``, as ncurses calls it), and
its input thread notices the delay has passed only when its ``select`` wakes, every 100 ms:
``esc`` reached the screen 146-260 ms after the key (a real terminal, issue 22), where every
other key took 30-75 ms. Here the delay is 25 ms unless ``ESCDELAY`` is set, and the input
thread wakes when the delay ends. Sequences arrive in one read in practice (a terminal writes
them at once; vim waits 100 ms, neovim 50, tmux 10).

Leaving: Textual's input thread noticed the exit only when its ``select`` woke (up to 100 ms),
then slept another 100 ms in a ``select`` with nothing registered, while the UI's thread joined
it: the UI's loop stood 100-200 ms still on every quit (the soak's largest "stall", issue 22).
Here a pipe wakes the thread as soon as the exit is signalled.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
from codecs import getincrementaldecoder
from typing import Any

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


class _WakingEvent(threading.Event):
    """The input thread's exit event: setting it also wakes the thread's ``select``."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_fd: int | None = None

    def set(self) -> None:
        super().set()
        fd = self.wake_fd
        if fd is not None:
            with contextlib.suppress(OSError):  # closed: the thread has already left
                os.write(fd, b"x")


class QuickEscapeDriver(LinuxDriver):
    """Textual's Linux driver whose input thread answers a lone ESC after :data:`ESCAPE_DELAY`
    and leaves as soon as the exit is signalled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exit_event = _WakingEvent()

    def start_application_mode(self) -> None:
        """Set the shorter escape delay (unless ``ESCDELAY`` says otherwise), then start."""
        if "ESCDELAY" not in os.environ:
            constants.ESCAPE_DELAY = ESCAPE_DELAY  # type: ignore[misc]
        super().start_application_mode()

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop; the wait ends when a pending
        escape sequence's delay does, not up to 100 ms later; it ends when the exit event is
        set, not at the next wake)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        woken, wake = os.pipe()
        selector.register(woken, selectors.EVENT_READ)
        exit_event = self.exit_event
        if isinstance(exit_event, _WakingEvent):
            exit_event.wake_fd = wake
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
            for last, (key, mask) in loop_last(events):
                if key.fd == fileno and mask & selectors.EVENT_READ:
                    data = decode(read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break
                    for event in feed(data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not exit_event.is_set():
                process(selector.select(wait()))
            selector.unregister(self.fileno)
            process(selector.select(IDLE_WAKE), final=True)  # the wake byte: at once
        finally:
            if isinstance(exit_event, _WakingEvent):
                exit_event.wake_fd = None
            selector.close()
            os.close(woken)
            os.close(wake)
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass

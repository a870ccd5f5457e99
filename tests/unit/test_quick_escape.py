"""A lone ``esc`` is a key ~25 ms after the byte arrives, not 100-200 ms (fgtop.ui.driver).

The driver's real input thread reads a pseudo-terminal; the test writes what a terminal
sends and times the key events the thread hands on.
"""

from __future__ import annotations

import os
import pty
import threading
import time
import tty

import pytest
from textual import constants, events
from textual.drivers.linux_driver import LinuxDriver

from fgtop.ui.driver import ESCAPE_DELAY, QuickEscapeDriver, driver_for


def keys_after(driver_class: type[LinuxDriver], sent: bytes, wanted: str) -> float:
    """Seconds from writing ``sent`` to the terminal until the key ``wanted`` is handed on."""
    master, slave = pty.openpty()
    tty.setraw(slave)  # as the driver's application mode sets it: bytes as they come
    got: list[tuple[float, str]] = []
    seen = threading.Event()

    class Observed(driver_class):  # type: ignore[misc, valid-type]
        def process_message(self, message) -> None:  # noqa: ANN001
            if isinstance(message, events.Key):
                got.append((time.perf_counter(), message.key))
                if message.key == wanted:
                    seen.set()

    driver = Observed(None, debug=False, mouse=False, size=(80, 24))  # type: ignore[arg-type]
    driver.fileno = slave
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        time.sleep(0.15)  # the thread is waiting on the terminal
        sent_at = time.perf_counter()
        os.write(master, sent)
        assert seen.wait(2.0), f"no {wanted!r} key: {got}"
        return next(t for t, k in got if k == wanted) - sent_at
    finally:
        driver.exit_event.set()
        thread.join(1.0)
        os.close(master)
        os.close(slave)


async def test_a_lone_escape_is_a_key_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "ESCAPE_DELAY", ESCAPE_DELAY)
    took = min(keys_after(QuickEscapeDriver, b"\x1b", "escape") for _ in range(3))
    assert took < 0.075, f"esc took {took * 1000:.0f} ms"


async def test_sequences_are_still_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "ESCAPE_DELAY", ESCAPE_DELAY)
    assert keys_after(QuickEscapeDriver, b"\x1b[A", "up") < 1.0
    assert keys_after(QuickEscapeDriver, b"/", "slash") < 1.0


async def test_the_delay_is_short_unless_escdelay_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.1)
    monkeypatch.delenv("ESCDELAY", raising=False)
    monkeypatch.setattr(LinuxDriver, "start_application_mode", lambda self: None)
    QuickEscapeDriver(None, debug=False, mouse=False, size=(80, 24)).start_application_mode()  # type: ignore[arg-type]
    assert constants.ESCAPE_DELAY == ESCAPE_DELAY
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.1)
    monkeypatch.setenv("ESCDELAY", "100")
    QuickEscapeDriver(None, debug=False, mouse=False, size=(80, 24)).start_application_mode()  # type: ignore[arg-type]
    assert constants.ESCAPE_DELAY == 0.1
    assert driver_for(LinuxDriver) is QuickEscapeDriver


def leaving_takes(driver_class: type[LinuxDriver]) -> float:
    """Seconds from the exit being signalled (as ``disable_input`` does) to the input thread's
    end, the thread idle on a terminal (the UI's thread joins it meanwhile: on every quit)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    driver = driver_class(None, debug=False, mouse=False, size=(80, 24))  # type: ignore[arg-type]
    driver.fileno = slave
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        time.sleep(0.15)  # the thread is waiting on the terminal
        signalled = time.perf_counter()
        driver.exit_event.set()
        thread.join(2.0)
        assert not thread.is_alive()
        return time.perf_counter() - signalled
    finally:
        os.close(master)
        os.close(slave)


async def test_the_input_thread_leaves_as_soon_as_the_exit_is_signalled() -> None:
    took = min(leaving_takes(QuickEscapeDriver) for _ in range(3))
    assert took < 0.03, f"the input thread took {took * 1000:.0f} ms to leave"


async def test_the_driver_can_start_again_after_leaving() -> None:
    # suspend / resume: a second input thread gets its own wake pipe.
    assert leaving_takes(QuickEscapeDriver) < 1.0
    driver = QuickEscapeDriver(None, debug=False, mouse=False, size=(80, 24))
    master, slave = pty.openpty()
    tty.setraw(slave)
    driver.fileno = slave
    try:
        for _ in range(2):
            thread = threading.Thread(target=driver.run_input_thread, daemon=True)
            thread.start()
            time.sleep(0.05)
            driver.exit_event.set()
            thread.join(1.0)
            assert not thread.is_alive()
            driver.exit_event.clear()
    finally:
        os.close(master)
        os.close(slave)

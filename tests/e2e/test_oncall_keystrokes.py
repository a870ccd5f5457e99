"""The on-call path, end to end: from `fgtop demo` to the crash-looping service's OOM lines.

The installed command runs in a real pseudo-terminal; the test counts the keystrokes and pins
the number (README: "The on-call path"). Fewer is better: if this count drops, lower it here.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

DOWN = "\x1b[B"
KEYS = [DOWN, DOWN, "l"]
"""From the landing problems view: two rows down to the shop-recs OOM row, then `l`."""
PINNED = 3


@pytest.mark.e2e
def test_keystrokes_from_demo_to_the_oom_log_lines(tmp_path: Path) -> None:
    # Without COLUMNS and LINES (pytest-xdist's workers set 80 and 24): the pty's own size.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("KUBECONFIG", "COLUMNS", "LINES")
    }
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / ".config"),
        TERM="xterm-256color",
        TZ="UTC",
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fgtop", "demo"],
        env=env,
        dimensions=(50, 200),
        encoding="utf-8",
        timeout=30,
    )
    try:
        # fgtop lands on the problems view: something is wrong in the demo.
        # The screen is drawn in any order: both words, whichever comes first in the stream.
        child.expect(r"(?s)problems.*oom|oom.*problems")
        time.sleep(0.5)
        for key in KEYS:
            child.send(key)
            time.sleep(0.4)
        # The logs of the last OOM-killed task, around the moment it was killed.
        child.expect("logs of task")
        child.expect("OutOfMemoryError")
        assert len(KEYS) == PINNED
    finally:
        child.sendcontrol("c") if child.isalive() else None
        child.send("q") if child.isalive() else None
        child.expect(pexpect.EOF, timeout=10) if child.isalive() else None
        child.close(force=True)

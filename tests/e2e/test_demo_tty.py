"""``fgtop demo`` in a real pseudo-terminal: no AWS configuration, the incident on screen, q quits."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.e2e


def bare_env(home: Path) -> dict[str, str]:
    """No AWS_* variables, no kubeconfig, an empty HOME, a 256-colour terminal."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "XDG_")) and k != "KUBECONFIG"
    }
    env.update(HOME=str(home), TERM="xterm-256color", COLUMNS="200", LINES="50")
    return env


def test_demo_in_a_pty_shows_the_incident_and_quits_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    start = time.monotonic()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fgtop", "demo"],
        env=bare_env(home),
        cwd=str(home),
        dimensions=(50, 200),
        timeout=20,
    )
    try:
        # The first full frame: the DEMO badge with the recording's time, then the incident.
        child.expect("DEMO")
        child.expect("shop-recs")
        first_frame = time.monotonic() - start
        # It opens on the problems (the demo is an incident); esc goes to the dashboard.
        child.expect("CRIT")
        child.send("\x1b")
        child.expect(r"Tasks \(\d+\)")
        # The services table's header; its sort letter V is underlined (styles between letters).
        child.expect(rb"SER(\x1b\[[0-9;]*m)*V(\x1b\[[0-9;]*m)*ICE")
        dashboard = time.monotonic() - start
        with capsys.disabled():
            print(
                f"\nfgtop demo in a pty: first full frame {first_frame:.2f}s after launch,"
                f" dashboard after esc {dashboard:.2f}s"
            )
        child.send("q")
        child.expect(pexpect.EOF, timeout=15)
        tail = child.before.decode("utf-8", "replace")
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, tail[-2000:]
    assert "Traceback" not in tail
    # Nothing printed after the app left the alternate screen (the demo's own screen shows
    # CannotPullContainerError: shop-search's failed tasks are on the dashboard at its opening).
    assert "\x1b[?1049l" in tail
    assert "Error" not in tail.rsplit("\x1b[?1049l", 1)[-1]
    assert not list(home.iterdir()) or all(p.name.startswith(".") for p in home.iterdir())

"""Issue 14, item 1, end to end: the keystrokes that crashed fgtop (IndexError: deque index out
of range) run in a real pseudo-terminal against the installed command.

``↓ ↓ l`` (the logs of the OOM-killed task), ``f OutOfMemory enter`` (filter), ``c ↓ ↓ enter``
(pick the otel-collector container), ``esc`` (clears the filter: esc clears first, then goes
back) and ``esc`` back to the problems view, ``q``: fgtop exits 0 and prints no traceback.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.e2e

DOWN = "\x1b[B"
ENTER = "\r"
ESC = "\x1b"


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "XDG_")) and k != "KUBECONFIG"
    }
    env.update(HOME=str(home), TERM="xterm-256color", TZ="UTC")
    return env


def _keys(child, *keys: str) -> None:  # noqa: ANN001 - a pexpect child
    """Type keys one by one, as a person does (Textual reads an escape alone as esc)."""
    for key in keys:
        child.send(key)
        time.sleep(0.35)


def test_filter_then_pick_a_container_then_esc_back_no_crash(tmp_path: Path) -> None:
    """At 80x24, the smallest supported terminal (it also passes at 160x48; one size keeps the
    suite fast: the crash did not depend on the size)."""
    home = tmp_path / "home"
    home.mkdir()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fgtop", "demo"],
        env=_env(home),
        cwd=str(home),
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=30,
    )
    try:
        child.expect("problems")
        child.expect("shop-recs")  # the OOM-killed service's row (third; KIND is off at 80)
        time.sleep(0.5)
        _keys(child, DOWN, DOWN, "l")
        child.expect("logs of task")
        child.expect(r"[1-9]\d*/\d+ lines")  # the lines have landed; the view has the keys
        time.sleep(0.5)
        _keys(child, "f", *"OutOfMemory", ENTER)
        child.expect("filter 'OutOfMemory'")  # the status line: the filter is on
        _keys(child, "c", DOWN, DOWN, ENTER)
        child.expect("otel-collector")
        time.sleep(1.0)  # new lines and the filter re-apply on the picked container
        assert child.isalive(), "fgtop exited after picking a container"
        _keys(child, ESC)  # clears the filter
        child.expect("following")
        _keys(child, ESC)  # back
        child.expect("SEV")  # the problems view's header again
        child.expect(r"\d+ problems")
        _keys(child, "q")
        child.expect(pexpect.EOF, timeout=15)
        tail = child.before or ""
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, tail[-2000:]
    assert "Traceback" not in tail and "IndexError" not in tail

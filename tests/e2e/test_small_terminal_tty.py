"""Issue 27 in a real terminal: the installed command in tmux at 80x24, read back from the
screen tmux shows (``capture-pane``).

The demo lands on the problems view with ``esc`` and ``?`` first in the footer; ``↓ ↓ l`` shows
the ``OutOfMemoryError`` line, following, without ``End``; ``esc esc`` reaches the dashboard,
whose task grid shows TASK, STATUS, CPU% and MEM% first; ``:`` opens over it and ``esc``
closes it; ``q`` quits.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TMUX = shutil.which("tmux")


class Tmux:
    """One tmux session on a private server socket."""

    def __init__(self, socket: str, name: str) -> None:
        self.socket = socket
        self.name = name
        self.status = Path()
        """The file the command's exit status is written to."""

    def run(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def keys(self, *keys: str, pause: float = 0.4) -> None:
        """Send keys one by one, as a person types (an escape alone is read as esc)."""
        for key in keys:
            self.run("send-keys", "-t", self.name, key)
            time.sleep(pause)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait(self, ok: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if ok(shown):
                return shown
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{shown}"
            time.sleep(0.2)


def start_demo(tmp_path: Path, width: int = 80, height: int = 24) -> Iterator[Tmux]:
    """``fgtop demo`` (the installed command, a clean environment) in a tmux session of
    ``width`` x ``height`` on a private server; the server is killed after."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "TERM": "xterm-256color",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = " ".join(
        [
            "env",
            "-i",
            *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
            shlex.quote(sys.executable),
            "-m",
            "fgtop",
            "demo",
        ]
    )
    # The exit status through a shell: tmux 3.3a sometimes leaves a pane's process that exited
    # unreaped (a zombie, the pane dead with no status), so it is not read from tmux.
    status = tmp_path / "status"
    command = f"sh -c {shlex.quote(f'{command}; echo $? > {shlex.quote(str(status))}')}"
    session = Tmux(f"fgtop-e2e-{os.getpid()}-{tmp_path.name}", "fgtop")
    session.run("new-session", "-d", "-s", "fgtop", "-x", str(width), "-y", str(height), command)
    try:
        session.status = status
        yield session
    finally:
        session.run("kill-server")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    yield from start_demo(tmp_path)


def test_the_on_call_path_at_80x24_in_tmux(tmux: Tmux, capsys: pytest.CaptureFixture[str]) -> None:
    problems = tmux.wait(
        lambda s: "CRIT" in s and "Help" in s.rstrip("\n").splitlines()[-1], "the problems view"
    )
    footer = problems.rstrip("\n").splitlines()[-1]
    assert footer.split()[:4] == ["esc", "Back", "?", "Help"], footer
    time.sleep(0.5)
    tmux.keys("Down", "Down", "l")
    logs = tmux.wait(lambda s: "OutOfMemoryError" in s, "the OOM line, without End")
    assert "following" in logs
    tmux.keys("Escape")
    tmux.wait(lambda s: "SEV" in s and "problems" in s, "back on the problems")
    tmux.keys("Escape")
    dashboard = tmux.wait(lambda s: "Tasks (" in s, "the dashboard")
    header = next(line for line in dashboard.splitlines() if line.lstrip().startswith("TASK"))
    assert [w for w in header.split() if w not in "▲▼"][:4] == ["TASK", "STATUS", "CPU%", "MEM%"]
    assert "? Help" in dashboard.splitlines()[-1]
    tmux.keys(":")
    prompt = tmux.wait(lambda s: s.splitlines()[-2].startswith(":"), "the : line")
    assert "Tasks (" in prompt  # over the dashboard, which stays shown
    tmux.keys("Escape")
    tmux.wait(lambda s: not s.splitlines()[-2].startswith(":"), "the : line closed")
    with capsys.disabled():
        print("\n" + dashboard)
    tmux.keys("q")
    deadline = time.monotonic() + 15
    while not tmux.status.exists() or not tmux.status.read_text().strip():
        assert time.monotonic() < deadline, "fgtop did not exit on q"
        time.sleep(0.2)
    assert tmux.status.read_text().strip() == "0"  # exited, with status 0

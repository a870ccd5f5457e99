"""50 days of hourly segments (1,200 files) replayed and followed under ``ulimit -n 256``.

The installed command runs in a pseudo-terminal with RLIMIT_NOFILE set before it starts; the
files it holds open are counted in /proc while it shows the first and the newest frames, and
while a follower picks up new segments.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pexpect
import pytest

from fgtop.model import LogLine, Snapshot, SourceHealth
from fgtop.recording import writer
from fgtop.recording.segments import SegmentedRecorder, list_segments
from fgtop.recording.timeline import MAX_OPEN

ROOT = Path(__file__).resolve().parents[2]
SEGMENTS = 1200
NOFILE = 256
T0 = 1_800_000_000.0


def snap(t: float, i: int) -> Snapshot:
    return Snapshot(
        taken_at=t, notes=(str(i),), sources=(SourceHealth(name="ecs", api_calls=10 * i),)
    )


def write_segments(directory: Path, first: int, count: int) -> None:
    """``count`` hourly segments of one frame and one log line each, numbered from ``first``."""
    t = T0 + first * 3600.0
    clock = [t]
    rec = SegmentedRecorder(directory, clock=lambda: clock[0], segment=3600)
    for i in range(first, first + count):
        rec.write_snapshot(snap(clock[0], i))
        line = LogLine("arn:task", "app", clock[0], f"line {i}", str(i), "s")
        rec.write_logs([line])
        clock[0] += 3600.0
    rec.close()


@pytest.fixture
def flight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(writer, "LEVEL", 1)  # test data: level 9 costs 15 ms a segment
    directory = tmp_path / "flight"
    write_segments(directory, 0, SEGMENTS)
    assert len(list_segments(directory)) == SEGMENTS
    return directory


class Screen:
    """The installed command in a pty, under ``ulimit -n 256``."""

    def __init__(self, *args: str, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=str(home), TERM="xterm-256color", PYTHONPATH=str(ROOT))
        env.pop("XDG_CONFIG_HOME", None)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "fgtop", *args],
            env=env,
            cwd=str(home),
            dimensions=(30, 160),
            timeout=None,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE)),
        )
        self.text = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=None)
            except (pexpect.EOF, pexpect.TIMEOUT, OSError, ValueError):
                return
            with self._lock:
                self.text += data.decode("utf-8", "replace")

    def wait_for(self, pattern: str, since: int = 0, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if re.search(pattern, self.text[since:]):
                    return
                text = self.text
            assert self.child.isalive(), text[-2000:]
            assert time.monotonic() < deadline, f"no {pattern!r} in {text[-2000:]!r}"
            time.sleep(0.1)

    def mark(self) -> int:
        with self._lock:
            return len(self.text)

    def open_files(self) -> int:
        """Regular files the command holds open (its recordings; not pipes, ttys, sockets)."""
        n = 0
        for fd in os.listdir(f"/proc/{self.child.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{self.child.pid}/fd/{fd}")
            except OSError:
                continue
            n += target.endswith(".fgrec")
        return n

    def close(self) -> str:
        self.child.close(force=True)
        with self._lock:
            return self.text


def test_replay_of_1200_segments_under_ulimit_256(flight: Path, tmp_path: Path) -> None:
    screen = Screen("replay", str(flight), home=tmp_path)
    try:
        screen.wait_for("REPLAY")
        at_start = screen.open_files()
        mark = screen.mark()
        screen.child.send("]")  # the newest frame: the last segment
        screen.wait_for(r"API calls 11990(?!\d)", since=mark)
        mark = screen.mark()
        screen.child.send("[")  # and back to the first
        screen.wait_for(r"API calls 0(?!\d)", since=mark)
        assert max(at_start, screen.open_files()) <= MAX_OPEN
    finally:
        text = screen.close()
    assert "Too many open files" not in text and "Traceback" not in text


def test_follow_of_1200_segments_under_ulimit_256(flight: Path, tmp_path: Path) -> None:
    screen = Screen("replay", "--follow", str(flight), home=tmp_path)
    try:
        screen.wait_for("FOLLOWING")
        screen.wait_for(r"recorder's API calls 11990(?!\d)")
        for more in range(3):  # the recorder goes on: three more segments, each followed
            mark = screen.mark()
            write_segments(flight, SEGMENTS + more, 1)
            screen.wait_for(rf"recorder's API calls {10 * (SEGMENTS + more)}(?!\d)", since=mark)
            assert screen.open_files() <= MAX_OPEN
    finally:
        text = screen.close()
    assert "Too many open files" not in text and "Traceback" not in text


def test_too_many_open_files_is_named_as_what_it_is(tmp_path: Path) -> None:
    """Under a limit too low for anything, the line names the limit, not a file to blame."""
    directory = tmp_path / "flight"
    write_segments(directory, 0, 3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XDG_"))}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-m", "fgtop", "replay", str(directory)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (6, 6)),
    )
    assert out.returncode == 2
    assert out.stderr.startswith(
        "fgtop: too many open files: this process may open 6 (raise it with ulimit -n)"
    ), out.stderr
    assert out.stderr.count("\n") == 1

"""One poller, many viewers: ``fgtop record -o DIR`` against moto (behind the counting proxy),
three ``fgtop replay --follow DIR`` in pseudo-terminals with no AWS configuration at all, the
recorder killed with -9 and started again; ``fgtop serve`` and its token."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp
import pexpect
import pytest
import requests

from fgtop.recording.segments import Timeline, list_segments
from tests.fakes.fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]


def recorder(out: Path, *extra: str) -> subprocess.Popen[str]:
    """``fgtop record -o DIR`` against the proxy (the test's AWS_* environment)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fgtop",
            "record",
            "-o",
            str(out),
            "--segment",
            "3s",
            "--region",
            "us-east-1",
            "--refresh",
            "1",
            "--api-budget",
            "50",
            "--no-logs",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def bare_env(home: Path) -> dict[str, str]:
    """No AWS_* variable (no credentials, no endpoint), no kubeconfig, an empty HOME."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "XDG_")) and k != "KUBECONFIG"
    }
    env.update(
        HOME=str(home), TERM="xterm-256color", COLUMNS="160", LINES="30", PYTHONPATH=str(ROOT)
    )
    return env


class Screen:
    """A follower in a pty; a thread keeps the text it printed (escape sequences and all)."""

    def __init__(self, directory: Path, home: Path) -> None:
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "fgtop", "replay", "--follow", str(directory)],
            env=bare_env(home),
            cwd=str(home),
            dimensions=(30, 160),
            timeout=None,
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

    def shows(self, needle: str) -> bool:
        with self._lock:
            return needle in self.text

    def mark(self) -> int:
        """Where the text printed so far ends."""
        with self._lock:
            return len(self.text)

    def matches(self, pattern: str, since: int = 0) -> bool:
        with self._lock:
            return re.search(pattern, self.text[since:]) is not None

    def close(self) -> None:
        self.child.close(force=True)


async def wait_until(condition, what: str, timeout: float = 45.0) -> None:  # noqa: ANN001
    """Wait for ``condition`` with a deadline, the event loop (the proxy) running meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def parts(directory: Path) -> int:
    """How many segments hold a frame."""
    with Timeline(directory, pending_ok=True) as timeline:
        return len(timeline.parts)


def stale_recorded(directory: Path) -> bool:
    """Whether the newest frame has a failed, stale source."""
    with Timeline(directory, pending_ok=True) as timeline:
        if not len(timeline):
            return False
        return any(h.stale and not h.ok for h in timeline.frame(-1).sources)


def newest_calls(directory: Path) -> int:
    """The API calls the newest recorded frame carries (the recorder's own count)."""
    with Timeline(directory) as timeline:
        return timeline.frame(-1).api_calls


async def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _out, err = await asyncio.to_thread(proc.communicate, timeout=30)
    assert proc.returncode == 0, err
    return err


async def test_one_recorder_three_followers_rotation_kill_and_restart(
    web_proxy: FaultProxy, tmp_path: Path
) -> None:
    out = tmp_path / "flight"
    home = tmp_path / "home"
    home.mkdir()
    rec = recorder(out)
    screens: list[Screen] = []
    try:
        # Followers started before the first frame wait for it.
        screens = [Screen(out, home) for _ in range(3)]
        await wait_until(
            lambda: len(list_segments(out)) >= 2 or rec.poll() is not None, "a rotation"
        )
        assert rec.poll() is None, rec.communicate()[1]
        for s in screens:
            await wait_until(lambda s=s: s.shows("FOLLOWING"), "a follower following")
        # A transient API failure: the recording marks the source stale and goes on.
        web_proxy.fail.add("DescribeTasks")
        await wait_until(lambda: stale_recorded(out), "a frame with a stale source")
        web_proxy.fail.clear()
        assert rec.poll() is None
        # Killed -9: the last frame stays; a new recorder writes a new segment, followed too.
        rec.kill()
        await asyncio.to_thread(rec.wait, 10)
        killed_calls = newest_calls(out)
        before = parts(out)
        marks = [s.mark() for s in screens]
        rec = recorder(out)
        await wait_until(lambda: parts(out) > before, "a frame from the restarted recorder")
        err = await stop(rec)
        assert "fgtop: wrote " in err and "Traceback" not in err
        calls = newest_calls(out)  # the restarted recorder counts from 0 again
        assert calls < killed_calls, "the test needs the two recorders' counts apart"
        for s, mark in zip(screens, marks, strict=True):
            await wait_until(
                lambda s=s, mark=mark: s.matches(rf"recorder's API calls {calls}(?!\d)", mark),
                f"the follower showing the newest frame ({calls} calls)",
            )
        # Every call the proxy saw is the recorders': the followers had no endpoint, and
        # nothing more arrived while they kept running after the recorder stopped.
        seen = sum(web_proxy.calls.values())
        await asyncio.sleep(1.5)  # the followers poll every 0.5 s: give them three looks
        assert sum(web_proxy.calls.values()) == seen
        assert seen > 0
    finally:
        if rec.poll() is None:
            rec.kill()
            rec.communicate()
        for s in screens:
            s.close()
    for s in screens:
        assert "Traceback" not in s.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fgtop",
            "serve",
            "--dir",
            str(tmp_path / "served"),
            "--port",
            str(port),
            "--region",
            "us-east-1",
            "--no-logs",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return proc, port


async def get(url: str, **kw) -> requests.Response | None:  # noqa: ANN003
    def call() -> requests.Response | None:
        try:
            return requests.get(url, timeout=5, allow_redirects=False, **kw)
        except requests.ConnectionError:
            return None

    return await asyncio.to_thread(call)


async def wait_get(url: str, proc: subprocess.Popen[str]) -> requests.Response:
    deadline = time.monotonic() + 30
    while True:
        r = await get(url)
        if r is not None:
            return r
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "fgtop serve never answered"
        await asyncio.sleep(0.2)


async def session_text(base: str, token: str, needle: str) -> str:
    """What a browser session receives over the websocket, until ``needle`` (or 30 s)."""
    jar = aiohttp.CookieJar(unsafe=True)  # the cookie of an IP-address host, as browsers do
    got = b""
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{base}/?token={token}") as r:
            assert r.status == 200
        async with http.ws_connect(f"{base}/ws?width=120&height=30") as ws:
            await ws.send_json(["resize", {"width": 120, "height": 30}])

            async def read() -> None:
                nonlocal got
                async for m in ws:
                    got += m.data if isinstance(m.data, bytes) else str(m.data).encode()
                    if needle.encode() in got:
                        return

            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(read(), 30)
    return got.decode("utf-8", "replace")


def finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
async def test_serve_answers_locally_and_wants_a_token_elsewhere(
    web_proxy: FaultProxy, tmp_path: Path, host: str
) -> None:
    proc, port = serve(tmp_path, "--host", host)
    try:
        base = f"http://127.0.0.1:{port}"
        first = await wait_get(f"{base}/", proc)
        if host == "127.0.0.1":
            assert first.status_code == 200 and "textual" in first.text.lower()
            out = ""
        else:
            assert first.status_code == 401
            assert (await get(f"{base}/ws")).status_code == 401
            assert (await get(f"{base}/?token=wrong")).status_code == 401
            # The token is printed once, in the URL to open (the first line on stdout).
            line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 10)
            assert "token=" in line, line
            token = line.strip().rsplit("token=", 1)[1]
            ok = await get(f"{base}/?token={token}")
            assert ok.status_code == 200 and "textual" in ok.text.lower()
            # The browser keeps it in a cookie for the static files and the websocket.
            css = await get(f"{base}/static/css/xterm.css", cookies=ok.cookies)
            assert css.status_code == 200
            bearer = await get(f"{base}/", headers={"Authorization": f"Bearer {token}"})
            assert bearer.status_code == 200
            # With the cookie, the websocket opens and a follower session draws the dashboard.
            assert "FOLLOWING" in await session_text(base, token, "FOLLOWING")
            out = token
    finally:
        stdout, stderr = await asyncio.to_thread(finish, proc)
    assert "Traceback" not in stderr, stderr[-3000:]
    if out:
        # Printed once (the URL to open), never in a log line.
        assert (stdout + stderr).count(out) == 0

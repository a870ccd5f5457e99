"""``fgtop serve --demo`` and ``fgtop serve --replay FILE|DIR``: a recording served to browsers
with no AWS account: no recorder child, no AWS variable in serve's environment, and serve's
Host, Origin and token checks on every path of the page (the page, its static files, the
websocket). The browser itself is ``tests/e2e/test_serve_browser.py``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from fgtop.recording.names import segment_name
from fgtop.resources import demo_recording
from tests.integration.test_flight_recorder import ROOT, finish, free_port, session_text
from tests.integration.test_serve_security import descendants


def serve(home: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(home / "state"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "fgtop", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    return proc, f"http://127.0.0.1:{port}"


async def opened(proc: subprocess.Popen[str], base: str) -> str:
    """The URL serve prints (its first stdout line), once it answers there."""
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 30)
    assert line.startswith("fgtop: open "), (line, proc.wait() if not line else None)
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"{base}/static/css/xterm.css"):
                    break
            except aiohttp.ClientConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                await asyncio.sleep(0.1)
    return line.split("fgtop: open ", 1)[1].strip()


@pytest.mark.parametrize(
    ("what", "badge"), [("demo", "DEMO"), ("file", "REPLAY"), ("dir", "REPLAY")]
)
async def test_a_recording_is_served_without_aws(tmp_path: Path, what: str, badge: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    if what == "demo":
        args = ["--demo"]
    elif what == "file":
        args = ["--replay", str(demo_recording())]
    else:
        segments = tmp_path / "flight"
        segments.mkdir()
        (segments / segment_name(1_795_000_000)).write_bytes(demo_recording().read_bytes())
        args = ["--replay", str(segments)]
    proc, base = serve(home, *args)
    try:
        assert await opened(proc, base) == f"{base}/"
        # No recorder: serve has no child until a browser opens a session.
        assert descendants(proc.pid) == []
        # Read until the incident's problems view is drawn (the header's badge comes first).
        text = await session_text(base, "", "CRIT")
        assert "CRIT" in text
        assert badge in text
    finally:
        _, stderr = await asyncio.to_thread(finish, proc)
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "recorder" not in stderr.replace("no recorder", "")
    assert not (home / "state").exists()  # no flight recorder directory made


async def test_serve_demo_keeps_the_host_origin_and_token_checks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    token = "tok-demo-Zq8wJ3vL1bN6xR0s"
    proc, base = serve(home, "--demo", "--host", "0.0.0.0", "--token", token)
    try:
        await opened(proc, base)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/") as r:
                assert r.status == 401
            for path in ("/static/js/textual.js", "/static/fonts/RobotoMono-VariableFont_wght.ttf"):
                async with http.get(f"{base}{path}") as r:
                    assert r.status == 401, path
                async with http.get(f"{base}{path}?token={token}") as r:
                    assert r.status == 200, path
            async with http.get(f"{base}/?token={token}", headers={"Host": "evil.example"}) as r:
                assert r.status == 421
            async with http.get(
                f"{base}/ws?token={token}",
                headers={
                    "Origin": "http://evil.example",
                    "Connection": "Upgrade",
                    "Upgrade": "websocket",
                },
            ) as r:
                assert r.status == 403
            async with http.get(f"{base}/?token={token}") as r:
                page = await r.text()
            assert r.status == 200
            assert "fonts.googleapis" not in page and "https://" not in page
    finally:
        _, stderr = await asyncio.to_thread(finish, proc)
    assert token not in stderr

"""``fgtop serve --demo`` in a real browser: headless Chromium opens the page, the terminal
draws the demo's problems view, and nothing the page loads comes from outside the machine.

The installed ``fgtop`` command serves the demo (no AWS variable in its environment, no
recorder); Chromium is driven over its DevTools protocol (``tests/e2e/browser.py``). What
the test reads: the page's network requests and its websocket frames (DevTools ``Network``
events), the page's DOM, and Chromium's own net log of every connection it made.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). Without it the test is
skipped with the reason, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.browser import (
    Browser,
    chromium,
    free_env,
    loopback,
    net_log_addresses,
    terminal_text,
)
from tests.integration.test_flight_recorder import ROOT, free_port

pytestmark = pytest.mark.e2e

FGTOP = shutil.which("fgtop", path=str(Path(sys.executable).parent)) or "fgtop"
PROBLEMS_VIEW = ("problems", "SEV", "KIND", "TARGET", "REASON", "shop-recs", "DEMO")
"""What the demo's problems view shows: its count, its column headers, a row, the badge."""


@pytest.fixture
def browser_command() -> str:
    """Chromium, or a skip (a failure in CI) saying how to get it."""
    found = chromium()
    if found is None:
        why = (
            "chromium is not installed: as root, apt-get install -y chromium chromium-driver "
            "(.ci/run does)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{why}; in CI this test must run")
        pytest.skip(why)
    return found


class Serve:
    """A running ``fgtop serve`` (the installed command), its output kept."""

    def __init__(self, home: Path, *args: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [FGTOP, "serve", "--port", str(self.port), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=free_env(home, ROOT),
            cwd=str(home),
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=_drain, args=(stream, sink), daemon=True).start()

    async def url(self, timeout: float = 30) -> str:
        """The URL serve says to open (once it listens)."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.out:
                if line.startswith("fgtop: open "):
                    return line.split("fgtop: open ", 1)[1].strip()
            assert self.proc.poll() is None, "".join(self.err)
            assert time.monotonic() < deadline, "fgtop serve printed no URL"
            await asyncio.sleep(0.1)

    def stop(self) -> str:
        """Stop it (Ctrl-C); everything it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return "".join(self.err)


def _drain(stream, sink: list[str]) -> None:  # noqa: ANN001
    for line in stream:
        sink.append(line)


async def test_serve_demo_in_chromium_shows_the_problems_view_and_loads_nothing_from_outside(
    tmp_path: Path, browser_command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    started = time.monotonic()
    serve = Serve(home, "--demo")
    browser = Browser(browser_command, tmp_path / "chromium")
    text = ""
    try:
        url = await serve.url()
        assert url == f"http://127.0.0.1:{serve.port}/"
        await browser.start()
        await browser.call("Network.enable")
        await browser.call("Page.enable")
        await browser.call("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while True:
            text = terminal_text(browser.websocket_bytes())
            if all(word in text for word in PROBLEMS_VIEW):
                break
            assert time.monotonic() < deadline, f"no problems view in the browser: {text[-2000:]!r}"
            await asyncio.sleep(0.3)
        drawn = time.monotonic() - started
        # The page's terminal got the bytes and took the place of the intro dialog.
        classes = await browser.evaluate("document.body.className")
        assert "-first-byte" in classes.split(), classes
        assert await browser.evaluate("document.querySelectorAll('.xterm canvas').length") > 0
        # The terminal's font is the one served with the page, loaded.
        fonts = await browser.evaluate(
            "[...document.fonts].map(f => f.family + ' ' + f.status).join(', ')"
        )
        assert "Roboto Mono loaded" in fonts.split(", "), fonts
    finally:
        await browser.close()
        stderr = serve.stop()
    base = f"127.0.0.1:{serve.port}"
    requests = browser.requests()
    # Everything the page loaded came from fgtop serve: the page, its script, its style, its
    # font, its websocket; nothing from anywhere else (no web font service, no CDN).
    outside = [
        u for u in requests if not u.startswith((f"http://{base}/", f"ws://{base}/", "data:"))
    ]
    assert outside == [], outside
    for path in ("/", "/static/js/textual.js", "/static/css/xterm.css", "/static/fonts/", "/ws?"):
        assert any(u.split(base, 1)[-1].startswith(path) for u in requests), (path, requests)
    # And the browser itself connected to nothing but the loopback (its net log).
    addresses = net_log_addresses(browser.net_log())
    assert f"127.0.0.1:{serve.port}" in addresses
    assert [a for a in addresses if not loopback(a)] == []
    assert "Traceback" not in stderr and "Traceback" not in text
    with capsys.disabled():
        print(
            f"\nfgtop serve --demo in headless Chromium: problems view drawn {drawn:.1f}s after "
            f"launch; {len(requests)} requests, all to {base}"
        )

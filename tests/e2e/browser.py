"""A headless Chromium driven over the DevTools protocol (a websocket, through aiohttp).

No webdriver: Chromium's own ``--remote-debugging-port`` speaks JSON over a websocket, and
aiohttp (a dependency already) is the client. The browser is started with the flags CI uses
(no sandbox, no GPU, no QUIC, no first-run, background networking, component updates and
sync off), a throw-away profile, a network log of everything it did
(``--log-net-log``), and no way off the machine: host names other than 127.0.0.1 do not
resolve and anything not on the loopback goes to a proxy at 127.0.0.1:9 that is not there.
What a page *tries* to load is still recorded, by the DevTools network events and the net
log, so a page that asks the internet for a font is seen doing so without reaching it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing leaves the machine, whatever the browser or a page asks for:
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
)
"""Chromium's command line (the profile, the DevTools port and the net log are added)."""

_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC ... BEL / ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)


def chromium() -> str | None:
    """The Chromium command on PATH (Debian's package is ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def terminal_text(data: bytes) -> str:
    """The characters a terminal was sent, escape sequences removed."""
    return _ESCAPES.sub("", data.decode("utf-8", "replace"))


class Browser:
    """One headless Chromium and a DevTools session on its first page."""

    def __init__(self, command: str, profile: Path) -> None:
        self.profile = profile
        self.netlog = profile / "netlog.json"
        self.proc = subprocess.Popen(
            [
                command,
                *FLAGS,
                f"--user-data-dir={profile / 'user-data'}",
                "--remote-debugging-port=0",
                f"--log-net-log={self.netlog}",
                "--window-size=1280,800",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.events: list[dict[str, Any]] = []
        """Every DevTools event received, in order."""
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next = 0

    async def start(self, timeout: float = 30) -> None:
        """Wait for the DevTools port and attach to the page."""
        port_file = self.profile / "user-data" / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with code {self.proc.returncode}")
            text = port_file.read_text() if port_file.exists() else ""
            if text.strip():
                port = int(text.split()[0])
                break
            if time.monotonic() > deadline:
                raise TimeoutError("chromium opened no DevTools port")
            await asyncio.sleep(0.1)
        self._http = aiohttp.ClientSession()
        async with self._http.get(f"http://127.0.0.1:{port}/json/list") as r:
            targets = await r.json()
        page = next(t for t in targets if t.get("type") == "page")
        self._ws = await self._http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            waiter = self._waiting.pop(data.get("id", -1), None)
            if waiter is not None:
                waiter.set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command; its result (AssertionError on an error)."""
        assert self._ws is not None
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = future
        await self._ws.send_json({"id": self._next, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 30)
        assert "error" not in answer, answer
        return answer.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def requests(self) -> list[str]:
        """Every URL the page asked for (documents, scripts, styles, fonts, images, XHR,
        websockets), from the DevTools network events."""
        urls = [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]
        urls += [
            e["params"]["url"] for e in self.events if e["method"] == "Network.webSocketCreated"
        ]
        return urls

    def websocket_bytes(self) -> bytes:
        """What the page's websockets received in binary frames (the terminal's output)."""
        out = b""
        for e in self.events:
            if e["method"] != "Network.webSocketFrameReceived":
                continue
            frame = e["params"]["response"]
            if frame.get("opcode") == 2:
                out += base64.b64decode(frame.get("payloadData", ""))
        return out

    async def close(self) -> None:
        """Close the browser cleanly (so its net log is complete), then the session."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.call("Browser.close"), 5)
        try:
            await asyncio.to_thread(self.proc.wait, 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            await asyncio.to_thread(self.proc.wait)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()

    def net_log(self) -> list[tuple[str, dict[str, Any]]]:
        """The net log's events as (type name, params); a log cut short is read up to its cut."""
        text = self.netlog.read_text(encoding="utf-8").rstrip()
        try:
            doc = json.loads(text)
        except ValueError:
            doc = json.loads(text.rstrip(",") + "]}")
        names = {v: k for k, v in doc["constants"]["logEventTypes"].items()}
        return [(names.get(e["type"], "?"), e.get("params") or {}) for e in doc["events"]]


def net_log_addresses(events: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Every address the browser connected to over TCP or sent a UDP datagram to."""
    out: set[str] = set()
    for kind, params in events:
        if kind == "TCP_CONNECT":
            out.update(params.get("address_list") or ())
            if params.get("remote_address"):
                out.add(params["remote_address"])
        elif kind in ("UDP_BYTES_SENT", "UDP_BYTES_RECEIVED") and params.get("address"):
            out.add(params["address"])
    return out


def loopback(address: str) -> bool:
    """Whether ``host:port`` (or ``[v6]:port``) is on the loopback."""
    host = address.rsplit(":", 1)[0].strip("[]")
    return host.startswith("127.") or host == "::1"


def free_env(home: Path, root: Path) -> dict[str, str]:
    """A clean environment for ``fgtop serve`` (no AWS, no developer configuration)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=str(root),
    )
    return env

"""``fgtop serve`` on a shared machine or network, tried as an attacker would: a real
``fgtop serve`` process on 127.0.0.1 (a free port), real HTTP and websocket clients (aiohttp),
the viewer processes looked at through /proc.

What is checked: a websocket from another origin and a request for another host name are
refused (the DNS-rebinding and drive-by cases); no token reaches a log, whatever the request;
the terminal size a browser asks for is capped and a nonsense one refused; ``--max-viewers``;
each viewer's memory limit and environment (no credentials, no token); every viewer gone
within a second of serve's own exit, ``kill -9`` included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.fault_proxy import FaultProxy
from tests.integration.test_flight_recorder import ROOT, free_port

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
"""The AWS secret key serve runs with (what a viewer must never see)."""
TOKEN = "tok-Zq8wJ3vL1bN6xR0sT5uY"


class Served:
    """A running ``fgtop serve`` (its output kept by two reader threads)."""

    def __init__(self, tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ, PYTHONPATH=str(ROOT), AWS_SECRET_ACCESS_KEY=SECRET)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fgtop",
                "serve",
                "--dir",
                str(tmp_path / "served"),
                "--port",
                str(self.port),
                "--region",
                "us-east-1",
                "--no-logs",
                "--segment",
                "1h",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full_env,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        import threading

        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=_drain, args=(stream, sink), daemon=True).start()

    @property
    def output(self) -> str:
        """Everything serve printed so far, stdout and stderr."""
        return "".join(self.out) + "".join(self.err)

    async def ready(self) -> None:
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as http:
            while True:
                assert self.proc.poll() is None, self.output
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.base}/static/css/xterm.css") as r:
                        if r.status in (200, 401):
                            return
                assert time.monotonic() < deadline, "fgtop serve never answered"
                await asyncio.sleep(0.2)

    def stop(self) -> None:
        left = viewers(self.proc.pid)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _drain(stream, sink: list[str]) -> None:  # noqa: ANN001
    for line in stream:
        sink.append(line)


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (children of each thread, recursively)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            threads = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in threads:
            try:
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
            except OSError:
                continue
            for k in map(int, kids):
                out.append(k)
                todo.append(k)
    return out


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def viewers(serve_pid: int) -> list[int]:
    """The viewer processes (``fgtop replay --follow``) serve started."""
    return [
        p
        for p in descendants(serve_pid)
        if "replay" in cmdline(p) and "--follow" in cmdline(p) and "-c" not in cmdline(p)
    ]


def recorders(serve_pid: int) -> list[int]:
    """The flight recorder serve started (``fgtop record``)."""
    return [p for p in descendants(serve_pid) if "record" in cmdline(p)]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def wait_for(condition, what: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def handshake_status(url: str, **kwargs) -> int:  # noqa: ANN003
    """The HTTP status a websocket handshake got (101 when it opened)."""
    async with aiohttp.ClientSession() as http:
        try:
            async with http.ws_connect(url, **kwargs) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


@pytest.fixture
def served(web_proxy: FaultProxy, tmp_path: Path):  # noqa: ANN201
    made: list[Served] = []

    def start(*extra: str, env: dict[str, str] | None = None) -> Served:
        s = Served(tmp_path, *extra, env=env)
        made.append(s)
        return s

    yield start
    for s in made:
        s.stop()
        assert "Traceback" not in s.output, s.output[-3000:]


async def test_a_websocket_from_another_origin_is_refused(served) -> None:  # noqa: ANN001
    s = served()
    await s.ready()
    ws = f"ws://127.0.0.1:{s.port}/ws"
    # A page of evil.example opening the dashboard's websocket: refused before a viewer starts.
    assert await handshake_status(ws, origin="http://evil.example") == 403
    assert await handshake_status(ws, origin="null") == 403
    assert await handshake_status(ws, origin=f"http://127.0.0.1:{s.port + 1}") == 403
    assert viewers(s.proc.pid) == []
    # The page serve itself served (same origin) opens it.
    assert await handshake_status(ws, origin=s.base) == 101


async def test_a_request_for_another_host_name_is_refused(served) -> None:  # noqa: ANN001
    s = served()
    await s.ready()
    async with aiohttp.ClientSession() as http:
        # DNS rebinding: evil.example resolved to 127.0.0.1; the browser sends its own name.
        for host in ("rebind.evil.example", f"rebind.evil.example:{s.port}"):
            async with http.get(f"{s.base}/", headers={"Host": host}) as r:
                body = await r.text()
                assert r.status == 421, (host, r.status)
                assert "evil" not in body.replace(host, "")  # no page pointing there
            async with http.get(f"{s.base}/ws", headers={"Host": host}) as r:
                assert r.status == 421
        for host in (f"127.0.0.1:{s.port}", f"localhost:{s.port}"):
            async with http.get(f"{s.base}/", headers={"Host": host}) as r:
                assert r.status == 200, host
                assert f"ws://{host}/ws" in await r.text()


async def test_the_token_is_never_logged_whatever_the_request(served) -> None:  # noqa: ANN001
    s = served("--host", "0.0.0.0", env={"FGTOP_SERVE_TOKEN": TOKEN})
    await s.ready()
    pad = "x" * 9000
    async with aiohttp.ClientSession() as http:
        # A request line over aiohttp's 8,190 bytes, a header over it, and a long cookie.
        for kwargs in (
            {"url": f"{s.base}/?token={TOKEN}&pad={pad}"},
            {"url": f"{s.base}/", "headers": {"Authorization": f"Bearer {TOKEN}{pad}"}},
            {"url": f"{s.base}/", "headers": {"Cookie": f"fgtop_token={TOKEN}; pad={pad}"}},
            {"url": f"{s.base}/?token={TOKEN}%ZZ&pad=1"},
        ):
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(**kwargs) as r:
                    assert r.status in (400, 401, 431), r.status
        async with http.get(f"{s.base}/?token={TOKEN}") as r:
            assert r.status == 200
    await asyncio.sleep(0.5)
    s.stop()
    assert s.output.count("more than 8190 bytes") == 3  # the refused requests were logged...
    assert TOKEN not in s.output  # ...and the token never
    assert TOKEN[:12] not in s.output


async def test_a_nonsense_terminal_size_is_refused(served) -> None:  # noqa: ANN001
    s = served()
    await s.ready()
    async with aiohttp.ClientSession() as http:
        for bad in ("width=-5&height=24", "width=80&height=0", "width=abc&height=24"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with http.ws_connect(f"{s.base.replace('http', 'ws')}/ws?{bad}"):
                    pass
            assert refused.value.status == 400, bad
    assert viewers(s.proc.pid) == []  # refused before any viewer started


async def test_a_huge_terminal_is_capped(served) -> None:  # noqa: ANN001
    s = served()
    await s.ready()
    async with aiohttp.ClientSession() as http:
        url = f"{s.base.replace('http', 'ws')}/ws?width=100000&height=100000"
        async with http.ws_connect(url) as ws:
            await wait_for(lambda: viewers(s.proc.pid), "a viewer")
            [viewer] = viewers(s.proc.pid)
            env = environ(viewer)
            assert int(env["COLUMNS"]) <= 500 and int(env["ROWS"]) <= 200, env["COLUMNS"]
            # A resize asking for more is capped too; a nonsense one ignored.
            await ws.send_json(["resize", {"width": 100000, "height": 100000}])
            await ws.send_json(["resize", {"width": -5, "height": "x"}])
            peak, got, drawn = 0.0, b"", None
            deadline = time.monotonic() + 45
            while time.monotonic() < (drawn or deadline):  # 5 s of drawing once it draws
                peak = max(peak, rss_mb(viewer))
                with contextlib.suppress(TimeoutError):
                    m = await asyncio.wait_for(ws.receive(), 0.2)
                    got += m.data if isinstance(m.data, bytes) else str(m.data).encode()
                if drawn is None and b"FOLLOWING" in got:
                    drawn = time.monotonic() + 5
            assert drawn, "the viewer never drew the dashboard"
            assert alive(viewer)
            assert peak < 400, f"a viewer took {peak:.0f} MB"
        # The browser left: the viewer exits.
        await wait_for(lambda: not alive(viewer), "the viewer to exit", timeout=10)


async def test_a_viewer_has_no_credentials_and_a_memory_limit(served) -> None:  # noqa: ANN001
    s = served(env={"FGTOP_SERVE_TOKEN": TOKEN})
    await s.ready()
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{s.base.replace('http', 'ws')}/ws?token={TOKEN}")
        await wait_for(lambda: len(viewers(s.proc.pid)) == 1, "a viewer")
        [viewer] = viewers(s.proc.pid)
        env = environ(viewer)
        # A viewer reads files only: no credentials, no token, nothing of AWS's.
        assert not [k for k in env if k.startswith("AWS_")], sorted(env)
        assert TOKEN not in "\0".join(f"{k}={v}" for k, v in env.items())
        assert SECRET not in "\0".join(env.values())
        limits = Path(f"/proc/{viewer}/limits").read_text()
        address = next(line for line in limits.splitlines() if "address space" in line)
        assert address.split()[3] != "unlimited", address
        assert int(address.split()[3]) == 1024 * 1024**2  # --viewer-memory's default
        await ws.close()


async def test_max_viewers(served) -> None:  # noqa: ANN001
    s = served("--max-viewers", "2", env={"FGTOP_SERVE_TOKEN": TOKEN})
    await s.ready()
    ws_url = f"{s.base.replace('http', 'ws')}/ws?token={TOKEN}"
    async with aiohttp.ClientSession() as http:
        first = await http.ws_connect(ws_url)
        second = await http.ws_connect(ws_url)
        await wait_for(lambda: len(viewers(s.proc.pid)) == 2, "two viewers")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(ws_url)
        assert refused.value.status == 503
        assert len(viewers(s.proc.pid)) == 2
        await first.close()
        await wait_for(lambda: len(viewers(s.proc.pid)) == 1, "a viewer gone")
        deadline = time.monotonic() + 5  # a place came free (once its session is wound up)
        while True:
            try:
                third = await http.ws_connect(ws_url)
                break
            except aiohttp.WSServerHandshakeError as exc:
                assert exc.status == 503 and time.monotonic() < deadline
                await asyncio.sleep(0.2)
        await wait_for(lambda: len(viewers(s.proc.pid)) == 2, "the new viewer")
        await third.close()
        await second.close()


@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
async def test_viewers_stop_within_a_second_of_serve(served, how: str) -> None:  # noqa: ANN001
    s = served()
    await s.ready()
    ws_url = f"{s.base.replace('http', 'ws')}/ws"
    async with aiohttp.ClientSession() as http:
        sockets = [await http.ws_connect(ws_url) for _ in range(3)]
        await wait_for(lambda: len(viewers(s.proc.pid)) == 3, "three viewers")
        pids = viewers(s.proc.pid)
        recorder = recorders(s.proc.pid)
        assert len(recorder) == 1, [cmdline(p) for p in descendants(s.proc.pid)]
        pids += recorder  # the recorder stops with serve too, even when serve is killed
        try:
            asked = time.monotonic()
            s.proc.send_signal(getattr(signal, how))
            await asyncio.to_thread(s.proc.wait, 15)
            exited = time.monotonic()
            assert exited - asked < 5, f"serve took {exited - asked:.1f}s to stop"
            await wait_for(
                lambda: not any(alive(p) for p in pids), "the viewers and the recorder to stop", 5
            )
            assert time.monotonic() - exited <= 1.0
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            for ws in sockets:
                await ws.close()

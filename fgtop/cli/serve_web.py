"""The web side of ``fgtop serve``: textual-serve, with what a shared machine or network needs.

textual-serve starts one process per browser websocket. fgtop serve wraps it so that

- only requests for its own name or address are answered (``Host``: a DNS-rebinding page
  names its own host), and a websocket opens only from its own origin (``Origin``: any other
  page the user visits could otherwise read and drive the dashboard);
- the token, when there is one, is checked on every request and never written to a log (a
  request line too long for the server quotes itself in the error);
- the terminal size a browser asks for is capped (:mod:`fgtop.cli.serve_checks`) and a
  nonsense one refused; at most ``--max-viewers`` viewers run, each under an address-space
  limit, in its own session, killed by the kernel if serve dies (``PR_SET_PDEATHSIG``), with an
  environment stripped of credentials and the token (a viewer reads files only);
- every viewer is gone within a second of serve stopping;
- the page loads nothing from outside the machine: its template (``serve-page/``) declares
  the font textual-serve ships instead of linking a web font service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from fgtop.cli.serve_checks import (
    COOKIE,
    Limits,
    OneLine,
    host_allowed,
    host_names,
    origin_allowed,
    terminal_size,
    token_ok,
    viewer_environment,
    viewer_preexec,
)

PAGE = Path(__file__).with_name("serve-page")
"""The folder of the page template (textual-serve's, with its font served locally)."""
STOP_GRACE = 0.5
"""Seconds a viewer is given to quit when told to, before it is killed."""
MAX_MESSAGE = 1 << 20
"""The largest websocket message a browser may send (keys and resizes are a few bytes)."""

log = logging.getLogger("fgtop.serve")


# -- the server ---------------------------------------------------------------------------------


def make_server(  # noqa: ANN201
    argv: list[str],
    host: str,
    port: int,
    token: str | None,
    public_url: str | None,
    limits: Limits,
):
    """A textual-serve Server running ``argv`` (``fgtop replay --follow DIR``) per browser."""
    from aiohttp import WSMsgType, web
    from aiohttp.web_runner import GracefulExit
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    class Viewer(AppService):
        """One browser session's viewer process (started by serve, not by a shell)."""

        stderr_tail = b""

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
            self._process = process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=viewer_environment(width, height),
                start_new_session=True,  # a Ctrl-C at serve's terminal is serve's to handle
                preexec_fn=viewer_preexec(limits.memory),  # noqa: PLW1509
            )
            self._stdin = process.stdin
            return process

        async def run(self) -> None:
            process = self._process
            assert process is not None and process.stdout and process.stderr
            stderr = asyncio.create_task(self._read_stderr(process.stderr))
            stdout = process.stdout
            try:
                for _ in range(10):  # the prelude before the packets
                    line = await stdout.readline()
                    if not line or line == b"__GANGLION__\n":
                        break
                while True:
                    kind = await stdout.readexactly(1)
                    size = int.from_bytes(await stdout.readexactly(4), "big")
                    payload = await stdout.readexactly(size)
                    if kind == b"D":
                        await self.on_data(payload)
                    elif kind == b"M":
                        await self.on_meta(payload)
                    elif kind == b"P":
                        await self.on_packed(payload)
            except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
                pass
            except Exception as exc:  # noqa: BLE001 - one line, the session ends
                log.warning("a viewer's output could not be read: %s", exc)
            finally:
                with contextlib.suppress(asyncio.CancelledError):
                    await stderr
                code = await _wait(process, STOP_GRACE)
                if code not in (0, None, -signal.SIGKILL, -signal.SIGTERM):
                    last = self.stderr_tail.decode("utf-8", "replace").strip().splitlines()
                    why = f": {last[-1]}" if last else ""
                    log.warning("a viewer exited (code %s)%s", code, why)
                with contextlib.suppress(Exception):
                    await self.remote_close()

        async def _read_stderr(self, stream: asyncio.StreamReader) -> None:
            while data := await stream.read(4096):
                self.stderr_tail = (self.stderr_tail + data)[-2048:]

        async def stop(self) -> None:
            """Tell the viewer to quit; kill it if it has not within :data:`STOP_GRACE`."""
            process = self._process
            if process is None:
                return
            if process.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.send_meta({"type": "quit"}), STOP_GRACE / 2)
                if await _wait(process, STOP_GRACE) is None:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(process.pid, signal.SIGKILL)
                    await _wait(process, STOP_GRACE)
            task, self._task = self._task, None
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, STOP_GRACE)

    @web.middleware
    async def check_host(request: web.Request, handler: Any) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), server.hosts):
            raise web.HTTPMisdirectedRequest(
                text="fgtop serve answers only as its own name or address "
                f"({', '.join(sorted(server.hosts))} or an IP address); behind a proxy or "
                "another name, give --public-url\n"
            )
        return await handler(request)

    @web.middleware
    async def check_token(request: web.Request, handler: Any) -> web.StreamResponse:
        if token is None:
            return await handler(request)
        header = request.headers.get("Authorization", "")
        bearer = header[7:] if header.startswith("Bearer ") else None
        from_query = request.query.get("token")
        given = from_query or bearer or request.cookies.get(COOKIE)
        if not token_ok(given, token):
            raise web.HTTPUnauthorized(
                text="fgtop serve: this dashboard needs its token: open the URL fgtop serve "
                "printed (…/?token=…)\n"
            )
        response = await handler(request)
        if from_query and not isinstance(response, web.WebSocketResponse):
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
        return response

    class FgtopServer(Server):
        """textual-serve with serve's checks, limits, quiet logs and quick stop."""

        fixed_url = public_url

        def __init__(self) -> None:
            super().__init__(
                " ".join(argv), host=host, port=port, title="fgtop", templates_path=PAGE
            )
            self.hosts = host_names(host, public_url)
            self.viewers: set[Viewer] = set()
            """The viewers running (one per browser session)."""
            self.sockets: set[web.WebSocketResponse] = set()
            self.opening = 0
            """Sessions being opened (counted against ``--max-viewers`` already)."""

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(check_host)
            app.middlewares.append(check_token)
            return app

        async def handle_index(self, request: web.Request) -> Any:
            if self.fixed_url is None:
                # The websocket URL the page opens: where this browser reached us (a name
                # check_host allowed, so the cookie goes with it), not the bound address.
                self.public_url = f"{request.scheme}://{request.host}"
            else:
                self.public_url = self.fixed_url
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            origin = request.headers.get("Origin")
            if not origin_allowed(origin, request.scheme, request.host, public_url):
                raise web.HTTPForbidden(
                    text="fgtop serve: a websocket from another site's page is refused\n"
                )
            size = terminal_size(
                request.query.get("width", "80"), request.query.get("height", "24"), limits
            )
            if size is None:
                raise web.HTTPBadRequest(
                    text="fgtop serve: width and height must be whole numbers of at least 1\n"
                )
            if len(self.viewers) + self.opening >= limits.max_viewers:
                raise web.HTTPServiceUnavailable(
                    text=f"fgtop serve: {limits.max_viewers} viewers already "
                    "(--max-viewers); close one and reload\n"
                )
            self.opening += 1
            websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
            viewer: Viewer | None = None

            async def close() -> None:
                await websocket.close()

            try:
                await websocket.prepare(request)
                viewer = Viewer(
                    " ".join(argv),
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=close,
                    download_manager=self.download_manager,
                )
                self.viewers.add(viewer)
                self.sockets.add(websocket)
                self.opening -= 1
                await viewer.start(*size)
                await self._process_messages(websocket, viewer)
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # noqa: BLE001 - one line, the session ends
                log.warning("a session ended: %s", exc)
            finally:
                if viewer is None:
                    self.opening -= 1
                else:
                    await viewer.stop()
                    self.viewers.discard(viewer)
                self.sockets.discard(websocket)
                with contextlib.suppress(Exception):
                    await websocket.close()
            return websocket

        async def _process_messages(self, websocket: Any, viewer: Any) -> None:
            """The browser's messages: keys, resizes (capped), focus; anything else ignored."""
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = json.loads(message.data)
                except ValueError:
                    continue
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if kind == "stdin" and isinstance(data, str):
                    await viewer.send_bytes(data.encode("utf-8", "replace"))
                elif kind == "resize" and isinstance(data, dict):
                    size = terminal_size(data.get("width"), data.get("height"), limits)
                    if size is not None:
                        await viewer.set_terminal_size(*size)
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await viewer.blur()
                elif kind == "focus":
                    await viewer.focus()

        async def on_startup(self, app: web.Application) -> None:
            pass

        async def on_shutdown(self, app: web.Application) -> None:
            # Every viewer told to quit, killed when it has not within STOP_GRACE; every
            # browser told the server went away.
            await asyncio.gather(*(v.stop() for v in list(self.viewers)), return_exceptions=True)
            await asyncio.gather(
                *(ws.close(code=1001, message=b"fgtop serve stopped") for ws in list(self.sockets)),
                return_exceptions=True,
            )

        def initialize_logging(self) -> None:
            # Warnings and errors of the web server in one line each, never a traceback,
            # never a request line (the access log is off) and never the token.
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(OneLine("fgtop serve: %(name)s: %(message)s", (token or "",)))
            logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)

        def request_exit(self) -> None:
            raise GracefulExit

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signal.SIGINT, self.request_exit)
                loop.add_signal_handler(signal.SIGTERM, self.request_exit)
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                access_log=None,  # request lines carry ?token=: never logged
                shutdown_timeout=1.0,
                print=lambda *args: None,
            )

    server = FgtopServer()
    return server


async def _wait(process: asyncio.subprocess.Process, timeout: float) -> int | None:
    """The process's exit code, or None when it is still running after ``timeout`` seconds."""
    with contextlib.suppress(TimeoutError):
        return await asyncio.wait_for(process.wait(), timeout)
    return process.returncode

"""``fgtop serve``: one flight recorder, any number of viewers.

One process runs ``fgtop record -o DIR`` (a child process: the only one that calls AWS and
Kubernetes) and a textual-serve web server whose every browser session runs
``fgtop replay --follow DIR``. Terminals follow the same DIR with ``fgtop replay --follow``.

It binds to 127.0.0.1 unless told otherwise; on any other address it requires a token (given
with ``--token`` or ``FGTOP_SERVE_TOKEN``, else generated and printed once), checked on every
HTTP request and websocket. The token is never logged: the access log is off, and a browser
that came with ``?token=`` carries it on in an HttpOnly cookie.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import logging
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from fgtop.errors import fail
from fgtop.paths import state_dir
from fgtop.text.durations import parse_duration
from fgtop.text.sanitize import safe_str

COOKIE = "fgtop_token"
"""The cookie a browser keeps the token in once it came with ``?token=``."""
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Addresses served without a token (only this machine reaches them)."""
SHUTDOWN_WAIT = 5.0
"""Seconds a stopping server waits for its browser sessions' followers to exit."""
TOKEN_ENV = "FGTOP_SERVE_TOKEN"
"""The environment variable a token can come in (kept out of ``ps``)."""


def recorder_command(args: argparse.Namespace, directory: Path) -> list[str]:
    """The ``fgtop record`` command line of the flight recorder, from serve's own options."""
    cmd = [sys.executable, "-m", "fgtop", "record", "-o", str(directory)]
    cmd += ["--retain", args.retain or "48h"]
    if args.segment:
        cmd += ["--segment", args.segment]
    for flag, name in (("--profile", "profile"), ("--config", "config")):
        if getattr(args, name, None):
            cmd += [flag, str(getattr(args, name))]
    for flag, name in (
        ("--region", "regions"),
        ("--cluster", "clusters"),
        ("--context", "contexts"),
    ):
        for value in getattr(args, name, None) or ():
            cmd += [flag, value]
    for flag, name in (("--refresh", "refresh"), ("--api-budget", "api_budget")):
        if getattr(args, name, None) is not None:
            cmd += [flag, str(getattr(args, name))]
    for flag, name in (
        ("--include-ec2", "include_ec2"),
        ("--eks", "eks"),
        ("--all-pods", "all_pods"),
        ("--no-metrics", "no_metrics"),
        ("--redact", "redact"),
        ("--no-logs", "no_logs"),
    ):
        if getattr(args, name, None):
            cmd.append(flag)
    return cmd


def follower_command(directory: Path) -> str:
    """The shell command each browser session runs."""
    return f"{shlex.quote(sys.executable)} -m fgtop replay --follow {shlex.quote(str(directory))}"


def needs_token(host: str) -> bool:
    """Whether serving on ``host`` requires a token (any address but the loopback)."""
    return host not in LOCAL_HOSTS


def token_ok(given: str | None, token: str) -> bool:
    """Whether ``given`` is the token (compared in constant time)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def make_server(command: str, host: str, port: int, token: str | None, public_url: str | None):  # noqa: ANN201
    """A textual-serve Server serving ``command``, with the token check on every request."""
    from aiohttp import web
    from textual_serve import server as textual_server
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    followers: set[asyncio.subprocess.Process] = set()
    """The browser sessions' follower processes (``fgtop replay --follow``)."""

    class FollowerService(AppService):
        """textual-serve's app process, remembered: a session ends when the follower closes
        its output, before the process has exited, and a stopping server sees it out."""

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
            process = await super()._open_app_process(width, height)
            followers.difference_update([p for p in followers if p.returncode is not None])
            followers.add(process)
            return process

    textual_server.AppService = FollowerService  # type: ignore[misc]  # what sessions start

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
        """textual-serve with the token middleware, no access log, and fgtop's own banner."""

        fixed_url = public_url

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(check_token)
            return app

        async def handle_index(self, request: web.Request) -> Any:
            if self.fixed_url is None:
                # The websocket URL the page opens: where this browser reached us (so the
                # cookie goes with it), not the address we bound to (0.0.0.0).
                self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sessions: set[asyncio.Task] = set()
            """The browser sessions being served (their websocket handlers)."""

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            task = asyncio.current_task()
            if task is not None:
                self.sessions.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions.discard(task)

        async def on_startup(self, app: web.Application) -> None:
            pass

        async def on_shutdown(self, app: web.Application) -> None:
            # Let the sessions that are ending see their follower process out (else it is
            # reaped after the loop closed, with a traceback at exit).
            if self.sessions:
                await asyncio.wait(set(self.sessions), timeout=SHUTDOWN_WAIT)
            exiting = [asyncio.ensure_future(p.wait()) for p in followers if p.returncode is None]
            if exiting:
                await asyncio.wait(exiting, timeout=SHUTDOWN_WAIT)

        def initialize_logging(self) -> None:
            # Warnings and errors of the web server in one line each, never a traceback
            # (and never a request line: the access log is off).
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(_OneLine("fgtop serve: %(name)s: %(message)s"))
            logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)

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
                print=lambda *args: None,
            )

    return FgtopServer(command, host=host, port=port, title="fgtop", public_url=public_url)


class _OneLine(logging.Formatter):
    """A log line with the exception's one-line text instead of its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        line = super().format(record)
        if exc is not None and str(exc) not in line:
            line += f" ({type(exc).__name__}: {exc})"
        return safe_str(" ".join(line.split()), max_chars=500)


def run(args: argparse.Namespace) -> int:
    """``fgtop serve``: run the flight recorder and serve followers of it to browsers."""
    try:
        for value in (args.retain, args.segment):
            if value:
                parse_duration(value)
    except ValueError as exc:
        return fail(str(exc))
    if not 0 < args.port < 65536:
        return fail(f"--port must be 1-65535, not {args.port}")
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        return fail("fgtop serve needs textual-serve: pip install textual-serve")
    directory = Path(args.dir) if args.dir else state_dir() / "recordings"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return fail(f"cannot create {directory}: {exc.strerror or exc}")
    token = args.token or os.environ.get(TOKEN_ENV) or None
    generated = False
    if token is None and needs_token(args.host):
        token = secrets.token_urlsafe(24)
        generated = True
    if not _port_free(args.host, args.port):
        return fail(f"cannot listen on {args.host}:{args.port}: address in use")

    recorder = subprocess.Popen(recorder_command(args, directory))  # noqa: S603
    try:
        server = make_server(
            follower_command(directory), args.host, args.port, token, args.public_url
        )
        print(f"fgtop: serving {directory} (recorder pid {recorder.pid})", file=sys.stderr)
        print(f"fgtop: open {_url(args, token if generated else None)}", flush=True)
        if token is not None and not generated:
            print("fgtop: give the browser your token: …/?token=YOUR-TOKEN", file=sys.stderr)
        print(
            f"fgtop: terminals: fgtop replay --follow {shlex.quote(str(directory))}  "
            "(Ctrl-C stops)",
            file=sys.stderr,
            flush=True,
        )
        _watch(recorder)
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        _stop(recorder)
    return 0 if recorder.returncode in (0, -signal.SIGTERM, None) else recorder.returncode


def _url(args: argparse.Namespace, token: str | None) -> str:
    host = args.host
    if args.public_url:
        base = args.public_url.rstrip("/")
    else:
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{args.port}"
    return f"{base}/?token={token}" if token else f"{base}/"


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _watch(recorder: subprocess.Popen) -> None:
    """End the server when the recorder ends (its own stderr line says why)."""
    import threading

    def wait() -> None:
        code = recorder.wait()
        if code not in (0, -signal.SIGTERM):
            print(f"fgtop: the recorder stopped (exit {code}); stopping", file=sys.stderr)
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait, name="recorder-watch", daemon=True).start()


def _stop(recorder: subprocess.Popen) -> None:
    if recorder.poll() is None:
        recorder.terminate()
        try:
            recorder.wait(10)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait()

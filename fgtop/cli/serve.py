"""``fgtop serve``: one flight recorder, any number of viewers.

One process runs ``fgtop record -o DIR`` (a child process: the only one that calls AWS and
Kubernetes) and a textual-serve web server whose every browser session runs
``fgtop replay --follow DIR``. Terminals follow the same DIR with ``fgtop replay --follow``.
What the recorder needs (config, region, credentials, clusters, contexts) is checked before
the directory is made and the URL printed. ``--demo`` and ``--replay FILE|DIR`` serve a
recording instead: each browser session runs ``fgtop demo`` or ``fgtop replay FILE|DIR``, and
nothing calls AWS.

It binds to 127.0.0.1 unless told otherwise; on any other address it requires a token (given
with ``--token`` or ``FGTOP_SERVE_TOKEN``, else generated and printed once), checked on every
HTTP request and websocket. The token is never logged: the access log is off, log lines are
scrubbed of it, and a browser that came with ``?token=`` carries it on in an HttpOnly cookie.
What the web server checks besides (host names, origins, terminal sizes, viewer limits) is
:mod:`fgtop.cli.serve_web`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from fgtop.cli.serve_checks import Limits, dies_with_parent
from fgtop.cli.serve_web import make_server
from fgtop.errors import SetupError, fail
from fgtop.paths import state_dir
from fgtop.recording.format import RecordingError
from fgtop.text.durations import parse_duration

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Addresses served without a token (only this machine reaches them)."""
TOKEN_ENV = "FGTOP_SERVE_TOKEN"
"""The environment variable a token can come in (kept out of ``ps``)."""


def recorder_command(args: argparse.Namespace, directory: Path) -> list[str]:
    """The ``fgtop record`` command line of the flight recorder, from serve's own options."""
    cmd = [sys.executable, "-m", "fgtop", "record", "-o", str(directory)]
    cmd += ["--retain", args.retain or "48h"]
    if args.segment:
        cmd += ["--segment", args.segment]
    for flag, name in (("--config", "config"), ("--org-role", "org_role")):
        if getattr(args, name, None):
            cmd += [flag, str(getattr(args, name))]
    for flag, name in (
        ("--profile", "profile"),
        ("--org-accounts", "org_accounts"),
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


def follower_argv(directory: Path) -> list[str]:
    """The command each browser session's viewer runs (no shell in between)."""
    return [sys.executable, "-m", "fgtop", "replay", "--follow", str(directory)]


def needs_token(host: str) -> bool:
    """Whether serving on ``host`` requires a token (any address but the loopback)."""
    return host not in LOCAL_HOSTS


LIVE_ONLY = (
    ("--profile", "profile"),
    ("--region", "regions"),
    ("--config", "config"),
    ("--cluster", "clusters"),
    ("--include-ec2", "include_ec2"),
    ("--context", "contexts"),
    ("--eks", "eks"),
    ("--all-pods", "all_pods"),
    ("--refresh", "refresh"),
    ("--api-budget", "api_budget"),
    ("--no-metrics", "no_metrics"),
    ("--dir", "dir"),
    ("--retain", "retain"),
    ("--segment", "segment"),
    ("--redact", "redact"),
    ("--no-logs", "no_logs"),
)
"""The options of the live flight recorder (flag, dest): not for ``--demo`` or ``--replay``."""


def _check_options(args: argparse.Namespace) -> str | None:
    """What is wrong with serve's own options (one line), or None; nothing is touched yet."""
    try:
        for value in (args.retain, args.segment):
            if value:
                parse_duration(value)
    except ValueError as exc:
        return str(exc)
    if not 0 < args.port < 65536:
        return f"--port must be 1-65535, not {args.port}"
    if args.max_viewers < 1:
        return f"--max-viewers must be at least 1, not {args.max_viewers}"
    if args.viewer_memory < 256:
        return f"--viewer-memory must be at least 256 (MiB), not {args.viewer_memory}"
    if args.public_url:
        parts = urlsplit(args.public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"--public-url must be an http:// or https:// URL, not {args.public_url!r}"
    if args.demo or args.replay:
        mode = "--demo" if args.demo else "--replay"
        given = [flag for flag, dest in LIVE_ONLY if getattr(args, dest, None)]
        if given:
            return (
                f"{', '.join(given)}: for the live flight recorder; {mode} serves a recording "
                "(no AWS), leave it out"
            )
    return None


def replay_argv(path: Path) -> list[str]:
    """The command each viewer runs for ``--replay``: the recording (or directory) replayed."""
    return [sys.executable, "-m", "fgtop", "replay", str(path)]


def demo_argv() -> list[str]:
    """The command each viewer runs for ``--demo``: the bundled recording, looping."""
    return [sys.executable, "-m", "fgtop", "demo"]


def check_recording(path: Path) -> None:
    """Open a recording (or a flight recorder's directory) as a viewer would, and close it.

    Raises:
        RecordingError: one line, the reason it cannot be replayed.
    """
    from fgtop.recording.reader import open_recording
    from fgtop.recording.segments import open_timeline

    if path.is_dir():
        open_timeline(path).close()
    else:
        open_recording(path).close()


def check_live(args: argparse.Namespace) -> None:
    """Everything the recorder will need, checked here first, so that no URL is printed and no
    directory made for a recorder that cannot start: the config, region, credentials, clusters
    and contexts (the engine the recorder builds, built once and stopped).

    Raises:
        SetupError: one line for the user.
    """
    import asyncio

    from fgtop.cli.settings import live_options
    from fgtop.engine.build import build_engine

    async def build() -> None:
        engine = await build_engine(live_options(args))
        await engine.stop()

    asyncio.run(build())


def run(args: argparse.Namespace) -> int:
    """``fgtop serve``: run the flight recorder and serve followers of it to browsers; with
    ``--demo`` or ``--replay``, serve a recording (no recorder, no AWS)."""
    problem = _check_options(args)
    if problem is not None:
        return fail(problem)
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        return fail("fgtop serve needs textual-serve: pip install textual-serve")
    directory: Path | None = None
    if args.demo:
        argv, served = demo_argv(), "the demo recording"
    elif args.replay:
        path = Path(args.replay).expanduser().absolute()
        try:
            check_recording(path)
        except RecordingError as exc:
            return fail(str(exc))
        argv, served = replay_argv(path), str(path)
    else:
        try:
            check_live(args)
        except SetupError as exc:
            return fail(str(exc))
        directory = Path(args.dir) if args.dir else state_dir() / "recordings"
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return fail(f"cannot create {directory}: {exc.strerror or exc}")
        argv, served = follower_argv(directory), str(directory)
    token = args.token or os.environ.get(TOKEN_ENV) or None
    generated = False
    if token is None and needs_token(args.host):
        token = secrets.token_urlsafe(24)
        generated = True
    if not _port_free(args.host, args.port):
        return fail(f"cannot listen on {args.host}:{args.port}: address in use")

    recorder = None
    if directory is not None:
        recorder = subprocess.Popen(  # noqa: S603
            recorder_command(args, directory),
            preexec_fn=dies_with_parent(signal.SIGTERM),  # noqa: PLW1509
        )
    try:
        limits = Limits(max_viewers=args.max_viewers, memory=args.viewer_memory << 20)
        server = make_server(argv, args.host, args.port, token, args.public_url, limits)
        if recorder is not None:
            print(f"fgtop: serving {served} (recorder pid {recorder.pid})", file=sys.stderr)
        else:
            print(f"fgtop: serving {served} (no recorder, no AWS calls)", file=sys.stderr)
        print(f"fgtop: open {_url(args, token if generated else None)}", flush=True)
        if token is not None and not generated:
            print("fgtop: give the browser your token: …/?token=YOUR-TOKEN", file=sys.stderr)
        if directory is not None:
            print(
                f"fgtop: terminals: fgtop replay --follow {shlex.quote(str(directory))}  "
                "(Ctrl-C stops)",
                file=sys.stderr,
                flush=True,
            )
        else:
            print("fgtop: Ctrl-C stops", file=sys.stderr, flush=True)
        if recorder is not None:
            _watch(recorder)
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        if recorder is not None:
            _stop(recorder)
    if recorder is None:
        return 0
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

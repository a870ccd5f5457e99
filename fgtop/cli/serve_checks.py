"""What ``fgtop serve`` checks and limits, as pure functions (the web server is
:mod:`fgtop.cli.serve_web`): the terminal size a browser may ask for, the host names and
origins it answers, what a log line may never hold (the token), a viewer's environment and its
limits (address space, death with serve).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import logging
import os
import re
import resource
import signal
import socket
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fgtop.text.sanitize import safe_str

COOKIE = "fgtop_token"
"""The cookie a browser keeps the token in once it came with ``?token=``."""
MAX_COLUMNS = 500
"""The widest terminal a browser may ask for (a 4K screen at a small font is ~480)."""
MAX_ROWS = 200
"""The tallest terminal a browser may ask for."""
MAX_VIEWERS = 10
"""Viewers (browser sessions) at once by default (``--max-viewers``)."""
VIEWER_MEMORY_MB = 1024
"""A viewer's address-space limit by default, in MiB (``--viewer-memory``)."""
VIEWER_ENV = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "NO_COLOR",
        "PYTHONPATH",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONIOENCODING",
        "PYTHONUTF8",
    }
)
"""The variables a viewer inherits (besides ``LC_*`` and ``XDG_*``): nothing of AWS, of
Kubernetes or the token; a viewer only reads the recording."""
_WILDCARD = frozenset({"0.0.0.0", "::", ""})
_SCRUB = re.compile(r"(?i)(token=|bearer\s+|fgtop_token=)[^\s&;,'\")]*")


@dataclass(frozen=True)
class Limits:
    """What one serve allows its viewers."""

    max_viewers: int = MAX_VIEWERS
    memory: int = VIEWER_MEMORY_MB << 20
    """A viewer's address-space limit in bytes (RLIMIT_AS)."""
    columns: int = MAX_COLUMNS
    rows: int = MAX_ROWS


def terminal_size(width: Any, height: Any, limits: Limits) -> tuple[int, int] | None:
    """The terminal size to give a viewer: capped at the limits; None for a nonsense size
    (not a whole number, or below 1)."""
    out = []
    for value, cap in ((width, limits.columns), (height, limits.rows)):
        if isinstance(value, bool):
            return None
        if isinstance(value, str):
            value = value.strip()
            if not value.isascii() or not value.isdigit() or len(value) > 9:
                return None
            value = int(value)
        if not isinstance(value, int) or value < 1:
            return None
        out.append(min(value, cap))
    return out[0], out[1]


def host_names(bind: str, public_url: str | None) -> frozenset[str]:
    """The host names serve answers as (IP addresses are always answered: a DNS-rebinding page
    reaches the server under its own name, never an address)."""
    names = {"localhost", socket.gethostname().lower()}
    with contextlib.suppress(OSError):
        names.add(socket.getfqdn().lower())
    if bind not in _WILDCARD:
        names.add(bind.lower().strip("[]"))
    if public_url:
        host = urlsplit(public_url).hostname
        if host:
            names.add(host.lower())
    return frozenset(n for n in names if n)


def host_allowed(host: str | None, names: Iterable[str]) -> bool:
    """Whether a request's ``Host`` is serve's own name or an IP address (a request without
    one is no browser's: browsers always send it)."""
    if host is None:
        return True
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return False
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name.rstrip(".") in names
    return True


def origin_allowed(origin: str | None, scheme: str, host: str, public_url: str | None) -> bool:
    """Whether a websocket's ``Origin`` is the page serve served: where this browser reached
    it (the ``Host`` already checked), or ``--public-url``. No ``Origin`` at all is not a
    browser, so no page of another site (browsers always send it)."""
    if origin is None:
        return True
    own = {f"{scheme}://{host}".lower()}
    if public_url:
        parts = urlsplit(public_url)
        own.add(f"{parts.scheme}://{parts.netloc}".lower())
    return origin.strip().lower().rstrip("/") in own


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (raw or URL-quoted) and every ``token=``/``Bearer`` value cut."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), repr(secret)[1:-1]}:
                text = text.replace(form, "…")
    return _SCRUB.sub(lambda m: m.group(1) + "…", text)


def viewer_environment(width: int, height: int) -> dict[str, str]:
    """A viewer's environment: the allowed variables of serve's, and textual-serve's own."""
    env = {k: v for k, v in os.environ.items() if k in VIEWER_ENV or k.startswith(("LC_", "XDG_"))}
    env.update(
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        TERM_PROGRAM="textual",
        COLUMNS=str(width),
        ROWS=str(height),
    )
    return env


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PR_SET_PDEATHSIG = 1


def viewer_preexec(memory: int) -> Callable[[], None]:
    """What runs in a viewer between fork and exec: its memory limit, and death with serve
    (found before the fork: the child only calls it)."""
    dies = dies_with_parent(signal.SIGKILL)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        dies()

    return limit


def dies_with_parent(sig: int) -> Callable[[], None]:
    """What runs in a child between fork and exec so that the kernel sends it ``sig`` when
    serve dies, even by SIGKILL (``PR_SET_PDEATHSIG``; the recorder gets SIGTERM, so it stops
    as on ``kill``)."""
    parent = os.getpid()
    prctl = _prctl()

    def arm() -> None:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:  # serve died before the line above
            os._exit(1)

    return arm


class OneLine(logging.Formatter):
    """A log line with the exception's one-line text instead of its traceback, and no secret."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        line = super().format(record)
        if exc is not None and str(exc) not in line:
            line += f" ({type(exc).__name__}: {exc})"
        return safe_str(scrub(" ".join(line.split()), self.secrets), max_chars=500)


def token_ok(given: str | None, token: str) -> bool:
    """Whether ``given`` is the token (compared in constant time)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())

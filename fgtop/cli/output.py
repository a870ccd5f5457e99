"""What every command checks of its surroundings first: the output's encoding, and ``TZ``.

An output that cannot hold fgtop's glyphs (``PYTHONIOENCODING=ascii``, a ``C`` locale, a
latin-1 terminal) gets ASCII ones instead (``->`` for ``→``, ``...`` for ``…``), and any other
character it cannot hold is escaped (``\\xe9``), never dropped and never a crash. A ``TZ`` the
system does not know (the C library then shows UTC without a word) is named in one line.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from typing import TextIO

ASCII_GLYPHS = {
    "→": "->",
    "←": "<-",
    "↑": "^",
    "↓": "v",
    "…": "...",
    "·": "-",
    "•": "*",
    "●": "*",
    "○": "o",
    "▶": ">",
    "⏸": "||",
    "—": "--",
    "–": "-",
    "✓": "ok",
    "✗": "x",
    "×": "x",
    "≥": ">=",
    "≤": "<=",
    "≈": "~",
    "±": "+/-",
    "µ": "u",
    "°": "deg",
    "⚠": "!",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "█": "#",
    "░": ".",
    "▏": "|",
    "│": "|",
    "─": "-",
}
"""fgtop's glyphs and what stands for them on an output that cannot hold them."""
ERRORS = "fgtop-ascii"
"""The codec error handler that writes :data:`ASCII_GLYPHS` (and escapes anything else)."""
_PROBE = "→…·▶"
_POSIX_TZ = re.compile(
    r"^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)[+-]?\d{1,2}(?::\d{1,2}){0,2}"
    r"(?:(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)(?:[+-]?\d{1,2}(?::\d{1,2}){0,2})?(?:,.+)?)?$"
)
"""A POSIX ``TZ`` rule (``EST5EDT``, ``CET-1CEST,M3.5.0,M10.5.0/3``, ``<+03>-3``)."""


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for ch in error.object[error.start : error.end]:
        glyph = ASCII_GLYPHS.get(ch)
        if glyph is None:
            n = ord(ch)
            glyph = f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
        out.append(glyph)
    return "".join(out), error.end


codecs.register_error(ERRORS, _fallback)


def fit_output(*streams: TextIO | None) -> None:
    """Make each stream write ASCII glyphs where its encoding cannot hold fgtop's."""
    for stream in streams:
        encoding = getattr(stream, "encoding", None)
        if not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            _PROBE.encode(encoding)
        except UnicodeEncodeError:
            stream.reconfigure(errors=ERRORS)  # type: ignore[union-attr]
        except LookupError:
            continue


def tz_problem(tz: str | None) -> str | None:
    """One line when ``TZ`` names no zone the system has and is no POSIX rule; else None."""
    if not tz:
        return None  # unset: the system's zone; empty: UTC, as asked
    name = tz[1:] if tz.startswith(":") else tz
    if name.startswith("/"):
        if os.path.isfile(name):
            return None
    elif ".." not in name and not name.startswith("."):
        import zoneinfo

        dirs = [os.environ.get("TZDIR"), *zoneinfo.TZPATH, "/usr/share/zoneinfo"]
        if any(d and os.path.isfile(os.path.join(d, name)) for d in dirs):
            return None
        if _POSIX_TZ.match(name):
            return None
    from fgtop.text.sanitize import safe_str

    shown = safe_str(tz, max_chars=80)
    return f"TZ={shown} is not a time zone this system knows: times are shown in UTC"


def check_surroundings() -> None:
    """What every command does first: fit its outputs, and name a bad ``TZ``."""
    fit_output(sys.stdout, sys.stderr)
    problem = tz_problem(os.environ.get("TZ"))
    if problem is not None:
        print(f"fgtop: {problem}", file=sys.stderr)

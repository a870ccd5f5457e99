"""The one grammar of durations: ``90s``, ``15m``, ``2h``, ``1d`` or plain seconds."""

from __future__ import annotations

import re

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds of a duration such as ``90s``, ``15m``, ``2h``, ``1d`` or ``300``.

    Raises:
        ValueError: With a one-line message for anything else, zero included.
    """
    found = _DURATION_RE.match(text.lower())
    if found is None:
        raise ValueError(f"not a duration: {text.strip()!r} (use e.g. 90s, 15m, 2h)")
    seconds = float(found.group(1)) * _UNITS[found.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {text.strip()!r}")
    return seconds

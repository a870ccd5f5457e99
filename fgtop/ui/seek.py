"""Parsing the replay seek bar: a local time of day or a relative jump (pure)."""

from __future__ import annotations

from datetime import datetime

from fgtop.text.durations import parse_duration


def parse_seek(text: str, now: float, start: float) -> float:
    """``HH:MM[:SS]`` (local time, on the recording's day) or ``+5m`` / ``-90s`` from ``now``.

    Raises:
        ValueError: With a one-line message for anything else.
    """
    text = text.strip()
    if text[:1] in "+-" and len(text) > 1:
        seconds = parse_duration(text[1:])
        return now + seconds if text[0] == "+" else now - seconds
    parts = text.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
        h, m, s = (int(p) for p in [*parts, "0"][:3])
        if h < 24 and m < 60 and s < 60:
            day = datetime.fromtimestamp(start)
            return day.replace(hour=h, minute=m, second=s, microsecond=0).timestamp()
    raise ValueError(f"cannot seek to {text!r}: use HH:MM[:SS] or +5m / -90s")

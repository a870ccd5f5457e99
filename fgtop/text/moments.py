"""The one grammar of a moment in a recording: what ``G`` and ``fgtop snapshot --at`` take.

``HH:MM[:SS]`` (local time, on the recording's day), an ISO 8601 timestamp (``Z`` or an
offset; none: local time), or a relative jump ``+90s`` / ``-5m`` in the grammar of
:func:`fgtop.text.durations.parse_duration`. Pure: the caller says what the jump is relative
to (the replay clock for ``G``; the start for ``+`` and the end for ``-`` on the command line).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fgtop.text.durations import parse_duration

FORMS = "HH:MM[:SS], an ISO time (2026-11-28T10:15:00Z) or +90s / -5m"
"""The forms accepted, for error messages and help texts."""


def _time_of_day(text: str, start: float, end: float | None) -> float | None:
    parts = text.split(":")
    if not (2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
        return None
    h, m, s = (int(p) for p in [*parts, "0"][:3])
    if not (h < 24 and m < 60 and s < 60):
        return None
    first = datetime.fromtimestamp(start)
    moment = first.replace(hour=h, minute=m, second=s, microsecond=0)
    if end is not None:
        # A recording past midnight: the first day on which that time falls inside it.
        day = moment
        while day.timestamp() <= end:
            if day.timestamp() >= start:
                return day.timestamp()
            day += timedelta(days=1)
    return moment.timestamp()


def _iso(text: str) -> float | None:
    if "-" not in text[1:] or len(text) < 10:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.timestamp()  # naive: local time, as HH:MM is


def parse_moment(
    text: str,
    *,
    now: float,
    start: float,
    end: float | None = None,
    from_ends: bool = False,
) -> float:
    """The POSIX time ``text`` names.

    Args:
        text: ``HH:MM[:SS]``, an ISO timestamp, or ``+DURATION`` / ``-DURATION``.
        now: Where a relative jump starts (the replay clock) unless ``from_ends``.
        start: The recording's first frame (its day is the day of ``HH:MM``).
        end: The recording's last frame (a time of day past midnight falls on the next day).
        from_ends: ``+`` counts from ``start`` and ``-`` from ``end`` (the command line's
            ``--at``), instead of both from ``now``.

    Raises:
        ValueError: One line naming the forms accepted, for anything else.
    """
    text = text.strip()
    if text[:1] in "+-" and len(text) > 1 and not text[1:2].isspace():
        try:
            seconds = parse_duration(text[1:])
        except ValueError:
            raise ValueError(f"cannot read the time {text!r}: use {FORMS}") from None
        if text[0] == "+":
            return (start if from_ends else now) + seconds
        return ((end if end is not None else now) if from_ends else now) - seconds
    found = _time_of_day(text, start, end)
    if found is None:
        found = _iso(text)
    if found is None:
        raise ValueError(f"cannot read the time {text!r}: use {FORMS}")
    return found

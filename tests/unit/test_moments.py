"""The one grammar of a moment: ``G``'s and ``fgtop snapshot --at``'s (fgtop.text.moments)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fgtop.text.moments import parse_moment

START = datetime(2026, 11, 28, 9, 48, 0).timestamp()  # local time, as the UI shows it
END = START + 1795


def test_time_of_day_on_the_recording_day() -> None:
    assert parse_moment("10:09", now=START, start=START, end=END) == START + 21 * 60
    assert parse_moment("10:09:30", now=START, start=START, end=END) == START + 21 * 60 + 30


def test_time_of_day_past_midnight_falls_on_the_next_day() -> None:
    late = datetime(2026, 11, 28, 23, 50).timestamp()
    t = parse_moment("00:10", now=late, start=late, end=late + 3600)
    assert datetime.fromtimestamp(t) == datetime(2026, 11, 29, 0, 10)


def test_iso_times_with_and_without_a_zone() -> None:
    assert parse_moment("2026-11-28T10:09:00", now=0, start=START) == START + 21 * 60
    utc = datetime(2026, 11, 28, 10, 9, tzinfo=UTC).timestamp()
    assert parse_moment("2026-11-28T10:09:00Z", now=0, start=START) == utc
    assert parse_moment("2026-11-28T11:09:00+01:00", now=0, start=START) == utc


def test_relative_jumps_from_now_or_from_the_ends() -> None:
    now = START + 600
    assert parse_moment("+90s", now=now, start=START, end=END) == now + 90
    assert parse_moment("-5m", now=now, start=START, end=END) == now - 300
    assert parse_moment("+90s", now=now, start=START, end=END, from_ends=True) == START + 90
    assert parse_moment("-5m", now=now, start=START, end=END, from_ends=True) == END - 300
    assert parse_moment("+1h", now=now, start=START, end=END, from_ends=True) == START + 3600


@pytest.mark.parametrize("text", ["tomorrow", "25:00", "10:61", "+", "- 5m", "+0s", "2026-13-01"])
def test_anything_else_is_one_line(text: str) -> None:
    with pytest.raises(ValueError, match=r"^cannot read the time .*: use HH:MM\[:SS\], an ISO"):
        parse_moment(text, now=START, start=START, end=END)


def test_a_moment_a_day_later_is_still_that_day() -> None:
    day = timedelta(days=1).total_seconds()
    assert parse_moment("2026-11-29 09:48", now=0, start=START) == START + day

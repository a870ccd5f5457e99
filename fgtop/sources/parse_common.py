"""Strict field readers shared by the parsers of AWS answers.

Each reader accepts what botocore returns (and what the real-shaped samples hold: ISO times as
text) and raises :class:`Malformed` for anything else, so a parser can skip and count one bad
entry without letting it hide the others (:func:`parse_each`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")


class Malformed(ValueError):
    """An entry lacks what fgtop needs, or holds a field of the wrong type."""


def integer(value: Any) -> int | None:
    """A whole number (None stays None)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    raise Malformed(f"not a whole number: {value!r}")


def number(value: Any) -> float | None:
    """A finite number (None stays None)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    raise Malformed(f"not a number: {value!r}")


def text(value: Any) -> str | None:
    """A string (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"not a string: {value!r}")
    return value


def required(value: Any, what: str) -> str:
    """A non-empty string, or :class:`Malformed` naming ``what``."""
    found = text(value)
    if not found:
        raise Malformed(f"no {what}")
    return found


def flag(value: Any) -> bool | None:
    """A boolean (None stays None)."""
    if value is None or isinstance(value, bool):
        return value
    raise Malformed(f"not a boolean: {value!r}")


def when(value: Any) -> float | None:
    """A botocore datetime, an ISO string or POSIX seconds as POSIX seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError as exc:
            raise Malformed(f"not a time: {value!r}") from exc
    return number(value)


def obj(value: Any, what: str) -> dict:
    """An object (None is an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not an object")
    return value


def items(value: Any, what: str) -> list:
    """A list (None is an empty one)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise Malformed(f"{what} is not a list")
    return list(value)


def strings(value: Any, what: str) -> tuple[str, ...]:
    """A list of strings, empty ones dropped."""
    return tuple(s for s in (text(v) for v in items(value, what)) if s)


def parse_each(entries: Iterable[Any], parse: Callable[[Any], T]) -> tuple[list[T], int]:
    """``parse`` applied to each entry on its own: the parsed ones, and how many were skipped
    as malformed (never allowed to hide the others)."""
    out: list[T] = []
    skipped = 0
    for raw in entries:
        try:
            out.append(parse(raw))
        except (Malformed, TypeError, ValueError, AttributeError, KeyError):
            skipped += 1
    return out, skipped

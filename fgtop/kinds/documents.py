"""What the kinds' JSON documents share: times, percentages, JSON-able plain data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fgtop.model import Snapshot


def iso(ts: float | None) -> str | None:
    """POSIX seconds as an ISO 8601 UTC string (``None`` stays ``None``)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def pct(snapshot: Snapshot, target: str, metric: str) -> float | None:
    """The latest point of a series, rounded to two decimals (None: unknown)."""
    series = snapshot.series(target, metric)
    value = series.last if series else None
    return round(value, 2) if value is not None else None


def json_ready(doc: dict[str, Any]) -> dict[str, Any]:
    """A document as JSON-able plain data (tuples become lists, odd values strings)."""
    plain: dict[str, Any] = json.loads(json.dumps(doc, default=str))
    return plain

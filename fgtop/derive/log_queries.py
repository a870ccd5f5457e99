"""The canned Logs Insights queries `i` offers, and the time range around a moment.

Pure text: the UI picks one, the feed runs it over the service's log groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR_LINES = r"/(?i)(error|exception|fatal|panic|traceback)/"
"""What counts as an error line (case-insensitive)."""
BEFORE = 30 * 60.0
"""Seconds before the moment of a problem the canned queries look at."""
AFTER = 10 * 60.0
"""Seconds after it."""
LAST_HOUR = 3600.0
"""The range when there is no moment: the last hour."""
FILTER_LIMIT = 1000
"""Rows of the "lines matching the filter" query."""


@dataclass(frozen=True)
class CannedQuery:
    """One query of the `i` picker."""

    key: str
    label: str
    query: str


ERRORS_BY_MESSAGE = CannedQuery(
    "errors",
    "error and exception lines grouped by message, with counts",
    "fields @timestamp, substr(@message, 0, 200) as message\n"
    f"| filter @message like {ERROR_LINES}\n"
    "| stats count(*) as count, latest(@timestamp) as last by message\n"
    "| sort count desc\n"
    "| limit 100",
)
LAST_ERRORS = CannedQuery(
    "last-errors",
    "the last 50 errors, with their task",
    "fields @timestamp, @message, @logStream, @log\n"
    f"| filter @message like {ERROR_LINES}\n"
    "| sort @timestamp desc\n"
    "| limit 50",
)


def insights_regex(pattern: str) -> str:
    """A log-view filter (a regex, or literal text when it is not one) as an Insights regex
    literal ``/(?i).../``, case-insensitive like the view's filter."""
    try:
        re.compile(pattern)
        body = pattern
    except re.error:
        body = "".join(f"\\{c}" if c in ".^$*+?{}[]\\|()" else c for c in pattern)
    out: list[str] = []
    escaped = False
    for c in body:
        if c == "/" and not escaped:
            out.append("\\/")
        elif c in "\n\r":
            out.append(" ")
        else:
            out.append(c)
        escaped = c == "\\" and not escaped
    return f"/(?i){''.join(out)}/"


def matching_filter(pattern: str) -> CannedQuery:
    """Lines matching the logs view's filter, across every task of the service."""
    return CannedQuery(
        "filter",
        f"lines matching the filter {pattern!r}, across all tasks",
        "fields @timestamp, @message, @logStream, @log\n"
        f"| filter @message like {insights_regex(pattern)}\n"
        "| sort @timestamp desc\n"
        f"| limit {FILTER_LIMIT}",
    )


def canned_queries(filter_pattern: str | None = None) -> list[CannedQuery]:
    """What `i` offers: the error queries, and the filter's query when a filter is set."""
    queries = [ERRORS_BY_MESSAGE, LAST_ERRORS]
    if filter_pattern:
        queries.append(matching_filter(filter_pattern))
    return queries


def time_range(at: float | None, now: float) -> tuple[float, float]:
    """The range to query: around a moment (30 minutes before, 10 after, not past now), or
    the last hour."""
    if at is None:
        return now - LAST_HOUR, now
    end = min(at + AFTER, now)
    if end <= at:
        end = at + AFTER
    return at - BEFORE, end

"""Logs Insights in a replay: the query results a recording carries (its meta's ``insights``).

A replay cannot query CloudWatch Logs. A recording may carry results recorded with it (the
demo carries the canned queries' results for its incidents' services): `i` then shows what it
does live, from those, saying they are recorded. A recording without any says so, and the UI
does not offer `i` (``available`` is False). Format: docs/recording-format.md ("Recorded
Logs Insights results").
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fgtop.feed import InsightsBatch, InsightsPlan, InsightsRequest
from fgtop.model import LogLine
from fgtop.model.codec import decode
from fgtop.text import fmt

NONE_RECORDED = (
    "Logs Insights needs a live session: it queries CloudWatch Logs, and this recording "
    "carries no recorded results"
)
GB = 1024**3
PRICE_PER_GB = 0.005
"""USD per GB scanned (most regions), for a recorded result without its own cost."""


@dataclass(frozen=True)
class Recorded:
    """One recorded query result: a query over a service's log groups."""

    service: str
    """The service ARN whose log groups were queried."""
    query: str
    start: float
    end: float
    groups: tuple[tuple[str, str], ...]
    lines: tuple[LogLine, ...]
    table: bool = False
    records_matched: float = 0.0
    records_scanned: float = 0.0
    bytes_scanned: float = 0.0


def read_recorded(meta: Mapping[str, Any]) -> tuple[Recorded, ...]:
    """The results in a recording's meta (``insights``); malformed entries are skipped."""
    entries = meta.get("insights")
    if not isinstance(entries, list):
        return ()
    out = []
    for e in entries:
        try:
            out.append(
                Recorded(
                    service=str(e["service"]),
                    query=str(e["query"]),
                    start=float(e["start"]),
                    end=float(e["end"]),
                    groups=tuple((str(r), str(g)) for r, g in e.get("groups", ())),
                    lines=tuple(decode(LogLine, x) for x in e.get("lines", ())),
                    table=bool(e.get("table", False)),
                    records_matched=float(e.get("records_matched", 0)),
                    records_scanned=float(e.get("records_scanned", 0)),
                    bytes_scanned=float(e.get("bytes_scanned", 0)),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(out)


class RecordedInsights:
    """:class:`fgtop.feed.InsightsFeed` over the results a recording carries."""

    def __init__(self, recorded: Sequence[Recorded]) -> None:
        self.recorded = tuple(recorded)

    @property
    def available(self) -> bool:
        """Whether the recording carries any result (else `i` is not offered)."""
        return bool(self.recorded)

    @property
    def why(self) -> str:
        """Why queries cannot run (when nothing is recorded)."""
        return "" if self.available else NONE_RECORDED

    def _services(self) -> list[str]:
        return sorted({r.service.rsplit("/", 1)[-1] for r in self.recorded})

    def _match(self, request: InsightsRequest) -> Recorded | None:
        arns = {s.arn for s in request.services}
        return next(
            (r for r in self.recorded if r.service in arns and r.query == request.query), None
        )

    def plan(self, request: InsightsRequest) -> InsightsPlan:
        """The recorded result's log groups, or why there is none to show."""
        found = self._match(request)
        if found is None:
            return InsightsPlan(notes=(self._missing(request),))
        return InsightsPlan(
            found.groups,
            ("a recorded result (a replay does not query CloudWatch Logs): no cost now",),
        )

    def _missing(self, request: InsightsRequest) -> str:
        if not any(r.service in {s.arn for s in request.services} for r in self.recorded):
            return (
                "no recorded Logs Insights result for this service (the recording has some for "
                f"{', '.join(self._services())})"
            )
        return "no recorded result of this query for this service (the canned queries have one)"

    async def run(self, request: InsightsRequest) -> AsyncGenerator[InsightsBatch, None]:
        """The recorded result, at once (or one line saying there is none)."""
        found = self._match(request)
        if found is None:
            yield InsightsBatch(status="Failed", message=self._missing(request), done=True)
            return
        span = f"{fmt.when(found.start)} → {fmt.stamp(found.end, found.start)}"
        yield InsightsBatch(
            lines=found.lines,
            status="Complete",
            message=f"a recorded result: what this query returned over {span} (local time); "
            "a replay does not query CloudWatch Logs",
            bytes_scanned=found.bytes_scanned,
            records_matched=found.records_matched,
            records_scanned=found.records_scanned,
            cost=found.bytes_scanned / GB * PRICE_PER_GB,
            done=True,
            table=found.table,
        )

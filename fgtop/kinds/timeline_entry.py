"""The timeline entry kind: rows of the timeline (service events, stops, deployments, alerts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fgtop.derive.timeline import TimelineEntry
from fgtop.kinds.base import BY_TEXT, Cell, Kind, View, Words
from fgtop.kinds.columns import Column
from fgtop.kinds.common import ACCOUNT, SEVERITY_CELLS, account_text
from fgtop.text import fmt
from fgtop.text.sanitize import safe_str

CELL_CHARS = 300
"""Cap on outside text in a timeline cell (the message column ends in an ellipsis anyway)."""


def short_target(entry: TimelineEntry) -> str:
    """A short name for an entry's target: service name, task id, or ``namespace/pod``."""
    target = entry.target
    if target.startswith("arn:"):
        tail = target.rsplit(":", 1)[-1]
        kind, _, rest = tail.partition("/")
        last = rest.rsplit("/", 1)[-1]
        return last[:12] if kind == "task" else last
    return target


def logs_target(entry: TimelineEntry) -> str:
    """What the log view takes for an entry: an ARN or a pod key."""
    if entry.target.startswith("arn:") or entry.cluster is None:
        return entry.target
    if entry.target.count("/") == 1:
        return f"{entry.cluster}/{entry.target}"
    return entry.target


def _cell(value: str, tone: str = "") -> Cell:
    return Cell(safe_str(value, max_chars=CELL_CHARS), tone=tone)


class TimelineEntryKind(Kind[TimelineEntry]):
    """What happened, newest first."""

    name = "timeline entry"
    plural = "timeline entries"
    model = TimelineEntry
    view = "timeline"
    json_key = "timeline"
    words = Words("timeline", ("tl", "events"), "merged timeline (optional filter)")
    columns: ClassVar[tuple[Column, ...]] = (
        Column("time", "TIME", priority=0, min=8, max=20),
        Column("kind", "KIND", priority=0, min=8, max=22),
        # The message names its target: at narrow widths the target column goes first.
        Column("target", "TARGET", priority=1, min=10, max=28),
        # The message takes the rest of the width (cut with an ellipsis; wide: all of it).
        Column("message", "MESSAGE", priority=0, min=20, max=60, fill=True),
        ACCOUNT,
    )

    def items(self, view: View) -> Sequence[TimelineEntry]:
        """The entries up to the moment looked at, oldest first."""
        return view.derived.timeline.entries(until=view.until)

    def key(self, item: TimelineEntry) -> str:
        """The same entry object keeps its key whatever the filter."""
        return f"e{id(item)}"

    def texts(self, item: TimelineEntry, view: View) -> Mapping[str, str]:
        """The plain text of each cell."""
        return {k: c.plain for k, c in self.cells(item, view).items()}

    def cells(self, item: TimelineEntry, view: View) -> Mapping[str, Cell]:
        """Time (dated when not of the day looked at), kind in its severity's colour (and
        glyph), target and message."""
        glyph, _, tone = SEVERITY_CELLS.get(item.severity, SEVERITY_CELLS[4])
        return {
            "account": Cell(account_text(view, item.account)),
            "time": Cell(fmt.stamp(item.at, view.at)),
            "kind": _cell(f"{glyph} {item.kind}", tone if item.severity <= 3 else ""),
            "target": _cell(short_target(item)),
            "message": _cell(item.message),
        }

    def sort_value(self, item: TimelineEntry, column: str, view: View) -> Any:
        """TIME sorts by the moment (not its text); the rest by their text."""
        return item.at if column == "time" else BY_TEXT

    def document(self, item: TimelineEntry, view: View) -> dict[str, Any]:
        """An entry as JSON (``fgtop snapshot``'s timeline: live, what one snapshot tells; with
        ``--replay``, the timeline the dashboard shows at that moment)."""
        return {
            "at": item.at,
            "kind": item.kind,
            "target": item.target,
            "message": item.message,
            "account": item.account,
            "cluster": item.cluster,
            "region": item.region,
            "severity": item.severity,
        }

    def points_at(self, item: TimelineEntry) -> tuple[str, str | None]:
        """Its target and cluster."""
        return item.target, item.cluster

    def log_key(self, item: TimelineEntry, resource: str | None) -> str | None:
        """Its target's logs (an ARN or a pod key), whatever is reported now."""
        return logs_target(item)

    def log_moment(self, item: TimelineEntry) -> float | None:
        """When it happened."""
        return item.at


KIND = TimelineEntryKind()

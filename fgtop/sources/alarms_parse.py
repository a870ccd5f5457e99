"""Parsing ``DescribeAlarms`` and ``DescribeAlarmHistory`` answers into the model."""

from __future__ import annotations

import json
from typing import Any

from fgtop.model.alarms import Alarm, AlarmChange
from fgtop.sources.parse_common import (
    Malformed,
    integer,
    items,
    number,
    obj,
    required,
    strings,
    text,
    when,
)


def parse_alarm(raw: Any, region: str, *, composite: bool = False) -> Alarm:
    """One ``MetricAlarms`` (or ``CompositeAlarms``) entry.

    Raises:
        Malformed: No name, ARN or state, or a field of the wrong type.
    """
    doc = obj(raw, "alarm")
    arn = required(doc.get("AlarmArn"), "alarm ARN")
    dimensions = []
    for entry in items(doc.get("Dimensions"), "Dimensions"):
        dim = obj(entry, "dimension")
        dimensions.append(
            (required(dim.get("Name"), "dimension name"), text(dim.get("Value")) or "")
        )
    parts = arn.split(":")
    return Alarm(
        name=required(doc.get("AlarmName"), "alarm name"),
        arn=arn,
        region=region,
        state=required(doc.get("StateValue"), "state"),
        reason=text(doc.get("StateReason")),
        updated_at=when(doc.get("StateTransitionedTimestamp"))
        or when(doc.get("StateUpdatedTimestamp")),
        metric=text(doc.get("MetricName")),
        namespace=text(doc.get("Namespace")),
        dimensions=tuple(dimensions),
        statistic=text(doc.get("Statistic")) or text(doc.get("ExtendedStatistic")),
        threshold=number(doc.get("Threshold")),
        comparison=text(doc.get("ComparisonOperator")),
        period=integer(doc.get("Period")),
        evaluation_periods=integer(doc.get("EvaluationPeriods")),
        actions=strings(doc.get("AlarmActions"), "AlarmActions"),
        composite=composite,
        account=(parts[4] or None) if len(parts) > 4 else None,
    )


def parse_change(raw: Any, region: str) -> AlarmChange:
    """One ``AlarmHistoryItems`` entry of type ``StateUpdate``.

    The old and new states come from ``HistoryData`` (JSON in a string); without it, from the
    summary (``Alarm updated from OK to ALARM``).

    Raises:
        Malformed: Not a state update, no name or time, or unreadable states.
    """
    doc = obj(raw, "alarm history item")
    if doc.get("HistoryItemType") not in (None, "StateUpdate"):
        raise Malformed("not a state update")
    at = when(doc.get("Timestamp"))
    if at is None:
        raise Malformed("no time")
    old = new = reason = None
    data = text(doc.get("HistoryData"))
    if data:
        try:
            history = json.loads(data)
        except ValueError:
            history = None
        if isinstance(history, dict):
            old_state = obj(history.get("oldState"), "oldState")
            new_state = obj(history.get("newState"), "newState")
            old = text(old_state.get("stateValue"))
            new = text(new_state.get("stateValue"))
            reason = text(new_state.get("stateReason"))
    if new is None:
        summary = text(doc.get("HistorySummary")) or ""
        words = summary.split()
        if len(words) >= 6 and words[:3] == ["Alarm", "updated", "from"] and words[4] == "to":
            old, new = words[3], words[5]
    if new is None:
        raise Malformed("no new state")
    return AlarmChange(
        alarm=required(doc.get("AlarmName"), "alarm name"),
        region=region,
        at=at,
        old_state=old,
        new_state=new,
        reason=reason,
    )

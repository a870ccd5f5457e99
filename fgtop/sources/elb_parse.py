"""Parsing ``DescribeTargetHealth`` answers into the model, one target at a time."""

from __future__ import annotations

from typing import Any

from fgtop.model.elb import TargetHealth
from fgtop.sources.parse_common import integer, obj, required, text


def parse_target(raw: Any, target_group: str, region: str, at: float) -> TargetHealth:
    """One ``TargetHealthDescriptions`` entry of ``target_group``, answered at ``at``.

    Raises:
        Malformed: No target id or state, or a field of the wrong type.
    """
    doc = obj(raw, "target health")
    target = obj(doc.get("Target"), "Target")
    health = obj(doc.get("TargetHealth"), "TargetHealth")
    port = doc.get("HealthCheckPort")
    parts = target_group.split(":")
    return TargetHealth(
        target_group=target_group,
        target_id=required(target.get("Id"), "target id"),
        port=integer(target.get("Port")),
        region=region,
        state=required(health.get("State"), "state"),
        reason=text(health.get("Reason")),
        description=text(health.get("Description")),
        az=text(target.get("AvailabilityZone")),
        health_check_port=str(port) if isinstance(port, int | str) and port != "" else None,
        checked_at=at,
        account=(parts[4] or None) if len(parts) > 4 else None,
    )

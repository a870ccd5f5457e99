"""Parsing Application Auto Scaling answers (ECS services) into the model."""

from __future__ import annotations

from typing import Any

from fgtop.model.scaling import NotScaled, ScalableTarget, ScalingActivity, ScalingPolicy
from fgtop.sources.parse_common import (
    Malformed,
    flag,
    integer,
    items,
    number,
    obj,
    required,
    text,
    when,
)

_SUSPENDED = (
    ("DynamicScalingInSuspended", "scale-in"),
    ("DynamicScalingOutSuspended", "scale-out"),
    ("ScheduledScalingSuspended", "scheduled"),
)


def _account(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return (parts[4] or None) if len(parts) > 4 else None


def parse_target(raw: Any, region: str) -> ScalableTarget:
    """One ``ScalableTargets`` entry.

    Raises:
        Malformed: No resource id or capacities, or a field of the wrong type.
    """
    doc = obj(raw, "scalable target")
    low, high = integer(doc.get("MinCapacity")), integer(doc.get("MaxCapacity"))
    if low is None or high is None:
        raise Malformed("no capacity bounds")
    suspended = obj(doc.get("SuspendedState"), "SuspendedState")
    return ScalableTarget(
        resource_id=required(doc.get("ResourceId"), "resource id"),
        region=region,
        min_capacity=low,
        max_capacity=high,
        created_at=when(doc.get("CreationTime")),
        suspended=tuple(word for key, word in _SUSPENDED if flag(suspended.get(key))),
        account=_account(text(doc.get("ScalableTargetARN")) or text(doc.get("RoleARN"))),
    )


def parse_policy(raw: Any, region: str) -> ScalingPolicy:
    """One ``ScalingPolicies`` entry."""
    doc = obj(raw, "scaling policy")
    arn = required(doc.get("PolicyARN"), "policy ARN")
    tracking = obj(
        doc.get("TargetTrackingScalingPolicyConfiguration"),
        "TargetTrackingScalingPolicyConfiguration",
    )
    predefined = obj(tracking.get("PredefinedMetricSpecification"), "PredefinedMetricSpecification")
    custom = obj(tracking.get("CustomizedMetricSpecification"), "CustomizedMetricSpecification")
    alarms = []
    for entry in items(doc.get("Alarms"), "Alarms"):
        name = text(obj(entry, "alarm").get("AlarmName"))
        if name:
            alarms.append(name)
    return ScalingPolicy(
        arn=arn,
        name=required(doc.get("PolicyName"), "policy name"),
        resource_id=required(doc.get("ResourceId"), "resource id"),
        region=region,
        policy_type=required(doc.get("PolicyType"), "policy type"),
        target_value=number(tracking.get("TargetValue")),
        metric=text(predefined.get("PredefinedMetricType")) or text(custom.get("MetricName")),
        alarms=tuple(alarms),
        scale_out_cooldown=integer(tracking.get("ScaleOutCooldown")),
        scale_in_cooldown=integer(tracking.get("ScaleInCooldown")),
        account=_account(arn),
    )


def parse_activity(raw: Any, region: str) -> ScalingActivity:
    """One ``ScalingActivities`` entry (``NotScaledReasons`` kept)."""
    doc = obj(raw, "scaling activity")
    started = when(doc.get("StartTime"))
    if started is None:
        raise Malformed("no start time")
    reasons = []
    for entry in items(doc.get("NotScaledReasons"), "NotScaledReasons"):
        why = obj(entry, "NotScaledReason")
        reasons.append(
            NotScaled(
                code=required(why.get("Code"), "code"),
                max_capacity=integer(why.get("MaxCapacity")),
                min_capacity=integer(why.get("MinCapacity")),
                current_capacity=integer(why.get("CurrentCapacity")),
            )
        )
    return ScalingActivity(
        id=required(doc.get("ActivityId"), "activity id"),
        resource_id=required(doc.get("ResourceId"), "resource id"),
        region=region,
        started_at=started,
        status=required(doc.get("StatusCode"), "status"),
        description=text(doc.get("Description")),
        cause=text(doc.get("Cause")),
        status_message=text(doc.get("StatusMessage")),
        ended_at=when(doc.get("EndTime")),
        not_scaled=tuple(reasons),
    )

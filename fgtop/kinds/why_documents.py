"""The why parts of the JSON documents: per service its deployment history (from the ECS
deployments API), target health, alarms and scaling; at the top, the alarms and their state
changes. Fields are added, never renamed (the README documents them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fgtop.derive.why import (
    alarms_of,
    revision_task_definition,
    scaling_of,
    services_of_alarm,
    target_task,
)
from fgtop.model import Alarm, Service, ServiceDeployment, Snapshot

Iso = Callable[[float | None], str | None]


def deployment_json(d: ServiceDeployment, snapshot: Snapshot, iso: Iso) -> dict[str, Any]:
    """One deployment of the deployments API as its documented JSON object."""
    return {
        "arn": d.arn,
        "id": d.id,
        "status": d.status,
        "status_reason": d.status_reason,
        "lifecycle_stage": d.lifecycle_stage,
        "created_at": iso(d.created_at),
        "started_at": iso(d.started_at),
        "finished_at": iso(d.finished_at),
        "stopped_at": iso(d.stopped_at),
        "target_revision": d.target.arn if d.target else None,
        "task_definition": revision_task_definition(snapshot, d.target.arn if d.target else None),
        "source_task_definition": revision_task_definition(snapshot, d.source_revision),
        "circuit_breaker": {
            "status": d.breaker_status,
            "failure_count": d.failure_count,
            "threshold": d.failure_threshold,
        },
        "alarms": {
            "status": d.alarms_status,
            "names": list(d.alarm_names),
            "triggered": list(d.triggered_alarms),
        },
        "rollback": {
            "reason": d.rollback_reason,
            "started_at": iso(d.rollback_started_at),
            "revision": d.rollback_revision,
            "task_definition": revision_task_definition(snapshot, d.rollback_revision),
        }
        if d.rollback_started_at is not None or d.rollback_revision
        else None,
    }


def service_why_json(s: Service, snapshot: Snapshot, iso: Iso) -> dict[str, Any]:
    """The why fields of one service's JSON object."""
    targets = []
    for t in snapshot.targets_of(s):
        task = target_task(snapshot, s, t)
        targets.append(
            {
                "target_group": t.target_group,
                "target": t.target_id,
                "port": t.port,
                "state": t.state,
                "reason": t.reason,
                "description": t.description,
                "task": task.arn if task else None,
                "unhealthy_since": iso(t.unhealthy_since),
                "checked_at": iso(t.checked_at),
            }
        )
    scaling = scaling_of(snapshot, s)
    return {
        "deployment_history": [
            deployment_json(d, snapshot, iso) for d in snapshot.deployments_of(s)
        ],
        "target_health": targets,
        "alarms": [a.name for a in alarms_of(snapshot, s)],
        "scaling": {
            "min": scaling.target.min_capacity,
            "max": scaling.target.max_capacity,
            "desired": s.desired,
            "suspended": list(scaling.target.suspended),
            "policies": [
                {
                    "name": p.name,
                    "type": p.policy_type,
                    "target_value": p.target_value,
                    "metric": p.metric,
                    "alarms": list(p.alarms),
                }
                for p in scaling.policies
            ],
            "activities": [
                {
                    "started_at": iso(a.started_at),
                    "ended_at": iso(a.ended_at),
                    "status": a.status,
                    "description": a.description,
                    "cause": a.cause,
                    "status_message": a.status_message,
                    "not_scaled": [n.code for n in a.not_scaled],
                }
                for a in scaling.activities
            ],
        }
        if scaling is not None
        else None,
    }


def alarm_json(a: Alarm, snapshot: Snapshot, iso: Iso) -> dict[str, Any]:
    """One alarm as its documented JSON object."""
    return {
        "name": a.name,
        "arn": a.arn,
        "region": a.region,
        "state": a.state,
        "reason": a.reason,
        "updated_at": iso(a.updated_at),
        "condition": a.condition,
        "dimensions": {k: v for k, v in a.dimensions},
        "services": [s.arn for s in services_of_alarm(snapshot, a)],
    }


def why_json(snapshot: Snapshot, iso: Iso) -> dict[str, Any]:
    """The top-level why fields: the alarms and their state changes in the window."""
    return {
        "alarms": [alarm_json(a, snapshot, iso) for a in snapshot.alarms],
        "alarm_history": [
            {
                "alarm": c.alarm,
                "region": c.region,
                "at": iso(c.at),
                "old_state": c.old_state,
                "new_state": c.new_state,
                "reason": c.reason,
            }
            for c in snapshot.alarm_history
        ],
    }

"""The printer sink: one Snapshot as stable JSON (for scripts) or as a plain table.

The JSON shape is documented in the README and is a contract: add fields, never rename.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TextIO

from fgtop.cost.estimate import usd
from fgtop.derive.deployments import DeploymentHistory, DeploymentRecord
from fgtop.derive.insights import Insights
from fgtop.derive.problems import problems_json
from fgtop.model import EcsRecommendation, Pod, Service, Snapshot, Task
from fgtop.model.optimizer import status_line
from fgtop.text.sanitize import clean

SCHEMA_VERSION = 1


def iso(ts: float | None) -> str | None:
    """POSIX seconds as an ISO 8601 UTC string (``None`` stays ``None``)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _pct(snapshot: Snapshot, target: str, metric: str) -> float | None:
    series = snapshot.series(target, metric)
    value = series.last if series else None
    return round(value, 2) if value is not None else None


def service_json(
    s: Service, snapshot: Snapshot, history: DeploymentHistory | None = None
) -> dict[str, Any]:
    """One service as its documented JSON object.

    A deployment's ``changes`` is ``fgtop diff --format json`` of the deployment before it
    (listed, or told of by the service's tasks) to it, when both task definitions are known.
    """
    if history is None:
        history = DeploymentHistory()
        history.feed(
            Snapshot(
                snapshot.taken_at,
                services=(s,),
                tasks=snapshot.tasks_of(s),
                task_definitions=snapshot.task_definitions,
            )
        )
    records = {r.id: r for r in history.of(s.arn)}
    return {
        "name": s.name,
        "arn": s.arn,
        "cluster": s.cluster,
        "region": s.region,
        "status": s.status,
        "desired": s.desired,
        "running": s.running,
        "pending": s.pending,
        "task_definition": s.task_definition,
        "deployment_state": s.deployment_state,
        "deployments": [
            {
                "id": d.id,
                "status": d.status,
                "rollout_state": d.rollout_state,
                "rollout_state_reason": d.rollout_state_reason,
                "task_definition": d.task_definition,
                "desired": d.desired,
                "running": d.running,
                "pending": d.pending,
                "failed_tasks": d.failed_tasks,
                "created_at": iso(d.created_at),
                "changes": _changes(records.get(d.id)),
            }
            for d in s.deployments
        ],
        "events": [{"created_at": iso(e.created_at), "message": e.message} for e in s.events],
        "cpu_percent": _pct(snapshot, s.arn, "cpu"),
        "memory_percent": _pct(snapshot, s.arn, "memory"),
    }


def task_json(t: Task, snapshot: Snapshot) -> dict[str, Any]:
    """One task as its documented JSON object."""
    return {
        "arn": t.arn,
        "id": t.id,
        "cluster": t.cluster,
        "region": t.region,
        "service": t.service,
        "group": t.group,
        "task_definition": t.task_definition,
        "last_status": t.last_status,
        "desired_status": t.desired_status,
        "health": t.health,
        "launch_type": t.launch_type,
        "capacity_provider": t.capacity_provider,
        "cpu": t.cpu,
        "memory": t.memory,
        "arch": t.arch,
        "os": t.os,
        "ephemeral_storage_gib": t.ephemeral_storage_gib,
        "az": t.az,
        "private_ip": t.private_ip,
        "created_at": iso(t.created_at),
        "pull_started_at": iso(t.pull_started_at),
        "started_at": iso(t.started_at),
        "execution_stopped_at": iso(t.execution_stopped_at),
        "stopped_at": iso(t.stopped_at),
        "stop_code": t.stop_code,
        "stopped_reason": t.stopped_reason,
        "containers": [
            {
                "name": c.name,
                "image": c.image,
                "last_status": c.last_status,
                "exit_code": c.exit_code,
                "reason": c.reason,
                "health": c.health,
            }
            for c in t.containers
        ],
        "tags": dict(t.tags),
        "cpu_percent": _pct(snapshot, t.arn, "cpu"),
        "memory_percent": _pct(snapshot, t.arn, "memory"),
    }


def pod_json(p: Pod) -> dict[str, Any]:
    """One pod as its documented JSON object."""
    return {
        "namespace": p.namespace,
        "name": p.name,
        "cluster": p.cluster,
        "context": p.context,
        "phase": p.phase,
        "ready": p.ready,
        "restarts": p.restarts,
        "reason": p.reason,
        "fargate_profile": p.fargate_profile,
        "capacity_provisioned": p.capacity_provisioned,
        "node": p.node,
        "ip": p.ip,
        "started_at": iso(p.started_at),
    }


def recommendation_json(r: EcsRecommendation) -> dict[str, Any]:
    """One Compute Optimizer recommendation as its documented JSON object."""
    return {
        "service_arn": r.service_arn,
        "service": r.service_name,
        "cluster": r.cluster,
        "region": r.region,
        "finding": r.finding,
        "finding_reasons": list(r.reasons),
        "current_cpu": r.current_cpu,
        "current_memory": r.current_memory,
        "performance_risk": r.performance_risk,
        "lookback_days": r.lookback_days,
        "refreshed_at": iso(r.refreshed_at),
        "options": [
            {
                "cpu": o.cpu,
                "memory": o.memory,
                "monthly_savings": o.monthly_savings,
                "monthly_savings_after_discounts": o.monthly_savings_after_discounts,
                "savings_percent": o.savings_percent,
                "currency": o.currency,
            }
            for o in r.options
        ],
    }


def compute_optimizer_json(snapshot: Snapshot) -> dict[str, Any] | None:
    """Compute Optimizer's status and recommendations; None when it was not asked."""
    status = snapshot.compute_optimizer
    if status is None and not snapshot.ecs_recommendations:
        return None
    return {
        "enrolled": status.enrolled if status else None,
        "not_enrolled_regions": list(status.not_enrolled) if status else [],
        "denied": status.denied if status else None,
        "note": status_line(status),
        "skipped": status.skipped if status else 0,
        "checked_at": iso(status.checked_at) if status else None,
        "recommendations": [recommendation_json(r) for r in snapshot.ecs_recommendations],
    }


def _with_cost(
    doc: dict[str, Any], rates: dict, costs: dict, key: str, lists: tuple[dict, dict]
) -> dict[str, Any]:
    """Add the figures after the Savings Plan discount, and the list prices beside them."""
    doc["cost_per_hour"] = usd(rates.get(key))
    doc["cost_per_hour_list"] = usd(lists[0].get(key))
    doc["cost_so_far"] = usd(costs.get(key))
    doc["cost_so_far_list"] = usd(lists[1].get(key))
    return doc


def snapshot_json(snapshot: Snapshot, insights: Insights | None = None) -> dict[str, Any]:
    """The whole snapshot (and what fgtop derives from it) as the documented JSON document."""
    doc = _snapshot_json(snapshot)
    cost = insights.cost if insights else None
    if cost is not None:
        for svc in doc["services"]:
            lists = (cost.service_rates_list, cost.service_costs_list)
            _with_cost(svc, cost.service_rates, cost.service_costs, svc["arn"], lists)
        for task in doc["tasks"]:
            lists = (cost.task_rates_list, cost.task_costs_list)
            _with_cost(task, cost.task_rates, cost.task_costs, task["arn"], lists)
        for pod, p in zip(doc["pods"], snapshot.pods, strict=True):
            lists = (cost.pod_rates_list, cost.pod_costs_list)
            _with_cost(pod, cost.pod_rates, cost.pod_costs, p.key, lists)
        doc["cost"] = cost.as_json()
    else:
        doc["cost"] = None
    doc["problems"] = problems_json(insights.problems) if insights else []
    return doc


def _changes(record: DeploymentRecord | None) -> dict[str, Any] | None:
    if record is None or record.changes is None:
        return None
    return record.changes.to_json()


def _snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    usage = snapshot.metrics_usage
    history = DeploymentHistory()
    history.feed(snapshot)
    return {
        "schema": SCHEMA_VERSION,
        "taken_at": iso(snapshot.taken_at),
        "account": snapshot.account,
        "profile": snapshot.profile,
        "regions": list(snapshot.regions),
        "clusters": [
            {
                "name": c.name,
                "arn": c.arn,
                "region": c.region,
                "status": c.status,
                "container_insights": c.container_insights,
            }
            for c in snapshot.clusters
        ],
        "services": [service_json(s, snapshot, history) for s in snapshot.services],
        "tasks": [task_json(t, snapshot) for t in snapshot.tasks],
        "pods": [pod_json(p) for p in snapshot.pods],
        "metrics": {
            "metrics_requested": usage.metrics_requested,
            "calls": usage.calls,
            "cost_usd": round(usage.cost_usd, 6),
            "projected_cost_per_hour_usd": round(usage.cost_per_hour_usd, 6),
        },
        "sources": [
            {
                "name": s.name,
                "ok": s.ok,
                "stale": s.stale,
                "error": s.error,
                "api_calls": s.api_calls,
            }
            for s in snapshot.sources
        ],
        "notes": list(snapshot.notes),
        "compute_optimizer": compute_optimizer_json(snapshot),
    }


def print_json(snapshot: Snapshot, out: TextIO, insights: Insights | None = None) -> None:
    """Write the snapshot (with cost and problems when given) as indented JSON."""
    # One write: json.dump to a stream makes ~800,000 small writes at 5,000 tasks (3 s with
    # PYTHONUNBUFFERED=1); building the string first costs the same and writes once.
    out.write(json.dumps(snapshot_json(snapshot, insights), indent=2) + "\n")


def print_table(snapshot: Snapshot, out: TextIO, insights: Insights | None = None) -> None:
    """Write the snapshot as plain aligned text tables (no colour, no markup)."""
    rows: list[tuple[str, ...]] = [
        ("SERVICE", "CLUSTER", "REGION", "DESIRED", "RUNNING", "PENDING", "DEPLOYMENT")
    ]
    rows += [
        (
            s.name,
            s.cluster,
            s.region,
            str(s.desired),
            str(s.running),
            str(s.pending),
            s.deployment_state,
        )
        for s in snapshot.services
    ]
    _table(rows, out)
    out.write("\n")
    rows = [
        (
            "TASK",
            "CLUSTER",
            "SERVICE",
            "STATUS",
            "HEALTH",
            "CPU",
            "MEM",
            "PROVIDER",
            "ARCH",
            "REASON",
        )
    ]
    rows += [
        (
            t.id[:12],
            t.cluster,
            t.service or "-",
            t.last_status,
            t.health,
            str(t.cpu or "?"),
            str(t.memory or "?"),
            t.capacity_provider or "-",
            t.arch or "?",
            (t.stopped_reason or "")[:60],
        )
        for t in snapshot.tasks
    ]
    _table(rows, out)
    if snapshot.pods:
        out.write("\n")
        rows = [("NAMESPACE", "POD", "CLUSTER", "PHASE", "READY", "RESTARTS", "REASON")]
        rows += [
            (
                p.namespace,
                p.name,
                p.cluster,
                p.phase,
                p.ready,
                str(p.restarts),
                (p.reason or "")[:60],
            )
            for p in snapshot.pods
        ]
        _table(rows, out)
    if insights and insights.problems:
        out.write("\n")
        rows = [("SEVERITY", "KIND", "TARGET", "REASON", "NEXT STEP")]
        rows += [
            (p.severity_name, p.kind, p.title, p.reason, p.next_step) for p in insights.problems
        ]
        _table(rows, out)
    if insights and insights.cost is not None:
        c = insights.cost
        out.write(
            f"\ncost: ${usd(c.per_hour):.4f}/h, ${usd(c.per_month_projected):.2f} per 30 days projected "
            f"(prices of {c.price_table_date}"
            + (f"; list price less {c.discount:.0%} Savings Plan" if c.discount else "")
            + ")\n"
        )
    bad = [s for s in snapshot.sources if not s.ok]
    for s in bad:
        out.write(f"! {s.name}: {clean(s.error or '')}\n")


def _table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    rows = [tuple(clean(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")

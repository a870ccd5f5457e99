"""The printer sink: one Snapshot as stable JSON (for scripts) or as a plain table.

The JSON shape is documented in the README and is a contract: add fields, never rename.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from fgtop.cost.estimate import usd
from fgtop.cost.summary import CostSummary
from fgtop.derive.alerts import Alert
from fgtop.derive.decoder import SEVERITY_NAMES
from fgtop.derive.figures import figures_for
from fgtop.derive.insights import Insights
from fgtop.derive.pipeline import Derived
from fgtop.kinds import registry
from fgtop.kinds.base import Kind, View
from fgtop.kinds.columns import Column
from fgtop.kinds.documents import iso
from fgtop.kinds.why_documents import why_json
from fgtop.model import EcsRecommendation, Snapshot
from fgtop.model.optimizer import status_line
from fgtop.text.money import hourly, money
from fgtop.text.sanitize import clean

SCHEMA_VERSION = 1
__all__ = ["SCHEMA_VERSION", "iso", "print_json", "print_table", "snapshot_json"]


def view_of(
    snapshot: Snapshot, derived: Derived | Insights | None, at: float | None = None
) -> View:
    """What the kinds see of a snapshot printed with what was derived from it (no glyphs).

    ``at`` is the moment looked at in a recording (``--at``): the timeline stops there, as on
    the screen whose replay clock is there (an entry AWS stamped a moment after the snapshot
    that reported it waits for the clock).

    Given only a snapshot's :class:`Insights` (no history), its figures are worked out from
    them, as :meth:`fgtop.derive.pipeline.Deriver.conclude` does."""
    if isinstance(derived, Insights):
        figures = figures_for(snapshot, derived.cost, derived.problems, derived.oom_kills)
        derived = Derived(insights=derived, figures=figures)
    return View(snapshot, derived if derived is not None else Derived(), now=at, until=at)


def documents(kind: Kind[Any], view: View) -> list[dict[str, Any]]:
    """The documents of a kind's items, in the snapshot's order."""
    return [kind.document(item, view) for item in kind.items(view)]


def recommendation_json(r: EcsRecommendation) -> dict[str, Any]:
    """One Compute Optimizer recommendation as its documented JSON object."""
    return {
        "service_arn": r.service_arn,
        "service": r.service_name,
        "account": r.account,
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


def breakdown_json(rows: dict[str, Any], cost: CostSummary) -> list[dict[str, Any]]:
    """A cost breakdown as the cost panel lists it: the largest first, each with its share."""
    total = cost.per_hour
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        {
            "key": key,
            "label": cost.labels.get(key, key),
            "per_hour": usd(rate),
            "share": float(rate / total) if total else None,
        }
        for key, rate in ordered
    ]


def alert_json(a: Alert) -> dict[str, Any]:
    """An alert whose condition holds, as JSON."""
    return {
        "rule": a.rule,
        "kind": a.kind,
        "target": a.target,
        "title": a.title,
        "message": a.message,
        "at": iso(a.at),
        "severity": SEVERITY_NAMES.get(a.severity, "low"),
        "cluster": a.cluster,
        "region": a.region,
    }


def snapshot_json(
    snapshot: Snapshot, derived: Derived | Insights | None = None, at: float | None = None
) -> dict[str, Any]:
    """The whole snapshot and what fgtop derives from it, as the documented JSON document.

    Every figure is the frame's (:class:`~fgtop.derive.figures.Figures`, through the kinds):
    what the screens show of the same frame.
    """
    view = view_of(snapshot, derived, at)
    doc = _snapshot_json(snapshot)
    cost = view.derived.figures.cost
    doc["cost"] = cost.as_json() if cost is not None else None
    if cost is not None:
        doc["cost"]["by_cluster"] = breakdown_json(cost.by_cluster, cost)
        doc["cost"]["by_service"] = breakdown_json(cost.by_service, cost)
        doc["cost"]["by_capacity_provider"] = breakdown_json(cost.by_capacity_provider, cost)
    for kind in registry.kinds():
        if kind.json_key is not None:
            doc[kind.json_key] = documents(kind, view)
    doc["rightsizing"] = rightsizing_json(view.derived.insights if derived is not None else None)
    doc["alerts"] = [alert_json(a) for a in view.derived.alerts]
    return doc


def rightsizing_json(insights: Insights | None) -> dict[str, Any]:
    """The savings right-sizing found (largest first) and the services held back, with why."""
    if insights is None:
        return {"suggestions": [], "held": []}
    return {
        "suggestions": [
            {
                "service_arn": s.service_arn,
                "service": s.service_name,
                "cluster": s.cluster,
                "region": s.region,
                "kind": s.kind,
                "tasks": s.tasks,
                "on_spot": s.on_spot,
                "current_cpu": s.current[0],
                "current_memory": s.current[1],
                "proposed_cpu": s.proposed[0],
                "proposed_memory": s.proposed[1],
                "per_hour_savings": usd(s.per_hour_savings),
                "monthly_savings": usd(s.monthly_savings),
                "detail": s.detail,
            }
            for s in insights.suggestions
        ],
        "held": [
            {
                "service_arn": h.service_arn,
                "service": h.service_name,
                "cluster": h.cluster,
                "region": h.region,
                "reasons": list(h.reasons),
                "oom_kills": h.oom_kills,
                "memory_peak": round(h.memory_peak, 2) if h.memory_peak is not None else None,
                "window_seconds": h.window,
            }
            for h in insights.held
        ],
    }


def _snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    usage = snapshot.metrics_usage
    return {
        "schema": SCHEMA_VERSION,
        "taken_at": iso(snapshot.taken_at),
        "account": snapshot.account,
        "profile": snapshot.profile,
        "regions": list(snapshot.regions),
        "accounts": [
            {
                "id": a.id or None,
                "name": a.label,
                "regions": list(a.regions),
                "profile": a.profile,
                "role_arn": a.role_arn,
                "error": a.error,
                "credentials_expire_at": iso(a.expires_at),
            }
            for a in snapshot.watched_accounts
        ],
        "clusters": [
            {
                "name": c.name,
                "arn": c.arn,
                "account": c.account,
                "region": c.region,
                "status": c.status,
                "container_insights": c.container_insights,
            }
            for c in snapshot.clusters
        ],
        "services": [],
        "tasks": [],
        "pods": [],
        "metrics": {
            "metrics_requested": usage.metrics_requested,
            "calls": usage.calls,
            "cost_usd": round(usage.cost_usd, 6),
            "projected_cost_per_hour_usd": round(usage.cost_per_hour_usd, 6),
        },
        "sources": [
            {
                "name": s.name,
                "account": s.account,
                "ok": s.ok,
                "stale": s.stale,
                "error": s.error,
                "api_calls": s.api_calls,
                "essential": s.essential,
                "late": s.late,
            }
            for s in snapshot.sources
        ],
        "notes": list(snapshot.notes),
        "compute_optimizer": compute_optimizer_json(snapshot),
        **why_json(snapshot, iso),
    }


def print_json(
    snapshot: Snapshot,
    out: TextIO,
    derived: Derived | Insights | None = None,
    at: float | None = None,
) -> None:
    """Write the snapshot (with what was derived from it, when given) as indented JSON."""
    # One write: json.dump to a stream makes ~800,000 small writes at 5,000 tasks (3 s with
    # PYTHONUNBUFFERED=1); building the string first costs the same and writes once.
    out.write(json.dumps(snapshot_json(snapshot, derived, at), indent=2) + "\n")


def print_table(
    snapshot: Snapshot,
    out: TextIO,
    derived: Derived | Insights | None = None,
    at: float | None = None,
) -> None:
    """Write the snapshot as plain aligned text tables (no colour, no markup).

    One table per dashboard table, with the dashboard's columns (every one, at full width),
    then the problems with the problems view's; the cells say what the screen's say. A table
    with no row says what the screen's does (e.g. "no Fargate tasks in eu-west-1 for profile
    default" once a complete poll found none).
    """
    view = view_of(snapshot, derived, at)
    first = True
    said: set[str] = set()
    for owner, kinds in registry.tables():
        items = [(kind, item) for kind in kinds for item in kind.items(view)]
        empty = None if items else owner.empty(view)
        if not items and owner.tab and not first:
            continue
        if not first:
            out.write("\n")
        first = False
        _table(_rows(owner.columns, items, view), out)
        if empty is not None and empty not in said:
            # Said once, under the first table it is about ("no Fargate tasks in ...").
            said.add(empty)
            out.write(clean(empty, max_chars=300) + "\n")
    problem = registry.named("problem")
    rows = [(problem, p) for p in problem.items(view)]
    if rows:
        out.write("\n")
        _table(_rows(problem.columns, rows, view), out)
    c = view.derived.figures.cost
    if c is not None:
        out.write(
            f"\ncost: {hourly(c.per_hour)}, {money(c.per_month_projected)} per 30 days projected "
            f"(prices of {c.price_table_date}"
            + (f"; list price less {c.discount:.0%} Savings Plan" if c.discount else "")
            + ")\n"
        )
        for key, value in sorted(c.by_service.items(), key=lambda kv: (-kv[1], kv[0])):
            share = f"{value / c.per_hour:.0%}" if c.per_hour else "-"
            out.write(f"  {clean(c.labels.get(key, key))}: {hourly(value)} ({share})\n")
    bad = [s for s in snapshot.sources if not s.ok]
    for s in bad:
        out.write(f"! {s.name}: {clean(s.error or '')}\n")


def _rows(
    columns: tuple[Column, ...], items: list[tuple[Kind[Any], Any]], view: View
) -> list[tuple[str, ...]]:
    """A header and a row per item: each column's plain text, as its kind tells it (a
    ``hide_empty`` column no row has a text for is left out: ACCOUNT with one account)."""
    body = []
    for kind, item in items:
        cells = {**kind.cells(item, view), **kind.live_cells(item, view)}
        body.append(
            tuple(
                cells[c.key].plain.strip() if c.key in cells else (c.blank if c.live else "")
                for c in columns
            )
        )
    keep = [i for i, c in enumerate(columns) if not c.hide_empty or any(row[i] for row in body)]
    rows = [tuple(columns[i].label for i in keep)]
    rows += [tuple(row[i] for i in keep) for row in body]
    return rows


def _table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    rows = [tuple(clean(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")

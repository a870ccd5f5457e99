"""Narrowing a frame to one account, region or cluster (``:account``, ``:region``, ``:cluster``).

A real narrowing, not a text filter: an object stays when its own account, region and cluster
are the ones asked (a service named ``eu-west-1-sync`` in us-east-1 does not stay for
``:region eu-west-1``). The snapshot keeps only what is inside, and so do its problems, its
right-sizing, the alerts, the timeline and the cost (priced again over what stays, so every
total and breakdown is the narrowed estate's). The sources, the accounts and their health are
kept whole: the header still says how every account is doing. Headless and pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fgtop.cost.estate import EstatePricer
from fgtop.cost.prices import PriceTable
from fgtop.derive.figures import figures_for
from fgtop.derive.insights import Insights
from fgtop.derive.pipeline import Derived
from fgtop.derive.timeline import TimelineEntry, TimelineView
from fgtop.derive.why import services_of_alarm
from fgtop.model import Service, Snapshot, arn_account
from fgtop.model.scaling import resource_id


@dataclass(frozen=True)
class Narrowing:
    """What the screens are narrowed to (None: any)."""

    account: str | None = None
    """An account id."""
    region: str | None = None
    cluster: str | None = None
    """A cluster's name (ECS or Kubernetes)."""

    def __bool__(self) -> bool:
        return any((self.account, self.region, self.cluster))

    def keeps(self, account: str | None, region: str | None, cluster: str | None) -> bool:
        """Whether an object of this account, region and cluster is inside."""
        return (
            (self.account is None or account == self.account)
            and (self.region is None or region == self.region)
            and (self.cluster is None or cluster == self.cluster)
        )

    def describe(self, snapshot: Snapshot | None = None) -> str:
        """``account prod, region eu-west-1`` (the account by its name when known)."""
        parts = []
        if self.account:
            label = snapshot.account_label(self.account) if snapshot else self.account
            parts.append(f"account {label}")
        if self.region:
            parts.append(f"region {self.region}")
        if self.cluster:
            parts.append(f"cluster {self.cluster}")
        return ", ".join(parts)


def _name(cluster: str) -> str:
    return cluster.rsplit("/", 1)[-1]


def narrow_snapshot(snapshot: Snapshot, n: Narrowing) -> Snapshot:
    """The part of ``snapshot`` inside ``n`` (the sources and accounts kept whole)."""
    if not n:
        return snapshot
    keeps = n.keeps
    kube_regions = {(k.account, k.name): k.region for k in snapshot.kube_clusters}
    services = tuple(s for s in snapshot.services if keeps(s.account, s.region, _name(s.cluster)))
    tasks = tuple(t for t in snapshot.tasks if keeps(t.account, t.region, _name(t.cluster)))
    targets = {s.arn for s in services} | {t.arn for t in tasks}
    used = (
        {t.task_definition for t in tasks}
        | {d.task_definition for s in services for d in s.deployments}
        | {s.task_definition for s in services}
    )

    def kube(account: str | None, cluster: str) -> bool:
        return keeps(account, kube_regions.get((account, cluster)), cluster)

    return dataclasses.replace(
        snapshot,
        clusters=tuple(c for c in snapshot.clusters if keeps(c.account, c.region, c.name)),
        services=services,
        tasks=tasks,
        task_definitions=tuple(td for td in snapshot.task_definitions if td.arn in used),
        pods=tuple(p for p in snapshot.pods if keeps(p.account, p.region, p.cluster)),
        kube_clusters=tuple(
            k for k in snapshot.kube_clusters if keeps(k.account, k.region, k.name)
        ),
        kube_events=tuple(e for e in snapshot.kube_events if kube(e.account, e.cluster)),
        workloads=tuple(w for w in snapshot.workloads if kube(w.account, w.cluster)),
        metrics=tuple(m for m in snapshot.metrics if m.target in targets),
        ecs_recommendations=tuple(
            r for r in snapshot.ecs_recommendations if keeps(r.account, r.region, r.cluster)
        ),
        **_why(snapshot, services, n),
    )


def _why(snapshot: Snapshot, services: tuple[Service, ...], n: Narrowing) -> dict[str, Any]:
    """The why sources' parts of what stays: deployments, target health, alarms (and their
    changes) and scaling of the services that stay."""
    arns = {s.arn for s in services}
    groups = {lb.target_group for s in services for lb in s.load_balancers}
    rids = {(s.account, s.region, resource_id(s.cluster, s.name)) for s in services}
    if n.cluster is None:  # an account's or region's alarms
        alarms = tuple(a for a in snapshot.alarms if n.keeps(a.account, a.region, None))
    else:  # a cluster's: the alarms about what stays
        alarms = tuple(
            a for a in snapshot.alarms if any(x.arn in arns for x in services_of_alarm(snapshot, a))
        )
    names = {a.name for a in alarms}

    def scaled(account: str | None, region: str, rid: str) -> bool:
        return (account, region, rid) in rids or (
            account is None and any(r[1:] == (region, rid) for r in rids)
        )

    return {
        "service_deployments": tuple(
            d for d in snapshot.service_deployments if d.service_arn in arns
        ),
        "target_health": tuple(t for t in snapshot.target_health if t.target_group in groups),
        "alarms": alarms,
        "alarm_history": tuple(c for c in snapshot.alarm_history if c.alarm in names),
        "scalable_targets": tuple(
            t for t in snapshot.scalable_targets if scaled(t.account, t.region, t.resource_id)
        ),
        "scaling_policies": tuple(
            p for p in snapshot.scaling_policies if scaled(p.account, p.region, p.resource_id)
        ),
        "scaling_activities": tuple(
            a for a in snapshot.scaling_activities if scaled(a.account, a.region, a.resource_id)
        ),
    }


def _entry_keeps(
    entry: TimelineEntry, n: Narrowing, places: dict[str, tuple[str | None, str | None]]
) -> bool:
    """A timeline entry is inside when what it is about is (an ECS target's ARN names its
    account; a pod's cluster says its account and region)."""
    account, region = entry.account, entry.region
    if account is None:
        account, kube_region = places.get(entry.cluster or "", (None, None))
        region = region or kube_region
    return n.keeps(account, region, entry.cluster)


def narrow_derived(
    derived: Derived,
    whole: Snapshot,
    narrowed: Snapshot,
    n: Narrowing,
    table: PriceTable | None,
    pricer: EstatePricer | None = None,
) -> Derived:
    """What was derived from ``whole``, narrowed to ``narrowed`` (the cost priced again).

    Args:
        derived: The whole frame's figures.
        whole: The whole snapshot.
        narrowed: :func:`narrow_snapshot` of it.
        n: The narrowing.
        table: The price table the cost was priced with (None: no cost).
        pricer: Prices kept from the frames narrowed before (for ``table`` and the cost's
            discount): only the tasks that changed are priced again; the same figures.
    """
    if not n:
        return derived
    services = {s.arn for s in narrowed.services}
    keys = services | {t.arn for t in narrowed.tasks} | {p.key for p in narrowed.pods}
    insights = derived.insights
    cost = insights.cost
    if cost is not None and table is not None:
        if pricer is None or pricer.table is not table or pricer.discount != cost.discount:
            pricer = EstatePricer(table, cost.discount)
        cost = pricer.price(narrowed, cost.at)
    kept = Insights(
        cost=cost,
        suggestions=tuple(s for s in insights.suggestions if s.service_arn in services),
        held=tuple(h for h in insights.held if h.service_arn in services),
        problems=tuple(p for p in insights.problems if n.keeps(p.account, p.region, p.cluster)),
        warnings=insights.warnings,
        oom_kills={arn: k for arn, k in insights.oom_kills.items() if arn in services},
        empty=insights.empty,
    )
    places = {k.name: (k.account, k.region) for k in whole.kube_clusters}
    view = derived.timeline
    timeline = TimelineView(
        items=tuple(e for e in view.items if _entry_keeps(e, n, places)),
        version=view.version,
        origin=view.origin,
        deployments={a: r for a, r in view.deployments.items() if a in services},
    )
    return dataclasses.replace(
        derived,
        insights=kept,
        fired=tuple(a for a in derived.fired if _inside(a.target, keys)),
        active=frozenset(a for a in derived.active if _inside(a, keys)),
        alerts=tuple(a for a in derived.alerts if _inside(a.target, keys)),
        timeline=timeline,
        figures=figures_for(narrowed, kept.cost, kept.problems, kept.oom_kills),
    )


def _inside(target: str, keys: set[str]) -> bool:
    """Whether an alert's target is inside: one of the narrowed keys (an ARN), or a pod's
    ``namespace/name`` whose key (``cluster/namespace/name``) is one."""
    if target in keys:
        return True
    return arn_account(target) is None and any(k.endswith("/" + target) for k in keys)


def accounts_matching(snapshot: Snapshot, word: str) -> list[str]:
    """The ids of the watched accounts ``word`` names: an id, or a name, alias or label
    (case-insensitive)."""
    low = word.lower()
    return [
        a.id
        for a in snapshot.watched_accounts
        if a.id and (word == a.id or low in {(a.name or "").lower(), (a.alias or "").lower()})
    ]


def choices(snapshot: Snapshot, kind: str) -> list[str]:
    """What ``:account`` / ``:region`` / ``:cluster`` complete from: the watched accounts'
    names (else ids), the regions and the cluster names seen."""
    if kind == "account":
        return list(dict.fromkeys(a.label for a in snapshot.watched_accounts if a.id))
    if kind == "region":
        return list(
            dict.fromkeys(
                [
                    *snapshot.regions,
                    *(c.region for c in snapshot.clusters),
                    *(k.region for k in snapshot.kube_clusters if k.region),
                ]
            )
        )
    names: Iterable[str] = (
        *(c.name for c in snapshot.clusters),
        *(k.name for k in snapshot.kube_clusters),
    )
    return list(dict.fromkeys(names))

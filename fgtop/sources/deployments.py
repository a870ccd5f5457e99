"""The ECS service deployments source: each watched service's deployment history (90 days).

``ListServiceDeployments`` (paged, newest first, up to 100 a page), then
``DescribeServiceDeployments`` (at most 20 ARNs a call) for the newest :data:`KEEP` of each
service, and ``DescribeServiceRevisions`` (at most 20) for the revisions they move between.
A deployment that has ended never changes: it is described once. A revision never changes:
it is described once ever (kept on disk, like task definitions).

Nothing polls faster than the data changes: a service's history is listed again when
DescribeServices shows its deployments changed (a new one, a new rollout state), every
:data:`MOVING_EVERY` seconds while one of its deployments is in progress, and every
:data:`RELIST_EVERY` seconds otherwise; the calls stay inside this source's share of the
region's ``--api-budget`` (services with something going on first, the rest later).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from fgtop.model import Service, ServiceDeployment, ServiceRevision, Snapshot
from fgtop.model.service_deployments import DEPLOYMENTS_SOURCE
from fgtop.sources.base import Part
from fgtop.sources.deployments_parse import parse_brief, parse_deployment, parse_revision
from fgtop.sources.ecs import DEPLOYMENT_OPERATIONS
from fgtop.sources.taskdef_cache import RevisionCache
from fgtop.sources.why_base import MAX_PAGES, Denied, WhySource

OPERATIONS = DEPLOYMENT_OPERATIONS
"""The ECS operations of the deployments API (counted apart from the ECS source's calls)."""
HISTORY_DAYS = 90
"""ECS keeps a service's deployments this long."""
LIST_PAGE = 100
"""The largest ``maxResults`` ListServiceDeployments allows (1-100, default 20)."""
DESCRIBE_BATCH = 20
"""ARNs per DescribeServiceDeployments or DescribeServiceRevisions call at most."""
KEEP = 10
"""Deployments kept (and described) per service, newest first."""
MOVING_EVERY = 15.0
"""Seconds between looks at a service whose deployment is in progress."""
RELIST_EVERY = 6 * 3600.0
"""Seconds between looks at a steady service: a safety net only, as a new deployment shows in
DescribeServices first (its deployments change, and the service is listed at once)."""
GONE = frozenset({"ServiceNotFoundException", "ClusterNotFoundException"})
"""A service deleted since it was listed: skipped."""
UNSUPPORTED = frozenset({"UnsupportedFeatureException"})

Key = tuple[str, str]
"""(cluster name, service name) within the region."""


def _key(service: Service) -> Key:
    return service.cluster.rsplit("/", 1)[-1], service.name


def _signature(service: Service) -> tuple:
    """What DescribeServices says of a service's deployments (a change means a look)."""
    return tuple((d.id, d.status, d.rollout_state, d.updated_at) for d in service.deployments)


def _busy(service: Service) -> bool:
    """Whether DescribeServices shows a deployment moving or failed."""
    return len(service.deployments) > 1 or any(
        d.rollout_state in ("IN_PROGRESS", "FAILED") for d in service.deployments
    )


def _jsonable(doc: dict) -> dict:
    return json.loads(
        json.dumps(doc, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    )


class DeploymentsSource(WhySource):
    """The deployments API of one region, for the services the ECS source found there.

    Args:
        aws: The shared AWS layer.
        region: The region watched.
        budget: ``--api-budget``; this source spends a fifth of it.
        first_wait: Seconds the first look waits for the task list.
        revisions: The disk cache of service revisions (None: this process only).
    """

    prefix = DEPLOYMENTS_SOURCE
    service = "ecs"
    operations = OPERATIONS
    lost = "deployments inferred from DescribeServices and the service events"

    def __init__(
        self,
        aws: Any,
        region: str,
        *,
        budget: float = 5.0,
        first_wait: float = 15.0,
        revisions: RevisionCache | None = None,
    ) -> None:
        super().__init__(aws, region, budget=budget, first_wait=first_wait)
        self.revision_cache = revisions
        self._history: dict[Key, tuple[ServiceDeployment, ...]] = {}
        self._looked_at: dict[Key, float] = {}
        self._signatures: dict[Key, tuple] = {}
        self._revisions: dict[str, ServiceRevision] = {}
        self._missing: set[str] = set()
        """Revisions ECS cannot describe (created before the API existed): not asked again."""
        self.unsupported: str | None = None

    def degraded(self) -> str | None:
        """Denials, skipped entries, or the API missing in this region."""
        lines = [x for x in (super().degraded(), self.unsupported) if x]
        return "; ".join(lines) or None

    # -- one look -----------------------------------------------------------------------------

    def due(self, services: Sequence[Service], now: float) -> list[Service]:
        """The services to list now, most urgent first (the budget may stop short)."""
        ranked: list[tuple[int, float, Service]] = []
        for s in services:
            key = _key(s)
            seen = self._looked_at.get(key)
            changed = self._signatures.get(key) != _signature(s)
            moving = any(d.in_progress for d in self._history.get(key, ()))
            if seen is None or changed:
                rank = 0 if _busy(s) or (changed and seen is not None) else 2
            elif moving and now - seen >= MOVING_EVERY:
                rank = 1
            elif now - seen >= RELIST_EVERY:
                rank = 3
            else:
                continue
            ranked.append((rank, seen or 0.0, s))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [s for _, _, s in ranked]

    async def look(self, snapshot: Snapshot, client: Any, now: float) -> Part:
        """List what is due, describe what moved, fetch the revisions not known yet."""
        services = self.services(snapshot)
        try:
            for s in self.due(services, now):
                if self.unsupported or not self.afford():
                    break
                await self._list(client, s, now)
            await self._describe(client)
            await self._fetch_revisions(client)
        except Denied:
            pass  # what was found before the denial stays
        wanted = {_key(s) for s in services}
        for key in [k for k in self._history if k not in wanted]:
            del self._history[key]  # no longer watched
        deployments = tuple(d for key in wanted for d in self._history.get(key, ()))
        used = {a for d in deployments for a in _revision_arns(d)}
        return {
            "service_deployments": deployments,
            "service_revisions": tuple(r for a, r in self._revisions.items() if a in used),
        }

    async def _list(self, client: Any, service: Service, now: float) -> None:
        """One service's deployments of the last 90 days (every page), newest :data:`KEEP`."""
        key = _key(service)
        kwargs: dict[str, Any] = {
            "service": service.arn,
            "cluster": key[0],
            "createdAt": {"after": now - HISTORY_DAYS * 86400},
            "maxResults": LIST_PAGE,
        }
        found: list[ServiceDeployment] = []
        seen: set[str] = set()
        try:
            for page in range(MAX_PAGES):
                if page and not self.afford():
                    break  # the rest of the pages next time
                resp = await self.call(client, "ListServiceDeployments", **kwargs)
                found += self.parse(
                    "service deployments", resp.get("serviceDeployments") or (), parse_brief
                )
                token = resp.get("nextToken")
                if not token or token in seen or len(found) >= KEEP:
                    break
                seen.add(token)
                kwargs["nextToken"] = token
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in GONE:
                self._looked_at[key] = now
                return
            if code in UNSUPPORTED:
                self.unsupported = f"the ECS deployments API is not available in {self.region}"
                return
            raise
        self._looked_at[key] = now
        self._signatures[key] = _signature(service)
        found.sort(key=lambda d: -(d.created_at or d.started_at or 0.0))
        known = {d.arn: d for d in self._history.get(key, ())}
        merged = []
        for brief in found[:KEEP]:
            old = known.get(brief.arn)
            keep = old is not None and old.described and old.status == brief.status and old.terminal
            merged.append(old if keep and old is not None else brief)
        self._history[key] = tuple(merged)

    def _undescribed(self) -> list[str]:
        return [d.arn for h in self._history.values() for d in h if not d.described]

    async def _describe(self, client: Any) -> None:
        """Describe the deployments known only by their summary, 20 a call."""
        arns = self._undescribed()
        described: dict[str, ServiceDeployment] = {}
        for i in range(0, len(arns), DESCRIBE_BATCH):
            if not self.afford():
                break
            batch = arns[i : i + DESCRIBE_BATCH]
            resp = await self.call(
                client, "DescribeServiceDeployments", serviceDeploymentArns=batch
            )
            for d in self.parse(
                "service deployments", resp.get("serviceDeployments") or (), parse_deployment
            ):
                described[d.arn] = d
        if described:
            for key, history in self._history.items():
                self._history[key] = tuple(described.get(d.arn, d) for d in history)

    async def _fetch_revisions(self, client: Any) -> None:
        """The revisions the kept deployments move between: memory, disk, else described."""
        wanted = dict.fromkeys(
            a
            for h in self._history.values()
            for d in h
            for a in _revision_arns(d)
            if a not in self._revisions and a not in self._missing
        )
        if not wanted:
            return
        cache = self.revision_cache
        ask = []
        for arn in wanted:
            doc = await asyncio.to_thread(cache.get, arn) if cache is not None else None
            parsed = self.parse("service revisions", [doc], parse_revision) if doc else []
            if parsed:
                self._revisions[arn] = parsed[0]
            else:
                ask.append(arn)
        fetched = False
        for i in range(0, len(ask), DESCRIBE_BATCH):
            if not self.afford():
                break
            batch = ask[i : i + DESCRIBE_BATCH]
            resp = await self.call(client, "DescribeServiceRevisions", serviceRevisionArns=batch)
            docs = [r for r in resp.get("serviceRevisions") or () if isinstance(r, dict)]
            for doc in docs:
                for rev in self.parse("service revisions", [doc], parse_revision):
                    self._revisions[rev.arn] = rev
                    if cache is not None:
                        await asyncio.to_thread(cache.put, rev.arn, _jsonable(doc))
                        fetched = True
            for failure in resp.get("failures") or ():
                missing = failure.get("arn") if isinstance(failure, dict) else None
                if isinstance(missing, str):
                    self._missing.add(missing)
        if fetched and cache is not None:
            await asyncio.to_thread(cache.prune)


def _revision_arns(d: ServiceDeployment) -> Iterable[str]:
    """The revisions a deployment names: its target, its sources, the one it rolled back to."""
    if d.target is not None:
        yield d.target.arn
    for s in d.sources:
        yield s.arn
    if d.rollback_revision:
        yield d.rollback_revision

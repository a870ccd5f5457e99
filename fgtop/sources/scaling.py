"""The Service Auto Scaling source: bounds, policies and activities of the watched services.

Application Auto Scaling, namespace ``ecs``, dimension ``ecs:service:DesiredCount``:
``DescribeScalableTargets`` (50 resource ids a call) every :data:`CONFIG_EVERY` seconds and
``DescribeScalingPolicies`` (the region's, 10 a page: the API's largest) every
:data:`POLICIES_EVERY` seconds or when a scalable target appears (they change when someone
edits them); ``DescribeScalingActivities`` for the whole region (50 a page, newest first,
not-scaled activities included) every :data:`ACTIVITY_EVERY` seconds, only while a watched
service has a scalable target, paging only until an activity already seen.
"""

from __future__ import annotations

from typing import Any

from fgtop.model import ScalableTarget, ScalingActivity, ScalingPolicy, Snapshot
from fgtop.model.scaling import DIMENSION, SCALING_SOURCE, resource_id
from fgtop.sources.base import Part
from fgtop.sources.scaling_parse import parse_activity, parse_policy, parse_target
from fgtop.sources.why_base import MAX_PAGES, Denied, WhySource

OPERATIONS = ("DescribeScalableTargets", "DescribeScalingPolicies", "DescribeScalingActivities")
CONFIG_EVERY = 600.0
"""Seconds between looks at the scalable targets."""
POLICIES_EVERY = 3600.0
"""Seconds between listings of the region's scaling policies."""
ACTIVITY_EVERY = 30.0
"""Seconds between looks at the activities."""
WINDOW = 3 * 3600.0
"""Activities kept (seconds back)."""
IDS = 50
"""ResourceIds per DescribeScalableTargets call at most."""
ACTIVITY_PAGE = 50
POLICY_PAGE = 10


class ScalingSource(WhySource):
    """Service Auto Scaling of the watched services of one region.

    Args:
        aws: The shared AWS layer.
        region: The region watched.
        budget: ``--api-budget``; this source spends a fifth of it.
        first_wait: Seconds the first look waits for the task list.
    """

    prefix = SCALING_SOURCE
    service = "application-autoscaling"
    operations = OPERATIONS
    lost = "scaling unknown"
    interval = ACTIVITY_EVERY

    def __init__(
        self, aws: Any, region: str, *, budget: float = 5.0, first_wait: float = 15.0
    ) -> None:
        super().__init__(aws, region, budget=budget, first_wait=first_wait)
        self._targets: dict[str, ScalableTarget] = {}
        self._policies: dict[str, tuple[ScalingPolicy, ...]] = {}
        self._activities: dict[str, ScalingActivity] = {}
        self._finished: dict[str, None] = {}
        """Ids of finished activities seen (of any service): paging stops at one."""
        self._config_at: float | None = None
        self._policies_at: float | None = None
        self._now = 0.0
        self._ids: frozenset[str] = frozenset()

    async def look(self, snapshot: Snapshot, client: Any, now: float) -> Part:
        """The targets and policies when due (or the services changed), then the activities."""
        ids = frozenset(resource_id(s.cluster, s.name) for s in self.services(snapshot))
        self._now = now
        try:
            stale = self._config_at is None or now - self._config_at >= CONFIG_EVERY
            if (stale or not ids <= self._ids) and await self._config(client, sorted(ids)):
                self._config_at, self._ids = now, ids
            if any(r in ids for r in self._targets):
                await self._recent(client, ids, now)
        except Denied:
            pass
        targets = tuple(t for r, t in sorted(self._targets.items()) if r in ids)
        policies = tuple(p for r in sorted(self._policies) if r in ids for p in self._policies[r])
        activities = sorted(
            (
                a
                for a in self._activities.values()
                if a.resource_id in ids and now - a.started_at <= WINDOW
            ),
            key=lambda a: -a.started_at,
        )
        return {
            "scalable_targets": targets,
            "scaling_policies": policies,
            "scaling_activities": tuple(activities),
        }

    async def _config(self, client: Any, ids: list[str]) -> bool:
        """The scalable targets of ``ids``, and the policies of those that have one."""
        targets: dict[str, ScalableTarget] = {}
        for i in range(0, len(ids), IDS):
            kwargs: dict[str, Any] = {
                "ServiceNamespace": "ecs",
                "ScalableDimension": DIMENSION,
                "ResourceIds": ids[i : i + IDS],
            }
            seen: set[str] = set()
            for _ in range(MAX_PAGES):
                if not self.afford():
                    return False
                resp = await self.call(client, "DescribeScalableTargets", **kwargs)
                for t in self.parse(
                    "scalable targets",
                    resp.get("ScalableTargets") or (),
                    lambda r: parse_target(r, self.region),
                ):
                    targets[t.resource_id] = t
                token = resp.get("NextToken")
                if not token or token in seen:
                    break
                seen.add(token)
                kwargs["NextToken"] = token
        appeared = set(targets) - set(self._targets)
        self._targets = targets
        if appeared or self._policies_at is None or self._now - self._policies_at >= POLICIES_EVERY:
            found = await self._all_policies(client) if targets else []
            if found is None:
                return False
            policies: dict[str, list[ScalingPolicy]] = {}
            for p in found:
                if p.resource_id in targets:
                    policies.setdefault(p.resource_id, []).append(p)
            self._policies = {rid: tuple(ps) for rid, ps in policies.items()}
            self._policies_at = self._now
        return True

    async def _all_policies(self, client: Any) -> list[ScalingPolicy] | None:
        """The region's ECS scaling policies (every page), or None when the budget stopped it."""
        kwargs: dict[str, Any] = {
            "ServiceNamespace": "ecs",
            "ScalableDimension": DIMENSION,
            "MaxResults": POLICY_PAGE,
        }
        out: list[ScalingPolicy] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if not self.afford():
                return None
            resp = await self.call(client, "DescribeScalingPolicies", **kwargs)
            out += self.parse(
                "scaling policies",
                resp.get("ScalingPolicies") or (),
                lambda r: parse_policy(r, self.region),
            )
            token = resp.get("NextToken")
            if not token or token in seen:
                break
            seen.add(token)
            kwargs["NextToken"] = token
        return out

    async def _recent(self, client: Any, ids: frozenset[str], now: float) -> None:
        """The region's ECS activities, newest first, until one already seen or the window's
        start."""
        kwargs: dict[str, Any] = {
            "ServiceNamespace": "ecs",
            "ScalableDimension": DIMENSION,
            "IncludeNotScaledActivities": True,
            "MaxResults": ACTIVITY_PAGE,
        }
        seen_tokens: set[str] = set()
        for _ in range(MAX_PAGES):
            if not self.afford():
                return
            resp = await self.call(client, "DescribeScalingActivities", **kwargs)
            page = self.parse(
                "scaling activities",
                resp.get("ScalingActivities") or (),
                lambda r: parse_activity(r, self.region),
            )
            done = False
            for a in page:
                if a.id in self._finished:
                    done = True  # seen finished before: the rest is older
                    continue
                if a.ended_at is not None:
                    self._finished[a.id] = None
                if now - a.started_at > WINDOW:
                    done = True
                    continue
                if a.resource_id in ids:
                    self._activities[a.id] = a
            token = resp.get("NextToken")
            if done or not token or token in seen_tokens:
                break
            seen_tokens.add(token)
            kwargs["NextToken"] = token
        for key in [k for k, a in self._activities.items() if now - a.started_at > WINDOW]:
            del self._activities[key]
        while len(self._finished) > 10_000:
            del self._finished[next(iter(self._finished))]

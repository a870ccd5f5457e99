"""The load-balancer target health source: what each watched service's target groups say.

One ``DescribeTargetHealth`` per target group (the services' ``loadBalancers``), never more
than one per target group per look, and less often when nothing is wrong: every
:data:`UNHEALTHY_EVERY` seconds while a target is not healthy (or a task of the service is not
in the answer yet, or the service is the one on screen), every :data:`HEALTHY_EVERY` seconds
when all are healthy, and at once when the service reports a task unhealthy in a target group
(its events). Targets are tasks' IPs
(awsvpc); the derivation matches them to tasks by IP and port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError

from fgtop.model import Snapshot, TargetHealth, Task
from fgtop.model.elb import ELB_SOURCE
from fgtop.sources.base import Part, SourceContext
from fgtop.sources.elb_parse import parse_target
from fgtop.sources.why_base import Denied, WhySource

OPERATION = "DescribeTargetHealth"
UNHEALTHY_EVERY = 10.0
"""Seconds between looks at a target group with a target that is not healthy."""
HEALTHY_EVERY = 900.0
"""Seconds between looks at a target group whose targets are all healthy (and whose service
is not on screen): a service reports a task unhealthy in its events, which asks at once."""
GONE = frozenset({"TargetGroupNotFound", "TargetGroupNotFoundException"})


class TargetHealthSource(WhySource):
    """``elasticloadbalancing:DescribeTargetHealth`` for the watched services of one region.

    Args:
        aws: The shared AWS layer.
        region: The region watched.
        budget: ``--api-budget``; this source spends a fifth of it.
        first_wait: Seconds the first look waits for the task list.
    """

    prefix = ELB_SOURCE
    service = "elbv2"
    iam_prefix = "elasticloadbalancing"
    operations = (OPERATION,)
    lost = "load-balancer health unknown"

    def __init__(
        self, aws: Any, region: str, *, budget: float = 5.0, first_wait: float = 15.0
    ) -> None:
        super().__init__(aws, region, budget=budget, first_wait=first_wait)
        self._targets: dict[str, tuple[TargetHealth, ...]] = {}
        """The last answer per target group."""
        self._asked: dict[str, float] = {}
        self._selected: str | None = None
        self._events: dict[str, str] = {}
        """The newest service event seen per service (a new "unhealthy in" event asks at once)."""

    def due(self, snapshot: Snapshot, now: float, selected: str | None = None) -> list[str]:
        """The target groups to ask now, most urgent first (``selected``: the ARN on screen,
        a service or one of its tasks, whose groups are asked at the unhealthy pace)."""
        ranked: dict[str, tuple[int, float]] = {}
        shown = snapshot.find(selected) if selected else None
        for s in self.services(snapshot):
            on_screen = shown is s or (
                isinstance(shown, Task)
                and (shown.region, shown.cluster, shown.owner) == (s.region, s.cluster, s.name)
            )
            ips = {t.private_ip for t in snapshot.tasks_of(s) if t.private_ip and not t.is_stopping}
            newest = s.events[0].id if s.events else ""
            reported = newest != self._events.get(s.arn, newest) and any(
                "unhealthy in (target-group" in e.message for e in s.events[:5]
            )
            self._events[s.arn] = newest
            for lb in s.load_balancers:
                tg = lb.target_group
                asked = self._asked.get(tg)
                last = self._targets.get(tg, ())
                answered = {t.target_id for t in last}
                if asked is None or reported:
                    rank = 0
                elif on_screen or any(not t.healthy for t in last) or not ips <= answered:
                    rank = 1 if now - asked >= UNHEALTHY_EVERY else -1
                else:
                    rank = 2 if now - asked >= HEALTHY_EVERY else -1
                if rank >= 0:
                    old = ranked.get(tg)
                    ranked[tg] = min(old, (rank, asked or 0.0)) if old else (rank, asked or 0.0)
        return [tg for tg, _ in sorted(ranked.items(), key=lambda kv: kv[1])]

    async def poll(self, ctx: SourceContext) -> Part:
        """Look once; the service on screen (the UI's hint) is watched closely."""
        self._selected = ctx.hints.selected
        return await super().poll(ctx)

    async def look(self, snapshot: Snapshot, client: Any, now: float) -> Part:
        """Ask the target groups that are due; return every target group's last answer."""
        groups = {lb.target_group for s in self.services(snapshot) for lb in s.load_balancers}
        try:
            for tg in self.due(snapshot, now, self._selected):
                if not self.afford():
                    break
                await self._ask(client, tg, now)
        except Denied:
            pass
        for tg in [g for g in self._targets if g not in groups]:
            del self._targets[tg]
            self._asked.pop(tg, None)
        return {
            "target_health": tuple(t for tg in sorted(groups) for t in self._targets.get(tg, ()))
        }

    async def _ask(self, client: Any, tg: str, now: float) -> None:
        try:
            resp = await self.call(client, "DescribeTargetHealth", TargetGroupArn=tg)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in GONE:
                self._asked[tg] = now
                self._targets[tg] = ()
                return
            raise
        self._asked[tg] = now
        found: Sequence[TargetHealth] = self.parse(
            "targets",
            resp.get("TargetHealthDescriptions") or (),
            lambda raw: parse_target(raw, tg, self.region, now),
        )
        before = {(t.target_id, t.port): t for t in self._targets.get(tg, ())}
        kept = []
        for t in found:
            old = before.get((t.target_id, t.port))
            since = None
            if t.unhealthy:
                since = old.unhealthy_since if old is not None and old.unhealthy else now
            kept.append(replace(t, unhealthy_since=since))
        self._targets[tg] = tuple(kept)

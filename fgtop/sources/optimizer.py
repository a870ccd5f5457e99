"""The Compute Optimizer source: AWS's own ECS service right-sizing, in each watched region.

``compute-optimizer:GetECSServiceRecommendations`` is a read call (it passes the AWS layer's
read-only guard). Recommendations change about once a day, so the source asks every 30
minutes, each region on its own, following ``nextToken`` to the last page.

An account not opted in to Compute Optimizer answers ``OptInRequiredException``: the source
is then healthy and says so in its status (one line in the cost panel), nothing else. A
denied call degrades this source only, naming the permission.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.model.optimizer import (
    OPTIMIZER_PERMISSION,
    OPTIMIZER_SOURCE,
    EcsRecommendation,
    OptimizerStatus,
)
from fgtop.sources.aws import Aws
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.errors import SourceTimeout, one_line
from fgtop.sources.optimizer_parse import parse_page

SERVICE = "compute-optimizer"
OPERATION = "GetECSServiceRecommendations"
INTERVAL = 1800.0
"""Seconds between polls after a good one (recommendations change daily)."""
RETRY = 300.0
"""Seconds before asking again after a failure."""
MIN_GAP = 60.0
"""A refresh (``r``) sooner than this after the last good poll reuses it."""
TIMEOUT = 10.0
"""Seconds a poll's calls may take in all (the dashboard's first complete frame waits)."""
FIRST_WAIT = 15.0
"""Seconds the first poll waits for another source's first answer (the task list), so that
the first snapshot published is not one holding only Compute Optimizer's status."""
MAX_RESULTS = 1000
"""The largest page the API allows."""
MAX_PAGES = 100
"""Pages followed per region at most (a guard against a token that never ends)."""
NOT_ENROLLED = frozenset({"OptInRequiredException"})
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
DENIED_LINE = f"{OPERATION} denied (needs {OPTIMIZER_PERMISSION})"


@dataclass
class _Region:
    """What one region answered in the last poll."""

    recommendations: list[EcsRecommendation] = field(default_factory=list)
    skipped: int = 0
    not_enrolled: bool = False
    denied: bool = False
    error: BaseException | None = None
    """The failure of a call that was neither a denial nor a missing opt-in."""


class OptimizerSource(PollingSource):
    """Compute Optimizer's ECS service recommendations in every watched region.

    Args:
        aws: The shared AWS layer.
        regions: The watched regions (one call set each).
        timeout: Seconds a poll's calls may take in all.
        first_wait: Seconds the first poll waits for another source to answer first (0 when
            this source runs alone).
    """

    name = OPTIMIZER_SOURCE
    phase = 1
    """A one-off poll asks after the task list has merged."""
    essential = False

    def __init__(
        self,
        aws: Aws,
        regions: tuple[str, ...] | None = None,
        *,
        timeout: float = TIMEOUT,
        first_wait: float = FIRST_WAIT,
    ) -> None:
        self.aws: Aws = aws
        self.regions = tuple(regions if regions is not None else aws.regions)
        self.timeout = timeout
        self.first_wait = first_wait
        self._last: dict[str, list[EcsRecommendation]] = {}
        """The last recommendations got per region (kept while a region fails)."""
        self._part: Part | None = None
        self._checked_at: float | None = None
        self._failed = False
        self._degraded: str | None = None

    @property
    def interval(self) -> float:
        """30 minutes after a good poll, 5 minutes after a failure or a denial."""
        return RETRY if self._failed or self._degraded else INTERVAL

    def api_calls(self) -> int:
        """Compute Optimizer requests made."""
        return self.aws.calls[SERVICE]

    def degraded(self) -> str | None:
        """The permission denied, or the regions that failed, in the last poll; else None.

        Not being enrolled is no degradation: the status says so, nothing else changes.
        """
        return self._degraded

    async def poll(self, ctx: SourceContext) -> Part:
        """Fetch every region's recommendations; return them with the status of the look."""
        if self._checked_at is None and not self._failed:
            await self._after_the_others(ctx)
        now = ctx.clock()
        if (
            self._part is not None
            and self._checked_at is not None
            and now - self._checked_at < MIN_GAP
        ):
            return self._part
        try:
            async with asyncio.timeout(self.timeout):
                answers = await asyncio.gather(*(self._region(r) for r in self.regions))
        except TimeoutError as exc:
            self._failed = True
            raise SourceTimeout(f"{OPERATION} timed out after {self.timeout:g}s") from exc
        pairs = list(zip(self.regions, answers, strict=True))
        failures = [a.error for _, a in pairs if a.error is not None]
        if failures and len(failures) == len(pairs):
            self._failed = True
            raise failures[0]  # every region failed: the source fails, its last part kept stale
        errors = [f"{r}: {one_line(a.error)}" for r, a in pairs if a.error is not None]
        self._failed = False
        denied = any(a.denied for a in answers)
        reasons = ([DENIED_LINE] if denied else []) + errors
        self._degraded = "; ".join(reasons) or None
        recommendations: list[EcsRecommendation] = []
        for region, answer in pairs:
            if answer.error is None and not answer.denied:
                self._last[region] = answer.recommendations
            recommendations += self._last.get(region, [])
        status = OptimizerStatus(
            regions=self.regions,
            not_enrolled=tuple(r for r, a in pairs if a.not_enrolled),
            denied=DENIED_LINE if denied else None,
            skipped=sum(a.skipped for a in answers),
            checked_at=now,
        )
        self._checked_at = now
        self._part = {"ecs_recommendations": tuple(recommendations), "compute_optimizer": status}
        return self._part

    async def _after_the_others(self, ctx: SourceContext) -> None:
        """Wait (at most ``first_wait`` seconds) until another source has answered once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.first_wait
        while loop.time() < deadline:
            if any(h.answered for h in ctx.snapshot.sources if h.name != self.name):
                return
            await asyncio.sleep(0.1)

    async def _region(self, region: str) -> _Region:
        """One region's recommendations, every page of them."""
        answer = _Region()
        try:
            client = await self.aws.client(SERVICE, region, optional=True)
            token: str | None = None
            seen: set[str] = set()
            for _ in range(MAX_PAGES):
                kwargs: dict[str, Any] = {"maxResults": MAX_RESULTS}
                if token:
                    kwargs["nextToken"] = token
                page = await client.get_ecs_service_recommendations(**kwargs)
                found, skipped = parse_page(page.get("ecsServiceRecommendations") or (), region)
                answer.recommendations += found
                answer.skipped += skipped
                token = page.get("nextToken") or None
                if token is None or token in seen:
                    break
                seen.add(token)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in NOT_ENROLLED:
                return _Region(not_enrolled=True)
            if code in DENIED:
                return _Region(denied=True)
            answer = _Region(error=exc)
        except BotoCoreError as exc:
            answer = _Region(error=exc)
        return answer

    async def close(self) -> None:
        """The AWS layer's clients are closed by its owner."""

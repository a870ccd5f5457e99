"""What the four "why" sources share: a call budget, denial and malformed counting, a deadline
per call, and waiting for the task list before the first look.

The sources (ECS service deployments, load-balancer target health, CloudWatch alarms, Service
Auto Scaling) are optional: each is one region's, asks only about the services the ECS source
found there, and a denied, throttled or slow call degrades its own part alone (the last good
part stays, marked stale, with one line naming the permission).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError

from fgtop.model import Service, Snapshot
from fgtop.sources.aws import Aws
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.errors import SourceTimeout, malformed_note
from fgtop.sources.parse_common import parse_each

DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
SHARE = 0.2
"""The part of ``--api-budget`` (calls per second per region) each of these sources may spend."""
BURST = 60.0
"""Calls a source may make at once after a quiet spell (its first look, mostly)."""
FIRST_WAIT = 15.0
"""Seconds the first look waits for the task list (the services to ask about)."""
MAX_PAGES = 50
"""Pages followed per listing at most (a guard against a token that never ends)."""
DENIED_RETRY = 300.0
"""Seconds before an operation that was denied is asked again (the last part stays meanwhile)."""


class Denied(Exception):
    """An operation the caller's policy does not allow (``op`` names it)."""

    def __init__(self, op: str) -> None:
        super().__init__(op)
        self.op = op


class Budget:
    """A token bucket: ``rate`` calls a second on average, at most ``burst`` at once.

    Args:
        rate: Calls per second refilled.
        burst: The most calls held.
    """

    def __init__(self, rate: float, burst: float = BURST) -> None:
        self.rate = max(0.01, rate)
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self._at: float | None = None

    def refill(self, now: float) -> None:
        """Add what ``rate`` gave since the last look."""
        if self._at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def take(self) -> bool:
        """Spend one call if there is one to spend."""
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class WhySource(PollingSource):
    """Base of the four why sources: one region, one AWS service, optional.

    Args:
        aws: The shared AWS layer.
        region: The region watched.
        budget: ``--api-budget`` (calls per second per region); this source spends
            :data:`SHARE` of it.
        first_wait: Seconds the first look waits for the task list (0 in tests run alone).
    """

    aws: Aws
    """The AWS layer (always there: these are AWS sources)."""
    prefix = "why"
    """The source name's prefix (``alarms`` in ``alarms:eu-west-1``)."""
    service = ""
    """The botocore service name (``cloudwatch``)."""
    iam_prefix = ""
    """The IAM action prefix, where it is not the botocore name (``elasticloadbalancing``)."""
    operations: tuple[str, ...] = ()
    """The operations this source calls (its API calls are theirs)."""
    lost = ""
    """What a denial costs, for the degraded line (``deployments inferred from the events``)."""
    essential = False
    """Optional: its failure never fails the region."""
    phase = 1
    interval: float = 5.0
    """Seconds between looks (each source says what is due at each)."""

    def __init__(
        self, aws: Aws, region: str, *, budget: float = 5.0, first_wait: float = FIRST_WAIT
    ) -> None:
        self.aws = aws
        self.region = region
        self.name = f"{self.prefix}:{region}"
        self.first_wait = first_wait
        self.bucket = Budget(budget * SHARE)
        self.deferred = 0
        """Calls the last look left for later to keep to the budget."""
        self._denied: dict[str, str] = {}
        self._malformed: Counter[str] = Counter()
        self._part: Part = {}
        self._looked = False
        self._denied_at: float | None = None

    # -- what the engine asks -------------------------------------------------------------

    def api_calls(self) -> int:
        """Requests this source has made in its region."""
        return sum(self.aws.calls[f"{self.service}:{self.region}.{op}"] for op in self.operations)

    def degraded(self) -> str | None:
        """The operations denied and the entries skipped in the last look, one line."""
        note = malformed_note(dict(self._malformed))
        return "; ".join([*self._denied.values(), *([note] if note else [])]) or None

    def note(self) -> str | None:
        """Says when the last look left calls for later to keep to the budget."""
        if not self.deferred:
            return None
        return f"{self.name}: some calls wait for later to stay under --api-budget"

    async def poll(self, ctx: SourceContext) -> Part:
        """Look once (what is due), and return this source's whole part."""
        if not self._looked:
            await self._after_the_task_list(ctx)
            self._looked = True
        now = ctx.clock()
        if self._denied_at is not None and now - self._denied_at < DENIED_RETRY:
            return self._part  # denied a moment ago: the last part, still marked
        self.bucket.refill(now)
        self.deferred = 0
        self._denied = {}
        self._malformed = Counter()
        client = await self.aws.client(self.service, self.region, optional=True)
        with contextlib.suppress(Denied):  # the last part stays; degraded() names the permission
            self._part = await self.look(ctx.snapshot, client, now)
        self._denied_at = now if self._denied else None
        return self._part

    async def look(self, snapshot: Snapshot, client: Any, now: float) -> Part:
        """Ask what is due; return the whole part (subclasses)."""
        raise NotImplementedError

    async def close(self) -> None:
        """The AWS layer's clients are closed by its owner."""

    # -- helpers ------------------------------------------------------------------------------

    def services(self, snapshot: Snapshot) -> list[Service]:
        """The watched services of this region."""
        return [s for s in snapshot.services if s.region == self.region]

    def afford(self) -> bool:
        """Whether the budget allows one more call now (else it is counted as deferred)."""
        if self.bucket.take():
            return True
        self.deferred += 1
        return False

    def deny(self, op: str) -> None:
        """Note ``op`` as denied in this look (the degraded line names the permission)."""
        prefix = self.iam_prefix or self.service
        lost = self.lost_by_denial(op)
        self._denied[op] = f"{op} denied (needs {prefix}:{op})" + (f": {lost}" if lost else "")

    def lost_by_denial(self, op: str) -> str:
        """What a denial of ``op`` costs, for the degraded line (:attr:`lost` by default)."""
        return self.lost

    def parse(self, kind: str, entries: Iterable[Any], parse: Callable[[Any], Any]) -> list:
        """Each entry parsed on its own; the malformed ones skipped and counted as ``kind``."""
        found, skipped = parse_each(entries, parse)
        self._malformed[kind] += skipped
        return found

    async def call(self, client: Any, op: str, **kwargs: Any) -> dict:
        """One call of ``op`` (``DescribeAlarms``), within ``aws.call_timeout``.

        Raises:
            Denied: The caller may not call it.
            SourceTimeout: It took longer than the timeout.
            ClientError: Any other refusal (throttling: the engine marks the source stale).
        """
        method = getattr(client, _snake(op))
        async with self._deadline(op):
            try:
                return await method(**kwargs)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in DENIED_CODES:
                    self.deny(op)
                    raise Denied(op) from exc
                raise

    @contextlib.asynccontextmanager
    async def _deadline(self, op: str) -> AsyncIterator[None]:
        timeout = self.aws.call_timeout
        try:
            async with asyncio.timeout(timeout):
                yield
        except TimeoutError as exc:
            raise SourceTimeout(f"{op} timed out after {timeout:g}s") from exc

    async def _after_the_task_list(self, ctx: SourceContext) -> None:
        """Wait (at most ``first_wait`` seconds) until the ECS source has answered once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.first_wait
        while loop.time() < deadline:
            if any(h.answered for h in ctx.snapshot.sources if h.name.startswith("ecs:")):
                return
            await asyncio.sleep(0.1)


def _snake(op: str) -> str:
    """``describe_alarm_history`` of ``DescribeAlarmHistory``."""
    out = []
    for i, ch in enumerate(op):
        if ch.isupper() and i and not op[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)

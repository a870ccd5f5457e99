"""The one headless step between a feed and its sinks: each snapshot is derived once.

:class:`Deriver` turns a snapshot into :class:`Derived` (insights, alerts fired, the timeline);
:class:`DerivingPublisher` runs it off the event loop (a worker thread), one snapshot at a
time in order, and hands every subscriber the snapshot with its derived figures. The UI, the
recorder and ``fgtop snapshot`` all consume the same output.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fgtop.config import Config
from fgtop.cost.prices import PriceTable
from fgtop.cost.rightsizing import DEFAULT_HEADROOM
from fgtop.derive.alerts import DEFAULT_RULES, Alert, AlertEvaluator, AlertRule, alert_rules
from fgtop.derive.insights import Insights, analyse
from fgtop.derive.timeline import Timeline, TimelineView
from fgtop.model import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Derived:
    """What fgtop concludes from one snapshot (computed once, shared by every sink)."""

    insights: Insights = field(default_factory=Insights)
    fired: tuple[Alert, ...] = ()
    """Alerts that fired on this snapshot (a transition seen between two consecutive ones)."""
    active: frozenset[str] = frozenset()
    """Targets (ARNs, pod keys) with an alert whose condition still holds."""
    timeline: TimelineView = field(default_factory=TimelineView)
    error: str | None = None
    """A one-line reason when deriving failed (the snapshot is still shown)."""


class Deriver:
    """Feeds on snapshots in time order; keeps the alert and timeline state between them.

    Args:
        table: The price table (None: no cost figures).
        rules: The alert rules.
        headroom: Right-sizing headroom.
        savings_plan_discount: The Compute Savings Plan discount on on-demand compute.
    """

    def __init__(
        self,
        table: PriceTable | None,
        rules: Iterable[AlertRule] = DEFAULT_RULES,
        *,
        headroom: float = DEFAULT_HEADROOM,
        savings_plan_discount: float = 0.0,
    ) -> None:
        self.table = table
        self.rules = tuple(rules)
        self.headroom = headroom
        self.savings_plan_discount = savings_plan_discount
        self.alerts = AlertEvaluator(self.rules)
        self.timeline = Timeline()

    @classmethod
    def from_config(cls, config: Config, table: PriceTable | None) -> Deriver:
        """The deriver for a config file's alert rules and headroom.

        Raises:
            ConfigError: For a bad ``[[alerts]]`` table.
        """
        return cls(
            table,
            alert_rules(config),
            headroom=config.headroom,
            savings_plan_discount=config.savings_plan_discount,
        )

    def reset_alerts(self) -> None:
        """Forget what the alerts have seen: the next snapshot is not a step after the last."""
        self.alerts = AlertEvaluator(self.rules)

    def derive(self, snapshot: Snapshot, *, jumped: bool = False) -> Derived:
        """Everything derived from ``snapshot``.

        Args:
            snapshot: The new snapshot.
            jumped: The snapshot does not follow the previous one (a replay seek): alerts
                start afresh instead of firing for the history skipped over.
        """
        if jumped:
            self.reset_alerts()
        insights = analyse(
            snapshot,
            self.table,
            headroom=self.headroom,
            savings_plan_discount=self.savings_plan_discount,
        )
        if snapshot.loading is not None:
            # A first poll still streaming in: the tasks not described yet are not gone, so
            # alerts and the timeline wait for the full list (the rows show meanwhile).
            return Derived(
                insights=insights,
                fired=(),
                active=frozenset(a.target for a in self.alerts.active),
                timeline=self.timeline.view(),
            )
        fired = self.alerts.feed(snapshot)
        self.timeline.feed(snapshot)
        if fired:
            self.timeline.add_alerts(fired)
        return Derived(
            insights=insights,
            fired=tuple(fired),
            active=frozenset(a.target for a in self.alerts.active),
            timeline=self.timeline.view(),
        )


Deliver = Callable[[Snapshot, Derived, bool], None]
"""``deliver(snapshot, derived, jumped)``, called on the event loop."""


class DerivingPublisher:
    """Derives snapshots in a worker thread, in order, newest first when it falls behind.

    ``submit`` never blocks: if snapshots arrive faster than they are derived, the ones in
    between are skipped (the next derived one is still a later observation). A jump is never
    lost: it is carried over to the next snapshot derived.

    Args:
        deriver: The derivation step.
        deliver: Called on the event loop with each derived snapshot.
    """

    def __init__(self, deriver: Deriver, deliver: Deliver) -> None:
        self.deriver = deriver
        self._deliver = deliver
        self._pending: tuple[Snapshot, bool] | None = None
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Start the worker on the running loop."""
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        if self._pending is not None:  # submitted before the start: derive it now
            self._idle.clear()
            self._wake.set()
        self._task = asyncio.create_task(self._run(), name="derive")

    async def stop(self) -> None:
        """Stop the worker."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def close(self) -> None:
        """Derive nothing more (from any thread: the app is quitting); what is being derived
        is not delivered."""
        self._closed = True
        self._pending = None

    def submit(self, snapshot: Snapshot, *, jumped: bool = False) -> None:
        """Queue ``snapshot`` (replacing one not yet derived)."""
        if self._closed:
            return
        if self._pending is not None:
            jumped = jumped or self._pending[1]
        self._pending = (snapshot, jumped)
        if self._wake is not None and self._idle is not None:
            self._idle.clear()
            self._wake.set()

    async def settled(self) -> None:
        """Wait until every submitted snapshot has been derived and delivered."""
        if self._idle is not None:
            await self._idle.wait()

    async def _run(self) -> None:
        assert self._wake is not None and self._idle is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending is not None and not self._closed:
                snapshot, jumped = self._pending
                self._pending = None
                try:
                    derived = await asyncio.to_thread(self.deriver.derive, snapshot, jumped=jumped)
                except Exception as exc:  # noqa: BLE001 - show the snapshot all the same
                    log.exception("deriving failed")
                    derived = Derived(error=f"deriving failed: {type(exc).__name__}: {exc}")
                if self._closed:
                    break
                try:
                    self._deliver(snapshot, derived, jumped)
                except Exception:  # noqa: BLE001 - one sink's bug must not stop the others
                    log.exception("delivering a frame failed")
            self._idle.set()

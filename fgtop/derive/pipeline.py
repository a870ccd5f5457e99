"""The one headless step between a feed and its sinks: each snapshot is derived once.

:class:`Deriver` takes every snapshot into its :class:`~fgtop.derive.history.History` (alerts,
the timeline, pods' exits) and turns one into :class:`Derived` (insights, the alerts fired, the
timeline, the figures every screen shows); :class:`DerivingPublisher` runs it off the event
loop (a worker thread), in order, and hands every subscriber the snapshot with its derived
figures. The UI and ``fgtop snapshot`` (live or ``--replay``) consume the same output.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fgtop.config import Config
from fgtop.cost.estate import EstatePricer
from fgtop.cost.prices import PriceTable
from fgtop.cost.rightsizing import DEFAULT_HEADROOM
from fgtop.derive.alerts import DEFAULT_RULES, Alert, AlertEvaluator, AlertRule, alert_rules
from fgtop.derive.figures import Figures, figures_for
from fgtop.derive.history import History
from fgtop.derive.insights import Insights, analyse
from fgtop.derive.timeline import Timeline, TimelineView
from fgtop.model import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Derived:
    """What fgtop concludes from one snapshot (computed once, shared by every sink)."""

    insights: Insights = field(default_factory=Insights)
    fired: tuple[Alert, ...] = ()
    """Alerts that fired since the frame delivered before (a transition seen between two
    consecutive frames); none after a jump."""
    active: frozenset[str] = frozenset()
    """Targets (ARNs, pod keys) with an alert whose condition still holds."""
    alerts: tuple[Alert, ...] = ()
    """The alerts whose condition still holds, oldest first."""
    timeline: TimelineView = field(default_factory=TimelineView)
    figures: Figures = field(default_factory=Figures)
    """Every row's $/h and $ so far, services' states, OOM kills: what every screen shows."""
    error: str | None = None
    """A one-line reason when deriving failed (the snapshot is still shown)."""
    history_at: float | None = None
    """Set while a replay's history is still being built up to this frame: it covers the
    frames up to this time only (None: the history is complete)."""


class Deriver:
    """Feeds on snapshots in time order, every one of them; keeps their :class:`History`.

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
        self.history = History(self.rules)
        self.pricer = EstatePricer(table, savings_plan_discount) if table is not None else None
        """Each task's and pod's price, kept from snapshot to snapshot (by identity)."""

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

    @property
    def timeline(self) -> Timeline:
        """The timeline of the history."""
        return self.history.timeline

    @property
    def alerts(self) -> AlertEvaluator:
        """The alert state of the history."""
        return self.history.alerts

    def fresh_history(self) -> History:
        """An empty history with this deriver's rules."""
        return History(self.rules)

    def observe(self, snapshot: Snapshot) -> tuple[Alert, ...]:
        """Take ``snapshot`` into the history (the next in time order); the alerts it fired."""
        return self.history.observe(snapshot)

    def conclude(
        self, snapshot: Snapshot, fired: Iterable[Alert] = (), *, history_at: float | None = None
    ) -> Derived:
        """Everything derived from ``snapshot`` and the history as it stands.

        Args:
            snapshot: The snapshot shown (the last one observed, or one the history is still
                being built up to).
            fired: The alerts to report as fired with it.
            history_at: See :attr:`Derived.history_at`.
        """
        history = self.history
        snapshot.find("")  # the lookup by key every screen uses, indexed here, off the UI's loop
        insights = analyse(
            snapshot,
            self.table,
            headroom=self.headroom,
            savings_plan_discount=self.savings_plan_discount,
            first_exits=history.exits.firsts(),
            pricer=self.pricer,
        )
        return Derived(
            insights=insights,
            fired=tuple(fired),
            active=history.active,
            alerts=tuple(history.alerts.active),
            timeline=history.timeline.view(),
            figures=figures_for(snapshot, insights.cost, insights.problems, insights.oom_kills),
            history_at=history_at,
        )

    def derive(self, snapshot: Snapshot) -> Derived:
        """Take ``snapshot`` into the history and derive everything from it."""
        return self.conclude(snapshot, self.observe(snapshot))

    def derive_batch(
        self, snapshots: Sequence[Snapshot | float], jumped: bool = False
    ) -> tuple[Snapshot, Derived]:
        """Take every one of ``snapshots`` into the history, in order; derive the last.

        What the publisher calls when snapshots came faster than they were derived: the history
        sees them all, the figures are worked out for the newest only. ``jumped`` is ignored
        (a live history never jumps).
        """
        fired: list[Alert] = []
        for snapshot in snapshots:
            assert isinstance(snapshot, Snapshot)
            fired += self.observe(snapshot)
        last = snapshots[-1]
        assert isinstance(last, Snapshot)
        return last, self.conclude(last, fired)


class BatchDeriver(Protocol):
    """What the publisher runs: the live :class:`Deriver` (snapshots), or a replay's
    (:class:`fgtop.derive.replay.ReplayDeriver`: frame times, decoded in the worker)."""

    def derive_batch(
        self, snapshots: Sequence[Snapshot | float], jumped: bool = False
    ) -> tuple[Snapshot, Derived]:
        """The snapshot to show for the last item and what is derived from it (the history
        taking in what it needs first)."""
        ...


Deliver = Callable[[Snapshot | None, Derived, bool], None]
"""``deliver(snapshot, derived, jumped)``, called on the event loop (snapshot None: deriving a
replay's frame failed before it was read; ``derived.error`` says why)."""


class DerivingPublisher:
    """Derives snapshots in a worker thread, in order; the history sees every one of them.

    ``submit`` never blocks: snapshots that arrive while one is being derived wait, and the
    next run takes them all at once (the history takes in each; the figures are worked out for
    the newest only). A jump is never lost: it is carried over to the next snapshot derived.
    A derivation whose history is still being built (:attr:`Derived.history_at`) is delivered
    and run again, until it is complete or a newer snapshot comes.

    Args:
        deriver: The derivation step.
        deliver: Called on the event loop with each derived snapshot.
    """

    def __init__(self, deriver: BatchDeriver, deliver: Deliver) -> None:
        self.deriver = deriver
        self._deliver = deliver
        self._pending: list[Snapshot | float] = []
        self._jumped = False
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Start the worker on the running loop."""
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        if self._pending:  # submitted before the start: derive it now
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
        self._pending = []

    def submit(self, snapshot: Snapshot | float, *, jumped: bool = False) -> None:
        """Queue ``snapshot`` (or, for a replay, the time of the frame to show) after the ones
        not yet derived."""
        if self._closed:
            return
        self._pending.append(snapshot)
        self._jumped = self._jumped or jumped
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
            while self._pending and not self._closed:
                batch, jumped = self._pending, self._jumped
                self._pending, self._jumped = [], False
                snapshot: Snapshot | None
                try:
                    snapshot, derived = await asyncio.to_thread(
                        self.deriver.derive_batch, batch, jumped
                    )
                except Exception as exc:  # noqa: BLE001 - show the snapshot all the same
                    log.exception("deriving failed")
                    last = batch[-1]
                    snapshot = last if isinstance(last, Snapshot) else None
                    derived = Derived(error=f"deriving failed: {type(exc).__name__}: {exc}")
                if self._closed:
                    break
                try:
                    self._deliver(snapshot, derived, jumped)
                except Exception:  # noqa: BLE001 - one sink's bug must not stop the others
                    log.exception("delivering a frame failed")
                if derived.history_at is not None and not self._pending:
                    # The history is still being built: carry on (nothing newer to show); the
                    # alerts of the frames still to take in come with the next delivery.
                    self._pending, self._jumped = [batch[-1]], jumped
            self._idle.set()

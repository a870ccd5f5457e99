"""What fgtop derives from the frames before this one: alerts, the timeline, pods' exits.

:class:`History` feeds on snapshots in time order, every one of them: live, each snapshot the
engine publishes; in replay, each recorded frame up to the replay clock, however the clock got
there (fgtop.derive.replay). Its state after a frame is therefore a function of the frames up
to it, and :meth:`History.copy` takes a checkpoint of it (the replay restores one on a seek
instead of deriving the recording from its start). No I/O, no wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable

from fgtop.derive.alerts import DEFAULT_RULES, Alert, AlertEvaluator, AlertRule
from fgtop.derive.problems import STOPPED_WINDOW
from fgtop.derive.timeline import Timeline
from fgtop.model import Pod, Snapshot


def pod_exits(pod: Pod) -> list[float]:
    """When the pod's containers last exited, as the pod says now (restarted or terminated)."""
    out = [
        c.last_state.finished_at
        for c in pod.containers
        if c.last_state is not None and c.last_state.finished_at is not None
    ]
    out += [c.state.finished_at for c in pod.containers if c.state.finished_at is not None]
    return out


class PodExits:
    """Each pod's container exits seen within the window (a pod reports only its last one).

    A crash loop began at its first restart in the window: the pod itself says only when
    its containers last exited, so that first exit is remembered from the frames before.

    Args:
        window: Seconds an exit is remembered (the problems' window).
    """

    def __init__(self, window: float = STOPPED_WINDOW) -> None:
        self.window = window
        self._exits: dict[str, list[float]] = {}
        """Pod key -> distinct exit times within the window, oldest first."""

    def copy(self) -> PodExits:
        """An independent copy (for checkpoints)."""
        other = PodExits(self.window)
        other._exits = {key: list(times) for key, times in self._exits.items()}
        return other

    def feed(self, snapshot: Snapshot) -> None:
        """Take in the exits the snapshot's pods report; forget pods no longer listed."""
        since = snapshot.taken_at - self.window
        present: set[str] = set()
        for pod in snapshot.pods:
            present.add(pod.key)
            times = self._exits.get(pod.key)
            new = [t for t in pod_exits(pod) if t >= since]
            if times is None:
                if new:
                    self._exits[pod.key] = sorted(set(new))
                continue
            merged = sorted({*(t for t in times if t >= since), *new})
            if merged:
                self._exits[pod.key] = merged
            else:
                del self._exits[pod.key]
        for key in [k for k in self._exits if k not in present]:
            del self._exits[key]

    def first(self, pod_key: str) -> float | None:
        """The pod's first exit seen within the window (None: none seen)."""
        times = self._exits.get(pod_key)
        return times[0] if times else None

    def firsts(self) -> dict[str, float]:
        """Pod key -> its first exit seen within the window."""
        return {key: times[0] for key, times in self._exits.items() if times}


class History:
    """The state fgtop carries from frame to frame: alerts, the timeline, pods' exits.

    Args:
        rules: The alert rules.
    """

    def __init__(self, rules: Iterable[AlertRule] = DEFAULT_RULES) -> None:
        self.rules = tuple(rules)
        self.alerts = AlertEvaluator(self.rules)
        self.timeline = Timeline()
        self.exits = PodExits()
        self.at: float | None = None
        """The time of the last snapshot taken in (None: none yet)."""
        self.frames = 0
        """How many snapshots were taken in."""

    def copy(self) -> History:
        """An independent copy of the whole state (a checkpoint)."""
        other = History.__new__(History)
        other.rules = self.rules
        other.alerts = self.alerts.copy()
        other.timeline = self.timeline.copy()
        other.exits = self.exits.copy()
        other.at = self.at
        other.frames = self.frames
        return other

    def weight(self) -> int:
        """Roughly how many things a copy of the history holds (entries, remembered ids):
        what bounds the replay's checkpoints."""
        timeline, alerts = self.timeline, self.alerts
        return (
            timeline.weight()
            + len(alerts._alerted_stops)  # noqa: SLF001 - one package's own state
            + len(alerts._seen_running)  # noqa: SLF001
            + sum(len(v) for v in alerts._restarts.values())  # noqa: SLF001
            + sum(len(v) for v in self.exits._exits.values())  # noqa: SLF001
        )

    def observe(self, snapshot: Snapshot) -> tuple[Alert, ...]:
        """Take in the next snapshot (in time order); return the alerts it fired.

        A snapshot of a first poll still streaming in (``snapshot.loading``) is not taken in:
        the tasks not described yet are not gone, so the history waits for the full list.
        """
        if snapshot.loading is not None:
            return ()
        fired = self.alerts.feed(snapshot)
        self.timeline.feed(snapshot)
        if fired:
            self.timeline.add_alerts(fired)
        self.exits.feed(snapshot)
        self.at = snapshot.taken_at
        self.frames += 1
        return tuple(fired)

    @property
    def active(self) -> frozenset[str]:
        """Targets with an alert whose condition still holds."""
        return frozenset(a.target for a in self.alerts.active)

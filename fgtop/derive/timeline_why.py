"""Timeline entries from the sources of truth: deployments (the ECS deployments API), target
health, alarm state changes and scaling activities.

:class:`WhyEntries` feeds on snapshots in time order and returns each fact once, at its own
time (the API's timestamps, the first unhealthy answer), so a replay builds the same entries as
the live run. It knows nothing of the timeline's entry class: it returns :class:`Entry` tuples
the timeline turns into its own. No I/O, no wall clock.
"""

from __future__ import annotations

from typing import NamedTuple

from fgtop.derive.decoder import HIGH, LOW, MEDIUM
from fgtop.derive.deployments import short_rev
from fgtop.derive.problems_why import rollback_words
from fgtop.derive.taskdef_diff import diff_models, summary
from fgtop.derive.why import (
    revision_task_definition,
    scaling_of,
    services_of_alarm,
    target_task,
)
from fgtop.model import Service, ServiceDeployment, Snapshot
from fgtop.model.elb import target_group_name
from fgtop.model.health import SourceHealth
from fgtop.model.service_deployments import DEPLOYMENTS_SOURCE

KIND_TARGET_HEALTH = "target-health"
KIND_ALARM_STATE = "alarm-state"
KIND_SCALING = "scaling"
WINDOW = 3 * 3600.0
"""Facts older than this (seconds before the snapshot) are history, not timeline entries."""
_MEMORY = 20_000


class Entry(NamedTuple):
    """One fact for the timeline."""

    at: float
    kind: str
    target: str
    message: str
    cluster: str | None
    region: str | None
    severity: int


def api_governs(snapshot: Snapshot, region: str) -> bool:
    """Whether the deployments API tells the deployments of ``region`` (its source is there and
    has not been denied or failed from the start): the inferred deployment entries then stay
    out of the timeline."""
    health: SourceHealth | None = next(
        (h for h in snapshot.sources if h.name == f"{DEPLOYMENTS_SOURCE}:{region}"), None
    )
    if health is None:
        return False
    if health.error is None:
        return True
    if "denied" in health.error or "not available" in health.error:
        return False
    return health.last_success is not None  # answered before: its data stands, stale


class WhyEntries:
    """The why facts seen so far; :meth:`feed` returns the new ones."""

    def __init__(self, deployment_kind: str = "deployment") -> None:
        self.deployment_kind = deployment_kind
        self._seen: dict[tuple[object, ...], None] = {}
        self._states: dict[str, str] = {}
        """Each alarm's state in the last snapshot."""
        self._unhealthy: dict[tuple[str, str, int | None], float] = {}
        """Targets unhealthy in the last snapshot, with the start of their streak."""

    def copy(self) -> WhyEntries:
        """An independent copy of what it has seen (for the replay's checkpoints)."""
        other = WhyEntries(self.deployment_kind)
        other._seen = dict(self._seen)
        other._states = dict(self._states)
        other._unhealthy = dict(self._unhealthy)
        return other

    def _new(self, key: tuple[object, ...]) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > _MEMORY:
            del self._seen[next(iter(self._seen))]
        return True

    def feed(self, snapshot: Snapshot) -> list[Entry]:
        """The facts of ``snapshot`` not returned before."""
        out: list[Entry] = []
        start = snapshot.taken_at - WINDOW
        for s in snapshot.services:
            out += self._deployments(snapshot, s, start)
            out += self._targets(snapshot, s)
            out += self._scaling(snapshot, s, start)
        out += self._alarms(snapshot, start)
        return out

    # -- deployments ----------------------------------------------------------------------

    def _deployments(self, snapshot: Snapshot, s: Service, start: float) -> list[Entry]:
        out = []
        for d in snapshot.deployments_of(s):
            began = d.began
            if began is None or began < start:
                continue
            td = revision_task_definition(snapshot, d.target.arn if d.target else None)
            name = f"deployment {d.id}" + (f" of {td.rsplit('/', 1)[-1]}" if td else "")

            def entry(at: float, text: str, severity: int = LOW) -> Entry:
                return Entry(
                    at,
                    self.deployment_kind,
                    s.arn,
                    f"{s.name}: {text}",
                    s.cluster,
                    s.region,
                    severity,
                )

            if self._new(("dep-start", d.arn)):
                out.append(entry(began, f"{name} started{self._replaces(snapshot, d, td)}"))
            if d.rollback_started_at is not None and self._new(("dep-rollback", d.arn)):
                words = rollback_words(snapshot, d).replace("rolled back", "rolling back", 1)
                out.append(entry(d.rollback_started_at, f"{name} {words}", HIGH))
            for alarm in d.triggered_alarms:
                if self._new(("dep-alarm", d.arn, alarm)):
                    at = d.rollback_started_at or d.updated_at or began
                    out.append(entry(at, f"{name}: alarm {alarm} went into ALARM", HIGH))
            end = d.ended_at
            if end is not None and d.terminal and self._new(("dep-end", d.arn, d.status)):
                out.append(
                    entry(
                        end,
                        f"{name} {_ended(snapshot, d)}",
                        HIGH if d.status != "SUCCESSFUL" else LOW,
                    )
                )
        return out

    @staticmethod
    def _replaces(snapshot: Snapshot, d: ServiceDeployment, td: str | None) -> str:
        before = revision_task_definition(snapshot, d.source_revision)
        if before is None or td is None:
            return ""
        a, b = snapshot.task_definition(before), snapshot.task_definition(td)
        what = f" (replaces {short_rev(before, td)}"
        if a is not None and b is not None:
            diff = diff_models(a, b)
            what += f": {summary(diff)}" if diff.changes else ""
        return what + ")"

    # -- target health --------------------------------------------------------------------

    def _targets(self, snapshot: Snapshot, s: Service) -> list[Entry]:
        out = []
        for t in snapshot.targets_of(s):
            key = (t.target_group, t.target_id, t.port)
            task = target_task(snapshot, s, t)
            who = (
                f"{s.name} {task.id[:8]}"
                if task is not None
                else f"{s.name} {t.target_id}:{t.port}"
            )
            target = task.arn if task is not None else s.arn
            group = target_group_name(t.target_group)
            if t.unhealthy and t.unhealthy_since is not None:
                self._unhealthy[key] = t.unhealthy_since
                if self._new(("tg-bad", *key, t.unhealthy_since)):
                    said = f" ({t.description})" if t.description else ""
                    out.append(
                        Entry(
                            t.unhealthy_since,
                            KIND_TARGET_HEALTH,
                            target,
                            f"{who} fails target group {group}'s health checks: {t.reason or t.state}{said}",
                            s.cluster,
                            s.region,
                            MEDIUM,
                        )
                    )
            elif key in self._unhealthy and t.healthy:
                since = self._unhealthy.pop(key)
                if self._new(("tg-good", *key, since)):
                    out.append(
                        Entry(
                            t.checked_at or snapshot.taken_at,
                            KIND_TARGET_HEALTH,
                            target,
                            f"{who} is healthy again in target group {group}",
                            s.cluster,
                            s.region,
                            LOW,
                        )
                    )
        return out

    # -- alarms ---------------------------------------------------------------------------

    def _alarms(self, snapshot: Snapshot, start: float) -> list[Entry]:
        out = []
        alarms = {a.name: a for a in snapshot.alarms}
        changes = [
            (c.alarm, c.at, c.old_state, c.new_state, c.reason) for c in snapshot.alarm_history
        ]
        told = {c.alarm for c in snapshot.alarm_history}
        for a in snapshot.alarms:
            # Without its history (denied, or none in the window): a change seen between two
            # snapshots, or an alarm in ALARM when first seen.
            before = self._states.get(a.name)
            self._states[a.name] = a.state
            if a.name in told or a.updated_at is None:
                continue
            if (before is None and a.firing) or (before is not None and before != a.state):
                changes.append((a.name, a.updated_at, before, a.state, a.reason))
        for name, at, old, new, reason in sorted(changes, key=lambda c: c[1] or 0.0):
            alarm = alarms.get(name)
            if at is None or at < start or alarm is None or "-AlarmLow-" in name:
                continue
            if not self._new(("alarm", name, round(at), new)):
                continue
            services = services_of_alarm(snapshot, alarm)
            first = services[0] if services else None
            moved = f"{old} → {new}" if old else new
            why = f": {reason}" if reason else ""
            out.append(
                Entry(
                    at,
                    KIND_ALARM_STATE,
                    first.arn if first is not None else alarm.arn,
                    f"alarm {name} {moved}{why}",
                    first.cluster if first is not None else None,
                    alarm.region,
                    MEDIUM if new == "ALARM" else LOW,
                )
            )
        return out

    # -- scaling --------------------------------------------------------------------------

    def _scaling(self, snapshot: Snapshot, s: Service, start: float) -> list[Entry]:
        scaling = scaling_of(snapshot, s)
        if scaling is None:
            return []
        out = []
        for a in reversed(scaling.activities):  # oldest first
            if a.started_at < start or not self._new(("scaling", a.id)):
                continue
            held = a.at_max
            cause = f" ({a.cause})" if a.cause else ""
            if held is not None:
                text = f"not scaled: already at max capacity {held.current_capacity or '?'}/{held.max_capacity or '?'}{cause}"
            elif a.status in ("Failed", "Unfulfilled"):
                text = (
                    f"scaling {a.status.lower()}: {a.status_message or a.description or '?'}{cause}"
                )
            else:
                text = f"{a.description or 'scaling activity'}{cause}"
            out.append(
                Entry(
                    a.started_at,
                    KIND_SCALING,
                    s.arn,
                    f"{s.name}: {text}",
                    s.cluster,
                    s.region,
                    MEDIUM if held is not None or a.status in ("Failed", "Unfulfilled") else LOW,
                )
            )
        return out


def _ended(snapshot: Snapshot, d: ServiceDeployment) -> str:
    """How a deployment ended, in words."""
    if d.status == "SUCCESSFUL":
        return "completed"
    if d.status == "ROLLBACK_SUCCESSFUL":
        return rollback_words(snapshot, d)
    if d.status == "ROLLBACK_FAILED":
        return f"failed, and its rollback failed: {d.status_reason or '?'}"
    return f"stopped: {d.status_reason or 'no reason given'}"

"""A merged chronology of what happened: service events, task starts and stops, deployments,
pod events and phase changes, and fired alerts.

Starts, stops and changes are found by diffing consecutive snapshots; every time comes from
the snapshots (or the source's own timestamps), never the wall clock, so a replay builds the
same timeline as the live run. No I/O, no Textual.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from fgtop.derive.alerts import Alert
from fgtop.derive.decoder import HIGH, LOW, MEDIUM, decode_task
from fgtop.derive.deployments import (
    DeploymentHistory,
    DeploymentRecord,
    after_words,
    change_before,
    short_rev,
)
from fgtop.derive.taskdef_diff import summary
from fgtop.derive.timeline_why import WhyEntries, api_governs
from fgtop.model import Pod, Service, Snapshot, Task, arn_account

KIND_SERVICE_EVENT = "service-event"
KIND_TASK_STARTED = "task-started"
KIND_TASK_STOPPED = "task-stopped"
KIND_DEPLOYMENT = "deployment"
KIND_POD_EVENT = "pod-event"
KIND_POD_PHASE = "pod-phase"
KIND_POD_RESTART = "pod-restart"
KIND_ALERT = "alert"

_SERVICE_PREFIX = re.compile(r"^\(service [^)]*\) ")
_MEMORY = 20_000
"""How many event ids / task ARNs to remember for de-duplication."""
CHANGE_WINDOW = 900.0
"""A failure this soon (seconds) after a deployment of its service started follows that change."""
_ORIGINS = itertools.count(1)
"""Numbers the timelines (and their copies): a view says which one it was taken from."""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline."""

    at: float
    """POSIX seconds: when it happened (or when it was first observed)."""
    kind: str
    """service-event, task-started, task-stopped, deployment, pod-event, pod-phase,
    pod-restart, alert, target-health, alarm-state or scaling."""
    target: str
    """What to jump to: a service or task ARN, or ``namespace/pod``."""
    message: str
    """Plain text (outside text inside it is data, never markup)."""
    cluster: str | None = None
    region: str | None = None
    severity: int = LOW
    """1 critical .. 4 low, for colouring."""

    @property
    def account(self) -> str | None:
        """The AWS account of what it is about (an ECS target's ARN names it; pods: None)."""
        return arn_account(self.target)


def matching(
    entries: Iterable[TimelineEntry], filter_text: str = "", until: float | None = None
) -> list[TimelineEntry]:
    """The entries that match, oldest first.

    Args:
        entries: Entries, oldest first.
        filter_text: Space-separated words that must all appear (case-insensitive) in the
            entry's kind, target, message, cluster or region.
        until: Only entries at or before this time (the replay clock).
    """
    terms = filter_text.lower().split()
    out = []
    for e in entries:
        if until is not None and e.at > until:
            continue
        if terms:
            hay = " ".join((e.kind, e.target, e.message, e.cluster or "", e.region or ""))
            if not all(t in hay.lower() for t in terms):
                continue
        out.append(e)
    return out


@dataclass(frozen=True)
class TimelineView:
    """The timeline's entries at one moment, safe to read while the timeline grows."""

    items: tuple[TimelineEntry, ...] = ()
    version: int = 0
    origin: int = 0
    """Which timeline the view was taken from (views of one timeline only ever grow)."""
    deployments: dict[str, tuple[DeploymentRecord, ...]] = field(
        default_factory=dict, compare=False, hash=False
    )
    """Service ARN -> its deployments as fgtop has seen them, oldest first (read-only)."""

    def __len__(self) -> int:
        return len(self.items)

    def deployments_of(
        self, service_arn: str | None, until: float | None = None
    ) -> tuple[DeploymentRecord, ...]:
        """A service's deployments seen so far, oldest first (``until``: started by then)."""
        records = self.deployments.get(service_arn or "", ())
        if until is None:
            return records
        return tuple(r for r in records if r.started_at is None or r.started_at <= until)

    def entries(self, filter_text: str = "", until: float | None = None) -> list[TimelineEntry]:
        """The entries, oldest first (see :func:`matching`)."""
        return matching(self.items, filter_text, until)


def _title(task: Task) -> str:
    return f"{task.service or task.family_revision} {task.id[:8]}"


def _rev(task_definition: str) -> str:
    return task_definition.rsplit("/", 1)[-1] or "?"


class Timeline:
    """Feeds on snapshots in time order and keeps a bounded chronological list of entries."""

    def __init__(self, maxlen: int = 5000, repeat_after: float = 600.0) -> None:
        """Create an empty timeline.

        Args:
            maxlen: Entries kept; the oldest are dropped first.
            repeat_after: A repeating pod event (BackOff x57) is listed again at most this often.
        """
        self.maxlen = maxlen
        self.repeat_after = repeat_after
        self._entries: list[TimelineEntry] = []
        self._seen_events: dict[str, None] = {}
        self._stopped: dict[str, None] = {}
        self._kube_events: dict[tuple[str, str, str, str, str], tuple[int, float]] = {}
        self._tasks: dict[str, str] | None = None
        self._deployments: dict[tuple[str, str], str | None] = {}
        self._services: set[str] = set()
        self._pods: dict[str, tuple[str, int, str, str, str | None]] = {}
        """pod key -> (phase, restarts, target, cluster, region) as last seen."""
        self.history = DeploymentHistory()
        """Every deployment seen, per service (what the service details list)."""
        self._linked: set[tuple[str, str]] = set()
        """(service ARN, deployment id) whose first failure the timeline already linked."""
        self._service_arns: dict[tuple[str | None, str, str, str], str] = {}
        self._why = WhyEntries(KIND_DEPLOYMENT)
        """Deployments, target health, alarms and scaling from their sources of truth."""
        self._last: float | None = None
        self.version = 0
        """Bumped whenever entries change (so a view knows to redraw)."""
        self.origin = next(_ORIGINS)
        """This timeline's number: a copy (a replay's checkpoint restored) gets its own."""
        self._view: TimelineView | None = None

    def copy(self) -> Timeline:
        """An independent copy of the timeline and what it remembers (for checkpoints).

        The entries and records are immutable and shared; every container and every part that
        remembers (the deployment history, the why facts) is copied; the copy has its own
        ``origin``, so a view of it is never taken for a later view of this one.
        """
        other = Timeline.__new__(Timeline)
        other.__dict__.update(self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, list | dict | set):
                setattr(other, name, value.copy())
        other.history = self.history.copy()
        other._why = self._why.copy()
        other.origin = next(_ORIGINS)
        other._view = None
        return other

    def __len__(self) -> int:
        return len(self._entries)

    def weight(self) -> int:
        """Roughly how many things the timeline holds (entries and remembered ids)."""
        return (
            len(self._entries)
            + len(self._seen_events)
            + len(self._stopped)
            + len(self._kube_events)
            + len(self._tasks or ())
            + len(self._pods)
            + len(self._deployments)
            + sum(len(r) for r in self.history.all().values())
        )

    def _add(self, entry: TimelineEntry) -> None:
        self._entries.append(entry)

    def feed(self, snapshot: Snapshot) -> None:
        """Add what changed since the previous snapshot.

        The first snapshot is a baseline: it adds the facts that carry their own time (service
        events, task stops, pod events, deployments in progress or failed) but no starts or
        changes. A snapshot not newer than the newest one fed is ignored: when a replay seeks
        back, the timeline already holds that stretch, and ``entries(until=...)`` hides what
        lies after the replay clock.
        """
        now = snapshot.taken_at
        if self._last is not None and now <= self._last:
            return
        before = len(self._entries)
        baseline = self._tasks is None
        history_changed = self.history.feed(snapshot)
        self._service_arns = {
            (s.account, s.region, s.cluster, s.name): s.arn for s in snapshot.services
        }
        governs = {r: api_governs(snapshot, r) for r in {s.region for s in snapshot.services}}
        for service in snapshot.services:
            self._service(service, now, quiet=governs[service.region])
        for e in self._why.feed(snapshot):
            self._add(TimelineEntry(*e))
        self._diff_tasks(snapshot.tasks, baseline, now)
        self._diff_pods(snapshot.pods, baseline, now)
        self._pod_events(snapshot)
        self._last = now
        if history_changed and len(self._entries) == before:
            self.version += 1  # the deployments changed: a new view
        self._trim(before)

    def add_alerts(self, alerts: Iterable[Alert]) -> None:
        """Enter fired alerts into the timeline (an alert re-fired by a replay is kept once)."""
        before = len(self._entries)
        for a in alerts:
            key = f"{a.rule}\0{a.cluster}\0{a.target}\0{a.at!r}"
            if key in self._seen_events:
                continue
            self._seen_events[key] = None
            self._add(
                TimelineEntry(
                    a.at,
                    KIND_ALERT,
                    a.target,
                    f"alert {a.rule}: {a.message}",
                    a.cluster,
                    a.region,
                    a.severity,
                )
            )
        self._trim(before)

    def entries(self, filter_text: str = "", until: float | None = None) -> list[TimelineEntry]:
        """The entries, oldest first (see :func:`matching`)."""
        return matching(self._entries, filter_text, until)

    def view(self) -> TimelineView:
        """An immutable copy of the entries as they are now (copied once per change)."""
        if self._view is None or self._view.version != self.version:
            self._view = TimelineView(
                tuple(self._entries), self.version, self.origin, self.history.all()
            )
        return self._view

    def _trim(self, before: int) -> None:
        if len(self._entries) == before:
            return
        self._entries.sort(key=lambda e: e.at)  # stable: same-time entries keep their order
        if len(self._entries) > self.maxlen:
            del self._entries[: len(self._entries) - self.maxlen]
        for memory in (self._seen_events, self._stopped):
            while len(memory) > _MEMORY:
                del memory[next(iter(memory))]
        self.version += 1

    def _service(self, s: Service, now: float, *, quiet: bool = False) -> None:
        """Service events and deployment changes (the latter left to the deployments API's
        entries when ``quiet``: it tells them where it is there)."""
        for e in reversed(s.events):  # ECS lists the newest first
            if e.id in self._seen_events:
                continue
            self._seen_events[e.id] = None
            msg = _SERVICE_PREFIX.sub("", e.message)
            bad = any(w in msg for w in ("failed", "unable", "unhealthy", "rolling back"))
            self._add(
                TimelineEntry(
                    e.created_at,
                    KIND_SERVICE_EVENT,
                    s.arn,
                    f"{s.name}: {msg}",
                    s.cluster,
                    s.region,
                    MEDIUM if bad else LOW,
                )
            )
        known = s.arn in self._services
        self._services.add(s.arn)
        for d in s.deployments:
            key = (s.arn, d.id)
            state = d.rollout_state
            if key not in self._deployments:
                self._deployments[key] = state
                if not quiet and (known or state in ("IN_PROGRESS", "FAILED")):
                    what = "started" if known else (state or "").lower().replace("_", " ")
                    what += self._what_changed(s.arn, d.id)
                    self._add(
                        TimelineEntry(
                            d.created_at or now,
                            KIND_DEPLOYMENT,
                            s.arn,
                            f"{s.name}: deployment {d.id} of {_rev(d.task_definition)} {what}",
                            s.cluster,
                            s.region,
                            HIGH if state == "FAILED" and not known else LOW,
                        )
                    )
                continue
            if state != self._deployments[key] and state:
                self._deployments[key] = state
                if quiet:
                    continue
                why = f": {d.rollout_state_reason}" if d.rollout_state_reason else ""
                self._add(
                    TimelineEntry(
                        d.updated_at or now,
                        KIND_DEPLOYMENT,
                        s.arn,
                        f"{s.name}: deployment {d.id} of {_rev(d.task_definition)} {state}{why}",
                        s.cluster,
                        s.region,
                        HIGH if state == "FAILED" else LOW,
                    )
                )

    def _what_changed(self, service_arn: str, deployment_id: str) -> str:
        """`` (replaces :17: image tag, memory 2048 → 1024)``, or what is known of it."""
        record = next((r for r in self.history.of(service_arn) if r.id == deployment_id), None)
        if record is None or record.previous is None:
            return ""
        before = short_rev(record.previous, record.task_definition)
        if record.changes is None:
            return f" (replaces {before})"
        return f" (replaces {before}: {summary(record.changes)})"

    def _follows_change(self, t: Task, at: float) -> str:
        """``2m after shop-search:18 replaced :17`` for the first failure after a deployment."""
        key = (t.account, t.region, t.cluster, t.owner)
        arn = self._service_arns.get(key) if t.in_service else None
        if arn is None:
            return ""
        # The deployment that launched the task: a task of the revision replaced failing
        # after the change is not linked to it.
        mine = (r for r in self.history.of(arn) if r.task_definition == t.task_definition)
        record = change_before(mine, at, CHANGE_WINDOW)
        if record is None or (arn, record.id) in self._linked:
            return ""
        self._linked.add((arn, record.id))
        if len(self._linked) > _MEMORY:
            self._linked.clear()
        return f"{after_words(at - (record.started_at or at))} after {record.replaced}"

    def _diff_tasks(self, tasks: Iterable[Task], baseline: bool, now: float) -> None:
        previous = self._tasks or {}
        current: dict[str, str] = {}
        for t in tasks:
            current[t.arn] = t.last_status
            if t.is_stopped:
                if t.arn not in self._stopped:
                    self._stopped[t.arn] = None
                    entry = self._stop_entry(t, t.ended_at or now)
                    if entry.severity <= MEDIUM:
                        link = self._follows_change(t, entry.at)
                        if link:
                            entry = TimelineEntry(
                                entry.at,
                                entry.kind,
                                entry.target,
                                # Up front: a long reason is cut at the column's end.
                                entry.message.replace(" stopped", f" stopped {link}", 1),
                                entry.cluster,
                                entry.region,
                                entry.severity,
                            )
                    self._add(entry)
            elif t.last_status == "RUNNING" and not baseline and previous.get(t.arn) != "RUNNING":
                self._add(
                    TimelineEntry(
                        t.started_at or now,
                        KIND_TASK_STARTED,
                        t.arn,
                        f"{_title(t)} started ({_rev(t.task_definition)})",
                        t.cluster,
                        t.region,
                    )
                )
        for arn, status in previous.items():
            if arn not in current and status != "STOPPED" and arn not in self._stopped:
                self._stopped[arn] = None
                self._add(
                    TimelineEntry(
                        now,
                        KIND_TASK_STOPPED,
                        arn,
                        f"task {arn.rsplit('/', 1)[-1][:8]} is gone (no longer listed)",
                        None,
                        None,
                        MEDIUM,
                    )
                )
        self._tasks = current

    @staticmethod
    def _stop_entry(t: Task, at: float) -> TimelineEntry:
        decoded = decode_task(t)
        if decoded is not None:
            msg, sev = f"{_title(t)} stopped: {decoded.reason}", decoded.severity
        else:
            why = f" ({t.stopped_reason})" if t.stopped_reason else ""
            msg, sev = f"{_title(t)} stopped{why}", LOW
        return TimelineEntry(at, KIND_TASK_STOPPED, t.arn, msg, t.cluster, t.region, sev)

    def _diff_pods(self, pods: Iterable[Pod], baseline: bool, now: float) -> None:
        current: dict[str, tuple[str, int, str, str, str | None]] = {}
        for p in pods:
            current[p.key] = (p.phase, p.restarts, p.target, p.cluster, p.region)
            prev = self._pods.get(p.key)
            reason = f" ({p.reason})" if p.reason and p.reason != p.phase else ""
            if prev is None:
                if not baseline:
                    self._add(
                        TimelineEntry(
                            p.created_at or now,
                            KIND_POD_PHASE,
                            p.target,
                            f"{p.name} created: {p.phase}{reason}",
                            p.cluster,
                            p.region,
                        )
                    )
                continue
            if prev[0] != p.phase:
                sev = HIGH if p.phase == "Failed" else LOW
                self._add(
                    TimelineEntry(
                        now,
                        KIND_POD_PHASE,
                        p.target,
                        f"{p.name}: {prev[0]} -> {p.phase}{reason}",
                        p.cluster,
                        p.region,
                        sev,
                    )
                )
            if p.restarts > prev[1]:
                finished = [
                    c.last_state.finished_at
                    for c in p.containers
                    if c.last_state is not None and c.last_state.finished_at
                ]
                why = next(
                    (
                        f"{c.name} {c.last_state.reason} exit {c.last_state.exit_code}"
                        for c in p.containers
                        if c.last_state is not None and c.last_state.reason
                    ),
                    "a container",
                )
                self._add(
                    TimelineEntry(
                        max(finished) if finished else now,
                        KIND_POD_RESTART,
                        p.target,
                        f"{p.name}: restarted after {why} ({p.restarts} restarts)",
                        p.cluster,
                        p.region,
                        MEDIUM,
                    )
                )
        for key, (phase, _, target, cluster, region) in self._pods.items():
            if key not in current:
                name = target.split("/", 1)[-1]
                self._add(
                    TimelineEntry(
                        now,
                        KIND_POD_PHASE,
                        target,
                        f"{name} deleted (was {phase})",
                        cluster,
                        region,
                    )
                )
        self._pods = current

    def _pod_events(self, snapshot: Snapshot) -> None:
        for e in snapshot.kube_events:
            key = (e.cluster, e.namespace, e.involved, e.reason, e.message)
            at = e.last_seen if e.last_seen is not None else snapshot.taken_at
            prev = self._kube_events.get(key)
            if prev is not None and (e.count <= prev[0] or at - prev[1] < self.repeat_after):
                if e.count > prev[0]:
                    self._kube_events[key] = (e.count, prev[1])
                continue
            self._kube_events[key] = (e.count, at)
            times = f" (x{e.count})" if e.count > 1 else ""
            self._add(
                TimelineEntry(
                    at,
                    KIND_POD_EVENT,
                    f"{e.namespace}/{e.involved}",
                    f"{e.involved}: {e.reason}: {e.message}{times}",
                    e.cluster,
                    None,
                    MEDIUM if e.type == "Warning" else LOW,
                )
            )
        while len(self._kube_events) > _MEMORY:
            del self._kube_events[next(iter(self._kube_events))]

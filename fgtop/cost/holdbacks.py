"""Hold-backs: why a service must not be offered cheaper capacity now.

Right-sizing (a smaller size, Spot, ARM) is advice for a healthy service: an on-call engineer
does not shrink or move a service during an incident. Each rule here looks at one kind of
trouble in the service's window and returns one line saying what it saw, or None when it saw
nothing. :data:`RULES` is the list :func:`fgtop.cost.rightsizing.rightsize` applies, in order;
a service any rule speaks for is held back with every reason given.

Add a reason by writing one more function ``(HoldWindow) -> str | None`` and appending it to
:data:`RULES`; the rules do not know of each other (the "other stops" rule only leaves out the
stops the rules above name, by their stop reasons, so a task is not counted twice).

Pure functions of the model, like the rest of :mod:`fgtop.cost`; the texts quote outside
words (stop reasons), which the UI shows through :mod:`fgtop.text.sanitize`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import cached_property

from fgtop.cost.holdbacks_why import alarm_in_alarm, deployment_rolled_back, target_health_failing
from fgtop.model.ecs import Service, ServiceEvent, Task
from fgtop.model.metrics import MetricSeries
from fgtop.model.snapshot import Snapshot

MEMORY_PRESSURE = 80.0
"""Memory above this percent of the reservation in the window holds every saving back."""

_OOM = re.compile(r"OutOfMemory|OOMKilled|out of memory|killed due to memory", re.IGNORECASE)
_CONTAINER_HEALTH = re.compile(r"failed container health checks", re.IGNORECASE)
_ELB_STOP = re.compile(r"failed ELB health checks", re.IGNORECASE)
_ELB_EVENT = re.compile(
    r"\(task (?P<id>[0-9a-f]+)\)[^(]*(?:\(port \d+\) )?is unhealthy in \(target-group"
)
_TARGET_GROUP = re.compile(r"targetgroup/(?P<name>[^/)\s]+)")
_SCALING = re.compile(r"^Scaling activity initiated by", re.IGNORECASE)
_MAINTENANCE = re.compile(r"ECS is performing maintenance", re.IGNORECASE)
_FAILED_EVENT = re.compile(r"\(deployment (?P<id>[^)]+)\) deployment failed:?\s*(?P<why>.*)")
_ROLLING_BACK = re.compile(r"rolling back", re.IGNORECASE)

BENIGN_STOP_CODES = frozenset({"SpotInterruption", "TerminationNotice"})
"""Stops that say nothing about the service: AWS took Spot capacity back, or retired the
task's host for maintenance."""


def span(seconds: float) -> str:
    """``1 h``, ``12 h``, ``45 min`` (a series' coverage is a whole number of hours and a
    period: rounded)."""
    if seconds >= 5400:
        return f"{round(seconds / 3600)} h"
    return "1 h" if seconds >= 3300 else f"{round(seconds / 60)} min"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _first_line(text: str | None, limit: int = 90) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def is_oom_kill(task: Task) -> bool:
    """Whether a stopped (or stopping) task was killed for memory: a container's reason says
    so, or an essential container died of SIGKILL (exit 137) on its own (not a scale-in or
    StopTask). A task ECS is still stopping counts once it has said why, as the problems view
    counts it: not as a stop "not by scaling in"."""
    if not task.is_stopping:
        return False
    for c in task.containers:
        if c.reason and _OOM.search(c.reason):
            return True
    if task.stop_code not in (None, "EssentialContainerExited"):
        return False
    return any(c.exit_code == 137 for c in task.containers)


def is_scale_in(task: Task) -> bool:
    """Whether the service scheduler stopped the task to scale in (or to replace it in a
    deployment): ECS words both "Scaling activity initiated by (deployment ...)", with stop
    code ``ServiceSchedulerInitiated``; a scheduler stop with no reason counts too."""
    reason = (task.stopped_reason or "").strip()
    if reason:
        return bool(_SCALING.search(reason))
    return task.stop_code == "ServiceSchedulerInitiated"


def is_benign_stop(task: Task) -> bool:
    """A stop that says nothing about the service's health: scaling in, a deployment replacing
    the task, a Spot interruption, or Fargate maintenance."""
    if task.stop_code in BENIGN_STOP_CODES or is_scale_in(task):
        return True
    return bool(_MAINTENANCE.search(task.stopped_reason or ""))


def failed_container_health(task: Task) -> bool:
    """Whether ECS stopped the task for failing its container health check."""
    return bool(_CONTAINER_HEALTH.search(task.stopped_reason or ""))


def failed_elb_health(task: Task) -> bool:
    """Whether ECS stopped the task for failing its load balancer's health checks."""
    return bool(_ELB_STOP.search(task.stopped_reason or ""))


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and math.isfinite(v)


class HoldWindow:
    """One service over its window: what every rule looks at.

    Args:
        service: The service.
        tasks: All its tasks, running and stopped (ECS lists a stopped task for about an hour).
        snapshot: The snapshot (its time ends the window; other rules may read anything in it).
        memory: The service's memory series (percent of the reservation), if any.
        seconds: How far back the window reaches (the right-sizing evidence's coverage, at
            least an hour).
    """

    def __init__(
        self,
        service: Service,
        tasks: list[Task] | tuple[Task, ...],
        snapshot: Snapshot,
        memory: MetricSeries | None,
        seconds: float,
        kills_at: Sequence[float] | None = None,
    ) -> None:
        self.service = service
        self.tasks = tuple(tasks)
        self.snapshot = snapshot
        self.memory = memory
        self.seconds = seconds
        self.kills_at = kills_at
        """When the service's tasks were OOM-killed, as fgtop's problems count them (the
        decoder's kills: fgtop.derive.figures.oom_kills); None: :func:`is_oom_kill` tells."""

    @property
    def now(self) -> float:
        """The end of the window: the snapshot's time."""
        return self.snapshot.taken_at

    @property
    def since(self) -> float:
        """The start of the window."""
        return self.now - self.seconds

    @property
    def span(self) -> str:
        """The window in words (``12 h``)."""
        return span(self.seconds)

    @cached_property
    def running(self) -> tuple[Task, ...]:
        """The tasks not (on their way to being) stopped."""
        return tuple(t for t in self.tasks if not t.is_stopping)

    @cached_property
    def stopped(self) -> tuple[Task, ...]:
        """Tasks stopped (or being stopped) in the window, newest first."""
        out = []
        for t in self.tasks:
            if not t.is_stopping:
                continue
            at = t.stopped_at or t.stopping_at or t.execution_stopped_at
            if at is None or at >= self.since:
                out.append((at if at is not None else self.now, t))
        out.sort(key=lambda pair: -pair[0])
        return tuple(t for _, t in out)

    @cached_property
    def events(self) -> tuple[ServiceEvent, ...]:
        """The service's events in the window, newest first."""
        return tuple(e for e in self.service.events if self.since <= e.created_at <= self.now)

    @cached_property
    def memory_figures(self) -> tuple[int, float | None, str]:
        """(OOM kills in the window, memory peak in percent or None, where the peak was seen:
        ``service`` or ``task ID`` / ``task ID, stopped``)."""
        since = self.since
        if self.kills_at is not None:  # the one count: the problems view's, in this window
            kills = sum(1 for at in self.kills_at if at >= since)
        else:
            kills = sum(
                1
                for t in self.tasks
                if is_oom_kill(t) and (t.stopped_at is None or t.stopped_at >= since)
            )
        peak: float | None = None
        peak_of = "service"
        if self.memory is not None:
            values = [v for at, v in self.memory.points if at >= since and _finite(v)]
            if values:
                peak = max(values)
        for t in self.tasks:
            if t.stopped_at is not None and t.stopped_at < since:
                continue
            series = self.snapshot.series(t.arn, "memory")
            if series is None:
                continue
            values = [v for at, v in series.points if at >= since and _finite(v)]
            if values and (peak is None or max(values) > peak):
                peak = max(values)
                stopped = ", stopped" if t.last_status == "STOPPED" else ""
                peak_of = f"task {t.id[:8]}{stopped}"
        return kills, peak, peak_of


HoldRule = Callable[[HoldWindow], str | None]
"""One reason to hold a service back: the reason in one line, or None."""


def memory_short(w: HoldWindow) -> str | None:
    """OOM kills in the window, or memory above :data:`MEMORY_PRESSURE` percent (the peak of
    the service's series and of its tasks' own, the stopped tasks' last points included)."""
    kills, peak, peak_of = w.memory_figures
    high = peak is not None and peak > MEMORY_PRESSURE
    if not kills and not high:
        return None
    parts = []
    if kills:
        parts.append(f"{_plural(kills, 'OOM kill')} in the last {w.span}")
    if high:
        where = "" if peak_of == "service" else f" ({peak_of})"
        parts.append(f"memory peak {peak:.0f}%{where}")
    return ", ".join(parts) + ": give it more memory first"


def container_health_failing(w: HoldWindow) -> str | None:
    """A task UNHEALTHY now (ECS's container health check), or stopped in the window for
    failing it."""
    unhealthy = [t for t in w.running if t.health == "UNHEALTHY"]
    replaced = [t for t in w.stopped if failed_container_health(t)]
    if not unhealthy and not replaced:
        return None
    parts = []
    if len(unhealthy) == 1:
        bad = [c.name for c in unhealthy[0].containers if c.health == "UNHEALTHY"]
        who = f" (container {', '.join(bad)})" if bad else ""
        parts.append(f"task {unhealthy[0].id[:8]} UNHEALTHY{who}")
    elif unhealthy:
        parts.append(f"{len(unhealthy)} tasks UNHEALTHY")
    if replaced:
        parts.append(f"{_plural(len(replaced), 'task')} stopped for it in the last {w.span}")
    return "container health check failing: " + ", ".join(parts)


def load_balancer_health_failing(w: HoldWindow) -> str | None:
    """Tasks stopped in the window for failing the load balancer's health checks ("Task failed
    ELB health checks in (target-group ...)"), or reported unhealthy in a target group by the
    service's events ("(task ...) is unhealthy in (target-group ...)")."""
    stopped = [t for t in w.stopped if failed_elb_health(t)]
    reported = {m.group("id") for e in w.events if (m := _ELB_EVENT.search(e.message))}
    reported -= {t.id for t in stopped}
    if not stopped and not reported:
        return None
    texts = [t.stopped_reason or "" for t in stopped] + [e.message for e in w.events]
    groups = sorted({m.group("name") for x in texts for m in _TARGET_GROUP.finditer(x)})
    where = f" (target group {', '.join(groups[:2])})" if groups else ""
    parts = []
    if stopped:
        parts.append(f"{_plural(len(stopped), 'task')} stopped for it in the last {w.span}")
    if reported:
        parts.append(f"{_plural(len(reported), 'task')} reported unhealthy")
    return f"load balancer health checks failing{where}: " + ", ".join(parts)


def deployment_failed(w: HoldWindow) -> str | None:
    """A deployment marked FAILED (the circuit breaker), a rollback under way, or a "deployment
    failed" service event in the window."""
    service = w.service
    failed = [d for d in service.deployments if d.rollout_state == "FAILED"]
    primary = service.primary
    rolling_back = primary is not None and bool(
        _ROLLING_BACK.search(primary.rollout_state_reason or "")
    )
    told = [(e, m) for e in w.events if (m := _FAILED_EVENT.search(e.message))]
    if not failed and not rolling_back and not told:
        return None
    dep_id = failed[0].id if failed else told[0][1].group("id") if told else None
    rev = failed[0].task_definition.rsplit("/", 1)[-1] if failed else ""
    if not rev and dep_id:  # the deployment is gone: its tasks still say what it ran
        rev = next((t.family_revision for t in w.tasks if t.started_by == dep_id), "")
    what = f"deployment of {rev}" if rev else f"deployment {dep_id}" if dep_id else "a deployment"
    why = _first_line(
        (failed[0].rollout_state_reason if failed else None)
        or (told[0][1].group("why") if told else None)
        or (primary.rollout_state_reason if primary is not None else None),
        70,
    ).rstrip(".")
    back = rolling_back or any(_ROLLING_BACK.search(e.message) for e in w.events)
    text = f"{what} failed" + (f" ({why})" if why else "")
    if told:
        text += f" {span(max(w.now - told[0][0].created_at, 60.0))} ago"
    return text + (", rolled back" if back else "")


def stopped_not_by_scaling(w: HoldWindow) -> str | None:
    """Tasks stopped in the window for anything but scaling in (or a deployment replacing
    them), a Spot interruption or Fargate maintenance; stops the rules above name (OOM kills,
    failed health checks) are theirs and not counted again."""
    odd = [
        t
        for t in w.stopped
        if not is_benign_stop(t)
        and not is_oom_kill(t)
        and not failed_container_health(t)
        and not failed_elb_health(t)
    ]
    if not odd:
        return None
    newest = odd[0]
    why = _first_line(newest.stopped_reason) or newest.stop_code or "no reason given"
    codes = [c.exit_code for c in newest.containers if c.exit_code not in (None, 0)]
    if codes and not re.search(r"exit(?: code)?:? \d", why, re.IGNORECASE):
        why += f" (exit {codes[0]})"
    n = _plural(len(odd), "task")
    return f"{n} stopped in the last {w.span}, not by scaling in: {why}"


RULES: tuple[HoldRule, ...] = (
    memory_short,
    container_health_failing,
    load_balancer_health_failing,
    target_health_failing,
    deployment_failed,
    deployment_rolled_back,
    alarm_in_alarm,
    stopped_not_by_scaling,
)
"""Every reason a service is held back for, in the order they are told."""


def hold_reasons(w: HoldWindow, rules: tuple[HoldRule, ...] = RULES) -> tuple[str, ...]:
    """What each rule has to say about the service (empty: nothing holds it back)."""
    return tuple(reason for rule in rules if (reason := rule(w)) is not None)

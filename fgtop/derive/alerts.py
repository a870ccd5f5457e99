"""Alert rules and their evaluation over a sequence of snapshots.

Deterministic: time comes only from ``snapshot.taken_at`` (never the wall clock), so a
replayed recording fires exactly the same alerts as the live run did. An alert for one rule
and target fires once, stays active while its condition holds, and may fire again only after
it has cleared. No I/O, no Textual.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

from fgtop.config import Config, ConfigError
from fgtop.derive.decoder import HIGH, MEDIUM, SEVERITY_NAMES, decode_task
from fgtop.model import MetricSeries, Snapshot

KINDS = (
    "cpu_above",
    "memory_above",
    "running_below_desired",
    "restarts_increasing",
    "task_stopped_abnormally",
)
SCOPES = ("any", "service", "task")
_DEFAULT_THRESHOLD = {"cpu_above": 90.0, "memory_above": 90.0, "restarts_increasing": 1.0}
_STOPPED_MEMORY = 10_000
"""How many alerted task ARNs to remember so a stopped task never alerts twice."""


@dataclass(frozen=True)
class AlertRule:
    """One alert rule, as written in the config file's ``[[alerts]]`` tables."""

    name: str
    kind: str
    """One of :data:`KINDS`."""
    threshold: float = 0.0
    """Percent for cpu_above/memory_above; minimum restart increase for restarts_increasing."""
    minutes: float = 0.0
    """How long the condition must hold (cpu, memory, below desired) or the restart window."""
    severity: int = HIGH
    """Severity of the alert: 1 critical, 2 high, 3 medium, 4 low."""
    scope: str = "any"
    """cpu_above/memory_above: ``service`` series, ``task`` series or ``any``."""
    max_severity: int = MEDIUM
    """task_stopped_abnormally: only stops the decoder rates at least this severe (spot is 4)."""
    enabled: bool = True


@dataclass(frozen=True)
class Alert:
    """A fired alert."""

    rule: str
    """The rule's name."""
    target: str
    """Service or task ARN, or ``namespace/pod``."""
    message: str
    at: float
    """The snapshot time it fired at."""
    severity: int
    kind: str = ""
    title: str = ""
    """Short name of the target (service name, task id, pod name)."""
    cluster: str | None = None
    region: str | None = None


DEFAULT_RULES: tuple[AlertRule, ...] = (
    AlertRule("cpu-high", "cpu_above", threshold=90, minutes=5),
    AlertRule("memory-high", "memory_above", threshold=90, minutes=5),
    AlertRule("below-desired", "running_below_desired", minutes=3),
    AlertRule("pod-restarts", "restarts_increasing", threshold=1, minutes=10),
    AlertRule("task-stopped", "task_stopped_abnormally"),
)

# (message, title, cluster, region) of a condition that holds for one target
_Firing = dict[str, tuple[str, str, str | None, str | None]]


def _sustained(series: MetricSeries, threshold: float, minutes: float, now: float) -> bool:
    """Whether the last ``minutes`` of consecutive, fresh points are all above ``threshold``."""
    period = series.period or 60
    needed = max(1, math.ceil(minutes * 60 / period))
    points = series.points[-needed:]
    if len(points) < needed or now - points[-1][0] > 5 * period:
        return False
    if any(b[0] - a[0] > 1.5 * period for a, b in pairwise(points)):
        return False
    return all(v > threshold for _, v in points)


class AlertEvaluator:
    """Feeds on snapshots in time order and returns the alerts each one newly fires."""

    def __init__(self, rules: Iterable[AlertRule] = DEFAULT_RULES) -> None:
        """Create an evaluator for ``rules`` (disabled rules are ignored)."""
        self.rules = tuple(r for r in rules if r.enabled)
        self._reset()

    def _reset(self) -> None:
        self._active: dict[tuple[str, str | None, str], Alert] = {}
        self._below_since: dict[str, float] = {}
        self._restarts: dict[str, list[tuple[float, int]]] = {}
        self._seen_running: set[str] = set()
        self._alerted_stops: dict[str, None] = {}
        self._started: float | None = None
        self._last: float | None = None
        self.cleared: list[Alert] = []
        """Alerts that cleared on the last :meth:`feed`."""

    def copy(self) -> AlertEvaluator:
        """An independent copy of the evaluator and what it has seen (for checkpoints)."""
        other = AlertEvaluator.__new__(AlertEvaluator)
        other.rules = self.rules
        other._active = dict(self._active)
        other._below_since = dict(self._below_since)
        other._restarts = {key: list(seen) for key, seen in self._restarts.items()}
        other._seen_running = set(self._seen_running)
        other._alerted_stops = dict(self._alerted_stops)
        other._started = self._started
        other._last = self._last
        other.cleared = list(self.cleared)
        return other

    @property
    def active(self) -> list[Alert]:
        """Alerts whose condition still holds, oldest first."""
        return sorted(self._active.values(), key=lambda a: (a.at, a.rule, a.target))

    def is_active(self, target: str) -> bool:
        """Whether any alert is active for ``target`` (to mark its row)."""
        return any(a.target == target for a in self._active.values())

    def feed(self, snapshot: Snapshot) -> list[Alert]:
        """Evaluate every rule against ``snapshot``.

        A snapshot older than the previous one (a replay seeking back) resets the state first.

        Returns:
            The alerts that fired for the first time (or again after clearing), in rule order.
        """
        now = snapshot.taken_at
        if self._last is not None and now < self._last:
            self._reset()
        if self._started is None:
            self._started = now
        self.cleared = []
        titles = {s.arn: s.name for s in snapshot.services}
        titles.update(
            {t.arn: f"{t.service or t.family_revision} {t.id[:8]}" for t in snapshot.tasks}
        )
        fired: list[Alert] = []
        for rule in self.rules:
            firing = self._evaluate(rule, snapshot, titles)
            for target in sorted(firing, key=lambda t: (firing[t][2] or "", t)):
                message, title, cluster, region = firing[target]
                key = (rule.name, cluster, target)
                if key in self._active:
                    continue
                alert = Alert(
                    rule.name,
                    target,
                    message,
                    now,
                    rule.severity,
                    rule.kind,
                    title,
                    cluster,
                    region,
                )
                self._active[key] = alert
                fired.append(alert)
            for key in [k for k in self._active if k[0] == rule.name and k[2] not in firing]:
                self.cleared.append(self._active.pop(key))
        # Bounded by the tasks present: a task gone from the snapshot is forgotten.
        present = {t.arn for t in snapshot.tasks}
        self._seen_running &= present
        self._seen_running.update(t.arn for t in snapshot.tasks if t.last_status != "STOPPED")
        self._last = now
        return fired

    def _evaluate(self, rule: AlertRule, snap: Snapshot, titles: Mapping[str, str]) -> _Firing:
        if rule.kind in ("cpu_above", "memory_above"):
            return self._metric(rule, snap, titles)
        if rule.kind == "running_below_desired":
            return self._below(rule, snap)
        if rule.kind == "restarts_increasing":
            return self._pod_restarts(rule, snap)
        if rule.kind == "task_stopped_abnormally":
            return self._stopped(rule, snap, titles)
        return {}

    def _metric(self, rule: AlertRule, snap: Snapshot, titles: Mapping[str, str]) -> _Firing:
        metric = "cpu" if rule.kind == "cpu_above" else "memory"
        where = {s.arn: (s.cluster, s.region) for s in snap.services}
        where.update({t.arn: (t.cluster, t.region) for t in snap.tasks})
        out: _Firing = {}
        for series in snap.metrics:
            if series.metric != metric:
                continue
            is_task = ":task/" in series.target
            if (rule.scope == "service" and is_task) or (rule.scope == "task" and not is_task):
                continue
            if _sustained(series, rule.threshold, rule.minutes, snap.taken_at):
                title = titles.get(series.target, series.target.rsplit("/", 1)[-1])
                cluster, region = where.get(series.target, (None, None))
                msg = (
                    f"{metric.upper() if metric == 'cpu' else 'Memory'} above"
                    f" {rule.threshold:g}% for {rule.minutes:g} min on {title}"
                    f" (now {series.last:.0f}%)"
                )
                out[series.target] = (msg, title, cluster, region)
        return out

    def _below(self, rule: AlertRule, snap: Snapshot) -> _Firing:
        now = snap.taken_at
        out: _Firing = {}
        present = set()
        for s in snap.services:
            if s.status != "ACTIVE" or s.running >= s.desired:
                continue
            present.add(s.arn)
            since = self._below_since.setdefault(s.arn, now)
            if now - since >= rule.minutes * 60:
                msg = (
                    f"{s.name}: {s.running} of {s.desired} tasks running for"
                    f" {(now - since) / 60:.0f} min"
                )
                out[s.arn] = (msg, s.name, s.cluster, s.region)
        for arn in set(self._below_since) - present:
            del self._below_since[arn]
        return out

    def _pod_restarts(self, rule: AlertRule, snap: Snapshot) -> _Firing:
        now, window = snap.taken_at, rule.minutes * 60
        out: _Firing = {}
        need = max(1, int(rule.threshold))
        for pod in snap.pods:
            history = self._restarts.setdefault(pod.key, [])
            earlier = [r for t, r in history if t >= now - window and t < now]
            if not earlier and history:
                earlier = [history[-1][1]]
            restarts = pod.restarts
            if earlier and restarts - min(earlier) >= need:
                why = next(
                    (
                        c.last_state.reason
                        for c in pod.containers
                        if c.last_state is not None and c.last_state.reason
                    ),
                    None,
                )
                span = f"in {rule.minutes:g} min" if rule.minutes else "since the last refresh"
                msg = (
                    f"{pod.target}: {restarts - min(earlier)} restart(s) {span}"
                    f" (total {restarts}{', last: ' + why if why else ''})"
                )
                out[pod.target] = (msg, pod.name, pod.cluster, pod.region)
            history.append((now, restarts))
            history[:] = [h for h in history[:-1] if h[0] >= now - window] + [history[-1]]
        live = {p.key for p in snap.pods}
        for key in set(self._restarts) - live:
            del self._restarts[key]
        return out

    def _stopped(self, rule: AlertRule, snap: Snapshot, titles: Mapping[str, str]) -> _Firing:
        out: _Firing = {}
        for t in snap.tasks:
            if t.last_status != "STOPPED":
                continue
            key = (rule.name, t.cluster, t.arn)
            if t.arn in self._alerted_stops and key not in self._active:
                continue
            stop = t.stopped_at or t.stopping_at or snap.taken_at
            started = self._started if self._started is not None else snap.taken_at
            fresh = t.arn in self._seen_running or stop > started or key in self._active
            decoded = decode_task(t) if fresh else None
            if decoded is None or not decoded.abnormal or decoded.severity > rule.max_severity:
                continue
            title = titles.get(t.arn, t.id)
            out[t.arn] = (f"{title} stopped: {decoded.reason}", title, t.cluster, t.region)
            self._alerted_stops[t.arn] = None
        while len(self._alerted_stops) > _STOPPED_MEMORY:
            del self._alerted_stops[next(iter(self._alerted_stops))]
        return out


def parse_rules(items: Any, where: str = "alerts") -> list[AlertRule]:
    """Validate the config file's alert rules.

    Args:
        items: A list of dicts (the TOML ``[[alerts]]`` tables).
        where: How the config names the list, used as the prefix of error messages.

    Raises:
        ValueError: One line naming the bad key, e.g. ``alerts[1].threshold: expected a number``.
    """
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list of tables, got {type(items).__name__}")
    known = [f.name for f in fields(AlertRule)]
    rules: list[AlertRule] = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{at}: expected a table, got {type(item).__name__}")
        for key in item:
            if key not in known:
                raise ValueError(f"{at}: unknown key {key!r} (expected one of: {', '.join(known)})")
        kind = item.get("kind")
        if kind not in KINDS:
            got = "missing" if kind is None else f"{kind!r} is not valid"
            raise ValueError(f"{at}.kind: {got} (one of: {', '.join(KINDS)})")
        values: dict[str, Any] = {"kind": kind, "name": item.get("name", kind)}
        if not isinstance(values["name"], str) or not values["name"].strip():
            raise ValueError(f"{at}.name: expected a non-empty string")
        if any(r.name == values["name"] for r in rules):
            raise ValueError(f"{at}.name: duplicate rule name {values['name']!r}")
        values["threshold"] = _number(
            item.get("threshold", _DEFAULT_THRESHOLD.get(kind, 0.0)), f"{at}.threshold"
        )
        if kind in ("cpu_above", "memory_above") and values["threshold"] > 100:
            raise ValueError(
                f"{at}.threshold: a percentage from 0 to 100, got {values['threshold']:g}"
            )
        values["minutes"] = _number(item.get("minutes", 0.0), f"{at}.minutes")
        values["severity"] = _severity(item.get("severity", HIGH), f"{at}.severity")
        values["max_severity"] = _severity(item.get("max_severity", MEDIUM), f"{at}.max_severity")
        scope = item.get("scope", "any")
        if scope not in SCOPES:
            raise ValueError(f"{at}.scope: {scope!r} is not one of {', '.join(SCOPES)}")
        values["scope"] = scope
        enabled = item.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValueError(f"{at}.enabled: expected true or false, got {enabled!r}")
        values["enabled"] = enabled
        rules.append(AlertRule(**values))
    return rules


def with_defaults(rules: Iterable[AlertRule]) -> list[AlertRule]:
    """The default rules, each replaced by a user rule of the same name, then the user's others."""
    user = {r.name: r for r in rules}
    merged = [user.pop(d.name, d) for d in DEFAULT_RULES]
    return merged + list(user.values())


def _number(value: Any, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{at}: expected a number, got {value!r}")
    if value < 0 or math.isnan(value) or math.isinf(value):
        raise ValueError(f"{at}: expected a number >= 0, got {value!r}")
    return float(value)


def _severity(value: Any, at: str) -> int:
    names = {v: k for k, v in SEVERITY_NAMES.items()}
    if isinstance(value, str) and value.lower() in names:
        return names[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in SEVERITY_NAMES:
        return value
    raise ValueError(f"{at}: expected one of {', '.join(names)} (or 1-4), got {value!r}")


def alert_rules(config: Config) -> list[AlertRule]:
    """The alert rules of the config file (with the defaults unless turned off).

    Raises:
        ConfigError: Naming the file, the line of the bad ``[[alerts]]`` table and the key.
    """
    try:
        rules = parse_rules(config.alerts)
    except ValueError as exc:
        where = str(config.source or "config.toml")
        found = re.match(r"alerts\[(\d+)\]", str(exc))
        if found and int(found.group(1)) < len(config.alert_lines):
            where += f":{config.alert_lines[int(found.group(1))]}"
        raise ConfigError(f"{where}: {exc}") from None
    return with_defaults(rules) if config.default_alerts else rules

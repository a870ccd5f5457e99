"""The CloudWatch alarms source: the alarms of the watched services, and their state changes.

``DescribeAlarms`` cannot filter by dimension, so every alarm of the region is listed (100 a
page) every :data:`FULL_EVERY` seconds and the ones that concern a watched service are kept
(:func:`fgtop.model.alarms.concerns`: ClusterName/ServiceName or TargetGroup dimensions, the
alarms its deployments monitor, those driving its scaling policies) with the cluster-wide
alarms of the watched clusters. In between, every :data:`STATE_EVERY` seconds, one call asks
for the alarms in ALARM (``StateValue``), and the ones that left it are asked by name (100 a
call). ``DescribeAlarmHistory`` (state updates since the last look, newest first) gives the
state changes of the window for the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fgtop.model import Alarm, AlarmChange, Service, Snapshot
from fgtop.model.alarms import ALARMS_SOURCE, about_cluster, concerns
from fgtop.sources.alarms_parse import parse_alarm, parse_change
from fgtop.sources.base import Part
from fgtop.sources.why_base import MAX_PAGES, Denied, WhySource

OPERATIONS = ("DescribeAlarms", "DescribeAlarmHistory")
FULL_EVERY = 600.0
"""Seconds between listings of every alarm (alarm definitions change rarely)."""
STATE_EVERY = 30.0
"""Seconds between looks at the alarms in ALARM and at the history."""
WINDOW = 3 * 3600.0
"""State changes kept (seconds back)."""
PAGE = 100
"""The largest MaxRecords of DescribeAlarms and DescribeAlarmHistory."""
BY_NAME = 100
"""Alarm names per DescribeAlarms call at most."""


@dataclass
class Watch:
    """What the watched services of a region make an alarm relevant for."""

    services: list[Service]
    clusters: set[str] = field(default_factory=set)
    monitored: set[str] = field(default_factory=set)
    """Alarm names the deployments API says deployments monitor."""

    def wants(self, alarm: Alarm) -> bool:
        """Whether ``alarm`` concerns a watched service or cluster."""
        return about_cluster(alarm, self.clusters) or any(
            concerns(alarm, s, self.monitored) for s in self.services
        )


class AlarmsSource(WhySource):
    """CloudWatch alarms for the watched services of one region.

    Args:
        aws: The shared AWS layer.
        region: The region watched.
        budget: ``--api-budget``; this source spends a fifth of it.
        first_wait: Seconds the first look waits for the task list.
    """

    prefix = ALARMS_SOURCE
    service = "cloudwatch"
    operations = OPERATIONS
    lost = "alarms unknown"
    phase = 2
    """A one-off poll asks after the deployments (the alarms they monitor) have merged."""
    interval = STATE_EVERY

    def __init__(
        self, aws: Any, region: str, *, budget: float = 5.0, first_wait: float = 15.0
    ) -> None:
        super().__init__(aws, region, budget=budget, first_wait=first_wait)
        self._alarms: dict[str, Alarm] = {}
        """The relevant alarms by name."""
        self._listed_at: float | None = None
        self._names: frozenset[str] = frozenset()
        """The monitored names of the last full listing (a new one lists again)."""
        self._changes: dict[tuple[str, float, str], AlarmChange] = {}
        self._history_until: float | None = None

    def lost_by_denial(self, op: str) -> str:
        """A denied history costs the timeline its alarm changes; denied alarms, the alarms."""
        return (
            "no alarm state changes on the timeline" if op == "DescribeAlarmHistory" else self.lost
        )

    def watch(self, snapshot: Snapshot) -> Watch:
        """The watched services, clusters and monitored alarm names of this region."""
        services = self.services(snapshot)
        monitored = {
            n
            for d in snapshot.service_deployments
            if d.region == self.region
            for n in (*d.alarm_names, *d.triggered_alarms)
        }
        return Watch(services, {s.cluster.rsplit("/", 1)[-1] for s in services}, monitored)

    async def look(self, snapshot: Snapshot, client: Any, now: float) -> Part:
        """The alarms (all, or the ones in ALARM and those that left it) and the history."""
        watch = self.watch(snapshot)
        names = frozenset(
            watch.monitored | {n for s in watch.services for n in s.deployment_alarms}
        )
        try:
            if (
                self._listed_at is None
                or now - self._listed_at >= FULL_EVERY
                or not names <= self._names
            ):
                if await self._list_all(client, watch):
                    self._listed_at, self._names = now, names
            else:
                await self._states(client, watch)
            await self._history(client, now)
        except Denied:
            pass
        alarms = sorted(self._alarms.values(), key=lambda a: a.name)
        kept = {a.name for a in alarms}
        changes = sorted(
            (c for c in self._changes.values() if c.alarm in kept and now - c.at <= WINDOW),
            key=lambda c: (c.at, c.alarm),
        )
        return {"alarms": tuple(alarms), "alarm_history": tuple(changes)}

    def _keep(self, alarms: Iterable[Alarm], watch: Watch) -> None:
        for a in alarms:
            if watch.wants(a):
                self._alarms[a.name] = a
            else:
                self._alarms.pop(a.name, None)

    async def _pages(self, client: Any, **kwargs: Any) -> list[Alarm] | None:
        """Every page of a DescribeAlarms query (None when the budget stopped it short)."""
        out: list[Alarm] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if not self.afford():
                return None
            resp = await self.call(client, "DescribeAlarms", MaxRecords=PAGE, **kwargs)
            out += self.parse(
                "alarms", resp.get("MetricAlarms") or (), lambda r: parse_alarm(r, self.region)
            )
            out += self.parse(
                "alarms",
                resp.get("CompositeAlarms") or (),
                lambda r: parse_alarm(r, self.region, composite=True),
            )
            token = resp.get("NextToken")
            if not token or token in seen:
                return out
            seen.add(token)
            kwargs["NextToken"] = token
        return out

    async def _list_all(self, client: Any, watch: Watch) -> bool:
        """Every alarm of the region, the relevant ones kept; whether the listing finished."""
        found = await self._pages(client, AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        if found is None:
            return False
        self._alarms = {}
        self._keep(found, watch)
        return True

    async def _states(self, client: Any, watch: Watch) -> None:
        """The alarms in ALARM now, and the kept ones that were in ALARM and left it."""
        firing = await self._pages(
            client, StateValue="ALARM", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        if firing is None:
            return
        now_firing = {a.name for a in firing}
        left = [n for n, a in self._alarms.items() if a.firing and n not in now_firing]
        self._keep(firing, watch)
        for i in range(0, len(left), BY_NAME):
            again = await self._pages(
                client,
                AlarmNames=left[i : i + BY_NAME],
                AlarmTypes=["MetricAlarm", "CompositeAlarm"],
            )
            if again is None:
                return
            self._keep(again, watch)

    async def _history(self, client: Any, now: float) -> None:
        """State updates since the last look (the window's, the first time), newest first."""
        start = self._history_until if self._history_until is not None else now - WINDOW
        kwargs: dict[str, Any] = {
            "HistoryItemType": "StateUpdate",
            "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
            "StartDate": start,
            "EndDate": now,
            "MaxRecords": PAGE,
            "ScanBy": "TimestampDescending",
        }
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if not self.afford():
                return  # the same stretch again next time
            resp = await self.call(client, "DescribeAlarmHistory", **kwargs)
            for c in self.parse(
                "alarm changes",
                resp.get("AlarmHistoryItems") or (),
                lambda r: parse_change(r, self.region),
            ):
                self._changes[(c.alarm, c.at, c.new_state)] = c
            token = resp.get("NextToken")
            if not token or token in seen:
                break
            seen.add(token)
            kwargs["NextToken"] = token
        self._history_until = now
        for key in [k for k, c in self._changes.items() if now - c.at > WINDOW]:
            del self._changes[key]

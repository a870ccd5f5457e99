"""Issue 23 on the bundled demo: the problems view names the load balancer's reason at 09:57
(before ECS stops the task), the rollback as the deployments API tells it, the alarm on
shop-api's CPU and the scale-out it triggers up to the maximum; the timeline holds each."""

from __future__ import annotations

from datetime import datetime

import pytest

from fgtop.derive.problems_why import all_problems
from fgtop.derive.timeline import Timeline
from fgtop.model import Snapshot
from fgtop.recording.reader import Recording, open_recording
from fgtop.resources import demo_recording


@pytest.fixture(scope="module")
def rec() -> Recording:
    return open_recording(demo_recording())


def at(rec: Recording, hhmmss: str) -> Snapshot:
    day = datetime.fromtimestamp(rec.start)
    h, m, s = map(int, hhmmss.split(":"))
    return rec.frame(rec.index_at(day.replace(hour=h, minute=m, second=s).timestamp()))


def local(rec: Recording, hhmm: str) -> float:
    """The demo's own clock: it starts at 09:48 (UTC) and every time is an offset of it."""
    h, m = map(int, hhmm.split(":"))
    return rec.start + ((h - 9) * 60 + m - 48) * 60


def test_the_elb_reason_at_0957_before_the_task_stops(rec: Recording) -> None:
    snap = at(rec, "09:57:00")
    (row,) = [p for p in all_problems(snap, snap.taken_at) if p.kind == "elb-health"]
    assert row.title == "shop-checkout" and row.since == local(rec, "09:56")
    assert "health check got HTTP 503, not a success code" in row.reason
    assert "(Health checks failed with these codes: [503])" in row.reason
    assert "health-check path" in row.next_step
    task = next(t for t in snap.tasks if t.arn == row.related_task)
    assert not task.is_stopping  # ECS stops it at 09:59
    kinds = {p.kind for p in all_problems(snap, snap.taken_at) if p.title == "shop-checkout"}
    assert kinds == {"elb-health"}  # not a container health check


def test_the_rollback_reads_as_the_deployments_api_tells_it(rec: Recording) -> None:
    snap = at(rec, "09:57:00")
    (row,) = [p for p in all_problems(snap, snap.taken_at) if p.kind == "deployment-rollback"]
    assert row.reason == (
        "deployment of shop-search:18 rolled back to :17 after the circuit breaker counted 3 "
        "failed tasks; the failed :18 changed image tag, memory 2048 → 1024; its tasks failed: "
        "image shop-search:2026.11.28-bad does not exist (wrong tag or repository)"
    )
    assert row.resolved  # the rollback finished at 09:56:10


def test_the_cpu_alarm_and_the_scale_out_it_triggers(rec: Recording) -> None:
    snap = at(rec, "10:10:00")
    rows = {p.kind: p for p in all_problems(snap, snap.taken_at) if p.title == "shop-api"}
    # Since the service's CPU crossed 60% (the surge began at 10:04:40), in ALARM at 10:09:30.
    assert rows["alarm"].since == local(rec, "10:06")
    assert rows["alarm"].at == local(rec, "10:09") + 30
    assert "CPUUtilization > 60" in rows["alarm"].reason
    assert rows["at-max-capacity"].reason.startswith("at max capacity 8/8 while CPU ")
    reached = rows["at-max-capacity"].since
    assert rows["at-max-capacity"].at == reached
    later = at(rec, "10:12:00")
    held = {p.kind: p for p in all_problems(later, later.taken_at) if p.title == "shop-api"}
    # The surge holds to the end of the recording: still in ALARM, still at its maximum, and
    # the row stays where it was (not moved up by each minute's AlreadyAtMaxCapacity).
    assert held["alarm"].since == local(rec, "10:06")
    assert held["at-max-capacity"].at == reached
    timeline = Timeline()
    for i in range(len(rec)):
        timeline.feed(rec.frame(i))
    scaling = [e.message for e in timeline.entries("shop-api") if e.kind == "scaling"]
    assert scaling[0].startswith("shop-api: Setting desired count to 8. (monitor alarm ")
    assert scaling[1].startswith("shop-api: not scaled: already at max capacity 8/8")
    states = [e.message for e in timeline.entries() if e.kind == "alarm-state"]
    assert [m.split(" ")[2:5] for m in states] == [["OK", "→", "ALARM:"]]

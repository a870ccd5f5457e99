"""Issue 14, on the bundled demo: SINCE and COUNT tell the truth, a rolled-back deployment stays
listed (resolved) for the hour, one time per problem; stopped tasks stop ageing; sick services
are flagged. Times are the recording's own (the replay clock of the issue's report)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from fgtop.derive.figures import Figures, service_states
from fgtop.derive.pipeline import Derived
from fgtop.derive.problems import Problem
from fgtop.derive.problems_why import all_problems as find_problems
from fgtop.derive.timeline import KIND_DEPLOYMENT, Timeline
from fgtop.kinds.base import View
from fgtop.kinds.problem import problem_cells
from fgtop.kinds.service import service_status
from fgtop.kinds.task import age as task_age
from fgtop.kinds.task import health
from fgtop.model import Snapshot
from fgtop.recording.reader import Recording, open_recording
from fgtop.resources import demo_recording
from fgtop.text import fmt
from fgtop.ui.palette import Palette
from fgtop.ui.screens.problems import problem_times


@pytest.fixture(scope="module")
def rec() -> Recording:
    return open_recording(demo_recording())


def at(rec: Recording, hhmmss: str) -> Snapshot:
    """The frame at a wall-clock time of the demo day (local time, as the UI shows it)."""
    day = datetime.fromtimestamp(rec.start)
    h, m, s = map(int, hhmmss.split(":"))
    return rec.frame(rec.index_at(day.replace(hour=h, minute=m, second=s).timestamp()))


def problems(snap: Snapshot) -> list[Problem]:
    return find_problems(snap, snap.taken_at)


def one(snap: Snapshot, kind: str, title: str) -> Problem:
    found = [p for p in problems(snap) if p.kind == kind and p.title == title]
    assert len(found) == 1, [(p.kind, p.title) for p in problems(snap)]
    return found[0]


def test_health_check_row_is_not_the_task_age(rec: Recording) -> None:
    # Issue 23: the load balancer's first unhealthy answer (09:56), before the service reports
    # it (09:58) and before ECS stops the task (09:59): never the task's age.
    before = at(rec, "09:57:05")
    row = one(before, "elb-health", "shop-checkout")
    task = next(t for t in before.tasks if t.arn == row.related_task)
    target = next(t for t in before.target_health if t.target_id == task.private_ip)
    assert row.since != task.started_at and row.since == target.unhealthy_since == row.at
    assert row.since == rec.start + 8 * 60  # 09:56:00, the recording starting at 09:48
    assert "health-check-container" not in {p.kind for p in problems(before)}
    after = at(rec, "09:58:30")
    row = one(after, "elb-health", "shop-checkout")
    service = next(s for s in after.services if s.name == "shop-checkout")
    report = next(e for e in service.events if "is unhealthy" in e.message)
    assert row.since == target.unhealthy_since < report.created_at
    assert "since " + fmt.when(row.since) in problem_times(row, after.taken_at)


def test_deployment_rows_have_a_since_and_pods_count_restarts(rec: Recording) -> None:
    snap = at(rec, "10:00:00")
    pod = next(p for p in snap.pods if p.name.startswith("pricing-engine-"))
    oom = one(snap, "oom", pod.name)
    assert pod.restarts > 1 and oom.count == pod.restarts
    for name in ("pricing-engine", "report-builder"):
        row = one(snap, "below-desired", f"Deployment/{name}")
        pods = [p for p in problems(snap) if p.title.startswith(name + "-")]
        assert row.since is not None and row.since == min(p.since for p in pods if p.since)
        assert problem_cells(row, snap.taken_at)[4].plain != "-"
    pending = next(p for p in snap.pods if p.name.startswith("report-builder-"))
    assert one(snap, "below-desired", "Deployment/report-builder").since == pending.created_at


def test_failed_deployment_stays_listed_resolved_with_one_time(rec: Recording) -> None:
    failing = at(rec, "09:55:00")
    row = one(failing, "deployment-rollback", "shop-search")
    service = next(s for s in failing.services if s.name == "shop-search")
    failed = next(d for d in service.deployments if d.rollout_state == "FAILED")
    event = next(e for e in service.events if "deployment failed" in e.message)
    assert row.since == row.at == failed.updated_at == event.created_at
    assert not row.resolved
    # The timeline says the same time.
    timeline = Timeline()
    for i in range(rec.index_at(failing.taken_at) + 1):
        timeline.feed(rec.frame(i))
    entry = next(  # the deployments API's entry (issue 23), at the same moment
        e for e in timeline.entries() if e.kind == KIND_DEPLOYMENT and "rolling back" in e.message
    )
    assert entry.at == row.since
    for later in ("09:57:00", "10:10:00", "10:17:00"):  # rolled back: still there, resolved
        snap = at(rec, later)
        kept = one(snap, "deployment-rollback", "shop-search")
        done = next(
            e.created_at
            for e in reversed(next(s for s in snap.services if s.name == "shop-search").events)
            if "deployment completed" in e.message and e.created_at > row.since
        )
        assert kept.since == row.since and kept.resolved_at == done
        cells = problem_cells(kept, snap.taken_at)
        assert cells[6].plain.startswith(f"resolved {fmt.age(done, snap.taken_at)} ago: ")
        assert cells[4].plain == fmt.age(row.since, snap.taken_at)
        assert problems(snap)[-1].resolved  # after what still lasts
        assert cells[0].plain == "✔ RES"  # the SEV cell says it has ended
        search = next(s for s in snap.services if s.name == "shop-search")
        flag = service_states(snap, problems(snap))[search.arn].problem
        assert flag is None or not flag.resolved  # a resolved one never flags a service
    # ... for an hour after it failed.
    assert not [p for p in find_problems(snap, row.since + 3601) if p.kind == "deployment-rollback"]


def test_stopped_tasks_stop_ageing_and_show_no_unknown_health(rec: Recording) -> None:
    first = at(rec, "09:48:30")
    stopped = [t for t in first.tasks if t.is_stopped and t.started_at and t.stopped_at]
    assert stopped
    palette = Palette()
    for later in ("10:06:00", "10:17:00"):
        snap = at(rec, later)
        for task in stopped:
            again = next((t for t in snap.tasks if t.arn == task.arn), task)
            run = fmt.age(task.started_at, task.stopped_at)
            assert task_age(again, snap.taken_at).plain == run
            assert task_age(task, first.taken_at).plain == run
            assert task.ended_at == task.stopped_at
    for task in stopped:
        shown = health(task, View(first, glyph=palette.glyph)).plain
        assert "UNKNOWN" not in shown
        assert shown == "-"  # ECS reset it, the containers report nothing either
    running = next(t for t in first.tasks if t.last_status == "RUNNING")
    assert task_age(running, first.taken_at).plain == fmt.age(running.started_at, first.taken_at)


@pytest.mark.parametrize(
    ("name", "when", "kinds"),
    [
        ("shop-recs", "09:50:00", {"oom", "below-desired"}),
        ("shop-checkout", "09:58:30", {"elb-health"}),
    ],
)
def test_sick_services_are_flagged(rec: Recording, name: str, when: str, kinds: set) -> None:
    snap = at(rec, when)
    service = next(s for s in snap.services if s.name == name)
    found = problems(snap)
    states = service_states(snap, found)
    figures = Figures(states=states)
    worst = states[service.arn].problem
    assert worst is not None and worst.kind in kinds
    view = View(snap, Derived(figures=figures), glyph=Palette().glyph)
    tasks, deploy = service_status(service, view)
    text = f"{tasks.plain} {deploy.plain}"
    assert not re.match(r"● \d+/\d+ steady$", text), text
    assert "steady" not in deploy.plain
    assert tasks.plain.startswith({1: "✖", 2: "▲", 3: "●", 4: "○"}[worst.severity])
    assert worst.kind in deploy.plain
    healthy = next(s for s in snap.services if s.name == "shop-cart")
    assert states[healthy.arn].problem is None
    assert service_status(healthy, view)[0].plain.startswith("●")

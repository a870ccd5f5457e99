"""Issue 27: the problems view's rows answer the on-call questions themselves, at the demo's
opening (10:10:30): a Deployment names its pod's reason, a task stopped for its load
balancer's health checks the HTTP code the service reported, a rollback why its tasks failed,
an alarm since when its metric crossed the threshold."""

from __future__ import annotations

import dataclasses

import pytest

from fgtop.derive.problems_why import all_problems, breach_began
from fgtop.model import MetricSeries
from fgtop.recording.reader import Recording, open_recording
from fgtop.resources import demo_recording
from tests.unit.test_demo_why import at, local


@pytest.fixture(scope="module")
def rec() -> Recording:
    return open_recording(demo_recording())


def rows(rec: Recording) -> dict[tuple[str, str], object]:
    snap = at(rec, "10:10:30")
    return {(p.kind, p.title): p for p in all_problems(snap, snap.taken_at)}


def test_a_deployment_row_says_why_its_pod_is_not_there(rec: Recording) -> None:
    row = rows(rec)[("below-desired", "Deployment/report-builder")]
    assert row.reason.startswith("0 of 1 replicas available (0 ready); pod report-builder-")
    assert ": no Fargate profile selects namespace analytics with labels" in row.reason
    assert row.next_step.startswith("add a Fargate profile selector for namespace analytics")


def test_a_task_stopped_for_its_health_checks_names_the_http_code(rec: Recording) -> None:
    row = rows(rec)[("health-check-elb", "shop-checkout")]
    assert row.reason == (
        "failed the load balancer health checks of target group shop-checkout "
        "(its health checks got HTTP 503)"
    )


def test_a_rollback_says_why_its_tasks_failed(rec: Recording) -> None:
    row = rows(rec)[("deployment-rollback", "shop-search")]
    assert row.reason.endswith(
        "; its tasks failed: image shop-search:2026.11.28-bad does not exist "
        "(wrong tag or repository)"
    )


def test_an_alarm_is_a_problem_since_its_metric_crossed(rec: Recording) -> None:
    snap = at(rec, "10:10:30")
    service = next(s for s in snap.services if s.name == "shop-api")
    alarm = next(a for a in snap.alarms if a.metric == "CPUUtilization")
    assert breach_began(snap, service, alarm) == local(rec, "10:06")
    # What the series cannot tell: another namespace, an unknown comparison, no series.
    assert breach_began(snap, service, dataclasses.replace(alarm, namespace="Custom")) is None
    assert breach_began(snap, service, dataclasses.replace(alarm, comparison="Odd")) is None
    empty = dataclasses.replace(
        snap,
        metrics=tuple(m for m in snap.metrics if m.target != service.arn),
    )
    assert breach_began(empty, service, alarm) is None
    # Below a threshold: the run of points under it, up to the newest.
    low = dataclasses.replace(alarm, comparison="LessThanThreshold", threshold=1000.0)
    series = snap.series(service.arn, "cpu")
    assert isinstance(series, MetricSeries)
    assert breach_began(snap, service, low) == series.points[0][0]

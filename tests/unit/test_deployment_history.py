"""Deployment history, change-following problems and the JSON ``changes``, from the demo
recording (shop-search:18 halves the memory and deploys a tag never pushed; rolled back)."""

from __future__ import annotations

import pytest

from fgtop.derive.deployments import DeploymentHistory
from fgtop.derive.problems import find_problems, following_change
from fgtop.derive.problems_why import all_problems
from fgtop.derive.taskdef_diff import diff_models
from fgtop.derive.timeline import KIND_DEPLOYMENT, KIND_TASK_STOPPED, Timeline
from fgtop.printer.documents import snapshot_json
from fgtop.recording.reader import open_recording
from fgtop.resources import demo_recording

WORDS = "shop-search:18 replaced :17 — image tag, memory 2048 → 1024"


@pytest.fixture(scope="module")
def frames():
    rec = open_recording(demo_recording())
    try:
        yield [rec.frame(i) for i in range(rec.len)]
    finally:
        rec.close()


def _search(history: DeploymentHistory, snapshot):
    arn = next(s.arn for s in snapshot.services if s.name == "shop-search")
    return [(r.task_definition.rsplit("/", 1)[-1], r.ended) for r in history.of(arn)], arn


def test_history_played_through_keeps_the_rolled_back_deployment(frames) -> None:
    history = DeploymentHistory()
    for snapshot in frames[50:130]:
        history.feed(snapshot)
    seen, arn = _search(history, frames[129])
    assert seen == [
        ("shop-search:17", "replaced"),
        ("shop-search:18", "failed, rolled back"),
        ("shop-search:17", "current"),
    ]
    bad = history.of(arn)[1]
    assert bad.failed_tasks >= 3 and bad.rollout_state == "FAILED"
    assert bad.replaced == "shop-search:18 replaced :17"
    assert bad.changes is not None
    assert {(c.container, c.field) for c in bad.changes.changes} == {
        (None, "memory"),
        ("shop-search", "image"),
        ("shop-search", "memory"),
    }


def test_a_seek_after_the_rollback_still_knows_it_from_the_stopped_tasks(frames) -> None:
    history = DeploymentHistory()
    history.feed(frames[240])  # 20 minutes in: ECS lists only the rollback deployment
    seen, arn = _search(history, frames[240])
    assert [s.task_definition for s in frames[240].services if s.arn == arn] == [
        history.of(arn)[-1].task_definition
    ]
    assert seen[-2:] == [("shop-search:18", "failed, rolled back"), ("shop-search:17", "current")]


def test_problems_say_they_began_after_the_deployment(frames) -> None:
    snapshot = frames[120]
    history = DeploymentHistory()
    history.feed(snapshot)
    problems = [p for p in find_problems(snapshot, snapshot.taken_at) if p.title == "shop-search"]
    said = {p.kind: following_change(p, history.of(p.service or "")) for p in problems}
    assert said["image-not-found"] == f"began 30s after {WORDS}"
    assert said["deployment-rollback"] == f"began 45s after {WORDS}"
    others = [p for p in all_problems(snapshot, snapshot.taken_at) if p.title == "shop-checkout"]
    assert others and all(following_change(p, history.of(p.service or "")) is None for p in others)
    # Past the window, no longer "following" the change.
    late = problems[0]
    record = history.of(late.service or "")[1]
    assert following_change(late, [record], window=10.0) is None


def test_timeline_links_the_deployment_and_the_first_failure(frames) -> None:
    timeline = Timeline()
    for snapshot in frames[55:80]:
        timeline.feed(snapshot)
    lines = [e.message for e in timeline.entries("shop-search")]
    started = [m for m in lines if "of shop-search:18 started" in m]
    assert started and started[0].endswith("(replaces :17: image tag, memory 2048 → 1024)")
    linked = [
        e
        for e in timeline.entries("shop-search")
        if e.kind == KIND_TASK_STOPPED and "after shop-search:18 replaced :17" in e.message
    ]
    assert len(linked) == 1
    assert linked[0].message.startswith("shop-search aa2faf33 stopped 30s after shop-search:18 ")
    assert " replaced :17: image shop-search:2026.11.28-bad does not exist" in linked[0].message
    deployments = [e for e in timeline.entries("shop-search") if e.kind == KIND_DEPLOYMENT]
    # The deployments API tells the failure (issue 23): the rollback, with its reason.
    assert any(
        "rolling back to :17 after the circuit breaker counted 3 failed tasks" in e.message
        for e in deployments
    )
    view = timeline.view()
    assert [r.ended for r in view.deployments_of(_arn(frames[79]))][-1] == "in progress"


def _arn(snapshot) -> str:
    return next(s.arn for s in snapshot.services if s.name == "shop-search")


def test_snapshot_json_deployment_changes_are_the_diff_document(frames) -> None:
    snapshot = frames[66]  # both deployments listed: :18 rolling out, :17 still running
    doc = snapshot_json(snapshot)
    svc = next(s for s in doc["services"] if s["name"] == "shop-search")
    by_td = {d["task_definition"].rsplit("/", 1)[-1]: d for d in svc["deployments"]}
    new = snapshot.task_definition(by_td["shop-search:18"]["task_definition"])
    old = snapshot.task_definition(by_td["shop-search:17"]["task_definition"])
    assert by_td["shop-search:18"]["changes"] == diff_models(old, new).to_json()
    assert by_td["shop-search:18"]["changes"]["from"] == "shop-search:17"
    assert by_td["shop-search:17"]["changes"] is None  # the one before it was never seen
    steady = next(s for s in snapshot_json(frames[0])["services"] if s["name"] == "shop-cart")
    assert all(d["changes"] is None for d in steady["deployments"])

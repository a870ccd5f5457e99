"""The bundled demo recording: readable, tells the whole story, and reproducible byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fgtop.model import Snapshot
from fgtop.recording.reader import Recording, open_recording

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo.fgrec"


@pytest.fixture(scope="module")
def demo() -> Recording:
    return open_recording(DEMO)


@pytest.fixture(scope="module")
def frames(demo: Recording) -> list[Snapshot]:
    return [demo.frame(i) for i in range(0, len(demo), 4)] + [demo.frame(len(demo) - 1)]


def test_thirty_minutes_one_frame_every_five_seconds(demo: Recording) -> None:
    assert len(demo) == 360
    assert demo.end - demo.start == 359 * 5
    assert DEMO.stat().st_size < 1_500_000  # small enough to ship in the wheel
    last = demo.frame(-1)
    assert set(last.regions) == {"eu-west-1", "us-east-1"}


def test_two_accounts_every_object_in_one(frames: list[Snapshot]) -> None:
    last = frames[-1]
    assert last.multi_account and last.account is None
    assert [(a.id, a.label, a.regions) for a in last.accounts] == [
        ("210987654321", "prod", ("eu-west-1",)),
        ("420987654321", "edge", ("us-east-1",)),
    ]
    by_region = {"eu-west-1": "210987654321", "us-east-1": "420987654321"}
    for item in (*last.clusters, *last.services, *last.tasks, *last.task_definitions):
        assert item.account == by_region[item.arn.split(":")[3]] == item.arn.split(":")[4]
    assert {s.account for s in last.metrics} == set(by_region.values())
    assert {p.account for p in last.pods} == {"210987654321"}
    assert {s.account for s in last.sources if s.name != "logs"} == set(by_region.values())


def test_clusters_services_tasks(frames: list[Snapshot]) -> None:
    last = frames[-1]
    assert len(last.clusters) == 3
    assert {c.region for c in last.clusters} == {"eu-west-1", "us-east-1"}
    assert any(c.container_insights == "enhanced" for c in last.clusters)
    assert 10 <= len(last.services) <= 14
    running = [t for t in last.tasks if t.last_status == "RUNNING"]
    assert 60 <= len(running) <= 100
    assert {t.arch for t in running} == {"x86_64", "arm64"}
    assert {t.capacity_provider for t in running} == {"FARGATE", "FARGATE_SPOT"}
    for t in last.tasks:  # every cost input is present
        assert t.cpu and t.memory and t.arch and t.capacity_provider and t.region
        assert t.ephemeral_storage_gib >= 20
        assert t.created_at is not None
        assert (
            t.started_at is not None
            or t.stop_code == "TaskFailedToStart"
            or (t.last_status in ("PROVISIONING", "PENDING"))
        )
    standalone = [t for t in last.tasks if t.service is None]
    assert any(t.group.startswith("family:") for t in standalone)
    assert any((t.started_by or "").startswith("events-rule/") for t in standalone)


def test_the_incident(frames: list[Snapshot]) -> None:
    tasks = {t.arn: t for f in frames for t in f.tasks}.values()
    oom = [t for t in tasks if any(c.exit_code == 137 for c in t.containers)]
    assert len(oom) >= 5
    assert all(t.stopped_reason == "Essential container in task exited" for t in oom)
    assert any("OutOfMemoryError" in (c.reason or "") for t in oom for c in t.containers)
    assert any(
        t.stop_code == "SpotInterruption" and t.stopped_reason == "Your Spot Task was interrupted."
        for t in tasks
    )
    assert any(
        (t.stopped_reason or "").startswith("Task failed ELB health checks in (target-group")
        for t in tasks
    )
    # Issue 23: the checkout task fails its target group's checks (its container's pass).
    assert any(
        t.unhealthy and t.reason == "Target.ResponseCodeMismatch"
        for f in frames
        for t in f.target_health
    )
    assert not any(t.health == "UNHEALTHY" for f in frames for t in f.tasks)
    search = [d for d in frames[-1].service_deployments if "/shop-search/" in d.arn]
    assert search[0].status == "ROLLBACK_SUCCESSFUL" and search[0].failure_count == 3
    assert any(a.firing for f in frames for a in f.alarms)
    assert any(a.at_max is not None for a in frames[-1].scaling_activities)
    api = next(s for s in frames[-1].services if s.name == "shop-api")
    assert api.desired == 8  # scaled out from 6 to its maximum
    assert any(
        "CannotPullContainerError" in (t.stopped_reason or "")
        and "shop-search:2026.11.28-bad: not found" in (t.stopped_reason or "")
        for t in tasks
    )
    states = [(s.name, d.rollout_state) for f in frames for s in f.services for d in s.deployments]
    assert ("shop-search", "FAILED") in states
    assert ("shop-api", "IN_PROGRESS") in states
    assert any(len(s.deployments) >= 2 for f in frames for s in f.services)
    api_final = next(s for s in frames[-1].services if s.name == "shop-api")
    assert [d.rollout_state for d in api_final.deployments] == ["COMPLETED"]
    assert any("rolling back" in e.message for s in frames[-1].services for e in s.events)


def test_metrics_have_history_and_a_spike(frames: list[Snapshot]) -> None:
    last = frames[-1]
    service = [m for m in last.metrics if m.source == "AWS/ECS"]
    per_task = [m for m in last.metrics if m.source == "ECS/ContainerInsights"]
    assert {m.metric for m in service} == {"cpu", "memory"}
    assert len(service) >= 24 and per_task
    assert all(m.period == 60 for m in last.metrics)
    api_cpu = next(m for m in service if m.target.endswith("/shop-api") and m.metric == "cpu")
    assert api_cpu.points[-1][0] - api_cpu.points[0][0] >= 12 * 3600 - 120
    assert max(v for _, v in api_cpu.window(1800, last.taken_at)) > 70
    usage = [f.metrics_usage.metrics_requested for f in frames]
    assert usage == sorted(usage) and usage[-1] > usage[0]


def test_eks_pods(frames: list[Snapshot]) -> None:
    last = frames[-1]
    (cluster,) = last.kube_clusters
    assert {p.name for p in cluster.fargate_profiles} == {"fp-shop", "fp-default"}
    assert sum(p.phase == "Running" and p.reason is None for p in last.pods) >= 3
    crash = next(
        p
        for p in last.pods
        if "CrashLoopBackOff" in (p.reason or "") or p.containers[0].last_state is not None
    )
    assert crash.containers[0].last_state.reason == "OOMKilled"
    assert crash.containers[0].last_state.exit_code == 137
    assert crash.restarts > next(p for p in frames[0].pods if p.name == crash.name).restarts
    pending = next(p for p in last.pods if p.phase == "Pending")
    assert pending.namespace == "analytics" and pending.scheduler == "default-scheduler"
    assert not any(fp.matches(pending.namespace, pending.labels) for fp in cluster.fargate_profiles)
    assert "no nodes available to schedule pods" in (pending.reason or "")
    assert {e.reason for e in last.kube_events} >= {"BackOff", "FailedScheduling"}
    assert last.workloads


def test_sources_and_logs(demo: Recording, frames: list[Snapshot]) -> None:
    names = {s.name for s in frames[-1].sources}
    why = {
        f"{kind}:{region}@{name}"
        for kind in ("deployments", "elb-health", "alarms", "scaling")
        for region, name in (("eu-west-1", "prod"), ("us-east-1", "edge"))
    }
    assert names == {
        "account@prod",
        "ecs:eu-west-1@prod",
        "cloudwatch@prod",
        "account@edge",
        "ecs:us-east-1@edge",
        "logs",
        "kube:shop-eks",
        *why,
    }
    assert frames[-1].api_calls > frames[0].api_calls
    lines = demo.logs()
    assert len(lines) > 1000
    assert any(x.message.startswith("{") for x in lines)
    assert any(
        ("\n" in x.message and "Traceback" in x.message) or "\tat " in x.message for x in lines
    )
    assert any("WARN" in x.message for x in lines)
    oom_task = next(t for t in frames[-1].tasks if any(c.exit_code == 137 for c in t.containers))
    before = demo.logs(target=oom_task.arn, until=oom_task.stopping_at)
    assert "OutOfMemoryError" in before[-1].message
    crash = next(p for p in frames[-1].pods if p.containers[0].last_state is not None)
    assert demo.logs(target=crash.key)
    td = frames[-1].task_definitions[0]
    assert td.containers[0].log.driver == "awslogs"
    assert "DB_PASSWORD" in td.containers[0].environment and td.containers[0].secrets


def test_generator_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "demo.fgrec"
    subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "make_demo.py"), "-o", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert out.read_bytes() == DEMO.read_bytes()


def test_arm_on_spot_is_priced_and_the_cost_rules_show(frames: list[Snapshot]) -> None:
    from fgtop.cost.estate import estate_cost
    from fgtop.cost.estimate import size_rate, task_billing_window
    from fgtop.cost.prices import load_price_table

    last = frames[-1]
    table = load_price_table(ROOT / "no-cache")
    cost = estate_cost(last, table, now=last.taken_at)
    # FARGATE_SPOT runs x86 and ARM64: edge-logs is ARM on Spot (us-east-1), shop-cart x86
    arm_spot = [t for t in last.tasks if t.is_spot and t.arch == "arm64" and t.is_billed]
    x86_spot = [t for t in last.tasks if t.is_spot and t.arch == "x86_64" and t.is_billed]
    assert {t.service for t in arm_spot} == {"edge-logs"} and x86_spot
    prices = table.regions["us-east-1"]
    for t in arm_spot:  # 0.25 vCPU, 0.5 GB at the published us-east-1 ARM Spot rate
        assert cost.task_rates[t.arn] == size_rate(prices, 256, 512, arch="arm64", spot=True)
    assert cost.spot_arm_dates == {"us-east-1": "2026-09-28"}
    # billing starts at the image pull, before startedAt
    started = [t for t in last.tasks if t.started_at is not None]
    assert started and all(t.pull_started_at is not None for t in started)
    assert all(task_billing_window(t, last.taken_at)[0] < t.started_at for t in started)
    assert not cost.unpriced
    # the short scheduled checks ran under a minute: the minimum's surcharge has its line
    assert cost.minimum_charged >= 2 and cost.minimum_charge > 0


def test_running_tasks_have_their_own_cpu_and_memory_series(frames: list[Snapshot]) -> None:
    """Container Insights with enhanced observability on every cluster: the grid shows per-task
    CPU and memory (not n/a) for the running tasks, after their first minute."""
    for snap in (frames[len(frames) // 2], frames[-1]):
        assert {c.container_insights for c in snap.clusters} == {"enhanced"}
        settled = [
            t
            for t in snap.tasks
            if t.last_status == "RUNNING" and (t.started_at or snap.taken_at) < snap.taken_at - 150
        ]
        assert len(settled) >= 50
        for t in settled:
            for metric in ("cpu", "memory"):
                series = snap.series(t.arn, metric)
                assert series is not None and series.points, (t.service, metric)
                assert series.source == "ECS/ContainerInsights"


def test_the_crash_looping_pod_has_its_previous_and_current_containers_lines(
    demo: Recording,
) -> None:
    first = demo.frame(0)
    crash = next(p for p in first.pods if p.name.startswith("pricing-engine"))
    previous = crash.containers[0].last_state
    assert previous is not None and previous.reason == "OOMKilled"
    lines = demo.logs(target=crash.key)
    # The previous (OOM-killed) container's run, before the recording starts: there at frame 0.
    before = [line for line in lines if line.timestamp <= previous.finished_at]
    assert before and all(line.timestamp < demo.start for line in before)
    assert before[0].message.startswith("Starting pricing-engine")
    assert "allocating" in before[-1].message  # the last line before the kill
    # Then every restart's own run (the current container while it runs).
    starts = [line for line in lines if line.message.startswith("Starting pricing-engine")]
    assert len(starts) >= 5

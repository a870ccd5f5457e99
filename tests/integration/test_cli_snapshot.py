"""`fgtop snapshot` as a subprocess against moto, and the error paths of the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.fakes.aws_world import build_world
from tests.fakes.compute_optimizer import FakeComputeOptimizer, recommendation


def fgtop(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run the installed command the way a user would (python -m fgtop is the same entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "fgtop", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else dict(os.environ),
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_snapshot_json_against_moto(moto: str, why) -> None:
    world = build_world(moto, big_cluster_tasks=24, services=4)
    proc = fgtop("snapshot", "--region", "us-east-1", "--region", "eu-west-1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["taken_at"].endswith("Z")
    assert {(c["name"], c["region"]) for c in doc["clusters"]} == {
        ("prod", "us-east-1"),
        ("batch", "us-east-1"),
        ("edge", "eu-west-1"),
    }
    arns = {t["arn"] for t in doc["tasks"]}
    assert arns == {a for v in world.tasks.values() for a in v}
    task = next(t for t in doc["tasks"] if t["arn"] in world.spot)
    for key in [
        "arn",
        "id",
        "cluster",
        "region",
        "service",
        "group",
        "task_definition",
        "last_status",
        "desired_status",
        "health",
        "launch_type",
        "capacity_provider",
        "cpu",
        "memory",
        "arch",
        "az",
        "private_ip",
        "started_at",
        "stopped_at",
        "stop_code",
        "stopped_reason",
        "containers",
        "tags",
    ]:
        assert key in task, key
    assert task["capacity_provider"] == "FARGATE_SPOT" and task["arch"] == "arm64"
    assert isinstance(task["cpu"], int) and task["cpu"] == 1024 and task["memory"] == 2048
    assert set(task["containers"][0]) >= {
        "name",
        "image",
        "last_status",
        "exit_code",
        "reason",
        "health",
    }
    stopped = next(t for t in doc["tasks"] if t["arn"] in world.stopped)
    assert stopped["stopped_reason"] == "Essential container in task exited"
    assert stopped["service"] is None and stopped["tags"] == {"job": "nightly"}
    svc = next(s for s in doc["services"] if s["name"] == "svc-01")
    for key in [
        "name",
        "arn",
        "cluster",
        "region",
        "status",
        "desired",
        "running",
        "pending",
        "deployments",
        "events",
    ]:
        assert key in svc, key
    dep = svc["deployments"][0]
    assert set(dep) >= {
        "status",
        "rollout_state",
        "task_definition",
        "desired",
        "running",
        "pending",
        "failed_tasks",
    }
    sources = {s["name"]: s for s in doc["sources"]}
    why_sources = {
        f"{kind}:{region}"
        for kind in ("deployments", "elb-health", "alarms", "scaling")
        for region in ("us-east-1", "eu-west-1")
    }
    assert set(sources) == {
        "ecs:us-east-1",
        "ecs:eu-west-1",
        "cloudwatch",
        "compute-optimizer",
        *why_sources,
    }
    assert all(s["ok"] and not s["stale"] for s in sources.values())
    # No service of this world has a load balancer: no target health to ask.
    assert all(s["api_calls"] > 0 for n, s in sources.items() if not n.startswith("elb-health"))
    # Compute Optimizer (the fake: most accounts are not enrolled) is one note, not an error.
    optimizer = doc["compute_optimizer"]
    assert optimizer["enrolled"] is False and optimizer["recommendations"] == []
    assert optimizer["not_enrolled_regions"] == ["us-east-1", "eu-west-1"]
    assert "not enrolled" in optimizer["note"] and doc["notes"] == []
    # Metrics: moto holds no datapoints, so the latest values are unknown, never zero.
    assert task["cpu_percent"] is None and svc["memory_percent"] is None
    assert doc["metrics"]["metrics_requested"] > 0
    # Cost: every running task is priced, the total is their sum. The fake world's ARM
    # workers run on FARGATE_SPOT (offered since 2024-09-06): priced at the ARM Spot rate,
    # below the x86 Spot rate of a task of the same size.
    running = [t for t in doc["tasks"] if t["last_status"] == "RUNNING"]
    arm_spot = [
        t for t in running if t["arch"] == "arm64" and t["capacity_provider"] == "FARGATE_SPOT"
    ]
    assert arm_spot and all(t["cost_per_hour"] > 0 for t in running)
    assert doc["cost"]["unpriced"] == [] and doc["cost"]["unpriced_reasons"] == {}
    regions = {t["region"] for t in arm_spot}
    assert (
        set(doc["cost"]["spot_arm_dates"])
        | {f.split()[0] for f in doc["cost"]["derived_figures"] if f.endswith("spot_arm")}
        == regions
    )
    from fgtop.cost.estimate import size_rate
    from fgtop.cost.prices import load_price_table

    table = load_price_table(Path("/nonexistent-cache"))
    for t in arm_spot:
        prices = table.regions[t["region"]]
        arm = size_rate(prices, t["cpu"], t["memory"], arch="arm64", spot=True)
        x86 = size_rate(prices, t["cpu"], t["memory"], spot=True)
        assert t["cost_per_hour"] == float(arm.quantize(Decimal("0.000001"))) and arm < x86
    assert abs(doc["cost"]["per_hour"] - sum(t["cost_per_hour"] for t in running)) < 1e-5
    assert doc["cost"]["notes"] == []
    # Right-sizing: moto gives no metrics and no running tasks of the services' own
    assert set(doc["rightsizing"]) == {"suggestions", "held"}
    assert doc["cost"]["discount"] == 0 and doc["cost"]["per_hour_list"] == doc["cost"]["per_hour"]
    assert doc["cost"]["price_table_date"]
    assert all("cost_per_hour" in s and "cost_so_far" in s for s in doc["services"])
    # Problems: moto's services run none of their desired tasks.
    below = [p for p in doc["problems"] if p["target"] == svc["arn"]]
    assert below and set(below[0]) >= {"severity", "kind", "target", "reason", "next_step"}


def test_snapshot_json_holds_compute_optimizer_recommendations(
    moto: str, compute_optimizer: FakeComputeOptimizer, tmp_path: Path
) -> None:
    world = build_world(moto, big_cluster_tasks=2, services=2)
    arn = f"arn:aws:ecs:us-east-1:123456789012:service/prod/{world.services['prod'][0]}"
    compute_optimizer.state.mode = "ok"
    compute_optimizer.state.recommendations["us-east-1"] = [
        recommendation(arn, options=((512, 1024, 14.6), (256, 512, None))),
        {"serviceArn": 7},  # malformed: skipped and counted
    ]
    proc = fgtop("snapshot", "--region", "us-east-1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    optimizer = json.loads(proc.stdout)["compute_optimizer"]
    assert optimizer["enrolled"] is True and optimizer["note"] is None
    assert optimizer["skipped"] == 1 and optimizer["checked_at"].endswith("Z")
    [rec] = optimizer["recommendations"]
    assert rec["service_arn"] == arn and rec["finding"] == "Overprovisioned"
    assert (rec["region"], rec["cluster"]) == ("us-east-1", "prod")
    assert (rec["current_cpu"], rec["current_memory"]) == (1024, 2048)
    assert rec["options"][0] == {
        "cpu": 512,
        "memory": 1024,
        "monthly_savings": 14.6,
        "monthly_savings_after_discounts": pytest.approx(11.68),
        "savings_percent": 50.0,
        "currency": "USD",
    }
    assert rec["options"][1]["monthly_savings"] is None
    # Turned off in the config file: not asked, not in the document, not a source.
    config = tmp_path / "config.toml"
    config.write_text("compute_optimizer = false\n")
    before = len(compute_optimizer.state.requests)
    proc = fgtop("--config", str(config), "snapshot", "--region", "us-east-1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["compute_optimizer"] is None
    assert "compute-optimizer" not in {s["name"] for s in doc["sources"]}
    assert len(compute_optimizer.state.requests) == before


def test_snapshot_table_region_from_aws_region(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    build_world(moto, big_cluster_tasks=4, services=2)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    proc = fgtop("snapshot", "--format", "table")
    assert proc.returncode == 0, proc.stderr
    # The tables are the dashboard's (the kinds' columns): the task grid's PROVIDER says SPOT.
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("TASK "))  # the task id first
    at = header.index("PROVIDER")
    tasks = lines[lines.index(header) + 1 :]
    assert "svc-01" in proc.stdout and any(line[at:].startswith("SPOT ") for line in tasks)


def _env_without_aws(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(tmp_path)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def test_no_region_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = fgtop("snapshot", env=_env_without_aws(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert (
        "no AWS region" in proc.stderr and "--region" in proc.stderr and "fgtop demo" in proc.stderr
    )


def test_no_credentials_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = fgtop("snapshot", "--region", "eu-west-1", env=_env_without_aws(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "no AWS credentials" in proc.stderr and "fgtop demo" in proc.stderr


def test_dashboard_without_credentials_exits_2(tmp_path: Path) -> None:
    proc = fgtop("--region", "eu-west-1", env=_env_without_aws(tmp_path))
    assert proc.returncode == 2 and "no AWS credentials" in proc.stderr


def test_unknown_profile(tmp_path: Path) -> None:
    proc = fgtop("--profile", "nope", "snapshot", env=_env_without_aws(tmp_path))
    assert proc.returncode == 2 and "AWS profile 'nope' (from --profile) not found" in proc.stderr


def test_unknown_cluster(moto: str) -> None:
    build_world(moto, big_cluster_tasks=2, services=1)
    proc = fgtop("snapshot", "--region", "us-east-1", "--cluster", "prod", "--cluster", "nope")
    assert proc.returncode == 2
    assert "unknown cluster nope" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_refresh_is_refused(moto: str) -> None:
    # The dashboard's --refresh (a one-off snapshot has none; `fgtop record` is in
    # tests/integration/test_cli_commands.py).
    proc = fgtop("--region", "us-east-1", "--refresh", "0.1")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["fgtop: --refresh must be a number >= 1, got 0.1"]


def test_snapshot_takes_no_refresh(moto: str) -> None:
    proc = fgtop("snapshot", "--region", "us-east-1", "--refresh", "5")
    assert proc.returncode == 2 and "unrecognized arguments: --refresh 5" in proc.stderr


@pytest.mark.parametrize("args", [["--help"], ["snapshot", "--help"]])
def test_help_texts(args: list[str]) -> None:
    proc = fgtop(*args)
    assert proc.returncode == 0
    assert "--region" in proc.stdout


async def test_snapshot_lists_fargate_pods_from_the_kubeconfig(moto: str, tmp_path: Path) -> None:
    """ECS from moto and pods from a fake Kubernetes API, reached through a real kubeconfig."""
    import asyncio

    from tests.fakes.kube_server import FakeKube, make_pod, write_kubeconfig

    build_world(moto, big_cluster_tasks=2, services=1)
    async with FakeKube(token="t0k") as kube:
        kube.add("pods", make_pod("web-1", "shop", profile="fp-shop"))
        kube.add("pods", make_pod("crash-1", "shop", waiting="CrashLoopBackOff", restarts=7))
        kube.add("pods", make_pod("ec2-pod", "shop", fargate=False, profile=None))
        config = write_kubeconfig(
            tmp_path / "kubeconfig", kube.url, token="t0k", context="shop-eks"
        )
        env = dict(os.environ, KUBECONFIG=str(config))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "fgtop",
            "snapshot",
            "--region",
            "us-east-1",
            "--no-metrics",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    doc = json.loads(out)
    pods = {p["name"]: p for p in doc["pods"]}
    assert set(pods) == {"web-1", "crash-1"}, doc["sources"]  # Fargate pods only by default
    assert pods["crash-1"]["restarts"] == 7 and "CrashLoopBackOff" in pods["crash-1"]["reason"]
    for key in (
        "namespace",
        "cluster",
        "context",
        "phase",
        "ready",
        "fargate_profile",
        "capacity_provisioned",
        "node",
        "ip",
        "started_at",
    ):
        assert key in pods["web-1"], key
    assert pods["web-1"]["fargate_profile"] == "fp-shop" and pods["web-1"]["context"] == "shop-eks"
    kube_health = next(s for s in doc["sources"] if s["name"].startswith("kube:"))
    assert kube_health["ok"] and kube_health["api_calls"] >= 3


def _no_retry_override() -> dict[str, str]:
    """The environment without the tests' ``AWS_MAX_ATTEMPTS=1``: the real retry policy."""
    return {k: v for k, v in os.environ.items() if k != "AWS_MAX_ATTEMPTS"}


def test_snapshot_retries_an_optional_source_500_once(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    build_world(moto, big_cluster_tasks=2, services=2)
    compute_optimizer.state.mode = "broken"  # HTTP 500 on every call
    proc = fgtop("snapshot", "--region", "us-east-1", "--format", "json", env=_no_retry_override())
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    sources = {s["name"]: s for s in doc["sources"]}
    optimizer = sources["compute-optimizer"]
    assert optimizer["ok"] is False and optimizer["essential"] is False
    assert "InternalServerException" in optimizer["error"] or "500" in optimizer["error"]
    assert sources["ecs:us-east-1"]["ok"] is True and sources["ecs:us-east-1"]["essential"]
    # One call and one retry, where the other clients retry four times with backoff.
    assert len(compute_optimizer.state.requests) == 2
    assert doc["tasks"]


def test_snapshot_does_not_wait_for_an_optional_source_that_never_answers(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    import time

    world = build_world(moto, big_cluster_tasks=2, services=2)
    compute_optimizer.state.mode = "hang"
    compute_optimizer.state.hang_seconds = 20.0
    started = time.monotonic()
    proc = fgtop("snapshot", "--region", "us-east-1", "--format", "json", "--optional-wait", "1")
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    sources = {s["name"]: s for s in doc["sources"]}
    optimizer = sources["compute-optimizer"]
    assert optimizer["late"] is True and optimizer["ok"] is False
    assert "no answer within" in optimizer["error"]
    assert sources["ecs:us-east-1"]["late"] is False and sources["ecs:us-east-1"]["ok"]
    assert {t["arn"] for t in doc["tasks"]} >= set(world.tasks["prod"])
    # Compute Optimizer's own call timeout is 10 s: the snapshot did not wait for it.
    assert took < 9.0, f"fgtop snapshot took {took:.1f} s"

"""``fgtop snapshot`` (the installed command) against moto and the why fakes: the JSON carries
each service's deployment history, target health, alarms and scaling, and the alarms with their
state changes; each why source reports its own health."""

from __future__ import annotations

import json

from tests.fakes.why_world import REGION, why_world
from tests.integration.test_cli_snapshot import fgtop


def test_snapshot_json_carries_the_why_parts(moto: str, why) -> None:
    world = why_world(moto, why)
    proc = fgtop("snapshot", "--region", REGION, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (web,) = [s for s in doc["services"] if s["name"] == "web"]

    history = web["deployment_history"]
    assert [d["status"] for d in history] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    failed = history[0]
    assert failed["arn"] == world.deployment and failed["id"] == "Bad0Deploy1"
    assert (
        failed["task_definition"] == world.bad_td
        and failed["source_task_definition"] == world.good_td
    )
    assert failed["circuit_breaker"] == {"status": "TRIGGERED", "failure_count": 3, "threshold": 3}
    assert failed["rollback"]["task_definition"] == world.good_td
    assert failed["rollback"]["started_at"].endswith("Z")

    targets = {t["target"]: t for t in web["target_health"]}
    assert set(targets) == set(world.ips)
    bad = targets[world.bad_ip]
    assert bad["state"] == "unhealthy" and bad["reason"] == "Target.ResponseCodeMismatch"
    assert bad["task"] in world.tasks and bad["target_group"] == world.target_group
    assert bad["unhealthy_since"] is not None

    assert web["alarms"] == ["web-cpu-high"]
    assert (
        web["scaling"]["min"] == 1 and web["scaling"]["max"] == 2 and web["scaling"]["desired"] == 2
    )
    assert [a["not_scaled"] for a in web["scaling"]["activities"]] == [["AlreadyAtMaxCapacity"], []]

    (alarm,) = doc["alarms"]
    assert alarm["state"] == "ALARM" and alarm["services"] == [world.service]
    assert alarm["dimensions"] == {"ClusterName": "prod", "ServiceName": "web"}
    assert [(c["alarm"], c["new_state"]) for c in doc["alarm_history"]] == [
        ("web-cpu-high", "ALARM")
    ]

    sources = {s["name"]: s for s in doc["sources"]}
    for kind in ("deployments", "elb-health", "alarms", "scaling"):
        health = sources[f"{kind}:{REGION}"]
        assert health["ok"] and not health["stale"] and health["api_calls"] > 0, health

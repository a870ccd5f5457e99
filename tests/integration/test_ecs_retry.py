"""The last ECS faults that lost a region: one slow call, a denied ListTasks.

``fgtop snapshot`` runs against moto behind the fault proxy, with ``call_timeout = 1`` in its
config file. A call slower than that is retried once, inside the same poll (the snapshot has
no next poll): the region keeps its services and tasks. A denied ``ListTasks`` keeps the
services (``DescribeServices`` answers) and names what is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import pytest

from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from tests.fakes.fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


async def snapshot(*extra: str) -> tuple[int, dict, str, float]:
    """``fgtop snapshot`` (exit code, JSON, stderr, seconds), the proxy answering meanwhile."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "fgtop" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("call_timeout = 1\n")
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fgtop", "snapshot", "--region", REGION, "--no-metrics", *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    doc = json.loads(out) if out.strip() else {}
    return proc.returncode or 0, doc, err.decode(), time.monotonic() - started


@pytest.mark.parametrize(
    "op", ["ListClusters", "DescribeClusters", "ListServices", "ListTasks", "DescribeTasks"]
)
async def test_a_call_slow_once_is_retried_inside_the_snapshot(
    web_proxy: FaultProxy, op: str
) -> None:
    web_proxy.delay = {op: 25.0}
    web_proxy.delay_first = {op: 1}  # the first call hangs; the retry answers
    code, doc, err, took = await snapshot()
    assert code == 0, err
    assert web_proxy.calls[op] >= 2  # asked again
    assert [s["name"] for s in doc["services"]] == ["web"], err
    assert len(doc["tasks"]) == 2
    [health] = [h for h in doc["sources"] if h["name"] == f"ecs:{REGION}"]
    assert health["ok"] and not health.get("error"), health
    assert took < 20  # one timeout (1 s) and the retry, not the 25 s


async def test_a_call_slow_twice_gives_the_region_up_with_one_line(web_proxy: FaultProxy) -> None:
    web_proxy.delay = {"DescribeTasks": 25.0}
    web_proxy.delay_first = {"DescribeTasks": 2}
    code, doc, err, took = await snapshot()
    assert code == 0, err
    [health] = [h for h in doc["sources"] if h["name"] == f"ecs:{REGION}"]
    assert not health["ok"]
    assert health["error"] == "DescribeTasks timed out after 1s (tried twice)"
    assert took < 20


async def test_a_denied_list_tasks_keeps_the_services(web_proxy: FaultProxy) -> None:
    web_proxy.deny = {"ListTasks"}
    aws = Aws(regions=[REGION])
    source = EcsSource(aws, REGION)
    try:
        part = await source.poll()
        assert [s.name for s in part["services"]] == ["web"] and part["tasks"] == ()
        assert source.degraded() == "ListTasks denied (needs ecs:ListTasks): tasks not listed"
        web_proxy.deny = set()  # allowed again: the tasks come, the mark clears
        part = await source.poll()
        assert len(part["tasks"]) == 2 and source.degraded() is None
        web_proxy.deny = {"ListTasks"}  # denied again: the last tasks listed stay
        part = await source.poll()
        assert len(part["tasks"]) == 2 and "ListTasks denied" in (source.degraded() or "")
    finally:
        await aws.close()
    code, doc, err, _took = await snapshot()
    assert code == 0, err
    assert [s["name"] for s in doc["services"]] == ["web"] and doc["tasks"] == []
    [health] = [h for h in doc["sources"] if h["name"] == f"ecs:{REGION}"]
    assert health["error"] == "ListTasks denied (needs ecs:ListTasks): tasks not listed"

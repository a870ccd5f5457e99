"""A slow ECS operation marks the ECS source stale; the rest keep refreshing; recovery clears it.

The fault proxy in front of moto holds one ECS operation for 25 s. ``Aws(call_timeout=...)``
(the config's ``call_timeout``) bounds every call of every source, CloudWatch's included.
"""

from __future__ import annotations

import time

import pytest

from fgtop.config import Config, load_config
from fgtop.engine.core import Engine
from fgtop.sources.aws import CALL_TIMEOUT, Aws
from fgtop.sources.cloudwatch import CloudWatchSource
from fgtop.sources.ecs import EcsSource
from tests.fakes.fault_proxy import FaultProxy

REGION = "us-east-1"


def health(snapshot, name: str):  # noqa: ANN001, ANN201
    return next(h for h in snapshot.sources if h.name == name)


@pytest.mark.parametrize("op", ["DescribeTasks", "ListTasks", "DescribeServices"])
async def test_a_slow_ecs_operation_marks_ecs_stale_and_recovers(
    web_proxy: FaultProxy, op: str
) -> None:
    aws = Aws(regions=[REGION], call_timeout=1.0)
    engine = Engine([EcsSource(aws, REGION), CloudWatchSource(aws)], meta={"regions": (REGION,)})
    engine.closers.append(aws.close)
    try:
        good = await engine.poll_once()
        assert len(good.tasks) == 2 and health(good, f"ecs:{REGION}").ok

        web_proxy.delay = {op: 25.0}
        started = time.monotonic()
        snapshot = await engine.poll_once()
        assert time.monotonic() - started < 10  # did not wait for the answer
        ecs = health(snapshot, f"ecs:{REGION}")
        assert not ecs.ok and ecs.stale
        assert ecs.error == f"{op} timed out after 1s (tried twice)"  # retried once
        assert len(snapshot.tasks) == 2  # the last good part stays, marked stale
        assert health(snapshot, "cloudwatch").ok  # the rest keep refreshing

        web_proxy.delay = {}  # ECS answers again: the mark clears
        snapshot = await engine.poll_once()
        ecs = health(snapshot, f"ecs:{REGION}")
        assert ecs.ok and not ecs.stale and ecs.error is None
    finally:
        await engine.stop()


def test_one_setting_for_every_source(tmp_path) -> None:  # noqa: ANN001
    assert Config().call_timeout == CALL_TIMEOUT == 10.0
    path = tmp_path / "config.toml"
    path.write_text("call_timeout = 3\n")
    cfg = load_config(path)
    aws = Aws(regions=[REGION], call_timeout=cfg.call_timeout)
    assert aws.call_timeout == 3.0
    assert CloudWatchSource(aws).timeout == 3.0
    assert CloudWatchSource(aws, timeout=1.0).timeout == 1.0

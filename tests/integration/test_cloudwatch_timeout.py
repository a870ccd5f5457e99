"""A slow CloudWatch marks the metrics stale and leaves the rest refreshing (moto behind a proxy).

The fault proxy holds GetMetricData for 25 s; the source gives up after its timeout, the
engine keeps the ECS part fresh, the metrics part is marked stale with a one-line reason, and
a prompt answer clears the mark.
"""

from __future__ import annotations

import time

from fgtop.engine.core import Engine
from fgtop.sources.aws import Aws
from fgtop.sources.cloudwatch import CALL_TIMEOUT, CloudWatchSource
from fgtop.sources.ecs import EcsSource
from tests.fakes.fault_proxy import FaultProxy

REGION = "us-east-1"


def health(snapshot, name: str):  # noqa: ANN001, ANN201
    return next(h for h in snapshot.sources if h.name == name)


async def test_a_cloudwatch_answering_after_25s_is_marked_stale(web_proxy: FaultProxy) -> None:
    assert CALL_TIMEOUT == 10.0  # the default; the test waits 1 s, not 10
    web_proxy.delay = {"GetMetricData": 25.0}
    aws = Aws(regions=[REGION])
    engine = Engine(
        [EcsSource(aws, REGION), CloudWatchSource(aws, timeout=1.0)], meta={"regions": (REGION,)}
    )
    engine.closers.append(aws.close)
    try:
        started = time.monotonic()
        snapshot = await engine.poll_once()
        assert time.monotonic() - started < 10  # did not wait for the answer
        assert len(snapshot.tasks) == 2 and health(snapshot, f"ecs:{REGION}").ok
        cw = health(snapshot, "cloudwatch")
        assert not cw.ok and cw.stale
        assert cw.error == "GetMetricData timed out after 1s"
        assert web_proxy.calls["GetMetricData"] >= 1

        web_proxy.delay = {}  # CloudWatch answers again: the mark clears
        snapshot = await engine.poll_once()
        cw = health(snapshot, "cloudwatch")
        assert cw.ok and not cw.stale and cw.error is None
    finally:
        await engine.stop()

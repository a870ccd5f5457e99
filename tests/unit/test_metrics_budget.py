"""The CloudWatch bill of keeping fgtop open, and bounded memory.

A 1,000-task account (50 services of 20 tasks, Container Insights with enhanced observability)
with 40 tasks on screen, driven for one simulated hour through a real Engine with a fake clock,
against moto's CloudWatch over HTTP.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest

from fgtop.engine.core import Engine
from fgtop.model.metrics import USD_PER_METRIC
from fgtop.sources.aws import Aws
from fgtop.sources.cloudwatch import CloudWatchSource
from fgtop.sources.ring import PointRing
from tests.fakes.accounts import REGION, Account, Clock


@pytest.fixture
async def aws(moto: str) -> AsyncIterator[Aws]:
    aws = Aws(regions=[REGION])
    yield aws
    await aws.close()


async def test_one_hour_of_a_1000_task_account_with_40_on_screen(aws: Aws) -> None:
    account = Account()
    assert len(account.tasks) == 1000
    t0 = math.floor(time.time() / 3600) * 3600 - 3600
    clock = Clock(t0 + 10)
    cw = CloudWatchSource(aws)
    engine = Engine([account, cw], clock=clock)
    await engine.poll_once(phase=0)  # the task list arrives first

    asked_tasks: set[str] = set()
    per_poll: list[int] = []
    for minute in range(60):
        clock.now = t0 + 10 + 60 * minute
        # The user scrolls once, half way through the hour.
        first = 0 if minute < 30 else 500
        engine.hints.visible_tasks = tuple(t.arn for t in account.tasks[first : first + 40])
        engine.hints.selected = engine.hints.visible_tasks[0]
        before = cw.usage(clock.now).metrics_requested
        snap = await engine.poll_once()
        per_poll.append(snap.metrics_usage.metrics_requested - before)
        asked_tasks |= {
            d["Value"]
            for r in cw.requests
            for q in r["queries"]
            for d in q["MetricStat"]["Metric"]["Dimensions"]
            if d["Name"] == "TaskId"
        }
        # A second look within the same minute asks for nothing.
        clock.now += 20
        await engine.poll_once()
        assert cw.requests == []

    # Every minute: 50 services x (CPU, memory) + 40 tasks x (CPU, memory), each asked once.
    assert per_poll == [50 * 2 + 40 * 2] * 60
    usage = snap.metrics_usage
    assert usage.metrics_requested == 180 * 60 == 10_800
    assert usage.per_hour_projected == 10_800
    assert usage.cost_usd == pytest.approx(0.108)
    # Only the 80 tasks that were ever on screen were asked for, never the other 920.
    assert asked_tasks == {f"t{i:04d}" for i in [*range(40), *range(500, 540)]}
    # Naive: every task's CPU and memory, every 5 s refresh.
    naive = 1000 * 2 * (3600 // 5)
    assert naive * USD_PER_METRIC == pytest.approx(14.40)
    assert usage.metrics_requested * 100 < naive


def test_ring_memory_is_flat_over_a_day() -> None:
    ring = PointRing(720)
    for minute in range(24 * 60):
        ring.merge([(minute * 60.0, float(minute))])
        assert len(ring) <= 720
    assert len(ring) == 720
    points = ring.points()
    assert points[0] == (720 * 60.0, 720.0) and points[-1] == (1439 * 60.0, 1439.0)


def test_ring_merges_late_and_backfilled_points_in_order() -> None:
    ring = PointRing(5)
    assert ring.merge([(300.0, 3.0), (360.0, 4.0)]) == 2
    assert ring.merge([(120.0, 1.0), (180.0, 2.0), (360.0, 4.5)]) == 3  # older + a correction
    assert ring.points() == ((120.0, 1.0), (180.0, 2.0), (300.0, 3.0), (360.0, 4.5))
    assert ring.merge([(120.0, 1.0)]) == 0
    ring.merge([(0.0, 0.0), (60.0, 0.5)])  # over maxlen: the oldest go
    assert [t for t, _ in ring.points()] == [60.0, 120.0, 180.0, 300.0, 360.0]
    ring.drop_before(200.0)
    assert ring.first == 300.0 and ring.last == 360.0
    with pytest.raises(ValueError):
        PointRing(0)


def test_metrics_source_never_imports_textual() -> None:
    code = (
        "import sys, fgtop.sources.cloudwatch, fgtop.sources.ring, fgtop.ui.widgets.bars; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

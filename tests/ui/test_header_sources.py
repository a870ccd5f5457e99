"""The header: one line per source with a problem, essential sources first; an optional
source's notice goes when it next answers."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from textual.pilot import Pilot

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.model import SourceHealth
from fgtop.sources.aws import Aws
from fgtop.sources.optimizer import OptimizerSource
from fgtop.ui.app import create_app
from fgtop.ui.widgets.header_bar import PROBLEM_LINES, HeaderBar
from tests.fakes.compute_optimizer import FakeComputeOptimizer
from tests.fakes.snapshots import sample_snapshot
from tests.ui.helpers import push, pushed_app

SIZE = (120, 40)
KUBE_401 = (
    "Kubernetes API 401 Unauthorized: the token of context fault-ctx expired; run aws eks get-token"
)


def header_lines(app) -> list[str]:  # noqa: ANN001
    """The header's lines as the screen shows them (its region of the screen)."""
    header = app.screen.query_one(HeaderBar)
    strips = app.screen._compositor.render_strips()  # noqa: SLF001
    region = header.region
    return [
        "".join(seg.text for seg in strips[y]).rstrip()
        for y in range(region.y, region.y + region.height)
    ]


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)
    return value


async def test_one_line_per_problem_source_essential_first() -> None:
    snap = sample_snapshot(extra_tasks=1)
    optimizer = SourceHealth(
        "compute-optimizer",
        ok=False,
        stale=True,
        essential=False,
        error="An error occurred (InternalServerException) when calling the "
        "GetECSServiceRecommendations operation (reached max retries: 1): try again " * 2,
    )
    metrics = SourceHealth(
        "cloudwatch", ok=False, stale=True, essential=False, error="GetMetricData timed out"
    )
    kube = SourceHealth("kube:fault-ctx", ok=False, stale=True, error=KUBE_401)
    sources = (*snap.sources, optimizer, metrics, kube)
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, dataclasses.replace(snap, sources=sources))
        await pilot.pause()
        lines = header_lines(app)
        problems = [line for line in lines if line.lstrip().startswith("⚠")]
        # The essential source first and whole, then the optional ones, each on its own line.
        assert problems[0].strip() == f"⚠ kube:fault-ctx: {KUBE_401}"
        assert problems[1].lstrip().startswith("⚠ compute-optimizer: An error occurred")
        assert problems[2].strip() == "⚠ cloudwatch: GetMetricData timed out"
        assert len(lines) == 2 + 3
        # More than PROBLEM_LINES: the last line counts the rest.
        more = tuple(
            SourceHealth(f"kube:ctx-{i}", ok=False, stale=True, error="401") for i in range(4)
        )
        await push(pilot, dataclasses.replace(snap, sources=(*sources, *more)))
        await pilot.pause()
        problems = [ln for ln in header_lines(app) if ln.lstrip().startswith("⚠")]
        assert len(problems) == PROBLEM_LINES
        assert problems[0].strip() == f"⚠ kube:fault-ctx: {KUBE_401}"
        assert problems[-1].strip().startswith("⚠ 4 more sources with problems:"), problems
        assert "compute-optimizer" in problems[-1] and "cloudwatch" in problems[-1]


async def test_an_optional_source_notice_clears_when_it_next_answers(
    moto: str, compute_optimizer: FakeComputeOptimizer
) -> None:
    compute_optimizer.state.mode = "broken"
    aws = Aws(regions=["us-east-1"])
    engine = Engine([OptimizerSource(aws, first_wait=0)], meta={"regions": ("us-east-1",)})
    engine.closers.append(aws.close)
    app = create_app(LiveFeed(engine, Deriver(load_price_table())), land_on_problems=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: any("⚠ compute-optimizer:" in ln for ln in header_lines(app)),
            "the failing source's line",
        )
        compute_optimizer.state.mode = "not_enrolled"  # it answers again
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: not any("⚠" in ln for ln in header_lines(app)) and len(header_lines(app)) == 2,
            "the line to go",
        )

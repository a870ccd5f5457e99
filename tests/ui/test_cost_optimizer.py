"""AWS Compute Optimizer's recommendations in the cost panel, driven through the real feed."""

from __future__ import annotations

import dataclasses

from textual.widgets import Static

from fgtop.model import EcsRecommendation, OptimizerOption, OptimizerStatus, Snapshot, SourceHealth
from fgtop.model.optimizer import NOT_ENROLLED_LINE, OPTIMIZER_SOURCE
from fgtop.sources.optimizer import DENIED_LINE
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.widgets.header_bar import HeaderBar
from tests.ui.helpers import plain, push, pushed_app, settle
from tests.unit.test_cost_panel import estate

SIZE = (200, 60)
EVIL = "[bold red]Overprovisioned[/] \x1b[31m\x07"
ARN = "arn:aws:ecs:us-east-1:1:service/prod/api"


def snapshot(recs: tuple = (), status: OptimizerStatus | None = None, **health) -> Snapshot:
    """The small estate of the cost panel tests (service ``api``), with Compute Optimizer's
    recommendations and status."""
    snap = estate()
    svc = dataclasses.replace(snap.services[0], name="api", arn=ARN)
    tasks = tuple(dataclasses.replace(t, service="api") for t in snap.tasks)
    metrics = tuple(dataclasses.replace(m, target=ARN) for m in snap.metrics)
    sources = (SourceHealth("ecs:us-east-1", last_success=snap.taken_at),)
    if status is not None:
        sources += (SourceHealth(OPTIMIZER_SOURCE, last_success=snap.taken_at, **health),)
    return dataclasses.replace(
        snap,
        services=(svc,),
        tasks=tasks,
        metrics=metrics,
        ecs_recommendations=recs,
        compute_optimizer=status,
        sources=sources,
    )


def rec(finding: str = "Overprovisioned", *, arn: str = ARN) -> EcsRecommendation:
    return EcsRecommendation(
        service_arn=arn,
        region="us-east-1",
        cluster="prod",
        service_name=arn.rsplit("/", 1)[-1],
        finding=finding,
        current_cpu=2048,
        current_memory=8192,
        options=(
            OptimizerOption(1024, 4096, monthly_savings=30.0, currency="USD"),
            OptimizerOption(512, 2048, monthly_savings=55.2, currency="USD"),
        ),
    )


def section(app, name: str) -> str:
    return plain(app.screen.query_one(f"#{name}", Static).content, width=200)


async def show(snap: Snapshot) -> dict[str, str]:
    """Every section of the cost panel and the header, for ``snap``."""
    app = pushed_app()
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, snap)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CostScreen)
        names = ["cost-total", "cost-breakdown", "cost-suggestions", "cost-optimizer"]
        out = {n: section(app, n) for n in names}
        out["header"] = plain(app.screen.query_one(HeaderBar).render(), width=200)
        return out


async def test_recommendations_beside_fgtops_own_right_sizing() -> None:
    other = rec(arn="arn:aws:ecs:us-east-1:1:service/other-cluster/elsewhere")
    shown = await show(snapshot((rec(EVIL), other), OptimizerStatus(regions=("us-east-1",))))
    text = shown["cost-optimizer"]
    assert "AWS Compute Optimizer" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("api"))
    assert "2 vCPU / 8 GB → 0.5 vCPU / 2 GB" in row and "$55.20" in row  # its best option
    # fgtop's own suggestion for the same service, beside it: the same size, with its savings
    # (10% peaks of 2 vCPU / 8 GB stay under 70% of 0.5 vCPU / 2 GB, not of 0.25 vCPU / 1 GB)
    assert row.count("2 vCPU / 8 GB → 0.5 vCPU / 2 GB") == 2 and "/month)" in row
    assert "[bold red]Overprovisioned[/]" in row  # outside text shown as written
    assert "\x1b" not in text and "\x07" not in text
    assert "elsewhere" not in text  # a service fgtop does not watch is left out


async def test_not_enrolled_is_one_line_and_nothing_else_changes() -> None:
    status = OptimizerStatus(regions=("us-east-1",), not_enrolled=("us-east-1",))
    shown = await show(snapshot((), status))
    without = await show(snapshot())
    assert shown["cost-optimizer"].strip() == NOT_ENROLLED_LINE
    assert without["cost-optimizer"].strip() == ""  # not asked: not mentioned
    for name in ("cost-total", "cost-breakdown", "cost-suggestions"):
        assert shown[name] == without[name], name
    assert "compute" not in shown["header"].lower() and "stale" not in shown["header"].lower()


async def test_denied_is_one_line_naming_the_permission() -> None:
    status = OptimizerStatus(regions=("us-east-1",), denied=DENIED_LINE)
    shown = await show(snapshot((), status, ok=False, stale=True, error=DENIED_LINE))
    lines = [line for line in shown["cost-optimizer"].splitlines() if line.strip()]
    assert lines == [f"Compute Optimizer: {DENIED_LINE}"]
    assert "compute-optimizer:GetECSServiceRecommendations" in lines[0]
    assert (
        "2 vCPU / 8 GB → 0.5 vCPU / 2 GB" in shown["cost-suggestions"]
    )  # fgtop's own advice stays


async def test_the_demo_recording_made_without_it_shows_nothing(demo_app) -> None:
    app, _, rec_ = demo_app(20)
    assert rec_.frame(0).compute_optimizer is None and rec_.frame(0).ecs_recommendations == ()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert section(app, "cost-optimizer").strip() == ""
        assert "Right-sizing" in section(app, "cost-suggestions")

"""Pilot tests of the cost panel in a tiny app."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Static

from fgtop.cost.estate import estate_cost
from fgtop.cost.prices import load_price_table
from fgtop.cost.rightsizing import suggest
from fgtop.model import MetricSeries, Service, Snapshot, Task
from fgtop.ui.widgets.cost_panel import CostPanel, hourly, money

T0 = 1_800_000_000.0
CLUSTER = "arn:aws:ecs:us-east-1:1:cluster/prod"
EVIL = "[bold red]evil[/] \x1b[31m"


def estate() -> Snapshot:
    svc = Service(
        name=EVIL,
        arn="arn:aws:ecs:us-east-1:1:service/prod/evil",
        cluster=CLUSTER,
        region="us-east-1",
        status="ACTIVE",
        desired=2,
        running=2,
        pending=0,
    )
    tasks = tuple(
        Task(
            arn=f"arn:aws:ecs:us-east-1:1:task/prod/{i:032x}",
            cluster=CLUSTER,
            region="us-east-1",
            task_definition="td",
            last_status="RUNNING",
            desired_status="RUNNING",
            service=EVIL,
            cpu=2048,
            memory=8192,
            arch="x86_64",
            capacity_provider="FARGATE_SPOT" if i == 2 else "FARGATE",
            started_at=T0,
        )
        for i in range(3)
    )
    points = tuple((T0 + i * 60, 10.0) for i in range(60))
    metrics = (
        MetricSeries(svc.arn, "cpu", "AWS/ECS", points),
        MetricSeries(svc.arn, "memory", "AWS/ECS", points),
    )
    return Snapshot(
        taken_at=T0 + 3600, regions=("us-east-1",), services=(svc,), tasks=tasks, metrics=metrics
    )


class CostApp(App[None]):
    """Mounts only the cost panel."""

    def compose(self) -> ComposeResult:
        yield CostPanel(id="cost")


def text_of(panel: CostPanel, section: str) -> str:
    console = Console(width=160, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(panel.query_one(f"#{section}", Static).content)
    return console.export_text()


def test_money_formatting() -> None:
    assert money(Decimal("1234.565")) == "$1,234.57"
    assert hourly(Decimal("0.024685")) == "$0.0247/h"
    assert money(0.00012, 4) == "$0.0001"


async def test_panel_shows_the_figures(tmp_path: Path) -> None:
    table = load_price_table(tmp_path)
    snap = estate()
    summary = estate_cost(snap, table, now=snap.taken_at)
    suggestions = suggest(snap, table)
    assert suggestions
    app = CostApp()
    async with app.run_test(size=(140, 60)) as pilot:
        panel = app.query_one(CostPanel)
        assert "waiting" in text_of(panel, "cost-total")
        panel.update_cost(summary, suggestions, own_cost_usd=0.0123, own_cost_per_hour_usd=0.036)
        await pilot.pause()
        total = text_of(panel, "cost-total")
        assert hourly(summary.per_hour) in total
        assert money(summary.per_month_projected) in total
        assert hourly(summary.spot_savings_per_hour) in total
        assert "estimate" in total
        breakdown = text_of(panel, "cost-breakdown")
        assert "By cluster" in breakdown and "prod" in breakdown
        assert "FARGATE_SPOT" in breakdown
        assert "[bold red]evil[/]" in breakdown  # a name is data, shown as written
        assert "\x1b" not in breakdown  # control sequences never reach the terminal
        sugg = text_of(panel, "cost-suggestions")
        lines = [ln for ln in sugg.splitlines() if "evil" in ln]
        assert len(lines) == len(suggestions)
        assert money(suggestions[0].monthly_savings) in lines[0]
        assert "2 vCPU / 8 GB → 0.5 vCPU / 2 GB" in sugg
        assert "CPU peak 10% p95 10%" in sugg and "60 samples" in sugg
        # one of the three tasks is on Spot: the move to ARM takes it to ARM Spot
        assert "move to ARM (Graviton), 1 on Spot to ARM Spot" in sugg
        own = text_of(panel, "cost-own")
        assert "$0.0123 so far" in own and "$0.0360/h" in own
        source = text_of(panel, "cost-source")
        assert table.taken_at in source and "Spot prices vary" in source
        # us-east-1's Spot figure is published and dated; none of the figures is derived
        assert "Spot rates as published: us-east-1 2026-09-28." in source
        assert "derived" not in source
        assert "list price (no Savings Plan" in total
        svg = app.export_screenshot()
        assert "Burn&#160;rate" in svg


async def test_panel_without_suggestions(tmp_path: Path) -> None:
    table = load_price_table(tmp_path)
    summary = estate_cost(Snapshot(taken_at=T0), table, now=T0)
    app = CostApp()
    async with app.run_test() as pilot:
        panel = app.query_one(CostPanel)
        panel.update_cost(summary, [], 0.0, 0.0, warnings=["ignored corrupt price table x"])
        await pilot.pause()
        assert "no suggestions" in text_of(panel, "cost-suggestions")
        total = text_of(panel, "cost-total")
        assert "$0.0000/h" in total and "ignored corrupt price table x" in total


async def test_panel_header_names_the_savings_plan_and_the_list_price(tmp_path: Path) -> None:
    table = load_price_table(tmp_path)
    snap = estate()
    summary = estate_cost(snap, table, now=snap.taken_at, discount=0.2)
    app = CostApp()
    async with app.run_test(size=(140, 60)) as pilot:
        panel = app.query_one(CostPanel)
        panel.update_cost(summary, [], own_cost_usd=0.0, own_cost_per_hour_usd=0.0)
        await pilot.pause()
        total = text_of(panel, "cost-total")
        assert total.startswith("list price less 20% Savings Plan")
        assert hourly(summary.per_hour) in total
        assert f"At list price {hourly(summary.per_hour_list)}" in total
        assert summary.per_hour < summary.per_hour_list


async def test_panel_shows_arm_spot_dates_notes_and_each_hold_back_reason(tmp_path: Path) -> None:
    from dataclasses import replace

    from fgtop.cost.rightsizing import Held

    table = load_price_table(tmp_path)
    snap = estate()
    arm_spot = replace(snap.tasks[0], arch="arm64", capacity_provider="FARGATE_SPOT")
    windows = replace(
        snap.tasks[1], os="WINDOWS_SERVER_2022_CORE", capacity_provider="FARGATE_SPOT"
    )
    snap = replace(snap, tasks=(arm_spot, windows, snap.tasks[2]))
    summary = estate_cost(snap, table, now=snap.taken_at)
    held = Held(
        service_arn=snap.services[0].arn,
        service_name=EVIL,
        cluster=CLUSTER,
        region="us-east-1",
        reasons=(
            "load balancer health checks failing (target group api): 1 task stopped for it",
            "1 task stopped in the last 1 h, not by scaling in: [red]boom[/] \x1b[2J",
        ),
        oom_kills=0,
        memory_peak=None,
        peak_of="service",
        window=3600.0,
    )
    app = CostApp()
    async with app.run_test(size=(160, 60)) as pilot:
        panel = app.query_one(CostPanel)
        panel.update_cost(summary, [], 0.0, 0.0, held=[held])
        await pilot.pause()
        source = text_of(panel, "cost-source")
        # the x86 and the ARM Spot rates used, each with its date
        assert "Spot rates as published: us-east-1 2026-09-28, us-east-1 ARM 2026-09-28." in source
        total = text_of(panel, "cost-total")
        assert "1 Windows task on FARGATE_SPOT priced on-demand: Windows has no Fargate Spot" in (
            total
        )
        sugg = text_of(panel, "cost-suggestions")
        assert "Held back: no smaller size, Spot or ARM while the service is unwell" in sugg
        lines = sugg.splitlines()
        first = next(i for i, ln in enumerate(lines) if "load balancer health checks" in ln)
        # one line per reason; outside words shown as written, never as markup or escapes
        assert "not by scaling in: [red]boom[/]" in lines[first + 1]
        assert "\x1b" not in sugg

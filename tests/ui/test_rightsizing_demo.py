"""Right-sizing in the demo at fixed replay times: the services in trouble (shop-recs short of
memory, shop-checkout failing its health checks, shop-search after its failed deployment) are
never offered cheaper capacity and say why, Spot and ARM have their own heading, every saving
shows $/h and $/month, and the "N more" rows expand (issues 14 and 25)."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Static

from fgtop.cost.prices import load_price_table
from fgtop.cost.rightsizing import ARM, RESIZE, SPOT, Rightsizing, rightsize
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.widgets.cost_panel import HELD_TITLE, MAX_ROWS, hourly, money
from tests.ui.helpers import demo_app, plain, settle

RECS, CHECKOUT, SEARCH = "shop-recs", "shop-checkout", "shop-search"


def sizing_at(minutes: float) -> Rightsizing:
    _, player, _ = demo_app(minutes)
    return rightsize(player.current, load_price_table())


def reasons_of(out: Rightsizing, name: str) -> str:
    (held,) = [h for h in out.held if h.service_name == name]
    return " | ".join(held.reasons)


@pytest.mark.parametrize("minutes", [1, 12, 20, 29])
def test_shop_recs_is_held_back_at_every_replay_time(minutes: float) -> None:
    """The rule over the recording itself: no smaller size, Spot or ARM for shop-recs."""
    out = sizing_at(minutes)
    assert out.suggestions, "the demo has savings elsewhere"
    assert RECS not in {s.service_name for s in out.suggestions}
    (held,) = [h for h in out.held if h.service_name == RECS]
    assert held.oom_kills >= 1 and held.memory_peak is not None and held.memory_peak > 80
    assert "OOM kill" in held.reason and "give it more memory" in held.reason
    # Every service held back says why; none is also offered a saving.
    assert all(h.reasons for h in out.held)
    assert not {h.service_name for h in out.held} & {s.service_name for s in out.suggestions}


def test_before_the_incident_only_shop_recs_is_held_back() -> None:
    out = sizing_at(1)
    assert {h.service_name for h in out.held} == {RECS}
    # shop-checkout is healthy yet: its advice is there, the smaller size only because its
    # CPU peak so far (32% of 1 vCPU) stays under 70% of 0.5 vCPU
    mine = {s.kind: s for s in out.suggestions if s.service_name == CHECKOUT}
    assert set(mine) == {RESIZE, ARM, SPOT}
    resize = mine[RESIZE]
    assert resize.current == (1024, 2048) and resize.proposed == (512, 2048)
    assert resize.evidence is not None
    assert 1024 * resize.evidence.cpu_peak / 100 < 0.7 * 512


def test_the_sick_services_are_held_back_with_each_reason() -> None:
    # minute 9: a shop-checkout task fails its target group's health checks (issue 23: the
    # load balancer says so; its container health check passes), before ECS reports it
    nine = sizing_at(9)
    assert reasons_of(nine, CHECKOUT) == (
        "1 task failing the load balancer's health checks now "
        "(target group shop-checkout: Target.ResponseCodeMismatch)"
    )
    # minutes 12 to 29: it was stopped for failing the load balancer's health checks;
    # shop-search's deployment failed (tasks failed to start) and was rolled back
    # (from 10:09:30, minute 21.5, shop-api's CPU alarm is in ALARM to the end: held too)
    for minutes in (12, 20, 29):
        out = sizing_at(minutes)
        alarmed = {"shop-api"} if minutes > 21.5 else set()
        assert {h.service_name for h in out.held} == {CHECKOUT, RECS, SEARCH} | alarmed
        checkout = reasons_of(out, CHECKOUT)
        assert checkout.startswith("load balancer health checks failing (target group ")
        assert "1 task stopped for it in the last 12 h" in checkout
        search = reasons_of(out, SEARCH)
        assert re.search(
            r"deployment of shop-search:\d+ failed \(tasks failed to start\) \d+ min ago, "
            "rolled back",
            search,
        )
        assert "4 tasks stopped in the last 12 h, not by scaling in: CannotPullContainerError" in (
            search
        )
        sick = {CHECKOUT, SEARCH, RECS} | alarmed
        assert not sick & {s.service_name for s in out.suggestions}
        if alarmed:
            assert reasons_of(out, "shop-api").endswith(" in ALARM (CPUUtilization > 60)")


def test_arm_and_spot_advice_in_the_demo() -> None:
    out = sizing_at(20)
    kinds = {(s.service_name, s.kind) for s in out.suggestions}
    # an ARM service may move to Spot (at the ARM Spot rate), an x86 Spot service to ARM Spot
    assert ("shop-api", SPOT) in kinds and ("edge-gateway", SPOT) in kinds
    assert ("shop-cart", ARM) in kinds and ("ingest-worker", ARM) in kinds
    (cart,) = [s for s in out.suggestions if s.service_name == "shop-cart" and s.kind == ARM]
    assert cart.on_spot == 3 and "become ARM on FARGATE_SPOT" in cart.detail
    # edge-logs is ARM on Spot already: nothing cheaper but a smaller size
    assert {k for n, k in kinds if n == "edge-logs"} <= {RESIZE}


async def test_cost_panel_headings_rates_held_back_and_expanding() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CostScreen)

        def section(name: str) -> str:
            return plain(app.screen.query_one(f"#{name}", Static).content, width=200)

        text = section("cost-suggestions")
        resize, capacity = text.split("Cheaper capacity: Spot and ARM")
        resize, capacity = resize.split("Right-sizing: smaller sizes")[1], capacity
        capacity, held = capacity.split(HELD_TITLE)
        assert "FARGATE_SPOT" not in resize and "ARM" not in resize
        assert "FARGATE_SPOT" in capacity and "ARM (Graviton)" in capacity
        for sick in (RECS, CHECKOUT, SEARCH):
            assert sick not in resize and sick not in capacity and sick in held
        assert "OOM kill" in held and "memory peak" in held
        assert "load balancer health checks failing" in held
        assert "deployment of shop-search:" in held and "not by scaling in" in held
        # $/h and $/month for each saving.
        for s in app.insights.suggestions:
            where = resize if s.kind == RESIZE else capacity
            row = next(
                line
                for line in where.splitlines()
                if s.service_name in line and hourly(s.per_hour_savings) in line
            )
            assert money(s.monthly_savings) in row
        # The "N more" rows: folded to MAX_ROWS, expanded with m, folded again with enter.
        by_service = app.insights.cost.by_service
        assert len(by_service) > MAX_ROWS, "the demo has more services than one screen's rows"
        more = re.search(r"(\d+) more", section("cost-breakdown"))
        assert more is not None and int(more.group(1)) >= len(by_service) - MAX_ROWS
        await pilot.press("m")
        assert " more (m" not in section("cost-breakdown")
        labels = app.insights.cost.labels
        breakdown = section("cost-breakdown")
        assert all(labels.get(k, k)[:30] in breakdown for k in by_service)
        await pilot.press("enter")
        assert re.search(r"\d+ more", section("cost-breakdown"))


def test_snapshot_json_tells_the_same_advice_and_hold_backs() -> None:
    from fgtop.config import Config
    from fgtop.derive.pipeline import Deriver
    from fgtop.printer.documents import snapshot_json

    _, player, _ = demo_app(20)
    snap = player.current
    insights = Deriver.from_config(Config(), load_price_table()).derive(snap).insights
    doc = snapshot_json(snap, insights)
    held = {h["service"]: h for h in doc["rightsizing"]["held"]}
    assert set(held) == {CHECKOUT, RECS, SEARCH}
    out = rightsize(snap, load_price_table())
    for h in out.held:
        assert held[h.service_name]["reasons"] == list(h.reasons)
        assert held[h.service_name]["oom_kills"] == h.oom_kills
    kinds = [(s["service"], s["kind"]) for s in doc["rightsizing"]["suggestions"]]
    assert kinds == [(s.service_name, s.kind) for s in out.suggestions]
    # the demo's ARM Spot tasks (edge-logs, us-east-1) are priced at the dated ARM Spot rate
    assert doc["cost"]["spot_arm_dates"] == {"us-east-1": "2026-09-28"}
    logs = [t for t in doc["tasks"] if t["service"] == "edge-logs" and t["cost_per_hour"]]
    assert logs and all(
        t["arch"] == "arm64" and t["capacity_provider"] == "FARGATE_SPOT" for t in logs
    )

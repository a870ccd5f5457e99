"""Right-sizing in the demo at fixed replay times: the OOM-killed shop-recs is never offered
cheaper capacity, Spot and ARM have their own heading, every saving shows $/h and $/month,
and the "N more" rows expand (issue 14, item 11)."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Static

from fgtop.cost.prices import load_price_table
from fgtop.cost.rightsizing import RESIZE, rightsize
from fgtop.ui.screens.cost import CostScreen
from fgtop.ui.widgets.cost_panel import MAX_ROWS, hourly, money
from tests.ui.helpers import demo_app, plain, settle

RECS = "shop-recs"


@pytest.mark.parametrize("minutes", [1, 12, 20, 29])
def test_shop_recs_is_held_back_at_every_replay_time(minutes: float) -> None:
    """The rule over the recording itself: no smaller size, Spot or ARM for shop-recs."""
    _, player, _ = demo_app(minutes)
    out = rightsize(player.current, load_price_table())
    assert out.suggestions, "the demo has savings elsewhere"
    assert RECS not in {s.service_name for s in out.suggestions}
    (held,) = [h for h in out.held if h.service_name == RECS]
    assert held.oom_kills >= 1 and held.memory_peak is not None and held.memory_peak > 80
    # Only services short of memory are held back.
    assert all(h.oom_kills or (h.memory_peak or 0) > 80 for h in out.held)


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
        capacity, held = capacity.split("Held back: short of memory")
        assert "FARGATE_SPOT" not in resize and "ARM" not in resize
        assert "FARGATE_SPOT" in capacity and "ARM (Graviton)" in capacity
        assert RECS not in resize and RECS not in capacity
        assert RECS in held and "OOM kill" in held and "memory peak" in held
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

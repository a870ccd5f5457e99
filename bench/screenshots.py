"""Regenerate the screenshots in docs/ from the bundled demo (deterministic frames).

python bench/screenshots.py

At the moment the demo opens (10:10:30): the problems view and the dashboard at 160x48 (``docs/problems.svg``, ``docs/dashboard.svg``)
and at 80x24, the smallest supported terminal (``docs/problems-80x24.svg``,
``docs/dashboard-80x24.svg``); the cost panel and the logs at 160x48.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TZ", "UTC")

from tests.ui.helpers import demo_app, settle  # noqa: E402

LARGE, SMALL = (160, 48), (80, 24)
OPENS = 22 * 60 + 30
"""Where ``fgtop demo`` opens (10:10:30, the recording's ``opens_at``): what a user first sees."""
SHOTS: dict[str, tuple[float, list[str], tuple[int, int]]] = {
    "dashboard": (OPENS, [], LARGE),
    "dashboard-80x24": (OPENS, [], SMALL),
    "problems": (OPENS, ["exclamation_mark"], LARGE),
    "problems-80x24": (OPENS, ["exclamation_mark"], SMALL),
    "cost": (OPENS, ["c"], LARGE),
    "logs": (OPENS, ["exclamation_mark", "down", "down", "l"], LARGE),
}


async def shot(name: str, offset: float, keys: list[str], size: tuple[int, int]) -> None:
    """Save one screen as docs/<name>.svg."""
    app, _, rec = demo_app(offset / 60)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.8)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.4)
        await settle(pilot)
        app.clear_notifications()
        await pilot.pause(0.3)
        app.save_screenshot(filename=f"{name}.svg", path=str(ROOT / "docs"))
    rec.close()


async def main() -> None:
    """Every screenshot."""
    for name, (offset, keys, size) in SHOTS.items():
        await shot(name, offset, keys, size)
        print(f"docs/{name}.svg")


if __name__ == "__main__":
    asyncio.run(main())

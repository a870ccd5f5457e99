"""Regenerate the screenshots in docs/ from the bundled demo (deterministic frames).

python bench/screenshots.py
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

SHOTS = {
    "dashboard": (15 * 60, []),
    "problems": (20 * 60, ["exclamation_mark"]),
    "cost": (20 * 60, ["c"]),
    "logs": (5, ["exclamation_mark", "down", "down", "l"]),
}


async def shot(name: str, offset: float, keys: list[str]) -> None:
    """Save one screen as docs/<name>.svg."""
    app, _, rec = demo_app(offset / 60)
    async with app.run_test(size=(180, 48)) as pilot:
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
    for name, (offset, keys) in SHOTS.items():
        await shot(name, offset, keys)
        print(f"docs/{name}.svg")


if __name__ == "__main__":
    asyncio.run(main())

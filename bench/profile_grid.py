"""Profile one refresh and one filter keystroke of the dashboard at 5,000 tasks (cProfile).

Prints the top functions by cumulative time for a snapshot pushed through the feed, a frame in which 5% of
tasks changed, then by own time for setting a filter on every table. To profile another
checkout (for "before" figures), put it first on ``PYTHONPATH``.

    python bench/profile_grid.py
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from tests.fakes.estate import Estate  # noqa: E402
from tests.ui.helpers import push, pushed_app  # noqa: E402


async def main() -> None:
    estate = Estate()
    first, following = estate.snapshot(), estate.advance()
    app = pushed_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await push(pilot, first)
        screen = app.screen
        profile = cProfile.Profile()
        profile.enable()
        await push(pilot, following)  # derivation runs in the worker thread, unprofiled
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(28)
        profile = cProfile.Profile()
        profile.enable()
        for table in screen.tables:
            table.filter_text = "svc01"
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    asyncio.run(main())

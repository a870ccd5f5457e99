"""Profile one refresh at 20,000 tasks: where derivation and the tables' ``show_frame`` spend it.

    python bench/profile_refresh.py [--tasks 20000] [--refreshes 3] [--top 25]

The estate of ``tests/fakes/estate.py`` (a 5% change per refresh). Derivation runs here,
under cProfile, for ``--refreshes`` snapshots after a first one; then the real app headless
(``pushed_app``) takes the same snapshots and only its dashboard's ``show_frame`` is profiled.
Prints the functions by cumulative and by own time. For the second half of issue 22 (a refresh
that costs what changed): what is proportional to the estate today.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: fgtop, tests.fakes

from fgtop.cost.prices import load_price_table  # noqa: E402
from fgtop.derive.pipeline import Deriver  # noqa: E402
from tests.fakes.estate import Estate  # noqa: E402
from tests.ui.helpers import push, pushed_app  # noqa: E402


def show(profile: cProfile.Profile, title: str, top: int) -> None:
    """Print the top functions by cumulative time and by own time."""
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(key).print_stats(top)
        print(f"===== {title}, by {key}")
        print("\n".join(out.getvalue().splitlines()[4:]))


async def tables(snaps: list, top: int) -> None:
    """The dashboard's show_frame for each snapshot after the first, profiled."""
    app = pushed_app()
    profile = cProfile.Profile()
    async with app.run_test(size=(200, 50)) as pilot:
        await push(pilot, snaps[0])
        screen = app.screen
        original = screen.show_frame

        def profiled(frame) -> None:  # noqa: ANN001
            profile.enable()
            try:
                original(frame)
            finally:
                profile.disable()

        screen.show_frame = profiled  # type: ignore[method-assign]
        for snap in snaps[1:]:
            await push(pilot, snap)
    show(profile, f"show_frame x{len(snaps) - 1}", top)


def main() -> None:
    """Derivation, then the tables."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=20000)
    ap.add_argument("--refreshes", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    estate = Estate(tasks=args.tasks)
    snaps = [estate.snapshot()] + [estate.advance() for _ in range(args.refreshes)]
    deriver = Deriver(load_price_table())
    deriver.derive(snaps[0])
    profile = cProfile.Profile()
    for snap in snaps[1:]:
        profile.enable()
        deriver.derive(snap)
        profile.disable()
    show(profile, f"derive x{args.refreshes} (a 5% change, {args.tasks:,} tasks)", args.top)
    asyncio.run(tables(snaps, args.top))


if __name__ == "__main__":
    main()

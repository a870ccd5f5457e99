"""Benchmark the dashboard's grids at 5,000 tasks: a refresh, and keys to the next frame.

Runs the real app headless (``create_app`` + ``run_test``) on a 5,000-task estate
(200 services, 4 clusters, 2 regions, 220 task definitions, 500 pods; ``tests/fakes/estate.py``)
and prints, as numbers (median, p95, max):

- refresh: a snapshot published through the feed, a frame in which 5% of tasks changed, split into the whole
  call (derivation included: analyse, alerts, timeline) and the dashboard's part of it
  (``show_snapshot``: the three tables), and from the call to the next rendered frame;
- keys, sent through the driver as a terminal would (no Pilot wait-for-idle), from the key to
  its effect and to the next rendered frame: ``down``, ``pagedown``, filter characters
  (narrowing and widening), ``esc`` clearing the filter, ``s`` (sort, through every column),
  ``S`` (reverse), ``enter`` (a task's details) and ``esc`` back from them.

Keys reach the app as the driver hands them on, after the terminal's bytes are parsed: a lone
``esc`` also waits the parser's escape delay, which this benchmark does not see
(``tests/unit/test_quick_escape.py`` times it; docs/performance.md).

Usage: ``python bench/bench_grid.py [--tasks 5000] [--refreshes 20] [--size 200x50]``
(``--tasks 20000`` for the 20,000-task figures).
To measure another checkout (for "before" figures), run its copy of this script from it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: fgtop, tests.fakes

from textual import events  # noqa: E402

import fgtop  # noqa: E402
from fgtop.ui.widgets.task_grid import TaskGrid  # noqa: E402
from tests.fakes.estate import Estate  # noqa: E402
from tests.ui import helpers  # noqa: E402
from tests.ui.helpers import push, pushed_app  # noqa: E402


async def publish(feed, snapshot) -> None:  # noqa: ANN001
    """Through the feed's engine where its own merges publish (on its poller thread, where
    the checkout has one)."""
    if hasattr(helpers, "publish"):
        await helpers.publish(feed, snapshot)
    else:  # a checkout from before the poller thread: the engine is on this loop
        await feed.engine.publish(snapshot)


MS = 1000


def stats(values: list[float]) -> str:
    """Median, p95 and max in milliseconds."""
    if not values:
        return "n=0"
    s = sorted(values)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return (
        f"n={len(s):<3} median {s[len(s) // 2] * MS:8.1f} ms  p95 {p95 * MS:8.1f} ms"
        f"  max {s[-1] * MS:8.1f} ms"
    )


class Frames:
    """Timestamps of the task grid's rendered lines (the next frame after an effect)."""

    def __init__(self, grid: TaskGrid) -> None:
        self.last = 0.0
        original = grid.render_line

        def render_line(y: int):  # noqa: ANN202
            self.last = time.perf_counter()
            return original(y)

        grid.render_line = render_line  # type: ignore[method-assign]

    async def after(self, t: float, limit: float = 60.0) -> float:
        """Wait for a frame rendered after ``t``; its time."""
        start = time.perf_counter()
        while self.last < t and time.perf_counter() - start < limit:
            await asyncio.sleep(0.001)
        return self.last


class ScreenFrames(Frames):
    """Timestamps of every screen update the app composes (any screen, not only the grid)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.last = 0.0
        original = app._display  # noqa: SLF001

        def display(screen, renderable):  # noqa: ANN001, ANN202
            if renderable is not None:
                self.last = time.perf_counter()
            return original(screen, renderable)

        app._display = display  # noqa: SLF001


async def press(
    app, frames: Frames, key: str, effect: Callable[[], object], char: str | None = None
) -> tuple[float, float] | None:
    """Send one key through the driver; (key -> effect, key -> next frame) in seconds."""
    before = effect()
    t0 = time.perf_counter()
    app._driver.send_message(events.Key(key, char if char is not None else None))  # noqa: SLF001
    while effect() == before and time.perf_counter() - t0 < 60:
        await asyncio.sleep(0)
    t_effect = time.perf_counter()
    if effect() == before:
        return None
    t_frame = await frames.after(t_effect)
    await asyncio.sleep(0.05)  # let the app settle between keys
    return t_effect - t0, t_frame - t0


async def run(n_tasks: int, refreshes: int, size: tuple[int, int]) -> None:
    estate = Estate(tasks=n_tasks)
    first = estate.snapshot()
    updates = [estate.advance() for _ in range(refreshes)]
    print(f"fgtop from {Path(fgtop.__file__).parent}")
    print(
        f"estate: {len(first.tasks):,} tasks, {len(first.services)} services, "
        f"{len(first.pods)} pods, {len({t.task_definition for t in first.tasks})} task "
        f"definitions; {estate.change:.0%} of tasks change per refresh; terminal {size[0]}x{size[1]}"
    )
    app = pushed_app()
    async with app.run_test(size=size) as pilot:
        t0 = time.perf_counter()
        await push(pilot, first)
        print(f"first snapshot applied and shown: {(time.perf_counter() - t0) * MS:.0f} ms")
        screen = app.screen
        grid = screen.query_one(TaskGrid)
        grid.focus()
        await pilot.pause()
        frames = Frames(grid)
        shown: list[float] = []
        original_show = screen.show_frame

        def timed_show(frame) -> None:  # noqa: ANN001
            t = time.perf_counter()
            original_show(frame)
            shown.append(time.perf_counter() - t)

        screen.show_frame = timed_show  # type: ignore[method-assign]
        total, to_frame = [], []
        for snap in updates:
            t = time.perf_counter()
            await publish(app.feed, snap)  # through the feed: derived off this loop
            await app.feed.settled()
            t_done = time.perf_counter()
            total.append(t_done - t)
            to_frame.append(await frames.after(t_done) - t)
            await asyncio.sleep(0.05)
        screen.show_frame = original_show  # type: ignore[method-assign]
        print("refresh (5% of tasks changed)")
        print(f"  published to derived (worker thread)       {stats(total)}")
        print(f"  the dashboard's tables (show_frame)        {stats(shown)}")
        print(f"  published to the next rendered frame       {stats(to_frame)}")

        def cursor() -> object:
            return (grid.cursor_row, grid.scroll_offset.y)

        results: dict[str, list[tuple[float, float]]] = {}

        async def key(  # noqa: ANN202
            label: str,
            k: str,
            effect: Callable[[], object],
            char: str | None = None,
            seen: Frames | None = None,
        ):
            r = await press(app, seen or frames, k, effect, char)
            if r is None:
                print(f"  ({label}: no effect)")
                return
            results.setdefault(label, []).append(r)

        for _ in range(50):
            await key("down", "down", cursor)
        for _ in range(10):
            await key("pagedown", "pagedown", cursor)
        for _ in range(len(grid.COLUMNS)):  # every column once, the live ones (CPU%, $/h) too
            await key("s (sort by the next column)", "s", lambda: grid.sort_column)
            await key("S (reverse)", "S", lambda: grid.sort_reverse)
        await pilot.press("slash")
        await pilot.pause()

        def filt() -> object:
            return grid.filter_text

        for _ in range(3):
            for ch in "svc01":
                await key("filter character (narrowing)", ch, filt, ch)
            for _ in range(3):
                await key("backspace (widening)", "backspace", filt)
            await key("esc (clear the filter)", "escape", filt)
            await pilot.press("slash")
            await pilot.pause()
        for ch in "u":  # one character that nearly every row matches
            await key("filter character (narrowing)", ch, filt, ch)
        await key("esc (clear the filter)", "escape", filt)

        def shown_screen() -> object:
            return type(app.screen).__name__

        screens = ScreenFrames(app)
        for _ in range(5):
            grid.focus()
            await pilot.pause()
            await key("enter (a task's details)", "enter", shown_screen, seen=screens)
            await key("esc (back from the details)", "escape", shown_screen, seen=screens)
        print("keys: key -> effect | key -> next frame")
        for label, values in results.items():
            effects = [v[0] for v in values]
            frames_ = [v[1] for v in values]
            print(f"  {label:<30} effect {stats(effects)}")
            print(f"  {'':<30} frame  {stats(frames_)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--refreshes", type=int, default=20)
    parser.add_argument("--size", default="200x50")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    asyncio.run(run(args.tasks, args.refreshes, (w, h)))


if __name__ == "__main__":
    main()

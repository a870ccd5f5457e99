"""Benchmark the LogView: ingest rate, key latency under load, memory with a full buffer.

Runs a tiny App headless (``App.run_test``), feeds log lines at a target rate (default 10,000
lines a second, in batches every 10 ms) for a few seconds while pressing keys, and prints:

- the ingest rate sustained (lines in the buffer per second) and the event-loop lag;
- key latency p50/p95/max: from the press to the handler's effect, and to the next frame
  (the first ``render_line`` after the effect);
- memory (tracemalloc) held by a full 10,000-line buffer, and peak while rendering.

Usage: ``python bench/bench_logs.py [--rate 10000] [--seconds 5] [--max-lines 10000]``.
Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import tracemalloc

from textual import events
from textual.app import App, ComposeResult

from fgtop.model.logs import LogLine
from fgtop.ui.widgets.log_view import LogView

TASKS = [f"arn:aws:ecs:eu-west-1:123456789012:task/prod/{i:032x}" for i in range(6)]
WORDS = [
    *("request", "served", "cache", "miss", "upstream", "timeout"),
    *("retry", "user", "order", "payment", "db", "pool"),
]


_POOL: list[str] = []


def make_line(n: int, rng: random.Random) -> LogLine:
    """A line from a pool made beforehand, so the benchmark measures the view, not random()."""
    if not _POOL:
        _POOL.extend(make_message(i, rng) for i in range(20_000))
    return LogLine(TASKS[n % len(TASKS)], "app", 1.7e9 + n / 1000, _POOL[n % 20_000], f"ev{n}")


def make_message(n: int, rng: random.Random) -> str:
    """A realistic message: plain text, JSON, or with ANSI colours; ~100-200 characters."""
    kind = n % 5
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
    if kind == 0:
        level = rng.choice(["info", "info", "warn", "error", "debug"])
        message = json.dumps({"level": level, "msg": words, "n": n, "trace": f"{n:016x}"})
    elif kind == 1:
        message = f"\x1b[32mINFO\x1b[0m {words} id={n}"
    else:
        message = f"2024-05-01T12:00:00Z {rng.choice(['INFO', 'WARN', 'ERROR'])} {words} n={n}"
    return message


class BenchApp(App[None]):
    def __init__(self, max_lines: int) -> None:
        super().__init__()
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.max_lines, show_source=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


EFFECTS = {
    "t": lambda v: v.timestamps,
    "w": lambda v: v.wrap,
    "j": lambda v: v.json,
    "pageup": lambda v: v.follow,
    "end": lambda v: v.follow,
}


async def load(rate: int, seconds: float, max_lines: int) -> None:
    app = BenchApp(max_lines)
    rng = random.Random(1)
    make_line(0, rng)  # build the message pool outside the measurement
    async with app.run_test(size=(160, 50)):
        view = app.query_one(LogView)
        view.lines.focus()
        last_render = [0.0]
        original = view.lines.render_line

        def render_line(y: int):
            last_render[0] = time.perf_counter()
            return original(y)

        view.lines.render_line = render_line  # type: ignore[method-assign]
        flush_times: list[float] = []
        original_flush = view._flush

        def timed_flush() -> None:
            t0 = time.perf_counter()
            original_flush()
            flush_times.append(time.perf_counter() - t0)

        view._flush = timed_flush  # type: ignore[method-assign]
        stop = asyncio.Event()
        sent = [0]
        lag: list[float] = []

        async def producer() -> None:
            start = time.perf_counter()
            while not stop.is_set():
                due = int((time.perf_counter() - start) * rate)
                if due > sent[0]:
                    view.append_lines([make_line(n, rng) for n in range(sent[0], due)])
                    sent[0] = due
                await asyncio.sleep(0.01)

        async def ticker() -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                await asyncio.sleep(0.01)
                lag.append(time.perf_counter() - t0 - 0.01)

        tasks = [asyncio.create_task(producer()), asyncio.create_task(ticker())]
        await asyncio.sleep(1.0)  # fill the buffer first
        lag.clear()
        flush_times.clear()
        effect_lat: list[float] = []
        missed: list[str] = []
        by_key: dict[str, list[float]] = {}
        frame_lat: list[float] = []
        keys = ["t", "w", "pageup", "end", "j", "t", "pageup", "w", "end", "j"]
        t_start, n0 = time.perf_counter(), view.buffer.next_no
        i = 0
        while time.perf_counter() - t_start < seconds:
            key = keys[i % len(keys)]
            i += 1
            before = EFFECTS[key](view)
            t0 = time.perf_counter()
            # As a terminal would: through the driver, without Pilot's wait-for-idle.
            app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
            while EFFECTS[key](view) == before and time.perf_counter() - t0 < 5:
                await asyncio.sleep(0)
            t_effect = time.perf_counter()
            if EFFECTS[key](view) == before:
                missed.append(key)
                continue
            effect_lat.append(t_effect - t0)
            by_key.setdefault(key, []).append(t_effect - t0)
            while last_render[0] < t_effect and time.perf_counter() - t0 < 5:
                await asyncio.sleep(0.001)
            frame_lat.append(last_render[0] - t0)
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - t_start
        ingested = view.buffer.next_no - n0
        stop.set()
        await asyncio.gather(*tasks)
        ms = 1000
        print(f"target rate           : {rate:,} lines/s for {elapsed:.1f} s, buffer {max_lines:,}")
        print(f"ingest rate sustained : {ingested / elapsed:,.0f} lines/s into the view")
        print(
            f"flush (per frame)     : n={len(flush_times)} p50 {pct(flush_times, 0.5) * ms:.1f} ms"
            f"  p95 {pct(flush_times, 0.95) * ms:.1f} ms  max {max(flush_times) * ms:.1f} ms"
        )
        print(
            f"event-loop lag        : p50 {pct(lag, 0.5) * ms:.1f} ms  p95 {pct(lag, 0.95) * ms:.1f}"
            f" ms  max {max(lag) * ms:.1f} ms"
        )
        print(
            f"key -> effect         : n={len(effect_lat)} p50 {pct(effect_lat, 0.5) * ms:.1f} ms"
            f"  p95 {pct(effect_lat, 0.95) * ms:.1f} ms  max {max(effect_lat) * ms:.1f} ms"
        )
        print(
            "key -> effect by key  : "
            + "  ".join(
                f"{k} {pct(v, 0.5) * ms:.0f}/{max(v) * ms:.0f} ms" for k, v in by_key.items()
            )
        )
        if missed:
            print(f"keys with no visible effect (skipped): {missed}")
        print(
            f"key -> next frame     : p50 {pct(frame_lat, 0.5) * ms:.1f} ms"
            f"  p95 {pct(frame_lat, 0.95) * ms:.1f} ms  max {max(frame_lat) * ms:.1f} ms"
        )


async def memory(max_lines: int) -> None:
    rng = random.Random(2)
    lines = None
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    lines = [make_line(n, rng) for n in range(max_lines)]
    raw = tracemalloc.get_traced_memory()[0] - base
    app = BenchApp(max_lines)
    async with app.run_test(size=(160, 50)) as pilot:
        view = app.query_one(LogView)
        before = tracemalloc.get_traced_memory()[0]
        view.append_lines(lines)
        del lines
        await pilot.pause(0.2)
        view.append_lines([make_line(n, rng) for n in range(max_lines, 2 * max_lines)])
        await pilot.pause(0.2)  # buffer full, the first batch evicted
        held = tracemalloc.get_traced_memory()[0] - before
        await pilot.press("slash", *"timeout", "enter", "f", *"error", "enter", "w", "j")
        await pilot.pause(0.2)
        current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mib = 1024 * 1024
    print(f"memory: {max_lines:,} LogLine objects alone      : {raw / mib:.1f} MiB")
    print(f"memory: full view ({len(view.buffer):,} lines)         : {held / mib:.1f} MiB")
    print(f"memory: after search+filter+wrap+json  : {(current - before) / mib:.1f} MiB")
    print(f"memory: peak traced during the run     : {(peak - base) / mib:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-lines", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(load(args.rate, args.seconds, args.max_lines))
    asyncio.run(memory(args.max_lines))


if __name__ == "__main__":
    main()

"""Benchmark: the live dashboard soaking in a real terminal, with a probe on the UI's loop.

    python bench/bench_soak.py [--tasks 5000] [--duration 180] [--latency 0.05]

The real `fgtop` command (the CLI's own composition: engine, sources, metrics, Compute
Optimizer, derivation, the app) runs in a pseudo-terminal against moto seeded with ``--tasks``
tasks behind the paging and fault proxies (50 ms added to every ECS call; `bench/live_server.py`),
200x50. Inside that process the benchmark adds, before the CLI starts:

- a probe: a callback scheduled every 10 ms on Textual's event loop, timing how late it runs
  (lateness p50 / p99 / max, for the whole run and for the steady state after the first poll);
- a timer around the dashboard's ``show_frame`` (a refresh applied to the tables);
- RSS of the process every 10 s;
- with ``--watchdog``, a watchdog thread: whenever the probe has not run for more than 40 ms,
  it takes the UI thread's stack (and the other threads') a few times during the stall; the
  report prints the most common stacks, each stall with the garbage collections it overlapped
  (``gc.callbacks``' start/stop times), and how late the watchdog itself woke (the GIL held
  elsewhere: a collection or another thread's C code).

It waits for the first task rows, soaks ``--duration`` seconds, presses `q` and times the exit.
These are figures of the live process (the app and the engine, botocore, the clients), not of
the app alone. Numbers, not pass/fail: see docs/performance.md. To measure another checkout
(for "before" figures), put it first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# live_server puts this checkout on the path for tests.fakes (the parent only); the fgtop
# process imports fgtop as installed, or from PYTHONPATH for another checkout.
sys.path.insert(1, str(Path(__file__).resolve().parent))

REPORT_EVERY = 10.0


def pct(values: list[float], p: float) -> float:
    """The ``p`` quantile (0-1) of ``values``."""
    s = sorted(values)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))] if s else 0.0


def rss_mb() -> float:
    """This process's resident set size in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


STALL = 0.04
"""The watchdog samples stacks once the probe has not run for this long."""
SAMPLES_PER_STALL = 6
RAN = 0.5
"""A stall during which the process's CPU time was at least this share of it was the process's
own work (the GIL held by a thread of it); below, the process was waiting for a core."""
STACK_LINES = 30


def watchdog(
    started: float, ui_thread: int, last_tick: list[float], write_to: list[dict]
) -> threading.Thread:
    """A thread sampling the UI thread's stack while the probe is late (``--watchdog``)."""
    import traceback

    def where(frame) -> list[str]:  # noqa: ANN001
        return [
            line.splitlines()[0].strip() for line in traceback.format_stack(frame)[-STACK_LINES:]
        ]

    def run() -> None:
        stall_of = 0.0
        taken = 0
        last_sample = 0.0
        while True:
            before, cpu_before = time.perf_counter(), time.process_time()
            time.sleep(0.005)
            now = time.perf_counter()
            overslept = now - before - 0.005
            since = now - last_tick[0]
            if overslept > 0.02:
                # The GIL was held elsewhere (or the process not scheduled): the process's CPU
                # over the interval tells which; the other threads' stacks, who held it.
                frames = sys._current_frames()
                names = {t.ident: t.name for t in threading.enumerate()}
                write_to.append(
                    {
                        "kind": "woke_late",
                        "t": now - started,
                        "by": overslept,
                        "cpu": time.process_time() - cpu_before,
                        "threads": {
                            names.get(ident, str(ident)): where(f)[-10:]
                            for ident, f in frames.items()
                            if ident != threading.get_ident()
                        },
                    }
                )
            if last_tick[0] <= 0 or since <= STALL:
                continue
            if stall_of != last_tick[0]:
                stall_of, taken = last_tick[0], 0
            if taken >= SAMPLES_PER_STALL or now - last_sample < 0.01:
                continue
            taken += 1
            last_sample = now
            frames = sys._current_frames()
            names = {t.ident: t.name for t in threading.enumerate()}
            ui = frames.get(ui_thread)
            others = {
                names.get(ident, str(ident)): where(f)[-8:]
                for ident, f in frames.items()
                if ident not in (ui_thread, threading.get_ident())
            }
            write_to.append(
                {
                    "kind": "sample",
                    "t": now - started,
                    "stall_from": stall_of - started,
                    "since": since,
                    "ui": where(ui) if ui is not None else [],
                    "others": others,
                }
            )

    thread = threading.Thread(target=run, name="soak-watchdog", daemon=True)
    thread.start()
    return thread


def child(out: str, argv: list[str]) -> int:
    """The fgtop process: hooks in, then the CLI as a user runs it."""
    import asyncio
    import gc
    import threading

    from fgtop.cli.main import main
    from fgtop.ui.app import FgtopApp
    from fgtop.ui.screens.dashboard import DashboardScreen
    from fgtop.ui.widgets.task_grid import TaskGrid

    started = time.perf_counter()
    ui_thread = threading.get_ident()
    collections: list[tuple[int, float, bool, float]] = []
    """(generation, seconds, on the UI's thread, start) of every garbage collection."""
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            took = time.perf_counter() - gc_started[0]
            collections.append(
                (
                    info["generation"],
                    took,
                    threading.get_ident() == ui_thread,
                    gc_started[0] - started,
                )
            )

    gc.callbacks.append(on_gc)
    late: list[tuple[float, float]] = []
    last_tick = [0.0]
    quitting: list[float] = []
    late_quit: list[tuple[float, float]] = []
    cpu_late: list[tuple[float, float, float]] = []
    """(t, lateness, the process's CPU seconds since the previous tick) of each late tick: a
    stall during which the process hardly ran was the machine (other processes on the cores),
    not fgtop."""
    cpu_at = [time.process_time()]
    """Lateness once `q` was pressed (the app leaving the screen: not the soak's)."""
    stalls: list[dict] = []
    if os.environ.get("FGTOP_SOAK_WATCHDOG"):
        watchdog(started, ui_thread, last_tick, stalls)
    shows: list[tuple[float, float, int]] = []
    sink = open(out, "a")  # noqa: SIM115 - written to for the process's life

    def write(record: dict) -> None:
        sink.write(json.dumps(record) + "\n")
        sink.flush()

    mount = FgtopApp.on_mount

    def on_mount(self: FgtopApp) -> None:
        mount(self)
        loop = asyncio.get_running_loop()
        state = {"report": time.perf_counter() + REPORT_EVERY, "first": False, "check": 0.0}

        def tick(expected: float) -> None:
            now = loop.time()
            last_tick[0] = time.perf_counter()
            t = last_tick[0] - started
            (late_quit if quitting else late).append((t, now - expected))
            cpu = time.process_time()
            if now - expected > STALL and not quitting:
                cpu_late.append((t, now - expected, cpu - cpu_at[0]))
            cpu_at[0] = cpu
            if t >= state["check"]:
                state["check"] = t + 0.1
                dash = self.dashboard
                if not state["first"] and dash is not None:
                    with contextlib.suppress(Exception):
                        rows = dash.query_one(TaskGrid).row_count
                        if rows:
                            state["first"] = True
                            write({"event": "first_rows", "t": t, "rows": rows})
            if time.perf_counter() >= state["report"]:
                state["report"] += REPORT_EVERY
                rows = 0
                with contextlib.suppress(Exception):
                    rows = self.dashboard.query_one(TaskGrid).row_count  # type: ignore[union-attr]
                window = [v for at, v in late if at > t - REPORT_EVERY]
                write(
                    {
                        "event": "window",
                        "t": t,
                        "rss_mb": rss_mb(),
                        "rows": rows,
                        "late_p50": pct(window, 0.5),
                        "late_p99": pct(window, 0.99),
                        "late_max": max(window, default=0.0),
                        "shows": len(shows),
                        "loading": bool(self.snapshot and self.snapshot.loading),
                    }
                )
            loop.call_at(now + 0.01, tick, now + 0.01)

        loop.call_at(loop.time() + 0.01, tick, loop.time() + 0.01)

    show = DashboardScreen.show_frame

    def show_frame(self: DashboardScreen, frame) -> None:  # noqa: ANN001
        t = time.perf_counter()
        show(self, frame)
        shows.append((t - started, time.perf_counter() - t, len(frame.snapshot.tasks)))

    quit_action = FgtopApp.action_quit

    async def action_quit(self: FgtopApp) -> None:
        quitting.append(time.perf_counter() - started)
        await quit_action(self)

    FgtopApp.on_mount = on_mount  # type: ignore[method-assign]
    FgtopApp.action_quit = action_quit  # type: ignore[method-assign]
    freezer_calls: list[float] = []
    """Seconds of each full collection's freezer callback (after the collection's own time)."""
    with contextlib.suppress(ImportError):
        from fgtop.ui.heap import FREEZER

        freeze_survivors = FREEZER._on_gc

        def on_gc_timed(phase: str, info: dict) -> None:
            t = time.perf_counter()
            freeze_survivors(phase, info)
            if phase == "stop" and info.get("generation") == 2:
                freezer_calls.append(time.perf_counter() - t)

        FREEZER._on_gc = on_gc_timed  # type: ignore[method-assign]
    DashboardScreen.show_frame = show_frame  # type: ignore[method-assign]
    done = []

    def finish() -> None:
        if not done:
            done.append(True)
            write(
                {
                    "event": "exit",
                    "late": late,
                    "shows": shows,
                    "gc": collections,
                    "stalls": stalls,
                    "late_quit": late_quit,
                    "cpu_late": cpu_late,
                    "freezer": freezer_calls,
                }
            )
            sink.close()

    import fgtop.cli.dashboard as dashboard

    leave = getattr(dashboard, "leave", None)
    if leave is not None:  # the dashboard exits with os._exit: write before it does

        def leaving(code: int) -> None:
            finish()
            leave(code)

        dashboard.leave = leaving  # type: ignore[assignment]
    try:
        return main(argv)
    finally:
        finish()


def parent(args: argparse.Namespace) -> None:
    """Serve the estate, run the fgtop process in a pty, soak, quit, report."""
    import pexpect
    from live_server import LiveServer

    with tempfile.TemporaryDirectory() as tmp, LiveServer(args.tasks, args.latency) as server:
        out = Path(tmp) / "probe.jsonl"
        env = server.env()
        env.update(HOME=tmp, XDG_CACHE_HOME=f"{tmp}/cache", TERM="xterm-256color")
        env.pop("XDG_CONFIG_HOME", None)
        if args.watchdog:
            env["FGTOP_SOAK_WATCHDOG"] = "1"
        argv = ["--region", "us-east-1", "--region", "eu-west-1"]
        launched = time.perf_counter()
        proc = pexpect.spawn(
            sys.executable,
            [__file__, "--child", str(out), "--", *argv],
            env=env,
            dimensions=(50, 200),
            timeout=None,
        )
        stop = threading.Event()

        def drain() -> None:  # the terminal reads what the app writes
            while not stop.is_set():
                try:
                    proc.read_nonblocking(1_000_000, timeout=0.2)
                except pexpect.TIMEOUT:
                    continue
                except (pexpect.EOF, OSError):
                    return

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        first = None
        deadline = time.perf_counter() + 600
        while first is None and time.perf_counter() < deadline:
            time.sleep(0.2)
            if out.exists():
                for line in out.read_text().splitlines():
                    rec = json.loads(line)
                    if rec.get("event") == "first_rows":
                        first = rec["t"]
        print(f"first task rows {first:.2f} s after the app started; soaking {args.duration:.0f} s")
        # The app may land on the problems view: once the first poll is over, esc shows the
        # dashboard, whose tables are what the refresh figure is about.
        shown = False
        while not shown and time.perf_counter() < deadline:
            time.sleep(0.5)
            for line in out.read_text().splitlines():
                rec = json.loads(line)
                # The first poll is over (the app may have landed on the problems view, where
                # the dashboard's rows stop following until it is shown again).
                if rec.get("event") == "window" and rec["t"] > first + 5 and not rec["loading"]:
                    shown = True
        time.sleep(2.0)
        proc.send("\x1b")
        soak_end = time.perf_counter() + args.duration
        while time.perf_counter() < soak_end:
            time.sleep(min(30.0, max(0.0, soak_end - time.perf_counter())))
            print(
                f"  {time.perf_counter() - launched:6.0f} s, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        quit_at = time.perf_counter()
        proc.send("q")
        proc.expect(pexpect.EOF, timeout=120)
        quit_took = time.perf_counter() - quit_at
        stop.set()
        proc.close()
        records = [json.loads(line) for line in out.read_text().splitlines()]
    report(records, args, quit_took)


def report(records: list[dict], args: argparse.Namespace, quit_took: float) -> None:
    """Print the figures."""
    windows = [r for r in records if r["event"] == "window"]
    end = next(r for r in records if r["event"] == "exit")
    late = end["late"]
    shows = end["shows"]
    steady_from = next(
        (w["t"] for w in windows if w["rows"] >= args.tasks and not w["loading"]), None
    )
    ms = 1000
    every = [v for _, v in late]
    print(
        f"{args.tasks:,} tasks, {args.latency * ms:.0f} ms added per ECS call, soak {args.duration:.0f} s"
    )
    print(
        f"UI loop lateness, whole run:     p50 {pct(every, 0.5) * ms:6.1f} ms  "
        f"p99 {pct(every, 0.99) * ms:6.1f} ms  max {max(every) * ms:7.1f} ms  (n={len(every)})"
    )
    if steady_from is not None:
        steady = [v for t, v in late if t >= steady_from]
        print(
            f"UI loop lateness, steady state:  p50 {pct(steady, 0.5) * ms:6.1f} ms  "
            f"p99 {pct(steady, 0.99) * ms:6.1f} ms  max {max(steady, default=0) * ms:7.1f} ms  "
            f"(after {steady_from:.0f} s, all rows in)"
        )
    full = [d for _, d, n in shows if n >= args.tasks]
    if full:
        print(
            f"refresh applied to the tables (show_frame, {len(full)} at all rows): "
            f"median {statistics.median(full) * ms:.1f} ms, p95 {pct(full, 0.95) * ms:.1f} ms, "
            f"max {max(full) * ms:.1f} ms"
        )
    print("RSS (MB) every minute: " + ", ".join(f"{w['rss_mb']:.0f}" for w in windows[5::6]))
    if windows:
        print(
            f"RSS first / last / max: {windows[0]['rss_mb']:.0f} / {windows[-1]['rss_mb']:.0f} / "
            f"{max(w['rss_mb'] for w in windows):.0f} MB"
        )
    gcs = end.get("gc", [])
    for gen in (0, 1, 2):
        took = [c[1] for c in gcs if c[0] == gen]
        if took:
            on_ui = sum(1 for c in gcs if c[0] == gen and c[2])
            print(
                f"garbage collections, generation {gen}: {len(took)} ({on_ui} on the UI's "
                f"thread), median {statistics.median(took) * ms:.1f} ms, max {max(took) * ms:.1f} ms"
            )
    if steady_from is not None and "cpu_late" in end:
        stalls = [(v, c) for t, v, c in end["cpu_late"] if t >= steady_from]
        ran = [v for v, c in stalls if c >= RAN * v]
        starved = [v for v, c in stalls if c < RAN * v]
        print(
            f"stalls > {STALL * ms:.0f} ms, steady state: {len(stalls)}; during which the "
            f"process ran (its CPU >= {RAN:.0%} of the stall): {len(ran)}, max "
            f"{max(ran, default=0) * ms:.0f} ms; the process hardly ran (the machine's other "
            f"load): {len(starved)}, max {max(starved, default=0) * ms:.0f} ms"
        )
    freezer = end.get("freezer", [])
    if freezer:
        print(
            f"the heap freezer's callback after each full collection: {len(freezer)}, median "
            f"{statistics.median(freezer) * ms:.1f} ms, max {max(freezer) * ms:.1f} ms"
        )
    after_q = [v for _, v in end.get("late_quit", [])]
    if after_q:
        print(
            f"UI loop lateness once q was pressed (leaving the screen, not counted above): "
            f"max {max(after_q) * ms:.1f} ms"
        )
    print(f"q to exit: {quit_took:.2f} s; load average {os.getloadavg()[0]:.1f}")
    if args.watchdog:
        report_stalls(end, steady_from or 0.0)


def report_stalls(end: dict, steady_from: float, top: int = 8) -> None:
    """The watchdog's stalls in the steady state: each with its collections, common stacks."""
    ms = 1000
    samples = [s for s in end["stalls"] if s["kind"] == "sample" and s["t"] >= steady_from]
    woke = [s for s in end["stalls"] if s["kind"] == "woke_late" and s["t"] >= steady_from]
    gcs = [c for c in end.get("gc", []) if len(c) > 3]
    late = [(t, v) for t, v in end["late"] if t >= steady_from and v > STALL]
    print(f"\nstalls > {STALL * ms:.0f} ms in the steady state (probe lateness; overlapping GCs):")
    for t, v in sorted(late, key=lambda x: -x[1])[:15]:
        start = t - v
        overlap = [c for c in gcs if c[3] < t and c[3] + c[1] > start - 0.01]
        gc_text = ", ".join(
            f"gen{c[0]} {c[1] * ms:.0f} ms{' (UI)' if c[2] else ''} at +{(c[3] - start) * ms:.0f}"
            for c in overlap
        )
        wl = [w for w in woke if start <= w["t"] <= t + 0.01]
        wl_text = f"; watchdog woke late by {max(w['by'] for w in wl) * ms:.0f} ms" if wl else ""
        cpu = next((c for ct, cv, c in end.get("cpu_late", []) if ct == t), None)
        cpu_text = f"; the process's CPU {cpu * ms:.0f} ms" if cpu is not None else ""
        print(f"  {v * ms:6.0f} ms ending at {t:7.1f} s{cpu_text}: {gc_text or 'no GC'}{wl_text}")
    counts: dict[tuple[str, ...], int] = {}
    for s in samples:
        key = tuple(s["ui"][-12:])
        counts[key] = counts.get(key, 0) + 1
    print(f"\nUI thread's stacks during stalls ({len(samples)} samples), most common first:")
    for key, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
        print(f"--- {n} samples")
        for line in key:
            print(f"    {line}")
    leaves: dict[str, int] = {}
    for s in samples:
        fg = [line for line in s["ui"] if "/fgtop/" in line]
        leaf = (fg[-1] if fg else "(no fgtop frame)") + " | " + (s["ui"][-1] if s["ui"] else "")
        leaves[leaf] = leaves.get(leaf, 0) + 1
    print("\ninnermost fgtop frame | innermost frame, during stalls:")
    for leaf, n in sorted(leaves.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {n:4d}  {leaf}")
    others: dict[str, int] = {}
    for s in samples:
        for name, stack in s["others"].items():
            if stack and not any("threading.py" in x and "wait" in x for x in stack[-2:]):
                k = f"{name}: {stack[-1]}"
                others[k] = others.get(k, 0) + 1
    idle = ("selectors.py", "threading.py", "queue.py", "_worker", "soak-watchdog")

    def busy(stack: list[str]) -> bool:
        return bool(stack) and not any(word in stack[-1] for word in idle)

    print("\nthe watchdog woke > 20 ms late (GIL held elsewhere, or the process not scheduled):")
    for w in sorted(woke, key=lambda w: -w["by"])[:top]:
        print(
            f"  late {w['by'] * ms:5.0f} ms at {w['t']:7.1f} s, the process's CPU meanwhile "
            f"{w['cpu'] * ms:5.0f} ms"
        )
        for name, stack in w.get("threads", {}).items():
            if busy(stack):
                print(f"      {name}:")
                for line in stack[-5:]:
                    print(f"          {line}")
    print("\nother threads (not waiting) at the same samples:")
    for k, n in sorted(others.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {n:4d}  {k}")


def main() -> None:
    """Parent (default) or the fgtop process (``--child``)."""
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        out, rest = sys.argv[2], sys.argv[3:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        sys.exit(child(out, rest))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument(
        "--duration", type=float, default=180.0, help="seconds of soak after the first rows"
    )
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument(
        "--watchdog",
        action="store_true",
        help="sample the UI thread's stack whenever the probe is more than 40 ms late",
    )
    parent(ap.parse_args())


if __name__ == "__main__":
    main()

"""Benchmark: the live dashboard soaking in a real terminal, with a probe on the UI's loop.

    python bench/bench_soak.py [--tasks 5000] [--duration 180] [--latency 0.05]

The real `fgtop` command (the CLI's own composition: engine, sources, metrics, Compute
Optimizer, derivation, the app) runs in a pseudo-terminal against moto seeded with ``--tasks``
tasks behind the paging and fault proxies (50 ms added to every ECS call; `bench/live_server.py`),
200x50. Inside that process the benchmark adds, before the CLI starts:

- a probe: a callback scheduled every 10 ms on Textual's event loop, timing how late it runs
  (lateness p50 / p99 / max, for the whole run and for the steady state after the first poll);
- a timer around the dashboard's ``show_frame`` (a refresh applied to the tables);
- RSS of the process every 10 s.

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
    collections: list[tuple[int, float, bool]] = []
    """(generation, seconds, on the UI's thread) of every garbage collection."""
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            took = time.perf_counter() - gc_started[0]
            collections.append((info["generation"], took, threading.get_ident() == ui_thread))

    gc.callbacks.append(on_gc)
    late: list[tuple[float, float]] = []
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
            t = time.perf_counter() - started
            late.append((t, now - expected))
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

    FgtopApp.on_mount = on_mount  # type: ignore[method-assign]
    DashboardScreen.show_frame = show_frame  # type: ignore[method-assign]
    done = []

    def finish() -> None:
        if not done:
            done.append(True)
            write({"event": "exit", "late": late, "shows": shows, "gc": collections})
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
        took = [d for g, d, _ in gcs if g == gen]
        if took:
            on_ui = sum(1 for g, _, ui in gcs if g == gen and ui)
            print(
                f"garbage collections, generation {gen}: {len(took)} ({on_ui} on the UI's "
                f"thread), median {statistics.median(took) * ms:.1f} ms, max {max(took) * ms:.1f} ms"
            )
    print(f"q to exit: {quit_took:.2f} s; load average {os.getloadavg()[0]:.1f}")


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
    parent(ap.parse_args())


if __name__ == "__main__":
    main()

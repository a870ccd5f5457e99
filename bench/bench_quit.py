"""Benchmark: how long `q` takes to exit at 5,000 tasks, in a pseudo-terminal.

    python bench/bench_quit.py [--runs 5] [--tasks 5000]            # fgtop replay FILE
    python bench/bench_quit.py --live [--runs 5] [--tasks 5000]     # fgtop, live against moto

Replay: records `tests/fakes/estate.py`'s estate (5,000 tasks, 200 services, 500 pods; a few
refreshes) to a temporary recording, opens it with `fgtop replay FILE` in a pty, waits for the
first frame (the services' rows), presses `q` and times until the process has exited.

Live (`--live`): the real `fgtop` command in a pty against moto seeded with ``--tasks`` tasks
behind the paging and fault proxies (50 ms added to every ECS call; `bench/live_server.py`),
metrics and Compute Optimizer on. It waits for the first task rows, then ``--settle`` seconds
(the first poll's rows streaming in, derivations running), presses `q` and times until the
process has exited. Numbers, not pass/fail: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from live_server import LiveServer  # noqa: E402

from fgtop.recording.writer import Recorder  # noqa: E402
from tests.fakes.estate import Estate  # noqa: E402


def record(path: Path, tasks: int, frames: int) -> None:
    """A recording of ``frames`` refreshes of a ``tasks``-task estate."""
    estate = Estate(tasks=tasks)
    with Recorder(path) as rec:
        rec.write_snapshot(estate.snapshot())
        for _ in range(frames - 1):
            rec.write_snapshot(estate.advance())


def once(argv: list[str], env: dict[str, str], ready: str, settle: float) -> tuple[float, float]:
    """(seconds to ``ready`` on screen, seconds from `q` to exit)."""
    start = time.perf_counter()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fgtop", *argv],
        env=env,
        dimensions=(50, 200),
        encoding="utf-8",
        timeout=180,
    )
    try:
        child.expect(ready)
        shown = time.perf_counter() - start
        deadline = time.perf_counter() + settle  # the app in its steady state (or still polling)
        while time.perf_counter() < deadline:
            with contextlib.suppress(pexpect.TIMEOUT):
                child.read_nonblocking(1_000_000, timeout=0.2)
        t = time.perf_counter()
        child.send("q")
        child.expect(pexpect.EOF, timeout=60)
        return shown, time.perf_counter() - t
    finally:
        child.close(force=True)


def main() -> None:
    """Run, print every run and the median."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--frames", type=int, default=6)
    ap.add_argument("--live", action="store_true", help="the live dashboard against moto")
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--settle", type=float, default=None, help="seconds after the first rows")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.live:
            with LiveServer(args.tasks, args.latency) as server:
                env = server.env()
                env.update(HOME=tmp, XDG_CACHE_HOME=f"{tmp}/cache", TERM="xterm-256color")
                env.pop("XDG_CONFIG_HOME", None)
                argv = ["--region", "us-east-1", "--region", "eu-west-1"]
                settle = 8.0 if args.settle is None else args.settle
                runs = [once(argv, env, "svc-0", settle) for _ in range(args.runs)]
            what = "live (fgtop)"
        else:
            path = Path(tmp) / "estate.fgrec"
            record(path, args.tasks, args.frames)
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith("AWS_") and k != "KUBECONFIG"
            }
            env.update(HOME=tmp, TERM="xterm-256color")
            settle = 2.0 if args.settle is None else args.settle
            runs = [once(["replay", str(path)], env, "svc0", settle) for _ in range(args.runs)]
            what = "replay"
    quits = [q for _, q in runs]
    print(
        f"{what}, {args.tasks:,} tasks: q to exit median {statistics.median(quits):.2f}s "
        f"(runs: {', '.join(f'{q:.2f}' for q in quits)}); "
        f"launch to first rows median {statistics.median(s for s, _ in runs):.2f}s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

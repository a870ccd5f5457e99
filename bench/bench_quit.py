"""Benchmark: how long `q` takes to exit at 5,000 tasks, in a pseudo-terminal.

    python bench/bench_quit.py [--runs 5] [--tasks 5000]

Records `tests/fakes/estate.py`'s estate (5,000 tasks, 200 services, 500 pods; a few
refreshes) to a temporary recording, opens it with `fgtop replay FILE` in a pty, waits for the
first frame (the services' rows), presses `q` and times until the process has exited. Numbers, not
pass/fail: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fgtop.recording.writer import Recorder  # noqa: E402
from tests.fakes.estate import Estate  # noqa: E402


def record(path: Path, tasks: int, frames: int) -> None:
    """A recording of ``frames`` refreshes of a ``tasks``-task estate."""
    estate = Estate(tasks=tasks)
    with Recorder(path) as rec:
        rec.write_snapshot(estate.snapshot())
        for _ in range(frames - 1):
            rec.write_snapshot(estate.advance())


def once(path: Path, home: str) -> tuple[float, float]:
    """(seconds to the first frame, seconds from `q` to exit)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update(HOME=home, TERM="xterm-256color")
    start = time.perf_counter()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fgtop", "replay", str(path)],
        env=env,
        dimensions=(50, 200),
        encoding="utf-8",
        timeout=120,
    )
    try:
        child.expect("REPLAY")
        child.expect("svc0")
        shown = time.perf_counter() - start
        time.sleep(2.0)  # a few replay ticks: the app is in its steady state
        child.read_nonblocking(1_000_000, timeout=0.1)
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
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "estate.fgrec"
        record(path, args.tasks, args.frames)
        runs = [once(path, tmp) for _ in range(args.runs)]
    quits = [q for _, q in runs]
    print(
        f"{args.tasks:,} tasks: q to exit median {statistics.median(quits):.2f}s "
        f"(runs: {', '.join(f'{q:.2f}' for q in quits)}); "
        f"launch to first frame median {statistics.median(s for s, _ in runs):.2f}s"
    )


if __name__ == "__main__":
    main()

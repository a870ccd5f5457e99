"""Benchmark: time from launching `fgtop demo` to its first full frame, in a pseudo-terminal.

    python bench/bench_demo_start.py [--runs 5]

"First full frame": the DEMO badge, the incident's time and the landing problems view are on
the screen. Also the CPU time the process used by then (less sensitive to a shared machine's
load than the wall time). Numbers, not pass/fail: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import pexpect


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def once(home: str) -> tuple[float, float]:
    """Seconds from spawn to the first full frame, and CPU seconds the process used by then."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update(HOME=home, TERM="xterm-256color")
    start = time.perf_counter()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "fgtop", "demo"],
        env=env,
        dimensions=(50, 200),
        encoding="utf-8",
        timeout=60,
    )
    try:
        child.expect("DEMO")
        child.expect("problems")
        child.expect("shop-recs")
        return time.perf_counter() - start, cpu_seconds(child.pid)
    finally:
        child.send("q")
        child.expect(pexpect.EOF, timeout=10)
        child.close()


def main() -> None:
    """Run, print every run and the median."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        runs = [once(home) for _ in range(args.runs)]
    times = [wall for wall, _ in runs]
    cpus = [cpu for _, cpu in runs]
    print(
        f"fgtop demo, launch to first full frame: median {statistics.median(times):.2f}s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}); CPU used by then: median "
        f"{statistics.median(cpus):.2f}s (runs: {', '.join(f'{c:.2f}' for c in cpus)}); "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

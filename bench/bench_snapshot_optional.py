"""Benchmark: `fgtop snapshot` at 5,000 tasks while an optional source fails or never answers.

    python bench/bench_snapshot_optional.py [--tasks 5000] [--runs 3] [--latency 0.05]

moto seeded with ``--tasks`` tasks behind the paging and fault proxies (50 ms added to every
ECS call; `bench/live_server.py`). The real `fgtop snapshot --format json` runs once per
Compute Optimizer behaviour, each answered by a fake Compute Optimizer in this process:
``not_enrolled`` (what most accounts answer), ``broken`` (HTTP 500 on every call) and ``hang``
(never answers). Prints the wall time of the command (process start to exit) and what its
JSON says of each source. Numbers, not pass/fail: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from live_server import LiveServer  # noqa: E402

from tests.fakes.compute_optimizer import BROKEN, HANG, NOT_ENROLLED, FakeComputeOptimizer  # noqa: E402


def once(env: dict[str, str]) -> tuple[float, list[dict], str]:
    """Seconds from start to exit, the JSON's ``sources``, stderr's last line."""
    t = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fgtop",
            "snapshot",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    took = time.perf_counter() - t
    try:
        sources = json.loads(done.stdout).get("sources", [])
    except json.JSONDecodeError:
        sources = []
    return took, sources, (done.stderr.strip().splitlines() or [""])[-1]


def main() -> None:
    """Every behaviour, ``--runs`` times each, warm task-definition cache."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LiveServer(args.tasks, args.latency) as server:
        env = server.env()
        env.update(HOME=tmp, XDG_CACHE_HOME=f"{tmp}/cache")
        env.pop("XDG_CONFIG_HOME", None)
        print("warming the task-definition cache:", f"{once(env)[0]:.2f} s")
        for mode in (NOT_ENROLLED, BROKEN, HANG):
            fake = FakeComputeOptimizer()
            fake.start()
            fake.state.mode = mode
            env["AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER"] = fake.url
            runs = [once(env) for _ in range(args.runs)]
            took = [r[0] for r in runs]
            sources = runs[-1][1]
            said = "; ".join(
                f"{s.get('name')}: ok={s.get('ok')}"
                + (" late" if s.get("late") else "")
                + (f" error={s.get('error')!r}" if s.get("error") else "")
                for s in sources
                if not str(s.get("name", "")).startswith("ecs:")
            )
            print(
                f"Compute Optimizer {mode:<12} snapshot median {statistics.median(took):.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in took)}); {said}; "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            fake.stop()


if __name__ == "__main__":
    main()

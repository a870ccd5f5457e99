"""Benchmark: first task rows on screen, fgtop against grapes-ecs, on the same small estate.

    python bench/bench_grapes.py [--runs 5] [--latency 0.05] [--grapes PATH]

moto seeded with 207 tasks in 3 clusters of one region (69 services of 3 tasks;
`bench/live_server.py --small`) behind the paging and fault proxies (``--latency`` added to
every ECS call). Each tool runs in a pseudo-terminal (200x50) as a user starts it, and is
timed from launch to the first row of the estate on screen: a task id (the first 6 characters
of any task's id, which both show) or a service's name. fgtop opens on its problems view here
(moto leaves every service at 0 running of 3 desired), whose rows are services; grapes-ecs
opens on its cluster tree. fgtop watches the whole region (its default: every cluster); grapes-ecs
watches one cluster, named in its ``config.toml`` (it has no all-clusters view), so fgtop is
also timed with ``--cluster small-0``. grapes-ecs is installed in a venv of its own
(``python -m venv V && V/bin/pip install grapes-ecs==0.2.0``; ``--grapes V/bin/grapes``); it
reaches moto through ``AWS_ENDPOINT_URL`` like any boto3 client. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

sys.path.insert(1, str(Path(__file__).resolve().parent))

from live_server import LiveServer  # noqa: E402


def task_ids(endpoint: str) -> list[str]:
    """Every task id of the small estate."""
    from tests.fakes.aws_world import client

    ecs = client("ecs", "us-east-1", endpoint)
    ids = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        ids += [a.rsplit("/", 1)[-1] for a in ecs.list_tasks(cluster=cluster)["taskArns"]]
    return ids


def first_rows(argv: list[str], env: dict[str, str], cwd: str, pattern: re.Pattern) -> float:
    """Seconds from launch to the first match of ``pattern`` on screen."""
    start = time.perf_counter()
    child = pexpect.spawn(
        argv[0], argv[1:], env=env, cwd=cwd, dimensions=(50, 200), encoding="utf-8", timeout=60
    )
    try:
        child.expect(pattern)
        return time.perf_counter() - start
    finally:
        child.sendcontrol("c")
        child.close(force=True)


def main() -> None:
    """Alternate the tools, ``--runs`` launches each; print the medians."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--grapes", default="/work/venvs/h22-grapes/bin/grapes")
    args = ap.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        LiveServer(latency=args.latency, small=True) as server,
    ):
        env = server.env()
        env.update(HOME=tmp, XDG_CACHE_HOME=f"{tmp}/cache", TERM="xterm-256color")
        env.pop("XDG_CONFIG_HOME", None)
        ids = task_ids(server.url)
        pattern = re.compile("|".join([r"svc-\d{3}", *sorted({i[:6] for i in ids})]))
        Path(tmp, "config.toml").write_text(
            '[cluster]\nname = "small-0"\nregion = "us-east-1"\n\n[refresh]\ninterval = 30\n'
        )
        tools = {
            "fgtop (3 clusters)": [sys.executable, "-m", "fgtop", "--region", "us-east-1"],
            "fgtop --cluster small-0": [
                sys.executable,
                "-m",
                "fgtop",
                "--region",
                "us-east-1",
                "--cluster",
                "small-0",
            ],
            "grapes-ecs (small-0)": [args.grapes, "-c", str(Path(tmp, "config.toml"))],
        }
        cwd = str(Path(__file__).resolve().parents[1])
        times: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, argv in tools.items():
                times[name].append(first_rows(argv, env, cwd if "fgtop" in name else tmp, pattern))
    print(f"{len(ids)} tasks in 3 clusters, {args.latency * 1000:.0f} ms added per ECS call")
    for name, values in times.items():
        print(
            f"  {name:<26} first rows median {statistics.median(values):.2f} s "
            f"(runs {', '.join(f'{v:.2f}' for v in values)})"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

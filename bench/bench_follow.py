"""Benchmark: one flight recorder, 1, 3 and 10 followers (issue 16).

Against moto behind the counting proxy (tests/fakes/fault_proxy.py), an account of --tasks
Fargate tasks; for each number of followers, one ``fgtop record -o DIR`` (the real command,
the default 5 s refresh) and that many followers, each a process with no AWS variable at all
running the follow feed of ``fgtop replay --follow DIR`` (FollowFeed: poll, read, derive;
headless, without Textual's rendering). Prints, per configuration:

- API calls per hour and GetMetricData calls per hour seen at the proxy, and the recorder's
  own GetMetricData $/h (its metrics usage, as its header shows it);
- the followers' lag behind the recorder: a frame's delivery in a follower minus its
  ``taken_at`` (median, p95, over every frame of every follower);
- the recorder's RSS at the end and its disk use, extrapolated to one hour.

Numbers, not pass/fail: see docs/performance.md.

    python bench/bench_follow.py [--tasks 1000] [--seconds 60] [--followers 1,3,10]
    python bench/bench_follow.py --writer-hours 4   # the writer alone, simulated hours
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# -- a follower (run as its own process) ---------------------------------------------------


async def follow(directory: Path, seconds: float, out: Path) -> None:
    """Follow ``directory`` for ``seconds``; write every frame's lag to ``out`` (JSON)."""
    from fgtop.cli.replay import follow_timeline
    from fgtop.config import Config
    from fgtop.cost.prices import load_price_table
    from fgtop.derive.pipeline import Deriver
    from fgtop.recording.follow import FollowFeed
    from fgtop.recording.player import Player

    timeline = await asyncio.to_thread(follow_timeline, directory, wait=120)
    feed = FollowFeed(
        timeline,
        Player(timeline, autoplay=False),
        Deriver.from_config(Config(), load_price_table()),
    )
    lags: list[float] = []
    first = True

    def on_frame(frame) -> None:  # noqa: ANN001
        nonlocal first
        if first:  # the frame already there at start is not a lag
            first = False
            return
        lags.append(time.time() - frame.snapshot.taken_at)

    feed.subscribe(on_frame)
    await feed.start()
    await asyncio.sleep(seconds)
    await feed.stop()
    timeline.close()
    out.write_text(json.dumps(lags))


# -- the benchmark -------------------------------------------------------------------------


def build_account(endpoint: str, tasks: int, services: int) -> None:
    """Two clusters, ``services`` Fargate services sharing ``tasks`` running tasks."""
    from tests.fakes.aws_world import add_service, client, network, register

    ecs = client("ecs", "us-east-1", endpoint)
    net = network("us-east-1", endpoint)
    families = [register(ecs, f"fam{i}") for i in range(4)]
    per_service = max(1, tasks // services)
    for c in range(2):
        name = f"cluster-{c}"
        ecs.create_cluster(
            clusterName=name, settings=[{"name": "containerInsights", "value": "enhanced"}]
        )
        for s in range(services // 2):
            svc = f"svc-{c}-{s}"
            td = families[s % len(families)]
            add_service(ecs, name, svc, td, net, per_service)


def start_proxy(upstream: str):  # noqa: ANN201
    """The counting proxy on its own event loop thread."""
    from tests.fakes.fault_proxy import FaultProxy

    proxy = FaultProxy(upstream)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(proxy.start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    ready.wait(30)
    return proxy


def rss_kib(pid: int) -> int:
    """Resident set size of a process, KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def bare_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def one_run(proxy, followers: int, seconds: float, work: Path) -> dict:  # noqa: ANN001
    from fgtop.recording.segments import Timeline

    directory = work / f"rec-{followers}"
    env = dict(os.environ, AWS_ENDPOINT_URL=proxy.url, PYTHONPATH=str(ROOT))
    recorder = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fgtop",
            "record",
            "-o",
            str(directory),
            "--segment",
            "10m",
            "--retain",
            "1h",
            "--region",
            "us-east-1",
            "--no-logs",
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    outs = [work / f"lags-{followers}-{i}.json" for i in range(followers)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--follower",
                str(directory),
                "--out",
                str(out),
                "--seconds",
                str(seconds),
            ],
            env=bare_env(),
        )
        for out in outs
    ]
    # The steady state: count from the recorder's first frame to the end of the window.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with Timeline(directory) as tl:
                if len(tl):
                    break
        except Exception:  # noqa: BLE001 - not there yet
            pass
        time.sleep(0.2)
    calls0, gmd0, t0 = sum(proxy.calls.values()), proxy.calls["GetMetricData"], time.time()
    with Timeline(directory) as tl:
        usage0 = tl.frame(-1).metrics_usage
    for p in procs:
        p.wait()
    window = time.time() - t0
    calls, gmd = sum(proxy.calls.values()) - calls0, proxy.calls["GetMetricData"] - gmd0
    rss = rss_kib(recorder.pid)
    with Timeline(directory) as tl:
        last = tl.frame(-1)
        frames, span = len(tl), tl.end - tl.start
    recorder.terminate()
    recorder.wait(30)
    disk = sum(p.stat().st_size for p in directory.iterdir())
    lags = [x for out in outs if out.exists() for x in json.loads(out.read_text())]
    metrics = last.metrics_usage.metrics_requested - usage0.metrics_requested
    return {
        "followers": followers,
        "window_s": window,
        "calls_per_h": calls / window * 3600,
        "gmd_calls_per_h": gmd / window * 3600,
        "gmd_usd_per_h": metrics / window * 3600 * 0.01 / 1000,
        "recorder_projected_usd_per_h": last.metrics_usage.cost_per_hour_usd,
        "lag_median": statistics.median(lags) if lags else float("nan"),
        "lag_p95": statistics.quantiles(lags, n=20)[-1] if len(lags) >= 20 else max(lags or [0]),
        "lag_samples": len(lags),
        "rss_mib": rss / 1024,
        "disk_per_h_mb": disk / max(span, 1) * 3600 / 1e6,
        "frames": frames,
        "tasks": len(last.tasks),
    }


def writer_only(tasks: int, hours: int) -> None:
    """The flight recorder's writer alone over ``hours`` simulated hours (a fake clock): a
    1,000-task estate changing 5% of its tasks a frame, a frame every 5 s, hourly segments,
    2 h kept. Prints RSS and disk at every hour (memory flat: it does not grow with time)."""
    from fgtop.recording.segments import SegmentedRecorder
    from tests.fakes.estate import Estate

    estate = Estate(tasks=tasks, services=40, pods=0, change=0.05)
    clock = [estate.now]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rec = SegmentedRecorder(directory, segment=3600, retain=7200, clock=lambda: clock[0])
        snap = estate.snapshot()
        t = time.perf_counter()
        print("hour  frames  RSS MiB  segments on disk  MB on disk  write ms/frame")
        for hour in range(1, hours + 1):
            for _ in range(720):
                rec.write_snapshot(snap)
                snap = estate.advance(5.0)
                clock[0] = snap.taken_at
            ms = (time.perf_counter() - t) / 720 * 1000
            t = time.perf_counter()
            files = list(directory.iterdir())
            disk = sum(p.stat().st_size for p in files)
            print(
                f"{hour:4}  {rec.frames:6}  {rss_kib(os.getpid()) / 1024:7.0f}  {len(files):16}"
                f"  {disk / 1e6:10.1f}  {ms:14.1f}"
            )
        rec.close()


def main() -> None:
    """Print the numbers."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--followers", default="1,3,10")
    parser.add_argument(
        "--writer-hours", type=int, help="only the writer, over this many simulated hours"
    )
    parser.add_argument("--follower", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.follower:
        asyncio.run(follow(args.follower, args.seconds, args.out))
        return
    if args.writer_hours:
        writer_only(args.tasks, args.writer_hours)
        return

    import requests
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address  # noqa: SLF001
    moto = f"http://{host}:{port}"
    requests.post(
        f"{moto}/moto-api/state-manager/set-transition",
        json={"model_name": "ecs::task", "transition": {"progression": "manual", "times": 999999}},
        timeout=5,
    )
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    t = time.perf_counter()
    build_account(moto, args.tasks, args.services)
    print(
        f"account: {args.tasks} tasks, {args.services} services ({time.perf_counter() - t:.0f} s)"
    )
    proxy = start_proxy(moto)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [one_run(proxy, int(n), args.seconds, Path(tmp)) for n in args.followers.split(",")]
    server.stop()
    print(
        "followers  window  tasks  API calls/h  GetMetricData calls/h  GMD $/h  (recorder's "
        "projection)  lag median  lag p95  (frames)  recorder RSS  disk/h"
    )
    for r in rows:
        print(
            f"{r['followers']:>9}  {r['window_s']:5.0f}s  {r['tasks']:5}  {r['calls_per_h']:11.0f}"
            f"  {r['gmd_calls_per_h']:21.0f}  {r['gmd_usd_per_h']:7.4f}"
            f"  ({r['recorder_projected_usd_per_h']:.4f})  {r['lag_median']:9.2f}s"
            f"  {r['lag_p95']:6.2f}s  ({r['lag_samples']})  {r['rss_mib']:9.0f} MiB"
            f"  {r['disk_per_h_mb']:6.1f} MB"
        )


if __name__ == "__main__":
    main()

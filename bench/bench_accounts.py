"""Benchmark: an organization of 20 accounts x 3 regions, 20,000 tasks, 50 ms added per call.

moto (a local server) holds an AWS Organization (``tests/fakes/org.py``): ``--accounts`` member
accounts, each with a cluster ``prod`` in each of ``--regions`` regions and ``--services``
services there, ``--tasks`` running tasks in all, seeded through each member's own
assumed-role credentials (so every ARN names its account). As in ``bench/bench_live.py``, moto
and the proxies run in a server process of their own, moto's DescribeTasks is indexed by ARN
and its backend lookup memoized (``--stock-moto`` leaves moto as it is), the paging proxy pages
list calls as ECS does, and the fault proxy adds ``--latency`` to every ECS call and to STS's
AssumeRole and GetCallerIdentity.

fgtop is the real live composition, headless: ``build_engine`` with one ``[[accounts]]`` entry
per member (``role_arn`` = ``OrganizationAccountAccessRole``), every account through its own
assumed role, then the engine running as the dashboard runs it (without the why sources:
moto lacks their APIs). Measured:

- first rows: from the start of ``build_engine`` to the first published snapshot with a task;
- all rows: to the first published snapshot with every task;
- calls per refresh: the ECS calls of one steady poll of each (account, region) source, summed,
  against the sum of each pair's page-size minimum (ListClusters, DescribeClusters 100
  clusters a call; ListServices, ListTasks 100 a page, ListTasks STOPPED at least one page;
  DescribeServices 10 a call; DescribeTasks 100);
- RSS of this process (fgtop) after the first full poll and every 10 s for ``--duration``.

Usage: ``python bench/bench_accounts.py [--accounts 20] [--regions 3] [--tasks 20000]
[--services 5] [--latency 0.05] [--duration 120]``. The machine may be shared: ``uptime`` is
printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout: fgtop, tests.fakes
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench_demo_start import cpu_seconds  # noqa: E402
from live_server import Proxies, start_moto  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
STS_OPS = ("AssumeRole", "GetCallerIdentity")


def seed(endpoint: str, accounts: int, regions: int, tasks: int, services: int) -> list[str]:
    """The organization; returns the members' role ARNs."""
    from tests.fakes.org import make_org, seed_member

    org = make_org(endpoint, [f"team-{i:02d}" for i in range(accounts)])
    pairs = accounts * regions
    per_pair = tasks // pairs
    extra = tasks - per_pair * pairs
    for n, member in enumerate(org.members):
        for r, region in enumerate(REGIONS[:regions]):
            here = per_pair + (1 if n * regions + r < extra else 0)
            counts = {
                f"svc-{s}": here // services + (1 if s < here % services else 0)
                for s in range(services)
            }
            seed_member(org, member, [region], counts)
    return [org.role(m) for m in org.members]


def serve(args: argparse.Namespace) -> None:
    """The server process: moto seeded, the proxies; prints the roles and the endpoint."""
    moto = start_moto(stock=args.stock_moto)
    t0 = time.perf_counter()
    roles = seed(moto, args.accounts, args.regions, args.tasks, args.services)
    print(
        f"seeded moto with {args.accounts} accounts x {args.regions} regions, {args.tasks} tasks "
        f"in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    proxies = Proxies(moto, args.latency)
    for op in STS_OPS:
        proxies.fault.delay[op] = args.latency
    for role in roles:
        print(f"role {role}", flush=True)
    print(f"ready {proxies.url}", flush=True)
    threading.Event().wait()


def page_minimum(services: int, tasks: int, stopped: int = 0) -> int:
    """The fewest ECS calls one poll of one (account, region) with one cluster can make."""
    return (
        1  # ListClusters
        + 1  # DescribeClusters
        + max(1, math.ceil(services / 100))  # ListServices
        + math.ceil(services / 10)  # DescribeServices
        + max(1, math.ceil(tasks / 100))  # ListTasks (running)
        + max(1, math.ceil(stopped / 100))  # ListTasks STOPPED
        + math.ceil((tasks + stopped) / 100)  # DescribeTasks
    )


def rss_mb() -> float:
    """This process's resident memory, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def measure(roles: list[str], args: argparse.Namespace, server: int) -> None:
    """The live composition over every account; prints the figures."""
    from fgtop.config import Config
    from fgtop.engine.build import LiveOptions, build_engine
    from fgtop.sources.ecs import EcsSource

    regions = list(REGIONS[: args.regions])
    accounts = [{"name": f"team-{i:02d}", "role_arn": role} for i, role in enumerate(roles)]
    config = Config(regions=regions, accounts=accounts, compute_optimizer=False)
    started, cpu, busy = time.perf_counter(), time.process_time(), cpu_seconds(server)
    # The why sources (deployments, target health, alarms, scaling) are left out: moto serves
    # none of their APIs (the tests put fakes in front of it), and they are not the ECS path
    # measured here.
    engine = await build_engine(LiveOptions(config=config, metrics=False, why=False))
    built = time.perf_counter() - started
    first = full = 0.0
    done = asyncio.Event()

    def seen(snapshot) -> None:  # noqa: ANN001
        nonlocal first, full
        now = time.perf_counter() - started
        if snapshot.tasks and not first:
            first = now
        if len(snapshot.tasks) >= args.tasks and not full:
            full = now
            done.set()

    engine.subscribe(seen)
    await engine.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=600)
        ecs = [s for s in engine.sources if isinstance(s, EcsSource)]
        while not engine.complete:
            await asyncio.sleep(0.1)
        complete = time.perf_counter() - started
        cpu, busy = time.process_time() - cpu, cpu_seconds(server) - busy
        rss_first = rss_mb()
        # Two more polls of every source: the second is steady (no task definition to fetch).
        polls = {s.name: s.api_calls() for s in ecs}
        await asyncio.sleep(2 * max(s.interval for s in ecs) + 3)
        steady = sum(s._last_calls for s in ecs)  # noqa: SLF001 - the source's own count
        snap = engine.snapshot
        minimum = 0
        for s in ecs:
            mine = [t for t in snap.tasks if t.account == s.account and t.region == s.region]
            svcs = [v for v in snap.services if v.account == s.account and v.region == s.region]
            stopped = sum(1 for t in mine if t.is_stopped)
            minimum += page_minimum(len(svcs), len(mine) - stopped, stopped)
        moved = sum(s.api_calls() - polls[s.name] for s in ecs)
        stretched = [s.name for s in ecs if s.interval > s.refresh + 0.01]
        print(
            f"accounts {args.accounts} x regions {args.regions} = {len(ecs)} ECS sources; "
            f"{len(snap.tasks)} tasks, {len(snap.services)} services; "
            f"{args.latency * 1000:.0f} ms added per ECS and STS call",
            flush=True,
        )
        print(
            f"build_engine {built:.2f} s; first rows {first:.2f} s; all rows {full:.2f} s; "
            f"every source answered {complete:.2f} s; CPU by then: fgtop {cpu:.1f} s, the server "
            f"process (moto, proxies) {busy:.1f} s; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print(
            f"calls per refresh {steady} (sum of each pair's page-size minimum {minimum}); "
            f"ECS calls in the two refreshes {moved}; refreshes stretched by the budget: "
            f"{len(stretched)}",
            flush=True,
        )
        errors = [f"{s.name}: {s.error}" for s in snap.sources if s.error]
        print(f"source errors: {errors[:3] or 'none'}", flush=True)
        samples = [rss_first]
        end = time.perf_counter() + args.duration
        while time.perf_counter() < end:
            await asyncio.sleep(10)
            samples.append(rss_mb())
        minutes = " ".join(f"{v:.0f}" for v in samples[::6])
        print(
            f"RSS after the first full poll {rss_first:.0f} MB; over {args.duration:.0f} s of "
            f"refreshes: min {min(samples):.0f}, max {max(samples):.0f}, last {samples[-1]:.0f} "
            f"MB; each minute: {minutes}",
            flush=True,
        )
    finally:
        await engine.stop()


def main() -> None:
    """Seed in a server process, then measure in this one."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=20)
    ap.add_argument("--regions", type=int, default=3, choices=range(1, len(REGIONS) + 1))
    ap.add_argument("--tasks", type=int, default=20000)
    ap.add_argument("--services", type=int, default=5, help="per account and region")
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of refreshes")
    ap.add_argument("--stock-moto", action="store_true")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args)
        return
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", *sys.argv[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        url, roles = "", []
        for line in child.stdout:
            if line.startswith("ready "):
                url = line.split()[1]
                break
            if line.startswith("role "):
                roles.append(line.split()[1])
                continue
            print(line.rstrip(), flush=True)
        os.environ.update(
            AWS_ENDPOINT_URL=url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGIONS[0],
            XDG_CACHE_HOME=str(
                Path(os.environ.get("TMPDIR", "/tmp")) / f"fgtop-bench-{os.getpid()}"
            ),
        )
        asyncio.run(measure(roles, args, child.pid))
    finally:
        child.kill()
        child.wait()
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)


if __name__ == "__main__":
    main()

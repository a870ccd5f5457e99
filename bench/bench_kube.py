"""Kubernetes watch budget: 500 Fargate pods changing state over 10 simulated minutes.

Runs KubeSource against the fake API server (tests/fakes/kube_server.py) with the server's
clock scaled so 10 simulated minutes take 10 real seconds (watch ``timeoutSeconds`` are
scaled too, so the periodic re-watches a real API server forces are counted). Prints the
Kubernetes requests made, then the time of a relist after 410 Gone.

    /work/venv/bin/python bench/bench_kube.py [--pods 500] [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fgtop.engine.core import Engine  # noqa: E402
from fgtop.sources.kube import KubeSource  # noqa: E402
from fgtop.sources.kubeconfig import kubeconfig_connections  # noqa: E402
from tests.fakes.kube_server import (  # noqa: E402
    FakeKube,
    make_deployment,
    make_event,
    make_pod,
    wait_until,
    write_kubeconfig,
)

STATES = ["running", "CrashLoopBackOff", "ImagePullBackOff", "running", "restarted"]


def change(obj: dict, step: int) -> dict:
    status = obj["status"]["containerStatuses"][0]
    what = STATES[step % len(STATES)]
    if what in ("running", "restarted"):
        status["state"] = {"running": {"startedAt": obj["metadata"]["creationTimestamp"]}}
        status["ready"] = True
        if what == "restarted":
            status["restartCount"] += 1
    else:
        status["state"] = {"waiting": {"reason": what}}
        status["ready"] = False
    return obj


async def run(pods: int, minutes: float, scale: float) -> None:
    async with FakeKube(token="bench", time_scale=scale) as kube:
        for i in range(pods):
            dep = f"svc{i % 50}"
            kube.add("pods", make_pod(f"{dep}-abc-{i}", f"ns{i % 5}", owner=f"{dep}-abc"))
        for d in range(50):
            kube.add("deployments", make_deployment(f"svc{d}", f"ns{d % 5}", replicas=10))
        with tempfile.TemporaryDirectory() as tmp:
            config = write_kubeconfig(Path(tmp) / "config", kube.url, token="bench")
            [conn] = kubeconfig_connections(config_file=str(config))
            source = KubeSource(conn)
            engine = Engine([source])
            snapshots = 0

            def count(_: object) -> None:
                nonlocal snapshots
                snapshots += 1

            engine.subscribe(count)
            t0 = time.perf_counter()
            await engine.start()
            await wait_until(lambda: len(engine.snapshot.pods) == pods, timeout=30)
            startup = time.perf_counter() - t0

            sim_seconds = minutes * 60
            ticks = int(sim_seconds / 2)  # one batch of changes every 2 simulated seconds
            per_tick = max(1, pods * 3 // ticks)  # every pod changes ~3 times
            changes = 0
            cpu0, wall0 = time.process_time(), time.perf_counter()
            names = list(kube.kinds["pods"].objects)
            for tick in range(ticks):
                for _ in range(per_tick):
                    ns, name = random.choice(names)
                    kube.modify("pods", change(kube.get("pods", ns, name), tick))
                    kube.add(
                        "events",
                        make_event(name, ns, "BackOff", f"tick {tick}", when=time.time()),
                    )
                    changes += 1
                await asyncio.sleep(2 * scale)
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0

            def consistent() -> bool:
                server = {
                    f"{o['metadata']['namespace']}/{o['metadata']['name']}": o["status"][
                        "containerStatuses"
                    ][0]["restartCount"]
                    for o in kube.kinds["pods"].objects.values()
                }
                ours = {p.target: p.restarts for p in engine.snapshot.pods}
                return ours == server

            await wait_until(consistent, timeout=10, what="snapshot matches the server")
            requests = dict(kube.requests)
            total = sum(requests.values())
            print(f"pods: {pods}, simulated minutes: {minutes:g} ({wall:.1f} s real)")
            print(f"pod changes: {changes} (+{changes} events), snapshots published: {snapshots}")
            print(f"startup (list x3 + watch x3 until {pods} pods shown): {startup * 1000:.0f} ms")
            print(f"Kubernetes requests over {minutes:g} simulated minutes: {total} {requests}")
            print(f"  (source's own count: {source.api_calls()})")
            polls = int(sim_seconds / 5) * 3
            print(f"  polling the 3 lists every 5 s instead would be {polls} requests")
            print(
                f"CPU for the whole run of changes: {cpu:.2f} s ({cpu / changes * 1e6:.0f} µs per change incl. the fake server)"
            )

            # 410 Gone: relist and rewatch.
            for label, extra in (("500 pods", 0), ("5,000 pods", 4500)):
                for i in range(extra):
                    kube.add("pods", make_pod(f"extra-{i}", "bulk"))
                want = len(kube.kinds["pods"].objects)
                await wait_until(lambda w=want: len(engine.snapshot.pods) == w, timeout=30)
                before = kube.requests["list pods"]
                t = time.perf_counter()
                kube.gone("pods")
                await wait_until(
                    lambda b=before: (
                        kube.requests["list pods"] > b and source.state() == "watching"
                    ),
                    timeout=30,
                )
                seen = time.perf_counter() - t
                print(
                    f"relist after 410 Gone ({label if extra else f'{pods} pods'}): "
                    f"{source.relist_seconds * 1000:.0f} ms to list again "
                    f"(410 seen -> watching: {seen * 1000:.0f} ms)"
                )
            await engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--scale", type=float, default=1 / 60, help="real s per simulated s")
    args = parser.parse_args()
    random.seed(7)
    asyncio.run(run(args.pods, args.minutes, args.scale))


if __name__ == "__main__":
    main()

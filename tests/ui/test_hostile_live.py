"""Hostile text through the real data path: moto's ECS and the fake Kubernetes API server.

Service names, tags and stop reasons go into moto; pod names, labels, waiting reasons and
messages and pod events into the fake API server. The live engine reads them with the real
clients, and what the dashboard, the pods tab and the details render holds no control
character and shows the markup literally.
"""

from __future__ import annotations

from pathlib import Path

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.sources.kube import KubeSource
from fgtop.sources.kubeconfig import kubeconfig_connections
from fgtop.ui.app import FgtopApp, create_app
from tests.fakes.aws_world import client, network, register, run
from tests.fakes.hostile import MARKUP, evil
from tests.fakes.kube_server import FakeKube, make_event, make_pod, write_kubeconfig
from tests.ui.test_hostile_text import SIZE, assert_harmless

REGION = "us-east-1"


def live_app(engine: Engine) -> FgtopApp:
    """The app on a live engine (the one place that builds it: adapt here)."""
    return create_app(LiveFeed(engine, Deriver(load_price_table())), land_on_problems=False)


def arrange_ecs(moto: str) -> None:
    ecs = client("ecs", REGION, moto)
    net = network(REGION, moto)
    ecs.create_cluster(clusterName="prod")
    td = register(ecs, "web")
    name = evil("svc")
    ecs.create_service(
        cluster="prod",
        serviceName=name,
        taskDefinition=td,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=net,
    )
    arns = run(ecs, "prod", td, net, 2, group=f"service:{name}", tags={evil("k"): evil("v")})
    ecs.stop_task(cluster="prod", task=arns[0], reason=evil("stop"))


def arrange_kube(kube: FakeKube) -> None:
    pod = make_pod(evil("pod"), "shop", labels={evil("label"): evil("lv")}, waiting="x")
    state = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    state["reason"], state["message"] = evil("waiting"), evil("wmsg")
    kube.add("pods", pod)
    kube.add("pods", make_pod("good-1", "shop"))
    for name in (pod["metadata"]["name"], "good-1"):
        kube.add("events", make_event(name, "shop", evil("er"), evil("em"), when=1.8e9))


async def test_hostile_text_from_moto_and_kubernetes_is_harmless(moto: str, tmp_path: Path) -> None:
    arrange_ecs(moto)
    async with FakeKube(token="tok") as kube:
        arrange_kube(kube)
        config = write_kubeconfig(tmp_path / "config", kube.url, token="tok")
        [conn] = kubeconfig_connections(config_file=str(config))
        aws = Aws(regions=[REGION])
        engine = Engine(
            [EcsSource(aws, REGION, refresh=1.0), KubeSource(conn, coalesce=0.01)],
            meta={"regions": (REGION,)},
        )
        engine.closers.append(aws.close)
        app = live_app(engine)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await pilot.pause(0.1)
                snap = app.snapshot
                if snap and len(snap.tasks) == 2 and len(snap.pods) == 2 and snap.kube_events:
                    break
            snap = app.snapshot
            assert snap is not None and len(snap.tasks) == 2 and len(snap.pods) == 2
            # The grid caps a 100 KB name to its column (the full value is in details).
            await assert_harmless(pilot, "live dashboard", "svc-")
            await pilot.press("colon", *"pods", "enter")
            await assert_harmless(pilot, "live pods tab", "pod-")
            for item in (*snap.tasks, *snap.services, *snap.pods):
                app.open_details(item.key, item)
                await assert_harmless(pilot, f"live details {type(item).__name__}", MARKUP[0])
                await pilot.press("escape")
                app.open_describe(item.key)
                await assert_harmless(pilot, f"live describe {type(item).__name__}")
                await pilot.press("escape")
            stopped = next(t for t in snap.tasks if t.stopped_reason)
            app.open_details(stopped.key, stopped)
            await assert_harmless(pilot, "stopped task", "stop-", "k-", MARKUP[2])

"""CloudWatchSource against moto's server (and a tiny fake CloudWatch for denial and paging).

The ECS side of the snapshot comes from a static source of model objects; CloudWatch is real
HTTP: the aiobotocore client talks to moto (``put_metric_data`` arranges the series) or to
an aiohttp server speaking the JSON protocol the client uses (for denial and paging).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from fgtop.engine.core import Engine
from fgtop.model import Cluster, Service, Task
from fgtop.model.ecs import task_metrics_available
from fgtop.sources.aws import Aws
from fgtop.sources.base import Part, PollingSource, SourceContext
from fgtop.sources.cloudwatch import CloudWatchSource

REGION = "us-east-1"
ACCOUNT = "123456789012"
T0 = math.floor(time.time() / 3600) * 3600 - 2 * 3600
"""A whole hour two hours ago: the fake clock starts here (moto keeps real timestamps)."""


class Clock:
    """A settable clock for the engine."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class StaticEcs(PollingSource):
    """Stands in for the ECS source: returns fixed clusters, services and tasks."""

    name = "ecs"

    def __init__(self, clusters: list[Cluster], services: list[Service], tasks: list[Task]):
        self.part: Part = {
            "clusters": tuple(clusters),
            "services": tuple(services),
            "tasks": tuple(tasks),
        }

    async def poll(self, ctx: SourceContext) -> Part:
        return Part(**self.part)


def cluster(name: str, insights: str) -> Cluster:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}"
    return Cluster(name=name, arn=arn, region=REGION, status="ACTIVE", container_insights=insights)


def service(cluster_name: str, name: str, running: int = 2) -> Service:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster_name}/{name}"
    return Service(
        name=name,
        arn=arn,
        cluster=cluster_name,
        region=REGION,
        status="ACTIVE",
        desired=running,
        running=running,
        pending=0,
    )


def task(cluster_name: str, family: str, tid: str, cpu: int | None = 512, memory: int = 1024):
    return Task(
        arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{cluster_name}/{tid}",
        cluster=cluster_name,
        region=REGION,
        task_definition=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:3",
        last_status="RUNNING",
        desired_status="RUNNING",
        service=family,
        cpu=cpu,
        memory=memory,
    )


def put(boto, namespace: str, name: str, dims: dict[str, str], values: dict[float, float]):
    """Put one value per minute (at second 5 of each minute)."""
    data = [
        {
            "MetricName": name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Timestamp": datetime.fromtimestamp(t + 5, UTC),
            "Value": v,
        }
        for t, v in values.items()
    ]
    cw = boto("cloudwatch")
    for i in range(0, len(data), 500):
        cw.put_metric_data(Namespace=namespace, MetricData=data[i : i + 500])


def minutes(first: float, count: int, value: float) -> dict[float, float]:
    return {first + 60 * i: value for i in range(count)}


OPEN: list[Aws] = []


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    while OPEN:
        await OPEN.pop().close()


async def start(ecs: StaticEcs, clock: Clock, **kwargs: Any) -> tuple[Engine, CloudWatchSource]:
    aws = Aws(regions=[REGION])
    OPEN.append(aws)
    cw = CloudWatchSource(aws, **kwargs)
    engine = Engine([ecs, cw], clock=clock)
    await engine.poll_once(phase=0)  # ECS arrives; CloudWatch has not polled yet
    assert aws.calls["cloudwatch"] == 0
    return engine, cw


def dimension_values(cw: CloudWatchSource) -> list[str]:
    return [
        d["Value"]
        for r in cw.requests
        for q in r["queries"]
        for d in q["MetricStat"]["Metric"]["Dimensions"]
    ]


async def test_values_land_in_the_right_service_and_task(boto) -> None:
    api, web_ = service("prod", "api"), service("prod", "web")
    t1, t2, t3 = (
        task("prod", "api", "t1"),
        task("prod", "web", "t2", cpu=None),
        task("prod", "api", "t3"),
    )
    past = T0 - 600
    api_dims = {"ClusterName": "prod", "ServiceName": "api"}
    put(boto, "AWS/ECS", "CPUUtilization", api_dims, minutes(past, 10, 11.0))
    put(boto, "AWS/ECS", "MemoryUtilization", api_dims, minutes(past, 10, 22.0))
    web_dims = {"ClusterName": "prod", "ServiceName": "web"}
    put(boto, "AWS/ECS", "CPUUtilization", web_dims, minutes(past, 10, 55.0))
    tdims = {"ClusterName": "prod", "TaskDefinitionFamily": "api", "TaskId": "t1"}
    put(boto, "ECS/ContainerInsights", "CpuUtilized", tdims, minutes(past, 10, 256.0))
    put(boto, "ECS/ContainerInsights", "MemoryUtilized", tdims, minutes(past, 10, 768.0))
    t2dims = {"ClusterName": "prod", "TaskDefinitionFamily": "web", "TaskId": "t2"}
    put(boto, "ECS/ContainerInsights", "CpuUtilized", t2dims, minutes(past, 10, 100.0))
    put(boto, "ECS/ContainerInsights", "CpuReserved", t2dims, minutes(past, 10, 400.0))
    t3dims = {"ClusterName": "prod", "TaskDefinitionFamily": "api", "TaskId": "t3"}
    put(boto, "ECS/ContainerInsights", "CpuUtilized", t3dims, minutes(past, 10, 999.0))

    ecs = StaticEcs([cluster("prod", "enhanced")], [api, web_], [t1, t2, t3])
    engine, cw = await start(ecs, Clock(T0 + 10))
    engine.hints.visible_tasks = (t1.arn, t2.arn)
    snap = await engine.poll_once()

    expected_times = [past + 60 * i for i in range(10)]
    cpu_api = snap.series(api.arn, "cpu")
    assert cpu_api is not None and cpu_api.source == "AWS/ECS"
    assert [t for t, _ in cpu_api.points] == expected_times
    assert {v for _, v in cpu_api.points} == {11.0}
    assert {v for _, v in snap.series(web_.arn, "cpu").points} == {55.0}
    assert snap.series(api.arn, "memory").last == 22.0
    assert snap.series(web_.arn, "memory") is None  # no data: no series, not a zero
    assert snap.series(t1.arn, "cpu").last == pytest.approx(50.0)  # 256 of 512 units
    assert snap.series(t1.arn, "cpu").source == "ECS/ContainerInsights"
    assert snap.series(t1.arn, "memory").last == pytest.approx(75.0)  # 768 of 1024 MiB
    assert snap.series(t2.arn, "cpu").last == pytest.approx(25.0)  # CpuUtilized / CpuReserved
    assert snap.series(t3.arn, "cpu") is None  # not on screen: never asked
    assert "t3" not in dimension_values(cw)
    assert snap.metrics_usage.metrics_requested == cw.usage(T0).metrics_requested > 0
    health = {h.name: h for h in snap.sources}
    assert health["cloudwatch"].ok and not health["cloudwatch"].stale


async def test_incremental_fetch_asks_only_for_new_minutes(boto) -> None:
    api = service("prod", "api")
    dims = {"ClusterName": "prod", "ServiceName": "api"}
    put(boto, "AWS/ECS", "CPUUtilization", dims, minutes(T0 - 600, 10, 30.0))
    put(boto, "AWS/ECS", "MemoryUtilization", dims, minutes(T0 - 600, 10, 40.0))
    clock = Clock(T0 + 10)
    engine, cw = await start(StaticEcs([cluster("prod", "disabled")], [api], []), clock)
    snap = await engine.poll_once()
    assert [(r["start"], r["end"]) for r in cw.requests] == [(T0 - 3 * 3600, T0)]
    assert len(snap.series(api.arn, "cpu").points) == 10
    first = snap.metrics_usage.metrics_requested
    assert first == 2

    clock.now = T0 + 30  # same minute: nothing new to ask, nothing spent
    snap = await engine.poll_once()
    assert cw.requests == []
    assert snap.metrics_usage.metrics_requested == first

    put(boto, "AWS/ECS", "CPUUtilization", dims, {T0: 31.0})
    put(boto, "AWS/ECS", "MemoryUtilization", dims, {T0: 41.0})
    clock.now = T0 + 65
    snap = await engine.poll_once()
    assert [(r["start"], r["end"]) for r in cw.requests] == [(T0, T0 + 60)]
    assert len(cw.requests[0]["queries"]) == 2
    assert snap.metrics_usage.metrics_requested == first + 2
    assert snap.series(api.arn, "cpu").points[-2:] == ((T0 - 60, 30.0), (T0, 31.0))
    assert snap.series(api.arn, "memory").last == 41.0


async def test_batching_at_500_queries(moto) -> None:
    services = [service("big", f"svc-{i:03d}") for i in range(300)]
    ecs = StaticEcs([cluster("big", "disabled")], services, [])
    engine, cw = await start(ecs, Clock(T0 + 10))
    engine.hints.selected = services[0].arn
    snap = await engine.poll_once()
    sizes = sorted(len(r["queries"]) for r in cw.requests)
    # The selected service's 12 h history goes in its own call; the other 598 fill 500 + 98.
    assert sizes == [2, 98, 500]
    assert cw.aws.calls["cloudwatch"] == 3
    assert snap.metrics_usage.calls == 3
    assert snap.metrics_usage.metrics_requested == 600
    long = [r for r in cw.requests if r["end"] - r["start"] == 12 * 3600]
    assert len(long) == 1 and len(long[0]["queries"]) == 2


async def test_clusters_without_container_insights_have_no_task_series(boto) -> None:
    plain, ci = cluster("plain", "disabled"), cluster("ci", "enabled")
    s_plain, s_ci, s_other = service("plain", "a"), service("ci", "b"), service("ci", "c")
    tp, tc = task("plain", "a", "tp"), task("ci", "b", "tc")
    b_dims = {"ClusterName": "ci", "ServiceName": "b"}
    put(boto, "ECS/ContainerInsights", "NetworkRxBytes", b_dims, minutes(T0 - 120, 2, 1000.0))
    ecs = StaticEcs([plain, ci], [s_plain, s_ci, s_other], [tp, tc])
    engine, cw = await start(ecs, Clock(T0 + 10))
    engine.hints.visible_tasks = (tp.arn, tc.arn)
    engine.hints.selected = s_ci.arn
    snap = await engine.poll_once()

    assert not task_metrics_available(plain) and not task_metrics_available(ci)
    assert task_metrics_available(cluster("x", "enhanced"))
    assert not task_metrics_available(None)
    assert snap.series(tp.arn, "cpu") is None and snap.series(tc.arn, "cpu") is None
    assert not {"tp", "tc"} & set(dimension_values(cw))
    metrics = [q["MetricStat"]["Metric"] for r in cw.requests for q in r["queries"]]
    names = {(m["MetricName"], m["Dimensions"][1]["Value"]) for m in metrics}
    assert ("NetworkRxBytes", "b") in names  # the selected service, in a Container Insights cluster
    assert ("NetworkRxBytes", "c") not in names  # not selected: not paid for
    assert ("NetworkRxBytes", "a") not in names  # no Container Insights
    assert ("CPUUtilization", "a") in names
    assert snap.series(s_ci.arn, "net_rx").last == 60_000.0  # 1000 B/s over a minute


# -- a tiny CloudWatch for what moto cannot do (deny, page) ------------------------------------


class FakeCloudWatch:
    """Answers GetMetricData over real HTTP: denied, or in two pages (PartialData + NextToken)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.bodies: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        # aiobotocore speaks CloudWatch's JSON protocol (awsJson1_0).
        if request.headers.get("X-Amz-Target") != "GraniteServiceVersion20100801.GetMetricData":
            return web.Response(status=415, text="unexpected request")
        body = json.loads(await request.read())
        self.bodies.append(body)
        ctype = "application/x-amz-json-1.0"
        if self.mode == "denied":
            err = {
                "__type": "AccessDeniedException",
                "message": "User is not authorized to perform: cloudwatch:GetMetricData",
            }
            return web.Response(status=400, text=json.dumps(err), content_type=ctype)
        start = float(body["StartTime"])
        page = 2 if body.get("NextToken") == "page-2" else 1
        results = []
        for q in body["MetricDataQueries"]:
            stamps = [start + 60 * (page - 1)]
            results.append(
                {
                    "Id": q["Id"],
                    "Label": q["Id"],
                    "Timestamps": stamps,
                    "Values": [float(page * 10)],
                    "StatusCode": "PartialData" if page == 1 else "Complete",
                }
            )
        out: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if page == 1:
            out["NextToken"] = "page-2"
        return web.Response(text=json.dumps(out), content_type=ctype)


@pytest.fixture
async def fake_cw(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeCloudWatch]:
    fake = FakeCloudWatch("paged")
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    yield fake
    await runner.cleanup()


async def test_denied_get_metric_data_marks_only_metrics_unavailable(fake_cw) -> None:
    fake_cw.mode = "denied"
    api = service("prod", "api")
    engine, cw = await start(StaticEcs([cluster("prod", "disabled")], [api], []), Clock(T0 + 10))
    snap = await engine.poll_once()
    health = {h.name: h for h in snap.sources}
    assert not health["cloudwatch"].ok and health["cloudwatch"].stale
    assert health["cloudwatch"].error == "access denied: needs cloudwatch:GetMetricData"
    assert health["ecs"].ok and snap.services == (api,)  # the rest stays live
    assert snap.metrics == ()
    assert cw.interval >= 60  # no hammering a denied API


async def test_partial_data_follows_next_token(fake_cw) -> None:
    api = service("prod", "api")
    engine, _ = await start(StaticEcs([cluster("prod", "disabled")], [api], []), Clock(T0 + 10))
    snap = await engine.poll_once()
    assert len(fake_cw.bodies) == 2 and fake_cw.bodies[1]["NextToken"] == "page-2"
    start_time = T0 - 3 * 3600
    # Both pages merged into the same series.
    assert snap.series(api.arn, "cpu").points == ((start_time, 10.0), (start_time + 60, 20.0))
    assert snap.metrics_usage.calls == 2
    assert snap.metrics_usage.metrics_requested == 4  # two metrics, asked on both pages

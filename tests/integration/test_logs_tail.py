"""CloudWatch Logs tailing against moto's server: no duplicates, no gaps, clear errors."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from fgtop.model.ecs import ContainerDefinition, LogConfig, Task, TaskDefinition
from fgtop.sources.aws import Aws
from fgtop.sources.logs import CloudWatchTail, LogTarget, error_line, fetch_around, resolve_targets

GROUP = "/ecs/web"
TASK = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef"


def target(stream: str = "web/app/0123456789abcdef", task: str = TASK) -> LogTarget:
    return LogTarget("us-east-1", GROUP, stream, "app", task)


@pytest.fixture
async def aws(moto: str):
    client = Aws(regions=["us-east-1"])
    yield client
    await client.close()


def put(logs, stream: str, events: list[tuple[int, str]]) -> None:
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": ts, "message": m} for ts, m in events],
    )


async def test_no_duplicates_no_gaps_with_identical_timestamps(boto, aws: Aws) -> None:
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    streams = ["web/app/0123456789abcdef", "web/app/fedcba9876543210"]
    for s in streams:
        logs.create_log_stream(logGroupName=GROUP, logStreamName=s)
    targets = [target(streams[0]), target(streams[1], TASK.replace("0123", "fedc"))]
    # page_limit 7 splits runs of identical timestamps across pages, max_pages 2 across polls.
    tail = CloudWatchTail(aws, targets, page_limit=7, max_pages=2)
    base = int(time.time() * 1000) - 60_000
    sent: list[str] = []
    seen: list[str] = []
    for poll in range(8):
        ts = base + poll * 10  # every event of a poll shares one millisecond...
        for s in streams:
            batch = [(ts, f"{s[-4:]} p{poll} n{i}") for i in range(9)]
            if poll % 2:
                batch = [(ts - 10, f"{s[-4:]} p{poll} late{i}") for i in range(2)] + batch
            put(logs, s, batch)
            sent += [m for _, m in batch]
        result = await tail.poll()
        while result.more:
            seen += [line.message for line in result.lines]
            result = await tail.poll()
        assert result.messages == []
        seen += [line.message for line in result.lines]
        # ...and a second burst at the SAME millisecond after the poll read the first one.
        for s in streams:
            extra = [(ts, f"{s[-4:]} p{poll} again{i}") for i in range(3)]
            put(logs, s, extra)
            sent += [m for _, m in extra]
    while True:
        result = await tail.poll()
        seen += [line.message for line in result.lines]
        if not result.more:
            break
    # "late" events land on the previous poll's millisecond, i.e. the stream's cursor: they too
    # must arrive, exactly once.
    assert len(seen) == len(set(seen)), "duplicate lines"
    assert set(sent) == set(seen), "missing lines"
    assert len(sent) == 8 * 2 * 12 + 4 * 2 * 2
    assert aws.calls["logs"] > 8


async def test_lines_carry_task_and_merge_by_time(boto, aws: Aws) -> None:
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    a, b = "web/app/aaaa", "web/app/bbbb"
    for s in (a, b):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=s)
    now = int(time.time() * 1000)
    put(logs, a, [(now - 3000, "a1"), (now - 1000, "a2")])
    put(logs, b, [(now - 2000, "b1")])
    tail = CloudWatchTail(aws, [target(a, "arn/task/aaaa"), target(b, "arn/task/bbbb")])
    batch = await tail.poll()
    assert [line.message for line in batch.lines] == ["a1", "b1", "a2"]
    assert [line.target.rsplit("/", 1)[-1] for line in batch.lines] == ["aaaa", "bbbb", "aaaa"]
    assert batch.lines[0].timestamp == pytest.approx((now - 3000) / 1000)
    assert all(line.event_id for line in batch.lines)


async def test_restart_from_saved_state(boto, aws: Aws) -> None:
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    stream = "web/app/0123456789abcdef"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    ts = int(time.time() * 1000) - 5000
    put(logs, stream, [(ts, f"first {i}") for i in range(5)])
    tail = CloudWatchTail(aws, [target(stream)])
    assert len((await tail.poll()).lines) == 5
    state = tail.state()
    put(logs, stream, [(ts, f"same ms {i}") for i in range(4)] + [(ts + 1, "next ms")])

    resumed = CloudWatchTail(aws, [target(stream)], since=1)  # since ignored after restore
    resumed.restore(state)
    lines = [line.message for line in (await resumed.poll()).lines]
    assert sorted(lines) == sorted([f"same ms {i}" for i in range(4)] + ["next ms"])
    assert (await resumed.poll()).lines == []

    fresh = CloudWatchTail(aws, [target(stream)])  # without state: everything again
    assert len((await fresh.poll()).lines) == 10


async def test_missing_group_is_one_line(aws: Aws) -> None:
    tail = CloudWatchTail(aws, [LogTarget("us-east-1", "/ecs/x", "p/app/1", "app", TASK)])
    batch = await tail.poll()
    assert batch.lines == []
    assert batch.messages == ["log group /ecs/x not found in us-east-1"]


async def test_missing_stream_gives_no_lines_and_group_still_works(boto, aws: Aws) -> None:
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    batch = await CloudWatchTail(aws, [target("web/app/deleted")]).poll()
    assert batch.lines == [] and batch.messages == []


async def test_fetch_around(boto, aws: Aws) -> None:
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    stream = "web/app/0123456789abcdef"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    stop = time.time() - 3600
    ms = int(stop * 1000)
    put(logs, stream, [(ms - 400_000, "too early"), (ms - 200_000, "before"), (ms, "OOM")])
    put(logs, stream, [(ms + 30_000, "after"), (ms + 90_000, "too late")])
    batch = await fetch_around(aws, target(stream), stop)
    assert [line.message for line in batch.lines] == ["before", "OOM", "after"]
    missing = await fetch_around(aws, LogTarget("us-east-1", "/nope", "s", "app", TASK), stop)
    assert missing.lines == [] and missing.messages == ["log group /nope not found in us-east-1"]


def test_access_denied_line() -> None:
    exc = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}},
        "FilterLogEvents",
    )
    assert (
        error_line(exc, GROUP, "eu-west-1")
        == f"access denied: needs logs:FilterLogEvents on {GROUP}"
    )


def _task() -> Task:
    return Task(TASK, "prod", "us-east-1", "arn:td/web:3", "RUNNING", "RUNNING")


def test_resolve_targets_per_driver() -> None:
    td = TaskDefinition(
        "arn:td/web:3",
        "web",
        3,
        containers=(
            ContainerDefinition(
                "app",
                log=LogConfig(
                    "awslogs",
                    {
                        "awslogs-group": GROUP,
                        "awslogs-stream-prefix": "web",
                        "awslogs-region": "eu-west-1",
                    },
                ),
            ),
            ContainerDefinition("api", log=LogConfig("awsfirelens", {"Name": "datadog"})),
            ContainerDefinition("spl", log=LogConfig("splunk", {"splunk-url": "https://s:8088"})),
            ContainerDefinition("quiet", log=LogConfig("none")),
            ContainerDefinition("bare"),
            ContainerDefinition("noprefix", log=LogConfig("awslogs", {"awslogs-group": "/g"})),
        ),
    )
    targets, notes = resolve_targets(_task(), td)
    assert targets == [
        LogTarget("eu-west-1", GROUP, "web/app/0123456789abcdef", "app", TASK),
    ]
    assert notes == [
        "container api logs through FireLens to datadog - not in CloudWatch Logs via awslogs",
        "container spl logs to Splunk https://s:8088 - not in CloudWatch Logs",
        "container quiet has logging disabled (log driver none)",
        "container bare has no log configuration: logs not collected",
        "container noprefix: awslogs group /g has no stream prefix, "
        "so its stream name cannot be derived",
    ]
    only, notes = resolve_targets(_task(), td, containers=["quiet"])
    assert only == [] and len(notes) == 1
    assert resolve_targets(_task(), None)[1] == [
        "task definition web:3 unknown: cannot find its logs"
    ]


# Moto answers FilterLogEvents for a stream that does not exist with no events; real CloudWatch
# Logs fails the whole call with ResourceNotFoundException, and denies with
# AccessDeniedException. A small HTTP server speaking the same JSON protocol gives those answers.


@pytest.fixture
async def fake_logs(monkeypatch: pytest.MonkeyPatch):
    from aiohttp import web

    calls: list[dict] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append(body)
        names = body.get("logStreamNames", [])
        if body["logGroupName"] == "/denied":
            return _error("AccessDeniedException", "User is not authorized: logs:FilterLogEvents")
        if any("missing" in n for n in names):
            return _error("ResourceNotFoundException", "The specified log stream does not exist.")
        events = [
            {"logStreamName": n, "timestamp": 1000 + i, "message": f"{n} {i}", "eventId": f"{n}{i}"}
            for n in names
            for i in range(2)
            if int(body.get("startTime", 0)) <= 1000 + i
        ]
        return web.json_response({"events": events}, content_type="application/x-amz-json-1.1")

    def _error(code: str, message: str) -> web.Response:
        return web.json_response(
            {"__type": code, "message": message},
            status=400,
            content_type="application/x-amz-json-1.1",
        )

    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    aws = Aws(regions=["us-east-1"])
    yield aws, calls
    await aws.close()
    await runner.cleanup()


async def test_a_missing_stream_does_not_hide_the_others(fake_logs) -> None:
    aws, calls = fake_logs
    clock = [100.0]
    targets = [target("web/app/a"), target("web/app/missing"), target("web/app/b")]
    tail = CloudWatchTail(aws, targets, since=1e6, now=lambda: clock[0])
    batch = await tail.poll()
    assert sorted(line.message for line in batch.lines) == [
        "web/app/a 0",
        "web/app/a 1",
        "web/app/b 0",
        "web/app/b 1",
    ]
    assert batch.messages == [
        f"log stream web/app/missing not found in {GROUP} (deleted, or nothing logged yet)"
    ]
    calls.clear()
    batch = await tail.poll()  # the missing stream is left out: one call, nothing new
    assert batch.lines == [] and batch.messages == []
    assert [c["logStreamNames"] for c in calls] == [["web/app/a", "web/app/b"]]
    clock[0] += 60  # later, asked again alone
    calls.clear()
    batch = await tail.poll()
    assert [c["logStreamNames"] for c in calls][-1] == ["web/app/missing"]
    assert len(batch.messages) == 1


async def test_denied_is_one_line(fake_logs) -> None:
    aws, _ = fake_logs
    tail = CloudWatchTail(aws, [LogTarget("us-east-1", "/denied", "s", "app", TASK)])
    batch = await tail.poll()
    assert batch.lines == []
    assert batch.messages == ["access denied: needs logs:FilterLogEvents on /denied"]

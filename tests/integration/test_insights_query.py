"""Logs Insights queries with the real client: moto where it answers, the fake where it does not.

moto runs a query at once (``fields``, ``sort``, ``limit``) without statistics; the fake
(tests/fakes/insights_server.py) runs, fails, times out and records StopQuery.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from fgtop.engine.core import Engine
from fgtop.engine.live_insights import LiveInsightsFeed
from fgtop.feed import InsightsRequest
from fgtop.model import Snapshot
from fgtop.model.ecs import ContainerDefinition, LogConfig, Service, TaskDefinition
from fgtop.sources.aws import Aws, is_read_only
from fgtop.sources.ecs import EcsSource
from fgtop.sources.insights import (
    InsightsQuery,
    Progress,
    log_groups,
    parse_time,
    query_cost,
    row_line,
)
from tests.fakes.insights_server import FakeInsights

REGION = "us-east-1"
GROUP = "/ecs/api"


@pytest.fixture
async def aws(moto: str) -> AsyncIterator[Aws]:
    client = Aws(regions=[REGION])
    yield client
    await client.close()


async def last(query: InsightsQuery) -> Progress:
    seen = [p async for p in query.progress()]
    assert seen and seen[-1].done
    return seen[-1]


async def until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def test_the_guard_lets_the_insights_calls_through_and_nothing_else() -> None:
    for op in ("StartQuery", "GetQueryResults", "StopQuery"):
        assert is_read_only("logs", op)
    for op in ("PutQueryDefinition", "DeleteQueryDefinition", "PutLogEvents"):
        assert not is_read_only("logs", op)


async def test_moto_runs_a_fields_query(boto, aws: Aws) -> None:
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="ecs/app/task1")
    now = time.time()
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="ecs/app/task1",
        logEvents=[
            {"timestamp": int((now - 60 + i) * 1000), "message": f"line {i}"} for i in range(8)
        ],
    )
    query = InsightsQuery(
        aws,
        [(REGION, GROUP)],
        "fields @timestamp, @message, @logStream | sort @timestamp desc | limit 5",
        now - 3600,
        now + 60,
        poll=0.01,
    )
    result = await last(query)
    assert result.ok, result.messages
    assert [r["@message"] for r in result.rows] == [f"line {i}" for i in (7, 6, 5, 4, 3)]
    assert all("@ptr" not in r for r in result.rows)
    line = row_line(result.rows[0], {"task1": "arn:aws:ecs:us-east-1:1:task/prod/task1"}, 0.0)
    assert line.target.endswith("/task1") and line.container == "app"
    assert abs(line.timestamp - (now - 53)) < 0.01


async def test_moto_missing_group_is_one_line(moto: str, aws: Aws) -> None:
    result = await last(InsightsQuery(aws, [(REGION, "/ecs/none")], "fields @message", 0, 60))
    assert result.status == "Failed" and not result.rows
    [message] = result.messages
    assert message.startswith("/ecs/none in us-east-1:") and "\n" not in message


async def test_a_query_that_runs_then_completes(insights: FakeInsights, aws: Aws) -> None:
    insights.state.rows = [
        {"count": "12", "message": "ERROR db timeout"},
        {"count": "3", "message": "ERROR \x1b[31mred\x1b[0m"},
    ]
    insights.state.running_polls = 3
    insights.state.bytes_scanned = 3 * 1024**3
    query = InsightsQuery(
        aws, [(REGION, GROUP), (REGION, "/ecs/side")], "stats count(*)", 100, 200, poll=0.01
    )
    seen = [p async for p in query.progress()]
    result = seen[-1]
    assert result.ok and result.status == "Complete"
    assert [p.status for p in seen[:-1]] == ["Running"] * (len(seen) - 1) and len(seen) >= 4
    assert [r["count"] for r in result.rows] == ["12", "3"]
    assert result.bytes_scanned == 3 * 1024**3
    assert result.cost == pytest.approx(0.015) == query_cost(3 * 1024**3)
    [start] = insights.state.calls("StartQuery")
    assert start.region == REGION and start.body["logGroupNames"] == [GROUP, "/ecs/side"]
    assert (start.body["startTime"], start.body["endTime"]) == (100, 200)
    assert insights.state.stopped == []  # nothing left running: nothing to stop


async def test_a_query_that_fails(insights: FakeInsights, aws: Aws) -> None:
    insights.state.final = "Failed"
    result = await last(InsightsQuery(aws, [(REGION, GROUP)], "fields @message", 0, 60, poll=0.01))
    assert result.status == "Failed" and not result.ok
    assert result.messages == (f"the query failed in Logs Insights ({GROUP} in {REGION})",)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            (400, "MalformedQueryException", "unexpected symbol found | at line 1"),
            "malformed query: unexpected symbol found | at line 1",
        ),
        (
            (400, "AccessDeniedException", "User: x is not authorized to perform: logs:StartQuery"),
            f"access denied: needs logs:StartQuery on {GROUP} in {REGION}",
        ),
    ],
)
async def test_start_errors_are_one_line(
    insights: FakeInsights, aws: Aws, error: tuple[int, str, str], expected: str
) -> None:
    insights.state.start_error = error
    result = await last(InsightsQuery(aws, [(REGION, GROUP)], "fields x |", 0, 60, poll=0.01))
    assert result.status == "Failed"
    assert result.messages == (expected,)
    assert insights.state.calls("GetQueryResults") == []


async def test_denied_results_are_one_line(insights: FakeInsights, aws: Aws) -> None:
    insights.state.poll_error = (400, "AccessDeniedException", "not authorized")
    result = await last(InsightsQuery(aws, [(REGION, GROUP)], "fields @message", 0, 60, poll=0.01))
    assert result.messages == (f"access denied: needs logs:GetQueryResults on {GROUP} in {REGION}",)


async def test_a_query_past_its_deadline_is_stopped(insights: FakeInsights, aws: Aws) -> None:
    insights.state.final = "never"
    insights.state.bytes_scanned = 1024**3
    query = InsightsQuery(
        aws, [(REGION, GROUP)], "fields @message", 0, 60, timeout=1.0, poll=0.01, max_poll=0.05
    )
    result = await last(query)
    assert result.status == "Timeout"
    assert result.messages == (
        "the query did not finish within 1s: stopped (narrow the time range, or add a filter)",
    )
    [started] = insights.state.queries
    assert insights.state.stopped == [started] and query.stopped == [started]
    assert result.bytes_scanned > 0  # what it scanned before the stop is still billed


async def test_leaving_a_running_query_stops_it(insights: FakeInsights, aws: Aws) -> None:
    insights.state.final = "never"
    query = InsightsQuery(aws, [(REGION, GROUP)], "fields @message", 0, 60, poll=0.01)

    async def consume() -> None:
        async for _ in query.progress():
            pass

    task = asyncio.create_task(consume())
    await until(lambda: insights.state.calls("GetQueryResults"), "a poll")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert insights.state.stopped == list(insights.state.queries)


async def test_closing_the_iterator_stops_the_query(insights: FakeInsights, aws: Aws) -> None:
    insights.state.final = "never"
    stream = InsightsQuery(aws, [(REGION, GROUP)], "fields @message", 0, 60).progress()
    first = await anext(stream)
    assert first.status == "Running" and not first.done
    await stream.aclose()
    assert insights.state.stopped == list(insights.state.queries)


async def test_groups_in_two_regions_are_two_queries(insights: FakeInsights, aws: Aws) -> None:
    insights.state.rows = [{"@message": "x"}]
    result = await last(
        InsightsQuery(aws, [(REGION, GROUP), ("eu-west-1", GROUP)], "fields @message", 0, 9)
    )
    assert result.ok and len(result.rows) == 2
    assert sorted(r.region for r in insights.state.calls("StartQuery")) == [
        "eu-west-1",
        "us-east-1",
    ]


def test_log_groups_of_task_definitions() -> None:
    td = TaskDefinition(
        arn="arn:td/api:3",
        family="api",
        revision=3,
        containers=(
            ContainerDefinition("app", log=LogConfig("awslogs", {"awslogs-group": "/ecs/api"})),
            ContainerDefinition(
                "side",
                log=LogConfig("awslogs", {"awslogs-group": "/x", "awslogs-region": "eu-west-1"}),
            ),
            ContainerDefinition("fl", log=LogConfig("awsfirelens", {})),
            ContainerDefinition("none"),
        ),
    )
    groups, notes = log_groups([(REGION, td), (REGION, td), (REGION, None)])
    assert groups == [(REGION, "/ecs/api"), ("eu-west-1", "/x")]
    assert notes == [
        "container fl uses log driver awsfirelens: not queried",
        "container none has no log configuration",
        "a task definition is unknown: its log groups are not included",
    ]


def test_insights_times() -> None:
    assert parse_time("2026-12-02 00:55:23.123") == pytest.approx(1796172923.123)
    assert parse_time("1796172923123") == pytest.approx(1796172923.123)
    assert parse_time("ERROR") is None
    stats = row_line({"count": "3", "last": "2026-12-02 00:55:23.000"}, {}, 5.0)
    assert stats.message == "count=3  last=2026-12-02 00:55:23.000"
    assert stats.timestamp == pytest.approx(1796172923.0)
    assert row_line({"n": "1"}, {}, 5.0).timestamp == 5.0


def _snapshot() -> Snapshot:
    td = TaskDefinition(
        arn="arn:aws:ecs:us-east-1:1:task-definition/api:3",
        family="api",
        revision=3,
        containers=(
            ContainerDefinition("app", log=LogConfig("awslogs", {"awslogs-group": GROUP})),
        ),
    )
    svc = Service(
        name="api",
        arn="arn:aws:ecs:us-east-1:1:service/prod/api",
        cluster="prod",
        region=REGION,
        status="ACTIVE",
        desired=1,
        running=1,
        pending=0,
        task_definition=td.arn,
    )
    return Snapshot(taken_at=time.time(), services=(svc,), task_definitions=(td,))


async def test_the_live_feed_plans_runs_and_stops_at_quit(insights: FakeInsights, aws: Aws) -> None:
    insights.state.final = "never"
    feed = LiveInsightsFeed(Engine([EcsSource(aws, REGION)]))
    snap = _snapshot()
    request = InsightsRequest(snap, "fields @message", 0, 60, services=snap.services)
    assert feed.available and feed.plan(request).groups == ((REGION, GROUP),)
    batches: list = []

    async def consume() -> None:
        async for batch in feed.run(request):
            batches.append(batch)

    task = asyncio.create_task(consume())
    await until(lambda: insights.state.calls("GetQueryResults"), "a poll")
    await feed.close()  # the app quits with the query running
    assert insights.state.stopped == list(insights.state.queries)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert batches and batches[0].status == "Running" and not batches[0].done
    no_groups = InsightsRequest(Snapshot(taken_at=0.0), "fields @message", 0, 60)
    [only] = [b async for b in feed.run(no_groups)]
    assert only.done and only.message == "no task or service selected"

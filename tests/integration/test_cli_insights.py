"""`fgtop insights` as a subprocess: the service from moto's ECS, the query from the fake
Logs Insights (moto's queries cannot fail or report statistics)."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.aws_world import network, register, run
from tests.fakes.hostile import VECTORS
from tests.fakes.insights_server import FakeInsights
from tests.integration.test_cli_logs import fgtop

REGION = "us-east-1"


def estate(boto: Any, moto: str) -> None:
    ecs = boto("ecs")
    net = network(REGION, moto)
    ecs.create_cluster(clusterName="prod")
    td = register(ecs, "api")
    ecs.create_service(
        cluster="prod",
        serviceName="api",
        taskDefinition=td,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=net,
    )
    run(ecs, "prod", td, net, 1, group="service:api")


def test_insights_prints_rows_for_scripts(boto: Any, insights: FakeInsights, moto: str) -> None:
    estate(boto, moto)
    insights.state.rows = [
        {"count": "12", "message": "ERROR db timeout"},
        {"count": "3", "message": "ERROR " + "".join(VECTORS.values())},
    ]
    insights.state.bytes_scanned = 1024**3
    query = "stats count(*) as count by @message as message | sort count desc"
    text, as_json, unknown, bad_since = fgtop(
        ("insights", "--service", "api", "--region", REGION, "--since", "2h", query),
        ("insights", "--service", "api", "--region", REGION, "--format", "json", query),
        ("insights", "--service", "nope", "--region", REGION, query),
        ("insights", "--service", "api", "--since", "soon", query),
    )

    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["count", "message"]
    assert lines[1].split() == ["12", "ERROR", "db", "timeout"]
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout and "\x9b" not in text.stdout
    assert "[link=https://x]click[/link]" in text.stdout  # markup is text, shown as is
    assert "complete: 2 rows, 1.000 GB scanned ($0.0050) in 1 log group" in text.stderr

    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["status"] == "Complete" and doc["rows"] == insights.state.rows
    assert doc["log_groups"] == [{"region": REGION, "group": "/ecs/api"}]
    assert doc["cost_usd"] == 0.005 and doc["statistics"]["bytes_scanned"] == 1024**3
    assert doc["end"] - doc["start"] == 3600
    starts = insights.state.calls("StartQuery")
    assert sorted(s.body["endTime"] - s.body["startTime"] for s in starts) == [3600, 7200]
    assert {s.body["queryString"] for s in starts} == {query}

    assert unknown.returncode == 2
    assert unknown.stderr.startswith("fgtop: no service 'nope' in us-east-1")
    assert len(unknown.stderr.splitlines()) == 1
    assert bad_since.returncode == 2 and len(bad_since.stderr.splitlines()) == 1
    assert bad_since.stderr.startswith("fgtop: --since/--timeout:")


def test_a_failed_query_exits_1(boto: Any, insights: FakeInsights, moto: str) -> None:
    estate(boto, moto)
    insights.state.start_error = (400, "MalformedQueryException", "unexpected symbol '|'")
    [result] = fgtop(("insights", "--service", "api", "--region", REGION, "fields |"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "fgtop: malformed query: unexpected symbol '|'" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr

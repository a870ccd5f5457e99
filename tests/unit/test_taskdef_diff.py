"""The task definition diff: fields, containers, hidden secrets, the short summary."""

from __future__ import annotations

import copy

from fgtop.derive.taskdef_diff import diff_task_definitions, summary, text_lines

BASE = {
    "family": "web",
    "revision": 4,
    "cpu": "512",
    "memory": "2048",
    "networkMode": "awsvpc",
    "runtimePlatform": {"cpuArchitecture": "X86_64"},
    "taskRoleArn": "arn:aws:iam::1:role/web",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "repo/web:1.0",
            "essential": True,
            "portMappings": [{"containerPort": 80}],
            "environment": [
                {"name": "DATABASE_URL", "value": "postgres://u:pw1@db/app"},
                {"name": "MODE", "value": "a"},
            ],
            "secrets": [{"name": "KEY", "valueFrom": "arn:ssm:1"}],
        },
        {"name": "sidecar", "image": "otel:1", "essential": False},
    ],
}


def _next(**changes) -> dict:
    doc = copy.deepcopy(BASE)
    doc["revision"] = 5
    doc.update(changes)
    return doc


def test_equal_documents_have_no_differences() -> None:
    diff = diff_task_definitions(BASE, _next())
    assert diff.equal and text_lines(diff) == ["web:4 → web:5", "no differences"]
    assert summary(diff) == "no differences"


def test_shapes_ecs_returns_compare_equal() -> None:
    other = _next(cpu=512, runtimePlatform={"cpuArchitecture": "x86_64"})
    other["containerDefinitions"][1]["portMappings"] = []
    assert diff_task_definitions(BASE, other).equal


def test_task_and_container_fields() -> None:
    after = _next(memory="1024", runtimePlatform={"cpuArchitecture": "ARM64"}, taskRoleArn=None)
    web = after["containerDefinitions"][0]
    web["image"] = "repo/web:1.1"
    web["healthCheck"] = {"command": ["CMD", "true"]}
    web["secrets"] = [{"name": "KEY", "valueFrom": "arn:ssm:2"}]
    web["environment"] = [
        {"name": "DATABASE_URL", "value": "postgres://u:pw2@db/app"},  # a password in a URL
        {"name": "MODE", "value": "b"},
    ]
    after["containerDefinitions"][1] = {"name": "agent", "image": "agent:2"}
    diff = diff_task_definitions(BASE, after)
    got = {(c.container, c.field): (c.change, c.before, c.after, c.hidden) for c in diff.changes}
    assert got == {
        (None, "memory"): ("changed", 2048, 1024, False),
        (None, "architecture"): ("changed", "x86_64", "arm64", False),
        (None, "taskRoleArn"): ("removed", "arn:aws:iam::1:role/web", None, False),
        ("web", "image"): ("changed", "repo/web:1.0", "repo/web:1.1", False),
        ("web", "healthCheck"): ("added", None, {"command": ["CMD", "true"]}, False),
        ("web", "environment.DATABASE_URL"): ("changed", None, None, True),
        ("web", "environment.MODE"): ("changed", "a", "b", False),
        ("web", "secrets.KEY"): ("changed", "arn:ssm:1", "arn:ssm:2", False),
        ("agent", "container"): ("added", None, "agent:2", False),
        ("sidecar", "container"): ("removed", "otel:1", None, False),
    }
    text = "\n".join(text_lines(diff))
    assert "pw1" not in text and "pw2" not in text
    assert "  environment DATABASE_URL: changed (value hidden)" in text
    assert summary(diff, limit=3) == "image tag, memory 2048 → 1024, architecture, +6 more"


def test_summary_words_the_issue_example() -> None:
    after = _next(memory="1024")
    after["containerDefinitions"][0]["image"] = "repo/web:2.0"
    after["containerDefinitions"][0]["memory"] = 768  # the container's follows the task's
    assert summary(diff_task_definitions(BASE, after)) == "image tag, memory 2048 → 1024"
    other = _next()
    other["containerDefinitions"][0]["image"] = "other/web:1.0"
    assert summary(diff_task_definitions(BASE, other)) == "image"

"""`fgtop diff` against moto: two revisions that differ, equal ones, a missing one."""

from __future__ import annotations

import json

import pytest

from fgtop.cli.main import main
from tests.fakes.hostile import EVIL, FORBIDDEN

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/shop-search"


def _register(boto, *, tag: str, memory: str, env: dict[str, str], family: str = "shop-search"):
    return boto("ecs").register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1024",
        memory=memory,
        containerDefinitions=[
            {
                "name": "app",
                "image": f"{IMAGE}:{tag}",
                "essential": True,
                "environment": [{"name": k, "value": v} for k, v in env.items()],
                "secrets": [{"name": "API_TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:p/t"}],
            }
        ],
    )["taskDefinition"]


@pytest.fixture
def revisions(boto):
    """shop-search:1 and :2 differ in image tag, memory, LOG_LEVEL and DB_PASSWORD; :3 = :2."""
    first = {"LOG_LEVEL": "info", "DB_PASSWORD": "hunter2-old", "NOTE": "plain"}
    second = {"LOG_LEVEL": "debug", "DB_PASSWORD": "hunter2-new", "NOTE": "plain"}
    _register(boto, tag="2026.11.21-2", memory="2048", env=first)
    _register(boto, tag="2026.11.28-3", memory="1024", env=second)
    _register(boto, tag="2026.11.28-3", memory="1024", env=second)
    _register(boto, tag="x", memory="512", env={}, family="shop-search-other")  # same prefix


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_two_revisions_differ_and_secrets_stay_hidden(revisions, capsys) -> None:
    code, out, err = _run(capsys, "shop-search:1", "shop-search:2")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "shop-search:1 → shop-search:2"
    assert "  memory: 2048 → 1024" in lines
    assert f"  image: {IMAGE}:2026.11.21-2 → {IMAGE}:2026.11.28-3" in lines
    assert "  environment LOG_LEVEL: info → debug" in lines
    assert "  environment DB_PASSWORD: changed (value hidden)" in lines
    assert "hunter2" not in out and "NOTE" not in out and "API_TOKEN" not in out


def test_json_has_the_same_changes(revisions, capsys) -> None:
    code, out, _ = _run(capsys, "shop-search:1", "shop-search:2", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["from"], doc["to"]) == ("shop-search:1", "shop-search:2")
    by_field = {(c["container"], c["field"]): c for c in doc["changes"]}
    assert by_field[(None, "memory")] | {} == {
        "container": None,
        "field": "memory",
        "change": "changed",
        "before": 2048,
        "after": 1024,
        "hidden": False,
    }
    secret = by_field[("app", "environment.DB_PASSWORD")]
    assert secret["hidden"] and secret["before"] is None and secret["after"] is None
    assert "hunter2" not in out
    assert set(by_field) == {
        (None, "memory"),
        ("app", "image"),
        ("app", "environment.LOG_LEVEL"),
        ("app", "environment.DB_PASSWORD"),
    }


def test_a_family_alone_compares_its_latest_two(revisions, capsys) -> None:
    code, out, _ = _run(capsys, "shop-search")
    assert code == 0
    assert out.splitlines() == ["shop-search:2 → shop-search:3", "no differences"]
    code, out, _ = _run(capsys, "shop-search:2")  # a revision: with the one before it
    assert out.splitlines()[0] == "shop-search:1 → shop-search:2" and code == 0


def test_equal_revisions_by_arn(revisions, boto, capsys) -> None:
    arns = boto("ecs").list_task_definitions(familyPrefix="shop-search")["taskDefinitionArns"]
    two = next(a for a in arns if a.endswith("shop-search:2"))
    code, out, _ = _run(capsys, two, "shop-search:3", "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []


def test_a_missing_revision_is_one_line_and_exit_2(revisions, capsys) -> None:
    code, out, err = _run(capsys, "shop-search:1", "shop-search:99")
    assert code == 2 and out == ""
    assert err == "fgtop: task definition shop-search:99 not found in us-east-1\n"
    code, _, err = _run(capsys, "nosuchfamily")
    assert code == 2 and err.count("\n") == 1 and "nosuchfamily" in err


def test_hostile_values_never_reach_the_terminal(boto, capsys) -> None:
    _register(boto, tag="a", memory="1024", env={"MOTD": "hello"})
    _register(boto, tag="a", memory="1024", env={"MOTD": EVIL})
    code, out, _ = _run(capsys, "shop-search")
    assert code == 0 and "environment MOTD" in out
    assert not set(out) & (FORBIDDEN - {"\n"})
    code, out, _ = _run(capsys, "shop-search", "--format", "json")
    assert not set(out) & (FORBIDDEN - {"\n"}) and json.loads(out)["changes"][0]["after"] == EVIL

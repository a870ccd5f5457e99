"""The installed command over two accounts: ``--profile a --profile b``, ``--account``.

moto serves each request in the account its access key belongs to, so two profiles holding the
keys of an IAM user in each member account reach two accounts, as two real profiles would.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.fakes.org import credentials_file, make_org, member_client, seed_member, user_keys
from tests.integration.test_cli_logs import fgtop, put

REGION = "us-east-1"
ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture
def two_profiles(moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Accounts a and b, each with cluster prod and service web (two and one tasks), and the
    profiles ``a`` and ``b`` holding a key of each; AWS_* keys unset."""
    org = make_org(moto, ["a", "b"])
    profiles = {}
    for member, tasks in zip(org.members, (2, 1), strict=True):
        seed_member(org, member, [REGION], {"web": tasks})
        iam = member_client(moto, member.id, "iam", REGION)
        profiles[member.name] = user_keys(iam, "reader", ALL)
    credentials_file(tmp_path / "credentials", profiles)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    return org


def test_two_profiles_one_snapshot(two_profiles) -> None:  # noqa: ANN001
    a, b = two_profiles.members
    (proc,) = fgtop(
        ("snapshot", "--profile", "a", "--profile", "b", "--region", REGION, "--no-metrics")
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(x["id"], x["name"], x["profile"]) for x in doc["accounts"]] == [
        (a.id, "a", "a"),
        (b.id, "b", "b"),
    ]
    assert doc["account"] is None
    assert sorted((t["account"], t["service"]) for t in doc["tasks"]) == sorted(
        [(a.id, "web")] * 2 + [(b.id, "web")]
    )
    assert {s["name"] for s in doc["sources"]} >= {"ecs:us-east-1@a", "ecs:us-east-1@b"}
    # (the why sources' APIs are not moto's: only the accounts' and ECS sources must be well)
    ecs = [s for s in doc["sources"] if s["name"].startswith(("account@", "ecs:"))]
    assert len(ecs) == 4 and all(s["ok"] for s in ecs), doc["sources"]
    # Table form: the ACCOUNT column.
    (table,) = fgtop(
        ("snapshot", "--profile", "a", "--profile", "b", "--region", REGION, "--no-metrics",
         "--format", "table")
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[0].split()[0] == "SERVICE" and rows[0].split()[-1] == "ACCOUNT"
    assert sorted(r.split()[-1] for r in rows[1:3]) == ["a", "b"]


def test_logs_and_diff_take_an_account(two_profiles) -> None:  # noqa: ANN001
    a, b = two_profiles.members
    now = time.time()
    logs = member_client(two_profiles.endpoint, b.id, "logs", REGION)
    task_id = b.tasks[REGION][0].rsplit("/", 1)[-1]
    put(logs, "/ecs/web", f"ecs/app/{task_id}", [(now - 60, "hello from b")])
    ecs_a = member_client(two_profiles.endpoint, a.id, "ecs", REGION)
    from tests.fakes.aws_world import register

    register(ecs_a, "web", memory="2048")  # web:2 in account a only
    both = ("--profile", "a", "--profile", "b", "--region", REGION)
    ambiguous, picked, diff_ambiguous, diff_a = fgtop(
        ("logs", "web", *both),
        ("logs", "web", *both, "--account", "b"),
        ("diff", "web", *both),
        ("diff", "web", *both, "--account", "a", "--format", "json"),
    )
    assert ambiguous.returncode == 2
    assert ambiguous.stderr.strip() == (
        "fgtop: service 'web' is in several clusters: prod (us-east-1, a), prod (us-east-1, b); "
        "pass --cluster NAME (and --region REGION) (and --account NAME)"
    )
    assert picked.returncode == 0, picked.stderr
    assert picked.stdout.splitlines()[-1].endswith("hello from b")
    assert diff_ambiguous.returncode == 2
    assert diff_ambiguous.stderr.strip() == (
        "fgtop: several accounts are configured: pick one with --account (a, b)"
    )
    assert diff_a.returncode == 0, diff_a.stderr
    doc = json.loads(diff_a.stdout)
    # web:2 exists in account a only (b has web:1 alone: "needs two ACTIVE revisions").
    assert (doc["from"], doc["to"]) == ("web:1", "web:2")
    assert os.environ.get("AWS_ACCESS_KEY_ID") is None

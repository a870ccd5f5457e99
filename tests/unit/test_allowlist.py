"""The allow-list is the one list: real operations, every call fgtop makes, the README's table."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import botocore.session
from botocore import xform_name

from fgtop.sources.allowlist import ALLOWED, PERMISSIONS, iam_policy, iam_table, is_allowed

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from iam_table import readme_table  # noqa: E402

# How fgtop names an AWS operation in code: client.describe_tasks(, get_paginator("list_tasks"),
# self._call(client, "describe_tasks", ...), self._paginate(client, "list_tasks", ...) and the
# why sources' self.call(client, "DescribeAlarms", ...).
_CALLS = (
    re.compile(r"\b(?:client|ecs|eks|sts|logs|pricing)\.([a-z]+(?:_[a-z0-9]+)+)\("),
    re.compile(r"get_paginator\(\s*\"([a-z_]+)\""),
    re.compile(r"_(?:call|paginate)\(\s*\w+,\s*\"([a-z_]+)\""),
)
_CAMEL_CALLS = re.compile(r"\bcall\(\s*\w+,\s*\"([A-Z][A-Za-z]+)\"")
_NOT_OPERATIONS = {"get_paginator", "get_frozen_credentials", "get_credentials"}


def _operations() -> dict[str, set[str]]:
    """snake_case operation name -> the (service, Operation) pairs it can be, for the services
    fgtop uses."""
    session = botocore.session.get_session()
    out: dict[str, set[str]] = {}
    for service in {p.service for p in PERMISSIONS}:
        for op in session.get_service_model(service).operation_names:
            out.setdefault(xform_name(op), set()).add((service, op))
    return out


def test_every_listed_operation_exists_in_botocore() -> None:
    session = botocore.session.get_session()
    for p in PERMISSIONS:
        assert p.operation in session.get_service_model(p.service).operation_names, p.action
    assert len(ALLOWED) == len(PERMISSIONS)  # no pair twice


def test_every_call_fgtop_makes_is_on_the_list() -> None:
    ops = _operations()
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "fgtop").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        names = [m.group(1) for pattern in _CALLS for m in pattern.finditer(text)]
        names += [xform_name(m.group(1)) for m in _CAMEL_CALLS.finditer(text)]
        for name in names:
            if name in _NOT_OPERATIONS or name not in ops:
                continue
            found.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    # The scan sees calls of each shape (a method, a paginator, the ECS source's helpers).
    assert {"get_metric_data", "list_fargate_profiles", "describe_tasks"} <= found.keys()
    assert {"describe_target_health", "list_service_deployments"} <= found.keys()
    missing = {name: where for name, where in found.items() if not (ops[name] & ALLOWED)}
    assert missing == {}


def test_the_insights_operations_and_nothing_broader() -> None:
    for op in ("StartQuery", "GetQueryResults", "StopQuery", "FilterLogEvents"):
        assert is_allowed("logs", op)
    assert not is_allowed("logs", "StartLiveTail")  # fgtop does not call it
    assert not is_allowed("logs", "PutLogEvents")
    assert not is_allowed("sts", "GetSessionToken")
    assert not is_allowed("ecr", "GetAuthorizationToken")
    assert not is_allowed("secretsmanager", "GetSecretValue")
    assert not is_allowed("ecs", "GetTaskProtection")  # a Get* fgtop does not need
    assert not is_allowed("eks", "DescribeTaskDefinition")  # the service counts, not just the name


def test_readme_iam_table_is_generated_from_the_list() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table(readme) == iam_table(), "run: python bench/iam_table.py --write"


def test_the_policy_allows_exactly_the_list() -> None:
    actions = iam_policy()["Statement"][0]["Action"]
    assert set(actions) == {p.action for p in PERMISSIONS}


def test_the_why_operations_and_nothing_broader() -> None:
    for service, op in (
        ("ecs", "ListServiceDeployments"),
        ("ecs", "DescribeServiceDeployments"),
        ("ecs", "DescribeServiceRevisions"),
        ("elbv2", "DescribeTargetHealth"),
        ("cloudwatch", "DescribeAlarms"),
        ("cloudwatch", "DescribeAlarmHistory"),
        ("application-autoscaling", "DescribeScalableTargets"),
        ("application-autoscaling", "DescribeScalingPolicies"),
        ("application-autoscaling", "DescribeScalingActivities"),
    ):
        assert is_allowed(service, op), op
    assert not is_allowed("ecs", "UpdateServiceDeployment")
    assert not is_allowed("ecs", "StopServiceDeployment")
    assert not is_allowed("elbv2", "DeregisterTargets")
    assert not is_allowed("cloudwatch", "SetAlarmState")
    assert not is_allowed("cloudwatch", "DisableAlarmActions")
    assert not is_allowed("application-autoscaling", "RegisterScalableTarget")
    assert not is_allowed("application-autoscaling", "PutScalingPolicy")
    actions = {p.action for p in PERMISSIONS}
    assert "elasticloadbalancing:DescribeTargetHealth" in actions  # the IAM prefix, not botocore's
    assert not any(a.startswith("elbv2:") for a in actions)


def test_readme_policies_are_generated_and_split_the_list() -> None:
    from iam_table import POLICIES, policy_block, readme_policy

    from fgtop.sources.allowlist import NOT_READS, discovering_policy, member_policy

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in POLICIES:
        assert readme_policy(readme, name) == policy_block(name), (
            "run: python bench/iam_table.py --write"
        )
    member = set(member_policy()["Statement"][0]["Action"])
    discovering = discovering_policy("r")["Statement"]
    assert member | set(discovering[0]["Action"]) | {discovering[1]["Action"]} == {
        p.action for p in PERMISSIONS
    }
    assert "sts:AssumeRole" not in member and not any(
        a.startswith("organizations:") for a in member
    )
    assert discovering[1]["Resource"] == "arn:aws:iam::*:role/r"
    # AssumeRole is the one listed call that is not a read of the estate.
    assert {f"{s}:{o}" for s, o in NOT_READS} == {"sts:AssumeRole"}

"""One malformed ECS task or service is skipped and counted; the good ones are listed.

Real-shaped samples (``../shared/samples``) with one item broken, parsed by a real
``EcsSource`` the way its poll does; ``degraded()`` (the source's health line) counts them.
(A response that breaks botocore's own shapes fails the whole call inside botocore, so the
fault proxy cannot feed one through moto.)
"""

from __future__ import annotations

import copy
import json

import pytest

from fgtop.model import Cluster
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource, parse_service
from tests.fakes.snapshots import SAMPLES

REGION = "us-east-1"


def sample(name: str) -> list[dict]:
    with open(f"{SAMPLES}/{name}") as fh:
        data = json.load(fh)
    return data["tasks" if "tasks" in data else "services"]


BREAKS = {
    "a string, not an object": lambda item: "garbage",
    "containers is a map": lambda item: {**item, "containers": {"app": 1}},
    "createdAt is a list": lambda item: {**item, "createdAt": [1, 2]},
    "taskDefinitionArn is a list": lambda item: {**item, "taskDefinitionArn": ["x"]},
}


@pytest.mark.parametrize("how", list(BREAKS))
def test_one_broken_sample_task_is_skipped_and_counted(how: str) -> None:
    raw = copy.deepcopy(sample("ecs-describe-tasks.json"))
    good = [t["taskArn"] for t in raw[1:]]
    raw[0] = BREAKS[how](raw[0])
    source = EcsSource(Aws(regions=["eu-west-1"]), "eu-west-1", include_ec2=True)
    cluster = Cluster(
        arn="arn:aws:ecs:eu-west-1:1:cluster/shop-prod",
        name="shop-prod",
        region="eu-west-1",
        status="ACTIVE",
    )
    tasks = source._parse_tasks(source._tasks_to_parse(raw), cluster)  # noqa: SLF001
    assert [t.arn for t in tasks] == good
    assert source.degraded() == "1 malformed task skipped"


@pytest.mark.parametrize(
    "how",
    [
        lambda s: 7,
        lambda s: {**s, "deployments": "many"},
        lambda s: {**s, "events": {"a": 1}},
    ],
)
def test_one_broken_sample_service_is_skipped_and_counted(how) -> None:  # noqa: ANN001
    raw = copy.deepcopy(sample("ecs-describe-services.json"))
    good = [s["serviceName"] for s in raw[1:]]
    raw[0] = how(raw[0])
    source = EcsSource(Aws(regions=["eu-west-1"]), "eu-west-1")
    services = source._parse_each(  # noqa: SLF001
        "services", raw, lambda s: parse_service(s, "shop-prod", "eu-west-1")
    )
    assert [s.name for s in services] == good
    assert source.degraded() == "1 malformed service skipped"

"""What the fault-proxy tests share: a small ECS world in moto behind the fault proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fgtop.sources.aws import Aws
from tests.fakes.aws_world import web_service
from tests.fakes.fault_proxy import FaultProxy

REGION = "us-east-1"


@pytest.fixture
async def web_proxy(moto: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FaultProxy]:
    """A cluster with a two-task Fargate service; every AWS SDK pointed at the proxy."""
    web_service(moto, REGION)
    async with FaultProxy(moto) as fp:
        monkeypatch.setenv("AWS_ENDPOINT_URL", fp.url)
        yield fp


@pytest.fixture
async def aws(why: object, moto: str) -> AsyncIterator[Aws]:
    """The AWS layer in us-east-1, with the why services' fakes behind moto (the why sources'
    tests)."""
    layer = Aws(regions=[REGION])
    yield layer
    await layer.close()

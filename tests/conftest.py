"""Shared test fixtures: a real moto server over HTTP and a clean AWS environment.

The real aiobotocore client talks HTTP to moto's ThreadedMotoServer on 127.0.0.1; nothing
of fgtop's own is mocked.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator

import boto3

# Imported here, before any test starts a thread: hypothesis's pytest plugin imports it at the
# end of a run otherwise, and pytest's assertion rewriting parses it then (ast.parse) while the
# quick quit's shutdown threads may still run. CPython 3.11 before 3.11.8 shares the AST
# converter's recursion counter between threads (gh-106905): "SystemError: AST constructor
# recursion depth mismatch" at the end of an otherwise green run.
import hypothesis  # noqa: F401
import pytest
import requests
from moto.server import ThreadedMotoServer

from tests.fakes.compute_optimizer import FakeComputeOptimizer
from tests.fakes.insights_server import FakeInsights
from tests.fakes.why_services import (
    FakeAlarmHistory,
    FakeEcsDeployments,
    FakeScalingActivities,
    FakeTargetHealth,
)

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture(autouse=True)
def clean_aws_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test sees the developer's AWS or Kubernetes configuration."""
    for key in list(os.environ):
        if key.startswith("AWS_") or key in {"KUBECONFIG", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"}:
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(autouse=True)
def thaw_gc() -> Iterator[None]:
    """An app under test freezes the heap of its start after the first frame, as a real launch
    does (``fgtop.ui.app.freeze_startup_heap``); thaw it after each test, or every finished app
    of the session would stay in memory (frozen objects are never collected)."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 for the whole session; yields its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address  # noqa: SLF001 - moto exposes no getter
    url = f"http://{host}:{port}"
    # Task status would drift RUNNING -> STOPPED on every describe unless frozen.
    requests.post(
        f"{url}/moto-api/state-manager/set-transition",
        json={"model_name": "ecs::task", "transition": {"progression": "manual", "times": 999999}},
        timeout=5,
    )
    yield url
    server.stop()


@pytest.fixture(scope="session")
def compute_optimizer_server() -> Iterator[FakeComputeOptimizer]:
    """The fake Compute Optimizer (moto does not serve it) for the whole session."""
    fake = FakeComputeOptimizer()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def compute_optimizer(
    compute_optimizer_server: FakeComputeOptimizer, monkeypatch: pytest.MonkeyPatch
) -> FakeComputeOptimizer:
    """The fake Compute Optimizer, reset (not enrolled: what most accounts answer), with
    ``AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER`` pointing the real client at it."""
    compute_optimizer_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER", compute_optimizer_server.url)
    return compute_optimizer_server


@pytest.fixture(scope="session")
def insights_server() -> Iterator[FakeInsights]:
    """The fake Logs Insights (moto's queries complete at once and cannot stop) for the session."""
    fake = FakeInsights()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def insights(
    insights_server: FakeInsights, moto: str, monkeypatch: pytest.MonkeyPatch
) -> FakeInsights:
    """moto for everything, the fake (reset) for CloudWatch Logs: ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``
    points the real client at it (FilterLogEvents too: the fake answers only Insights)."""
    insights_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", insights_server.url)
    return insights_server


@pytest.fixture
def moto(
    moto_server: str, compute_optimizer: FakeComputeOptimizer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A reset moto server with the environment pointing every AWS SDK at it (and Compute
    Optimizer, which moto lacks, at the fake: see :func:`compute_optimizer`)."""
    requests.post(f"{moto_server}/moto-api/reset", timeout=5)
    requests.post(
        f"{moto_server}/moto-api/state-manager/set-transition",
        json={"model_name": "ecs::task", "transition": {"progression": "manual", "times": 999999}},
        timeout=5,
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    yield moto_server


class WhyFakes:
    """The four fakes in front of moto for what it lacks of the why APIs (reset per test)."""

    def __init__(self, moto_url: str) -> None:
        self.ecs = FakeEcsDeployments(moto_url)
        self.scaling = FakeScalingActivities(moto_url)
        self.alarms = FakeAlarmHistory(moto_url)
        self.elb = FakeTargetHealth(moto_url)
        self.all = (self.ecs, self.scaling, self.alarms, self.elb)
        self.env = {
            "AWS_ENDPOINT_URL_ECS": self.ecs,
            "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": self.scaling,
            "AWS_ENDPOINT_URL_CLOUDWATCH": self.alarms,
            "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": self.elb,
        }


@pytest.fixture(scope="session")
def why_servers(moto_server: str) -> Iterator[WhyFakes]:
    """The why fakes for the whole session, each forwarding what it lacks to moto."""
    fakes = WhyFakes(moto_server)
    for fake in fakes.all:
        fake.start()
    yield fakes
    for fake in fakes.all:
        fake.stop()


@pytest.fixture
def why(why_servers: WhyFakes, moto: str, monkeypatch: pytest.MonkeyPatch) -> WhyFakes:
    """moto for everything, the why fakes (reset) in front of it for ECS, Application Auto
    Scaling, CloudWatch and ELB v2 (``AWS_ENDPOINT_URL_<SERVICE>``)."""
    for name, fake in why_servers.env.items():
        fake.reset()
        monkeypatch.setenv(name, fake.url)
    return why_servers


@pytest.fixture
def boto(moto: str):
    """A factory of plain boto3 clients against the moto server, for arranging test data."""

    def make(service: str, region: str = "us-east-1"):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=moto,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


@pytest.fixture
def demo_app():
    """A factory of apps on the bundled demo (a real ReplayFeed); recordings closed after."""
    from tests.ui.helpers import demo_app as make

    made = []

    def factory(*args, **kwargs):
        app, player, rec = make(*args, **kwargs)
        made.append(rec)
        return app, player, rec

    yield factory
    for rec in made:
        rec.close()

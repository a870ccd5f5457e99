"""The live engine runs off the UI's thread, and `q` quits at once.

botocore's parser is observed (wrapped to record the thread it runs on, then called as is)
while the real app runs against moto through Pilot: polling ECS and CloudWatch, a log tail
and a Logs Insights query. Nothing of fgtop's is mocked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import aiobotocore.parsers
import botocore.parsers
import pytest
from textual.pilot import Pilot

from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import CLOSE_DEADLINE, LiveFeed
from fgtop.sources.aws import Aws
from fgtop.sources.cloudwatch import CloudWatchSource
from fgtop.sources.ecs import EcsSource
from fgtop.ui.app import FgtopApp, create_app
from fgtop.ui.screens.insights import ConfirmQuery, InsightsScreen, QueryPicker
from fgtop.ui.screens.logs import LogsScreen
from tests.fakes.aws_world import web_service
from tests.fakes.estate import Estate
from tests.fakes.fault_proxy import FaultProxy
from tests.fakes.insights_server import FakeInsights
from tests.ui.helpers import publish

REGION = "us-east-1"
SIZE = (160, 48)


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = 30):
    """Pause until ``condition()`` is true (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)
    return value


def live_app(*, metrics: bool = True) -> FgtopApp:
    aws = Aws(regions=[REGION])
    sources = [EcsSource(aws, REGION, refresh=1.0)]
    if metrics:
        sources.append(CloudWatchSource(aws))
    engine = Engine(sources, meta={"regions": (REGION,)})
    engine.closers.append(aws.close)
    return create_app(LiveFeed(engine, Deriver(load_price_table())), land_on_problems=False)


def observe_parsers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the thread of every botocore parse (aiobotocore's entry and botocore's work)."""
    threads: list[int] = []
    aio_parse = aiobotocore.parsers.AioResponseParser.parse
    parse_shape = botocore.parsers.ResponseParser._parse_shape  # noqa: SLF001
    sync_parse = botocore.parsers.ResponseParser.parse

    async def observed_aio(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        threads.append(threading.get_ident())
        return await aio_parse(self, *args, **kwargs)

    def observed_shape(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        threads.append(threading.get_ident())
        return parse_shape(self, *args, **kwargs)

    def observed_sync(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        threads.append(threading.get_ident())
        return sync_parse(self, *args, **kwargs)

    monkeypatch.setattr(aiobotocore.parsers.AioResponseParser, "parse", observed_aio)
    monkeypatch.setattr(botocore.parsers.ResponseParser, "_parse_shape", observed_shape)
    monkeypatch.setattr(botocore.parsers.ResponseParser, "parse", observed_sync)
    return threads


async def test_botocore_never_parses_on_the_ui_thread(
    moto: str, insights: FakeInsights, monkeypatch: pytest.MonkeyPatch
) -> None:
    web_service(moto, REGION)
    insights.state.final = "never"  # the query keeps running
    threads = observe_parsers(monkeypatch)
    ui = threading.get_ident()
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        snap = await wait_for(
            pilot,
            lambda: (s := app.snapshot) and len(s.tasks) == 2 and s.services and s,
            "the live service's tasks",
        )
        # A log tail of the service (CloudWatch Logs through the fake: parsed all the same).
        assert app.dashboard is not None and app.dashboard.select(snap.services[0].arn)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "the log view")
        await pilot.pause(0.5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, "the dashboard")
        # A Logs Insights query, running.
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, QueryPicker), "the picker")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, InsightsScreen) and app.screen.batch is not None,
            "the query's progress",
        )
        await wait_for(pilot, lambda: insights.state.calls("GetQueryResults"), "a poll")
        feed = app.feed
        assert isinstance(feed, LiveFeed)
        assert feed.poller.thread_id != ui
    services = {r.operation for r in insights.state.requests}
    assert {"StartQuery", "GetQueryResults", "FilterLogEvents"} <= services
    assert threads, "botocore parsed nothing: the observation is broken"
    assert ui not in threads, "botocore parsed a response on the UI's thread"
    assert feed.poller.thread_id in threads


async def test_q_quits_at_once_while_a_poll_and_a_derivation_are_in_flight(
    moto: str, insights: FakeInsights, monkeypatch: pytest.MonkeyPatch
) -> None:
    web_service(moto, REGION)
    insights.state.final = "never"
    insights.state.stop_delay = 5.0  # stopping the running query is slow
    async with FaultProxy(moto) as ecs:
        aws = Aws(regions=[REGION])
        source = EcsSource(aws, REGION, refresh=0.5)
        engine = Engine([source], meta={"regions": (REGION,)})
        engine.closers.append(aws.close)
        feed = LiveFeed(engine, Deriver(load_price_table()))
        app = create_app(feed, land_on_problems=False)
        monkeypatch.setenv("AWS_ENDPOINT_URL_ECS", ecs.url)
        async with app.run_test(size=SIZE) as pilot:
            snap = await wait_for(
                pilot, lambda: (s := app.snapshot) and s.services and s, "the service"
            )
            assert app.dashboard is not None and app.dashboard.select(snap.services[0].arn)
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, QueryPicker), "the picker")
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmQuery), "the prompt")
            await pilot.press("enter")
            await wait_for(pilot, lambda: insights.state.calls("GetQueryResults"), "a poll")
            # A poll in flight: the next ListClusters waits 30 s.
            ecs.delay["ListClusters"] = 30.0
            calls = ecs.calls["ListClusters"]
            await wait_for(pilot, lambda: ecs.calls["ListClusters"] > calls, "a poll")
            # A derivation in flight: 5,000 tasks take a while to derive.
            started: list[float] = []
            derive = feed._publisher.deriver.derive_batch  # noqa: SLF001

            def observed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                started.append(time.perf_counter())
                return derive(*args, **kwargs)

            feed._publisher.deriver.derive_batch = observed  # type: ignore[method-assign]  # noqa: SLF001
            estate = Estate(tasks=5000)
            await publish(feed, estate.snapshot())
            await wait_for(pilot, lambda: started, "a derivation")
            await publish(feed, estate.advance())  # pending: would be derived next
            quit_at = time.perf_counter()
            await pilot.press("q")
        took = time.perf_counter() - quit_at
        assert took < 1.0, f"q took {took:.2f} s"
        assert not [t for t in started if t > quit_at], "a derivation started after q"
        # The engine still shuts down, in the background: the running query is stopped.
        await _wait(lambda: engine._closed, CLOSE_DEADLINE + 5)  # noqa: SLF001
        assert insights.state.calls("StopQuery")


async def _wait(condition: Callable[[], object], timeout: float) -> None:
    import asyncio

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)

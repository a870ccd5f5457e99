"""A log tail in the dashboard resumes after throttling: no line lost, none doubled, and the
newest line is on screen.

The dashboard runs on the live engine (moto behind the fault proxy) with a task's logs open;
``FilterLogEvents`` is throttled while lines keep arriving, for three of the tail's calls (each
after botocore's own retries), then allowed again. Every line must be in the view once, the view
must still follow (the newest line visible) and the throttling notice must go.
"""

from __future__ import annotations

import asyncio
import time

from fgtop.engine.core import Engine
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.ui.screens.logs import LogsScreen
from fgtop.ui.widgets.log_view import LogView
from tests.fakes.fault_proxy import FaultProxy
from tests.ui.test_hostile_live import live_app

REGION = "us-east-1"
GROUP = "/ecs/web"


async def test_a_tail_resumes_after_throttling_without_loss_or_repeat(
    web_proxy: FaultProxy, boto
) -> None:
    logs = boto("logs")
    aws = Aws(regions=[REGION])
    engine = Engine([EcsSource(aws, REGION, refresh=1.0)], meta={"regions": (REGION,)})
    engine.closers.append(aws.close)
    sent: list[str] = []
    stream = ""

    def put(n: int) -> None:
        now = int(time.time() * 1000)
        batch = [f"line {len(sent) + i}" for i in range(n)]
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(batch)],
        )
        sent.extend(batch)

    app = live_app(engine)
    async with app.run_test(size=(120, 30)) as pilot:

        async def until(condition, what: str, timeout: float) -> float:  # noqa: ANN001
            started = time.monotonic()
            while not condition():
                assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
                await pilot.pause(0.1)
            return time.monotonic() - started

        await until(lambda: app.snapshot is not None and app.snapshot.tasks, "the tasks", 30)
        task = app.snapshot.tasks[0]
        stream = f"ecs/app/{task.id}"
        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        put(60)  # more than the view's height: following means scrolling
        app.open_logs(task.arn)
        await until(lambda: isinstance(app.screen, LogsScreen), "the logs screen", 10)
        await until(lambda: bool(app.screen.query(LogView)), "the log view", 10)
        view = app.screen.query_one(LogView)

        def shown() -> list[str]:
            return [entry.line.message for entry in view.buffer]

        await until(lambda: len(shown()) == 60, "the first lines", 20)
        await pilot.pause(0.3)
        assert view.follow and view.lines.is_vertical_scroll_end
        # Throttled until three of the tail's calls failed, lines arriving meanwhile.
        web_proxy.throttle = {"FilterLogEvents"}
        for n in range(1, 4):
            put(1)
            await until(lambda n=n: "throttl" in (view.message or "").lower(), "a notice", 60)
            calls = web_proxy.calls["FilterLogEvents"]
            await until(lambda c=calls: web_proxy.calls["FilterLogEvents"] > c, "a call", 60)
        web_proxy.throttle = set()
        put(2)
        took = await until(lambda: len(shown()) >= len(sent), "the lines after throttling", 90)
        assert took < 15, f"the tail took {took:.0f}s to resume"
        await asyncio.sleep(3)  # one more poll or so: nothing comes twice
        await pilot.pause(0.2)
        assert shown() == sent
        # On screen: still following, the newest line in view; the notice gone.
        assert view.follow and view.lines.is_vertical_scroll_end, view.new_lines
        assert not view.message, view.message

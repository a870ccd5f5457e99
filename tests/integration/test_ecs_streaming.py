"""Streamed first rows: the first poll publishes each batch of tasks as it is described.

moto behind the paging proxy (ECS page sizes) behind the fault proxy, which makes each
DescribeTasks call land later than the one before, as on a slow link to a big account.
"""

from __future__ import annotations

import asyncio
import re

from fgtop.engine.core import Engine
from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.ui.widgets.header_bar import HeaderBar
from tests.fakes.aws_world import build_world
from tests.fakes.fault_proxy import FaultProxy
from tests.fakes.paging_proxy import PagingProxy
from tests.ui.helpers import plain, pushed_app

REGION = "us-east-1"
DEADLINE = 60.0


async def _wait(condition, what: str) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_first_rows_before_the_poll_ends_and_the_header_says_loading(
    moto: str, monkeypatch
) -> None:
    world = build_world(moto)
    everything = set(world.tasks["prod"]) | set(world.tasks["batch"])
    assert len(world.tasks["prod"]) > 100  # prod: two DescribeTasks batches; batch: one
    paging = PagingProxy(moto)
    await paging.start()
    slow = FaultProxy(paging.url)
    # The batches land 0.3 s, 1.8 s, 3.3 s after they are asked for.
    slow.delay["DescribeTasks"] = 0.3
    slow.delay_step["DescribeTasks"] = 1.5
    await slow.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", slow.url)
    aws = Aws(regions=[REGION])
    source = EcsSource(aws, REGION)
    app = pushed_app(sources=(source,))
    engine: Engine = app.feed.engine  # type: ignore[attr-defined]
    engine.closers.append(aws.close)
    published = []
    engine.subscribe(published.append)
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            header = app.screen.query_one(HeaderBar)

            def header_text() -> str:
                return " ".join(plain(header.render(), width=400).split())

            # Some rows, not all, while the poll is still running: the header says how far.
            await _wait(
                lambda: any(s.loading and 0 < len(s.tasks) < len(everything) for s in published),
                "a snapshot with some of the tasks",
            )
            partial = next(s for s in published if s.loading)
            loaded, expected = partial.loading
            assert loaded == len(partial.tasks) and expected >= loaded
            assert not engine.complete  # the first poll has not ended
            assert {t.arn for t in partial.tasks} < everything
            await _wait(lambda: "loading" in header_text(), "the loading header")
            shown = re.search(r"loading ([\d,]+) / ~([\d,]+) tasks", header_text())
            assert shown, header_text()
            assert 0 < int(shown[1].replace(",", "")) <= int(shown[2].replace(",", ""))
            # Then all of them, and the loading note goes.
            await _wait(
                lambda: any({t.arn for t in s.tasks} == everything for s in published),
                "every task",
            )
            full = next(s for s in published if {t.arn for t in s.tasks} == everything)
            assert full.loading is None and published.index(full) > published.index(partial)
            await _wait(
                lambda: header.snapshot is not None and header.snapshot.loading is None,
                "the header to take the full snapshot",
            )
            await pilot.pause()
            assert "loading" not in header_text()
    finally:
        await slow.stop()
        await paging.stop()

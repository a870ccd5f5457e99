"""The heap of the start leaves Python's later full collections (``freeze_startup_heap``)."""

from __future__ import annotations

import gc

from tests.fakes.estate import Estate
from tests.ui.helpers import push, pushed_app, until


async def test_the_first_complete_frame_freezes_the_heap_of_the_start() -> None:
    gc.unfreeze()
    app = pushed_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() == 0  # not before the first frame
        await push(pilot, Estate(tasks=50, services=5, pods=0).snapshot())
        await until(pilot, lambda: gc.get_freeze_count() > 0, "the heap frozen")
        frozen = gc.get_freeze_count()
        gc.unfreeze()
        await push(pilot, Estate(tasks=60, services=5, pods=0, seed=3).snapshot())
        assert gc.get_freeze_count() == 0  # once per launch, not per frame
    assert frozen > 10_000  # modules, classes, widgets: the bulk of the start

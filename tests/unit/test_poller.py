"""The poller's thread: its executor of daemon threads, and handing iterations across loops."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator

import pytest

from fgtop.engine.poller import DaemonThreads, Poller


def test_daemon_threads_run_calls_in_at_most_n_daemon_threads() -> None:
    pool = DaemonThreads(workers=3)
    seen: set[int] = set()
    daemons: set[bool] = set()

    def work(i: int) -> int:
        seen.add(threading.get_ident())
        daemons.add(threading.current_thread().daemon)
        time.sleep(0.02)
        return i * 2

    futures = [pool.submit(work, i) for i in range(20)]
    assert [f.result(5) for f in futures] == [i * 2 for i in range(20)]
    assert 1 <= len(seen) <= 3 and daemons == {True}
    failing = pool.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(5)


async def test_stream_yields_on_the_callers_loop_and_stops_when_left() -> None:
    poller = Poller()
    ran_on: set[int] = set()
    closed = threading.Event()

    async def numbers() -> AsyncIterator[int]:
        try:
            for i in range(1000):
                ran_on.add(threading.get_ident())
                yield i
                await asyncio.sleep(0.01)
        finally:
            closed.set()

    got = []
    async for n in poller.stream(numbers):
        got.append(n)
        if n == 3:
            break
    assert got == [0, 1, 2, 3]
    assert ran_on == {poller.thread_id} and threading.get_ident() not in ran_on
    assert await asyncio.to_thread(closed.wait, 5)  # left early: cancelled on its loop

    async def broken() -> AsyncIterator[int]:
        yield 1
        raise ValueError("bad page")

    with pytest.raises(ValueError, match="bad page"):
        async for _ in poller.stream(broken):
            pass
    done = poller.shutdown()
    assert done is not None
    await asyncio.wrap_future(done)
    assert await asyncio.to_thread(poller.join, 5)

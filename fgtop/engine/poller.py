"""The poller's own thread: an asyncio loop where the engine, its sources and their clients live.

The UI's event loop never polls, parses or derives: the live engine (its sources, their
aiobotocore and Kubernetes clients, the merge and the derivation it hands snapshots to) runs
on :class:`Poller`'s loop in a daemon thread, and only finished frames, log lines and query
results cross to the UI's loop (``call_soon_threadsafe``). The AWS clients belong to the loop
that created them, so the live composition is built on this loop too (:meth:`Poller.run`).

Both threads share one GIL: what the poller runs in Python (botocore parsing the answers, the
sources' parsers, the merge, derivation) takes the GIL from the UI's thread in slices of the
interpreter's switch interval (5 ms by default), never for a whole parse or derivation.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import queue
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from fgtop.errors import FeedError

log = logging.getLogger(__name__)

T = TypeVar("T")

_ITEM, _ERROR, _END = "item", "error", "end"
FINISH_TIMEOUT = 1.0
"""Seconds the stopped loop gives its cancelled tasks and async generators to end."""


class DaemonThreads(concurrent.futures.ThreadPoolExecutor):
    """An executor of daemon threads: the poller loop's default (``asyncio.to_thread``:
    derivation, the task-definition cache's files, credential files).

    A ``ThreadPoolExecutor``'s workers are joined when the interpreter exits, so a derivation
    in flight at ``q`` (half a second at 20,000 tasks) would hold the exit; these are daemon
    threads, not waited for, and a result nobody reads is dropped with them. At most
    ``workers`` threads, started as work comes, kept for the next call.

    Args:
        workers: Threads at most.
        name: The threads' name.
    """

    def __init__(self, workers: int = 8, name: str = "fgtop-poller-worker") -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self._name = name
        self._most = workers
        self._work: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], Callable[[], Any]]]
        self._work = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0
        self._idle = 0

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        """Run ``fn(*args, **kwargs)`` in one of the daemon threads; its future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._work.put((future, lambda: fn(*args, **kwargs)))
        with self._lock:
            if self._idle == 0 and self._started < self._most:
                self._started += 1
                threading.Thread(target=self._worker, name=self._name, daemon=True).start()
        return future

    def _worker(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            future, call = self._work.get()
            with self._lock:
                self._idle -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = call()
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side
                future.set_exception(exc)
            else:
                future.set_result(result)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: ARG002
        """Nothing to join: the threads are daemons, idle ones wait for work forever."""


class Poller:
    """An asyncio event loop running in a daemon thread of its own.

    Args:
        name: The thread's name.
    """

    def __init__(self, name: str = "fgtop-poller") -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_default_executor(DaemonThreads())
        self._ready = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            self._finish()

    def _finish(self) -> None:
        """Cancel what is left and let it end, close the async generators and the loop, so no
        pending task or generator is left for the garbage collector to finalize later."""
        loop = self.loop
        with contextlib.suppress(Exception):
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                ending = asyncio.gather(*tasks, return_exceptions=True)
                loop.run_until_complete(asyncio.wait_for(ending, FINISH_TIMEOUT))
        with contextlib.suppress(Exception):
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), FINISH_TIMEOUT))
        loop.close()

    @property
    def thread_id(self) -> int | None:
        """The poller thread's ``threading.get_ident()``."""
        return self._thread.ident

    @property
    def alive(self) -> bool:
        """Whether the loop still takes work."""
        return self._thread.is_alive() and not self._closing

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the poller's loop; its (thread-safe) future.

        Raises:
            FeedError: When the poller has stopped.
        """
        if not self.alive:
            coro.close()
            raise FeedError("the live connection has stopped")
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the poller's loop and wait for its result, from another thread."""
        return self.submit(coro).result(timeout)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the poller's loop; await its result from the caller's loop."""
        return await asyncio.wrap_future(self.submit(coro))

    def call_soon(self, fn: Callable[..., object], *args: Any) -> None:
        """Call ``fn(*args)`` on the poller's loop (thread-safe; ignored once stopped)."""
        if self.alive:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.loop.call_soon_threadsafe(fn, *args)

    async def stream(self, make: Callable[[], AsyncIterator[T]]) -> AsyncGenerator[T, None]:
        """Iterate ``make()`` on the poller's loop; yield its items on the caller's loop.

        Leaving the iteration early cancels it on the poller's loop; an exception it raises
        is raised here.
        """
        caller = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def put(item: tuple[str, Any]) -> None:
            with contextlib.suppress(RuntimeError):  # the caller's loop is closed: no reader
                caller.call_soon_threadsafe(queue.put_nowait, item)

        async def pump() -> None:
            try:
                async for item in make():
                    put((_ITEM, item))
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # noqa: BLE001 - raised on the caller's side
                put((_ERROR, exc))
            else:
                put((_END, None))

        future = self.submit(pump())
        try:
            while True:
                kind, value = await queue.get()
                if kind == _ITEM:
                    yield value
                elif kind == _ERROR:
                    raise value
                else:
                    return
        finally:
            future.cancel()

    def shutdown(
        self, closing: Callable[[], Awaitable[object]] | None = None, *, deadline: float = 2.0
    ) -> concurrent.futures.Future[None] | None:
        """Stop in the background: run ``closing()`` (at most ``deadline`` seconds), cancel
        what is left on the loop, stop it. Returns at once; the future says when it is done.
        """
        if self._closing or not self._thread.is_alive():
            return None
        self._closing = True

        async def close() -> None:
            try:
                if closing is not None:
                    async with asyncio.timeout(deadline):
                        await closing()
            except Exception:  # noqa: BLE001 - a failed close is not worth a traceback at exit
                log.debug("closing the poller failed", exc_info=True)
            finally:
                self.loop.call_soon(self.loop.stop)

        return asyncio.run_coroutine_threadsafe(close(), self.loop)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end (at most ``timeout`` seconds); whether it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

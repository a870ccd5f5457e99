"""The on-disk task-definition cache: hit, miss, corrupt entry, concurrent writers, size cap."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from fgtop.sources.taskdef_cache import TaskDefCache

ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-api:{}"


def doc(n: int, pad: int = 0) -> dict:
    return {"taskDefinitionArn": ARN.format(n), "family": "shop-api", "revision": n, "x": "y" * pad}


def test_miss_then_hit_across_instances(tmp_path: Path) -> None:
    first = TaskDefCache(tmp_path)
    assert first.get(ARN.format(1)) is None and first.misses == 1
    first.put(ARN.format(1), doc(1))
    second = TaskDefCache(tmp_path)  # another launch
    assert second.get(ARN.format(1)) == doc(1) and second.hits == 1
    assert second.get(ARN.format(2)) is None


def test_the_default_folder_is_the_user_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = TaskDefCache()
    cache.put(ARN.format(3), doc(3))
    assert list((tmp_path / "fgtop" / "taskdefs").glob("*.json"))


def test_corrupt_or_mismatched_entries_are_dropped_not_fatal(tmp_path: Path) -> None:
    cache = TaskDefCache(tmp_path)
    cache.put(ARN.format(1), doc(1))
    cache.put(ARN.format(2), doc(2))
    path1 = cache._path(ARN.format(1))  # noqa: SLF001
    path1.write_text('{"arn": "arn:aws:ecs', encoding="utf-8")  # cut short
    path2 = cache._path(ARN.format(2))  # noqa: SLF001
    path2.write_text(json.dumps({"arn": ARN.format(2), "taskDefinition": doc(9)}))  # wrong doc
    assert cache.get(ARN.format(1)) is None and not path1.exists()
    assert cache.get(ARN.format(2)) is None and not path2.exists()
    assert cache.corrupt == 2
    cache.put(ARN.format(1), doc(1))  # fetched again, stored again
    assert cache.get(ARN.format(1)) == doc(1)


def test_concurrent_writers_never_leave_half_a_file(tmp_path: Path) -> None:
    caches = [TaskDefCache(tmp_path) for _ in range(4)]
    errors: list[BaseException] = []
    seen_bad: list[str] = []
    stop = threading.Event()

    def write(cache: TaskDefCache) -> None:
        try:
            for n in range(60):
                cache.put(ARN.format(n % 20), doc(n % 20, pad=5000))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def read() -> None:
        reader = TaskDefCache(tmp_path)
        while not stop.is_set():
            for n in range(20):
                got = reader.get(ARN.format(n))
                if got is not None and got != doc(n, pad=5000):
                    seen_bad.append(ARN.format(n))
        if reader.corrupt:
            seen_bad.append(f"{reader.corrupt} corrupt")

    threads = [threading.Thread(target=write, args=(c,)) for c in caches]
    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in [*threads, *readers]:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors and not seen_bad
    assert len(list(tmp_path.glob("*.json"))) == 20
    assert not list(tmp_path.glob(".tmp-*"))


def test_size_and_count_caps_drop_the_least_recently_used(tmp_path: Path) -> None:
    cache = TaskDefCache(tmp_path, max_entries=5)
    for n in range(8):
        cache.put(ARN.format(n), doc(n))
        path = cache._path(ARN.format(n))  # noqa: SLF001
        os.utime(path, (time.time() - 100 + n, time.time() - 100 + n))
    assert cache.get(ARN.format(0)) == doc(0)  # used now: the most recent
    assert cache.prune() == 3
    kept = [n for n in range(8) if cache.get(ARN.format(n)) is not None]
    assert kept == [0, 5, 6, 7] or kept == [0, 4, 5, 6, 7]
    assert len(kept) == 5 if 4 in kept else len(kept) == 4

    small = TaskDefCache(tmp_path / "small", max_bytes=25_000)
    for n in range(10):
        small.put(ARN.format(n), doc(n, pad=10_000))
    small.prune()
    total = sum(p.stat().st_size for p in (tmp_path / "small").glob("*.json"))
    assert 0 < total <= 25_000

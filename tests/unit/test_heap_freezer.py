"""What a full garbage collection leaves is frozen; a frozen heap grown by dead cycles is thawed."""

from __future__ import annotations

import gc
import weakref

from fgtop.ui.heap import SurvivorFreezer


class Node:
    """An object the collector tracks (and can put in a cycle)."""

    other: Node | None = None


def test_survivors_of_a_full_collection_are_frozen_and_the_next_one_walks_the_new_only() -> None:
    freezer = SurvivorFreezer()
    walked: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            walked.append(len(gc.get_objects()))

    gc.unfreeze()
    gc.disable()  # only the collections the test makes
    freezer.install()
    gc.callbacks.append(count)
    try:
        kept = [Node() for _ in range(20_000)]
        gc.collect()
        assert freezer.freezes == 1
        assert gc.get_freeze_count() >= len(kept)
        # The survivors are out of the next collections' walk: it sees the few made since.
        more = [Node() for _ in range(100)]
        gc.collect()
        assert walked[-1] < len(kept) // 4
        assert more
    finally:
        gc.callbacks.remove(count)
        freezer.uninstall()
        gc.unfreeze()
        gc.enable()


def test_cycles_frozen_then_dropped_are_collected_once_the_frozen_heap_has_grown() -> None:
    freezer = SurvivorFreezer(grow=2.0)
    gc.unfreeze()
    gc.disable()  # only the collections the test makes
    freezer.install()
    try:
        gc.collect()  # the baseline: what lives now
        base = gc.get_freeze_count()
        first: list[weakref.ref[Node]] = []
        for round_ in range(3):
            cycles = [Node() for _ in range(base)]
            for a in cycles:
                a.other = Node()
                a.other.other = a  # a cycle: never freed while frozen
            if round_ == 0:
                first = [weakref.ref(a) for a in cycles[:100]]
            gc.collect()  # frozen with the rest
            del cycles, a  # dead, but frozen: only a thaw frees them
        gc.collect()
        assert freezer.thaws >= 1
        assert all(ref() is None for ref in first), "dead cycles stayed frozen"
    finally:
        freezer.uninstall()
        gc.unfreeze()
        gc.enable()


def test_the_frozen_heap_is_counted_only_when_it_may_have_grown_past_the_threshold(
    monkeypatch,  # noqa: ANN001
) -> None:
    # Counting it walks every frozen object (10-30 ms at 20,000 tasks): not after every
    # full collection when only a few objects became long-lived since.
    freezer = SurvivorFreezer(grow=2.0)
    counted: list[int] = []
    count = gc.get_freeze_count

    def observed() -> int:
        counted.append(1)
        return count()

    monkeypatch.setattr(gc, "get_freeze_count", observed)
    gc.unfreeze()
    gc.disable()  # only the collections the test makes
    freezer.install()
    try:
        kept = [Node() for _ in range(20_000)]
        gc.collect()  # the baseline: counted once
        assert len(counted) == 1
        more = []
        for _ in range(20):
            more.append([Node() for _ in range(50)])
            gc.collect()
        assert freezer.freezes == 21
        assert len(counted) == 1, f"counted after {len(counted) - 1} of 20 small collections"
        # Once the survivors frozen since could have doubled it, it is counted (and thawed).
        assert freezer.baseline is not None and freezer.baseline >= len(kept)
        grown = [Node() for _ in range(freezer.baseline + 1_000)]
        gc.collect()
        assert len(counted) == 2
        assert freezer.thaws == 1
        assert grown
    finally:
        freezer.uninstall()
        gc.unfreeze()
        gc.enable()

"""What Python's full garbage collections walk while the dashboard runs: what survived the last.

A full collection (generation 2) walks every object the collector tracks, holding the GIL the
whole time, whichever thread triggered it: at 20,000 tasks, a few hundred thousand objects
(snapshots, the history, the tables' rows), 40-400 ms during which neither a key nor a frame
is handled. Most of them survive collection after collection. :class:`SurvivorFreezer` freezes
what a full collection leaves (``gc.freeze()`` right after it: all garbage was just freed, so
nothing dead is frozen), so the next one walks only what became long-lived since: a few frames'
worth of changed objects.

Frozen objects are still freed when nothing refers to them (snapshots, tasks, rows: the bulk);
only one that dies in a reference cycle is not. So the frozen heap can only grow by such
cycles: when it has grown past ``grow`` times its size at the last thaw, the freezer thaws it
all, and the next full collection walks (and frees) everything once, then freezes again.

Counting the frozen heap (``gc.get_freeze_count()``) walks it, object by object: at 20,000
tasks a million objects or more, some 10-30 ms after every full collection, on whichever thread
triggered it. So the freezer counts it only when it may have grown past the threshold: the
frozen heap is at most its last count plus every survivor frozen since (those of each full
collection are what generation 2 holds right after it: a few thousand, listed cheaply), and
it is counted again only once that bound passes ``grow`` times the baseline.
"""

from __future__ import annotations

import gc
from typing import Any

GROW = 2.0
"""How much the frozen heap may grow (cycles frozen then dropped) before it is thawed once."""


class SurvivorFreezer:
    """Freezes what each full garbage collection leaves (see the module's docstring).

    Args:
        grow: Thaw everything once the frozen heap is this many times its size after the
            last thaw.
    """

    def __init__(self, grow: float = GROW) -> None:
        self.grow = grow
        self.baseline: int | None = None
        """Objects frozen after the first full collection since the last thaw (None: none
        since)."""
        self.freezes = 0
        """Full collections whose survivors were frozen."""
        self.thaws = 0
        """Times the frozen heap was thawed for having grown ``grow`` times."""
        self.counts = 0
        """Times the frozen heap was counted (a walk of it)."""
        self.bound = 0
        """At least the frozen heap's size: its last count plus the survivors frozen since."""

    def install(self) -> None:
        """Start freezing after every full collection (once; :meth:`uninstall` stops it)."""
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)

    def uninstall(self) -> None:
        """Stop (what is frozen stays frozen)."""
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info.get("generation") != 2:
            return
        if self.baseline is not None:  # (after a thaw, generation 2 is everything: counted)
            # What is about to be frozen: the survivors (generation 2), and anything the
            # collection's other callbacks made since (the younger two).
            self.bound += sum(len(gc.get_objects(generation=g)) for g in (0, 1, 2))
        gc.freeze()
        self.freezes += 1
        if self.baseline is not None and self.bound <= self.grow * self.baseline:
            return  # it cannot have grown past: not counted
        frozen = gc.get_freeze_count()
        self.counts += 1
        self.bound = frozen
        if self.baseline is None:
            self.baseline = frozen
        elif frozen > self.grow * self.baseline:
            gc.unfreeze()
            self.baseline = None
            self.thaws += 1


FREEZER = SurvivorFreezer()
"""The app's (installed after the heap of the start is frozen, removed when it unmounts)."""

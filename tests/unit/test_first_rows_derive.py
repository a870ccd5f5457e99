"""A snapshot of a first poll still streaming in: rows, problems, but no alerts or timeline."""

from __future__ import annotations

import dataclasses

from fgtop.config import Config
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.model import SourceHealth
from fgtop.recording.reader import open_recording
from fgtop.resources import demo_recording


def _loading(snapshot):  # noqa: ANN001, ANN202
    """The snapshot as a first poll in progress: one more source, 10 of ~50 tasks in."""
    health = SourceHealth(name="ecs:test", ok=True, stale=True, loaded=10, expected=50)
    return dataclasses.replace(snapshot, sources=(*snapshot.sources, health))


def test_loading_snapshots_wait_for_the_full_list() -> None:
    with open_recording(demo_recording()) as rec:
        frames = [rec.frame(i) for i in range(40)]
    assert _loading(frames[0]).loading == (10, 50) and frames[0].loading is None
    table = load_price_table()
    plain, streamed = (Deriver.from_config(Config(), table) for _ in range(2))
    grows = None
    for i, snap in enumerate(frames):
        before = len(plain.timeline.view())
        plain.derive(snap)
        if i and len(plain.timeline.view()) > before and grows is None:
            grows = i
    assert grows is not None  # some frame adds timeline entries
    for snap in frames[:grows]:
        streamed.derive(snap)
    kept = len(streamed.timeline.view())
    derived = streamed.derive(_loading(frames[grows]))
    assert derived.fired == () and len(streamed.timeline.view()) == kept
    assert derived.insights is not None  # rows and problems still show
    streamed.derive(frames[grows])  # the full list: the timeline moves on
    assert len(streamed.timeline.view()) > kept

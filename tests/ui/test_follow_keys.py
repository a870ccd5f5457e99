"""The follower's keys in the app: stepping back pauses following, `end` (or `]`) follows the
recorder again, and `end` stays the focused table's key when following."""

from __future__ import annotations

from pathlib import Path

from fgtop.config import Config
from fgtop.derive.pipeline import Deriver
from fgtop.recording.follow import FollowFeed
from fgtop.recording.player import Player
from fgtop.recording.segments import SegmentedRecorder, Timeline
from fgtop.ui.app import create_app
from tests.ui.helpers import until
from tests.unit.test_segments import T0, FakeClock, snap


async def test_end_follows_the_recorder_again(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = SegmentedRecorder(tmp_path, clock=clock, segment=3600)
    for i in range(6):
        rec.write_snapshot(snap(clock.t, i))
        clock.t += 5
    rec.close()
    timeline = Timeline(tmp_path)
    feed = FollowFeed(
        timeline, Player(timeline, autoplay=False), Deriver.from_config(Config(), None)
    )
    app = create_app(feed, config=Config())
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.snapshot is not None and app.snapshot.notes == ("5",))
        assert feed.following
        await pilot.press("comma", "comma")
        await until(pilot, lambda: app.snapshot.notes == ("3",), "the step back")
        assert not feed.following
        await pilot.press("end")
        await until(pilot, lambda: app.snapshot.notes == ("5",), "the newest frame again")
        assert feed.following and app.snapshot.taken_at == T0 + 25
        # Following already: `end` is left to the focused widget, nothing moves.
        await pilot.press("end")
        await pilot.pause()
        assert feed.following and app.snapshot.notes == ("5",)
    timeline.close()

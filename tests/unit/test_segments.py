"""The flight recorder's segments (fake clock, no sleeping), a directory as one timeline, and
the follower over a growing recording."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from fgtop.config import Config
from fgtop.derive.pipeline import Deriver
from fgtop.feed import Frame
from fgtop.model import LogLine, Snapshot, SourceHealth
from fgtop.recording import format as fmt
from fgtop.recording.follow import FollowFeed
from fgtop.recording.player import Player
from fgtop.recording.reader import open_recording
from fgtop.recording.segments import (
    SegmentedRecorder,
    Timeline,
    list_segments,
    open_timeline,
    segment_name,
    segment_start,
)
from fgtop.recording.timeline import MAX_OPEN
from fgtop.recording.writer import Recorder

T0 = 1_800_000_000.0


class FakeClock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def snap(t: float, i: int) -> Snapshot:
    return Snapshot(
        taken_at=t, notes=(str(i),), sources=(SourceHealth(name="ecs", api_calls=10 * i),)
    )


def record(directory: Path, clock: FakeClock, frames: int, *, step: float = 5.0, **kw):
    lines: list[str] = []
    rec = SegmentedRecorder(directory, clock=clock, on_rotate=lines.append, **kw)
    for i in range(frames):
        rec.write_snapshot(snap(clock.t, i))
        clock.t += step
    rec.close()
    return rec, lines


def test_segment_names_sort_in_time_and_give_their_start_back() -> None:
    names = [segment_name(T0 + d) for d in (0, 0.5, 59, 3600, 86400 * 40)]
    assert names == sorted(names)
    assert [segment_start(n) for n in names] == [T0, T0 + 0.5, T0 + 59, T0 + 3600, T0 + 86400 * 40]
    assert segment_start("notes.txt") is None


def test_one_segment_per_interval_each_a_complete_recording(tmp_path: Path) -> None:
    clock = FakeClock()
    rec, lines = record(tmp_path, clock, 12, segment=20)  # 60 s of frames, 20 s a segment
    segments = list_segments(tmp_path)
    assert len(segments) == rec.segments == 3
    assert len(lines) == 2 and all(line.startswith("fgtop: segment ") for line in lines)
    assert "4 frames" in lines[0] and segments[1].name in lines[0]
    seen = []
    for seg in segments:
        with open_recording(seg) as part:
            assert part._chunks[1].kind == fmt.KEYFRAME  # meta, then a keyframe
            seen += [int(part.frame(i).notes[0]) for i in range(len(part))]
    assert seen == list(range(12))


def test_retention_deletes_old_segments_with_a_fake_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    (tmp_path / "keep-me.txt").write_text("not a segment")
    rec, lines = record(tmp_path, clock, 40, segment=20, retain=45)  # 200 s of frames
    starts = [segment_start(p.name) for p in list_segments(tmp_path)]
    # Pruned when the last segment started (T0 + 180): a segment goes once its successor
    # started 45 s or more before that (the one of T0 + 100, its successor at T0 + 120 <= 135).
    assert starts == [T0 + 120, T0 + 140, T0 + 160, T0 + 180]
    assert rec.deleted == rec.segments - 4 == 6
    assert (tmp_path / "keep-me.txt").exists()
    assert "deleted 1 older than the retention" in lines[-1]
    # A later start prunes what has aged meanwhile, before anything is written.
    clock.t += 1000
    SegmentedRecorder(tmp_path, clock=clock, retain=45, segment=20)
    assert len(list_segments(tmp_path)) == 1


def test_a_directory_is_one_timeline_across_segments(tmp_path: Path) -> None:
    clock = FakeClock()
    record(tmp_path, clock, 12, segment=20, keyframe_interval=2)
    with open_timeline(tmp_path) as timeline:
        assert len(timeline.parts) == 3
        assert timeline.times == tuple(T0 + 5 * i for i in range(12))
        assert [int(timeline.frame(i).notes[0]) for i in reversed(range(12))] == list(
            reversed(range(12))
        )
        player = Player(timeline, autoplay=False)
        player.seek(T0 + 47)  # into the third segment
        assert int(player.current.notes[0]) == 9
        player.step(-6)  # back across two segment boundaries
        assert int(player.current.notes[0]) == 3


def test_a_corrupt_middle_segment_is_skipped_with_one_line(tmp_path: Path) -> None:
    clock = FakeClock()
    record(tmp_path, clock, 12, segment=20)
    middle = list_segments(tmp_path)[1]
    middle.write_bytes(b"this is not a recording at all" * 10)
    with open_timeline(tmp_path) as timeline:
        assert len(timeline.skipped) == 1
        assert timeline.skipped[0].startswith(f"skipped {middle.name}: ")
        assert "\n" not in timeline.skipped[0]
        assert [int(timeline.frame(i).notes[0]) for i in range(len(timeline))] == [
            0,
            1,
            2,
            3,
            8,
            9,
            10,
            11,
        ]


def test_nothing_readable_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(
        fmt.RecordingError, match="is a directory with no fgtop recording segment in it"
    ):
        open_timeline(tmp_path)


def test_retain_and_segment_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(fmt.RecordingError, match="--segment"):
        SegmentedRecorder(tmp_path, segment=0)


# -- the follower ------------------------------------------------------------------------


async def wait_for(condition, what: str, timeout: float = 10.0) -> None:  # noqa: ANN001
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def follower(path: Path, wall: FakeClock) -> tuple[FollowFeed, list[Frame]]:
    timeline = Timeline(path)
    feed = FollowFeed(
        timeline, Player(timeline, autoplay=False), Deriver.from_config(Config(), None), wall=wall
    )
    frames: list[Frame] = []
    feed.subscribe(frames.append)
    return feed, frames


def shown(frames: list[Frame]) -> int:
    return int(frames[-1].snapshot.notes[0]) if frames else -1


async def test_follow_across_rotation_stop_and_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = SegmentedRecorder(tmp_path, clock=clock, segment=20)
    for i in range(3):
        rec.write_snapshot(snap(clock.t, i))
        clock.t += 5
    feed, frames = follower(tmp_path, clock)
    feed.poll = 3600  # the test calls check() itself
    await feed.start()
    try:
        await wait_for(lambda: shown(frames) == 2, "the newest frame at start")
        assert feed.following and feed.label == "FOLLOWING"
        for i in range(3, 9):  # crosses segment boundaries at frames 4 and 8
            rec.write_snapshot(snap(clock.t, i))
            clock.t += 5
            assert feed.check() == 1
            await wait_for(lambda i=i: shown(frames) == i, f"frame {i}")
        assert len(feed.timeline.parts) == 3  # frames 0-3, 4-7, 8
        assert "behind the recorder" in feed.follow_text
        # Seeking back pauses following; new frames do not move the view; `end` resumes.
        feed.step(-3)
        await wait_for(lambda: shown(frames) == 5, "the step back")
        assert not feed.following and feed.paused
        rec.write_snapshot(snap(clock.t, 9))
        clock.t += 5
        feed.check()
        assert shown(frames) == 5 and "behind the recorder; ] follows" in feed.follow_text
        feed.to_end()
        await wait_for(lambda: shown(frames) == 9, "the end")
        assert feed.following
        # The recorder stops: the last frame stays, the header says since when.
        rec.close()
        clock.t += 40
        assert feed.check() == 0
        assert "recorder stopped 45s ago" in feed.follow_text
        # It starts again: a new segment, picked up.
        rec = SegmentedRecorder(tmp_path, clock=clock, segment=20)
        rec.write_snapshot(snap(clock.t, 10))
        assert feed.check() == 1
        await wait_for(lambda: shown(frames) == 10, "the restarted recorder's frame")
        assert "stopped" not in feed.follow_text
    finally:
        rec.close()
        await feed.stop()


async def test_follow_a_file_written_anew(tmp_path: Path) -> None:
    path = tmp_path / "one.fgrec"
    clock = FakeClock()
    rec = Recorder(path)
    rec.write_snapshot(snap(clock.t, 0))
    feed, frames = follower(path, clock)
    feed.poll = 3600
    await feed.start()
    try:
        await wait_for(lambda: shown(frames) == 0, "the first frame")
        rec.write_snapshot(snap(clock.t + 5, 1))
        assert feed.check() == 1
        await wait_for(lambda: shown(frames) == 1, "the appended frame")
        rec.close()
        rec = Recorder(path)  # `fgtop record -o FILE` again: the file starts over
        rec.write_snapshot(snap(clock.t + 100, 7))
        feed.check()
        await wait_for(lambda: shown(frames) == 7, "the new recording's frame")
        assert len(feed.timeline) == 1
    finally:
        rec.close()
        await feed.stop()


def test_record_o_picks_file_or_directory_and_checks_the_durations(tmp_path: Path) -> None:
    import argparse

    from fgtop.cli.record import directory_mode, open_recorder

    def args(output: Path | str, **kw) -> argparse.Namespace:  # noqa: ANN003
        base = {"retain": None, "segment": None, "redact": False}
        return argparse.Namespace(output=str(output), **{**base, **kw})

    assert not directory_mode(args(tmp_path / "one.fgrec"))
    assert directory_mode(args(tmp_path))  # an existing directory
    assert directory_mode(args(f"{tmp_path}/new/"))
    assert directory_mode(args(tmp_path / "flight", retain="48h"))
    writer = open_recorder(args(tmp_path / "flight", retain="2h", segment="10m"))
    assert isinstance(writer, SegmentedRecorder)
    assert (writer.segment, writer.retain) == (600, 7200)
    writer.close()
    with pytest.raises(ValueError, match="must be at least one --segment"):
        open_recorder(args(tmp_path / "f2", retain="10m", segment="1h"))
    with pytest.raises(ValueError, match="not a duration"):
        open_recorder(args(tmp_path / "f3", retain="forever"))


async def test_a_follower_lets_go_of_segments_the_retention_deleted(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = SegmentedRecorder(tmp_path, clock=clock, segment=20, retain=30)
    for i in range(3):
        rec.write_snapshot(snap(clock.t, i))
        clock.t += 5
    feed, frames = follower(tmp_path, clock)
    feed.poll = 3600
    await feed.start()
    try:
        for i in range(3, 20):  # 100 s of frames: the oldest segments are deleted meanwhile
            rec.write_snapshot(snap(clock.t, i))
            clock.t += 5
            feed.check()
            await wait_for(lambda i=i: shown(frames) == i, f"frame {i}")
        timeline = feed.timeline
        assert rec.deleted >= 2 and len(timeline) < 20
        assert all(p.path.exists() for p in timeline.parts)
        assert [p.path for p in timeline.parts] == list_segments(tmp_path)
        assert int(timeline.frame(0).notes[0]) == 20 - len(timeline)
        feed.step(-2)  # stepping still lands on the right frames after the drop
        await wait_for(lambda: shown(frames) == 17, "two frames back")
    finally:
        rec.close()
        await feed.stop()


def test_retention_deletes_only_the_segments_it_wrote(tmp_path: Path) -> None:
    """Files named like segments but not fgtop's (a link, a FIFO, a file it cannot parse) stay,
    however old; the link's target too."""
    flight = tmp_path / "flight"
    flight.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep")
    day = 86400.0
    link, fifo, junk, old, newer = (flight / segment_name(T0 - day * k) for k in (5, 4, 3, 2, 1))
    link.symlink_to(precious)
    os.mkfifo(fifo)
    junk.write_bytes(b"not a recording, named like one")
    for path, t in ((old, T0 - 2 * day), (newer, T0 - day)):
        with Recorder(path) as own:
            own.write_snapshot(snap(t, 0))
    clock = FakeClock()
    rec = SegmentedRecorder(flight, clock=clock, segment=20, retain=60)
    rec.write_snapshot(snap(clock.t, 1))
    rec.close()
    assert rec.deleted == 1 and not old.exists()  # its own old segment went
    assert link.is_symlink() and precious.read_text() == "keep"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert junk.read_bytes() == b"not a recording, named like one"
    assert newer.exists()  # its successor started within the retention


def test_a_timeline_opens_a_bounded_number_of_files(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = SegmentedRecorder(tmp_path, clock=clock, segment=20)
    for i in range(60):  # 30 segments of two frames, a log line with each frame
        rec.write_snapshot(snap(clock.t, i))
        rec.write_logs([LogLine("arn:t", "app", clock.t, f"line {i}", str(i), "s")])
        clock.t += 10
    rec.close()
    with open_timeline(tmp_path) as timeline:
        assert len(timeline.parts) == 30 and timeline.open_files <= MAX_OPEN
        order = [37, 0, 59, 12, 13, 58, 1, 30]
        assert [int(timeline.frame(i).notes[0]) for i in order] == order
        assert timeline.open_files <= MAX_OPEN
        assert [ln.message for ln in timeline.logs()] == [f"line {i}" for i in range(60)]
        assert timeline.open_files <= MAX_OPEN
        since = T0 + 10 * 50
        assert [ln.message for ln in timeline.logs("arn:t", since=since)] == [
            f"line {i}" for i in range(50, 60)
        ]
        assert timeline.logs("arn:other") == []
    assert timeline.open_files == 0


def test_a_segment_deleted_while_replaying_gives_the_nearest_frame(tmp_path: Path) -> None:
    clock = FakeClock()
    record(tmp_path, clock, 40, segment=20)  # 10 segments of 4 frames
    with open_timeline(tmp_path) as timeline:
        first = timeline.parts[0].path
        assert int(timeline.frame(0).notes[0]) == 0
        for i in range(39, 3, -1):  # read elsewhere: the first segment's file is closed
            timeline.frame(i)
        assert timeline.parts[0].recording is None
        first.unlink()
        assert int(timeline.frame(2).notes[0]) == 4  # the nearest readable frame
        assert timeline.skipped == [f"skipped {first.name}: {first}: no such file"]

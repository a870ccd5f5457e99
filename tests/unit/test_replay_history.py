"""Replay history is a function of the recording (issue 21).

Problems (with since and count), the alerts active and the timeline at replay time T are the
same whether T was reached by playing (at any speed), stepping or seeking; in a file, in a
flight recorder's directory of segments, or following a recording as it is written. Once the
timeline at 10:09:00 had 158 entries after playing there and 126 after seeking.

Everything here runs the real feeds (ReplayFeed, FollowFeed) with their worker thread, and a
fake monotonic clock under the player: nothing sleeps for the replay to move.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.derive.history import History
from fgtop.derive.pipeline import Derived, Deriver, DerivingPublisher
from fgtop.derive.replay import ReplayDeriver
from fgtop.feed import Frame
from fgtop.recording.follow import FollowFeed
from fgtop.recording.player import Player
from fgtop.recording.reader import Recording, open_recording
from fgtop.recording.replay_feed import ReplayFeed
from fgtop.recording.segments import SegmentedRecorder, Timeline, open_timeline
from fgtop.resources import demo_recording

STEP = 30.0
"""Seconds of replay between two moments compared."""
PART = 200
"""Frames of the demo the directory and follow tests write (16 minutes: a recorder writes each
one through the real segment writer)."""


def history(derived: Derived) -> tuple[Any, ...]:
    """What must not depend on how the moment was reached."""
    problems = tuple(
        (p.severity, p.kind, p.target, p.title, p.since, p.count, p.resolved_at, p.reason)
        for p in derived.insights.problems
    )
    entries = tuple((e.at, e.kind, e.target, e.message, e.severity) for e in derived.timeline.items)
    alerts = tuple((a.rule, a.target, a.at) for a in derived.alerts)
    return problems, entries, alerts


class FakeClock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return load_price_table()


@pytest.fixture(scope="module")
def rec() -> Recording:
    return open_recording(demo_recording())


class Truth:
    """Every frame's history as playing frame by frame from the first builds it: the history
    after each frame is kept (a copy); the figures are worked out when a test asks."""

    def __init__(self, rec: Recording, table: PriceTable) -> None:
        self.rec = rec
        self.deriver = Deriver(table)
        self.after: dict[float, History] = {}
        for i in range(len(rec)):
            snapshot = rec.frame(i)
            self.deriver.observe(snapshot)
            self.after[snapshot.taken_at] = self.deriver.history.copy()
        self._seen: Truth = {}

    def __getitem__(self, t: float) -> tuple[Any, ...]:
        if t not in self._seen:
            self.deriver.history = self.after[t]
            snapshot = self.rec.frame(self.rec.index_at(t))
            self._seen[t] = history(self.deriver.conclude(snapshot))
        return self._seen[t]

    def __iter__(self) -> Iterator[float]:
        return iter(self.after)


@pytest.fixture(scope="module")
def truth(rec: Recording, table: PriceTable) -> Truth:
    return Truth(rec, table)


def moments(rec: Recording) -> list[float]:
    """Every 30 s of the recording, as frame times."""
    out: list[float] = []
    t = rec.start
    while t <= rec.end:
        out.append(rec.times[rec.index_at(t)])
        t += STEP
    return out


def test_the_demo_history_is_not_trivial(truth: Truth) -> None:
    last = truth[max(truth.after)]
    problems, entries, _alerts = last
    assert len(entries) > 150 and any(p[6] is not None for p in problems)
    assert any(e[1] == "alert" for e in entries)


def test_seeking_anywhere_in_any_order_gives_the_history_of_playing(
    rec: Recording, table: PriceTable, truth: Truth
) -> None:
    deriver = ReplayDeriver(Deriver(table), rec, budget=None, checkpoint_every=300)
    order = moments(rec)[::3]
    random.Random(21).shuffle(order)
    for t in order:
        _, derived = deriver.derive_batch([t], True)
        assert history(derived) == truth[t], t
    assert deriver.restores > 0  # seeks back came from checkpoints, not from the start


def test_a_seek_back_takes_in_at_most_one_checkpoint_interval(
    rec: Recording, table: PriceTable
) -> None:
    deriver = ReplayDeriver(Deriver(table), rec, budget=None, checkpoint_every=300)
    deriver.derive_batch([rec.end], True)
    assert deriver.frames_taken == len(rec)  # every frame once to get to the end
    before = deriver.frames_taken
    deriver.derive_batch([rec.times[len(rec) // 2]], True)
    assert deriver.frames_taken - before <= 300 / 5 + 1


def test_the_budget_gives_partial_frames_then_the_same_history(
    rec: Recording, table: PriceTable, truth: Truth
) -> None:
    clock = FakeClock()

    def slow() -> float:  # every look at the clock: 10 ms later
        clock.t += 0.01
        return clock.t

    deriver = ReplayDeriver(Deriver(table), rec, budget=0.2, clock=slow)
    end = rec.frame(len(rec) - 1)
    partial, taken = [], []
    while (derived := deriver.derive_batch([end], True)[1]).history_at is not None:
        partial.append(derived.history_at)
        taken.append(deriver.frames_taken - sum(taken))
    assert len(partial) >= 3 and partial == sorted(partial) and partial[-1] < end.taken_at
    # The first frame comes after one budget; carrying on, a frame every CARRY_ON budgets.
    assert taken[1] > 3 * taken[0]
    assert history(derived) == truth[end.taken_at]


async def _play_feed(feed: ReplayFeed, clock: FakeClock, frames: list[Frame], jump: float) -> None:
    """Play the feed from the start at 10x, the fake clock moving ``jump`` s per look."""
    await feed.start()
    try:
        feed.to_start()
        await feed.settled()
        feed.cycle_speed()
        feed.cycle_speed()
        feed.cycle_speed()  # 1x -> 2x -> 5x -> 10x
        feed.resume()
        end = feed.recording.end
        while feed.player.playing and feed.player.now < end:
            clock.t += jump
            await asyncio.sleep(0.12)  # one look of the feed's ticker
            await feed.settled()
        await feed.settled()
    finally:
        await feed.stop()


async def test_playing_stepping_and_seeking_a_file_agree(
    rec: Recording, table: PriceTable, truth: Truth
) -> None:
    # Playing at 10x with the clock leaping 74 s (15 frames) per look: frames skipped on the
    # screen, never by the history.
    clock = FakeClock()
    played = ReplayFeed(rec, Player(rec, autoplay=False, clock=clock), Deriver(table))
    frames: list[Frame] = []
    played.subscribe(frames.append)
    await _play_feed(played, clock, frames, jump=7.4)
    done = [f for f in frames if f.derived.history_at is None and not f.jumped]
    assert len(done) > 10 and done[-1].snapshot.taken_at == rec.end
    for frame in done[::4] + done[-1:]:
        assert history(frame.derived) == truth[frame.snapshot.taken_at]
    # Stepping frame by frame (the frames delivered: each after the step that made it), then
    # seeking to moments forward and back.
    stepper = ReplayFeed(rec, Player(rec, autoplay=False), Deriver(table))
    steps: list[Frame] = []
    stepper.subscribe(steps.append)
    await stepper.start()
    try:
        await stepper.settled()
        for i in range(1, 121):
            stepper.step(1)
            if i % 8 == 0:
                await stepper.settled()
        await stepper.settled()
        assert steps[-1].snapshot.taken_at == rec.times[120] and len(steps) >= 15
        for frame in steps[::2]:
            assert history(frame.derived) == truth[frame.snapshot.taken_at]
        wanted = moments(rec)
        for t in [*wanted[::-5], *wanted[1::9]]:
            stepper.seek(t)
            await stepper.settled()
            assert history(steps[-1].derived) == truth[t], t
    finally:
        await stepper.stop()


@pytest.fixture(scope="module")
def segmented(rec: Recording, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's first 200 frames (16 minutes) written as a flight recorder would: a segment
    per 2.5 minutes."""
    directory = tmp_path_factory.mktemp("segments")
    now = [rec.start]
    recorder = SegmentedRecorder(directory, segment=150, clock=lambda: now[0])
    for i in range(PART):
        snapshot = rec.frame(i)
        now[0] = snapshot.taken_at
        recorder.write_snapshot(snapshot)
    recorder.close()
    return directory


def test_a_directory_of_segments_gives_the_history_of_the_file(
    rec: Recording, segmented: Path, table: PriceTable, truth: Truth
) -> None:
    with open_timeline(segmented) as timeline:
        assert len(timeline.parts) >= 6
        deriver = ReplayDeriver(Deriver(table), timeline, budget=None, checkpoint_every=300)
        assert timeline.end == rec.times[PART - 1]
        order = moments(timeline)[::3]  # type: ignore[arg-type]
        random.Random(7).shuffle(order)
        for t in order:
            _, derived = deriver.derive_batch([t], True)
            assert history(derived) == truth[t], t


async def test_following_a_recording_being_written_gives_the_same_history(
    rec: Recording, table: PriceTable, truth: Truth, tmp_path: Path
) -> None:
    """New frames come one, three or none at a time; the follower shows the newest each time,
    its history that of every frame before it."""
    now = [rec.start]
    recorder = SegmentedRecorder(tmp_path, segment=150, clock=lambda: now[0])
    written = 0

    def write(n: int) -> None:
        nonlocal written
        for _ in range(n):
            if written < PART:
                snapshot = rec.frame(written)
                now[0] = snapshot.taken_at
                recorder.write_snapshot(snapshot)
                written += 1

    write(4)
    timeline = Timeline(tmp_path)
    feed = FollowFeed(timeline, Player(timeline, autoplay=False), Deriver(table), poll=3600)
    frames: list[Frame] = []
    feed.subscribe(frames.append)
    await feed.start()
    try:
        sizes = random.Random(3)
        while written < PART:
            write(sizes.choice((1, 3, 5, 8)))
            feed.check()
            await feed.settled()
        done = [f for f in frames if f.derived.history_at is None]
        assert len(done) > 30 and done[-1].snapshot.taken_at == rec.times[PART - 1]
        for frame in done[::3] + done[-1:]:
            assert history(frame.derived) == truth[frame.snapshot.taken_at]
    finally:
        await feed.stop()
        recorder.close()
        timeline.close()


async def test_live_snapshots_that_come_faster_than_derived_all_enter_the_history(
    rec: Recording, table: PriceTable, truth: Truth
) -> None:
    """Live, the publisher once kept only the newest snapshot when deriving fell behind: the
    ones in between never reached the timeline or the alerts. Now each does; only the figures
    are worked out for the newest alone."""
    deriver = Deriver(table)
    delivered: list[tuple[float, Derived]] = []
    publisher = DerivingPublisher(deriver, lambda s, d, _j: delivered.append((s.taken_at, d)))
    publisher.start()
    try:
        for i in range(0, 120, 40):
            for j in range(i, i + 40):  # forty snapshots at once, faster than one derivation
                publisher.submit(rec.frame(j))
            await publisher.settled()
    finally:
        await publisher.stop()
    assert len(delivered) < 120 and delivered[-1][0] == rec.times[119]
    assert deriver.history.frames == 120
    assert history(delivered[-1][1]) == truth[rec.times[119]]


def test_checkpoints_are_thinned_to_their_bounds(rec: Recording, table: PriceTable) -> None:
    by_count = ReplayDeriver(
        Deriver(table), rec, budget=None, checkpoint_every=60, max_checkpoints=4
    )
    by_count.derive_batch([rec.end], True)
    assert 2 <= len(by_count.checkpoints) <= 4 and by_count.every >= 240
    gaps = {round(b - a) for a, b in itertools.pairwise(by_count.checkpoints)}
    assert len(gaps) == 1  # still evenly spread
    one = by_count.history.copy().weight()
    by_weight = ReplayDeriver(
        Deriver(table), rec, budget=None, checkpoint_every=60, max_weight=3 * one
    )
    by_weight.derive_batch([rec.end], True)
    assert len(by_weight.checkpoints) <= 3 + 1


def test_the_header_says_while_the_history_is_being_built(rec: Recording) -> None:
    from fgtop.text import fmt
    from fgtop.ui.screens.base import history_text

    snapshot = rec.frame(10)
    building = Frame(snapshot, Derived(history_at=rec.times[5]))
    assert history_text(building) == f" · history {fmt.clock(rec.times[5])}…"
    assert history_text(Frame(snapshot, Derived())) == "" and history_text(None) == ""

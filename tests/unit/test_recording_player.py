"""The replay clock, driven by a fake clock: play, pause, step, seek, speed, loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from fgtop.model import Snapshot
from fgtop.recording.player import SPEEDS, Player
from fgtop.recording.reader import Recording, open_recording
from fgtop.recording.writer import Recorder

START = 2000.0


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def recording(tmp_path: Path) -> Recording:
    path = tmp_path / "p.fgrec"
    with Recorder(path, keyframe_interval=5) as rec:
        for i in range(20):  # one frame every 5 s: 2000 .. 2095
            rec.write_snapshot(Snapshot(taken_at=START + 5 * i, notes=(str(i),)))
    return open_recording(path)


def notes(snapshot: Snapshot | None) -> int | None:
    return None if snapshot is None else int(snapshot.notes[0])


def test_plays_in_real_time_and_hands_out_each_new_frame_once(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock)
    assert player.playing
    assert notes(player.tick()) == 0
    assert player.tick() is None
    clock.advance(4.9)
    assert player.tick() is None
    clock.advance(0.2)
    assert notes(player.tick()) == 1
    assert player.now == pytest.approx(START + 5.1)
    clock.advance(12)
    assert notes(player.tick()) == 3
    assert player.position == pytest.approx(17.1 / 95)


def test_pause_toggle_and_speed(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock, autoplay=False)
    assert not player.playing
    clock.advance(50)
    assert notes(player.tick()) == 0
    player.toggle()
    player.set_speed(10)
    clock.advance(2)  # 20 s of recording
    assert notes(player.tick()) == 4
    player.pause()
    clock.advance(100)
    assert player.tick() is None
    assert player.now == pytest.approx(START + 20)
    assert [player.cycle_speed() for _ in SPEEDS] == [1, 2, 5, 10]
    with pytest.raises(ValueError, match="speed must be one of"):
        player.set_speed(3)


def test_step_pauses_and_clamps(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock)
    player.tick()
    player.step(+1)
    assert not player.playing
    assert notes(player.tick()) == 1
    player.step(-1)
    player.step(-1)
    assert notes(player.tick()) == 0
    player.to_end()
    player.step(+1)
    assert notes(player.tick()) == 19
    assert player.position == 1.0
    assert notes(player.current) == 19


def test_seek_keeps_playing_and_clamps(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock)
    player.seek(START + 47)
    assert player.playing
    assert notes(player.tick()) == 9
    clock.advance(3)
    assert notes(player.tick()) == 10
    player.seek(START - 1000)
    assert notes(player.tick()) == 0
    player.seek(START + 10_000)
    assert player.now == START + 95
    player.to_start()
    assert player.index == 0


def test_loops_after_holding_the_last_frame(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock, loop=True)
    player.tick()
    player.seek(START + 94)
    assert notes(player.tick()) == 18
    clock.advance(2)
    assert notes(player.tick()) == 19
    clock.advance(3.5)  # the last frame is held one frame interval
    assert player.tick() is None
    clock.advance(1)
    assert notes(player.tick()) == 0
    assert player.playing
    clock.advance(5)
    assert notes(player.tick()) == 1


def test_without_loop_it_stops_at_the_end_and_play_restarts(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock)
    player.tick()
    player.set_speed(5)
    clock.advance(30)
    assert notes(player.tick()) == 19
    assert not player.playing
    player.play()
    assert notes(player.tick()) == 0


def test_opens_where_asked_loops_back_there_and_still_rewinds(recording: Recording) -> None:
    clock = FakeClock()
    player = Player(recording, clock=clock, loop=True, opens_at=START + 71)
    assert notes(player.tick()) == 14  # the frame shown at 2071: 2070's
    player.seek(START + 95)
    assert notes(player.tick()) == 19
    clock.advance(5.5)  # the last frame held one frame interval, then back to the opening
    assert notes(player.tick()) == 14
    assert player.playing
    player.to_start()  # the night before the opening is still there: [ goes back to it
    assert notes(player.tick()) == 0


def test_an_opening_outside_the_recording_is_clamped(recording: Recording) -> None:
    assert Player(recording, autoplay=False, opens_at=START - 50).index == 0
    assert Player(recording, autoplay=False, opens_at=START + 500).index == 19

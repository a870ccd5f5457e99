"""The demo opens at its worst moment with the night behind it (issue 27): the recording's
``opens_at`` meta key, read by ``fgtop demo`` and ``fgtop replay FILE``."""

from __future__ import annotations

import datetime
from pathlib import Path

from fgtop.cli.replay import opens_at, replay_feed
from fgtop.config import Config
from fgtop.model import Snapshot
from fgtop.recording.reader import open_recording
from fgtop.recording.writer import Recorder
from fgtop.resources import demo_recording


def _recording(tmp_path: Path, meta: dict) -> Path:
    path = tmp_path / "r.fgrec"
    with Recorder(path, meta=meta) as rec:
        for i in range(10):
            rec.write_snapshot(Snapshot(taken_at=1000.0 + 10 * i))
    return path


def test_the_demo_opens_at_10_10_30_and_can_go_back(tmp_path: Path) -> None:
    rec = open_recording(demo_recording())
    try:
        t = opens_at(rec)
        assert t is not None
        opening = datetime.datetime.fromtimestamp(t, datetime.UTC)
        assert opening.strftime("%H:%M:%S") == "10:10:30"
        feed = replay_feed(rec, Config(), label="DEMO", loop=True)
        assert feed.player.index == rec.index_at(t) == 270
        feed.player.to_start()
        assert feed.player.index == 0
    finally:
        rec.close()


def test_a_recording_without_it_opens_at_its_first_frame(tmp_path: Path) -> None:
    for meta in ({}, {"opens_at": "10:10"}, {"opens_at": True}, {"opens_at": 5000.0}):
        rec = open_recording(_recording(tmp_path, meta))
        try:
            assert opens_at(rec) is None, meta
            assert replay_feed(rec, Config()).player.index == 0
        finally:
            rec.close()
    rec = open_recording(_recording(tmp_path, {"opens_at": 1050.0}))
    try:
        assert replay_feed(rec, Config()).player.index == 5
    finally:
        rec.close()

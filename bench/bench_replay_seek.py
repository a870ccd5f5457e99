"""Benchmark: seeking in a long flight-recorder directory with the replay history (issue 21).

A replay derives every frame with the history of the frames before it (alerts, timeline,
pods' exits: fgtop.derive.replay.ReplayDeriver), so a seek must bring the history to the
target. This writes a long segmented recording (the bundled demo looped, its times shifted,
one segment per hour, 5 s between frames) and measures, headless:

- the first seek to the end (nothing derived yet: every frame taken in once; with the UI's
  budget, how soon the first, partial frame comes and how many partial frames come before the
  complete one);
- then seeks back to the middle, near the start and to the end again (a checkpoint restored,
  at most one checkpoint interval of frames taken in);
- the checkpoints kept and the memory they hold (tracemalloc of a copy of the history).

Numbers, not pass/fail: see docs/performance.md.

    python bench/bench_replay_seek.py [--hours 48] [--dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fgtop.cost.prices import load_price_table  # noqa: E402
from fgtop.derive.pipeline import Deriver  # noqa: E402
from fgtop.derive.replay import ReplayDeriver  # noqa: E402
from fgtop.model.codec import encode  # noqa: E402
from fgtop.recording.reader import open_recording  # noqa: E402
from fgtop.recording.segments import SegmentedRecorder, open_timeline  # noqa: E402
from fgtop.recording.writer import Recorder  # noqa: E402
from fgtop.resources import demo_recording  # noqa: E402

STEP = 5.0
"""Seconds between frames of the written recording."""


def _shift(value: Any, offset: float) -> Any:
    """Every POSIX time in an encoded snapshot moved by ``offset`` (numbers of 2001..2049)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return value + offset if 1e9 < value < 2.5e9 else value
    if isinstance(value, list):
        return [_shift(v, offset) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "points":  # the bulk: (time, value) pairs
                out[k] = [[p[0] + offset, p[1]] for p in v]
            else:
                out[k] = _shift(v, offset)
        return out
    return value


@dataclasses.dataclass(frozen=True)
class _Encoded:
    """A frame already encoded (the recorder writes its state as is): decoding and encoding
    again 34,560 shifted frames would take the bench an hour."""

    taken_at: float
    state: dict[str, Any]


def write(directory: Path, hours: float) -> int:
    """The demo looped for ``hours`` (every time in it shifted by the loop's length), one
    segment file per hour, a frame every 5 s; returns the frames written."""
    with open_recording(demo_recording()) as rec:
        loop = [encode(rec.frame(i)) for i in range(len(rec))]
        start = rec.start
    len(loop) * STEP
    total = int(hours * 3600 / STEP)
    now = [start]
    real = Recorder._encode
    Recorder._encode = lambda self, frame: (  # type: ignore[method-assign]
        frame.state if isinstance(frame, _Encoded) else real(self, frame)
    )
    try:
        recorder = SegmentedRecorder(directory, segment=3600, clock=lambda: now[0])
        for n in range(total):
            _k, i = divmod(n, len(loop))
            t = start + n * STEP
            state = _shift(loop[i], t - loop[i]["taken_at"]) if n >= len(loop) else dict(loop[i])
            state["taken_at"] = t
            now[0] = t
            recorder.write_snapshot(_Encoded(t, state))  # type: ignore[arg-type]
        recorder.close()
    finally:
        Recorder._encode = real  # type: ignore[method-assign]
    return total


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def main() -> None:
    """Print the numbers."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=48.0)
    parser.add_argument("--dir", type=Path, default=None, help="reuse (or write) this directory")
    args = parser.parse_args()
    tmp = None
    directory = args.dir
    if directory is None:
        tmp = tempfile.TemporaryDirectory()
        directory = Path(tmp.name) / "rec"
    if not directory.exists() or not any(directory.iterdir()):
        took, frames = timed(lambda: write(directory, args.hours))
        print(f"wrote {frames:,} frames ({args.hours:g} h) in {took:.0f} s to {directory}")
    timeline = open_timeline(directory)
    times = timeline.times
    print(
        f"recording: {len(times):,} frames, {(times[-1] - times[0]) / 3600:.1f} h, "
        f"{len(timeline.parts)} segments"
    )
    table = load_price_table()

    # The UI's way: a budget per run, partial frames delivered until the history is complete.
    ui = ReplayDeriver(Deriver(table), timeline)
    end = times[-1]
    started = time.perf_counter()
    first = None
    partial = 0
    while True:
        _, derived = ui.derive_batch([end], True)
        if first is None:
            first = time.perf_counter() - started
        if derived.history_at is None:
            break
        partial += 1
    cold = time.perf_counter() - started
    print(
        f"first seek to the end: {cold:.1f} s for {ui.frames_taken:,} frames "
        f"({cold / max(1, ui.frames_taken) * 1000:.2f} ms/frame); first (partial) frame after "
        f"{first:.2f} s, {partial} partial frames before the complete one"
    )
    print(f"checkpoints: {len(ui.checkpoints)}, every {ui.every / 60:.0f} min of recording")

    seeks, firsts = [], []
    for where in (0.5, 0.02, 0.75, 1.0, 0.3, 1.0):
        i = min(len(times) - 1, int(where * (len(times) - 1)))
        before = ui.frames_taken
        started = time.perf_counter()
        first = None
        while True:  # as the UI gets it: a (partial) frame per run until the history is whole
            _, derived = ui.derive_batch([times[i]], True)
            first = first if first is not None else time.perf_counter() - started
            if derived.history_at is None:
                break
        took = time.perf_counter() - started
        seeks.append(took)
        firsts.append(first)
        print(
            f"seek to {where:>4.0%}: first frame {first * 1000:6.0f} ms, history complete "
            f"{took * 1000:6.0f} ms, {ui.frames_taken - before:4d} frames taken in"
        )
    print(
        f"seeks (a checkpoint restored): first frame median {statistics.median(firsts) * 1000:.0f}"
        f" ms; history complete median {statistics.median(seeks) * 1000:.0f} ms, "
        f"max {max(seeks) * 1000:.0f} ms"
    )

    tracemalloc.start()
    copy = ui.history.copy()
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del copy
    print(
        f"one checkpoint (a copy of the history at the end): {size / 1e6:.2f} MB; "
        f"{len(ui.checkpoints)} kept: ~{size * len(ui.checkpoints) / 1e6:.0f} MB"
    )
    print(f"load: {os.getloadavg()[0]:.2f} (the machine is shared)")
    timeline.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()

"""Benchmark the bundled demo recording: size vs plain JSON, open time, seek time, replay decode.

Run: ``python bench/bench_recording.py [FILE]`` (default: fixtures/demo.fgrec). Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from fgtop.model.codec import encode
from fgtop.recording.reader import open_recording

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print the numbers."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fixtures" / "demo.fgrec"
    size = path.stat().st_size

    t = time.perf_counter()
    rec = open_recording(path)
    open_s = time.perf_counter() - t

    t = time.perf_counter()
    middle = rec.frame(rec.index_at((rec.start + rec.end) / 2))
    seek_s = time.perf_counter() - t

    t = time.perf_counter()
    rec.frame(len(rec) - 1)
    seek_end_s = time.perf_counter() - t

    reopened = open_recording(path)
    t = time.perf_counter()
    frames = [reopened.frame(i) for i in range(len(reopened))]
    replay_s = time.perf_counter() - t

    t = time.perf_counter()
    lines = reopened.logs()
    logs_s = time.perf_counter() - t

    frames_json = sum(len(json.dumps(encode(f), separators=(",", ":"))) + 1 for f in frames)
    logs_json = sum(len(json.dumps(encode(x), separators=(",", ":"))) + 1 for x in lines)
    plain = frames_json + logs_json

    print(f"recording            {path}")
    print(f"frames               {len(rec)} ({rec.end - rec.start:.0f} s), {len(lines)} log lines")
    print(f"size                 {size:,} bytes ({size / 1e6:.2f} MB)")
    print(
        f"plain JSON lines     {plain:,} bytes ({plain / 1e6:.1f} MB: frames "
        f"{frames_json / 1e6:.1f} MB + logs {logs_json / 1e6:.1f} MB)"
    )
    print(f"ratio                {plain / size:.0f}x smaller than plain JSON")
    print(f"open (index scan)    {open_s * 1000:.1f} ms")
    print(f"seek to the middle   {seek_s * 1000:.1f} ms (frame {rec.times.index(middle.taken_at)})")
    print(f"seek to the end      {seek_end_s * 1000:.1f} ms")
    print(
        f"decode every frame   {replay_s * 1000:.0f} ms "
        f"({replay_s / len(frames) * 1000:.2f} ms per frame, sequential)"
    )
    print(f"load all log lines   {logs_s * 1000:.0f} ms")
    rec.close()
    reopened.close()


if __name__ == "__main__":
    main()

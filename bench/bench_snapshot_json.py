"""Benchmark: writing `fgtop snapshot --format json` at 5,000 tasks, buffered and unbuffered.

Compares ``json.dump(indent=2)`` straight to the stream (the old way: one write per token)
with ``print_json`` (the document built as one string, written once), to a line-buffered
text stream over /dev/null and to a write-through one (what ``PYTHONUNBUFFERED=1`` gives
stdout). Numbers, not pass/fail: median of 5.

    python bench/bench_snapshot_json.py [--tasks 5000]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from fgtop.printer.documents import print_json, snapshot_json  # noqa: E402
from tests.fakes.estate import Estate  # noqa: E402


class Counting(io.TextIOWrapper):
    writes = 0

    def write(self, s: str) -> int:
        Counting.writes += 1
        return super().write(s)


def stream(write_through: bool, counting: bool = False) -> io.TextIOWrapper:
    """A stdout-like text stream over /dev/null (counting its writes, when asked)."""
    raw = open("/dev/null", "wb", buffering=0)  # noqa: SIM115
    kind = Counting if counting else io.TextIOWrapper
    return kind(raw, encoding="utf-8", write_through=write_through)


def old_way(snapshot, out) -> None:  # noqa: ANN001
    json.dump(snapshot_json(snapshot, None), out, indent=2)
    out.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    args = ap.parse_args()
    snapshot = Estate(tasks=args.tasks).snapshot()
    print(f"{len(snapshot.tasks):,} tasks")
    for label, write_through in (("buffered stdout", False), ("PYTHONUNBUFFERED=1", True)):
        for name, fn in (
            ("json.dump to the stream", old_way),
            ("print_json (one write)", print_json),
        ):
            times = []
            for _ in range(5):
                out = stream(write_through)
                t0 = time.perf_counter()
                fn(snapshot, out)
                out.flush()
                times.append(time.perf_counter() - t0)
                out.close()
            out = stream(write_through, counting=True)
            Counting.writes = 0
            fn(snapshot, out)
            out.close()
            print(
                f"{label:<20} {name:<26} median {statistics.median(times) * 1000:7.0f} ms"
                f"  writes {Counting.writes:,}"
            )


if __name__ == "__main__":
    main()

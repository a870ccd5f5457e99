"""Benchmark: a key to the screen in a real terminal: `esc` clearing a filter, a filter character.

    python bench/bench_keys_tty.py [--tasks 5000] [--rounds 10]

Records `tests/fakes/estate.py`'s estate (as `bench/bench_quit.py` does), opens it with
`fgtop replay FILE` in a pseudo-terminal (200x50), pauses the replay (`p`: nothing else
changes on screen), then ``--rounds`` times: `/`, a filter character, `esc`. Each key is timed
from the moment its bytes are written to the terminal to the first bytes the app writes back
(the repaint with its effect). The terminal's bytes go through the app's input parser, which
waits for more after a lone ESC (the escape delay): what `bench/bench_grid.py`, which hands
keys to the app already parsed, does not see. The header's clock repaints once a second, so a
round can end early on it: the medians are the figures. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from bench_quit import record  # noqa: E402


def drain(child: pexpect.spawn, quiet: float = 0.4) -> None:
    """Read until the app has written nothing for ``quiet`` seconds."""
    while True:
        try:
            child.read_nonblocking(1_000_000, timeout=quiet)
        except pexpect.TIMEOUT:
            return


def timed(child: pexpect.spawn, key: str) -> float:
    """Seconds from writing ``key`` to the first bytes written back."""
    drain(child)
    start = time.perf_counter()
    child.send(key)
    child.read_nonblocking(1, timeout=5)
    return time.perf_counter() - start


def main() -> None:
    """Run the rounds; print the medians."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "estate.fgrec"
        record(path, args.tasks, 3)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=tmp, TERM="xterm-256color")
        env.pop("ESCDELAY", None)
        child = pexpect.spawn(
            sys.executable,
            ["-m", "fgtop", "replay", str(path)],
            env=env,
            dimensions=(50, 200),
            timeout=120,
            cwd=str(Path(__file__).resolve().parents[1]),
        )
        try:
            child.expect("svc0")
            drain(child, 1.0)
            child.send("p")  # pause: the replay no longer moves
            drain(child, 1.0)
            chars, escapes = [], []
            for _ in range(args.rounds):
                timed(child, "/")
                chars.append(timed(child, "s"))
                escapes.append(timed(child, "\x1b"))
        finally:
            with contextlib.suppress(Exception):
                child.send("q")
            child.close(force=True)
    ms = 1000
    for label, values in (("filter character", chars), ("esc (clear the filter)", escapes)):
        print(
            f"{args.tasks:,} tasks, {label:<24} key to the first bytes back: median "
            f"{statistics.median(values) * ms:5.0f} ms, max {max(values) * ms:5.0f} ms "
            f"(n={len(values)})"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

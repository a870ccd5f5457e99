"""Benchmark: a key to the screen in a real terminal: `esc` clearing a filter, a filter character.

    python bench/bench_keys_tty.py [--tasks 5000] [--rounds 10]

Records `tests/fakes/estate.py`'s estate (as `bench/bench_quit.py` does), opens it with
`fgtop replay FILE` in a pseudo-terminal (200x50), pauses the replay (`p`: nothing else
changes on screen), then ``--rounds`` times: `/`, a filter character, `esc`. Each key is timed
from the moment its bytes are written to the terminal (``time.monotonic``, one clock for both
processes) to the moment the app receives the key (recorded inside the fgtop process) and to
the next frame it composes after that. The terminal's bytes go through the app's input parser,
which waits for more after a lone ESC (the escape delay): what `bench/bench_grid.py`, which
hands keys to the app already parsed, does not see. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
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


def drain(child: pexpect.spawn, quiet: float = 0.3, most: float = 2.0) -> None:
    """Read until the app has written nothing for ``quiet`` seconds (at most ``most``: the
    filter's cursor blinks twice a second)."""
    end = time.perf_counter() + most
    while time.perf_counter() < end:
        try:
            child.read_nonblocking(1_000_000, timeout=quiet)
        except pexpect.TIMEOUT:
            return


def run_child(out: str, argv: list[str]) -> int:
    """The fgtop process: record when keys reach the app and when frames are composed."""
    import json

    from textual import events

    from fgtop.cli.main import main as fgtop_main
    from fgtop.ui.app import FgtopApp

    keys: list[tuple[float, str]] = []
    frames: list[float] = []
    on_event = FgtopApp.on_event

    async def observed_event(self, event):  # noqa: ANN001, ANN202
        if isinstance(event, events.Key):
            keys.append((time.monotonic(), event.key))
        return await on_event(self, event)

    display = FgtopApp._display  # noqa: SLF001

    def observed_display(self, screen, renderable):  # noqa: ANN001, ANN202
        if renderable is not None:
            frames.append(time.monotonic())
        return display(self, screen, renderable)

    driver_class = FgtopApp.get_driver_class

    def observed_driver(self):  # noqa: ANN001, ANN202
        chosen = driver_class(self)
        Path(out + ".driver").write_text(chosen.__name__)
        return chosen

    FgtopApp.get_driver_class = observed_driver  # type: ignore[method-assign]
    FgtopApp.on_event = observed_event  # type: ignore[method-assign]
    FgtopApp._display = observed_display  # type: ignore[method-assign]  # noqa: SLF001
    try:
        return fgtop_main(argv)
    finally:
        Path(out).write_text(json.dumps({"keys": keys, "frames": frames}))


def main() -> None:
    """Run the rounds; print the medians."""
    import json

    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(run_child(sys.argv[2], sys.argv[4:]))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    sent: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "estate.fgrec"
        out = Path(tmp) / "keys.json"
        record(path, args.tasks, 3)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=tmp, TERM="xterm-256color")
        env.pop("ESCDELAY", None)
        child = pexpect.spawn(
            sys.executable,
            [__file__, "--child", str(out), "--", "replay", str(path)],
            env=env,
            dimensions=(50, 200),
            timeout=120,
        )
        child.delaybeforesend = None  # pexpect sleeps 50 ms before each write by default
        try:
            child.expect(b"svc0")
            drain(child, 1.0)
            child.send("p")  # pause: the replay no longer moves
            drain(child, 1.0)
            for _ in range(args.rounds):
                for key, name in (("/", "slash"), ("s", "s"), ("\x1b", "escape")):
                    drain(child)
                    sent.append((time.monotonic(), name))
                    child.send(key)
            drain(child)
            child.send("q")
            child.expect(pexpect.EOF, timeout=60)
        finally:
            child.close(force=True)
        seen = json.loads(out.read_text())
        driver = Path(str(out) + ".driver").read_text()
    print(f"driver: {driver}")
    keys, frames = seen["keys"], seen["frames"]
    ms = 1000
    for name, label in (("s", "filter character"), ("escape", "esc (clear the filter)")):
        to_app, to_frame = [], []
        for t_sent, sent_name in sent:
            if sent_name != name:
                continue
            t_key = next((t for t, k in keys if k == name and t >= t_sent), None)
            if t_key is None:
                continue
            t_frame = next((t for t in frames if t >= t_key), None)
            to_app.append(t_key - t_sent)
            if t_frame is not None:
                to_frame.append(t_frame - t_sent)
        print(
            f"{args.tasks:,} tasks, {label:<24} key to the app: median "
            f"{statistics.median(to_app) * ms:5.0f} ms, max {max(to_app) * ms:5.0f} ms; "
            f"key to the next frame: median {statistics.median(to_frame) * ms:5.0f} ms, "
            f"max {max(to_frame) * ms:5.0f} ms (n={len(to_frame)})"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

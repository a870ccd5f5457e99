"""Replay controls driven by Pilot on the bundled demo, and ``fgtop replay`` on bad files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, ProgressBar

from fgtop.resources import demo_recording
from fgtop.text import fmt
from fgtop.ui.app import FgtopApp
from fgtop.ui.widgets.header_bar import HeaderBar
from tests.ui.helpers import demo_app, plain, settle

SIZE = (200, 50)
ROOT = Path(__file__).resolve().parents[2]


def header_text(app: FgtopApp) -> str:
    """The header as plain text."""
    return plain(app.screen.query_one(HeaderBar).render(), width=200)


def errors(app: FgtopApp) -> list[str]:
    """The messages of the error notifications shown."""
    return [n.message for n in app.told if n.severity == "error"]


async def test_step_pause_play_and_speed() -> None:
    app, player, rec = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        times = rec.times
        i = times.index(app.snapshot.taken_at)
        # Step forward and back: exactly one frame each.
        await pilot.press("full_stop")
        await pilot.pause()
        assert app.snapshot.taken_at == times[i + 1]
        assert app.snapshot == rec.frame(i + 1)
        await pilot.press("full_stop", "full_stop", "comma")
        await pilot.pause()
        assert app.snapshot.taken_at == times[i + 2]
        assert app.now == times[i + 2]
        # Stepping leaves the replay paused: nothing moves on its own.
        assert not player.playing
        assert "⏸" in header_text(app)
        await pilot.pause(0.3)
        assert app.snapshot.taken_at == times[i + 2]
        # Pause/play toggles the player.
        await pilot.press("p")
        assert player.playing and not app.paused
        assert "▶" in header_text(app)
        await pilot.press("p")
        assert not player.playing and app.paused
        before = player.now
        await pilot.pause(0.3)
        assert player.now == before
        # Speed cycles 1 -> 2 -> 5 -> 10 -> 1, shown in the badge.
        seen = []
        for _ in range(4):
            await pilot.press("x")
            seen.append(player.speed)
            assert f"{player.speed}x" in app.screen.query_one(HeaderBar).replay_info
        assert seen == [2, 5, 10, 1]
        await pilot.press("x", "x", "x")  # 10x
        before = app.now
        await pilot.press("p")
        await pilot.pause(0.8)  # 0.8 s at 10x: about 8 s of recording, at least one frame
        await pilot.press("p")
        assert app.now - before >= 5
        assert app.snapshot.taken_at > before


async def test_start_end_seek_and_the_badge_shows_the_recording_time() -> None:
    app, _, rec = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.now
        assert f"DEMO {fmt.when(before)}" in header_text(app)
        bar = app.screen.query_one("#replay-bar", ProgressBar)
        assert 0.6 < bar.progress < 0.7  # 20 minutes into a 30-minute recording
        # Relative seek.
        await pilot.press("G")
        seek = app.screen.query_one("#seek", Input)
        assert seek.display and seek.has_focus
        await pilot.press(*"+5m", "enter")
        await pilot.pause()
        assert not seek.display
        assert app.now == pytest.approx(before + 300)
        assert app.snapshot.taken_at == rec.times[rec.index_at(before + 300)]
        assert abs(app.snapshot.taken_at - (before + 300)) <= 5
        assert fmt.when(app.now) in app.screen.query_one(HeaderBar).replay_info
        assert f"DEMO {fmt.when(app.now)}" in header_text(app)
        await pilot.press("G", *"-90s", "enter")
        await pilot.pause()
        assert app.now == pytest.approx(before + 210)
        # A local time of day on the recording's day.
        target = rec.start + 125
        await pilot.press("G", *fmt.clock(target), "enter")
        await pilot.pause()
        assert app.now == pytest.approx(target)
        assert app.snapshot.taken_at == rec.times[rec.index_at(target)]
        # End and start.
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.snapshot.taken_at == rec.end == rec.times[-1]
        assert bar.progress == pytest.approx(1.0)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.snapshot.taken_at == rec.start == rec.times[0]
        assert bar.progress == pytest.approx(0.0)
        assert f"DEMO {fmt.when(rec.start)}" in header_text(app)
        assert not errors(app)


async def test_bad_seek_text_shows_an_error_and_does_not_move() -> None:
    app, _, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before, shown = app.now, app.snapshot
        await pilot.press("G", *"tomorrow", "enter")
        await pilot.pause()
        assert app.now == before and app.snapshot is shown
        [message] = errors(app)
        assert "cannot seek to 'tomorrow'" in message
        seek = app.screen.query_one("#seek", Input)
        assert seek.display  # still open to correct the text
        await pilot.press("escape")
        assert not seek.display
        assert app.now == before


async def test_replay_timer_survives_the_dashboard_going_away() -> None:
    # The state a shutdown passes through: the dashboard still mounted, its header removed.
    # A replay tick then must not raise (it did: NoMatches from DashboardScreen.set_replay).
    app, _, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dash = app.dashboard
        assert dash is not None
        await dash.query_one(HeaderBar).remove()
        await dash.query_one("#replay-bar").remove()
        app._tick_clock()  # noqa: SLF001 - what the replay clock timer calls


# -- fgtop replay on files that are not good recordings ------------------------------------


def clean_env(home: Path) -> dict[str, str]:
    """The environment without any AWS or Kubernetes configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TERM="dumb")
    env["PYTHONPATH"] = str(ROOT)
    return env


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each bad case: its path and a fragment of the one-line message."""
    demo = Path(demo_recording()).read_bytes()
    corrupt = bytearray(demo[:4096])
    corrupt[20:60] = b"\xff" * 40  # the header's metadata chunk is garbage
    cases = {
        "corrupt": (bytes(corrupt), "corrupt"),
        "truncated": (demo[:24], "truncated"),
        "not-a-recording": (b"timestamp,cpu\n1,2\n", "not an fgtop recording"),
        "newer": (demo[:8] + b"\x63\x00" + demo[10:], "newer fgtop"),
    }
    out = {}
    for name, (data, fragment) in cases.items():
        path = tmp_path / f"{name}.fgrec"
        path.write_bytes(data)
        out[name] = (path, fragment)
    out["missing"] = (tmp_path / "missing.fgrec", "no such file")
    return out


def test_replay_of_a_bad_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cases = bad_files(tmp_path)
    procs = {  # all at once: each is a Python start-up
        name: subprocess.Popen(
            [sys.executable, "-m", "fgtop", "replay", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=clean_env(home),
            cwd=tmp_path,
        )
        for name, (path, _) in cases.items()
    }
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=30)
        path, fragment = cases[name]
        assert proc.returncode == 2, (name, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, (name, err)
        assert "Traceback" not in err
        assert lines[0].startswith("fgtop: ") and str(path) in lines[0], (name, err)
        assert fragment in lines[0], (name, err)
        assert out == "", name

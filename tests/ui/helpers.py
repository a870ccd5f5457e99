"""Helpers for Pilot tests: apps over real feeds, and reading what widgets show."""

from __future__ import annotations

import io

from rich.console import Console
from textual.pilot import Pilot

from fgtop.config import Config
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.core import Engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.model import Snapshot
from fgtop.recording.player import Player
from fgtop.recording.reader import Recording, open_recording
from fgtop.recording.replay_feed import ReplayFeed
from fgtop.resources import demo_recording
from fgtop.ui.app import FgtopApp, create_app


def plain(renderable: object, width: int = 160) -> str:
    """Render any Rich renderable (or a Static's content) to plain text."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


# -- apps over real feeds ---------------------------------------------------------------------


def demo_app(
    minutes: float | None = 20,
    *,
    land_on_problems: bool = False,
    config: Config | None = None,
    autoplay: bool = False,
) -> tuple[FgtopApp, Player, Recording]:
    """The app on the bundled demo through a real ReplayFeed, paused ``minutes`` in.

    ``minutes=None`` leaves the player at the start of the recording.
    """
    rec = open_recording(demo_recording())
    player = Player(rec, loop=False, autoplay=autoplay)
    if minutes is not None:
        player.seek(rec.start + minutes * 60)
    config = config or Config()
    feed = ReplayFeed(rec, player, Deriver.from_config(config, load_price_table()), label="DEMO")
    return create_app(feed, config=config, land_on_problems=land_on_problems), player, rec


def pushed_app(
    *, land_on_problems: bool = False, config: Config | None = None, sources: tuple = ()
) -> FgtopApp:
    """The app on a real LiveFeed whose engine publishes what the test hands it (:func:`push`).

    The engine has no sources unless given: nothing polls AWS; snapshots enter where the
    engine's own merges do (``Engine.publish``), so the feed, derivation and UI are the real ones.
    """
    config = config or Config()
    engine = Engine(list(sources))
    feed = LiveFeed(engine, Deriver.from_config(config, load_price_table()))
    return create_app(feed, config=config, land_on_problems=land_on_problems)


async def settle(pilot: Pilot) -> None:
    """Wait until the feed has delivered every frame asked for and the app has shown it."""
    app = pilot.app
    for _ in range(3):
        await app.feed.settled()  # type: ignore[attr-defined]
        await pilot.pause()


async def until(pilot: Pilot, predicate, what: str = "", timeout: float = 10.0) -> None:
    """Let the app run until ``predicate()`` is true; fail after ``timeout`` seconds (a busy
    machine can take far longer than a fixed pause)."""
    import time

    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        await pilot.pause(0.05)


async def push(pilot: Pilot, snapshot: Snapshot) -> None:
    """Publish ``snapshot`` through the engine of a :func:`pushed_app` and wait until shown."""
    await publish(pilot.app.feed, snapshot)  # type: ignore[arg-type]
    await settle(pilot)


async def publish(feed: LiveFeed, snapshot: Snapshot) -> None:
    """Hand ``snapshot`` to the feed's engine on its poller thread, where the engine's own
    merges publish."""
    await feed.poller.call(feed.engine.publish(snapshot))

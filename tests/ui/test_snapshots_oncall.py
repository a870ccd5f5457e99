"""SVG snapshots of the problems view from the demo, in the default and the colour-blind theme.

Deterministic: a fixed frame, the player paused (ages come from the replay clock), local time
pinned to UTC, notifications cleared before the picture is taken.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from tests.ui.test_problems_screen import demo_app

SIZE = (200, 50)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times in the header and the detail pane are local: pin them to UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _prepare(theme: str):  # noqa: ANN202
    async def run_before(pilot: Pilot) -> None:
        for _ in range(3):
            await pilot.pause()
        pilot.app.theme = theme
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", ["fgtop-dark", "colorblind"])
def test_problems_view(snap_compare, theme: str) -> None:  # noqa: ANN001
    app, _ = demo_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_prepare(theme))

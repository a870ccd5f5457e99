"""The key footer shows the keys of the screen on top, and follows it when it changes."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from fgtop.ui.widgets.footer import KeyFooter


def _keys(app) -> list[str]:
    footer = app.screen.query_one(KeyFooter)
    return [key.description for key in footer.query(FooterKey)]


async def _wait_keys(pilot, wanted: str) -> list[str]:
    """The footer's labels once ``wanted`` is among them (deadline: 200 pauses)."""
    for _ in range(200):
        keys = _keys(pilot.app)
        if wanted in keys:
            return keys
        await pilot.pause(0.02)
    return _keys(pilot.app)


async def test_footer_follows_the_screen(demo_app) -> None:
    app, _, _ = demo_app()
    async with app.run_test(size=(160, 40)) as pilot:
        keys = await _wait_keys(pilot, "Filter")
        assert {"Quit", "Filter", "Logs", "Describe"} <= set(keys)
        assert "Logs at failure" not in keys

        await pilot.press("exclamation_mark")
        keys = await _wait_keys(pilot, "Logs at failure")
        assert {"Back", "Logs at failure", "Go to"} <= set(keys)

        await pilot.press("escape")
        keys = await _wait_keys(pilot, "Logs")
        assert "Logs at failure" not in keys
        assert "Filter" in keys

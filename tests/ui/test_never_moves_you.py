"""Issue 27: fgtop never moves you. It lands on the problems view only when no key was pressed
since launch; after a key, what appeared is a one-line notice (``N problems — ! to see``) and
the screen, the focus and a filter being typed stay as they are: when the first complete poll
lands late (a large estate); the Kubernetes 410 storm is in
``tests/integration/test_never_moves_you.py``."""

from __future__ import annotations

from fgtop.model import Snapshot
from fgtop.recording.reader import open_recording
from fgtop.resources import demo_recording
from fgtop.ui.screens.dashboard import DashboardScreen
from fgtop.ui.screens.problems import ProblemsScreen
from fgtop.ui.widgets.filter_bar import FilterBar
from tests.ui.helpers import push, pushed_app

SIZE = (80, 24)


def incident() -> Snapshot:
    """A snapshot of the demo's incident, 20 minutes in (critical and high problems)."""
    rec = open_recording(demo_recording())
    return rec.frame(rec.index_at(rec.start + 20 * 60))


def notices(app) -> list[str]:  # noqa: ANN001
    return [n.message for n in app.told]


async def test_untouched_the_app_lands_on_the_problems() -> None:
    """The landing itself (what the next test turns off by a key)."""
    app = pushed_app(land_on_problems=True)
    async with app.run_test(size=SIZE) as pilot:
        await push(pilot, incident())
        await pilot.pause(0.2)
        assert isinstance(app.screen, ProblemsScreen)


async def test_a_filter_being_typed_when_the_first_poll_lands_stays_and_a_notice_says_so() -> None:
    app = pushed_app(land_on_problems=True)
    async with app.run_test(size=SIZE) as pilot:
        # The first poll of a large estate is still running: the user goes on typing a filter.
        await pilot.press("slash", *"sho")
        bar = app.screen.query_one("#filter", FilterBar)
        assert bar.has_focus and bar.value == "sho"
        await push(pilot, incident())  # the first complete frame: critical problems in it
        await pilot.pause(0.2)
        assert isinstance(app.screen, DashboardScreen)
        assert not any(isinstance(s, ProblemsScreen) for s in app.screen_stack)
        assert bar.has_focus
        await pilot.press("p")  # the next key goes where the user meant it
        assert bar.value == "shop"
        problems = len(app.insights.problems)
        assert f"{problems} problems — ! to see" in notices(app)
        await pilot.press("enter", "exclamation_mark")  # and ! shows them
        assert isinstance(app.screen, ProblemsScreen)

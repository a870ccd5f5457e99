"""LogView in a real Textual app: hostile lines render harmlessly; follow, search, filter, toggles."""

from __future__ import annotations

import re
import time

from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Input, Static

from fgtop.model.logs import LogLine
from fgtop.ui.widgets.log_view import LogView

TASK = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef"
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class LogApp(App[None]):
    def __init__(self, **kwargs: object) -> None:
        super().__init__()
        self.kwargs = kwargs
        self.events: list[object] = []

    def compose(self) -> ComposeResult:
        yield LogView(**self.kwargs)  # type: ignore[arg-type]

    def on_log_view_follow_changed(self, event: LogView.FollowChanged) -> None:
        self.events.append(("follow", event.follow))


async def flushed(pilot: object, view: LogView, timeout: float = 10.0) -> None:
    """Wait until the queued lines are shown (the view flushes on a timer; slow on a busy machine)."""
    deadline = time.monotonic() + timeout
    await pilot.pause(0.05)  # type: ignore[attr-defined]
    while view._pending or view._flush_timer is not None:
        assert time.monotonic() < deadline, "log lines never flushed"
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def make(n: int, start: int = 0, msg: str = "line {i}") -> list[LogLine]:
    return [
        LogLine(TASK, "app", 1_700_000_000 + i, msg.format(i=i), event_id=f"e{i}")
        for i in range(start, start + n)
    ]


def status(view: LogView) -> str:
    return str(view.query_one("#status", Static).render())


def row_text(strip: Strip) -> str:
    return "".join(seg.text for seg in strip)


def shown(view: LogView) -> list[str]:
    """The visible rows, as the terminal gets them."""
    height = view.lines.scrollable_content_region.height
    return [row_text(view.lines.render_line(y)).rstrip() for y in range(height)]


HOSTILE = [
    "\x1b[31;1mcoloured\x1b[0m text",
    "\x1b]0;pwned title\x07after title",
    "\x1b]8;;http://evil.example/\x1b\\click here\x1b]8;;\x1b\\",
    "[red]x[/red] and [link=http://evil]click[/link] [bold]",
    "nul\x00 bel\x07 bs\x08\x08 del\x7f c1\x9b31m",
    b"invalid \xff\xfe utf8".decode("utf-8", errors="surrogateescape"),
    "x" * 1_000_000,
]


async def test_hostile_lines_render_harmlessly() -> None:
    app = LogApp(timestamps=False)
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(
            make(len(HOSTILE), msg="{i}")
            and [LogLine(TASK, "app", 1.0 + i, m, f"h{i}") for i, m in enumerate(HOSTILE)]
        )
        await flushed(pilot, view)
        rows = [view.row_strip(y) for y in range(len(HOSTILE))]
        for strip in rows:
            for seg in strip:
                assert CONTROL.search(seg.text) is None, repr(seg.text)
                assert "\udcff" not in seg.text
                assert seg.style is None or not seg.style.link
                assert seg.style is None or "@click" not in (seg.style.meta or {})
        texts = [row_text(s) for s in rows]
        assert texts[0] == "coloured text"
        assert texts[1] == "after title"
        assert texts[2] == "click here"
        assert texts[3] == "[red]x[/red] and [link=http://evil]click[/link] [bold]"
        assert texts[4] == "nul␀ bel␇ bs␈␈ del␡ c1"
        assert texts[5].startswith("invalid ") and texts[5].endswith(" utf8")
        assert len(texts[6]) < 10_100 and texts[6].endswith("(990,000 more chars)")
        # what reaches the terminal (cropped rows) is clean too
        for line in shown(view):
            assert "\x1b" not in line


async def test_follow_pause_and_new_lines() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(make(100))
        await flushed(pilot, view)
        assert view.follow
        assert shown(view)[-1].endswith("line 99")
        view.lines.focus()
        await pilot.press("pageup")
        await pilot.pause()
        assert not view.follow
        assert ("follow", False) in app.events
        visible = shown(view)
        view.append_lines(make(7, start=100))
        await flushed(pilot, view)
        assert shown(view) == visible  # paused: the screen does not move
        assert "paused · 7 new lines" in status(view)
        await pilot.press("end")
        await pilot.pause()
        assert view.follow and "following" in status(view)
        assert shown(view)[-1].endswith("line 106")
        view.append_lines(make(3, start=107))
        await flushed(pilot, view)
        assert shown(view)[-1].endswith("line 109")


async def test_bounded_buffer_and_dedup() -> None:
    app = LogApp(max_lines=50)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(make(80))
        view.append_lines(make(10, start=70))  # same event ids: dropped
        await flushed(pilot, view)
        assert len(view.buffer) == 50 and view.lines.virtual_size.height == 50
        assert view.buffer[0].line.message == "line 30"


async def test_search_highlights_and_jumps() -> None:
    app = LogApp(timestamps=False)
    async with app.run_test(size=(100, 12)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(make(60, msg="{i} " + "ok"))
        view.append_lines([LogLine(TASK, "app", 9e9, "needle 61", "n61")])
        await flushed(pilot, view)
        view.lines.focus()
        await pilot.press("s", *"7 OK", "enter")
        await pilot.pause()
        assert view._match_nos == [7, 17, 27, 37, 47, 57]
        assert "search '7 OK' 6/6" in status(view)
        assert not view.follow
        row = next(s for s in map(view.row_strip, range(61)) if row_text(s) == "57 ok")
        base = view.row_strip(5)
        assert row_text(base) == "5 ok" and len({seg.style for seg in base}) == 1
        styled = [seg.text for seg in row if seg.style != next(iter(base)).style]
        assert styled == ["7 ok"]  # the match, case-insensitively
        await pilot.press("N")
        assert "5/6" in status(view)
        assert any(line == "47 ok" for line in shown(view))
        await pilot.press("n", "n")
        assert "1/6" in status(view)  # wraps around
        assert any(line == "7 ok" for line in shown(view))
        await pilot.press("s", *"[bad(regex", "enter")
        assert "search '[bad(regex' 0" in status(view)


async def test_filter_with_context_and_toggles_keep_it() -> None:
    app = LogApp(timestamps=False)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(LogView)
        msgs = ["a", "b", "MATCH one", "c", "d", "e", "f", "g", '{"level":"error","m":"MATCH"}']
        view.append_lines([LogLine(TASK, "app", float(i), m, f"f{i}") for i, m in enumerate(msgs)])
        await flushed(pilot, view)
        view.lines.focus()
        await pilot.press("f", *"match", "enter")
        await pilot.pause()
        assert [r for r in shown(view) if r] == ["MATCH one", '{"level":"error","m":"MATCH"}']
        await pilot.press("plus")
        await pilot.pause()
        assert [r for r in shown(view) if r] == ["b", "MATCH one", "c", "g", msgs[8]]
        assert "±1" in status(view)
        await pilot.press("j")
        await pilot.pause()
        rows = [r for r in shown(view) if r]
        assert rows[:4] == ["b", "MATCH one", "c", "g"]
        assert rows[4:] == ["{", '  "level": "error",', '  "m": "MATCH"', "}"]
        error_row = view.row_strip(5)
        assert any(seg.style and seg.style.color for seg in error_row)  # level colour
        await pilot.press("t", "w")
        await pilot.pause()
        assert view.wrap and view.timestamps
        assert "filter 'match' ±1" in status(view)
        assert any(r.endswith("MATCH one") and ":" in r for r in shown(view))
        view.append_lines(
            [
                LogLine(TASK, "app", 99.0, "z", "f99"),
                LogLine(TASK, "app", 99.0, "late MATCH", "f100"),
            ]
        )
        await flushed(pilot, view)
        assert sum("late MATCH" in r for r in shown(view)) == 1
        assert sum(r.endswith(" z") for r in shown(view)) == 1  # context before the new match
        await pilot.press("minus", "f", *["backspace"] * 5, "enter")
        await pilot.pause()
        assert "filter" not in status(view) and view.context == 0


async def test_wrap_splits_long_lines() -> None:
    app = LogApp(timestamps=False)
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(LogView)
        view.append_lines([LogLine(TASK, "app", 1.0, "abcdefghij" * 10, "w1")])
        await flushed(pilot, view)
        assert view.lines.virtual_size.height == 1
        await pilot.press("w")
        await pilot.pause()
        width = view.lines.scrollable_content_region.width
        rows = [r for r in shown(view) if r]
        assert "".join(rows) == "abcdefghij" * 10
        assert len(rows) == -(-100 // width)


async def test_message_and_source_column_and_time_jump() -> None:
    app = LogApp(show_source=True)
    async with app.run_test(size=(120, 12)) as pilot:
        view = app.query_one(LogView)
        view.focus()
        assert app.focused is view.lines
        other = TASK.replace("0123456789abcdef", "fedcba9876543210")
        view.append_lines(
            [
                LogLine(TASK if i % 2 else other, "web", 1_700_000_000 + i * 10, f"m{i}", f"s{i}")
                for i in range(40)
            ]
        )
        view.set_message("log group /ecs/x not found in us-east-1 [red]")
        await flushed(pilot, view)
        notice = view.query_one("#notice", Static)
        assert (
            notice.display
            and str(notice.render()) == "log group /ecs/x not found in us-east-1 [red]"
        )
        assert "01234567 web" in shown(view)[-1] or "fedcba98 web" in shown(view)[-1]
        view.jump_to_time(1_700_000_000 + 125)
        await pilot.pause()
        assert not view.follow  # later lines follow it: paused on it
        assert shown(view)[-1].endswith("m12")  # the line opened for, on the bottom row
        assert shown(view)[0].endswith(f"m{12 - len(shown(view)) + 1}")  # the lines before it
        view.jump_to_time(1_700_000_000 + 10_000)  # the newest line: at the tail, following
        await pilot.pause()
        assert view.follow and shown(view)[-1].endswith("m39")
        view.set_message(None)
        assert not notice.display


def other_container(n: int, start: int = 0) -> list[LogLine]:
    """Lines of a second container (a picker switch shows only these)."""
    return [
        LogLine(TASK, "otel-collector", 1_700_000_000 + i, f"otel {i}", event_id=f"o{i}")
        for i in range(start, start + n)
    ]


async def test_clear_keeps_the_filter_without_crashing() -> None:
    """Issue 14: filter, then switch container (clear + new lines) raised IndexError."""
    for wrap in (False, True):
        app = LogApp(timestamps=False)
        async with app.run_test(size=(60, 12)) as pilot:
            view = app.query_one(LogView)
            view.wrap = wrap
            view.append_lines(make(30, msg="line {i} " + "x" * 70))
            await flushed(pilot, view)
            view.set_filter("line 2")
            await pilot.pause()
            assert len(view._nos()) == 11  # line 2 and line 20..29
            view.clear()
            view.append_lines([*other_container(5), *make(3, start=40, msg="line 2{i}")])
            await flushed(pilot, view)
            rows = [r for r in shown(view) if r]
            assert rows and all(r.startswith("line 2") for r in rows), rows
            assert "3/8 lines" in status(view) and "filter 'line 2'" in status(view)
            view.set_filter("")
            await pilot.pause()
            assert "8/8 lines" in status(view)
            assert any(r.startswith("otel 4") for r in shown(view))


async def test_switching_container_does_not_count_old_lines_as_new() -> None:
    """Issue 14: the paused counter went 26 -> 52 "new lines" with nothing new."""
    app = LogApp()
    async with app.run_test(size=(100, 12)) as pilot:
        view = app.query_one(LogView)

        def open_around() -> None:  # what the logs screen does for "logs at the failure"
            view.append_lines(make(26))
            view.call_after_refresh(view.jump_to_time, 1_700_000_010)

        open_around()
        await flushed(pilot, view)
        assert not view.follow
        assert "paused · 0 new lines" in status(view)
        for _ in range(2):  # pick a container, twice
            view.clear()
            open_around()
            await flushed(pilot, view)
            assert "paused · 0 new lines" in status(view), status(view)
        assert shown(view)[-1].endswith("line 10")
        view.append_lines(make(4, start=26))
        await flushed(pilot, view)
        assert "paused · 4 new lines" in status(view)


async def test_a_filter_matching_nothing_is_still_reported_and_reopened() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 12)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(make(5))
        await pilot.press("f", *"nomatch", "enter")
        assert view.filter_pattern == "nomatch"
        await pilot.press("f")  # the box opens on the filter set, not empty
        assert view.query_one(Input).value == "nomatch"

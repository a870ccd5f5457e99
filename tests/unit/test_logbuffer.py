"""The bounded log buffer: numbering, de-duplication, search and filter with context."""

from __future__ import annotations

import io

from fgtop.model.logs import LogLine
from fgtop.text.logbuffer import (
    FilterView,
    LogBuffer,
    RowLayout,
    print_lines,
    source_label,
    time_label,
)

TASK = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef"


def lines(messages: list[str], start: int = 0, ids: bool = True) -> list[LogLine]:
    return [
        LogLine("task/1", "app", float(start + i), m, event_id=str(start + i) if ids else "")
        for i, m in enumerate(messages)
    ]


def test_bounded_and_numbered() -> None:
    buf = LogBuffer(maxlen=5)
    assert buf.append(lines([f"m{i}" for i in range(8)])) == 8
    assert len(buf) == 5
    assert buf.first_no == 3 and buf.next_no == 8 and buf.dropped == 3
    assert [e.line.message for e in buf] == ["m3", "m4", "m5", "m6", "m7"]
    assert buf.position_of(3) == 0 and buf.position_of(2) is None
    assert buf.entry(7).line.message == "m7"


def test_dedup_by_event_id_within_window() -> None:
    buf = LogBuffer(maxlen=3)
    buf.append(lines(["a", "b", "c"]))
    assert buf.append(lines(["b", "c"], start=1)) == 0
    buf.append(lines(["d"], start=3))  # evicts id "0"
    assert buf.append(lines(["a"], start=0)) == 1  # no longer in the window
    assert buf.append(lines(["x", "x"], ids=False)) == 2  # no id: never deduplicated


def test_search_positions_regex_and_fallback() -> None:
    buf = LogBuffer()
    buf.append(lines(["ok", "ERROR one", "fine", "error two", "a(b"]))
    assert buf.search("error") == [1, 3]
    assert buf.search("err.r\\s+t") == [3]
    assert buf.search("a(b") == [4]
    assert buf.search("nothing") == []


def test_search_sees_cleaned_text() -> None:
    buf = LogBuffer()
    buf.append(lines(["\x1b[31mred\x1b[0malert"]))
    assert buf.search("redalert") == [0]


def test_filter_with_context() -> None:
    buf = LogBuffer()
    msgs = ["a", "b", "MATCH", "c", "d", "e", "f", "MATCH", "g"]
    buf.append(lines(msgs))
    assert buf.filter("match") == [2, 7]
    assert buf.filter("match", context=1) == [1, 2, 3, 6, 7, 8]
    assert buf.filter("match", context=3) == list(range(9))


def test_filter_view_incremental_equals_rebuild() -> None:
    buf = LogBuffer(maxlen=50)
    view = FilterView("hit", context=2)
    view.rebuild(buf)
    for batch in range(20):
        msgs = [("hit" if (batch * 7 + i) % 11 == 0 else "miss") for i in range(7)]
        buf.append(lines(msgs, start=batch * 7))
        view.extend(buf)
        fresh = FilterView("hit", context=2)
        fresh.rebuild(buf)
        # Identical, except the trailing context of a match that fell off the front.
        extra = set(view.nos) - set(fresh.nos)
        assert set(fresh.nos) <= set(view.nos)
        assert all(no < buf.first_no + 2 for no in extra)
        assert all(no >= buf.first_no for no in view.nos)
    assert view.nos == sorted(set(view.nos))


def test_index_at_time() -> None:
    buf = LogBuffer()
    buf.append(lines(["a", "b", "c"], start=10))
    assert buf.index_at_time(11.0) == 1
    assert buf.index_at_time(0) == 0
    assert buf.index_at_time(99) == 3


def test_entry_level_cached() -> None:
    buf = LogBuffer()
    buf.append(lines(['{"level":"warn"}', "plain"]))
    assert buf[0].level == "WARN" and buf[1].level is None


def test_row_layout_incremental_matches_full() -> None:
    rows = {no: 1 + no % 3 for no in range(100)}
    inc = RowLayout()
    nos: list[int] = []
    for first, nxt in [(0, 10), (0, 25), (5, 40), (30, 41), (38, 60)]:
        nos = list(range(first, nxt))
        inc.update(nos, rows.__getitem__)
        full = RowLayout()
        full.update(nos, rows.__getitem__)
        assert inc.height == full.height == sum(rows[n] for n in nos)
        assert [inc.row_of(i) for i in range(len(nos))] == [full.row_of(i) for i in range(len(nos))]
        for y in range(full.height):
            assert inc.index_at(y) == full.index_at(y)
    assert inc.index_at(0) == 0 and inc.row_of(1) == rows[38]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_print_lines_plain_for_pipes_and_coloured_for_terminals() -> None:
    hostile = [
        LogLine(TASK, "app", 0.5, "\x1b[31mERROR\x1b[0m boom [red]x[/red]\x07", "1"),
        LogLine(TASK, "app", 1.0, "\x1b]0;title\x07ok", "2"),
    ]
    out = io.StringIO()
    print_lines(hostile, out, source=True)
    assert out.getvalue() == (
        "1970-01-01T00:00:00.500Z 01234567 app ERROR boom [red]x[/red]␇\n"
        "1970-01-01T00:00:01.000Z 01234567 app ok\n"
    )
    tty = Tty()
    print_lines(hostile, tty, timestamps=False)
    text = tty.getvalue()
    assert "\x1b[31m" in text  # our own colour for the ERROR level...
    assert "[red]x[/red]" in text and "\x07" not in text and "title" not in text
    assert "\x1b]" not in text  # ...but never the line's own sequences


def test_labels() -> None:
    line = LogLine(TASK, "web", 0.0, "m")
    assert source_label(line) == "01234567 web"
    assert source_label(LogLine("prod/default/api-7d9f", "c", 0.0, "m")) == "api-7d9f c"
    assert len(time_label(1.25)) == 12 and time_label(1.25).endswith(".250")

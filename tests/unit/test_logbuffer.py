"""The bounded log buffer: numbering, de-duplication, search and filter with context."""

from __future__ import annotations

from fgtop.logbuffer import FilterView, LogBuffer
from fgtop.model.logs import LogLine


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

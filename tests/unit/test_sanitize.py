"""The sanitizer: hostile log text becomes harmless, printable text."""

from __future__ import annotations

import json
import re

import pytest
from rich.console import Console
from rich.segment import Segment

from fgtop.text.sanitize import (
    MAX_CHARS,
    Matcher,
    clean,
    level_of,
    pretty_json,
    pretty_json_rows,
    to_text,
)

CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")

HOSTILE = {
    "csi colour": ("\x1b[31;1mred\x1b[0m text", "red text"),
    "csi cursor": ("a\x1b[2J\x1b[Hb", "ab"),
    "osc title bel": ("\x1b]0;pwned title\x07after", "after"),
    "osc title st": ("\x1b]2;pwned\x1b\\after", "after"),
    "osc 8 link": ("\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\", "click me"),
    "osc 8 bel": ("\x1b]8;id=1;http://evil\x07x\x1b]8;;\x07", "x"),
    "c1 csi": ("a\x9b31mb", "ab"),
    "dcs": ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),
    "charset": ("a\x1b(Bb", "ab"),
    "nul bel bs del": ("a\x00b\x07c\x08d\x7fe", "a␀b␇c␈d␡e"),
    "lone esc": ("a\x1b", "a␛"),
    "unfinished csi": ("a\x1b[", "a␛["),
    "c1 byte": ("a\x85b", "a\\x85b"),
    "carriage return": ("progress 10%\rprogress 99%", "progress 10%␍progress 99%"),
    "bidi override": ("user\u202etxt.exe", "user\\u202etxt.exe"),
    "tab": ("a\tb", "a   b"),
    "newline": ("one\ntwo\n", "one↵two"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_clean_hostile(name: str) -> None:
    raw, expected = HOSTILE[name]
    out = clean(raw)
    assert out == expected
    assert CONTROL.search(out) is None


def test_invalid_utf8_bytes_are_replaced() -> None:
    out = clean(b"ok \xff\xfe\xc3 end \x1b[31mx")
    assert out.startswith("ok ")
    assert "\ufffd" in out
    assert out.endswith(" end x")


def test_long_line_is_capped_with_marker() -> None:
    raw = "x" * 1_000_000
    out = clean(raw)
    assert out.startswith("x" * MAX_CHARS)
    assert out.endswith(f"… ({1_000_000 - MAX_CHARS:,} more chars)")
    assert clean(raw, max_chars=None) == raw


def test_long_hostile_line_is_still_clean() -> None:
    raw = "\x1b[31m" + "ab\x07" * 400_000
    out = clean(raw)
    assert "\x1b" not in out and "\x07" not in out
    assert "more chars)" in out


def _segments(text_obj) -> list[Segment]:
    console = Console(width=200, color_system="truecolor", force_terminal=True)
    return list(text_obj.render(console))


def test_to_text_shows_markup_literally_without_links() -> None:
    raw = "[red]x[/red] [link=http://evil]click[/link] [bold]b"
    segments = _segments(to_text(clean(raw)))
    plain = "".join(s.text for s in segments)
    assert plain == raw
    for seg in segments:
        assert seg.style is None or (not seg.style.link and seg.style.color is None)


def test_to_text_highlights_and_never_emits_escape() -> None:
    raw = "\x1b]0;t\x07ERROR \x1b[31mboom\x1b[0m [red]boom[/red]\x00"
    segments = _segments(to_text(clean(raw), "boom"))
    assert all("\x1b" not in s.text and "\x00" not in s.text for s in segments)
    highlighted = [s.text for s in segments if s.style and s.style.reverse]
    assert highlighted == ["boom", "boom"]


def test_to_text_cleans_raw_input_too() -> None:
    segments = _segments(to_text("a\x1b[31mb\x07"))
    assert "".join(s.text for s in segments) == "ab␇"


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ('{"level":"error","msg":"x"}', "ERROR"),
        ('{"severity":"WARNING","message":"x"}', "WARN"),
        ('{"lvl":"info"}', "INFO"),
        ('{"level":20,"msg":"pino debug"}', "DEBUG"),
        ('{"level":60}', "ERROR"),
        ('{"log.level":"warn"}', "WARN"),
        ('{"msg":"no level but ERROR inside"}', None),
        ("2024-01-01 ERROR something broke", "ERROR"),
        ("WARNING: disk almost full", "WARN"),
        ("\x1b[31mERROR\x1b[0m coloured", "ERROR"),
        ("ts=1 level=debug msg=x", "DEBUG"),
        ("E0102 12:00:00.123 1 main.go:1] boom", "ERROR"),
        ("all good, no error found", None),
        ("", None),
    ],
)
def test_level_of(message: str, level: str | None) -> None:
    assert level_of(message) == level


@pytest.mark.parametrize(
    "doc",
    [
        {"a": 1, "b": [1, 2, {"c": None, "d": {}}], "e": [], "f": "x\ny\u00e9\x1b", "g": 1.5},
        {"nested": {"deep": {"deeper": [[], [True, False]]}}},
        {"k": "v"},
    ],
)
def test_pretty_json_is_json_dumps_indent_2(doc: dict) -> None:
    message = json.dumps(doc)
    expected = json.dumps(doc, indent=2, ensure_ascii=False)
    assert pretty_json(message) == expected
    assert pretty_json_rows(message) == expected.count("\n") + 1


def test_pretty_json() -> None:
    assert pretty_json('{"a": 1, "b": [1, 2]}') == '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}'
    assert pretty_json("not json") is None
    assert pretty_json("[1, 2]") is None
    assert pretty_json("{broken") is None


def test_matcher_regex_and_fallback() -> None:
    assert Matcher("err.r").matches("An ERROR")
    assert Matcher("a(b").matches("xA(By")  # invalid regex: literal, case-insensitive
    assert not Matcher("a(b").is_regex
    assert Matcher("o").spans("foo") == [(1, 2), (2, 3)]
    assert not Matcher("").matches("anything")

"""Make outside text (log lines) safe to show: no terminal control sequences, no markup.

Log lines are hostile data. Everything here turns them into plain, printable text:

- ANSI CSI sequences (colours, cursor moves) and OSC sequences (window titles, OSC 8
  hyperlinks, BEL- or ST-terminated), DCS/APC/PM/SOS strings and two-byte ESC sequences are
  removed; the visible text of an OSC 8 link is kept, its target dropped.
- Any other C0/C1 control character left over (NUL, BEL, BS, ESC, DEL, 0x80-0x9f, lone CR)
  is shown escaped (``␀ ␇ ␈ ␛ ␡`` or ``\\x85``), never sent raw to the terminal. Bidi
  override characters (Trojan-source tricks) and lone surrogates are shown as ``\\u202e``.
- Invalid UTF-8 is decoded with replacement characters; tabs are expanded.
- Very long lines are kept but the shown part is capped (default 10,000 characters) with a
  ``… (N more chars)`` marker, so a 1 MB line renders as fast as a short one.

:func:`to_text` builds :class:`rich.text.Text` objects directly (never parsing markup), so Rich
markup such as ``[red]`` or ``[link=...]`` in a log line is shown literally. This module is
pure: it never imports Textual.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from rich.style import Style
from rich.text import Text

Level = Literal["ERROR", "WARN", "INFO", "DEBUG"]

MAX_CHARS = 10_000
"""Characters of a line shown before the ``… (N more chars)`` marker."""

TAB_SIZE = 4

# Escape sequences, 7-bit (ESC ...) and 8-bit (C1) forms.
_SEQUENCES = re.compile(
    r"""
      (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]             # CSI ... final byte
    | (?:\x1b\]|\x9d) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)   # OSC ... BEL or ST
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]) [^\x1b\x9c]* (?:\x1b\\|\x9c)  # DCS/SOS/PM/APC ... ST
    | \x1b [ -/]+ [0-~]                                # ESC ( B, ESC # 8 ...: nF sequences
    | \x1b [0-Z\\-~]                                   # two-byte ESC (Fp/Fe/Fs), not ESC [
    """,
    re.VERBOSE,
)
# OSC 8 hyperlink: keep the text between the opening and closing sequences.
_OSC8 = re.compile(r"(?:\x1b\]|\x9d)8;[^;\x07\x1b\x9c]*;[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)")
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_NEEDS_WORK = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n":
        return "↵"
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: ␀ ␇ ␈ ␛ ...
    if code == 0x7F:
        return "␡"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def clean(text: str | bytes, *, max_chars: int | None = MAX_CHARS, newlines: bool = False) -> str:
    """Turn raw outside text into printable, single-purpose text.

    Args:
        text: The raw line; bytes are decoded as UTF-8 with replacement characters.
        max_chars: Cap on the characters returned (a ``… (N more chars)`` marker is added past
            it); None for no cap.
        newlines: Keep ``\\n`` (for multi-row rendering); otherwise shown as ``↵``.

    Returns:
        Text with no control characters (except ``\\n`` when ``newlines``), tabs expanded.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    more = 0
    if max_chars is not None and len(text) > 2 * max_chars + 64:
        # Sanitise only a head with some slack for sequences straddling the cut.
        more = len(text) - (2 * max_chars + 64)
        text = text[: 2 * max_chars + 64]
    if _NEEDS_WORK.search(text) is not None:
        if "\x1b" in text or _has_c1_intro(text):
            text = _OSC8.sub("", text)
            text = _SEQUENCES.sub("", text)
        if "\r" in text:
            text = text.replace("\r\n", "\n").rstrip("\r")
        if "\t" in text:
            text = _expand_tabs(text)
        if newlines:
            text = "\n".join(_UNSAFE.sub(_escape_char, part) for part in text.split("\n"))
        else:
            text = _UNSAFE.sub(_escape_char, text.rstrip("\n"))
    if max_chars is not None and len(text) > max_chars:
        more += len(text) - max_chars
        text = text[:max_chars]
    if more:
        text = f"{text}… ({more:,} more chars)"
    return text


def _has_c1_intro(text: str) -> bool:
    return any(c in text for c in "\x9b\x9d\x90\x98\x9e\x9f")


def _expand_tabs(text: str) -> str:
    return "\n".join(part.expandtabs(TAB_SIZE) for part in text.split("\n"))


class Matcher:
    """A case-insensitive search pattern: a regex, or a plain substring when it is not one.

    Args:
        pattern: What the user typed. An invalid regex is searched for literally.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        try:
            self.regex = re.compile(pattern, re.IGNORECASE)
            self.is_regex = True
        except re.error:
            self.regex = re.compile(re.escape(pattern), re.IGNORECASE)
            self.is_regex = False
        plain = not any(c in pattern for c in ".^$*+?{}[]\\|()")
        self._needle = pattern.lower() if plain else None

    def matches(self, text: str) -> bool:
        """Whether ``text`` contains the pattern."""
        if not self.pattern:
            return False
        if self._needle is not None:
            return self._needle in text.lower()
        return self.regex.search(text) is not None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of every (non-empty) match in ``text``."""
        if not self.pattern:
            return []
        return [m.span() for m in self.regex.finditer(text) if m.end() > m.start()]


def to_text(
    line: str,
    highlight: str | Matcher | None = None,
    *,
    style: Style | str = "",
    highlight_style: Style | str = "reverse",
) -> Text:
    """A Rich Text for a cleaned line, built without markup parsing.

    Args:
        line: Text already passed through :func:`clean` (it is cleaned again if it is not).
        highlight: A search pattern (or :class:`Matcher`) whose matches get ``highlight_style``.
        style: The base style (for instance a level colour).
        highlight_style: The style of search matches.

    Returns:
        A Text whose plain text is exactly the cleaned line: ``[red]`` stays ``[red]``.
    """
    if _NEEDS_WORK.search(line.replace("\n", " ")) is not None:
        line = clean(line, max_chars=None, newlines=True)
    text = Text(line, style=style, no_wrap=True, end="")
    if highlight:
        matcher = highlight if isinstance(highlight, Matcher) else Matcher(highlight)
        for start, end in matcher.spans(line):
            text.stylize(highlight_style, start, end)
    return text


FIELD_CHARS = 512
"""Cap on one outside field (a name, tag, reason, event) as shown: 100 KB names stay cheap."""


def safe(value: object, *, max_chars: int | None = FIELD_CHARS, style: Style | str = "") -> Text:
    """The one way outside text reaches the screen: a Rich Text, never markup.

    Control sequences are removed or made visible, newlines shown as ``↵``, markup kept
    literal (``[link=...]`` stays those characters), length capped.

    Args:
        value: Any outside value (None shows as an empty text).
        max_chars: Cap on the characters shown (None: no cap).
        style: The style of the whole text.
    """
    return Text(
        clean("" if value is None else str(value), max_chars=max_chars),
        style=style,
        no_wrap=True,
        end="",
    )


def safe_str(value: object, *, max_chars: int | None = FIELD_CHARS) -> str:
    """:func:`safe` as plain text, for places that take a string but no markup (toasts, titles)."""
    return clean("" if value is None else str(value), max_chars=max_chars)


_LEVEL_WORDS: dict[str, Level] = {
    "error": "ERROR",
    "err": "ERROR",
    "fatal": "ERROR",
    "critical": "ERROR",
    "crit": "ERROR",
    "panic": "ERROR",
    "alert": "ERROR",
    "emerg": "ERROR",
    "emergency": "ERROR",
    "severe": "ERROR",
    "exception": "ERROR",
    "warn": "WARN",
    "warning": "WARN",
    "info": "INFO",
    "notice": "INFO",
    "information": "INFO",
    "debug": "DEBUG",
    "trace": "DEBUG",
    "verbose": "DEBUG",
}
_JSON_LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log_level", "levelname", "log.level")
_TEXT_LEVEL = re.compile(
    r"\b(ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|SEVERE|WARN|WARNING|INFO|NOTICE|DEBUG|TRACE)\b"
)
_LOGFMT_LEVEL = re.compile(r"\b(?:level|lvl|severity)=\"?([A-Za-z]+)", re.IGNORECASE)
_KLOG = re.compile(r"^([EWID])\d{4} \d\d:\d\d:\d\d")
_KLOG_LEVELS: dict[str, Level] = {"E": "ERROR", "W": "WARN", "I": "INFO", "D": "DEBUG"}


def _json_object(message: str) -> dict | None:
    stripped = message.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")) or len(stripped) > 1_000_000:
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _level_value(value: object) -> Level | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):  # pino/bunyan: 10 trace ... 60 fatal
        if value >= 50:
            return "ERROR"
        if value >= 40:
            return "WARN"
        if value >= 30:
            return "INFO"
        return "DEBUG"
    if isinstance(value, str):
        return _LEVEL_WORDS.get(value.strip().lower())
    return None


def level_of(message: str) -> Level | None:
    """The log level of a line, also inside JSON (``level``, ``severity``, ``lvl``...).

    Args:
        message: The raw or cleaned line.

    Returns:
        ``ERROR``, ``WARN``, ``INFO``, ``DEBUG``, or None when the line shows no level.
    """
    obj = _json_object(message) if message.lstrip().startswith("{") else None
    if obj is not None:
        for key in _JSON_LEVEL_KEYS:
            level = _level_value(obj.get(key))
            if level is None and "." in key:
                head, _, tail = key.partition(".")
                inner = obj.get(head)
                level = _level_value(inner.get(tail)) if isinstance(inner, dict) else None
            if level is not None:
                return level
        return None
    head = message[:300]
    if "\x1b" in head or "\x9b" in head:  # "\x1b[31mERROR": colour codes hide the word
        head = _SEQUENCES.sub("", head)
    match = _LOGFMT_LEVEL.search(head)
    if match is not None and (level := _LEVEL_WORDS.get(match.group(1).lower())):
        return level
    match = _KLOG.match(head)
    if match is not None:
        return _KLOG_LEVELS[match.group(1)]
    match = _TEXT_LEVEL.search(head)
    if match is not None:
        return _LEVEL_WORDS[match.group(1).lower()]
    return None


def _rows(value: object) -> int:
    if isinstance(value, dict):
        return 2 + sum(_rows(v) for v in value.values()) if value else 1
    if isinstance(value, list):
        return 2 + sum(_rows(v) for v in value) if value else 1
    return 1


def pretty_json_rows(message: str) -> int:
    """How many lines :func:`pretty_json` gives for ``message`` (1 when it is not JSON), cheaply."""
    obj = _json_object(message) if message.lstrip().startswith("{") else None
    return 1 if obj is None else _rows(obj)


def pretty_json(message: str) -> str | None:
    """The line as indented JSON (as ``json.dumps(indent=2)``) when it is a JSON object."""
    obj = _json_object(message)
    if obj is None:
        return None
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)

"""A bounded buffer of log lines with search and filter (pure: no Textual, no I/O).

Every line appended gets a line number that only ever grows, so search results and filter views
stay valid while old lines fall off the front of the buffer. Positions (``0 .. len-1``) index
the lines currently held; ``position = number - buffer.first_no``.
"""

from __future__ import annotations

import bisect
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TextIO

from rich.console import Console
from rich.text import Text

from fgtop.model.logs import LogLine
from fgtop.text.sanitize import Level, Matcher, clean, level_of, pretty_json


class Entry:
    """One buffered line: its number, the raw LogLine, and cached derived text."""

    __slots__ = ("_level", "_pretty", "_text", "line", "no")

    def __init__(self, no: int, line: LogLine) -> None:
        self.no = no
        """The line number (monotonic, never reused)."""
        self.line = line
        self._text: str | None = None
        self._level: Level | bool | None = False
        self._pretty: list[str] | bool | None = False

    @property
    def text(self) -> str:
        """The message, cleaned for display (control sequences removed, length capped)."""
        if self._text is None:
            self._text = clean(self.line.message)
        return self._text

    @property
    def pretty(self) -> list[str] | None:
        """The message as cleaned, indented JSON lines when it is a JSON object (cached)."""
        if self._pretty is False:
            pretty = pretty_json(self.line.message[:1_000_000])
            self._pretty = clean(pretty, newlines=True).split("\n") if pretty else None
        return self._pretty  # type: ignore[return-value]

    @property
    def level(self) -> Level | None:
        """The detected level of the message (cached)."""
        if self._level is False:
            self._level = level_of(self.line.message[:20_000])
        return self._level  # type: ignore[return-value]


class LogBuffer:
    """A bounded, de-duplicating buffer of log lines.

    Args:
        maxlen: The most lines kept; the oldest fall off first.
    """

    def __init__(self, maxlen: int = 10_000) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self.maxlen = maxlen
        self._entries: deque[Entry] = deque()
        self._ids: set[str] = set()
        self._next_no = 0
        self.dropped = 0
        """Lines that fell off the front since the buffer was created."""

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, position: int) -> Entry:
        return self._entries[position]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    @property
    def first_no(self) -> int:
        """The number of the oldest line held (the next number when empty)."""
        return self._entries[0].no if self._entries else self._next_no

    @property
    def next_no(self) -> int:
        """The number the next appended line will get."""
        return self._next_no

    def position_of(self, no: int) -> int | None:
        """The position of line number ``no``, or None when it is not (or no longer) held."""
        pos = no - self.first_no
        return pos if 0 <= pos < len(self._entries) else None

    def entry(self, no: int) -> Entry | None:
        """The entry with line number ``no``, if held."""
        pos = self.position_of(no)
        return None if pos is None else self._entries[pos]

    def append(self, lines: Iterable[LogLine]) -> int:
        """Append lines, skipping any whose ``event_id`` is already held.

        Args:
            lines: New lines, oldest first.

        Returns:
            How many lines were added.
        """
        added = 0
        entries, ids = self._entries, self._ids
        for line in lines:
            event_id = line.event_id
            if event_id:
                if event_id in ids:
                    continue
                ids.add(event_id)
            entries.append(Entry(self._next_no, line))
            self._next_no += 1
            added += 1
            if len(entries) > self.maxlen:
                old = entries.popleft()
                self.dropped += 1
                if old.line.event_id:
                    ids.discard(old.line.event_id)
        return added

    def clear(self) -> None:
        """Drop every line (numbers keep growing)."""
        self._entries.clear()
        self._ids.clear()

    def search(self, pattern: str | Matcher, start: int = 0) -> list[int]:
        """Positions of the lines whose cleaned text matches ``pattern``.

        Args:
            pattern: Case-insensitive regex, or substring when it is not a valid regex.
            start: First position to look at.
        """
        matcher = pattern if isinstance(pattern, Matcher) else Matcher(pattern)
        matches = matcher.matches
        entries = self._entries
        return [pos for pos in range(start, len(entries)) if matches(_searchable(entries[pos]))]

    def filter(self, pattern: str | Matcher, context: int = 0) -> list[int]:
        """Positions to show for a filter: the matching lines and ``context`` lines around each.

        Args:
            pattern: As for :meth:`search`.
            context: Lines kept before and after each match.
        """
        view = FilterView(pattern, context)
        view.rebuild(self)
        first = self.first_no
        return [no - first for no in view.nos]

    def index_at_time(self, t: float) -> int:
        """The position of the first line at or after ``t`` (POSIX seconds); len when none."""
        for pos, entry in enumerate(self._entries):
            if entry.line.timestamp >= t:
                return pos
        return len(self._entries)


def _searchable(entry: Entry) -> str:
    return entry.text


class FilterView:
    """The line numbers a filter keeps, updated incrementally as lines arrive.

    Args:
        pattern: The filter pattern (see :class:`~fgtop.text.sanitize.Matcher`).
        context: Lines kept before and after each match.
    """

    def __init__(self, pattern: str | Matcher, context: int = 0) -> None:
        self.matcher = pattern if isinstance(pattern, Matcher) else Matcher(pattern)
        self.context = max(0, context)
        self.nos: list[int] = []
        """Line numbers kept, ascending."""
        self._last_match: int | None = None
        self._scanned = 0

    def rebuild(self, buffer: LogBuffer) -> None:
        """Recompute from every line held."""
        self.nos = []
        self._last_match = None
        self._scanned = buffer.first_no
        self.extend(buffer)

    def extend(self, buffer: LogBuffer) -> None:
        """Take in the lines appended since the last call, and forget lines no longer held."""
        first = buffer.first_no
        if self.nos and self.nos[0] < first:
            del self.nos[: bisect.bisect_left(self.nos, first)]
        start = max(self._scanned, first)
        matches, ctx, nos = self.matcher.matches, self.context, self.nos
        for no in range(start, buffer.next_no):
            entry = buffer[no - first]
            if matches(_searchable(entry)):
                low = max(no - ctx, first, (nos[-1] + 1) if nos else first)
                nos.extend(range(low, no + 1))
                self._last_match = no
            elif self._last_match is not None and no - self._last_match <= ctx:
                nos.append(no)
        self._scanned = buffer.next_no

    def __len__(self) -> int:
        return len(self.nos)


class RowLayout:
    """Screen rows of shown lines that span one row or more (wrapped, pretty JSON).

    Row offsets are kept absolute and shifted by a base, so appending lines and dropping lines
    from the front cost only the lines added or dropped.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        """Absolute first row of each laid-out line."""
        self.base = 0
        self.end = 0
        self.last = -1
        """The last line number laid out."""

    @property
    def height(self) -> int:
        """Total rows."""
        return self.end - self.base

    def update(self, nos: Sequence[int], rows_of: Callable[[int], int]) -> None:
        """Lay out lines appended to ``nos`` (ascending) and forget those no longer in it."""
        starts = self.starts
        kept = bisect.bisect_right(nos, self.last)
        del starts[: len(starts) - kept]
        self.base = starts[0] if starts else self.end
        end = self.end
        for no in nos[kept:]:
            starts.append(end)
            end += rows_of(no)
        self.end = end
        self.last = nos[-1] if len(nos) else -1

    def row_of(self, index: int) -> int:
        """The first row of the line at ``index``."""
        starts = self.starts
        return (starts[index] if index < len(starts) else self.end) - self.base

    def index_at(self, y: int) -> int:
        """The index of the line shown at row ``y``."""
        return max(0, bisect.bisect_right(self.starts, y + self.base) - 1)


def source_label(line: LogLine, width: int = 22) -> str:
    """The task/pod column: a short task id (or the pod name) and the container."""
    name = line.target.rsplit("/", 1)[-1]
    if len(name) > 12 and ":" in line.target:  # an ECS task ARN: 8 characters are enough
        name = name[:8]
    return clean(f"{name} {line.container}", max_chars=width)


def time_label(ts: float) -> str:
    """``HH:MM:SS.mmm`` in local time."""
    return time.strftime("%H:%M:%S", time.localtime(ts)) + f".{int(ts * 1000) % 1000:03d}"


_LEVEL_STYLES = {"ERROR": "red", "WARN": "yellow", "DEBUG": "dim"}


def print_lines(
    lines: Iterable[LogLine],
    stream: TextIO,
    *,
    timestamps: bool = True,
    source: bool = False,
    color: bool | None = None,
) -> None:
    """Print sanitised lines for the ``fgtop logs`` command (scripts and pipes).

    Args:
        lines: The lines, oldest first.
        stream: Where to write (``sys.stdout``).
        timestamps: Start each line with its ISO-8601 UTC time.
        source: Add the task/pod and container column.
        color: Colour levels; None means only when ``stream`` is a terminal. Without colour
            the output is plain text, with no escape sequence at all.
    """
    if color is None:
        color = bool(getattr(stream, "isatty", lambda: False)())
    console = (
        Console(
            file=stream,
            highlight=False,
            soft_wrap=True,
            force_terminal=True,
            color_system="standard",
        )
        if color
        else None
    )
    for line in lines:
        head = ""
        if timestamps:
            ms = int(line.timestamp * 1000) % 1000
            head += time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(line.timestamp))
            head += f".{ms:03d}Z "
        if source:
            head += source_label(line) + " "
        body = clean(line.message, max_chars=None)
        if console is None:
            stream.write(head + body + "\n")
        else:
            style = _LEVEL_STYLES.get(level_of(line.message[:20_000]) or "", "")
            console.print(Text(head, style="dim", end=""), Text(body, style=style), sep="")

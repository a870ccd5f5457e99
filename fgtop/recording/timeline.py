"""Several recordings (a flight recorder's directory of segments, or one file) as one.

:class:`Timeline` indexes every segment once (the time of each frame, where its log lines end)
and opens the files on demand: at most :data:`MAX_OPEN` at a time (the newest, which may still
grow, and the ones read last), whatever the number of segments, so 50 days of hourly segments
replay under the common ``ulimit -n`` of 256 or 1024. A segment that cannot be read is skipped
with one line.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import threading
from pathlib import Path
from typing import Any

from fgtop.model import LogLine, Snapshot
from fgtop.recording.format import RecordingError
from fgtop.recording.names import list_segments, segment_start
from fgtop.recording.reader import FrameTimes, Recording, open_recording

MAX_OPEN = 4
"""Segment files a timeline holds open at once."""


@dataclasses.dataclass(eq=False)
class Part:
    """One recording of a timeline: what its index says, and the file when it is open."""

    path: Path
    frames: int
    """Frames it holds (as indexed)."""
    meta: dict[str, Any]
    redacted: bool
    truncated: bool
    log_end: float | None
    """The latest time of its log chunks: no line of it is later (None: no log lines)."""
    recording: Recording | None = None
    """The open file (None while closed)."""
    lines: tuple[list[LogLine], list[float]] | None = None
    """Its log lines and their times, once read (a finished segment's do not change)."""

    @classmethod
    def of(cls, rec: Recording) -> Part:
        """The part of an open recording."""
        return cls(
            rec.path, len(rec), rec.meta, rec.redacted, rec.truncated, rec.log_end, recording=rec
        )


class Timeline(FrameTimes):
    """Several recordings (a directory of segments, or one file) as one recording.

    The same reading interface as :class:`~fgtop.recording.reader.Recording` (``times``,
    ``start``, ``end``, ``index_at``, ``frame``, ``logs``, ``refresh``, ``close``), so the player
    and the replay feed take either.

    Args:
        path: A directory of segments, or a single recording file.
        pending_ok: Tolerate a directory with no readable frame yet (a follower started before
            the recorder's first frame) instead of raising.

    Raises:
        RecordingError: when nothing readable is found (and not ``pending_ok``).
    """

    def __init__(self, path: str | os.PathLike[str], *, pending_ok: bool = False) -> None:
        self.path = Path(path)
        self.is_dir = self.path.is_dir()
        self.skipped: list[str] = []
        """One line per segment that could not be read (shown to the user once)."""
        self._parts: list[Part] = []
        self._offsets: list[int] = []
        """Index of the first frame of each part in the whole timeline."""
        self._times: list[float] = []
        self._open: list[Part] = []
        """The parts whose file is open, the one used last at the end."""
        self._seen: set[str] = set()
        self._inode: tuple[int, int] | None = None
        self.reset = False
        """Set by :meth:`refresh` when a single file was replaced (a recorder restarted)."""
        self.lock = threading.RLock()
        """Held while the parts are read, opened, closed or changed: the replay's deriving
        thread reads frames too (fgtop.derive.replay)."""
        self.refresh()
        if not self._parts and not pending_ok:
            if self.skipped:
                raise RecordingError(self.skipped[-1])
            raise RecordingError(
                f"{self.path} is a directory with no fgtop recording segment in it "
                "(fgtop record -o DIR writes them)"
            )

    # -- files on demand ------------------------------------------------------------------------

    def _use(self, part: Part) -> Recording:
        """``part``'s open recording (opened again if it was closed), the others closed beyond
        :data:`MAX_OPEN`; the newest part stays open (it may grow)."""
        rec = part.recording
        if rec is None:
            rec = open_recording(part.path)
            if len(rec) < part.frames:
                rec.close()
                raise RecordingError(f"{part.path.name} changed since it was read")
            part.recording = rec
        if self._open and self._open[-1] is part:
            return rec
        if part in self._open:
            self._open.remove(part)
        self._open.append(part)
        newest = self._parts[-1] if self._parts else None
        while len(self._open) > MAX_OPEN:
            victim = next((p for p in self._open if p is not newest and p is not part), None)
            if victim is None:
                break
            self._release(victim)
        return rec

    def _release(self, part: Part) -> None:
        if part in self._open:
            self._open.remove(part)
        if part.recording is not None:
            part.recording.close()
            part.recording = None

    # -- the parts ----------------------------------------------------------------------------

    def refresh(self) -> int:
        """Pick up frames appended to the newest part, and new segments; returns new frames."""
        with self.lock:
            before = len(self._times)
            self.reset = False
            if self.is_dir:
                self._refresh_dir()
            else:
                self._refresh_file()
            return len(self._times) - before

    def _refresh_file(self) -> None:
        try:
            st = os.stat(self.path)
        except OSError:
            return
        ident = (st.st_dev, st.st_ino)
        if self._parts:
            part = self._parts[0]
            rec = self._use(part)
            if ident != self._inode or st.st_size < rec._end:  # noqa: SLF001
                # Replaced or truncated: a recorder started again on the same file.
                self.close()
                self._parts, self._offsets, self._times = [], [], []
                self.reset = True
            else:
                self._grow(part)
                return
        try:
            rec = open_recording(self.path)
        except RecordingError:
            return
        self._inode = ident
        self._append(rec)

    def _refresh_dir(self) -> None:
        segments = list_segments(self.path)
        if self._parts:
            self._grow(self._parts[-1])
        newest = segments[-1] if segments else None
        for seg in segments:
            if seg.name in self._seen:
                continue
            if self._parts and (segment_start(seg.name) or 0) < (
                segment_start(self._parts[-1].path.name) or 0
            ):
                self._seen.add(seg.name)  # older than what is shown (appeared late): ignored
                continue
            try:
                rec = open_recording(seg)
            except RecordingError as exc:
                if seg == newest:
                    break  # being started by the recorder: looked at again next time
                self._seen.add(seg.name)
                if not seg.exists():
                    continue  # deleted by the retention meanwhile: nothing to say
                self.skipped.append(f"skipped {seg.name}: {exc}")
                continue
            self._seen.add(seg.name)
            if self._parts:
                self._grow(self._parts[-1])  # its last frames, before it stops being the newest
            self._append(rec)

    def _append(self, rec: Recording) -> None:
        times = rec.times
        last = self._times[-1] if self._times else float("-inf")
        if times and times[0] < last:
            # The clock went back between segments: keep the timeline in order.
            self.skipped.append(f"skipped {rec.path.name}: its frames are older than the last")
            rec.close()
            return
        part = Part.of(rec)
        self._offsets.append(len(self._times))
        self._parts.append(part)
        self._times.extend(times)
        self._use(part)

    def _grow(self, part: Part) -> None:
        rec = self._use(part)
        if rec.refresh():
            self._times.extend(rec.times[part.frames :])
            part.frames = len(rec)
        part.truncated, part.log_end, part.lines = rec.truncated, rec.log_end, None

    def drop_deleted(self, before: int) -> int:
        """Forget the oldest parts whose files were deleted (by the retention), as long as they
        end before frame ``before`` (the one shown stays); returns how many frames went.

        A follower open for days would otherwise keep every deleted segment indexed."""
        with self.lock:
            return self._drop_deleted(before)

    def _drop_deleted(self, before: int) -> int:
        dropped = 0
        while len(self._parts) > 1 and not self._parts[0].path.exists():
            n = self._offsets[1]
            if n > before:
                break
            self._release(self._parts.pop(0))
            del self._times[:n]
            self._offsets = [o - n for o in self._offsets[1:]]
            before -= n
            dropped += n
        return dropped

    # -- the Recording interface --------------------------------------------------------------

    @property
    def parts(self) -> tuple[Part, ...]:
        """The recordings the timeline is made of, in order."""
        return tuple(self._parts)

    @property
    def open_files(self) -> int:
        """How many of its files are open now."""
        return sum(p.recording is not None for p in self._parts)

    @property
    def meta(self) -> dict[str, Any]:
        """The metadata of the first part."""
        return self._parts[0].meta if self._parts else {}

    @property
    def redacted(self) -> bool:
        """Whether any part was recorded with redaction."""
        return any(p.redacted for p in self._parts)

    @property
    def truncated(self) -> bool:
        """Whether the newest part ends with an incomplete chunk."""
        return bool(self._parts) and self._parts[-1].truncated

    @property
    def times(self) -> tuple[float, ...]:
        """The time of every frame, in order."""
        with self.lock:
            return tuple(self._times)

    def __len__(self) -> int:
        return len(self._times)

    def frame(self, i: int) -> Snapshot:
        """Decode frame ``i`` of the whole timeline (negative indexes count from the end).

        A segment deleted (or replaced) since it was indexed gives the nearest frame of one
        still readable, with one line in :attr:`skipped`."""
        with self.lock:
            return self._frame(i)

    def _frame(self, i: int) -> Snapshot:
        n = len(self._times)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"frame {i} out of range (0..{n - 1})")
        p = bisect.bisect_right(self._offsets, i) - 1
        order = [p] + [q for d in range(1, len(self._parts)) for q in (p + d, p - d)]
        error: RecordingError | None = None
        for q in order:
            if not 0 <= q < len(self._parts):
                continue
            part = self._parts[q]
            try:
                rec = self._use(part)
            except RecordingError as exc:
                error = error or exc
                continue
            line = f"skipped {self._parts[p].path.name}: {error}"
            if error is not None and line not in self.skipped:
                self.skipped.append(line)
            if q == p:
                return rec.frame(i - self._offsets[p])
            return rec.frame(0 if q > p else part.frames - 1)
        raise error or RecordingError(f"{self.path}: no readable frame")

    def logs(
        self, target: str | None = None, since: float | None = None, until: float | None = None
    ) -> list[LogLine]:
        """Recorded log lines of every part, oldest first.

        A part whose log chunks all end before ``since`` is not read (a chunk's time is at
        least that of every line in it); the lines of a finished part are read once."""
        with self.lock:
            return self._logs(target, since, until)

    def _logs(self, target: str | None, since: float | None, until: float | None) -> list[LogLine]:
        lines: list[LogLine] = []
        newest = self._parts[-1] if self._parts else None
        for part in self._parts:
            if part.log_end is None or (since is not None and part.log_end < since):
                continue
            if part is newest:
                lines += self._use(part).logs(target, since=since, until=until)
                continue
            if part.lines is None:
                try:
                    every = self._use(part).logs()
                except RecordingError:
                    continue  # deleted since: its lines were not kept
                part.lines = (every, [line.timestamp for line in every])
            every, times = part.lines
            lo = 0 if since is None else bisect.bisect_left(times, since)
            hi = len(every) if until is None else bisect.bisect_right(times, until)
            found = every[lo:hi]
            lines += found if target is None else [ln for ln in found if ln.target == target]
        if len(self._parts) > 1:
            lines.sort(key=lambda line: line.timestamp)
        return lines

    def close(self) -> None:
        """Close every file."""
        with self.lock:
            self._close()

    def _close(self) -> None:
        for part in list(self._open):
            self._release(part)
        for part in self._parts:
            self._release(part)

    def __enter__(self) -> Timeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_timeline(path: str | os.PathLike[str]) -> Timeline:
    """Open a recording file or a directory of segments as one timeline.

    Raises:
        RecordingError: one line, when nothing in it can be read.
    """
    p = Path(path)
    if not p.is_dir():
        # The single-file errors (missing, FIFO, not a recording) stay those of the reader.
        open_recording(p).close()
    return Timeline(p)

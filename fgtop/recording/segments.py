"""Recordings in segments: the flight recorder writes a directory, the player reads it whole.

``fgtop record -o DIR`` writes one segment file per ``--segment`` (an hour by default) and
deletes the segments older than ``--retain``. Every segment is a complete recording of its own
(it starts with the meta chunk and a keyframe), so any one of them can be copied away and
replayed alone, and a damaged one costs only its own frames.

Segment files are named after the UTC time they were started, to the millisecond
(``fgtop-20260101T120000.000Z.fgrec``): the names sort in time order, and the retention needs
no file to be opened. :class:`Timeline` opens a directory of segments as one recording for the
player (seek across segments); a segment that cannot be read is skipped with one line.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fgtop.model import LogLine, Snapshot
from fgtop.recording.format import RecordingError
from fgtop.recording.reader import Recording, open_recording
from fgtop.recording.writer import Recorder

SUFFIX = ".fgrec"
"""The file name ending of a segment (and of any fgtop recording)."""
_NAME = re.compile(r"^fgtop-(\d{8}T\d{6}\.\d{3})Z\.fgrec$")


def segment_name(start: float) -> str:
    """The file name of a segment started at POSIX time ``start``."""
    moment = datetime.datetime.fromtimestamp(start, datetime.UTC)
    return f"fgtop-{moment:%Y%m%dT%H%M%S}.{moment.microsecond // 1000:03d}Z{SUFFIX}"


def segment_start(name: str) -> float | None:
    """The start time a segment's file name gives (None: not a segment's name)."""
    m = _NAME.match(name)
    if m is None:
        return None
    moment = datetime.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S.%f")
    return moment.replace(tzinfo=datetime.UTC).timestamp()


def list_segments(directory: Path) -> list[Path]:
    """The segment files of ``directory``, oldest first (other files are left alone)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RecordingError(f"cannot read {directory}: {exc.strerror or exc}") from exc
    found = sorted((segment_start(n), n) for n in names if _NAME.match(n))
    return [directory / n for _, n in found]


class SegmentedRecorder:
    """Write Snapshots and log lines to a directory, one segment file per ``segment`` seconds.

    Args:
        directory: Where the segments go (created if missing).
        segment: Seconds of recording per segment file.
        retain: Seconds of segments kept: a segment whose successor started longer ago than
            this is deleted (the segment being written never is).
        clock: POSIX seconds now (injectable: tests pass a fake clock instead of sleeping).
        on_rotate: Called with one line for the user each time a segment is finished.
        redact, meta, keyframe_interval: As for :class:`~fgtop.recording.writer.Recorder`.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        segment: float = 3600.0,
        retain: float | None = None,
        clock: Callable[[], float] = time.time,
        on_rotate: Callable[[str], None] | None = None,
        redact: bool = False,
        meta: dict[str, Any] | None = None,
        keyframe_interval: int | None = None,
    ) -> None:
        self.directory = Path(directory)
        if segment <= 0:
            raise RecordingError("--segment must be longer than 0s")
        if retain is not None and retain <= 0:
            raise RecordingError("--retain must be longer than 0s")
        self.segment = float(segment)
        self.retain = None if retain is None else float(retain)
        self.clock = clock
        self.on_rotate = on_rotate
        self.redact = redact
        self.meta = dict(meta or {})
        self.keyframe_interval = keyframe_interval
        self.frames = 0
        """Frames written so far, in every segment."""
        self.segments = 0
        """Segment files started so far."""
        self.deleted = 0
        """Segment files deleted by the retention so far."""
        self.current: Recorder | None = None
        self._started = 0.0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordingError(f"cannot create {self.directory}: {exc.strerror or exc}") from exc
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise RecordingError(f"cannot write in {self.directory}: permission denied")
        self.prune()

    @property
    def path(self) -> Path:
        """The directory (what the user gave with ``-o``)."""
        return self.directory

    def write_snapshot(self, snapshot: Snapshot) -> None:
        """Append one frame, to a new segment when the current one is full."""
        self._rotate_if_due()
        assert self.current is not None
        self.current.write_snapshot(snapshot)
        self.frames += 1

    def write_logs(self, lines: Sequence[LogLine]) -> None:
        """Append log lines to the current segment (dropped before the first frame)."""
        if self.current is not None and lines:
            self.current.write_logs(lines)

    def close(self) -> None:
        """Finish the current segment."""
        if self.current is not None:
            self.current.close()
            self.current = None

    # -- segments -----------------------------------------------------------------------------

    def _rotate_if_due(self) -> None:
        now = self.clock()
        if self.current is not None and now < self._started + self.segment:
            return
        finished = self.current
        if finished is not None:
            finished.close()
        path = self._new_path(now)
        kwargs: dict[str, Any] = {"redact": self.redact, "meta": self.meta}
        if self.keyframe_interval is not None:
            kwargs["keyframe_interval"] = self.keyframe_interval
        self.current = Recorder(path, **kwargs)
        self._started = now
        self.segments += 1
        deleted = self.prune(now)
        if finished is not None and self.on_rotate is not None:
            line = (
                f"fgtop: segment {finished.path.name} done ({finished.frames} frames, "
                f"{_size(finished.path)}); writing {path.name}"
            )
            if deleted:
                line += f"; deleted {deleted} older than the retention"
            self.on_rotate(line)

    def _new_path(self, now: float) -> Path:
        start = now
        while True:
            path = self.directory / segment_name(start)
            if not path.exists():
                return path
            start += 0.001

    def prune(self, now: float | None = None) -> int:
        """Delete the segments older than the retention; returns how many went."""
        if self.retain is None:
            return 0
        now = self.clock() if now is None else now
        segments = list_segments(self.directory)
        current = self.current.path if self.current is not None else None
        deleted = 0
        for path, after in itertools.pairwise(segments):
            # A segment holds frames until its successor starts: it is older than the
            # retention when that start is.
            end = segment_start(after.name)
            if path == current or end is None or end > now - self.retain:
                continue
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                continue
            deleted += 1
        self.deleted += deleted
        return deleted


def _size(path: Path) -> str:
    try:
        n = path.stat().st_size
    except OSError:
        return "? bytes"
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


class Timeline:
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
        self._parts: list[Recording] = []
        self._offsets: list[int] = []
        """Index of the first frame of each part in the whole timeline."""
        self._times: list[float] = []
        self._seen: set[str] = set()
        self._inode: tuple[int, int] | None = None
        self.reset = False
        """Set by :meth:`refresh` when a single file was replaced (a recorder restarted)."""
        self.refresh()
        if not self._parts and not pending_ok:
            if self.skipped:
                raise RecordingError(self.skipped[-1])
            raise RecordingError(
                f"{self.path} is a directory with no fgtop recording segment in it "
                "(fgtop record -o DIR writes them)"
            )

    # -- the parts ----------------------------------------------------------------------------

    def refresh(self) -> int:
        """Pick up frames appended to the newest part, and new segments; returns new frames."""
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
            if ident != self._inode or st.st_size < part._end:  # noqa: SLF001
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
            self._append(rec)

    def _append(self, rec: Recording) -> None:
        times = rec.times
        last = self._times[-1] if self._times else float("-inf")
        if times and times[0] < last:
            # The clock went back between segments: keep the timeline in order.
            self.skipped.append(f"skipped {rec.path.name}: its frames are older than the last")
            rec.close()
            return
        self._offsets.append(len(self._times))
        self._parts.append(rec)
        self._times.extend(times)

    def _grow(self, part: Recording) -> None:
        if part.refresh():
            self._times.extend(part._times[len(self._times) - self._offsets[-1] :])  # noqa: SLF001

    def drop_deleted(self, before: int) -> int:
        """Forget the oldest parts whose files were deleted (by the retention), as long as they
        end before frame ``before`` (the one shown stays); returns how many frames went.

        A follower open for days would otherwise keep every deleted segment open, and its
        disk space in use."""
        dropped = 0
        while len(self._parts) > 1 and not self._parts[0].path.exists():
            n = self._offsets[1]
            if n > before:
                break
            self._parts.pop(0).close()
            del self._times[:n]
            self._offsets = [o - n for o in self._offsets[1:]]
            before -= n
            dropped += n
        return dropped

    # -- the Recording interface --------------------------------------------------------------

    @property
    def parts(self) -> tuple[Recording, ...]:
        """The recordings the timeline is made of, in order."""
        return tuple(self._parts)

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
        return tuple(self._times)

    def __len__(self) -> int:
        return len(self._times)

    @property
    def start(self) -> float:
        """The time of the first frame."""
        return self._times[0]

    @property
    def end(self) -> float:
        """The time of the last frame."""
        return self._times[-1]

    def index_at(self, t: float) -> int:
        """The index of the frame shown at time ``t`` (the last frame at or before it)."""
        i = bisect.bisect_right(self._times, t) - 1
        return min(max(i, 0), len(self._times) - 1)

    def frame(self, i: int) -> Snapshot:
        """Decode frame ``i`` of the whole timeline (negative indexes count from the end)."""
        n = len(self._times)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"frame {i} out of range (0..{n - 1})")
        p = bisect.bisect_right(self._offsets, i) - 1
        return self._parts[p].frame(i - self._offsets[p])

    def logs(
        self, target: str | None = None, since: float | None = None, until: float | None = None
    ) -> list[LogLine]:
        """Recorded log lines of every part, oldest first."""
        lines: list[LogLine] = []
        for part in self._parts:
            lines += part.logs(target, since=since, until=until)
        if len(self._parts) > 1:
            lines.sort(key=lambda line: line.timestamp)
        return lines

    def close(self) -> None:
        """Close every part."""
        for part in self._parts:
            part.close()

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

"""Recordings in segments: the flight recorder writes a directory, the player reads it whole.

``fgtop record -o DIR`` writes one segment file per ``--segment`` (an hour by default) and
deletes the segments older than ``--retain``. Every segment is a complete recording of its own
(it starts with the meta chunk and a keyframe), so any one of them can be copied away and
replayed alone, and a damaged one costs only its own frames.

Segment files are named after the UTC time they were started (:mod:`fgtop.recording.names`);
the retention deletes only files it wrote (:func:`~fgtop.recording.names.is_own_segment`).
:class:`~fgtop.recording.timeline.Timeline` opens a directory of segments as one recording for
the player (seek across segments, a bounded number of files open); a segment that cannot be
read is skipped with one line.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fgtop.model import LogLine, Snapshot
from fgtop.recording.format import RecordingError
from fgtop.recording.names import (
    SUFFIX,
    is_own_segment,
    list_segments,
    segment_name,
    segment_start,
)
from fgtop.recording.timeline import Timeline, open_timeline
from fgtop.recording.writer import Recorder

__all__ = [
    "SUFFIX",
    "SegmentedRecorder",
    "Timeline",
    "is_own_segment",
    "list_segments",
    "open_timeline",
    "segment_name",
    "segment_start",
]


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
        current = self.current.path if self.current is not None else None
        # Only the files fgtop wrote: a segment's name, a regular file, a recording's header
        # (never a link, a FIFO or a file it cannot parse that happens to be named like one).
        segments = [p for p in list_segments(self.directory) if p == current or is_own_segment(p)]
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

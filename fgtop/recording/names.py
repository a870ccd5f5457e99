"""Segment files: their names, and which files of a directory are fgtop's own segments.

Segment files are named after the UTC time they were started, to the millisecond
(``fgtop-20260101T120000.000Z.fgrec``): the names sort in time order, and the retention needs
no file to be opened to know a segment's time. Before deleting anything, the retention checks
that a file is one it wrote (:func:`is_own_segment`): a regular file, not a link, a FIFO or a
device, that starts with a recording's header.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
from pathlib import Path

from fgtop.recording import format as fmt
from fgtop.recording.format import RecordingError

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
    """The files of ``directory`` named like segments, oldest first (other files are left
    alone; what a name hides is checked by whoever opens it)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RecordingError(f"cannot read {directory}: {exc.strerror or exc}") from exc
    found = sorted((segment_start(n), n) for n in names if _NAME.match(n))
    return [directory / n for _, n in found]


def is_own_segment(path: Path) -> bool:
    """Whether ``path`` is a segment fgtop wrote: a segment's name, a regular file (not a
    symbolic link, FIFO, socket or device) and a recording's header (magic and a version this
    fgtop knows). Never blocks: the file is opened without following links, non-blocking."""
    if segment_start(path.name) is None:
        return False
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, fmt.FILE_HEADER.size)
    except OSError:
        return False
    finally:
        os.close(fd)
    if len(head) < fmt.FILE_HEADER.size:
        return False
    magic, version, _flags, _reserved = fmt.FILE_HEADER.unpack(head)
    return magic == fmt.MAGIC and 1 <= version <= fmt.FORMAT_VERSION

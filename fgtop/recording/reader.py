"""Read recordings: open (with one-line errors), index frames by time, decode any frame.

Opening scans the chunk headers (and checks each chunk's CRC) without decompressing
anything; a frame is decoded on demand from the nearest keyframe before it, so seeking costs
at most one keyframe plus ``keyframe_interval`` deltas whatever the length of the recording.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import stat
import threading
import typing
from collections import OrderedDict
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

import zstandard

from fgtop.errors import os_reason
from fgtop.model import LogLine, MetricSeries, Snapshot
from fgtop.model.codec import decode
from fgtop.recording import format as fmt
from fgtop.recording.format import RecordingError

__all__ = ["Frames", "Recording", "RecordingError", "open_recording"]


class Frames(Protocol):
    """What the player and the replay feed read of a recording: a :class:`Recording`, or a
    :class:`~fgtop.recording.segments.Timeline` of several."""

    @property
    def times(self) -> tuple[float, ...]:
        """The time of every frame, in order."""
        ...

    @property
    def start(self) -> float:
        """The time of the first frame."""
        ...

    @property
    def end(self) -> float:
        """The time of the last frame."""
        ...

    def __len__(self) -> int: ...

    def index_at(self, t: float) -> int:
        """The index of the frame shown at time ``t``."""
        ...

    def time_at(self, i: int) -> float:
        """The time of frame ``i``."""
        ...

    def frame(self, i: int) -> Snapshot:
        """Decode frame ``i`` (negative indexes count from the end)."""
        ...

    def logs(
        self, target: str | None = None, since: float | None = None, until: float | None = None
    ) -> list[LogLine]:
        """Recorded log lines, oldest first."""
        ...


@dataclasses.dataclass(frozen=True)
class _Chunk:
    kind: bytes
    flags: int
    offset: int
    """Offset of the payload in the file."""
    length: int
    time: float


def open_recording(path: str | os.PathLike[str]) -> Recording:
    """Open a recording for reading.

    Raises:
        RecordingError: with a one-line message when the file is missing, a directory, empty,
            not a recording, from a newer format version, or holds no complete frame. A
            truncated or corrupt file whose first frames are intact opens with those frames.
    """
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        raise RecordingError(f"{p}: no such file") from None
    except OSError as exc:
        raise RecordingError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise RecordingError(f"{p} is a directory, not an fgtop recording")
    if not stat.S_ISREG(mode):
        # Opening a FIFO blocks until a writer comes; a device may never end.
        raise RecordingError(f"{p} is {_kind_of(mode)}, not an fgtop recording (give a file)")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open does not hang.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise RecordingError(f"{p} is not a regular file, not an fgtop recording")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        file = open(fd, "rb")  # noqa: SIM115 - owned by the Recording
    except OSError as exc:
        raise RecordingError(f"cannot read {p}: {os_reason(exc)}") from exc
    try:
        return Recording(p, file)
    except BaseException:
        file.close()
        raise


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class FrameTimes:
    """The frame-time queries of a recording (a file, or a directory's timeline), over its
    ``_times`` (in order) under its ``lock``."""

    _times: list[float]
    lock: threading.RLock

    @property
    def start(self) -> float:
        """The time of the first frame."""
        return self._times[0]

    @property
    def end(self) -> float:
        """The time of the last frame."""
        return self._times[-1]

    def time_at(self, i: int) -> float:
        """The time of frame ``i``."""
        with self.lock:
            return self._times[i]

    def index_at(self, t: float) -> int:
        """The index of the frame shown at time ``t`` (the last frame at or before it)."""
        i = bisect.bisect_right(self._times, t) - 1
        return min(max(i, 0), len(self._times) - 1)


class Recording(FrameTimes):
    """A recording opened for reading (use :func:`open_recording`)."""

    def __init__(self, path: Path, file: BinaryIO) -> None:
        self.path = path
        self._file = file
        head = file.read(fmt.FILE_HEADER.size)
        if not head:
            raise RecordingError(f"{path} is empty, not an fgtop recording")
        if not head.startswith(fmt.MAGIC[: len(head)]) or len(head) < len(fmt.MAGIC):
            if head.startswith(fmt.MAGIC[: len(head)]):
                raise RecordingError(f"{path} is truncated: no complete frame")
            raise RecordingError(f"{path} is not an fgtop recording")
        if len(head) < fmt.FILE_HEADER.size:
            raise RecordingError(f"{path} is truncated: no complete frame")
        _magic, version, flags, _reserved = fmt.FILE_HEADER.unpack(head)
        if version > fmt.FORMAT_VERSION:
            raise RecordingError(
                f"{path} was recorded by a newer fgtop (format {version}); upgrade fgtop"
            )
        if version < 1:
            raise RecordingError(f"{path} is not an fgtop recording (format {version})")
        self.format_version: int = version
        self.meta: dict[str, Any] = {}
        """The metadata given to the Recorder."""
        self.redacted = bool(flags & fmt.FLAG_REDACTED)
        """Whether the recording was made with redaction."""
        self.redaction = 0
        """The redaction rules it was made with (``fmt.REDACTION_RULES``); 0: not redacted."""
        self.carries_accounts = False
        """Whether its objects carry their account (else each is the snapshot's one account)."""
        self.truncated = False
        """Whether the file ends with an incomplete or corrupt chunk (ignored)."""
        self.log_end: float | None = None
        """The latest time of a log chunk (no recorded line is later); None: no log lines."""
        self._chunks: list[_Chunk] = []
        self._frames: list[_Chunk] = []
        self._times: list[float] = []
        self._keys: list[int] = []
        self._end = fmt.FILE_HEADER.size
        self._segments: OrderedDict[int, tuple[Any, list[bytes]]] = OrderedDict()
        self._state: tuple[int, dict[str, Any]] | None = None
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._snap_cache: OrderedDict[int, Snapshot] = OrderedDict()
        self._logs: list[LogLine] | None = None
        self._log_times: list[float] = []
        self.lock = threading.RLock()
        """Held while the file is read: the replay's deriving thread reads frames too."""
        self.refresh()
        if not self._chunks or self._chunks[0].kind != fmt.META:
            raise RecordingError(f"{path} is truncated or corrupt: no complete frame")
        if not self._frames:
            raise RecordingError(f"{path} holds no complete frame (truncated or empty recording)")

    # -- reading the index --------------------------------------------------------------------

    def refresh(self) -> int:
        """Pick up chunks appended since the last scan (a recording still being written).

        Returns:
            The number of new frames.
        """
        with self.lock:
            return self._refresh()

    def _refresh(self) -> int:
        before = len(self._frames)
        size = os.fstat(self._file.fileno()).st_size
        offset = self._end
        hsize = fmt.CHUNK_HEADER.size
        self.truncated = False
        while offset < size:
            self._file.seek(offset)
            head = self._file.read(hsize)
            if len(head) < hsize:
                self.truncated = True
                break
            kind, flags, length, crc, when = fmt.CHUNK_HEADER.unpack(head)
            # Every header field is checked before it is used: the length against what the
            # file still holds (so a damaged length never allocates more than the file), the
            # time for being a date at all (version 1's CRC does not cover it).
            if (
                kind not in fmt.CHUNK_TYPES
                or length > min(fmt.MAX_CHUNK, size - offset - hsize)
                or not fmt.valid_time(when)
            ):
                self.truncated = True
                break
            payload = self._file.read(length)
            expected = fmt.chunk_crc(kind, flags, length, when, payload, self.format_version)
            if len(payload) < length or crc != expected:
                self.truncated = True
                break
            if not self._chunks and kind != fmt.META:
                self.truncated = True
                break
            chunk = _Chunk(kind, flags, offset + hsize, length, when)
            if kind == fmt.META:
                if self._chunks:
                    self.truncated = True
                    break
                self._read_meta(payload)
            elif kind in (fmt.KEYFRAME, fmt.DELTA):
                if kind == fmt.KEYFRAME:
                    self._keys.append(len(self._frames))
                elif not self._frames:
                    self.truncated = True
                    break
                self._frames.append(chunk)
                self._times.append(when)
            elif kind == fmt.LOGS:
                self.log_end = when if self.log_end is None else max(self.log_end, when)
            self._chunks.append(chunk)
            offset += hsize + length
        self._end = offset
        if len(self._frames) != before:
            self._logs = None
        return len(self._frames) - before

    def _read_meta(self, payload: bytes) -> None:
        try:
            info = fmt.loads(zstandard.ZstdDecompressor().decompress(payload))
        except (zstandard.ZstdError, ValueError) as exc:
            raise RecordingError(f"{self.path} is corrupt: unreadable header") from exc
        self.meta = dict(info.get("meta") or {})
        self.redacted = self.redacted or bool(info.get("redacted", False))
        rules = info.get("redaction", 1 if self.redacted else 0)
        self.redaction = rules if isinstance(rules, int) and not isinstance(rules, bool) else 1
        self.carries_accounts = bool(info.get("accounts", False))

    # -- frames -------------------------------------------------------------------------------

    @property
    def times(self) -> tuple[float, ...]:
        """The time (``taken_at``) of every frame, in order."""
        with self.lock:
            return tuple(self._times)

    @property
    def len(self) -> int:
        """The number of frames."""
        return len(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def frame(self, i: int) -> Snapshot:
        """Decode frame ``i`` (negative indexes count from the end)."""
        n = len(self._frames)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"frame {i} out of range (0..{n - 1})")
        with self.lock:
            cached = self._snap_cache.get(i)
            if cached is not None:
                self._snap_cache.move_to_end(i)
                return cached
            try:
                snap = self._to_snapshot(self._state_at(i))
            except (zstandard.ZstdError, ValueError, KeyError, TypeError, IndexError) as exc:
                raise RecordingError(f"{self.path} is corrupt at frame {i}: {exc}") from exc
            self._snap_cache[i] = snap
            while len(self._snap_cache) > 8:
                self._snap_cache.popitem(last=False)
            return snap

    def _state_at(self, i: int) -> dict[str, Any]:
        key = self._keys[bisect.bisect_right(self._keys, i) - 1]
        payloads = self._segment_payloads(key, i)
        if self._state is not None and key <= self._state[0] <= i:
            j, state = self._state
        else:
            j, state = key, fmt.loads(payloads[0])
        for k in range(j + 1, i + 1):
            state = fmt.apply(state, fmt.loads(payloads[k - key]))
        self._state = (i, state)
        return state

    def _segment_payloads(self, key: int, i: int) -> list[bytes]:
        entry = self._segments.get(key)
        if entry is None:
            entry = (zstandard.ZstdDecompressor().decompressobj(), [])
            self._segments[key] = entry
            while len(self._segments) > 3:
                self._segments.popitem(last=False)
        self._segments.move_to_end(key)
        dobj, payloads = entry
        while len(payloads) <= i - key:
            payloads.append(dobj.decompress(self._read(self._frames[key + len(payloads)])))
        return payloads

    def _read(self, chunk: _Chunk) -> bytes:
        self._file.seek(chunk.offset)
        return self._file.read(chunk.length)

    def _to_snapshot(self, state: dict[str, Any]) -> Snapshot:
        memo: dict[int, tuple[Any, Any]] = {}
        kwargs: dict[str, Any] = {}
        # In a recording made before objects carried their account, every object belongs to
        # the recording's one account.
        fill = None if self.carries_accounts else state.get("account")
        for name, value in state.items():
            item_type = _ITEM_TYPES.get(name)
            if item_type is None:
                if name in _HINTS:  # a field of a newer fgtop is left out, not a crash
                    kwargs[name] = decode(_HINTS[name], value)
                continue
            items = []
            for item in value:
                hit = self._memo.get(id(item))
                if hit is None or hit[0] is not item:
                    hit = (item, _decode_item(item_type, item, fill))
                memo[id(item)] = hit
                items.append(hit[1])
            kwargs[name] = tuple(items)
        self._memo = memo
        return Snapshot(**kwargs)

    # -- logs ---------------------------------------------------------------------------------

    def logs(
        self,
        target: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[LogLine]:
        """Recorded log lines, oldest first.

        Args:
            target: Only lines of this task ARN or pod key.
            since: Only lines at or after this time.
            until: Only lines at or before this time.
        """
        with self.lock:
            if self._logs is None:
                self._load_logs()
        assert self._logs is not None
        lo = 0 if since is None else bisect.bisect_left(self._log_times, since)
        hi = len(self._logs) if until is None else bisect.bisect_right(self._log_times, until)
        lines = self._logs[lo:hi]
        if target is not None:
            lines = [line for line in lines if line.target == target]
        return lines

    def _load_logs(self) -> None:
        lines: list[LogLine] = []
        dobj: Any = None
        for chunk in self._chunks:
            if chunk.kind != fmt.LOGS:
                continue
            if chunk.flags & fmt.NEW_STREAM or dobj is None:
                dobj = zstandard.ZstdDecompressor().decompressobj()
            try:
                batch = fmt.loads(dobj.decompress(self._read(chunk)))
                lines.extend(decode(LogLine, item) for item in batch)
            except (zstandard.ZstdError, ValueError, TypeError) as exc:
                raise RecordingError(f"{self.path} is corrupt: bad log chunk ({exc})") from exc
        lines.sort(key=lambda line: line.timestamp)
        self._logs = lines
        self._log_times = [line.timestamp for line in lines]

    # -- lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_HINTS = typing.get_type_hints(Snapshot)
_ITEM_TYPES: dict[str, type] = {}
for _name, _hint in _HINTS.items():
    _args = typing.get_args(_hint)
    is_items = typing.get_origin(_hint) is tuple and len(_args) == 2 and _args[1] is Ellipsis
    if is_items and isinstance(_args[0], type) and dataclasses.is_dataclass(_args[0]):
        _ITEM_TYPES[_name] = _args[0]


_HAS_ACCOUNT = frozenset(
    t for t in _ITEM_TYPES.values() if "account" in {f.name for f in dataclasses.fields(t)}
)
"""The item types that carry an account."""


def _decode_item(item_type: type, item: Any, account: str | None = None) -> Any:
    if account and item_type in _HAS_ACCOUNT and isinstance(item, dict) and "account" not in item:
        item = {**item, "account": account}
    if item_type is MetricSeries and isinstance(item, dict) and "points" in item:
        # Fast path for the bulk of a snapshot: same result as codec.decode.
        try:
            points = tuple((float(t), float(v)) for t, v in item["points"])
        except (TypeError, ValueError):
            return decode(item_type, item)
        rest = {k: v for k, v in item.items() if k != "points"}
        return dataclasses.replace(decode(MetricSeries, rest), points=points)
    return decode(item_type, item)

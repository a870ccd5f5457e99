"""Write recordings: Snapshots (keyframes and deltas) and batches of log lines, append-only.

Each chunk is written and flushed as soon as it is complete, so a reader (or a crash) always
finds a readable prefix. Writes are quick enough to call from the event loop: unchanged items
of consecutive snapshots are recognised by identity and not encoded again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import zstandard

from fgtop.model import LogLine, Snapshot
from fgtop.model.codec import encode
from fgtop.recording import format as fmt
from fgtop.recording.format import RecordingError

KEYFRAME_INTERVAL = 120
"""Frames between keyframes (at most): the most deltas a seek has to apply."""
LEVEL = 9
"""zstd compression level."""


class Recorder:
    """Record Snapshots and log lines to a file.

    Args:
        path: The file to create (replaced if it exists).
        redact: Mask account IDs, IP addresses and secret-looking values before writing.
        meta: Free-form JSON-able metadata stored at the start of the file.
        keyframe_interval: Frames between keyframes.
        format_version: The format version to write (the newest by default; older ones for
            tests of the reader's compatibility).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        redact: bool = False,
        meta: dict | None = None,
        keyframe_interval: int = KEYFRAME_INTERVAL,
        format_version: int = fmt.FORMAT_VERSION,
    ) -> None:
        self.path = Path(path)
        self.format_version = format_version
        self.redact = redact
        self.keyframe_interval = max(1, keyframe_interval)
        self.frames = 0
        """Frames written so far."""
        self.log_lines = 0
        """Log lines written so far."""
        self._redactor = None
        if redact:
            from fgtop.recording.redact import Redactor

            self._redactor = Redactor()
        self._frames_stream: Any = None
        self._logs_stream: Any = None
        self._since_key = 0
        self._prev: dict[str, Any] | None = None
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._last_time = 0.0
        try:
            self._file: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115 - kept open
        except OSError as exc:
            raise RecordingError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        flags = fmt.FLAG_REDACTED if redact else 0
        header = fmt.FILE_HEADER.pack(fmt.MAGIC, format_version, flags, 0)
        # "accounts": every object carries its account (a reader fills older recordings').
        info: dict[str, Any] = {"meta": dict(meta or {}), "redacted": redact, "accounts": True}
        if redact:
            info["redaction"] = fmt.REDACTION_RULES
        body = fmt.dumps(info)
        try:
            self._write(
                header
                + self._chunk(fmt.META, zstandard.ZstdCompressor(level=LEVEL).compress(body), 0.0)
            )
        except RecordingError:
            self._close_quietly()
            raise

    # -- public API ---------------------------------------------------------------------------

    def write_snapshot(self, snapshot: Snapshot) -> None:
        """Append one frame (a keyframe every ``keyframe_interval`` frames, else a delta)."""
        if self._redactor is not None:
            snapshot = self._redactor.snapshot(snapshot)
        state = self._encode(snapshot)
        keyframe = self._prev is None or self._since_key >= self.keyframe_interval
        if keyframe:
            # One ZstdCompressor per stream: compressobj()s of one compressor share its context.
            self._frames_stream = zstandard.ZstdCompressor(level=LEVEL).compressobj()
            self._logs_stream = None  # logs start a new stream with each keyframe
            payload, kind, flags = fmt.dumps(state), fmt.KEYFRAME, fmt.NEW_STREAM
            self._since_key = 0
        else:
            assert self._prev is not None
            payload, kind, flags = fmt.dumps(fmt.diff(self._prev, state)), fmt.DELTA, 0
        self._since_key += 1
        data = self._frames_stream.compress(payload) + self._frames_stream.flush(
            zstandard.COMPRESSOBJ_FLUSH_BLOCK
        )
        self._last_time = snapshot.taken_at
        self._write(self._chunk(kind, data, snapshot.taken_at, flags))
        self._prev = state
        self.frames += 1

    def write_logs(self, lines: Sequence[LogLine]) -> None:
        """Append a batch of log lines (nothing is written for an empty batch)."""
        if not lines:
            return
        if self._redactor is not None:
            lines = [self._redactor.log_line(line) for line in lines]
        flags = 0
        if self._logs_stream is None:
            self._logs_stream = zstandard.ZstdCompressor(level=LEVEL).compressobj()
            flags = fmt.NEW_STREAM
        payload = fmt.dumps([encode(line) for line in lines])
        data = self._logs_stream.compress(payload) + self._logs_stream.flush(
            zstandard.COMPRESSOBJ_FLUSH_BLOCK
        )
        when = max([self._last_time, *(line.timestamp for line in lines)])
        self._write(self._chunk(fmt.LOGS, data, when, flags))
        self.log_lines += len(lines)

    def close(self) -> None:
        """Close the file. The recording is complete without any footer."""
        self._close_quietly()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._file is None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------

    def _close_quietly(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            # The buffered bytes that failed once fail again: nothing more to save.
            with contextlib.suppress(OSError):
                file.close()

    def _chunk(self, kind: bytes, payload: bytes, time: float, flags: int = 0) -> bytes:
        return fmt.pack_chunk(kind, payload, time, flags, self.format_version)

    def _write(self, data: bytes) -> None:
        if self._file is None:
            raise RecordingError(f"{self.path}: recording is closed")
        try:
            self._file.write(data)
            self._file.flush()
        except OSError as exc:
            raise RecordingError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def _encode(self, snapshot: Snapshot) -> dict[str, Any]:
        """Encode a snapshot, reusing the encoding of items unchanged (same object) since the
        previous frame, so that unchanged items are also cheap to diff."""
        memo: dict[int, tuple[Any, Any]] = {}

        def enc(value: Any) -> Any:
            hit = self._memo.get(id(value))
            if hit is not None and hit[0] is value:
                memo[id(value)] = hit
                return hit[1]
            out = encode(value)
            memo[id(value)] = (value, out)
            return out

        state: dict[str, Any] = {}
        for f in dataclasses.fields(Snapshot):
            value = getattr(snapshot, f.name)
            if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
                state[f.name] = [enc(item) for item in value]
            elif f.name in _DEFAULTS and value == _DEFAULTS[f.name]:
                continue
            else:
                state[f.name] = encode(value)
        self._memo = memo
        return state


def _defaults() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Snapshot):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


_DEFAULTS = _defaults()

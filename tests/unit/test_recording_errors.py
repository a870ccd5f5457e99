"""Bad recordings get one clear line; damaged ones keep their intact prefix; kill -9 is safe."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fgtop.model import Snapshot, SourceHealth
from fgtop.recording import format as fmt
from fgtop.recording.reader import RecordingError, open_recording
from fgtop.recording.writer import Recorder


def snap(i: int) -> Snapshot:
    return Snapshot(
        taken_at=1000.0 + 5 * i,
        account="210987654321",
        sources=(SourceHealth("ecs", api_calls=i),),
        notes=(f"frame {i}",),
    )


def record(path: Path, n: int) -> list[Snapshot]:
    frames = [snap(i) for i in range(n)]
    with Recorder(path, keyframe_interval=4) as rec:
        for s in frames:
            rec.write_snapshot(s)
    return frames


def error_of(path: Path) -> str:
    with pytest.raises(RecordingError) as info:
        open_recording(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.fgrec") == f"{tmp_path / 'nope.fgrec'}: no such file"


def test_directory(tmp_path: Path) -> None:
    assert error_of(tmp_path) == f"{tmp_path} is a directory, not an fgtop recording"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.fgrec"
    path.write_bytes(b"")
    assert error_of(path) == f"{path} is empty, not an fgtop recording"


@pytest.mark.parametrize("content", [b"hello world, not a recording at all", b"{}", b"\x00" * 40])
def test_not_a_recording(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    assert error_of(path) == f"{path} is not an fgtop recording"


def test_newer_format_version(tmp_path: Path) -> None:
    path = tmp_path / "new.fgrec"
    record(path, 3)
    data = bytearray(path.read_bytes())
    data[8:10] = struct.pack("<H", fmt.FORMAT_VERSION + 1)
    path.write_bytes(bytes(data))
    assert error_of(path) == (
        f"{path} was recorded by a newer fgtop (format {fmt.FORMAT_VERSION + 1}); upgrade fgtop"
    )


def test_truncated_in_header_or_first_frame(tmp_path: Path) -> None:
    path = tmp_path / "t.fgrec"
    record(path, 3)
    data = path.read_bytes()
    for cut in (5, fmt.FILE_HEADER.size + 3, fmt.FILE_HEADER.size + fmt.CHUNK_HEADER.size + 30):
        path.write_bytes(data[:cut])
        assert "truncated" in error_of(path)


def test_recording_without_frames(tmp_path: Path) -> None:
    path = tmp_path / "none.fgrec"
    Recorder(path).close()
    assert error_of(path) == f"{path} holds no complete frame (truncated or empty recording)"


def test_truncated_mid_frame_keeps_the_prefix(tmp_path: Path) -> None:
    path = tmp_path / "t.fgrec"
    frames = record(path, 10)
    data = path.read_bytes()
    path.write_bytes(data[:-7])  # the last frame is cut short
    with open_recording(path) as rec:
        assert rec.truncated
        assert len(rec) == 9
        assert [rec.frame(i) for i in range(9)] == frames[:9]


def test_corrupt_chunk_keeps_the_frames_before_it(tmp_path: Path) -> None:
    path = tmp_path / "c.fgrec"
    frames = record(path, 10)
    with open_recording(path) as rec:
        offset = rec._frames[6].offset  # noqa: SLF001 - find a payload to damage
    data = bytearray(path.read_bytes())
    data[offset + 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with open_recording(path) as rec:
        assert rec.truncated
        assert len(rec) == 6
        assert rec.frame(5) == frames[5]


WRITER = textwrap.dedent(
    """
    import sys
    from fgtop.model import Snapshot, SourceHealth, LogLine
    from fgtop.recording.writer import Recorder
    rec = Recorder(sys.argv[1], keyframe_interval=10)
    i = 0
    while True:
        rec.write_snapshot(Snapshot(taken_at=1000.0 + i, notes=("x" * (i % 50),),
                                    sources=(SourceHealth("ecs", api_calls=i),)))
        rec.write_logs([LogLine("t", "c", 1000.0 + i, "line %d" % i)])
        if i == 25:
            print("ready", flush=True)
        i += 1
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_mid_write_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "killed.fgrec"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with open_recording(path) as rec:
        n = len(rec)
        assert n > 25
        for i in (0, n // 2, n - 1):
            frame = rec.frame(i)
            assert frame.taken_at == 1000.0 + i
            assert frame.sources[0].api_calls == i
            assert frame.notes == ("x" * (i % 50),)
        lines = rec.logs()
        assert [x.message for x in lines[:26]] == [f"line {i}" for i in range(26)]


# --- header fields are validated before use; version 2's CRC covers the header ---------------


def _frame_headers(path: Path) -> list[int]:
    """Offsets of the chunk headers of the frames (K and D chunks)."""
    with open_recording(path) as rec:
        return [c.offset - fmt.CHUNK_HEADER.size for c in rec._frames]  # noqa: SLF001


TIME_AT = fmt.CHUNK_HEADER.size - 8  # the f64 time is the last header field
LENGTH_AT = 2


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(
    "bad_time", [1e300, -1e300, float("inf"), float("-inf"), float("nan"), -5.0, 4e10]
)
def test_flipped_time_in_the_last_chunk_ends_the_prefix(
    tmp_path: Path, version: int, bad_time: float
) -> None:
    path = tmp_path / "t.fgrec"
    frames = [snap(i) for i in range(6)]
    with Recorder(path, keyframe_interval=4, format_version=version) as rec:
        for s in frames:
            rec.write_snapshot(s)
    last = _frame_headers(path)[-1]
    data = bytearray(path.read_bytes())
    data[last + TIME_AT : last + TIME_AT + 8] = struct.pack("<d", bad_time)
    path.write_bytes(bytes(data))
    with open_recording(path) as rec:
        assert rec.format_version == version
        assert rec.truncated
        assert len(rec) == 5
        assert rec.end == frames[4].taken_at
        assert rec.frame(-1) == frames[4]


def test_version_2_crc_covers_a_plausible_flipped_time(tmp_path: Path) -> None:
    path = tmp_path / "t.fgrec"
    record(path, 6)
    last = _frame_headers(path)[-1]
    data = bytearray(path.read_bytes())
    data[last + TIME_AT : last + TIME_AT + 8] = struct.pack("<d", 2000.0)  # a sane, wrong time
    path.write_bytes(bytes(data))
    with open_recording(path) as rec:
        assert rec.format_version == fmt.FORMAT_VERSION == 2
        assert rec.truncated
        assert rec.times == tuple(1000.0 + 5 * i for i in range(5))


def test_version_1_still_reads_and_has_a_payload_only_crc(tmp_path: Path) -> None:
    path = tmp_path / "v1.fgrec"
    frames = [snap(i) for i in range(6)]
    with Recorder(path, keyframe_interval=4, format_version=1) as rec:
        for s in frames:
            rec.write_snapshot(s)
    data = path.read_bytes()
    assert struct.unpack("<H", data[8:10]) == (1,)
    head = _frame_headers(path)[0]
    _kind, _flags, length, crc, _t = fmt.CHUNK_HEADER.unpack_from(data, head)
    payload = data[head + fmt.CHUNK_HEADER.size : head + fmt.CHUNK_HEADER.size + length]
    import zlib

    assert crc == zlib.crc32(payload)  # version 1: payload only
    with open_recording(path) as rec:
        assert not rec.truncated
        assert [rec.frame(i) for i in range(6)] == frames


def test_new_files_are_version_2(tmp_path: Path) -> None:
    path = tmp_path / "v2.fgrec"
    record(path, 2)
    data = path.read_bytes()
    assert struct.unpack("<H", data[8:10]) == (2,)
    head = _frame_headers(path)[0]
    _kind, _flags, length, crc, _t = fmt.CHUNK_HEADER.unpack_from(data, head)
    payload = data[head + fmt.CHUNK_HEADER.size : head + fmt.CHUNK_HEADER.size + length]
    import zlib

    assert crc != zlib.crc32(payload)  # the header is covered too


@pytest.mark.parametrize("version", [1, 2])
def test_huge_length_is_refused_without_allocating_it(tmp_path: Path, version: int) -> None:
    import tracemalloc

    path = tmp_path / "big.fgrec"
    with Recorder(path, keyframe_interval=4, format_version=version) as rec:
        for s in [snap(i) for i in range(6)]:
            rec.write_snapshot(s)
    last = _frame_headers(path)[-1]
    data = bytearray(path.read_bytes())
    data[last + LENGTH_AT : last + LENGTH_AT + 4] = struct.pack("<I", 1 << 30)  # claims 1 GiB
    path.write_bytes(bytes(data))
    tracemalloc.start()
    try:
        with open_recording(path) as rec:
            assert rec.truncated
            assert len(rec) == 5
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak


def test_writer_refuses_a_time_a_reader_would_not_accept(tmp_path: Path) -> None:
    with Recorder(tmp_path / "w.fgrec") as rec, pytest.raises(RecordingError):
        rec.write_snapshot(Snapshot(taken_at=float("inf")))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.fgrec"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert error_of(fifo) == f"{fifo} is a FIFO (named pipe), not an fgtop recording (give a file)"
    assert time.monotonic() - started < 2


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="devices")
def test_device_is_refused(tmp_path: Path) -> None:
    for device in ("/dev/null", "/dev/zero"):
        assert error_of(Path(device)) == (
            f"{device} is a device, not an fgtop recording (give a file)"
        )

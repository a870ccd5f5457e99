"""The fgtop recording file format: framing, chunk types and the frame delta codec.

See ``docs/recording-format.md`` for the byte layout. In short: a 16-byte file header (magic,
format version), then append-only chunks, each ``type, flags, length, crc32, time`` followed by
a zstd-compressed payload. Frames are keyframes (a whole encoded Snapshot) or deltas against
the previous frame; log batches are separate chunks. Every chunk is flushed as it is written,
so a reader sees a valid prefix at any moment, even after the writer was killed.

This module is pure (no I/O beyond ``bytes``) and never imports Textual.
"""

from __future__ import annotations

import datetime
import json
import math
import struct
import zlib
from typing import Any

MAGIC = b"FGTOPREC"
"""The first 8 bytes of every recording."""
FORMAT_VERSION = 2
"""The format version this fgtop writes and the newest it reads.

Version 2: the chunk CRC covers the chunk header (type, flags, length, time) as well as the
payload. Version 1 (the CRC covers the payload only) is still read."""
FILE_HEADER = struct.Struct("<8sHHI")
"""magic, format version, flags (:data:`FLAG_REDACTED`), reserved (0)."""
FLAG_REDACTED = 0x0001
"""File header flag: recorded with ``--redact`` (the meta chunk says it too). Readers of
any version ignore flags they do not know, so setting one keeps older fgtops reading."""
REDACTION_RULES = 2
"""The redaction rules a redacted recording was made with (the meta chunk's ``redaction``):
1, by name only (fgtop before the value rules; ``redacted`` without ``redaction``); 2, by
name and by value (JWTs, access key ids, secret-shaped strings, ``password=x`` forms)."""
CHUNK_HEADER = struct.Struct("<cBIId")
"""type, flags, payload length, crc32, time (POSIX seconds)."""
_CRC_HEADER = struct.Struct("<cBId")
"""The header fields the version 2 CRC covers, in this order, before the payload."""

META = b"M"
"""Metadata: JSON object ``{"meta": {...}, "redacted": bool, "redaction": int}`` (plain zstd
frame; ``redaction`` only when redacted)."""
KEYFRAME = b"K"
"""A whole encoded Snapshot; always starts a new frame compression stream."""
DELTA = b"D"
"""A delta against the previous frame, continuing the frame compression stream."""
LOGS = b"L"
"""A batch of encoded LogLines, on its own compression stream."""
CHUNK_TYPES = frozenset({META, KEYFRAME, DELTA, LOGS})

NEW_STREAM = 0x01
"""Chunk flag: the payload starts a new zstd stream (no history from earlier chunks)."""

MAX_CHUNK = 1 << 30
"""Chunk payloads larger than this are treated as corruption."""
MIN_TIME = 0.0
"""The earliest chunk time a reader accepts (the meta chunk's time is 0)."""
MAX_TIME = 32503680000.0
"""The latest chunk time a reader accepts (3000-01-01): later is corruption, not a date."""

KEYS: dict[str, tuple[str, ...]] = {
    "clusters": ("arn",),
    "services": ("arn",),
    "tasks": ("arn",),
    "task_definitions": ("arn",),
    "accounts": ("id", "name"),
    "pods": ("account", "cluster", "namespace", "name"),
    "kube_clusters": ("account", "name"),
    "kube_events": ("account", "cluster", "namespace", "involved", "reason", "message"),
    "workloads": ("account", "cluster", "namespace", "kind", "name"),
    "metrics": ("target", "metric", "source"),
    "ecs_recommendations": ("service_arn",),
    "service_deployments": ("arn",),
    "service_revisions": ("arn",),
    "target_health": ("target_group", "target_id", "port"),
    "alarms": ("arn",),
    "alarm_history": ("region", "alarm", "at", "new_state"),
    "scalable_targets": ("region", "resource_id"),
    "scaling_policies": ("arn",),
    "scaling_activities": ("id",),
    "sources": ("name",),
}
"""Identity fields of the items of each Snapshot tuple field, for item-level deltas."""


class RecordingError(Exception):
    """A recording cannot be read (or written); ``str(error)`` is one line for the user."""


def chunk_crc(
    kind: bytes, flags: int, length: int, time: float, payload: bytes, version: int
) -> int:
    """The CRC-32 a chunk carries: of the payload (version 1), or of the header's other fields
    and then the payload (version 2 and later)."""
    if version < 2:
        return zlib.crc32(payload) & 0xFFFFFFFF
    head = _CRC_HEADER.pack(kind, flags, length, time)
    return zlib.crc32(payload, zlib.crc32(head)) & 0xFFFFFFFF


def valid_time(time: float) -> bool:
    """Whether a chunk's time is one a recording can hold (finite, 1970 to 3000)."""
    return math.isfinite(time) and MIN_TIME <= time <= MAX_TIME


def pack_chunk(
    kind: bytes, payload: bytes, time: float, flags: int = 0, version: int = FORMAT_VERSION
) -> bytes:
    """Frame one chunk: header (type, flags, length, crc32, time) followed by the payload.

    Raises:
        RecordingError: when ``time`` is not one a reader would accept (see :func:`valid_time`).
    """
    time = float(time)
    if not valid_time(time):
        raise RecordingError(f"cannot record a frame at time {time!r}")
    crc = chunk_crc(kind, flags, len(payload), time, payload, version)
    return CHUNK_HEADER.pack(kind, flags, len(payload), crc, time) + payload


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def dumps(value: Any) -> bytes:
    """Compact JSON bytes. Non-JSON values inside raw dicts (datetimes) become strings."""
    return json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode("utf-8")


def loads(data: bytes) -> Any:
    """Parse JSON bytes produced by :func:`dumps`."""
    return json.loads(data)


# --- deltas between encoded snapshots -------------------------------------------------------
#
# A frame delta is {"s": {field: value}, "d": [field, ...], "l": {field: list_op}}:
# "s" sets top-level fields, "d" drops fields (back to their default), "l" patches keyed lists.
# A list_op is a list of references, in the new order: an int i (item i of the old list,
# unchanged), [i, n] (a run of n unchanged items starting at i), {"v": item} (a new item) or
# {"i": i, "s": {...}, "d": [...], "x": {field: [head, a, b, tail]}} (item i changed: fields set
# or dropped, list fields rebuilt as head + old[a:b] + tail).


def diff(prev: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The delta that turns encoded snapshot ``prev`` into ``new`` (see :func:`apply`)."""
    out: dict[str, Any] = {}
    sets: dict[str, Any] = {}
    lists: dict[str, Any] = {}
    for name, value in new.items():
        old = prev.get(name, _ABSENT)
        if old is value or old == value:
            continue
        if name in KEYS and isinstance(old, list) and isinstance(value, list):
            op = _diff_list(old, value, KEYS[name])
            if op is not None:
                lists[name] = op
                continue
        sets[name] = value
    dropped = [name for name in prev if name not in new]
    if sets:
        out["s"] = sets
    if dropped:
        out["d"] = dropped
    if lists:
        out["l"] = lists
    return out


def apply(prev: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """Apply a delta from :func:`diff`; ``prev`` is not modified, unchanged parts are shared."""
    out = dict(prev)
    for name in delta.get("d", ()):
        out.pop(name, None)
    out.update(delta.get("s", {}))
    for name, op in delta.get("l", {}).items():
        out[name] = _apply_list(prev.get(name, []), op)
    return out


_ABSENT = object()


def _key(item: Any, fields: tuple[str, ...]) -> Any:
    if not isinstance(item, dict):
        return None
    return tuple(json.dumps(item.get(f), sort_keys=True) for f in fields)


def _diff_list(old: list, new: list, fields: tuple[str, ...]) -> list | None:
    old_index: dict[Any, int] = {}
    for i, item in enumerate(old):
        k = _key(item, fields)
        if k is None or k in old_index:
            return None
        old_index[k] = i
    refs: list[Any] = []
    seen: set[Any] = set()
    for item in new:
        k = _key(item, fields)
        if k is None or k in seen:
            return None
        seen.add(k)
        at = old_index.get(k)
        if at is None:
            refs.append({"v": item})
        elif old[at] is item or old[at] == item:
            if refs and isinstance(refs[-1], list) and refs[-1][0] + refs[-1][1] == at:
                refs[-1][1] += 1
            elif refs and isinstance(refs[-1], int) and refs[-1] + 1 == at:
                refs[-1] = [refs[-1], 2]
            else:
                refs.append(at)
        else:
            refs.append(_diff_item(at, old[at], item))
    return refs


def _diff_item(i: int, old: dict, new: dict) -> dict[str, Any]:
    op: dict[str, Any] = {"i": i}
    sets: dict[str, Any] = {}
    spliced: dict[str, Any] = {}
    for name, value in new.items():
        was = old.get(name, _ABSENT)
        if was is value or was == value:
            continue
        if isinstance(was, list) and isinstance(value, list):
            splice = _splice(was, value)
            if splice is not None:
                spliced[name] = splice
                continue
        sets[name] = value
    dropped = [name for name in old if name not in new]
    if sets:
        op["s"] = sets
    if dropped:
        op["d"] = dropped
    if spliced:
        op["x"] = spliced
    return op


def _splice(old: list, new: list) -> list | None:
    """Express ``new`` as ``head + old[a:b] + tail`` when that saves most of the list."""
    if not old or not new:
        return None
    # Appended (and maybe trimmed at the front): metric points, log tails.
    try:
        a = old.index(new[0])
    except ValueError:
        a = -1
    if a >= 0:
        n = min(len(old) - a, len(new))
        if old[a : a + n] == new[:n] and n > len(new) // 2:
            return [[], a, a + n, new[n:]]
    # Prepended (and maybe trimmed at the end): service events, most recent first.
    try:
        h = new.index(old[0])
    except ValueError:
        return None
    n = min(len(new) - h, len(old))
    if new[h : h + n] == old[:n] and n > len(new) // 2:
        return [new[:h], 0, n, new[h + n :]]
    return None


def _apply_list(old: list, refs: list) -> list:
    out: list[Any] = []
    for ref in refs:
        if isinstance(ref, int):
            out.append(old[ref])
        elif isinstance(ref, list):
            start, count = ref
            out.extend(old[start : start + count])
        elif "v" in ref:
            out.append(ref["v"])
        else:
            item = dict(old[ref["i"]])
            for name in ref.get("d", ()):
                item.pop(name, None)
            item.update(ref.get("s", {}))
            for name, (head, a, b, tail) in ref.get("x", {}).items():
                item[name] = [*head, *old[ref["i"]][name][a:b], *tail]
            out.append(item)
    return out

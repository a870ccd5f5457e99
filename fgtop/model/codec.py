"""Turn model dataclasses into plain JSON-able values and back, exactly.

Used by recordings (the reader must reproduce exactly the Snapshots it was given).
Decoding is driven by the dataclass field types, so the encoded form carries no type tags.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")


def encode(value: Any) -> Any:
    """Encode a model value (dataclass, tuple, dict, scalar) as plain JSON-able data.

    Dataclasses become dicts holding only fields that differ from their defaults.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f, default in _fields(type(value)):
            v = getattr(value, f.name)
            if default is not _MISSING and v == default:
                continue
            out[f.name] = encode(v)
        return out
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(cls: type[T], data: Any) -> T:
    """Rebuild a value of type ``cls`` from what :func:`encode` produced."""
    return typing.cast(T, _decode(cls, data))


_MISSING = object()


@functools.cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field[Any], Any], ...]:
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = _MISSING
        out.append((f, default))
    return tuple(out)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is dict:
        _, vt = typing.get_args(tp)
        if vt is Any:  # a raw document: kept as read, not copied
            return data
        return {k: _decode(vt, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {}
        for f, _default in _fields(tp):
            if f.name in data:
                kwargs[f.name] = _decode(hints[f.name], data[f.name])
        return tp(**kwargs)
    if tp is float and isinstance(data, int):
        return float(data)
    return data

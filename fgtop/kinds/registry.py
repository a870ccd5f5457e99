"""The registry of resource kinds (k9s's ``internal/model/registry.go``, in spirit).

Each kind registers once; screens and the printer look a kind up by the class of an item
(:func:`kind_of`), by name (:func:`named`) or by the table it shows in (:func:`tables`), and
never switch on the model's class. The bundled kinds are registered when this module is first
imported, in the order the dashboard, help and printed tables list them.
"""

from __future__ import annotations

from typing import Any

from fgtop.kinds.base import Kind
from fgtop.model import Snapshot

_KINDS: list[Kind[Any]] = []
_BY_TYPE: dict[type, Kind[Any]] = {}
_BY_NAME: dict[str, Kind[Any]] = {}


def register(kind: Kind[Any]) -> Kind[Any]:
    """Add a kind (a kind of the same name is replaced in place); returns it."""
    old = _BY_NAME.get(kind.name)
    if old is not None:
        _KINDS[_KINDS.index(old)] = kind
        _BY_TYPE.pop(old.model, None)
    else:
        _KINDS.append(kind)
    _BY_NAME[kind.name] = kind
    _BY_TYPE[kind.model] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests that add a toy kind put the registry back)."""
    kind = _BY_NAME.pop(name, None)
    if kind is not None:
        _KINDS.remove(kind)
        _BY_TYPE.pop(kind.model, None)


def kinds() -> tuple[Kind[Any], ...]:
    """Every kind, in registration order."""
    return tuple(_KINDS)


def named(name: str) -> Kind[Any]:
    """The kind of this name (KeyError: none)."""
    return _BY_NAME[name]


def kind_of(item: object) -> Kind[Any] | None:
    """The kind of an item, by its class (None: no kind)."""
    return _BY_TYPE.get(type(item))


def tables() -> tuple[tuple[Kind[Any], tuple[Kind[Any], ...]], ...]:
    """Each dashboard table: the kind that owns its columns and every kind shown in it."""
    out: list[tuple[Kind[Any], tuple[Kind[Any], ...]]] = []
    for owner in _KINDS:
        if owner.table == owner.name:
            out.append((owner, tuple(k for k in _KINDS if k.table == owner.name)))
    return tuple(out)


def find(snapshot: Snapshot, key: str) -> Any:
    """The item of any kind with this key in ``snapshot`` (None: none)."""
    for kind in _KINDS:
        item = kind.find(snapshot, key)
        if item is not None:
            return item
    return None


def resolve(snapshot: Snapshot, target: str, cluster: str | None = None) -> Any:
    """The task, service, workload or pod a problem or timeline entry points at.

    Args:
        snapshot: Where to look.
        target: A task or service ARN, ``namespace/pod``, ``namespace/kind/name`` (a
            workload) or a pod key ``cluster/namespace/pod``.
        cluster: The cluster of a pod or workload target, if known.
    """
    for kind in _KINDS:
        item = kind.resolve(snapshot, target, cluster)
        if item is not None:
            return item
    return None


def resource_of(snapshot: Snapshot, item: Any) -> Any:
    """The resource a row is about: itself, or what a problem or timeline entry points at
    (None: it is no longer reported)."""
    kind = kind_of(item)
    pointed = kind.points_at(item) if kind is not None else None
    return item if pointed is None else resolve(snapshot, *pointed)


def log_key(snapshot: Snapshot, item: Any) -> str | None:
    """The key of what ``l`` opens the logs of for any row (None: nothing has logs)."""
    kind = kind_of(item)
    if kind is None:
        return None
    resource = resource_of(snapshot, item)
    found = None
    if resource is not None:
        stand = _kind(resource).stand_in(resource, snapshot)
        stand_kind = kind_of(stand) if stand is not None else None
        if stand_kind is not None and stand_kind.logs(stand, snapshot) is not None:
            found = stand_kind.key(stand)
    return kind.log_key(item, found)


def describe_key(snapshot: Snapshot, item: Any) -> str | None:
    """The key of what ``d`` describes for any row (a workload: its sickest pod; None:
    nothing)."""
    resource = resource_of(snapshot, item) if item is not None else None
    if resource is None:
        return None
    stand = _kind(resource).stand_in(resource, snapshot)
    kind = kind_of(stand) if stand is not None else None
    return kind.key(stand) if kind is not None and kind.describable else None


def _kind(item: Any) -> Kind[Any]:
    kind = kind_of(item)
    if kind is None:
        raise KeyError(f"no kind for {type(item).__name__}")
    return kind


def _register_bundled() -> None:
    from fgtop.kinds import pod, problem, service, task, task_definition, timeline_entry, workload

    for kind in (
        service.KIND,
        task.KIND,
        workload.KIND,
        pod.KIND,
        task_definition.KIND,
        problem.KIND,
        timeline_entry.KIND,
    ):
        register(kind)


_register_bundled()

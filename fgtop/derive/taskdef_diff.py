"""What differs between two task definitions: the one diff behind ``fgtop diff``, the service
details and the snapshot JSON's deployment ``changes``.

Pure functions over ``describe_task_definition`` documents (the ``taskDefinition`` object, as
:attr:`fgtop.model.TaskDefinition.raw` holds it). Containers are matched by name. Secrets stay
hidden by the describe view's rules (:mod:`fgtop.text.masking`): an environment variable with a
secret-looking name or value shows only ``changed`` (or ``added``/``removed``), never a value;
``secrets`` show their references only; other strings have URL passwords masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fgtop.model import TaskDefinition
from fgtop.text.masking import mask_document, mask_value

TASK_FIELDS: tuple[tuple[str, str], ...] = (
    ("cpu", "cpu"),
    ("memory", "memory"),
    ("architecture", "runtimePlatform.cpuArchitecture"),
    ("ephemeralStorage", "ephemeralStorage.sizeInGiB"),
    ("taskRoleArn", "taskRoleArn"),
    ("executionRoleArn", "executionRoleArn"),
    ("networkMode", "networkMode"),
)
"""Task-level fields compared: (name shown, path in the document)."""
CONTAINER_FIELDS: tuple[str, ...] = (
    "image",
    "command",
    "entryPoint",
    "cpu",
    "memory",
    "memoryReservation",
    "portMappings",
    "healthCheck",
    "logConfiguration",
    "essential",
    "dependsOn",
)
"""Container fields compared as a whole (environment and secrets go variable by variable)."""

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
HIDDEN = "(hidden)"
"""What a hidden value reads as in text (JSON gives ``null`` and ``"hidden": true``)."""
_LABELS = {
    "ephemeralStorage": "ephemeral storage",
    "taskRoleArn": "task role",
    "executionRoleArn": "execution role",
    "networkMode": "network mode",
    "entryPoint": "entry point",
    "memoryReservation": "memory reservation",
    "portMappings": "ports",
    "healthCheck": "health check",
    "logConfiguration": "log configuration",
    "dependsOn": "depends on",
}


@dataclass(frozen=True)
class Change:
    """One field that differs."""

    container: str | None
    """The container's name, or None for a task-level field."""
    field: str
    """``memory``, ``image``, ``environment.DB_HOST``, ``secrets.API_TOKEN``, ``container``."""
    change: str
    """``added``, ``removed`` or ``changed``."""
    before: Any = None
    """The old value (JSON-able, masked); None when absent or hidden."""
    after: Any = None
    hidden: bool = False
    """A secret-looking value: only that it changed is shown."""

    def to_json(self) -> dict[str, Any]:
        """The change as in ``fgtop diff --format json``."""
        return {
            "container": self.container,
            "field": self.field,
            "change": self.change,
            "before": self.before,
            "after": self.after,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class TaskDefinitionDiff:
    """The differences from task definition ``before`` to ``after`` (``family:revision``)."""

    before: str
    after: str
    changes: tuple[Change, ...] = ()

    @property
    def equal(self) -> bool:
        """Whether nothing compared differs."""
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        """The document of ``fgtop diff --format json`` (and of a deployment's ``changes``)."""
        return {
            "from": self.before,
            "to": self.after,
            "changes": [c.to_json() for c in self.changes],
        }


def name_of(doc: dict[str, Any]) -> str:
    """``family:revision`` of a task definition document (else the end of its ARN)."""
    if doc.get("family") and doc.get("revision") is not None:
        return f"{doc['family']}:{doc['revision']}"
    return str(doc.get("taskDefinitionArn", "?")).rsplit("/", 1)[-1]


def document_of(td: TaskDefinition) -> dict[str, Any]:
    """The document of a task definition model: its ``raw`` one, else rebuilt from its fields."""
    if td.raw:
        return td.raw
    return {
        "taskDefinitionArn": td.arn,
        "family": td.family,
        "revision": td.revision,
        "cpu": None if td.cpu is None else str(td.cpu),
        "memory": None if td.memory is None else str(td.memory),
        "runtimePlatform": {"cpuArchitecture": td.arch.upper()} if td.arch else {},
        "ephemeralStorage": {"sizeInGiB": td.ephemeral_storage_gib},
        "containerDefinitions": [
            {
                "name": c.name,
                "image": c.image,
                "cpu": c.cpu,
                "memory": c.memory,
                "memoryReservation": c.memory_reservation,
                "essential": c.essential,
                "logConfiguration": (
                    {"logDriver": c.log.driver, "options": dict(c.log.options)} if c.log else None
                ),
                "environment": [{"name": k, "value": v} for k, v in c.environment.items()],
                "secrets": [{"name": k, "valueFrom": v} for k, v in c.secrets.items()],
            }
            for c in td.containers
        ],
    }


def diff_models(before: TaskDefinition, after: TaskDefinition) -> TaskDefinitionDiff:
    """:func:`diff_task_definitions` of two models."""
    return diff_task_definitions(document_of(before), document_of(after))


def diff_task_definitions(before: dict[str, Any], after: dict[str, Any]) -> TaskDefinitionDiff:
    """What differs from ``before`` to ``after`` (two ``describe_task_definition`` documents).

    Task-level fields first, then the containers in ``after``'s order, then removed ones.
    """
    changes: list[Change] = []
    for label, path in TASK_FIELDS:
        changes += _compare(None, label, _norm(_get(before, path)), _norm(_get(after, path)))
    old = {c.get("name", ""): c for c in _containers(before)}
    new = {c.get("name", ""): c for c in _containers(after)}
    for name, c in new.items():
        if name not in old:
            changes.append(Change(name, "container", ADDED, after=_shown(c.get("image"))))
            continue
        changes += _container(name, old[name], c)
    for name, c in old.items():
        if name not in new:
            changes.append(Change(name, "container", REMOVED, before=_shown(c.get("image"))))
    return TaskDefinitionDiff(name_of(before), name_of(after), tuple(changes))


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in doc.get("containerDefinitions") or () if isinstance(c, dict)]


def _get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _norm(value: Any) -> Any:
    """Absent, empty and ``"1024"`` vs ``1024`` compare equal (ECS returns both shapes)."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, str) and value.isupper() and value in ("X86_64", "ARM64"):
        return value.lower()
    return value


def _shown(value: Any) -> Any:
    """A value as it may be shown: URL passwords and embedded env values masked."""
    return mask_document(value)


def _compare(container: str | None, name: str, a: Any, b: Any) -> list[Change]:
    if a == b:
        return []
    if a is None:
        return [Change(container, name, ADDED, after=_shown(b))]
    if b is None:
        return [Change(container, name, REMOVED, before=_shown(a))]
    return [Change(container, name, CHANGED, _shown(a), _shown(b))]


def _container(name: str, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    for f in CONTAINER_FIELDS:
        va, vb = a.get(f), b.get(f)
        if f == "essential":
            va, vb = va is not False, vb is not False
        out += _compare(name, f, _norm(va), _norm(vb))
    out += _environment(
        name, _pairs(a.get("environment"), "value"), _pairs(b.get("environment"), "value")
    )
    out += _secrets(
        name, _pairs(a.get("secrets"), "valueFrom"), _pairs(b.get("secrets"), "valueFrom")
    )
    return out


def _pairs(items: Any, value_key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            value = item.get(value_key)
            out[item["name"]] = "" if value is None else str(value)
    return out


def _is_hidden(name: str, value: str | None) -> bool:
    return value is not None and mask_value(name, value) != value


def _environment(container: str, a: dict[str, str], b: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    for key in [*b, *(k for k in a if k not in b)]:
        va, vb = a.get(key), b.get(key)
        if va == vb:
            continue
        field = f"environment.{key}"
        change = ADDED if va is None else REMOVED if vb is None else CHANGED
        if _is_hidden(key, va) or _is_hidden(key, vb):
            out.append(Change(container, field, change, hidden=True))
        else:
            out.append(Change(container, field, change, va, vb))
    return out


def _secrets(container: str, a: dict[str, str], b: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    for key in [*b, *(k for k in a if k not in b)]:
        va, vb = a.get(key), b.get(key)
        if va == vb:
            continue
        change = ADDED if va is None else REMOVED if vb is None else CHANGED
        out.append(Change(container, f"secrets.{key}", change, _shown(va), _shown(vb)))
    return out


# -- words -------------------------------------------------------------------------------------


def value_text(value: Any) -> str:
    """A value as one line of plain text (structures as compact JSON)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def change_text(c: Change) -> str:
    """``memory: 2048 → 1024``, ``environment DB_PASSWORD: changed``, ``container x: added``."""
    field = c.field.replace(".", " ", 1) if "." in c.field else c.field
    if c.hidden:
        return f"{field}: {c.change} (value hidden)"
    if c.field == "container":
        what = value_text(c.after if c.change == ADDED else c.before)
        return f"container {c.change} ({what})"
    if c.change == ADDED:
        return f"{field}: added {value_text(c.after)}"
    if c.change == REMOVED:
        return f"{field}: removed (was {value_text(c.before)})"
    return f"{field}: {value_text(c.before)} → {value_text(c.after)}"


def text_lines(diff: TaskDefinitionDiff) -> list[str]:
    """The diff as plain text lines (outside text inside: sanitise before a terminal)."""
    lines = [f"{diff.before} → {diff.after}"]
    if diff.equal:
        return [*lines, "no differences"]
    scope: object = object()
    for c in diff.changes:
        if c.container != scope:
            scope = c.container
            lines.append("task" if c.container is None else f"container {c.container}")
        lines.append(f"  {change_text(c)}")
    return lines


def _image_word(before: Any, after: Any) -> str:
    def split(image: Any) -> tuple[str, str]:
        text = str(image or "")
        if "@" in text:
            repo, _, digest = text.partition("@")
            return repo, "@" + digest
        head, sep, tag = text.rpartition(":")
        if sep and "/" not in tag:
            return head, tag
        return text, ""

    (ra, ta), (rb, tb) = split(before), split(after)
    if ra == rb and ta != tb:
        return "image digest" if tb.startswith("@") or ta.startswith("@") else "image tag"
    return "image"


_TASK_TWIN = {"cpu": "cpu", "memory": "memory", "memoryReservation": "memory"}


def summary(diff: TaskDefinitionDiff, limit: int = 4) -> str:
    """A few words for a problem or a timeline line: ``image tag, memory 2048 → 1024``.

    Image changes first; task-level cpu and memory carry their values; a container's cpu or memory is left out
    when the task's changed too; everything else is named once.
    """
    words: list[str] = []
    task_level = {c.field for c in diff.changes if c.container is None}
    # What changed in the image first (the usual culprit), then the task's size, then the rest.
    ordered = sorted(
        diff.changes, key=lambda c: 0 if c.field == "image" else 1 if c.container is None else 2
    )
    for c in ordered:
        if c.container is None and c.field in ("cpu", "memory") and c.change == CHANGED:
            word = f"{c.field} {value_text(c.before)} → {value_text(c.after)}"
        elif c.container is not None and _TASK_TWIN.get(c.field) in task_level:
            continue
        elif c.field == "image" and c.change == CHANGED:
            word = _image_word(c.before, c.after)
        elif c.field == "container":
            word = f"container {c.container} {c.change}"
        else:
            word = _LABELS.get(c.field.split(".", 1)[0], c.field.split(".", 1)[0])
        if word not in words:
            words.append(word)
    if not words:
        return "no differences"
    more = len(words) - limit
    return ", ".join(words[:limit]) + (f", +{more} more" if more > 0 else "")

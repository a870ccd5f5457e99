"""The task definition kind: no table of its own; describe (``t`` from a task or service)."""

from __future__ import annotations

from typing import Any

from fgtop.kinds.base import Kind
from fgtop.kinds.documents import json_ready
from fgtop.model import Snapshot, TaskDefinition


class TaskDefinitionKind(Kind[TaskDefinition]):
    """ECS task definitions (immutable by ARN)."""

    name = "task definition"
    plural = "task definitions"
    model = TaskDefinition
    describable = True

    def key(self, item: TaskDefinition) -> str:
        """Its ARN."""
        return item.arn

    def describe(self, item: TaskDefinition, snapshot: Snapshot) -> dict[str, Any]:
        """The describe_task_definition document."""
        return json_ready(
            item.raw or {"taskDefinitionArn": item.arn, "note": "not fetched in full"}
        )

    def label(self, item: TaskDefinition) -> str:
        """``family:revision``."""
        return f"{item.family}:{item.revision}"


KIND = TaskDefinitionKind()

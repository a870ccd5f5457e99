"""The task grid: every ECS task, status and health in colour (and glyph), sortable.

What its rows say is the task kind's (:mod:`fgtop.kinds.task`)."""

from __future__ import annotations

from typing import ClassVar

from fgtop.kinds.task import KIND as TASK
from fgtop.ui.widgets.kind_table import KindTable


class TaskGrid(KindTable):
    """The grid of ECS tasks."""

    KINDS: ClassVar = (TASK,)

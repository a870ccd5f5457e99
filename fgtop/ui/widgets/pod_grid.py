"""The pod grid: EKS Fargate pods, with the same keys and look as the task grid.

What its rows say is the pod kind's (:mod:`fgtop.kinds.pod`)."""

from __future__ import annotations

from typing import ClassVar

from fgtop.kinds.pod import KIND as POD
from fgtop.ui.widgets.kind_table import KindTable


class PodGrid(KindTable):
    """The grid of Kubernetes pods."""

    KINDS: ClassVar = (POD,)

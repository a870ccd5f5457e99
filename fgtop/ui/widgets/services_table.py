"""The services table: desired/running/pending and the deployment state of each service.

What its rows say is the service kind's (:mod:`fgtop.kinds.service`) and, for Kubernetes
Deployments and StatefulSets, the workload kind's (:mod:`fgtop.kinds.workload`)."""

from __future__ import annotations

from typing import ClassVar

from fgtop.kinds.service import KIND as SERVICE
from fgtop.kinds.workload import KIND as WORKLOAD
from fgtop.ui.widgets.kind_table import KindTable


class ServicesTable(KindTable):
    """The table of ECS services (and, when watched, Kubernetes workloads)."""

    KINDS: ClassVar = (SERVICE, WORKLOAD)

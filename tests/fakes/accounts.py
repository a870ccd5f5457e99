"""A fake ECS side of a large account (test and benchmark data): a Source of fixed parts."""

from __future__ import annotations

from fgtop.model import Cluster, Service, Task
from fgtop.sources.base import Part, PollingSource, SourceContext

REGION = "us-east-1"
ARN = f"arn:aws:ecs:{REGION}:123456789012"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Account(PollingSource):
    """The ECS side: one cluster, 50 services, 1,000 running tasks."""

    name = "ecs"

    def __init__(self, services: int = 50, per_service: int = 20) -> None:
        self.cluster = Cluster(
            name="big",
            arn=f"{ARN}:cluster/big",
            region=REGION,
            status="ACTIVE",
            container_insights="enhanced",
        )
        self.services = tuple(
            Service(
                name=f"svc{i}",
                arn=f"{ARN}:service/big/svc{i}",
                cluster="big",
                region=REGION,
                status="ACTIVE",
                desired=per_service,
                running=per_service,
                pending=0,
            )
            for i in range(services)
        )
        self.tasks = tuple(
            Task(
                arn=f"{ARN}:task/big/t{i:04d}",
                cluster="big",
                region=REGION,
                task_definition=f"{ARN}:task-definition/svc{i // per_service}:1",
                last_status="RUNNING",
                desired_status="RUNNING",
                service=f"svc{i // per_service}",
                cpu=256,
                memory=512,
            )
            for i in range(services * per_service)
        )

    async def poll(self, ctx: SourceContext) -> Part:
        return {"clusters": (self.cluster,), "services": self.services, "tasks": self.tasks}

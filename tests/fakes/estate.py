"""A large estate as a series of snapshots (test and benchmark data for the grids).

5,000 Fargate tasks in 200 services, 4 clusters, 2 regions and 220 task definitions, 500 pods,
service metrics; each following frame changes a fixed share of the tasks (some replaced by
new tasks, the others change health or status), as a busy account does between two polls.
"""

from __future__ import annotations

import dataclasses
import random

from fgtop.model import (
    Cluster,
    Container,
    Deployment,
    MetricSeries,
    Pod,
    PodContainer,
    Service,
    Snapshot,
    Task,
)
from fgtop.model.kube import ContainerState

T0 = 1_800_000_000.0
REGIONS = ("eu-west-1", "us-east-1")
AZS = ("a", "b", "c")


def _arn(region: str, kind: str, rest: str) -> str:
    return f"arn:aws:ecs:{region}:123456789012:{kind}/{rest}"


class Estate:
    """A big account that changes a little between frames.

    Args:
        tasks: Number of tasks (spread evenly over the services).
        services: Number of services.
        pods: Number of EKS Fargate pods.
        change: Share of tasks that change in each following frame.
        seed: Seed of the random choices (the same seed gives the same frames).
    """

    def __init__(
        self,
        tasks: int = 5000,
        services: int = 200,
        pods: int = 500,
        change: float = 0.05,
        seed: int = 12,
    ) -> None:
        self.rng = random.Random(seed)
        self.change = change
        self.now = T0
        self.step = 0
        self.clusters = tuple(
            Cluster(
                f"prod-{c}", _arn(REGIONS[c % 2], "cluster", f"prod-{c}"), REGIONS[c % 2], "ACTIVE"
            )
            for c in range(4)
        )
        self.services = [self._service(s, max(1, tasks // services)) for s in range(services)]
        self.tasks = [self._task(i, services) for i in range(tasks)]
        self.pods = tuple(self._pod(p) for p in range(pods))
        self._next_id = tasks

    def _service(self, s: int, per: int) -> Service:
        cluster = self.clusters[s % 4]
        return Service(
            name=f"svc{s:03d}-{['api', 'worker', 'web', 'cron'][s % 4]}",
            arn=_arn(cluster.region, "service", f"{cluster.name}/svc{s:03d}"),
            cluster=cluster.name,
            region=cluster.region,
            status="ACTIVE",
            desired=per,
            running=per - (1 if s % 9 == 0 else 0),
            pending=1 if s % 9 == 0 else 0,
            task_definition=_arn(cluster.region, "task-definition", f"svc{s:03d}:{1 + s % 3}"),
            deployments=(
                Deployment(
                    f"ecs-svc/{s:019d}",
                    "PRIMARY",
                    _arn(cluster.region, "task-definition", f"svc{s:03d}:{1 + s % 3}"),
                    per,
                    per,
                    0,
                    rollout_state="COMPLETED",
                ),
            ),
        )

    def _task(self, i: int, services: int, s: int | None = None) -> Task:
        s = i % services if s is None else s
        svc = self.services[s]
        rng = self.rng
        # 220 task definitions: every tenth service runs two revisions.
        revision = 1 + s % 3 + (1 if s % 10 == 0 and (i // services) % 2 else 0)
        started = self.now - rng.randint(60, 30 * 86400)
        return Task(
            arn=_arn(svc.region, "task", f"{svc.cluster}/{i:08x}{rng.getrandbits(96):024x}"),
            cluster=svc.cluster,
            region=svc.region,
            task_definition=_arn(svc.region, "task-definition", f"svc{s:03d}:{revision}"),
            last_status="RUNNING",
            desired_status="RUNNING",
            service=svc.name,
            group=f"service:{svc.name}",
            health=rng.choice(("HEALTHY", "HEALTHY", "HEALTHY", "UNKNOWN")),
            capacity_provider="FARGATE_SPOT" if i % 3 == 0 else "FARGATE",
            cpu=(256, 512, 1024, 2048)[s % 4],
            memory=(512, 1024, 2048, 4096)[s % 4],
            arch="arm64" if s % 5 == 0 else "x86_64",
            az=f"{svc.region}{AZS[i % 3]}",
            private_ip=f"10.{s % 250}.{i // 250 % 250}.{i % 250}",
            created_at=started - 20,
            started_at=started,
            containers=(Container("app", image=f"repo/svc{s:03d}:v{revision}"),),
        )

    def _pod(self, p: int) -> Pod:
        crash = p % 17 == 0
        state = (
            ContainerState("waiting", "CrashLoopBackOff") if crash else ContainerState("running")
        )
        return Pod(
            namespace=f"ns{p % 10}",
            name=f"web-{p:04d}-{p * 7919 % 100000:05d}",
            cluster="eks-prod",
            context=None,
            phase="Running",
            node=f"fargate-ip-10-9-{p // 250}-{p % 250}.ec2.internal",
            ip=f"10.9.{p // 250}.{p % 250}",
            started_at=T0 - 3600 - p,
            labels={"eks.amazonaws.com/fargate-profile": "default"},
            containers=(PodContainer("app", restarts=3 if crash else 0, state=state),),
        )

    def _metrics(self) -> tuple[MetricSeries, ...]:
        out = []
        for k, svc in enumerate(self.services):
            points = tuple(
                (self.now - 60 * (30 - m), float((k * 7 + m * 3 + self.step) % 100))
                for m in range(30)
            )
            out.append(MetricSeries(svc.arn, "cpu", "AWS/ECS", points))
            out.append(MetricSeries(svc.arn, "memory", "AWS/ECS", points))
        # Per-task metrics for the first 100 tasks (as if they were on screen).
        for k, task in enumerate(self.tasks[:100]):
            value = float((k * 13 + self.step * 5) % 100)
            out.append(MetricSeries(task.arn, "cpu", "ECS/ContainerInsights", ((self.now, value),)))
            out.append(
                MetricSeries(task.arn, "memory", "ECS/ContainerInsights", ((self.now, value),))
            )
        return tuple(out)

    def snapshot(self) -> Snapshot:
        """The estate now, as one snapshot."""
        return Snapshot(
            taken_at=self.now,
            account="123456789012",
            profile="prod",
            regions=REGIONS,
            clusters=self.clusters,
            services=tuple(self.services),
            tasks=tuple(self.tasks),
            pods=self.pods,
            metrics=self._metrics(),
        )

    def advance(self, seconds: float = 5.0) -> Snapshot:
        """The next frame: ``change`` of the tasks differ (a fifth replaced, the rest edited)."""
        self.now += seconds
        self.step += 1
        rng = self.rng
        count = max(1, int(len(self.tasks) * self.change))
        services = len(self.services)
        for n, index in enumerate(rng.sample(range(len(self.tasks)), count)):
            task = self.tasks[index]
            if n % 5 == 0:  # replaced: the old task vanishes, a new one starts
                s = next(i for i, svc in enumerate(self.services) if svc.name == task.service)
                self.tasks[index] = self._task(self._next_id, services, s)
                self._next_id += 1
            elif n % 5 == 1:
                self.tasks[index] = dataclasses.replace(
                    task,
                    last_status="STOPPED",
                    desired_status="STOPPED",
                    stopped_at=self.now,
                    stop_code="EssentialContainerExited",
                    stopped_reason="Essential container in task exited",
                    containers=(dataclasses.replace(task.containers[0], exit_code=137),),
                )
            else:
                health = "UNHEALTHY" if task.health != "UNHEALTHY" else "HEALTHY"
                self.tasks[index] = dataclasses.replace(task, health=health)
        return self.snapshot()

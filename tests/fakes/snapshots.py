"""Snapshots built from the production-shaped samples in ../shared/samples (test data)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from fgtop.model import Snapshot, SourceHealth, Task
from fgtop.sources.ecs import parse_service, parse_task

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
if not SAMPLES.is_dir():  # CI lays shared/ beside the clone
    SAMPLES = Path("/work/shared/samples")


def sample(name: str) -> dict:
    """One sample file as JSON."""
    return json.loads((SAMPLES / name).read_text())


def sample_snapshot(extra_tasks: int = 20, now: float | None = None) -> Snapshot:
    """Two sample services, the two sample tasks and ``extra_tasks`` running copies."""
    services = tuple(
        parse_service(s, "shop-prod", "eu-west-1")
        for s in sample("ecs-describe-services.json")["services"]
    )
    raw = sample("ecs-describe-tasks.json")["tasks"]
    tasks: list[Task] = [parse_task(t, "shop-prod", "eu-west-1", None) for t in raw]
    base = tasks[0]
    for i in range(extra_tasks):
        tasks.append(
            dataclasses.replace(
                base,
                arn=f"{base.arn[:-8]}{i:08x}",
                az=["eu-west-1a", "eu-west-1b", "eu-west-1c"][i % 3],
                private_ip=f"10.20.4.{i + 10}",
                capacity_provider="FARGATE" if i % 2 else "FARGATE_SPOT",
                started_at=(base.started_at or 0) + i * 60,
            )
        )
    taken = now if now is not None else (base.started_at or 0) + 3600
    return Snapshot(
        taken_at=taken,
        account="210987654321",
        profile="prod",
        regions=("eu-west-1",),
        services=services,
        tasks=tuple(tasks),
        sources=(SourceHealth("ecs:eu-west-1", api_calls=12, last_success=taken),),
    )

"""A second launch reads task definitions from disk; one-off fetches do not stretch the refresh."""

from __future__ import annotations

from pathlib import Path

from fgtop.sources.aws import Aws
from fgtop.sources.ecs import EcsSource
from fgtop.sources.taskdef_cache import TaskDefCache
from tests.fakes.aws_world import build_world


async def _launch(folder: Path, **kwargs) -> tuple[dict, EcsSource, Aws]:
    aws = Aws(regions=["us-east-1"])
    source = EcsSource(aws, "us-east-1", taskdef_cache=TaskDefCache(folder), **kwargs)
    try:
        part = await source.poll()
    finally:
        await aws.close()
    return part, source, aws


async def test_warm_launch_makes_no_describe_task_definition_calls(moto: str, tmp_path) -> None:
    build_world(moto)
    cold, _cold_source, cold_aws = await _launch(tmp_path)
    warm, warm_source, warm_aws = await _launch(tmp_path)
    assert cold_aws.calls["ecs.DescribeTaskDefinition"] == 2
    assert warm_aws.calls["ecs.DescribeTaskDefinition"] == 0
    assert warm_source.taskdef_cache.hits == 2
    assert warm_aws.calls["ecs"] == cold_aws.calls["ecs"] - 2
    assert {td.arn: td.containers for td in warm["task_definitions"]} == {
        td.arn: td.containers for td in cold["task_definitions"]
    }
    assert {t.arn: (t.cpu, t.memory) for t in warm["tasks"]} == {
        t.arn: (t.cpu, t.memory) for t in cold["tasks"]
    }


async def test_a_corrupt_entry_is_fetched_again(moto: str, tmp_path) -> None:
    build_world(moto)
    await _launch(tmp_path)
    for path in tmp_path.glob("*.json"):
        path.write_text("not json", encoding="utf-8")
    part, source, aws = await _launch(tmp_path)
    assert aws.calls["ecs.DescribeTaskDefinition"] == 2
    assert source.taskdef_cache.corrupt == 2 and len(part["task_definitions"]) == 2


async def test_one_off_task_definition_calls_do_not_count_against_the_budget(
    moto: str, tmp_path
) -> None:
    build_world(moto)
    # Budget 1 call/s: the steady poll's calls set the interval, not the one-off fetches.
    aws = Aws(regions=["us-east-1"])
    source = EcsSource(aws, "us-east-1", refresh=1.0, budget=1.0)
    try:
        await source.poll()
        first, note = source.interval, source.note()
        assert aws.calls["ecs.DescribeTaskDefinition"] == 2
        await source.poll()  # steady: no task definition to fetch
        assert aws.calls["ecs.DescribeTaskDefinition"] == 2
    finally:
        await aws.close()
    assert first == source.interval > 1.0
    assert note == source.note()

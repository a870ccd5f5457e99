"""``fgtop diff A [B]``: what differs between two ECS task definitions.

A and B are ``family:revision`` or ARNs; ``fgtop diff FAMILY`` compares its latest two
ACTIVE revisions and ``fgtop diff FAMILY:REV`` that revision with the ACTIVE one before it.
The diff itself is :mod:`fgtop.derive.taskdef_diff` (the one the dashboard and the snapshot
JSON use): secret-looking environment values show only ``changed``. Text lines are
sanitised; exit 0 (with "no differences" when equal); a task definition that cannot be found
is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.cli.settings import load_settings
from fgtop.derive.taskdef_diff import diff_task_definitions, text_lines
from fgtop.errors import SetupError, fail
from fgtop.text.sanitize import safe_str

LINE_CHARS = 4_000
"""Characters of one printed line at most (the JSON output is never cut)."""
_ARN = re.compile(r"^arn:[^:]+:ecs:(?P<region>[^:]+):\d*:task-definition/(?P<name>.+)$")
_FAMILY_REV = re.compile(r"^(?P<family>[A-Za-z0-9_-]{1,255})(?::(?P<rev>\d+))?$")


class NotFound(Exception):
    """A task definition that cannot be found or named: one line, exit 2."""


def _parse(name: str) -> tuple[str | None, str, str | None]:
    """(region from an ARN, family, revision or None) of a command-line name."""
    m = _ARN.match(name)
    region = m.group("region") if m else None
    rest = m.group("name") if m else name
    fm = _FAMILY_REV.match(rest)
    if fm is None:
        raise NotFound(f"{name!r} is not a task definition (family, family:revision or ARN)")
    return region, fm.group("family"), fm.group("rev")


async def _describe(aws: Any, region: str, name: str) -> dict:
    ecs = await aws.client("ecs", region)
    try:
        resp = await ecs.describe_task_definition(taskDefinition=name)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"ClientException", "InvalidParameterException"}:
            raise NotFound(f"task definition {name} not found in {region}") from exc
        raise
    return resp["taskDefinition"]


async def _revisions(aws: Any, region: str, family: str) -> list[int]:
    """The ACTIVE revisions of ``family``, newest first."""
    ecs = await aws.client("ecs", region)
    revisions: list[int] = []
    kwargs: dict[str, Any] = {"familyPrefix": family, "status": "ACTIVE", "sort": "DESC"}
    for _ in range(100):  # pages; a family with more than 10,000 revisions is compared anyway
        resp = await ecs.list_task_definitions(**kwargs)
        for arn in resp.get("taskDefinitionArns") or ():
            fam, _, rev = arn.rsplit("/", 1)[-1].rpartition(":")
            if fam == family and rev.isdigit():  # the prefix also matches longer families
                revisions.append(int(rev))
        kwargs["nextToken"] = resp.get("nextToken")
        if not kwargs["nextToken"]:
            break
    return sorted(set(revisions), reverse=True)


async def _pair(aws: Any, default_region: str, a: str, b: str | None) -> tuple[dict, dict]:
    ra, family, rev = _parse(a)
    region_a = ra or default_region
    if b is not None:
        rb, _, _ = _parse(b)
        first, second = await asyncio.gather(
            _describe(aws, region_a, a), _describe(aws, rb or default_region, b)
        )
        return first, second
    revisions = await _revisions(aws, region_a, family)
    if rev is None:
        if len(revisions) < 2:
            have = f"only {family}:{revisions[0]}" if revisions else "none"
            raise NotFound(
                f"{family} needs two ACTIVE revisions in {region_a} to compare ({have}): "
                "name both, e.g. fgtop diff FAMILY:1 FAMILY:2"
            )
        older, newer = f"{family}:{revisions[1]}", f"{family}:{revisions[0]}"
    else:
        before = [r for r in revisions if r < int(rev)]
        if not before:
            raise NotFound(f"no ACTIVE revision of {family} before {rev} in {region_a}: name both")
        older, newer = f"{family}:{before[0]}", f"{family}:{rev}"
    first, second = await asyncio.gather(
        _describe(aws, region_a, older), _describe(aws, region_a, newer)
    )
    return first, second


async def _fetch(args: argparse.Namespace) -> tuple[dict, dict]:
    from fgtop.engine.build import one_account

    config = load_settings(args)
    aws, close = await one_account(config, getattr(args, "account", None), args.a)
    try:
        await aws.check_credentials()
        return await _pair(aws, aws.regions[0], args.a, args.b)
    finally:
        await close()


def run(args: argparse.Namespace) -> int:
    """``fgtop diff``: print the differences; the exit code."""
    try:
        before, after = asyncio.run(_fetch(args))
    except (SetupError, NotFound) as exc:
        return fail(str(exc))
    except ClientError as exc:
        from fgtop.sources.errors import one_line

        return fail(f"diff failed: {one_line(exc)}")
    except (BotoCoreError, OSError, TimeoutError) as exc:
        from fgtop.sources.errors import one_line

        return fail(f"diff failed: {one_line(exc)}")
    diff = diff_task_definitions(before, after)
    if args.format == "json":
        # ASCII: a C1 control or a bidi override in a value stays an escape, never raw.
        json.dump(diff.to_json(), sys.stdout, indent=2, ensure_ascii=True)
        sys.stdout.write("\n")
    else:
        for line in text_lines(diff):
            print(safe_str(line, max_chars=LINE_CHARS))
    return 0

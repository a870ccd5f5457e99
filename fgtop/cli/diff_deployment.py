"""``fgtop diff SERVICE --deployment latest|ARN``: what one ECS service deployment changed.

The deployment (the service's newest one with ``latest``, found with
``ListServiceDeployments``; or the ARN given) is described, and its source revision is
compared with its target revision (``DescribeServiceRevisions``): the task definitions (the
same diff as ``fgtop diff A B``) and the images each container resolved to, by digest, so a
tag that moved shows although the task definition did not. A rolled-back deployment says so
first. Text is sanitised; a service or deployment that cannot be found is one line and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fgtop.cli import diff as taskdef_diff_cli
from fgtop.cli.diff import LINE_CHARS, NotFound
from fgtop.cli.settings import load_settings
from fgtop.derive.taskdef_diff import diff_task_definitions, text_lines
from fgtop.errors import SetupError, fail
from fgtop.model import ServiceDeployment, ServiceRevision
from fgtop.sources.deployments_parse import parse_deployment, parse_revision
from fgtop.sources.errors import one_line
from fgtop.sources.why_base import DENIED_CODES
from fgtop.text.sanitize import safe_str


async def _service(ecs: Any, name: str, cluster: str | None) -> tuple[str, str]:
    """(service ARN, cluster) of ``name`` (an ARN, or a name in ``cluster`` or any cluster)."""
    if name.startswith("arn:"):
        parts = name.rsplit(":", 1)[-1].split("/")
        return name, cluster or (parts[1] if len(parts) == 3 else "default")
    clusters = [cluster] if cluster else []
    if not clusters:
        token: str | None = None
        for _ in range(100):
            resp = await ecs.list_clusters(**({"nextToken": token} if token else {}))
            clusters += resp.get("clusterArns") or []
            token = resp.get("nextToken")
            if not token:
                break
    for c in clusters:
        found = await ecs.describe_services(cluster=c, services=[name])
        for s in found.get("services") or ():
            if s.get("status") != "INACTIVE":
                return s["serviceArn"], c
    where = f"cluster {cluster}" if cluster else "any cluster"
    raise NotFound(f"service {name} not found in {where} (give --cluster, or the service ARN)")


async def _deployment(ecs: Any, service: str, cluster: str, which: str) -> ServiceDeployment:
    arn = which
    if which == "latest":
        resp = await ecs.list_service_deployments(service=service, cluster=cluster, maxResults=1)
        found = resp.get("serviceDeployments") or []
        if not found:
            raise NotFound(f"{service.rsplit('/', 1)[-1]} has no deployment in the last 90 days")
        arn = found[0]["serviceDeploymentArn"]
    resp = await ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    deployments = resp.get("serviceDeployments") or []
    if not deployments:
        raise NotFound(f"deployment {arn} not found")
    return parse_deployment(deployments[0])


async def _revisions(ecs: Any, arns: list[str]) -> dict[str, ServiceRevision]:
    resp = await ecs.describe_service_revisions(serviceRevisionArns=arns)
    found = [parse_revision(r) for r in resp.get("serviceRevisions") or ()]
    return {r.arn: r for r in found}


async def _fetch(args: argparse.Namespace) -> dict[str, Any]:
    from fgtop.sources.aws import Aws

    config = load_settings(args)
    region = args.deployment.split(":")[3] if args.deployment.startswith("arn:") else None
    aws = Aws(config.profile, [region] if region else config.regions)
    try:
        await aws.check_credentials()
        ecs = await aws.client("ecs", region or aws.regions[0])
        service, cluster = await _service(ecs, args.a, args.cluster)
        d = await _deployment(ecs, service, cluster, args.deployment)
        if d.target is None or d.source_revision is None:
            raise NotFound(
                f"deployment {d.id} has no revision before it to compare (the service's first)"
            )
        revs = await _revisions(ecs, [d.source_revision, d.target.arn])
        before, after = revs.get(d.source_revision), revs.get(d.target.arn)
        if before is None or after is None:
            raise NotFound(
                f"the revisions of deployment {d.id} cannot be described (created before October 2024?)"
            )
        docs = await asyncio.gather(
            *(
                ecs.describe_task_definition(taskDefinition=r.task_definition)
                for r in (before, after)
            )
        )
        return {
            "deployment": d,
            "before": before,
            "after": after,
            "docs": [x["taskDefinition"] for x in docs],
        }
    finally:
        await aws.close()


def _images(before: ServiceRevision, after: ServiceRevision) -> list[dict[str, Any]]:
    """Per container, the image and digest before and after (those that differ)."""
    old = {i.container: i for i in before.images}
    out = []
    for i in after.images:
        o = old.pop(i.container, None)
        if o is None or (o.image, o.digest) != (i.image, i.digest):
            out.append(
                {
                    "container": i.container,
                    "before": {"image": o.image, "digest": o.digest} if o else None,
                    "after": {"image": i.image, "digest": i.digest},
                }
            )
    out += [
        {"container": o.container, "before": {"image": o.image, "digest": o.digest}, "after": None}
        for o in old.values()
    ]
    return out


def _ref(side: dict[str, Any] | None) -> str:
    if side is None:
        return "(none)"
    digest = side.get("digest")
    return f"{side['image']}@{digest}" if digest else side["image"]


def run(args: argparse.Namespace) -> int:
    """``fgtop diff SERVICE --deployment``: print what the deployment changed; the exit code."""
    try:
        found = asyncio.run(_fetch(args))
    except (SetupError, NotFound) as exc:
        return fail(str(exc))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in DENIED_CODES:  # every call here is ECS's
            return fail(f"diff failed: access denied: needs ecs:{exc.operation_name}")
        return fail(f"diff failed: {one_line(exc)}")
    except (BotoCoreError, OSError, TimeoutError) as exc:
        return fail(f"diff failed: {one_line(exc)}")
    d: ServiceDeployment = found["deployment"]
    diff = diff_task_definitions(*found["docs"])
    images = _images(found["before"], found["after"])
    if args.format == "json":
        doc = {
            "deployment": {
                "arn": d.arn,
                "status": d.status,
                "status_reason": d.status_reason,
                "rolled_back": d.rolled_back,
                "rollback_revision": d.rollback_revision,
                "source_revision": d.source_revision,
                "target_revision": d.target.arn if d.target else None,
            },
            **diff.to_json(),
            "images": images,
        }
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=True)
        sys.stdout.write("\n")
        return 0
    head = f"deployment {d.id}: {d.status}"
    if d.rolled_back:
        head += f" (rolled back; {d.rollback_reason or d.status_reason or 'no reason given'})"
    elif d.status_reason:
        head += f" ({d.status_reason})"
    print(safe_str(head, max_chars=LINE_CHARS))
    for line in text_lines(diff):
        print(safe_str(line, max_chars=LINE_CHARS))
    if images:
        print("images (resolved digests)")
        for i in images:
            print(
                safe_str(
                    f"  {i['container']}: {_ref(i['before'])} → {_ref(i['after'])}",
                    max_chars=LINE_CHARS,
                )
            )
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """``fgtop diff``: a deployment's changes with ``--deployment``, else two task definitions."""
    if args.deployment:
        if args.b:
            return fail("--deployment compares a deployment's own two revisions: give no B")
        return run(args)
    if args.cluster:
        return fail("--cluster goes with --deployment (task definitions belong to no cluster)")
    return taskdef_diff_cli.run(args)

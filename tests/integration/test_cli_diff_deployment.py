"""`fgtop diff SERVICE --deployment latest|ARN` against moto and the fake deployments API: the
deployment's source and target revisions, task definitions and resolved image digests; a
rollback says so; missing and denied are one line and exit 2."""

from __future__ import annotations

import json

from fgtop.cli.main import main
from tests.fakes.why_world import REGION, why_world


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv, "--region", REGION])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_latest_deployment_of_a_service(moto, why, capsys) -> None:
    world = why_world(moto, why)
    code, out, err = _run(capsys, "web", "--deployment", "latest")  # its cluster found by name
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("deployment Bad0Deploy1: ROLLBACK_SUCCESSFUL (rolled back; ")
    assert lines[1] == "web:1 → web:2"
    assert "  memory: 1024 → 512" in lines
    assert "images (resolved digests)" in lines
    (image,) = [line for line in lines if line.startswith("  app: ")]
    assert "example/web:1@sha256:" in image and "→ example/web:2@sha256:" in image
    # The same deployment by ARN, as JSON, with --cluster.
    code, out, err = _run(
        capsys, "web", "--cluster", "prod", "--deployment", world.deployment, "--format", "json"
    )
    doc = json.loads(out)
    assert (
        code == 0
        and doc["deployment"]["arn"] == world.deployment
        and doc["deployment"]["rolled_back"]
    )
    assert (doc["from"], doc["to"]) == ("web:1", "web:2")
    assert {c["field"] for c in doc["changes"]} >= {"memory"}
    assert doc["images"][0]["before"]["digest"].startswith("sha256:")
    lists = [r for r in why.ecs.state.requests if r.op == "ListServiceDeployments"]
    assert len(lists) == 1 and lists[0].body["maxResults"] == 1  # latest: one summary asked


def test_missing_service_denied_and_misuse_are_one_line(moto, why, capsys) -> None:
    why_world(moto, why)
    code, out, err = _run(capsys, "nope", "--deployment", "latest")
    assert code == 2 and out == "" and err.count("\n") == 1 and "service nope not found" in err
    why.ecs.state.deny = {"ListServiceDeployments"}
    code, out, err = _run(capsys, "web", "--cluster", "prod", "--deployment", "latest")
    assert code == 2 and err.strip().endswith("access denied: needs ecs:ListServiceDeployments")
    code, out, err = _run(capsys, "web", "web:2", "--deployment", "latest")
    assert code == 2 and "give no B" in err
    code, out, err = _run(capsys, "web:1", "web:2", "--cluster", "prod")
    assert code == 2 and "--cluster goes with --deployment" in err

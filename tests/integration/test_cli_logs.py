"""`fgtop logs TARGET` as a subprocess: ECS tasks and services against moto, pods against a
fake Kubernetes API reached through a real kubeconfig."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.aws_world import network, register, run

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "\x1b[31mred alert\x1b[0m in colour",
    "see \x1b]8;;https://evil.example/\x07the docs\x1b]8;;\x07 now",
    "[red]x[/red] [link=https://evil.example]click[/link]",
    "ding\x07 bell",
    "\x1b]0;pwned title\x07title set",
]


def fgtop(*calls: tuple[str, ...], timeout: float = 60) -> list[subprocess.CompletedProcess]:
    """Run ``python -m fgtop ARGS`` once per call, concurrently, with the test's environment
    (moto's endpoint and fake keys); the results in the order of the calls."""
    procs = [
        (
            args,
            subprocess.Popen(
                [sys.executable, "-m", "fgtop", *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=dict(os.environ),
                cwd=ROOT,
            ),
        )
        for args in calls
    ]
    results = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=timeout)
        results.append(subprocess.CompletedProcess(list(args), proc.returncode, out, err))
    return results


def put(logs: Any, group: str, stream: str, events: list[tuple[float, str]]) -> None:
    """Create the stream (and the group) and put events given as (POSIX seconds, message)."""
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(ts * 1000), "message": m} for ts, m in events],
    )


def estate(boto: Any, moto: str) -> dict[str, Any]:
    """A cluster "prod" with a service "api" of two tasks and a standalone task."""
    ecs = boto("ecs")
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="prod")
    td = register(ecs, "api")
    ecs.create_service(
        cluster="prod",
        serviceName="api",
        taskDefinition=td,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=net,
    )
    tasks = run(ecs, "prod", td, net, 2, group="service:api")
    solo = run(ecs, "prod", register(ecs, "job"), net, 1)[0]
    return {"ecs": ecs, "net": net, "tasks": tasks, "solo": solo, "td": td}


def test_task_and_service_logs(boto: Any, moto: str) -> None:
    world = estate(boto, moto)
    logs = boto("logs")
    task_id = world["solo"].rsplit("/", 1)[-1]
    now = time.time()
    old = (now - 7200, "two hours ago: outside --since 1h")
    lines = [(now - 300 + i, f"line {i:02d} {m}") for i, m in enumerate(["start", *HOSTILE])]
    put(logs, "/ecs/job", f"ecs/app/{task_id}", [old, *lines, (now - 10, "last")])
    # the service's two tasks log interleaved in time
    ids = [arn.rsplit("/", 1)[-1] for arn in world["tasks"]]
    put(logs, "/ecs/api", f"ecs/app/{ids[0]}", [(now - 60 + 2 * i, f"n {2 * i}") for i in range(5)])
    put(
        logs,
        "/ecs/api",
        f"ecs/app/{ids[1]}",
        [(now - 59 + 2 * i, f"n {2 * i + 1}") for i in range(5)],
    )

    by_id, service = fgtop(
        ("logs", task_id, "--region", "us-east-1", "--since", "1h"),
        ("logs", "api", "--region", "us-east-1"),
    )

    assert by_id.returncode == 0, by_id.stderr
    assert by_id.stderr == ""
    out = by_id.stdout.splitlines()
    assert len(out) == len(lines) + 1
    assert "two hours ago" not in by_id.stdout
    # in time order, each starting with its ISO time, without a task column (a single task)
    assert [line.split(" ", 2)[1] for line in out[:-1]] == ["line"] * len(lines)
    assert [line.split(" ", 3)[2] for line in out[:-1]] == [f"{i:02d}" for i in range(len(lines))]
    assert out[-1].endswith("Z last") and out[0][:4].isdigit()
    # no escape sequence or bell reaches the terminal; markup shows literally
    assert "\x1b" not in by_id.stdout and "\x07" not in by_id.stdout
    assert "red alert in colour" in by_id.stdout
    assert "see the docs now" in by_id.stdout and "evil.example/" not in by_id.stdout
    assert "[red]x[/red] [link=https://evil.example]click[/link]" in by_id.stdout
    assert "ding␇ bell" in by_id.stdout
    assert "pwned" not in by_id.stdout and "title set" in by_id.stdout

    # a service: its tasks merged by time, with a task column (short id and container)
    assert service.returncode == 0, service.stderr
    merged = service.stdout.splitlines()
    assert [int(line.rsplit(" ", 1)[-1]) for line in merged] == list(range(10))
    for line in merged:
        n = int(line.rsplit(" ", 1)[-1])
        assert line.split(" ")[1:3] == [ids[n % 2][:8], "app"], line


def test_other_log_driver_and_missing_group_are_one_line_each(boto: Any, moto: str) -> None:
    ecs = boto("ecs")
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="prod")
    td = ecs.register_task_definition(
        family="fl",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "app",
                "image": "x",
                "memory": 512,
                "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "datadog"}},
            },
            {
                "name": "side",
                "image": "y",
                "memory": 128,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/fl", "awslogs-stream-prefix": "ecs"},
                },
            },
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    arn = run(ecs, "prod", td, net, 1)[0]  # and no log group /ecs/fl

    (proc,) = fgtop(("logs", arn.rsplit("/", 1)[-1], "--region", "us-east-1"))

    assert proc.returncode == 0 and proc.stdout == ""
    err = proc.stderr.splitlines()
    assert len(err) == 2 and all(line.startswith("fgtop: ") for line in err), err
    assert "FireLens to datadog" in err[0]
    assert err[1] == "fgtop: log group /ecs/fl not found in us-east-1"


def test_unknown_and_ambiguous_targets_exit_2(boto: Any, moto: str) -> None:
    world = estate(boto, moto)
    # a second cluster with a service of the same name
    world["ecs"].create_cluster(clusterName="staging")
    world["ecs"].create_service(
        cluster="staging",
        serviceName="api",
        taskDefinition=world["td"],
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=world["net"],
    )

    nope, ambiguous, chosen = fgtop(
        ("logs", "nope", "--region", "us-east-1"),
        ("logs", "api", "--region", "us-east-1"),
        ("logs", "api", "--region", "us-east-1", "--cluster", "staging"),
    )
    assert nope.returncode == 2 and nope.stdout == ""
    assert nope.stderr.count("\n") == 1 and "Traceback" not in nope.stderr
    assert nope.stderr.startswith("fgtop: no task, service or pod matches 'nope' in us-east-1 (")
    assert "3 tasks, 2 services in 2 clusters" in nope.stderr

    assert ambiguous.returncode == 2 and ambiguous.stderr.count("\n") == 1
    assert "several clusters: prod (us-east-1), staging (us-east-1)" in ambiguous.stderr
    assert "--cluster" in ambiguous.stderr

    assert chosen.returncode == 0, chosen.stderr


def test_bad_since_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from fgtop.cli.logs import run as run_logs
    from fgtop.cli.main import build_parser

    args = build_parser()[1]["logs"].parse_args(["api", "--since", "soon"])
    assert run_logs(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fgtop: --since: not a duration")


def test_resolve_prefixes_and_ambiguity() -> None:
    """The target rules on a hand-made snapshot (no I/O)."""
    from fgtop.cli.logs import TargetError, resolve
    from fgtop.model import Pod, Snapshot, Task

    def task(tid: str, cluster: str = "prod", service: str | None = None) -> Task:
        arn = f"arn:aws:ecs:us-east-1:1:task/{cluster}/{tid}"
        return Task(arn, cluster, "us-east-1", "td", "RUNNING", "RUNNING", service=service)

    snap = Snapshot(
        taken_at=0.0,
        regions=("us-east-1",),
        tasks=(
            task("abcdef0011112222", service="web"),
            task("abcdef0099998888", service="web"),
            task("12345678aaaa"),
        ),
        pods=(Pod("shop", "web-1", "east", None), Pod("shop", "web-1", "west", None)),
    )
    assert resolve(snap, "12345678").tasks[0].id == "12345678aaaa"
    assert resolve(snap, snap.tasks[1].arn).tasks == [snap.tasks[1]]
    assert resolve(snap, "abcdef0011").tasks[0].id == "abcdef0011112222"
    with pytest.raises(TargetError, match="several tasks: abcdef0011112222, abcdef0099998888"):
        resolve(snap, "abcdef00")
    with pytest.raises(TargetError, match="no task, service or pod"):
        resolve(snap, "1234567")  # too short for a prefix
    found = resolve(snap, "web")
    assert found.service and [t.id for t in found.tasks] == ["abcdef0011112222", "abcdef0099998888"]
    with pytest.raises(TargetError, match="east/shop/web-1, west/shop/web-1"):
        resolve(snap, "shop/web-1")
    assert resolve(snap, "west/shop/web-1").pod == snap.pods[1]


async def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fgtop",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def _follow(kube: Any, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``fgtop logs --follow``: read the first line, push one, read it, then Ctrl-C."""
    import signal

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fgtop",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines = [await asyncio.wait_for(proc.stdout.readline(), 60)]
    kube.push_log("shop", "crash-1", "app", (time.time(), "new \x1b[1m[b]one[/b]\x1b[0m"))
    lines.append(await asyncio.wait_for(proc.stdout.readline(), 10))
    proc.send_signal(signal.SIGINT)
    rest, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode is not None
    return proc.returncode, b"".join(lines).decode() + rest.decode(), err.decode()


async def test_pod_logs_previous_and_current(moto: str, tmp_path: Path) -> None:
    from tests.fakes.kube_server import FakeKube, make_pod, write_kubeconfig

    now = time.time()
    async with FakeKube(token="t0k") as kube:
        kube.add("pods", make_pod("crash-1", "shop", waiting="CrashLoopBackOff", restarts=3))
        kube.set_logs(
            "shop",
            "crash-1",
            "app",
            [(now - 120, "booting"), (now - 61, "\x1b[31mOOM\x1b[0m coming"), (now - 60, "killed")],
            previous=True,
        )
        kube.set_logs("shop", "crash-1", "app", [(now - 5, "booting again")])
        config = write_kubeconfig(tmp_path / "kc", kube.url, token="t0k", context="shop-eks")
        env = dict(os.environ, KUBECONFIG=str(config))
        args = ("--region", "us-east-1")
        previous, current, missing, followed = await asyncio.gather(
            _run(env, "logs", "shop/crash-1", "--previous", *args),
            _run(env, "logs", "shop/crash-1", *args),
            _run(env, "logs", "shop/nope-1", *args),
            _follow(kube, env, "logs", "shop/crash-1", "--follow", *args),
        )
        assert kube.requests["log"] == 3

    code, out, err = previous
    assert code == 0, err
    assert [line.split(" ", 1)[1] for line in out.splitlines()] == [
        "booting",
        "OOM coming",
        "killed",
    ]
    assert "\x1b" not in out
    code, out, err = current
    assert code == 0 and out.splitlines()[0].endswith("Z booting again"), err
    code, out, err = followed
    assert code == 0, err  # Ctrl-C ends a follow normally
    assert [line.split(" ", 1)[1] for line in out.splitlines()] == [
        "booting again",
        "new [b]one[/b]",
    ]
    code, out, err = missing
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no task, service or pod matches 'shop/nope-1'" in err and "1 Fargate pods" in err

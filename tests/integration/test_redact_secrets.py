"""``--redact`` masks secrets by value as well as by name: planted in moto (env values under
harmless names, a container's command line, a docker label, a tag, a stop reason) and in
CloudWatch Logs, recorded with ``fgtop record --redact``; every chunk of the recording is
decompressed and its bytes grepped for each planted secret. ``fgtop snapshot --redact`` and the
describe view are checked against the same plants. What is not a secret (a git SHA, an image
digest, ARNs, task ids) stays readable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import zstandard

from fgtop.config import Config
from fgtop.engine.build import LiveOptions, build_engine
from fgtop.recording import format as fmt
from fgtop.recording.reader import open_recording
from fgtop.text.masking import mask_document
from fgtop.ui.screens.describe import raw_document
from tests.fakes.aws_world import network

ROOT = Path(__file__).resolve().parents[2]

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmZ3RvcC10ZXN0IiwiZXhwIjo0MTAyNDQ0ODAwfQ"
    ".7Q2vL8mJ0cQf0Wc1sXq9m3kR5tY2uZ6oB4nA8dE1fGh"
)
ACCESS_KEY = "AKIAZ7QH4X2LMN5P3RST"
SECRET_KEY = "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"
SECRETS = {
    "jwt under a harmless name": JWT,
    "access key id": ACCESS_KEY,
    "40-character secret": SECRET_KEY,
    "token in a URL": "UrlTok3nQ9x",
    "password in a URL": "Ur1Passw0rd",
    "password on a command line": "CmdPassw0rd",
    "password=VALUE on a command line": "EqPassw0rd",
    "token in a docker label": "LabelTok3n9f8e",
    "token in a tag": "TagTok3n7c6b",
    "password in free text": "Stopp3dPassw0rd",
    "password in a log line": "LogPassw0rd42",
    "token in a log line": "LogTok3n77",
    "jwt in a log line": JWT.split(".")[2],
}
GIT_SHA = "3f7c2a9d1e8b4c6f0a5d7e9b1c3f5a7d9e1b3c5f"
DIGEST = "sha256:" + "9b2f4c6d8e0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c"
KEPT = {"git sha": GIT_SHA, "image digest": DIGEST, "plain env value": "eu-west-1-blue"}


def plant(ecs, logs, moto: str) -> str:  # noqa: ANN001
    """Two tasks whose definition, tags, log lines (the running one's) and stop reason (the
    stopped one's) hold the secrets; returns the running one's ARN."""
    net = network("us-east-1", moto)
    ecs.create_cluster(clusterName="leaky")
    td = ecs.register_task_definition(
        family="leaky",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "app",
                "image": f"example/leaky@{DIGEST}",
                "memory": 512,
                "command": [
                    "/app/run",
                    "--password",
                    SECRETS["password on a command line"],
                    f"--db-password={SECRETS['password=VALUE on a command line']}",
                ],
                "environment": [
                    {"name": "SESSION_BLOB", "value": JWT},
                    {"name": "UPLOADER", "value": f"{ACCESS_KEY}:{SECRET_KEY}"},
                    {
                        "name": "CALLBACK",
                        "value": f"https://hooks.example.com/x?token={SECRETS['token in a URL']}&a=1",
                    },
                    {
                        "name": "DATABASE",
                        "value": f"postgres://app:{SECRETS['password in a URL']}@db:5432/app",
                    },
                    {"name": "GIT_SHA", "value": GIT_SHA},
                    {"name": "REGION_COLOUR", "value": KEPT["plain env value"]},
                ],
                "dockerLabels": {"com.example.deploy-token": SECRETS["token in a docker label"]},
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/leaky", "awslogs-stream-prefix": "ecs"},
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    arn, stopped = (
        t["taskArn"]
        for t in ecs.run_task(
            cluster="leaky",
            taskDefinition=td,
            launchType="FARGATE",
            networkConfiguration=net,
            count=2,
            tags=[{"key": "ci-token", "value": SECRETS["token in a tag"]}],
        )["tasks"]
    )
    ecs.stop_task(
        cluster="leaky",
        task=stopped,
        reason=f"migration failed, password: {SECRETS['password in free text']} was rejected",
    )
    stream = f"ecs/app/{arn.rsplit('/', 1)[-1]}"
    logs.create_log_group(logGroupName="/ecs/leaky")
    logs.create_log_stream(logGroupName="/ecs/leaky", logStreamName=stream)
    now = int(time.time() * 1000)
    messages = [
        f"connecting as app password={SECRETS['password in a log line']} host=db",
        f'{{"level":"info","token":"{SECRETS["token in a log line"]}"}}',
        f"Authorization: Bearer {JWT}",
        f"deployed {GIT_SHA}",
    ]
    logs.put_log_events(
        logGroupName="/ecs/leaky",
        logStreamName=stream,
        logEvents=[{"timestamp": now - 3000 + i, "message": m} for i, m in enumerate(messages)],
    )
    return arn


def decompressed(path: Path) -> bytes:
    """Every chunk of a recording, decompressed, one after the other."""
    data = path.read_bytes()
    out = [data[: fmt.FILE_HEADER.size]]
    offset = fmt.FILE_HEADER.size
    streams: dict[str, zstandard.ZstdDecompressionObj] = {}
    while offset + fmt.CHUNK_HEADER.size <= len(data):
        kind, flags, length, _crc, _when = fmt.CHUNK_HEADER.unpack_from(data, offset)
        offset += fmt.CHUNK_HEADER.size
        payload = data[offset : offset + length]
        offset += length
        if kind == fmt.META:
            out.append(zstandard.ZstdDecompressor().decompress(payload))
            continue
        key = "logs" if kind == fmt.LOGS else "frames"
        if flags & fmt.NEW_STREAM or key not in streams:
            streams[key] = zstandard.ZstdDecompressor().decompressobj()
        out.append(streams[key].decompress(payload))
    return b"\n".join(out)


def fgtop(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "fgtop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_a_redacted_recording_holds_none_of_the_planted_secrets(
    moto: str, boto, tmp_path: Path
) -> None:
    arn = plant(boto("ecs"), boto("logs"), moto)
    plain, redacted = tmp_path / "plain.fgrec", tmp_path / "redacted.fgrec"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [
                sys.executable, "-m", "fgtop", "record", "-o", str(out), "--duration", "7s",
                "--region", "us-east-1", "--refresh", "1", "--no-metrics", *extra,
            ],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for out, extra in ((plain, ()), (redacted, ("--redact",)))
    ]  # fmt: skip
    for proc in procs:  # both at once: the log tail needs a few seconds
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    # The plants are where they should be: the plain recording holds every one (and its log
    # lines), so their absence below is the redaction's doing.
    raw = decompressed(plain)
    with open_recording(plain) as rec:
        assert len(rec.logs(arn)) == 4
    for what, secret in {**SECRETS, **KEPT}.items():
        assert secret.encode() in raw, f"the plain recording lacks the {what}"
    text = decompressed(redacted)
    left = [what for what, secret in SECRETS.items() if secret.encode() in text]
    assert left == [], f"left in the redacted recording: {left}"
    for what, value in KEPT.items():
        assert value.encode() in text, f"the {what} was masked: a false positive"
    # The recording says it is redacted, in the file header and in its meta chunk.
    _magic, _version, flags, _ = fmt.FILE_HEADER.unpack(redacted.read_bytes()[:16])
    assert flags & fmt.FLAG_REDACTED
    with open_recording(redacted) as rec:
        assert rec.redacted and rec.redaction == fmt.REDACTION_RULES
        assert len(rec.logs()) == 4  # the lines are kept, masked


def test_snapshot_redact_masks_by_value(moto: str, boto) -> None:  # noqa: ANN001
    plant(boto("ecs"), boto("logs"), moto)
    plain = fgtop("snapshot", "--region", "us-east-1", "--no-metrics")
    assert plain.returncode == 0, plain.stderr
    present = {w for w, s in SECRETS.items() if s in plain.stdout}
    assert {"token in a tag", "password in free text"} <= present
    proc = fgtop("snapshot", "--redact", "--region", "us-east-1", "--no-metrics")
    assert proc.returncode == 0, proc.stderr
    left = [w for w, s in SECRETS.items() if s in proc.stdout]
    assert left == [], f"left in fgtop snapshot --redact: {left}"
    kept = [w for w, v in KEPT.items() if v in plain.stdout]
    assert "image digest" in kept
    assert [w for w in kept if KEPT[w] not in proc.stdout] == [], "a false positive"
    table = fgtop("snapshot", "--redact", "--format", "table", "--region", "us-east-1")
    assert table.returncode == 0 and SECRETS["password in free text"] not in table.stdout


async def test_describe_masks_by_value(moto: str, boto) -> None:  # noqa: ANN001
    arn = plant(boto("ecs"), boto("logs"), moto)
    config = Config(regions=["us-east-1"])
    engine = await build_engine(LiveOptions(config=config, metrics=False))
    try:
        snapshot = await engine.poll_once()
    finally:
        await engine.stop()
    task = next(t for t in snapshot.tasks if t.arn == arn)
    taskdef = snapshot.task_definition(task.task_definition)
    assert taskdef is not None
    for item in (task, taskdef):
        raw = json.dumps(raw_document(item, snapshot))
        shown = json.dumps(mask_document(raw_document(item, snapshot)))
        planted = [w for w, s in SECRETS.items() if s in raw]
        assert planted, f"nothing planted in the {type(item).__name__}'s document"
        left = [w for w, s in SECRETS.items() if s in shown]
        assert left == [], f"left in the describe view of the {type(item).__name__}: {left}"
    assert GIT_SHA in shown and DIGEST in shown

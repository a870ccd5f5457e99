"""Redaction for shareable recordings: consistent masks for accounts and IPs, secrets hidden."""

from __future__ import annotations

from pathlib import Path

from fgtop.model import ContainerDefinition, LogLine, Pod, Snapshot, Task, TaskDefinition
from fgtop.recording.reader import open_recording
from fgtop.recording.redact import Redactor
from fgtop.recording.writer import Recorder
from fgtop.text.masking import MASK

ACCT = "210987654321"
OTHER = "123456789012"


def task(ip: str, acct: str = ACCT) -> Task:
    return Task(
        f"arn:aws:ecs:eu-west-1:{acct}:task/c/abc{ip[-1]}",
        "c",
        "eu-west-1",
        f"arn:aws:ecs:eu-west-1:{acct}:task-definition/x:1",
        "RUNNING",
        "RUNNING",
        private_ip=ip,
    )


def snapshot() -> Snapshot:
    td = TaskDefinition(
        f"arn:aws:ecs:eu-west-1:{ACCT}:task-definition/x:1",
        "x",
        1,
        containers=(
            ContainerDefinition(
                "x",
                environment={"DB_PASSWORD": "hunter2", "A": "b"},
                secrets={"KEY": f"arn:aws:ssm:eu-west-1:{ACCT}:p"},
            ),
        ),
        raw={
            "containerDefinitions": [
                {"environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}
            ],
            "taskRoleArn": f"arn:aws:iam::{ACCT}:role/x",
        },
    )
    pod = Pod(
        "shop",
        "p",
        "eks",
        None,
        ip="10.30.4.18",
        node="fargate-ip-10-30-4-18.eu-west-1.compute.internal",
    )
    return Snapshot(
        taken_at=1.0,
        account=ACCT,
        tasks=(task("10.0.0.1"), task("10.0.0.2", OTHER)),
        task_definitions=(td,),
        pods=(pod,),
    )


def test_accounts_and_ips_map_consistently() -> None:
    r = Redactor()
    out = r.snapshot(snapshot())
    assert out.account == "000000000001"
    assert out.tasks[0].arn == "arn:aws:ecs:eu-west-1:000000000001:task/c/abc1"
    assert out.tasks[1].arn == "arn:aws:ecs:eu-west-1:000000000002:task/c/abc2"
    assert out.tasks[0].private_ip != "10.0.0.1"
    assert out.tasks[0].private_ip != out.tasks[1].private_ip
    pod = out.pods[0]
    assert pod.node == f"fargate-ip-{pod.ip.replace('.', '-')}.eu-west-1.compute.internal"
    again = r.snapshot(snapshot())
    assert again == out
    line = r.log_line(
        LogLine(
            f"arn:aws:ecs:eu-west-1:{ACCT}:task/c/1",
            "app",
            1.0,
            "conn from 10.0.0.2 to ip-10-0-0-1 acct 210987654321 ok 1.2.3",
        )
    )
    assert line.message == (
        f"conn from {out.tasks[1].private_ip} to "
        f"ip-{out.tasks[0].private_ip.replace('.', '-')} acct 000000000001 "
        "ok 1.2.3"
    )
    assert line.target.startswith("arn:aws:ecs:eu-west-1:000000000001:")


def test_secrets_hidden_everywhere() -> None:
    out = Redactor().snapshot(snapshot())
    td = out.task_definitions[0]
    assert td.containers[0].environment == {"DB_PASSWORD": MASK, "A": "b"}
    assert td.containers[0].secrets == {"KEY": "arn:aws:ssm:eu-west-1:000000000001:p"}
    assert td.raw["containerDefinitions"][0]["environment"][0]["value"] == MASK
    assert td.raw["taskRoleArn"] == "arn:aws:iam::000000000001:role/x"
    assert "hunter2" not in repr(out) and ACCT not in repr(out)


def test_recorder_redacts_what_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "r.fgrec"
    with Recorder(path, redact=True) as rec:
        rec.write_snapshot(snapshot())
        rec.write_snapshot(snapshot())
        rec.write_logs(
            [
                LogLine(
                    "t", "c", 2.0, f"user 10.9.8.7 in {ACCT} said hunter2 postgres://u:hunter2@db/x"
                )
            ]
        )
    with open_recording(path) as rec:
        assert rec.redacted
        assert rec.frame(0) == rec.frame(1)
        assert rec.frame(0).account == "000000000001"
        assert "10.9.8.7" not in rec.logs()[0].message
        assert "u:****@db" in rec.logs()[0].message
        assert ACCT not in repr(rec.frame(1)) + repr(rec.logs())


def test_a_task_id_ending_in_twelve_digits_is_not_an_account() -> None:
    from fgtop.recording.redact import Redactor

    r = Redactor()
    arn = "arn:aws:ecs:eu-west-1:210987654321:task/prod/b4a5a68d-23d8-4fef-8d60-790955544417"
    assert (
        r.text(arn)
        == "arn:aws:ecs:eu-west-1:000000000001:task/prod/b4a5a68d-23d8-4fef-8d60-790955544417"
    )
    assert r.text("pull 210987654321.dkr.ecr.eu-west-1.amazonaws.com/api") == (
        "pull 000000000001.dkr.ecr.eu-west-1.amazonaws.com/api"
    )

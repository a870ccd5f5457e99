"""Recordings carry each object's account; older ones still replay as their one account."""

from __future__ import annotations

from pathlib import Path

from fgtop.model import (
    Account,
    Cluster,
    KubeCluster,
    MetricSeries,
    Pod,
    Service,
    Snapshot,
    SourceHealth,
    Task,
)
from fgtop.recording.reader import open_recording
from fgtop.recording.writer import Recorder

OLD = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "recordings"
    / "one-account-before-accounts.fgrec"
)
"""Three frames written by fgtop before objects carried their account (main at 085c2b2), with
``Recorder.write_snapshot`` of a Snapshot whose ``account`` is 123456789012: one cluster, the
service ``web`` and its two tasks, a CPU series and the ``ecs:eu-west-1`` source. Never
regenerate it: it is the proof that such files still replay."""

PROD, STAGING = "111111111111", "222222222222"
T0 = 1_795_859_280.0


def test_an_older_recording_replays_as_its_one_account() -> None:
    with open_recording(OLD) as rec:
        assert not rec.carries_accounts
        frames = [rec.frame(i) for i in range(len(rec))]
    assert len(frames) == 3
    for snap in frames:
        assert snap.accounts == ()
        assert snap.watched_accounts == (
            Account(id="123456789012", name="prod", regions=("eu-west-1",)),
        )
        assert not snap.multi_account
        objects = [*snap.clusters, *snap.services, *snap.tasks, *snap.metrics, *snap.sources]
        assert len(objects) == 6 and {o.account for o in objects} == {"123456789012"}
        assert len(snap.tasks_of(snap.services[0])) == 2
        assert snap.account_label("123456789012") == "prod"


def _arn(account: str, rest: str) -> str:
    return f"arn:aws:ecs:eu-west-1:{account}:{rest}"


def two_accounts(i: int) -> Snapshot:
    """Frame ``i`` of an estate of two accounts with the same cluster and service names."""
    clusters, services, tasks, metrics = [], [], [], []
    for account in (PROD, STAGING):
        clusters.append(
            Cluster("prod", _arn(account, "cluster/prod"), "eu-west-1", "ACTIVE", account=account)
        )
        svc = _arn(account, "service/prod/web")
        services.append(
            Service("web", svc, "prod", "eu-west-1", "ACTIVE", 2, 2, 0, account=account)
        )
        tasks += [
            Task(
                _arn(account, f"task/prod/{account[:1]}{n}"),
                "prod",
                "eu-west-1",
                _arn(account, "task-definition/web:1"),
                "RUNNING",
                "RUNNING",
                service="web",
                account=account,
            )
            for n in range(2 + (i % 2 if account == STAGING else 0))
        ]
        metrics.append(MetricSeries(svc, "cpu", "AWS/ECS", ((T0, 10.0 + i),), account=account))
    return Snapshot(
        T0 + 5 * i,
        regions=("eu-west-1",),
        accounts=(
            Account(PROD, "prod", regions=("eu-west-1",), expires_at=T0 + 3600),
            Account(
                STAGING,
                "staging",
                role_arn=f"arn:aws:iam::{STAGING}:role/fgtop-read",
                error=None if i < 2 else f"account staging ({STAGING}): cannot assume ...",
            ),
        ),
        clusters=tuple(clusters),
        services=tuple(services),
        tasks=tuple(tasks),
        metrics=tuple(metrics),
        # A kubeconfig context of no known account keeps None (nothing is filled in).
        pods=(Pod("shop", "web-1", "eks", "eks-ctx"),),
        kube_clusters=(KubeCluster("eks", "eks-ctx"),),
        sources=(
            SourceHealth("ecs:eu-west-1@prod", account=PROD),
            SourceHealth("ecs:eu-west-1@staging", account=STAGING, ok=i < 2),
        ),
    )


def test_several_accounts_round_trip_exactly(tmp_path: Path) -> None:
    frames = [two_accounts(i) for i in range(4)]
    path = tmp_path / "two.fgrec"
    with Recorder(path) as rec:
        for snap in frames:
            rec.write_snapshot(snap)
    with open_recording(path) as rec:
        assert rec.carries_accounts
        got = [rec.frame(i) for i in range(len(rec))]
    assert got == frames
    last = got[-1]
    assert last.multi_account and last.account_label(STAGING) == "staging"
    assert last.pods[0].account is None
    webs = {s.account: s for s in last.services}
    assert len(last.tasks_of(webs[PROD])) == 2 and len(last.tasks_of(webs[STAGING])) == 3


def test_redaction_masks_account_ids_the_same_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "redacted.fgrec"
    with Recorder(path, redact=True) as rec:
        rec.write_snapshot(two_accounts(2))
    with open_recording(path) as rec:
        snap = rec.frame(0)
    masks = [a.id for a in snap.accounts]
    assert masks == ["000000000001", "000000000002"]
    assert {t.account for t in snap.tasks} == set(masks)
    assert {t.arn.split(":")[4] for t in snap.tasks} == set(masks)
    assert snap.accounts[1].error == "account staging (000000000002): cannot assume ..."
    assert [a.label for a in snap.accounts] == ["prod", "staging"]

"""Env values inside JSON annotations (kubectl's last-applied-configuration) are masked too.

In the describe view (what is shown and copied) and in ``--redact`` recordings.
"""

from __future__ import annotations

import copy
import json
import time

from fgtop.model import Snapshot
from fgtop.recording.redact import Redactor
from fgtop.sources.kube import parse_pod
from fgtop.text.masking import MASK, mask_document, mask_json_text
from fgtop.ui.screens.describe import raw_document, render_document
from tests.fakes.kube_server import make_pod

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def applied_pod() -> dict:
    """A pod applied with kubectl: its spec, env values included, repeated in an annotation."""
    pod = make_pod("api-7d9-x1", "shop")
    env = [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "MODE", "value": "prod"},
        {"name": "DATABASE_URL", "value": "postgres://app:s3cr3t@db:5432/app"},
    ]
    pod["spec"]["containers"][0]["env"] = env
    applied = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api"}, "spec": pod["spec"]}
    pod["metadata"]["annotations"][LAST_APPLIED] = json.dumps(applied) + "\n"
    pod["metadata"]["annotations"]["example.com/config"] = json.dumps(
        {"environment": {"API_TOKEN": "tok-123", "REGION": "eu"}}
    )
    return pod


def test_json_text_is_masked_and_other_text_is_left_alone() -> None:
    text = applied_pod()["metadata"]["annotations"][LAST_APPLIED]
    masked = mask_json_text(text)
    assert "hunter2" not in masked and "s3cr3t" not in masked and masked.endswith("\n")
    env = json.loads(masked)["spec"]["containers"][0]["env"]
    assert env[0] == {"name": "DB_PASSWORD", "value": MASK}
    assert env[1] == {"name": "MODE", "value": "prod"}
    for plain in ('{"replicas": 2}', "not json {", "{broken", "", "[1, 2]", '{"env": "x"}'):
        assert mask_json_text(plain) == plain


def test_describe_masks_the_last_applied_configuration() -> None:
    raw = applied_pod()
    pod = parse_pod(copy.deepcopy(raw), "shop-eks", "ctx", "eu-west-1")
    snap = Snapshot(taken_at=time.time(), pods=(pod,))
    for fmt in ("json", "yaml"):
        shown = render_document(mask_document(raw_document(pod, snap)), fmt)
        assert "hunter2" not in shown and "s3cr3t" not in shown and "tok-123" not in shown
        assert "DB_PASSWORD" in shown and "API_TOKEN" in shown
    assert "hunter2" in json.dumps(raw)  # the model itself is not changed


def test_redacted_recordings_mask_the_annotation_everywhere() -> None:
    pod = parse_pod(applied_pod(), "shop-eks", "ctx", "eu-west-1")
    assert "hunter2" in pod.annotations[LAST_APPLIED]
    redacted = Redactor().snapshot(Snapshot(taken_at=time.time(), pods=(pod,)))
    [out] = redacted.pods
    text = json.dumps([out.annotations, out.raw])
    assert "hunter2" not in text and "s3cr3t" not in text and "tok-123" not in text
    assert "DB_PASSWORD" in out.annotations[LAST_APPLIED]

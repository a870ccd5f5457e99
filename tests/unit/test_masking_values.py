"""Secrets found by their value (fgtop.text.masking.mask_text), and what is left alone."""

from __future__ import annotations

import time

import pytest

from fgtop.recording import format as fmt
from fgtop.recording.reader import open_recording
from fgtop.recording.writer import Recorder
from fgtop.text.masking import MASK, mask_command, mask_document, mask_labels, mask_text

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (JWT, MASK),
        (f"Authorization: Bearer {JWT}", f"Authorization: {MASK} {MASK}"),
        ("Authorization: Bearer abcdefgh12345", f"Authorization: {MASK} {MASK}"),
        ("key AKIAZ7QH4X2LMN5P3RST in use", f"key {MASK} in use"),
        ("ASIAZ7QH4X2LMN5P3RST", MASK),
        ("q8Zr/3LbT0vXk+9WmNp2YcHs7JdEf1GaRu6oBi4K", MASK),
        ("SECRET=q8Zr/3LbT0vXk+9WmNp2YcHs7JdEf1GaRu6oBi4K", f"SECRET={MASK}"),
        ("postgres://app:s3cret@db/app", f"postgres://app:{MASK}@db/app"),
        ("https://h.example/x?token=abc123&a=1", f"https://h.example/x?token={MASK}&a=1"),
        ("https://s3/x?X-Amz-Signature=abcdef0123&y=1", f"https://s3/x?X-Amz-Signature={MASK}&y=1"),
        ("login password=hunter2 host=db", f"login password={MASK} host=db"),
        (
            "migration failed, password: Pa55w0rd was rejected",
            f"migration failed, password: {MASK} was rejected",
        ),
        ('{"level":"info","api_key":"k-123456"}', f'{{"level":"info","api_key":"{MASK}"}}'),
        ("run --password Secret1 --port 80", f"run --password {MASK} --port 80"),
        ("run --db-password=Other2 -v", f"run --db-password={MASK} -v"),
        ("psql --password 'two words'", f"psql --password '{MASK}'"),
    ],
)
def test_secrets_by_value(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "deployed 3f7c2a9d1e8b4c6f0a5d7e9b1c3f5a7d9e1b3c5f",  # a git SHA: 40 hex
        "3F7C2A9D1E8B4C6F0A5D7E9B1C3F5A7D9E1B3C5F",
        "example/app@sha256:9b2f4c6d8e0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c",
        "arn:aws:ecs:us-east-1:123456789012:task/pr/0123456789abcdef0123456789abcdef",
        "arn:aws:iam::123456789012:role/AROAEXAMPLEROLEID12345",
        "task 8d1c3e1a-4b1e-4c6a-9a0e-790955544417 stopped",
        "Essential container in task exited",
        "see https://example.com:8443/path?page=2",
        "author=bob keyboard=us mode=prod",
        "note: token expired",
        "level=info msg=started",
        "AIDAZ7QH4X2LMN5P3RST",  # an IAM user's unique id: not a credential
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmn",  # 40 letters, one case
        "short",
    ],
)
def test_what_is_not_a_secret(text: str) -> None:
    assert mask_text(text) == text


def test_labels_tags_and_commands_by_name() -> None:
    assert mask_labels({"com.example.deploy-token": "t0k", "team": "core"}) == {
        "com.example.deploy-token": MASK,
        "team": "core",
    }
    assert mask_command(["app", "--password", "x1", "--port", "80", "-p"]) == [
        "app",
        "--password",
        MASK,
        "--port",
        "80",
        "-p",
    ]
    doc = {
        "containerDefinitions": [
            {
                "command": ["run", "--api-key", "abc"],
                "entryPoint": ["sh", "-c", "exec app --password=hunter2"],
                "dockerLabels": {"vault-token": "v1", "owner": "me"},
                "logConfiguration": {"options": {"splunk-token": "s1", "splunk-url": "https://s"}},
                "environment": [{"name": "BLOB", "value": JWT}, {"name": "MODE", "value": "x"}],
            }
        ],
        "tags": [{"key": "ci-token", "value": "t2"}, {"key": "team", "value": "core"}],
        "privateIpv4Address": "10.0.0.1",
        "kmsKeyId": "alias/app",
    }
    c = mask_document(doc)["containerDefinitions"][0]
    assert c["command"] == ["run", "--api-key", MASK]
    assert c["entryPoint"] == ["sh", "-c", f"exec app --password={MASK}"]
    assert c["dockerLabels"] == {"vault-token": MASK, "owner": "me"}
    assert c["logConfiguration"]["options"] == {"splunk-token": MASK, "splunk-url": "https://s"}
    assert c["environment"] == [{"name": "BLOB", "value": MASK}, {"name": "MODE", "value": "x"}]
    masked = mask_document(doc)
    assert masked["tags"] == [{"key": "ci-token", "value": MASK}, {"key": "team", "value": "core"}]
    # Field names are not labels: a private address or a key's alias stays readable.
    assert masked["privateIpv4Address"] == "10.0.0.1" and masked["kmsKeyId"] == "alias/app"


@pytest.mark.parametrize("filler", ["a", "eyJ", "password=", "--password ", "A" * 19 + " ", "/+"])
def test_a_hostile_100_kb_string_costs_little(filler: str) -> None:
    text = filler * (100_000 // len(filler))
    started = time.perf_counter()
    mask_text(text)
    assert time.perf_counter() - started < 0.5


def test_a_redacted_recording_says_so_and_older_ones_still_read(tmp_path) -> None:  # noqa: ANN001
    from fgtop.model import Snapshot

    for name, kwargs in (("plain", {}), ("redacted", {"redact": True})):
        with Recorder(tmp_path / name, **kwargs) as rec:
            rec.write_snapshot(Snapshot(taken_at=1_800_000_000.0))
    head = fmt.FILE_HEADER.unpack((tmp_path / "redacted").read_bytes()[:16])
    assert head[2] == fmt.FLAG_REDACTED
    with open_recording(tmp_path / "redacted") as rec:
        assert rec.redacted and rec.redaction == fmt.REDACTION_RULES == 2
    with open_recording(tmp_path / "plain") as rec:
        assert not rec.redacted and rec.redaction == 0
    # A recording redacted by an older fgtop: no header flag, no ``redaction`` (names only).
    data = bytearray((tmp_path / "redacted").read_bytes())
    data[10:12] = (0).to_bytes(2, "little")
    old_meta = fmt.dumps({"meta": {}, "redacted": True})
    import zstandard

    offset = fmt.FILE_HEADER.size
    _kind, flags, length, _crc, when = fmt.CHUNK_HEADER.unpack_from(data, offset)
    rest = data[offset + fmt.CHUNK_HEADER.size + length :]
    meta = fmt.pack_chunk(fmt.META, zstandard.ZstdCompressor().compress(old_meta), when, flags)
    (tmp_path / "old").write_bytes(bytes(data[:offset]) + meta + bytes(rest))
    with open_recording(tmp_path / "old") as rec:
        assert rec.redacted and rec.redaction == 1 and len(rec) == 1

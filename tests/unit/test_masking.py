"""Secret masking: names that look secret, URL passwords, raw AWS and Kubernetes documents."""

from __future__ import annotations

import json

import pytest

from fgtop.text.masking import MASK, is_secret_name, mask_document, mask_env, mask_url_password
from tests.fakes.snapshots import SAMPLES as SAMPLES_DIR

SAMPLES = SAMPLES_DIR


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "PASSWD",
        "mysql_pwd",
        "CLIENT_SECRET",
        "GITHUB_TOKEN",
        "API_KEY",
        "apiKey",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "GOOGLE_CREDENTIALS",
        "PRIVATE_KEY_PEM",
        "AUTH",
        "BASIC_AUTH_HEADER",
        "SENTRY_DSN",
        "DBPASSWORD",
        "signing-key",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["LOG_LEVEL", "DB_HOST", "MONKEY_MODE", "KEYCLOAK_URL", "AUTHOR", "PORT", "PATH"]
)
def test_plain_names(name: str) -> None:
    assert not is_secret_name(name)


def test_url_password() -> None:
    assert (
        mask_url_password("postgres://user:pw@host:5432/db") == "postgres://user:****@host:5432/db"
    )
    assert mask_url_password("redis://:s3cr3t@cache:6379") == "redis://:****@cache:6379"
    assert mask_url_password("https://example.com/a:b@c") == "https://example.com/a:b@c"
    assert mask_url_password("no url here") == "no url here"


def test_mask_env() -> None:
    env = {"DB_PASSWORD": "hunter2", "LOG_LEVEL": "info", "URL": "mysql://a:b@h/d", "TOKEN": ""}
    assert mask_env(env) == {
        "DB_PASSWORD": MASK,
        "LOG_LEVEL": "info",
        "URL": "mysql://a:****@h/d",
        "TOKEN": "",
    }
    assert env["DB_PASSWORD"] == "hunter2"  # not modified in place


def test_mask_ecs_task_definition_document() -> None:
    doc = {
        "containerDefinitions": [
            {
                "name": "api",
                "environment": [
                    {"name": "DB_PASSWORD", "value": "hunter2"},
                    {"name": "REGION", "value": "eu-west-1"},
                ],
                "secrets": [{"name": "STRIPE_KEY", "valueFrom": "arn:aws:ssm:x", "value": "leak"}],
                "command": ["serve", "--db", "postgres://u:pw@db/x"],
            }
        ],
    }
    masked = mask_document(doc)
    c = masked["containerDefinitions"][0]
    assert c["environment"] == [
        {"name": "DB_PASSWORD", "value": MASK},
        {"name": "REGION", "value": "eu-west-1"},
    ]
    assert c["secrets"] == [{"name": "STRIPE_KEY", "valueFrom": "arn:aws:ssm:x"}]
    assert c["command"][2] == "postgres://u:****@db/x"
    assert doc["containerDefinitions"][0]["environment"][0]["value"] == "hunter2"


def test_mask_kubernetes_env_keeps_value_from() -> None:
    doc = {
        "spec": {
            "containers": [
                {
                    "env": [
                        {"name": "REDIS_PASSWORD", "value": "r3d1s"},
                        {
                            "name": "API_TOKEN",
                            "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}},
                        },
                        {"name": "MODE", "value": "fast"},
                    ]
                }
            ]
        }
    }
    env = mask_document(doc)["spec"]["containers"][0]["env"]
    assert env == [
        {"name": "REDIS_PASSWORD", "value": MASK},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "MODE", "value": "fast"},
    ]


@pytest.mark.skipif(not SAMPLES.exists(), reason="shared samples not present")
def test_real_shaped_samples_keep_their_shape() -> None:
    for name in ("ecs-describe-tasks.json", "ecs-describe-services.json", "eks-fargate-pods.json"):
        doc = json.loads((SAMPLES / name).read_text())
        masked = mask_document(doc)
        assert masked.keys() == doc.keys()
        assert json.dumps(masked).count('"name"') == json.dumps(doc).count('"name"')

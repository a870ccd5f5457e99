"""An AWS Organization of N accounts x M regions in moto (test and benchmark data).

moto serves several accounts at once: the credentials of ``STS AssumeRole`` into
``arn:aws:iam::<id>:role/<name>`` reach account ``<id>`` (the role need not exist; moto checks
neither its existence nor its trust policy unless IAM enforcement is on, see
:func:`enforce_iam`). The organization's management account is moto's default account
(``123456789012``, the ``testing`` keys); members are made with ``organizations:CreateAccount``
(which, as in AWS, creates ``OrganizationAccountAccessRole`` trusting the management account,
here with no policy) and seeded through their own assumed-role credentials, so every ARN
names its account.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests

from tests.fakes.aws_world import add_service, client, network, register

MANAGEMENT = "123456789012"
"""moto's default account: the ``testing`` keys' (the organization's management account)."""
ROLE = "OrganizationAccountAccessRole"


@dataclass
class Member:
    """One account of the organization and what was seeded in it."""

    id: str
    name: str
    tasks: dict[str, list[str]] = field(default_factory=dict)
    """region -> task ARNs."""


@dataclass
class Org:
    """The organization: its endpoint and members."""

    endpoint: str
    members: list[Member]

    def role(self, member: Member, role: str = ROLE) -> str:
        """The role ARN fgtop assumes in ``member``."""
        return f"arn:aws:iam::{member.id}:role/{role}"


def assumed(endpoint: str, account: str, role: str = ROLE) -> dict[str, str]:
    """boto3 keyword arguments with credentials of ``role`` in ``account`` (moto)."""
    sts = client("sts", "us-east-1", endpoint)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="seed")[
        "Credentials"
    ]
    return {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }


def member_client(endpoint: str, account: str, service: str, region: str) -> Any:
    """A boto3 client acting in ``account``."""
    return boto3.client(
        service, region_name=region, endpoint_url=endpoint, **assumed(endpoint, account)
    )


def make_org(endpoint: str, names: Sequence[str]) -> Org:
    """An organization (management: moto's default account) with one member per name."""
    orgs = client("organizations", "us-east-1", endpoint)
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for i, name in enumerate(names):
        status = orgs.create_account(Email=f"team{i}@example.com", AccountName=name)
        members.append(Member(status["CreateAccountStatus"]["AccountId"], name))
    return Org(endpoint, members)


def seed_member(
    org: Org,
    member: Member,
    regions: Sequence[str],
    services: dict[str, int],
    cluster: str = "prod",
) -> None:
    """In each region of ``member``: cluster ``cluster`` with ``services`` (name -> tasks)."""
    for region in regions:
        ecs = member_client(org.endpoint, member.id, "ecs", region)
        ec2 = member_client(org.endpoint, member.id, "ec2", region)
        net = network(region, org.endpoint, ec2)
        ecs.create_cluster(clusterName=cluster)
        for name, count in services.items():
            td = register(ecs, name)
            member.tasks.setdefault(region, []).extend(
                add_service(ecs, cluster, name, td, net, count)
            )


@contextmanager
def enforce_iam(endpoint: str) -> Iterator[None]:
    """moto's IAM enforcement on, for the ``with`` block (off again after, whatever happens).

    With it, moto checks every request's signature against a key it issued and the caller's
    identity policies (an explicit Deny wins); for ``sts:AssumeRole`` on a role that exists in
    the caller's own account it also checks the role's trust policy. It never checks a trust
    policy across accounts (it looks the role up in the caller's account), so a member
    account's role cannot refuse a caller: the caller's own policy can.
    """
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=5)
    try:
        yield
    finally:
        requests.post(f"{endpoint}/moto-api/reset-auth", data=b"inf", timeout=5)


ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def trust(principal: str = f"arn:aws:iam::{MANAGEMENT}:root") -> dict:
    """A role trust policy naming ``principal``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
        ],
    }


def member_role(org: Org, member: Member, policy: dict | None = None, role: str = ROLE) -> None:
    """Create ``role`` in ``member`` with an inline policy (moto checks the assumed role's
    policies on every call once IAM enforcement is on)."""
    import json

    iam = member_client(org.endpoint, member.id, "iam", "us-east-1")
    # CreateAccount made it already (trusting the management account), as AWS does.
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust()))
    iam.put_role_policy(
        RoleName=role, PolicyName="fgtop", PolicyDocument=json.dumps(policy or ALLOW_ALL)
    )


def user_keys(iam: Any, name: str, policy: dict) -> dict[str, str]:
    """An IAM user with an inline policy and an access key: ``{"id": ..., "secret": ...}``."""
    import json

    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="fgtop", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def credentials_file(path: Any, profiles: dict[str, dict[str, str]]) -> None:
    """An AWS shared credentials file with a ``[name]`` section of keys per profile."""
    lines = []
    for name, keys in profiles.items():
        lines += [
            f"[{name}]",
            f"aws_access_key_id = {keys['id']}",
            f"aws_secret_access_key = {keys['secret']}",
            "",
        ]
    path.write_text("\n".join(lines))

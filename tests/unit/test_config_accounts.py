"""Accounts to watch: ``[[accounts]]``, ``org_role``, and the command line over them."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from fgtop.cli.main import build_parser, split_command
from fgtop.cli.settings import live_options, load_settings
from fgtop.config import ConfigError, load_config

ACCOUNTS = """\
regions = ["eu-west-1"]
profile = "security"

[[accounts]]
name = "prod"
role_arn = "arn:aws:iam::111111111111:role/fgtop-read"
external_id = "x-42"
regions = ["eu-west-1", "us-east-1"]

[[accounts]]
name = "staging"
profile = "staging"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    return str(err.value)


def args_of(*argv: str) -> argparse.Namespace:
    parser, subs = build_parser()
    command, rest = split_command(parser, subs, list(argv))
    return subs[command].parse_args(rest) if command else parser.parse_args(rest)


def test_accounts_tables_are_read(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, ACCOUNTS))
    assert cfg.multi_account
    assert cfg.accounts == [
        {
            "name": "prod",
            "role_arn": "arn:aws:iam::111111111111:role/fgtop-read",
            "external_id": "x-42",
            "regions": ["eu-west-1", "us-east-1"],
        },
        {"name": "staging", "profile": "staging"},
    ]


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ('profile = "a"', 3, "[[accounts]] must be a table with a name"),
        ('name = "a"', 3, "[[accounts]] must be a table with either a profile or a role_arn"),
        (
            'name = "a"\nprofile = "a"\nrole_arn = "arn:aws:iam::111111111111:role/r"',
            3,
            "either a profile or a role_arn",
        ),
        (
            'name = "a"\nrole_arn = "arn:aws:iam::prod:role/r"',
            3,
            'a table whose role_arn is a role ARN like "arn:aws:iam::123456789012:role/fgtop"',
        ),
        ('name = "a"\nprofile = "a"\nexternal_id = "x"', 3, "a role_arn when it has a external_id"),
        ('name = "a"\nprofile = "a"\nregion = ["eu-west-1"]', 3, 'unknown key "region"'),
        ('name = "a"\nprofile = "a"\nregions = ["mars"]', 3, "a table whose regions are"),
        ('name = ""\nprofile = "a"', 3, "a table whose name is a non-empty string"),
    ],
)
def test_a_bad_account_is_one_line_with_its_line(
    tmp_path: Path, table: str, line: int, message: str
) -> None:
    text = f'regions = ["eu-west-1"]\n\n[[accounts]]\n{table}\n'
    got = error_of(write(tmp_path, text))
    assert got.startswith(f"{tmp_path / 'config.toml'}:{line}: ") or got.startswith(
        f"~/{(tmp_path / 'config.toml').relative_to(Path.home())}:{line}: "
    ), got
    assert message in got, got
    assert "\n" not in got


def test_the_second_bad_account_is_named_by_its_own_line(tmp_path: Path) -> None:
    text = ACCOUNTS + '\n[[accounts]]\nname = "Prod"\nprofile = "p"\n'
    got = error_of(write(tmp_path, text))
    assert got.endswith(
        ':14: [[accounts]] name "Prod" is used twice (each account needs its own name)'
    )


def test_org_role_is_a_role_name(tmp_path: Path) -> None:
    got = error_of(write(tmp_path, 'org_role = "arn:aws:iam::1:role/x"\n'))
    assert 'org_role must be a role name like "OrganizationAccountAccessRole"' in got
    cfg = load_config(write(tmp_path, 'org_role = "fgtop-read"\norg_accounts = ["prod-*"]\n'))
    assert (cfg.org_role, cfg.org_accounts, cfg.multi_account) == ("fgtop-read", ["prod-*"], True)


def test_several_profiles_are_several_accounts(tmp_path: Path) -> None:
    path = write(tmp_path, ACCOUNTS)
    cfg = load_settings(args_of("--config", str(path), "--profile", "a", "--profile", "b"))
    assert cfg.profile is None
    assert cfg.accounts == [{"name": "a", "profile": "a"}, {"name": "b", "profile": "b"}]
    # One --profile names the one account: the file's accounts give way to it.
    one = load_settings(args_of("--config", str(path), "--profile", "a", "snapshot"))
    assert (one.profile, one.accounts, one.multi_account) == ("a", [], False)
    # Without --profile the file's accounts stand.
    assert [a["name"] for a in load_settings(args_of("--config", str(path))).accounts] == [
        "prod",
        "staging",
    ]


def test_org_role_from_the_command_line(tmp_path: Path) -> None:
    empty = write(tmp_path, "")
    cfg = load_settings(
        args_of(
            "--config", str(empty), "--profile", "mgmt", "--org-role", "fgtop-read",
            "--org-accounts", "prod-*,123456789012", "--org-accounts", "edge",
        )
    )  # fmt: skip
    assert (cfg.profile, cfg.org_role) == ("mgmt", "fgtop-read")
    assert cfg.org_accounts == ["prod-*", "123456789012", "edge"]
    with pytest.raises(ConfigError, match="--org-role takes one --profile"):
        load_settings(
            args_of("--config", str(empty), "--org-role", "r", "--profile", "a", "--profile", "b")
        )
    # The command line wins over the file's accounts...
    cli = load_settings(args_of("--config", str(write(tmp_path, ACCOUNTS)), "--org-role", "r"))
    assert (cli.org_role, cli.accounts) == ("r", [])
    # ...but a file cannot say both.
    both = write(tmp_path, 'org_role = "r"\n' + ACCOUNTS)
    assert error_of(both).endswith(
        ":1: org_role and [[accounts]] cannot both be set: the organization's accounts are "
        "discovered (narrow them with org_accounts)"
    )


def test_account_option_of_logs_and_insights(tmp_path: Path) -> None:
    empty = str(write(tmp_path, ""))
    assert (
        live_options(args_of("logs", "web", "--account", "prod", "--config", empty)).account
        == "prod"
    )
    assert (
        live_options(
            args_of("insights", "--service", "web", "q", "--account", "1234", "--config", empty)
        ).account
        == "1234"
    )
    assert args_of("diff", "web", "--account", "staging").account == "staging"


def test_serve_hands_the_accounts_to_its_recorder(tmp_path: Path) -> None:
    from fgtop.cli.serve import recorder_command

    args = args_of("serve", "--profile", "a", "--profile", "b", "--region", "eu-west-1")
    cmd = recorder_command(args, tmp_path)
    assert cmd[cmd.index("--profile") :] == [
        "--profile", "a", "--profile", "b", "--region", "eu-west-1",
    ]  # fmt: skip
    org = recorder_command(
        args_of("serve", "--org-role", "r", "--org-accounts", "prod-*", "--org-accounts", "x"),
        tmp_path,
    )
    assert org[org.index("--org-role") :] == [
        "--org-role", "r", "--org-accounts", "prod-*", "--org-accounts", "x",
    ]  # fmt: skip

"""The command line as a user meets it, through the installed ``fgtop`` command.

- an unknown command lists the commands (not argparse's "unrecognized arguments");
- each subcommand's ``--help`` lists only the options it uses;
- a subcommand checks what it needs before it prints a URL or creates a file: ``fgtop serve``
  and ``fgtop record`` without a region, with an unknown cluster, with a bad option, leave no
  URL, no file and no directory behind.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_setup_errors import FGTOP, clean_env

COMMANDS = ("demo", "snapshot", "record", "replay", "serve", "logs", "diff", "insights", "pricing")

AWS = {"--profile", "--region", "--config"}
ORG = {"--org-role", "--org-accounts"}
WATCH = {"--cluster", "--include-ec2", "--context", "--eks", "--all-pods"}
POLL = {"--refresh", "--api-budget", "--no-metrics"}
RECORDER = {"--retain", "--segment", "--redact", "--no-logs"}
OPTIONS: dict[str, set[str]] = {
    "": AWS | ORG | WATCH | POLL | {"--service", "--theme", "--version"},
    "demo": {"--theme"},
    "snapshot": AWS
    | ORG
    | WATCH
    | {"--no-metrics", "--format", "--redact", "--optional-wait", "--replay", "--at"},
    "record": AWS | ORG | WATCH | POLL | RECORDER | {"--output", "--duration"},
    "replay": {"--loop", "--follow", "--theme"},
    "serve": AWS
    | ORG
    | WATCH
    | POLL
    | RECORDER
    | {"--dir", "--demo", "--replay", "--host", "--port", "--token", "--public-url"}
    | {"--max-viewers", "--viewer-memory"},
    "logs": AWS | ORG | WATCH | {"--account", "--container", "--since", "--follow", "--previous"},
    "diff": AWS | {"--account", "--format", "--deployment", "--cluster"},
    "insights": AWS
    | ORG
    | {"--account", "--cluster", "--include-ec2", "--service", "--since", "--timeout", "--format"},
    "pricing": AWS,
}
"""The long options each command's ``--help`` lists (besides ``--help``): the ones it uses."""


def fgtop(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FGTOP, *args],
        capture_output=True,
        text=True,
        env=env or clean_env(home),
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=str(home),
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.mark.parametrize(
    ("args", "guess"),
    [(["bogus"], None), (["demoo"], "demo"), (["--region", "eu-west-1", "snapshto"], "snapshot")],
)
def test_an_unknown_command_lists_the_commands(
    home: Path, args: list[str], guess: str | None
) -> None:
    proc = fgtop(*args, home=home)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    word = next(a for a in args if not a.startswith("-") and a != "eu-west-1")
    assert line.startswith(f"fgtop: unknown command {word!r}"), line
    assert "unrecognized arguments" not in line
    assert ("did you mean" in line) == (guess is not None)
    if guess:
        assert f"did you mean {guess}?" in line
    listed = re.search(r"the commands are ([a-z, ]+), or none", line)
    assert listed and tuple(listed.group(1).split(", ")) == COMMANDS, line


@pytest.mark.parametrize("command", list(OPTIONS))
def test_each_help_lists_only_its_own_options(home: Path, command: str) -> None:
    proc = fgtop(*([command] if command else []), "--help", home=home)
    assert proc.returncode == 0, proc.stderr
    listed = set(re.findall(r"^\s+(?:-\w(?: \S+)?, )?(--[a-z0-9-]+)", proc.stdout, re.MULTILINE))
    assert listed - {"--help"} == OPTIONS[command]


def test_insights_help_says_what_its_service_is(home: Path) -> None:
    out = fgtop("insights", "--help", home=home).stdout
    assert "open straight" not in out
    assert re.search(r"--service NAME\s+the ECS service", out), out
    assert "usage: fgtop insights [-h] --service NAME" in " ".join(out.split())


def test_insights_without_service_says_so(home: Path) -> None:
    proc = fgtop("insights", "fields @message", home=home)
    assert proc.returncode == 2
    assert "the following arguments are required: --service" in proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--dir", "{served}", "--retain", "forever"], "fgtop: not a duration: 'forever'"),
        (["--dir", "{served}", "--port", "0"], "fgtop: --port must be 1-65535, not 0"),
        (
            ["--demo", "--region", "eu-west-1", "--dir", "{served}"],
            "fgtop: --region, --dir: for the live flight recorder; --demo serves a recording",
        ),
        (["--replay", "{home}/none.fgrec"], "fgtop: {home}/none.fgrec: no such file"),
        (["--replay", "{home}"], "fgtop: {home} is a directory with no fgtop recording"),
    ],
)
def test_serve_checks_its_options_before_it_prints_a_url(
    home: Path, args: list[str], expected: str
) -> None:
    served = home / "served"
    proc = fgtop("serve", *[a.format(home=home, served=served) for a in args], home=home)
    assert proc.returncode == 2
    assert proc.stdout == ""  # no "open http://..."
    (line,) = proc.stderr.splitlines()
    assert line.startswith(expected.format(home=home)), line
    assert not served.exists()


def test_serve_without_a_region_prints_no_url_and_makes_no_directory(home: Path) -> None:
    env = clean_env(home)
    del env["AWS_DEFAULT_REGION"]
    served = home / "served"
    proc = fgtop("serve", "--dir", str(served), home=home, env=env)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "fgtop: no AWS region: pass --region REGION or set AWS_REGION "
        "(or run `fgtop demo`, which needs no AWS account)"
    ]
    assert not served.exists()


def test_serve_with_an_unknown_cluster_prints_no_url(home: Path, moto: str) -> None:
    env = clean_env(home)
    env["AWS_ENDPOINT_URL"] = moto
    served = home / "served"
    proc = fgtop("serve", "--dir", str(served), "--cluster", "nope", home=home, env=env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "fgtop: unknown cluster nope in us-east-1 (check --cluster and --region)"
    ]
    assert not served.exists()


@pytest.mark.parametrize("target", ["x.fgrec", "flight/"])
def test_record_without_a_region_creates_nothing(home: Path, target: str) -> None:
    env = clean_env(home)
    del env["AWS_DEFAULT_REGION"]
    proc = fgtop("record", "-o", str(home / target), home=home, env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "fgtop: no AWS region: pass --region REGION or set AWS_REGION "
        "(or run `fgtop demo`, which needs no AWS account)"
    ]
    assert sorted(p.name for p in home.iterdir()) == []


def test_record_with_an_unknown_cluster_creates_nothing(home: Path, moto: str) -> None:
    env = clean_env(home)
    env["AWS_ENDPOINT_URL"] = moto
    out = home / "x.fgrec"
    proc = fgtop("record", "-o", str(out), "--cluster", "nope", home=home, env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "fgtop: unknown cluster nope in us-east-1 (check --cluster and --region)"
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--refresh", "0.1"], "fgtop: --refresh must be a number >= 1, got 0.1"),
        (["--retain", "10m", "--segment", "1h"], "fgtop: --retain (10m) must be at least one"),
        (["--duration", "soon"], "fgtop: "),
    ],
)
def test_record_with_a_bad_option_creates_nothing(
    home: Path, args: list[str], expected: str
) -> None:
    out = home / "flight"
    proc = fgtop("record", "-o", str(out), *args, home=home)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(expected), line
    assert not out.exists()

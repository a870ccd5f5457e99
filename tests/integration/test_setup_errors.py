"""Every setup error is one line and exit code 2, from the installed ``fgtop`` command.

Each case builds a clean home (no developer configuration), breaks one thing, runs the real
command in a subprocess and asserts the whole of stderr: one line that names the file, profile
or value and says what to do. No traceback, nothing on stdout.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FGTOP = shutil.which("fgtop", path=str(Path(sys.executable).parent)) or "fgtop"

BROKEN_YAML = "apiVersion: v1\nclusters: [\n  - : :\n"


def clean_env(home: Path) -> dict[str, str]:
    """No AWS or Kubernetes configuration but what a case writes; AWS calls go nowhere fast."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TERM="dumb",
        PYTHONPATH=str(ROOT),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_MAX_ATTEMPTS="1",
    )
    return env


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# name: (arrange(home, env) -> args, the one line expected, with {home} for the home folder)
Case = tuple[Callable[[Path, dict[str, str]], list[str]], str]

CASES: dict[str, Case] = {
    "AWS_PROFILE names a missing profile": (
        lambda home, env: (env.update(AWS_PROFILE="nope"), ["snapshot"])[1],
        "fgtop: AWS profile 'nope' (from AWS_PROFILE) not found in ~/.aws/config or "
        "~/.aws/credentials: check the name (`aws configure list-profiles`)",
    ),
    "--profile names a missing profile": (
        lambda home, env: ["snapshot", "--profile", "nope"],
        "fgtop: AWS profile 'nope' (from --profile) not found in ~/.aws/config or "
        "~/.aws/credentials: check the name (`aws configure list-profiles`)",
    ),
    "malformed ~/.aws/config": (
        lambda home, env: (write(home / ".aws" / "config", "[default\nregion = x\n"), ["snapshot"])[
            1
        ],
        "fgtop: cannot parse the AWS config file {home}/.aws/config: fix its syntax "
        "(`[profile NAME]` sections of `key = value` lines)",
    ),
    "AWS_ENDPOINT_URL is not a URL": (
        lambda home, env: (env.update(AWS_ENDPOINT_URL="not a url"), ["snapshot"])[1],
        "fgtop: AWS_ENDPOINT_URL='not a url' is not a URL: set it to one like "
        "https://host:port, or unset it",
    ),
    "malformed kubeconfig": (
        lambda home, env: (write(home / ".kube" / "config", BROKEN_YAML), ["snapshot"])[1],
        "fgtop: kubeconfig {home}/.kube/config:3 is not valid YAML (expected the node "
        "content, but found '-'): fix it, or point KUBECONFIG at another file",
    ),
    "malformed kubeconfig with --context": (
        lambda home, env: (
            write(home / ".kube" / "config", BROKEN_YAML),
            ["snapshot", "--context", "prod"],
        )[1],
        "fgtop: kubeconfig {home}/.kube/config:3 is not valid YAML (expected the node "
        "content, but found '-'): fix it, or point KUBECONFIG at another file",
    ),
    "regions is a string in the config file": (
        lambda home, env: (
            write(
                home / ".config" / "fgtop" / "config.toml", 'refresh = 5\nregions = "us-east-1"\n'
            ),
            ["snapshot"],
        )[1],
        'fgtop: ~/.config/fgtop/config.toml:2: regions must be a list, got "us-east-1" '
        '(write regions = ["us-east-1"])',
    ),
    "replay of a FIFO": (
        lambda home, env: ["replay", str(fifo(home / "pipe.fgrec"))],
        "fgtop: {home}/pipe.fgrec is a FIFO (named pipe), not an fgtop recording (give a file)",
    ),
    "replay of a device": (
        lambda home, env: ["replay", "/dev/zero"],
        "fgtop: /dev/zero is a device, not an fgtop recording (give a file)",
    ),
    "replay of a directory": (
        lambda home, env: ["replay", str(home)],
        "fgtop: {home} is a directory with no fgtop recording segment in it "
        "(fgtop record -o DIR writes them)",
    ),
    "record into a missing directory": (
        lambda home, env: ["record", "-o", str(home / "no" / "x.fgrec")],
        "fgtop: cannot write {home}/no/x.fgrec: No such file or directory (give -o a writable "
        "file); recording stopped, wrote 0 frames to {home}/no/x.fgrec",
    ),
    "record onto a full disk": (
        lambda home, env: ["record", "-o", "/dev/full"],
        "fgtop: cannot write /dev/full: No space left on device (give -o a writable file); "
        "recording stopped, wrote 0 frames to /dev/full",
    ),
}


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev")
@pytest.mark.parametrize("name", list(CASES))
def test_setup_error_is_one_line_and_exit_2(name: str, tmp_path: Path) -> None:
    import subprocess

    arrange, expected = CASES[name]
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    args = arrange(home, env)
    proc = subprocess.run(
        [FGTOP, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stderr.splitlines() == [expected.format(home=home)], proc.stderr
    assert proc.returncode == 2
    assert proc.stdout == ""

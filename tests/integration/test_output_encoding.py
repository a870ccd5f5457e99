"""Every command copes with an output that is not UTF-8 (ASCII glyphs instead of a crash), and
an unknown ``TZ`` is named in one line. The installed command runs as a subprocess against moto."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli_diff import IMAGE, _register

ROOT = Path(__file__).resolve().parents[2]


def fgtop(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    full = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "fgtop", *args], capture_output=True, env=full, timeout=90
    )


@pytest.fixture
def two_revisions(boto) -> None:  # noqa: ANN001
    _register(boto, tag="1", memory="2048", env={"NOTE": "café"})
    _register(boto, tag="2", memory="1024", env={"NOTE": "crème"})


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_diff_on_a_non_utf8_output(moto: str, two_revisions: None, encoding: str) -> None:
    proc = fgtop("diff", "shop-search:1", "shop-search:2", PYTHONIOENCODING=encoding)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = proc.stdout.decode(encoding)
    lines = out.splitlines()
    assert lines[0] == "shop-search:1 -> shop-search:2"
    assert f"  image: {IMAGE}:1 -> {IMAGE}:2" in lines
    if encoding == "ascii":  # data that the output cannot hold is escaped, never lost
        assert "  environment NOTE: caf\\xe9 -> cr\\xe8me" in lines
    else:
        assert "  environment NOTE: café -> crème" in lines


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("serve", "--help"),
        ("pricing", "show"),
        ("snapshot", "--format", "table", "--region", "us-east-1"),
        ("snapshot", "--region", "us-east-1"),
    ],
)
def test_every_command_on_an_ascii_output(moto: str, boto, args: tuple[str, ...]) -> None:  # noqa: ANN001
    from tests.fakes.aws_world import web_service

    web_service(moto, "us-east-1")
    proc = fgtop(*args, PYTHONIOENCODING="ascii")
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    proc.stdout.decode("ascii")  # nothing but ASCII came out


@pytest.mark.parametrize(
    ("tz", "named"),
    [
        ("Mars/Olympus", True),
        ("foo", True),
        ("Europe/Paris", False),
        (":Europe/Paris", False),
        ("UTC", False),
        ("EST5EDT", False),
        ("CET-1CEST,M3.5.0,M10.5.0/3", False),
        ("<+03>-3", False),
        ("", False),
    ],
)
def test_an_unknown_tz_is_named_in_one_line(tz: str, named: bool) -> None:
    proc = fgtop("pricing", "show", TZ=tz)
    assert proc.returncode == 0
    err = proc.stderr.decode()
    line = f"fgtop: TZ={tz} is not a time zone this system knows: times are shown in UTC\n"
    assert (line in err) is named, err
    if named:
        assert err.count("TZ=") == 1

"""``fgtop demo`` starts on what its first frame needs (issue 12: start in under a second).

The replay entry module is imported in a fresh interpreter; none of the live-only or
first-use-only modules may be loaded: the AWS and Kubernetes clients, aiohttp, PyYAML, Plotext,
the live composition and the sources.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

NOT_AT_START = (
    "aiobotocore",
    "botocore",
    "boto3",
    "kubernetes_asyncio",
    "aiohttp",
    "yaml",
    "plotext",
    "textual_plotext",
    "fgtop.engine",
    "fgtop.sources",
)


def loaded(module: str) -> list[str]:
    """The modules of :data:`NOT_AT_START` that importing ``module`` loads."""
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"bad = {NOT_AT_START!r}\n"
        "print(sorted({m for m in sys.modules for b in bad if m == b or m.startswith(b + '.')}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return eval(out.stdout)  # a printed list of strings


@pytest.mark.parametrize("module", ["fgtop.cli.replay", "fgtop.cli.main"])
def test_the_demo_path_imports_no_live_or_first_use_module(module: str) -> None:
    from fgtop.cli.main import COMMANDS

    assert COMMANDS["demo"][0] == "fgtop.cli.replay" == COMMANDS["replay"][0]
    assert loaded(module) == []


def test_the_check_can_fail() -> None:
    """A live subcommand does load them: the probe sees what it looks for. (The dashboard's
    module imports the live stack on its poller thread, once it runs, and `fgtop snapshot` only
    when it polls: not with --replay.)"""
    found = loaded("fgtop.cli.record")
    assert "botocore" in found and "fgtop.engine.build" in found and "fgtop.sources.ecs" in found

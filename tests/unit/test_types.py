"""The type checker runs with the tests: `python -m pytest` fails on any mypy error.

mypy reads its settings from pyproject.toml (``[tool.mypy]``): every module of ``fgtop`` and
``tests/typecheck`` (modules written for the checker only, e.g. that every feed satisfies
:class:`fgtop.feed.Feed`), strict for the data layers. Its cache lives in ``.mypy_cache``: a
cold run (CI) took 19 s on two busy cores, a warm one half a second.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)


def run_mypy(*args: str) -> subprocess.CompletedProcess[str]:
    """``mypy`` at the repository root (in its own process: it needs some 500 MB cold)."""
    command = [sys.executable, "-m", "mypy", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_mypy_finds_no_error() -> None:
    done = run_mypy()
    assert done.returncode == 0, (
        f"mypy found errors (`mypy` shows them):\n{done.stdout}{done.stderr}"
    )


def test_mypy_fails_on_a_planted_error(tmp_path: Path) -> None:
    """The check above can fail: here, a feed that lacks most of the protocol."""
    planted = tmp_path / "planted.py"
    planted.write_text(
        textwrap.dedent(
            """
            from fgtop.feed import Feed


            class HalfFeed:
                label = "HALF"


            def feed(f: HalfFeed) -> Feed:
                return f
            """
        )
    )
    done = run_mypy(str(planted))
    assert done.returncode == 1
    assert (
        'planted.py:10: error: Incompatible return value type (got "HalfFeed", expected "Feed")'
        in done.stdout
    )

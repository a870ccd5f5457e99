"""Errors the user must fix, and the one way a command reports them: one line, exit code 2."""

from __future__ import annotations

import sys

EXIT_USAGE = 2
"""The exit code of every command that stops on bad input."""


class SetupError(Exception):
    """A problem the user must fix before fgtop can start (one line, exit code 2)."""


class FeedError(Exception):
    """A request a feed cannot carry out (e.g. recording a replay): one line for the user."""


def fail(message: str) -> int:
    """Print one line to stderr and return the usage exit code."""
    print(f"fgtop: {message}", file=sys.stderr)
    return EXIT_USAGE

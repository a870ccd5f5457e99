"""Errors the user must fix, and the one way a command reports them: one line, exit code 2."""

from __future__ import annotations

import errno
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


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in words; "too many open files" says whose limit and how to raise it
    (the file being opened is not to blame)."""
    if exc.errno == errno.EMFILE:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        return f"too many open files: this process may open {soft} (raise it with ulimit -n)"
    if exc.errno == errno.ENFILE:
        return "too many open files on this system (the kernel's limit, fs.file-max)"
    return exc.strerror or str(exc)


def too_many_files(exc: BaseException) -> bool:
    """Whether ``exc`` is the process's or the system's open-files limit."""
    return isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE)

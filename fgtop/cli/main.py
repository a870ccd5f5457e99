"""The ``fgtop`` command line.

``fgtop [live options]`` opens the dashboard; subcommands: ``demo``, ``snapshot``,
``record``, ``replay``, ``serve``, ``logs``, ``diff``, ``insights``, ``pricing``. Bad input gets
one line on stderr and exit code 2, never a traceback; an unknown command lists the commands.
The parsers are :mod:`fgtop.cli.parser`.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Callable, Sequence

from fgtop.cli.output import check_surroundings
from fgtop.cli.parser import build_parser
from fgtop.errors import fail, os_reason, too_many_files

COMMANDS: dict[str, tuple[str, str]] = {
    "dashboard": ("fgtop.cli.dashboard", "run_dashboard"),
    "demo": ("fgtop.cli.replay", "run_demo"),
    "replay": ("fgtop.cli.replay", "run_replay"),
    "snapshot": ("fgtop.cli.snapshot", "run"),
    "record": ("fgtop.cli.record", "run"),
    "serve": ("fgtop.cli.serve", "run"),
    "logs": ("fgtop.cli.logs", "run"),
    "insights": ("fgtop.cli.insights", "run"),
    "pricing": ("fgtop.cli.pricing", "run"),
    "diff": ("fgtop.cli.diff_deployment", "run_diff"),
}
"""The dispatch table: subcommand -> (module, function). Modules load on use, so ``fgtop
--help`` and ``fgtop snapshot`` never import Textual, and ``fgtop demo`` never
imports the live composition (the sources, botocore, kubernetes_asyncio)."""


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, name = COMMANDS[command]
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fgtop`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    check_surroundings()
    parser, subs = build_parser()
    command, rest = split_command(parser, subs, argv)
    if command is not None and command not in subs:
        return fail(unknown_command(command, subs))
    if command == "snapshot":
        rest = joined_at(rest)
    args = subs[command].parse_args(rest) if command else parser.parse_args(rest)
    try:
        return _handler(command or "dashboard")(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`fgtop snapshot | head`): not an error worth a traceback.
        sys.stdout = None
        return 0
    except OSError as exc:
        if not too_many_files(exc):
            raise
        return fail(os_reason(exc))


def joined_at(argv: list[str]) -> list[str]:
    """``--at -5m`` as ``--at=-5m``: a time before the end starts with a dash, which argparse
    would take for an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] == "--at" and i + 1 < len(argv) and argv[i + 1][:1] == "-":
            out.append(f"--at={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def split_command(
    parser: argparse.ArgumentParser, subs: dict[str, argparse.ArgumentParser], argv: list[str]
) -> tuple[str | None, list[str]]:
    """Find the subcommand even after options (``fgtop --profile p snapshot``): its name and
    the other arguments. The first word that is no option's value is the command, whether it is
    one (the caller tells ``fgtop bogus`` from a command); None: no word, the dashboard."""
    takes_value = {
        opt for action in parser._actions if action.nargs != 0 for opt in action.option_strings
    }
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            break
        if token.startswith("-"):
            if token in takes_value:
                i += 1
        else:
            return token, argv[:i] + argv[i + 1 :]
        i += 1
    return None, argv


def unknown_command(word: str, subs: dict[str, argparse.ArgumentParser]) -> str:
    """The line for a word that is no command: the closest command, and every command."""
    close = difflib.get_close_matches(word, list(subs), n=1, cutoff=0.75)
    guess = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown command {word!r}{guess}; the commands are {', '.join(subs)}, or none for the "
        "live dashboard (fgtop --help says more)"
    )


if __name__ == "__main__":
    sys.exit(main())

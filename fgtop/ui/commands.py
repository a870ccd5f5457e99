"""The ``:`` commands (k9s style), each declared once: names, aliases, help, handler.

A kind's command (``:tasks``, ``:problems``) comes from its declaration in :mod:`fgtop.kinds`;
the others are :data:`FIXED`. The app carries a command out by calling its handler; the help
screen and the README's tables list them from here. No Textual here.

``parse_command(":svc")`` gives ``("services", None)``; ``parse_command("region eu-west-1")``
gives ``("region", "eu-west-1")``. Unknown commands raise :class:`CommandError` with the
closest valid name suggested.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fgtop.kinds import registry
from fgtop.kinds.base import Kind

Handler = Callable[[Any, "str | None"], None]
"""What carries a command out: called with the app and the argument (None: none given)."""


@dataclass(frozen=True)
class CommandSpec:
    """One command of the ``:`` line: its words, its help line, and what carries it out."""

    name: str
    """Canonical name, the one posted to the app."""
    aliases: tuple[str, ...] = ()
    help: str = ""
    arg: str | None = None
    """What the argument is: None (takes none), "filter" (free text), or a completion kind
    such as "accounts", "regions", "clusters", "contexts" or "themes" (values supplied by the
    app)."""
    arg_required: bool = False
    run: Handler | None = None
    """The handler (the app's method of the same purpose)."""
    arg_help: str = ""
    """How help shows the argument (``NAME``, ``[QUERY]`` when optional); '' for none or a
    filter."""


def _show_kind(kind: Kind[Any]) -> Handler:
    return lambda app, argument: app.show_kind(kind, argument)


def _theme(app: Any, argument: str | None) -> None:
    app.switch_theme(argument)


FIXED: tuple[CommandSpec, ...] = (
    CommandSpec(
        "cost", ("costs",), "running cost and right-sizing", run=lambda app, _: app.action_cost()
    ),
    CommandSpec(
        "logs",
        ("log",),
        "logs of the selection (optional filter)",
        "filter",
        run=lambda app, _: app.logs_of_selection(),
    ),
    CommandSpec(
        "insights",
        ("ins",),
        "Logs Insights over the selected service: canned queries, or QUERY",
        "filter",
        run=lambda app, argument: app.insights_of_selection(argument),
        arg_help="[QUERY]",
    ),
    CommandSpec(
        "account",
        ("acct",),
        "narrow every screen to an account (none: every account)",
        "accounts",
        run=lambda app, argument: app.narrow("account", argument),
        arg_help="[NAME]",
    ),
    CommandSpec(
        "region",
        ("reg",),
        "narrow every screen to a region (none: every region)",
        "regions",
        run=lambda app, argument: app.narrow("region", argument),
        arg_help="[NAME]",
    ),
    CommandSpec(
        "cluster",
        ("cl",),
        "narrow every screen to a cluster (none: every cluster)",
        "clusters",
        run=lambda app, argument: app.narrow("cluster", argument),
        arg_help="[NAME]",
    ),
    CommandSpec(
        "context",
        ("ctx",),
        "switch Kubernetes context",
        "contexts",
        arg_required=True,
        run=lambda app, argument: app.scope("context", argument or ""),
        arg_help="NAME",
    ),
    CommandSpec(
        "theme",
        ("themes",),
        "switch theme (none: next theme)",
        "themes",
        run=_theme,
        arg_help="NAME",
    ),
    CommandSpec("help", ("h", "?"), "keys and commands", run=lambda app, _: app.action_help()),
    CommandSpec(
        "quit",
        ("q", "q!", "exit"),
        "quit fgtop",
        run=lambda app, _: app.run_worker(app.action_quit()),
    ),
)
"""The commands that are not a kind's (a kind's come from its declaration)."""


def commands() -> tuple[CommandSpec, ...]:
    """Every command, in the order help lists them: each kind's, then :data:`FIXED`."""
    of_kinds = tuple(
        CommandSpec(
            kind.words.name,
            kind.words.aliases,
            kind.words.help,
            "filter" if kind.words.filter else None,
            run=_show_kind(kind),
        )
        for kind in registry.kinds()
        if kind.words is not None
    )
    return of_kinds + FIXED


class CommandError(ValueError):
    """A command line that cannot run; ``str()`` is the one-line message to show."""


def _index(specs: tuple[CommandSpec, ...]) -> dict[str, CommandSpec]:
    table: dict[str, CommandSpec] = {}
    for spec in specs:
        for word in (spec.name, *spec.aliases):
            table[word] = spec
    return table


def find_command(word: str, table: tuple[CommandSpec, ...] | None = None) -> CommandSpec:
    """The command a word names: an exact name or alias, else an unambiguous prefix.

    Raises:
        CommandError: No command, or an ambiguous prefix; names the closest ones.
    """
    index = _index(table if table is not None else commands())
    word = word.lower()
    if word in index:
        return index[word]
    matches = {spec.name: spec for w, spec in index.items() if w.startswith(word)}
    if len(matches) == 1:
        return next(iter(matches.values()))
    if len(matches) > 1:
        names = ", ".join(sorted(matches))
        raise CommandError(f'ambiguous command "{word}": {names}')
    close = difflib.get_close_matches(word, list(index), n=1, cutoff=0.5)
    hint = f' — did you mean ":{close[0]}"?' if close else " — :help lists commands"
    raise CommandError(f'unknown command "{word}"{hint}')


def parse_command(
    text: str, table: tuple[CommandSpec, ...] | None = None
) -> tuple[str, str | None]:
    """Resolve a command line to ``(canonical name, argument or None)``.

    Args:
        text: What the user typed, with or without the leading ``:``.
        table: The command table (default: :func:`commands`).

    Raises:
        CommandError: Empty, unknown, ambiguous, a missing argument or an unexpected one.
    """
    text = text.strip().removeprefix(":").strip()
    if not text:
        raise CommandError("empty command — :help lists commands")
    word, _, rest = text.partition(" ")
    spec = find_command(word, table)
    argument = rest.strip() or None
    if argument is None and spec.arg_required:
        raise CommandError(f":{spec.name} needs an argument ({spec.arg})")
    if argument is not None and spec.arg is None:
        raise CommandError(f":{spec.name} takes no argument")
    return spec.name, argument


def complete(
    text: str,
    values: dict[str, list[str]] | None = None,
    table: tuple[CommandSpec, ...] | None = None,
) -> list[str]:
    """Full command lines that complete ``text`` (empty when nothing fits).

    A command word completes to canonical names first (aliases only when no name fits),
    with a trailing space when the command takes an argument. After a command that takes a
    completable argument, the argument completes from ``values[kind]``.

    Args:
        text: The current input (without the leading ``:``).
        values: Completion values by kind ("regions", "contexts", "themes").
        table: The command table (default: :func:`commands`).
    """
    values = values or {}
    specs = table if table is not None else commands()
    text = text.lstrip().removeprefix(":")
    word, space, rest = text.partition(" ")
    if not space:
        low = word.lower()
        names = [s for s in specs if s.name.startswith(low)]
        if names:
            return [s.name + (" " if s.arg else "") for s in names]
        aliases = [(a, s) for s in specs for a in s.aliases if a.startswith(low)]
        return [a + (" " if s.arg else "") for a, s in aliases]
    try:
        spec = find_command(word, specs)
    except CommandError:
        return []
    if spec.arg is None or spec.arg == "filter":
        return []
    prefix = rest.lstrip()
    return [f"{word} {v}" for v in values.get(spec.arg, []) if v.startswith(prefix)]


def common_prefix(candidates: list[str]) -> str:
    """The longest common prefix of the candidates."""
    if not candidates:
        return ""
    first, last = min(candidates), max(candidates)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]

"""The ``:`` commands (k9s style): names, aliases, parsing and completion. No Textual here.

``parse_command(":svc")`` gives ``("services", None)``; ``parse_command("region eu-west-1")``
gives ``("region", "eu-west-1")``. Unknown commands raise :class:`CommandError` with the
closest valid name suggested.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    """One command of the ``:`` line."""

    name: str
    """Canonical name, the one posted to the app."""
    aliases: tuple[str, ...] = ()
    help: str = ""
    arg: str | None = None
    """What the argument is: None (takes none), "filter" (free text), or a completion kind
    such as "regions", "contexts" or "themes" (values supplied by the app)."""
    arg_required: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("services", ("svc", "service"), "services view (optional filter)", "filter"),
    CommandSpec("tasks", ("task",), "ECS tasks view (optional filter)", "filter"),
    CommandSpec("pods", ("pod", "po"), "EKS pods view (optional filter)", "filter"),
    CommandSpec("problems", ("problem", "prob"), "everything unhealthy, most severe first"),
    CommandSpec("timeline", ("tl", "events"), "merged timeline (optional filter)", "filter"),
    CommandSpec("cost", ("costs",), "running cost and right-sizing"),
    CommandSpec("logs", ("log",), "logs of the selection (optional filter)", "filter"),
    CommandSpec(
        "insights",
        ("ins",),
        "Logs Insights over the selected service: canned queries, or QUERY",
        "filter",
    ),
    CommandSpec("region", ("reg",), "switch to a region", "regions", arg_required=True),
    CommandSpec("context", ("ctx",), "switch Kubernetes context", "contexts", arg_required=True),
    CommandSpec("theme", ("themes",), "switch theme (none: next theme)", "themes"),
    CommandSpec("help", ("h", "?"), "keys and commands"),
    CommandSpec("quit", ("q", "q!", "exit"), "quit fgtop"),
)
"""Every command, in the order help lists them."""


class CommandError(ValueError):
    """A command line that cannot run; ``str()`` is the one-line message to show."""


def _index(commands: tuple[CommandSpec, ...]) -> dict[str, CommandSpec]:
    table: dict[str, CommandSpec] = {}
    for spec in commands:
        for word in (spec.name, *spec.aliases):
            table[word] = spec
    return table


def find_command(word: str, commands: tuple[CommandSpec, ...] = COMMANDS) -> CommandSpec:
    """The command a word names: an exact name or alias, else an unambiguous prefix.

    Raises:
        CommandError: No command, or an ambiguous prefix; names the closest ones.
    """
    table = _index(commands)
    word = word.lower()
    if word in table:
        return table[word]
    matches = {spec.name: spec for w, spec in table.items() if w.startswith(word)}
    if len(matches) == 1:
        return next(iter(matches.values()))
    if len(matches) > 1:
        names = ", ".join(sorted(matches))
        raise CommandError(f'ambiguous command "{word}": {names}')
    close = difflib.get_close_matches(word, list(table), n=1, cutoff=0.5)
    hint = f' — did you mean ":{close[0]}"?' if close else " — :help lists commands"
    raise CommandError(f'unknown command "{word}"{hint}')


def parse_command(
    text: str, commands: tuple[CommandSpec, ...] = COMMANDS
) -> tuple[str, str | None]:
    """Resolve a command line to ``(canonical name, argument or None)``.

    Args:
        text: What the user typed, with or without the leading ``:``.
        commands: The command table.

    Raises:
        CommandError: Empty, unknown, ambiguous, a missing argument or an unexpected one.
    """
    text = text.strip().removeprefix(":").strip()
    if not text:
        raise CommandError("empty command — :help lists commands")
    word, _, rest = text.partition(" ")
    spec = find_command(word, commands)
    argument = rest.strip() or None
    if argument is None and spec.arg_required:
        raise CommandError(f":{spec.name} needs an argument ({spec.arg})")
    if argument is not None and spec.arg is None:
        raise CommandError(f":{spec.name} takes no argument")
    return spec.name, argument


def complete(
    text: str,
    values: dict[str, list[str]] | None = None,
    commands: tuple[CommandSpec, ...] = COMMANDS,
) -> list[str]:
    """Full command lines that complete ``text`` (empty when nothing fits).

    A command word completes to canonical names first (aliases only when no name fits),
    with a trailing space when the command takes an argument. After a command that takes a
    completable argument, the argument completes from ``values[kind]``.

    Args:
        text: The current input (without the leading ``:``).
        values: Completion values by kind ("regions", "contexts", "themes").
        commands: The command table.
    """
    values = values or {}
    text = text.lstrip().removeprefix(":")
    word, space, rest = text.partition(" ")
    if not space:
        low = word.lower()
        names = [s for s in commands if s.name.startswith(low)]
        if names:
            return [s.name + (" " if s.arg else "") for s in names]
        aliases = [(a, s) for s in commands for a in s.aliases if a.startswith(low)]
        return [a + (" " if s.arg else "") for a, s in aliases]
    try:
        spec = find_command(word, commands)
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

"""fgtop's own commands in Textual's command palette (``ctrl+p``).

Built from the ``:`` command declarations (:func:`fgtop.ui.commands.commands`): each command
with its help line, and for a command whose argument completes (``:region``, ``:ctx``,
``:theme``) one entry per value the app offers. Choosing one runs it as ``:`` would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from fgtop.ui.commands import commands

COMPLETES = {
    "accounts": "account",
    "regions": "region",
    "clusters": "cluster",
    "contexts": "context",
}
"""Completion kinds whose values the app's ``scope_values`` gives (by its word)."""


def palette_entries(app: Any) -> Iterator[tuple[str, str, Callable[[], None]]]:
    """(``:text``, help, what runs it) for every command, in the order help lists them."""
    for spec in commands():
        if spec.arg in COMPLETES or spec.arg == "themes":
            values = (
                app.scope_values(COMPLETES[spec.arg]) if spec.arg in COMPLETES else app.theme_names
            )
            for value in values:
                yield f":{spec.name} {value}", spec.help, partial(app.run_command, spec.name, value)
            if spec.arg_required:
                continue
        yield f":{spec.name}", spec.help, partial(app.run_command, spec.name, None)


class FgtopCommands(Provider):
    """The ``:`` commands, for the command palette."""

    async def discover(self) -> Hits:
        """Every command (before anything is typed)."""
        for text, help_text, run in palette_entries(self.app):
            yield DiscoveryHit(text, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """The commands matching what is typed (a leading ``:`` is optional)."""
        matcher = self.matcher(query.removeprefix(":"))
        for text, help_text, run in palette_entries(self.app):
            score = max(matcher.match(text[1:]), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, help=help_text)

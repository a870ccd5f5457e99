"""Pilot tests of the ``:`` command line in a tiny app that binds ``:`` to open it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Button, Static

from fgtop.ui.commands import CommandError, commands, complete, parse_command
from fgtop.ui.widgets.command_line import CommandLine


class CommandApp(App[None]):
    """Opens the command line on ``:`` and records what it posts."""

    BINDINGS: ClassVar[list[BindingType]] = [(":", "open_command", "Command")]

    def __init__(self, history_path: Path | None = None) -> None:
        super().__init__()
        self.history_path = history_path
        self.submitted: list[tuple[str, str | None]] = []
        self.closed = 0

    def compose(self) -> ComposeResult:
        yield Button("grid", id="grid")
        yield CommandLine(history_path=self.history_path, id="cmd")

    def on_mount(self) -> None:
        line = self.query_one(CommandLine)
        line.set_completions("regions", ["eu-west-1", "eu-central-1", "us-east-1"])
        line.set_completions("themes", ["fgtop-dark", "fgtop-light", "colorblind"])
        self.query_one("#grid").focus()

    def action_open_command(self) -> None:
        self.query_one(CommandLine).open()

    def on_command_line_submitted(self, message: CommandLine.Submitted) -> None:
        self.submitted.append((message.command, message.argument))

    def on_command_line_closed(self, message: CommandLine.Closed) -> None:
        self.closed += 1


def hint_text(app: App[None]) -> str:
    hint = app.query_one("#hint", Static)
    return str(hint.render()) if hint.has_class("-shown") else ""


async def test_colon_opens_and_alias_submits_canonical_command() -> None:
    app = CommandApp()
    async with app.run_test() as pilot:
        line = app.query_one(CommandLine)
        assert not line.display
        await pilot.press(":")
        assert line.is_open and line.display
        assert app.focused is line.input
        await pilot.press(*"svc", "enter")
        await pilot.pause()
        assert app.submitted == [("services", None)]
        assert not line.is_open
        assert app.focused is app.query_one("#grid")  # focus goes back
        await pilot.press(":", *"region eu-west-1", "enter")
        await pilot.pause()
        assert app.submitted[-1] == ("region", "eu-west-1")
        await pilot.press(":", ":", "q", "enter")  # a ':' typed inside the line is text
        await pilot.pause()
        assert app.submitted[-1] == ("quit", None)


async def test_unknown_command_shows_one_line_with_suggestion_and_stays_open() -> None:
    app = CommandApp()
    async with app.run_test() as pilot:
        await pilot.press(":", *"problms", "enter")
        await pilot.pause()
        line = app.query_one(CommandLine)
        assert app.submitted == []
        assert line.is_open
        text = hint_text(app)
        assert 'unknown command "problms"' in text and ":problems" in text
        assert "\n" not in text
        # fixing the text clears the error, and enter then runs it
        line.input.value = "problems"
        await pilot.pause()
        assert hint_text(app) == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == [("problems", None)]


async def test_escape_closes_without_submitting() -> None:
    app = CommandApp()
    async with app.run_test() as pilot:
        await pilot.press(":", *"pods", "escape")
        await pilot.pause()
        line = app.query_one(CommandLine)
        assert not line.is_open and app.submitted == [] and app.closed == 1
        assert app.focused is app.query_one("#grid")
        await pilot.press(":")
        assert line.input.value == ""  # the abandoned text is gone


async def test_tab_completes_commands_and_arguments_and_cycles() -> None:
    app = CommandApp()
    async with app.run_test() as pilot:
        line = app.query_one(CommandLine)
        await pilot.press(":", "p", "r", "tab")
        assert line.input.value == "problems"
        line.input.value = ""
        await pilot.press(*"reg", "tab")
        assert line.input.value == "region "
        await pilot.press("e", "tab")
        assert line.input.value == "region eu-"  # the common prefix first
        assert hint_text(app) == "eu-west-1  eu-central-1"
        await pilot.press("tab")
        assert line.input.value == "region eu-west-1"
        await pilot.press("tab")
        assert line.input.value == "region eu-central-1"
        await pilot.press("tab")
        assert line.input.value == "region eu-west-1"
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == [("region", "eu-west-1")]
        # values supplied later by the app are used
        line.set_completions("contexts", ["prod-eks", "staging-eks"])
        await pilot.press(":", *"ctx st", "tab")
        assert line.input.value == "ctx staging-eks"
        line.input.value = "zz"
        await pilot.press("tab")
        assert "no completion" in hint_text(app)


async def test_history_recalls_previous_commands_and_persists(tmp_path: Path) -> None:
    history = tmp_path / "state" / "history"
    app = CommandApp(history_path=history)
    async with app.run_test() as pilot:
        line = app.query_one(CommandLine)
        for command in ("svc", "tasks", "theme colorblind"):
            await pilot.press(":", *command, "enter")
        await pilot.pause()
        await pilot.press(":", *"lo")  # a draft, restored after walking the history
        await pilot.press("up")
        assert line.input.value == "theme colorblind"
        await pilot.press("up", "up")
        assert line.input.value == "svc"
        await pilot.press("up")
        assert line.input.value == "svc"  # stays at the oldest
        await pilot.press("down")
        assert line.input.value == "tasks"
        await pilot.press("down", "down")
        assert line.input.value == "lo"
        await pilot.press("up", "enter")
        await pilot.pause()
    assert app.submitted[-1] == ("theme", "colorblind")
    assert history.read_text().splitlines() == ["svc", "tasks", "theme colorblind"]

    again = CommandApp(history_path=history)
    async with again.run_test() as pilot:
        await pilot.press(":", "up")
        assert again.query_one(CommandLine).input.value == "theme colorblind"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":svc", ("services", None)),
        ("services", ("services", None)),
        ("  :po  kube-system ", ("pods", "kube-system")),
        ("tasks", ("tasks", None)),
        (":problems", ("problems", None)),
        ("tl", ("timeline", None)),
        ("cost", ("cost", None)),
        ("logs", ("logs", None)),
        (":region us-east-1", ("region", "us-east-1")),
        (":region", ("region", None)),  # alone: every region again
        (":acct edge", ("account", "edge")),
        (":account", ("account", None)),
        (":cl shop-prod", ("cluster", "shop-prod")),
        (
            ":ctx arn:aws:eks:eu-west-1:1:cluster/x",
            ("context", "arn:aws:eks:eu-west-1:1:cluster/x"),
        ),
        (":theme high-contrast", ("theme", "high-contrast")),
        (":theme", ("theme", None)),
        (":q", ("quit", None)),
        (":quit", ("quit", None)),
        (":help", ("help", None)),
        (":SVC", ("services", None)),
        (":prob", ("problems", None)),
    ],
)
def test_parse_command_resolves_aliases(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (":", "empty command"),
        (":sevrices", ':services"?'),
        (":ctx", "needs an argument"),
        (":quit now", "takes no argument"),
        (":t", "ambiguous"),
        (":xyzzy", "unknown command"),
    ],
)
def test_parse_command_errors(text: str, fragment: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert fragment in str(err.value)


def test_complete_prefers_names_then_aliases() -> None:
    assert complete("c") == ["cost", "cluster ", "context "]
    assert complete("ct") == ["ctx "]
    assert complete("theme ", {"themes": ["a", "b"]}) == ["theme a", "theme b"]
    assert complete("svc x") == []  # a filter argument has nothing to complete


def test_issue_aliases_are_exact_names_not_just_prefixes() -> None:
    words = {word: spec.name for spec in commands() for word in (spec.name, *spec.aliases)}
    for alias, name in {
        "svc": "services",
        "services": "services",
        "tasks": "tasks",
        "pods": "pods",
        "problems": "problems",
        "timeline": "timeline",
        "cost": "cost",
        "logs": "logs",
        "region": "region",
        "ctx": "context",
        "theme": "theme",
        "q": "quit",
        "quit": "quit",
        "help": "help",
    }.items():
        assert words.get(alias) == name, alias

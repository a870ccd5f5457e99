"""Keys and ``:`` commands are declared once: help and the README are generated (issue 21)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from textual.widgets import Static

from fgtop.ui.app import FgtopApp
from fgtop.ui.commands import commands
from fgtop.ui.keys import key_rows
from fgtop.ui.screens.help import HelpScreen
from fgtop.ui.screens.logs import LogsScreen
from tests.ui.helpers import demo_app, plain, settle

ROOT = Path(__file__).resolve().parents[2]


def keys_table_module():  # noqa: ANN201 - the bench script, loaded as a module
    spec = importlib.util.spec_from_file_location("keys_table", ROOT / "bench" / "keys_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_tables_are_the_generated_ones() -> None:
    kt = keys_table_module()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, table in kt.tables().items():
        assert kt.readme_table(readme, name) == table, (
            f"README.md's {name} is stale: run python bench/keys_table.py --write"
        )
    # The check can fail: a key the README does not list.
    assert (
        kt.readme_table(readme.replace("| `q` | quit |", "| `Q` | quit |"), "keys-table")
        != (kt.tables()["keys-table"])
    )


def test_every_command_and_app_key_is_in_the_tables() -> None:
    kt = keys_table_module()
    made = kt.tables()
    for spec in commands():
        assert f"`:{spec.name}" in made["commands-table"]
        for alias in spec.aliases:
            assert f"`:{alias}`" in made["commands-table"]
    rows = key_rows(FgtopApp.BINDINGS)
    assert [r.keys for r in rows[:2]] == ["q", "esc"]  # everywhere first, with no screen
    helped = {b.action for b in FgtopApp.BINDINGS if b.tooltip}
    assert helped == {b.action for b in FgtopApp.BINDINGS}  # every app key has a help text


async def test_help_lists_the_current_screens_keys_first_and_every_command() -> None:
    app, _, _ = demo_app(20)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one(Static).content, width=200)
        lines = [line for line in text.splitlines() if "│" in line or "┃" in line]
        first = next(line for line in lines if "dashboard" in line or "everywhere" in line)
        assert "dashboard" in first  # the dashboard's own keys before everywhere's
        for spec in commands():
            assert f":{spec.name}" in text
        await pilot.press("escape")
        snap = app.snapshot
        task = next(t for t in snap.tasks if t.last_status == "RUNNING")
        app.open_logs(task.arn)
        await settle(pilot)
        assert isinstance(app.screen, LogsScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        text = plain(app.screen.query_one(Static).content, width=200)
        rows = [line for line in text.splitlines() if "│" in line]
        assert "logs" in rows[0] and "pick a container" in text

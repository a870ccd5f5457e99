"""Pilot tests of the describe view on the demo recording: masking, YAML, task definition, copy."""

from __future__ import annotations

import json

import yaml
from textual.widgets import Static

from fgtop.text.masking import MASK
from fgtop.ui.screens.describe import DescribeScreen
from tests.ui.helpers import plain
from tests.ui.test_problems_screen import SIZE, demo_app, oom_problem, select, settle

SECRET = "pr0d-shop-Xq7!v9"
"""The demo task definitions' DB_PASSWORD (also inside DATABASE_URL)."""


def env_of(doc: dict) -> tuple[dict[str, str], list[dict]]:
    """The first container definition's environment (name -> value) and secrets."""
    container = doc["containerDefinitions"][0]
    return {e["name"]: e["value"] for e in container["environment"]}, container["secrets"]


async def test_task_describe_masks_secrets_and_toggles() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problem = oom_problem(app)
        await select(pilot, app.screen, problem)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DescribeScreen) and screen.key == problem.target
        doc = json.loads(screen.text)
        assert doc["arn"] == problem.target and doc["stop_code"]
        env, secrets = env_of(doc["taskDefinition"])
        assert env["DB_PASSWORD"] == MASK
        assert env["DATABASE_URL"].startswith("postgres://shop_recs:****@")
        assert env["LOG_LEVEL"] == "info"
        assert secrets and all(set(s) <= {"name", "valueFrom"} for s in secrets)
        assert any(s["valueFrom"].startswith("arn:aws:secretsmanager:") for s in secrets)
        assert SECRET not in screen.text
        body = plain(screen.query_one("#describe-body", Static).content, width=200)
        assert "DB_PASSWORD" in body and SECRET not in body
        # y: the same masked document as YAML.
        await pilot.press("y")
        await pilot.pause()
        assert not screen.text.lstrip().startswith("{")
        assert yaml.safe_load(screen.text) == doc
        # t: the task definition alone (still masked, still YAML); t again: back to the task.
        await pilot.press("t")
        await pilot.pause()
        td = yaml.safe_load(screen.text)
        assert td["taskDefinitionArn"] == doc["task_definition"]
        assert env_of(td)[0]["DB_PASSWORD"] == MASK and SECRET not in screen.text
        title = plain(screen.query_one("#describe-title", Static).render())
        assert title.startswith("task definition shop-recs:")
        await pilot.press("t", "y")
        await pilot.pause()
        assert json.loads(screen.text) == doc
        # c: the masked text goes to the clipboard.
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == screen.text and SECRET not in app.clipboard
        assert any(n.message == "copied" for n in app.told)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DescribeScreen)


async def test_service_pod_and_vanished() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        service = next(s for s in app.snapshot.services if s.name == "shop-recs")
        app.open_describe(service.arn)
        await pilot.pause()
        screen = app.screen
        assert json.loads(screen.text)["serviceArn"] == service.arn
        await pilot.press("t")
        await pilot.pause()
        assert json.loads(screen.text)["taskDefinitionArn"] == service.task_definition
        assert SECRET not in screen.text
        await pilot.press("escape")
        pod = app.snapshot.pods[0]
        app.open_describe(pod.key)
        await pilot.pause()
        doc = json.loads(app.screen.text)
        assert doc["metadata"]["name"] == pod.name
        await pilot.press("t")  # a pod has no task definition: it says so and stays
        await pilot.pause()
        assert json.loads(app.screen.text) == doc
        await pilot.press("escape")
        gone = service.arn.replace("shop-recs", "no-such-service")
        app.open_describe(gone)
        await pilot.pause()
        title = plain(app.screen.query_one("#describe-title", Static).render(), width=200)
        assert "is no longer reported" in title and app.screen.text == ""

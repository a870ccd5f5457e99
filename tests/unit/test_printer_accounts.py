"""``fgtop snapshot``: the account of every object, in JSON and in the table."""

from __future__ import annotations

import dataclasses
import io
import json

from fgtop.model import Account, Snapshot
from fgtop.printer.documents import print_json, print_table
from fgtop.text.sanitize import clean
from tests.unit.test_recording_accounts import PROD, STAGING, two_accounts


def test_the_table_has_an_account_column_with_several_accounts() -> None:
    snap = two_accounts(2)
    # A name is outside text: a control character in it is shown, never sent to the terminal.
    accounts = (snap.accounts[0], Account(STAGING, "stag\x1b[31ming"))
    out = io.StringIO()
    print_table(dataclasses.replace(snap, accounts=accounts), out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:2] == ["SERVICE", "RUN/DES"] and lines[0].split()[-1] == "ACCOUNT"
    assert [line.split()[-1] for line in lines[1:3]] == ["prod", clean("stag\x1b[31ming")]
    assert "\x1b" not in out.getvalue()
    tasks = lines[lines.index("") + 1 :]
    assert tasks[0].split()[:2] == ["TASK", "STATUS"] and tasks[0].split()[-1] == "ACCOUNT"
    assert sorted({row.split()[-1] for row in tasks[1:5]}) == sorted(
        ["prod", clean("stag\x1b[31ming")]
    )
    # One account: no ACCOUNT column at all.
    one = io.StringIO()
    print_table(Snapshot(snap.taken_at, account=PROD, services=snap.services[:1]), one)
    assert one.getvalue().split()[0] == "SERVICE" and "ACCOUNT" not in one.getvalue()


def test_the_json_names_the_accounts_and_their_health() -> None:
    out = io.StringIO()
    print_json(two_accounts(2), out)
    doc = json.loads(out.getvalue())
    assert [(a["id"], a["name"], a["error"] is None) for a in doc["accounts"]] == [
        (PROD, "prod", True),
        (STAGING, "staging", False),
    ]
    assert doc["accounts"][0]["credentials_expire_at"] == "2026-11-28T10:48:00Z"
    assert doc["accounts"][1]["role_arn"] == f"arn:aws:iam::{STAGING}:role/fgtop-read"
    assert [s["account"] for s in doc["services"]] == [PROD, STAGING]
    assert {t["account"] for t in doc["tasks"]} == {PROD, STAGING}
    assert [s["account"] for s in doc["sources"]] == [PROD, STAGING]
    assert doc["pods"][0]["account"] is None


def test_the_insights_scope_of_a_task_keeps_to_its_account() -> None:
    from fgtop.ui.screens.insights import insights_scope

    snap = two_accounts(3)
    task = next(t for t in snap.tasks if t.account == STAGING)
    scope = insights_scope(snap, task)
    assert not isinstance(scope, str)
    assert {t.account for t in scope.tasks} == {STAGING} and len(scope.tasks) == 3

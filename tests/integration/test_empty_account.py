"""An account with no Fargate task says so, against moto with an empty account: the dashboard's
services table and task grid and ``fgtop snapshot --format table`` say "no Fargate tasks in
us-east-1 for profile default (account 123456789012)" instead of showing nothing, once a
complete poll found none; not while a region has not answered, nor when listing the tasks
was denied (nothing is known then).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from fgtop.config import Config
from fgtop.cost.prices import load_price_table
from fgtop.derive.pipeline import Deriver
from fgtop.engine.build import LiveOptions, build_engine
from fgtop.engine.live_feed import LiveFeed
from fgtop.ui.app import create_app
from fgtop.ui.widgets.services_table import ServicesTable
from fgtop.ui.widgets.task_grid import TaskGrid
from tests.fakes.aws_world import client, network, register, run
from tests.fakes.fault_proxy import FaultProxy
from tests.ui.helpers import until

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
"""moto's account."""
LINE = f"no Fargate tasks in us-east-1 for profile default (account {ACCOUNT})"


def snapshot_table(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fgtop", "snapshot", "--format", "table", "--no-metrics", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})),
        timeout=60,
        cwd=str(ROOT),
    )


def test_snapshot_table_of_an_empty_account_says_so(moto: str) -> None:
    proc = snapshot_table("--region", "us-east-1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines.count(LINE) == 1, proc.stdout
    # Under the services table's header, where the rows would be.
    assert lines[0].startswith("SERVICE") and lines[1] == LINE


def test_a_cluster_without_tasks_in_two_regions_names_both(moto: str) -> None:
    client("ecs", "us-east-1", moto).create_cluster(clusterName="empty")
    proc = snapshot_table("--region", "us-east-1", "--region", "eu-west-1")
    assert proc.returncode == 0, proc.stderr
    assert (
        f"no Fargate tasks in us-east-1, eu-west-1 for profile default (account {ACCOUNT})"
        in proc.stdout.splitlines()
    )


def test_a_named_profile_is_named(moto: str, tmp_path: Path) -> None:
    aws = tmp_path / "aws"
    aws.mkdir()
    (aws / "credentials").write_text("[dev]\naws_access_key_id = a\naws_secret_access_key = b\n")
    (aws / "config").write_text("[profile dev]\nregion = us-east-1\n")
    proc = snapshot_table(
        "--profile",
        "dev",
        env={
            "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
            "AWS_CONFIG_FILE": str(aws / "config"),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert f"no Fargate tasks in us-east-1 for profile dev (account {ACCOUNT})" in proc.stdout


def test_an_account_with_a_task_says_nothing_of_the_kind(moto: str) -> None:
    ecs = client("ecs", "us-east-1", moto)
    ecs.create_cluster(clusterName="prod")
    run(ecs, "prod", register(ecs, "web"), network("us-east-1", moto), 1)
    proc = snapshot_table("--region", "us-east-1")
    assert proc.returncode == 0, proc.stderr
    assert "no Fargate tasks" not in proc.stdout


async def test_tasks_not_listed_is_not_no_tasks(moto: str) -> None:
    client("ecs", "us-east-1", moto).create_cluster(clusterName="prod")
    async with FaultProxy(moto) as proxy:
        proxy.deny.add("ListTasks")
        proc = await asyncio.to_thread(
            snapshot_table, "--region", "us-east-1", env={"AWS_ENDPOINT_URL": proxy.url}
        )
    assert proc.returncode == 0, proc.stderr
    assert "no Fargate tasks" not in proc.stdout
    assert "tasks not listed" in proc.stdout


async def test_the_dashboard_of_an_empty_account_says_so(moto: str) -> None:
    engine = await build_engine(LiveOptions(config=Config(regions=["us-east-1"]), metrics=False))
    config = Config()
    app = create_app(
        LiveFeed(engine, Deriver.from_config(config, load_price_table())), config=config
    )
    async with app.run_test(size=(160, 40)) as pilot:
        services = app.screen.query_one(ServicesTable)
        grid = app.screen.query_one(TaskGrid)
        await until(pilot, lambda: services.empty_text is not None, "the empty line", timeout=30)
        for table in (services, grid):
            assert table.row_count == 0
            assert table.render_line(1).text.strip() == LINE
        # A filter matching nothing in a table that has rows is not an empty account: no line
        # appears where there are rows (the line is only for a table with none at all).
        assert services.render_line(2).text.strip() == ""

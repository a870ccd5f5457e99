"""`fgtop pricing update|show` as subprocesses.

``update`` reaches the recorded GetProducts pages (tests/data/pricing/) through a tiny aiohttp
server speaking the Price List API's JSON protocol, via AWS_ENDPOINT_URL; the test's event loop
keeps serving while the command runs (asyncio subprocesses).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from fgtop.cost.prices import BUNDLED_PATH
from tests.integration.test_pricing_update import FakePricing

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def pricing() -> AsyncIterator[tuple[FakePricing, str]]:
    """The fake Price List API and its URL."""
    fake = FakePricing()
    app = web.Application()
    app.router.add_post("/", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, f"http://127.0.0.1:{port}"
    await runner.cleanup()


def env_for(cache: Path, endpoint: str | None = None, *, creds: bool = True) -> dict[str, str]:
    """The subprocess environment: its own cache directory, the fake endpoint, fake keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["XDG_CACHE_HOME"] = str(cache)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_MAX_ATTEMPTS"] = "1"
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    if creds:
        env["AWS_ACCESS_KEY_ID"] = "testing"
        env["AWS_SECRET_ACCESS_KEY"] = "testing"
    return env


async def fgtop(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run ``python -m fgtop ARGS`` without blocking the loop; (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fgtop",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def row(text: str, region: str) -> list[str]:
    """The cells of a region's row in ``pricing show``."""
    return next(line.split() for line in text.splitlines() if line.startswith(region + " "))


async def test_update_then_show(pricing: tuple[FakePricing, str], tmp_path: Path) -> None:
    fake, url = pricing
    cache = tmp_path / "cache"
    bundled_date = json.loads(BUNDLED_PATH.read_text())["taken_at"]

    updated, bundled, no_creds = await asyncio.gather(
        fgtop(env_for(cache, url), "pricing", "update"),
        fgtop(env_for(tmp_path / "empty"), "pricing", "show"),
        fgtop(env_for(tmp_path / "nc", url, creds=False), "pricing", "update"),
    )

    # update: one line, where it wrote and the table's date, from three pages of GetProducts
    code, out, err = updated
    assert code == 0, err
    path = cache / "fgtop" / "prices.json"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert out.count("\n") == 1 and err == ""
    assert out.startswith(f"fgtop: wrote {path} (Fargate prices of {today}, 2 regions); ")
    # the refreshed table wins over the bundled one, also when both were taken the same day
    assert today >= bundled_date
    assert out.rstrip().endswith("now in use")
    assert [r.get("NextToken") for r in fake.requests] == [None, "token-page-2", "token-page-3"]
    doc = json.loads(path.read_text())
    assert doc["taken_at"] == today and sorted(doc["regions"]) == ["eu-west-1", "us-east-1"]

    # show with no cache: the bundled table
    code, out, err = bundled
    assert code == 0 and err == ""
    assert out.splitlines()[0] == f"Fargate price table of {bundled_date} (bundled with fgtop)"
    assert "Spot: Linux x86 only" in out and "none yet: `fgtop pricing update`" in out
    assert "Spot ARM" not in out  # ARM64 tasks cannot run on Fargate Spot
    us = row(out, "us-east-1")
    assert us[1:5] == ["0.04048", "0.004445", "0.03238", "0.00356"]
    assert us[5].endswith("~*") and all(not c.endswith("~") for c in us[1:5])
    assert us[7] == "derived"  # us-east-1's Spot figure is scaled, and says so
    eu = row(out, "eu-west-1")
    assert eu[5:8] == ["0.01334053~", "0.00146489~", "undated"]  # published, undated quote
    spot_lines = out.split("Spot figures:\n", 1)[1].splitlines()
    assert any(ln.strip().startswith("eu-west-1: AWS Fargate pricing page") for ln in spot_lines)
    assert len(out.splitlines()) > 15  # the ten largest regions and more

    # no credentials: one line, exit 2, nothing written
    code, out, err = no_creds
    assert code == 2 and out == "" and err.count("\n") == 1 and "no AWS credentials" in err
    assert not (tmp_path / "nc").exists()

    # a refreshed table newer than the bundled one is the one in use and shown as such
    doc["taken_at"] = "2999-12-31"
    path.write_text(json.dumps(doc))
    fake.status = 400  # and a denied refresh changes nothing
    shown, denied = await asyncio.gather(
        fgtop(env_for(cache), "pricing", "show"),
        fgtop(env_for(tmp_path / "denied", url), "pricing", "update"),
    )
    code, out, err = shown
    assert code == 0, err
    assert out.splitlines()[0] == f"Fargate price table of 2999-12-31 (cache {path})"
    assert "AWS Price List API" in out.splitlines()[1]
    assert [line.split()[0] for line in out.splitlines()[7:9]] == ["eu-west-1", "us-east-1"]
    eu = row(out, "eu-west-1")
    assert eu[3:5] == ["0.03238", "0.00356"]  # ARM: published in the recorded pages
    # Spot: from the recorded EU-SpotUsage pages, dated with their effective date
    assert eu[5:8] == ["0.01334053~", "0.00146489~", "2026-10-15"]
    assert row(out, "us-east-1")[5:8] == ["0.012444~", "0.0013666~", "2026-11-01"]
    code, out, err = denied
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("fgtop: pricing update failed: access denied: needs pricing:GetProducts")
    assert not (tmp_path / "denied" / "fgtop" / "prices.json").exists()

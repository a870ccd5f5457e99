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


def row(text: str, region: str, arch: str = "x86") -> list[str]:
    """The cells of a region's x86 row in ``pricing show``, or (``arch="ARM"``) of the ARM row
    under it (which starts with the architecture: the region is not repeated)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(region + " "))
    return lines[at].split() if arch == "x86" else lines[at + 1].split()


def significant_digits(cell: str) -> int:
    """How many significant digits a price cell of ``pricing show`` has (marks dropped)."""
    digits = cell.rstrip("~*").replace(".", "").lstrip("0")
    assert digits.isdigit(), cell
    return len(digits)


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
    assert "Spot: x86 and ARM64" in out and "none yet: `fgtop pricing update`" in out
    # per region an x86 line and an ARM line: on-demand, then FARGATE_SPOT, then its date
    us = row(out, "us-east-1")
    assert us == ["us-east-1", "x86", "0.04048", "0.004445", "0.01289~", "0.001415~", "2026-09-28"]
    arm = row(out, "us-east-1", "ARM")
    assert arm == ["ARM", "0.03238", "0.003560", "0.01031~", "0.001133~", "2026-09-28"]
    eu = row(out, "eu-west-1", "ARM")  # ARM on-demand scaled (*), ARM Spot published
    assert eu == ["ARM", "0.03238*", "0.003560*", "0.009791~", "0.001076~", "2026-09-28"]
    assert row(out, "sa-east-1", "ARM")[3:] == ["0.01870~", "0.002055~", "undated"]
    west = row(out, "us-west-2", "ARM")  # a derived Spot figure is marked, and says so
    assert west[3:] == ["0.009791~*", "0.001076~*", "derived"]
    # four significant digits, never eight decimals
    cells = [c for line in out.splitlines()[7:] for c in line.split() if c[:2] == "0."]
    assert len(cells) > 100 and all(significant_digits(c) == 4 for c in cells)
    spot_lines = out.split("Spot figures:\n", 1)[1].splitlines()
    feed = "eu-west-1, us-east-1: AWS Fargate pricing page's Spot price feed"
    assert any(ln.strip().startswith(feed) for ln in spot_lines)
    assert len(out.splitlines()) > 30  # the ten largest regions and more, two lines each

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
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[7:11]] == ["eu-west-1", "ARM", "us-east-1", "ARM"]
    # Spot: from the recorded EU-SpotUsage pages, dated with their effective dates
    eu = row(out, "eu-west-1")
    assert eu[2:] == ["0.04048", "0.004445", "0.01334~", "0.001465~", "2026-10-15"]
    eu = row(out, "eu-west-1", "ARM")  # ARM and ARM Spot: published in the recorded pages
    assert eu == ["ARM", "0.03238", "0.003560", "0.01067~", "0.001172~", "2026-10-22"]
    assert row(out, "us-east-1")[4:] == ["0.01244~", "0.001367~", "2026-11-01"]
    # no USE1 ARM Spot in the pages: derived from us-east-1's own x86 Spot ratio
    assert row(out, "us-east-1", "ARM")[3:] == ["0.009954~*", "0.001095~*", "derived"]
    code, out, err = denied
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("fgtop: pricing update failed: access denied: needs pricing:GetProducts")
    assert not (tmp_path / "denied" / "fgtop" / "prices.json").exists()

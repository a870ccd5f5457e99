"""`fgtop pricing update` against recorded GetProducts answers served over real HTTP.

moto has no Price List API, so a tiny aiohttp server on 127.0.0.1 speaks the API's JSON 1.1
protocol and serves the recorded pages in tests/data/pricing/; the real aiobotocore client
reaches it through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from fgtop.cost.prices import Rate, load_price_table
from fgtop.sources.aws import Aws
from fgtop.sources.pricing import build_table, classify, update_prices

DATA = Path(__file__).resolve().parent.parent / "data" / "pricing"
PAGES = {
    None: "get-products-page1.json",
    "token-page-2": "get-products-page2.json",
    "token-page-3": "get-products-page3.json",
}


class FakePricing:
    """The recorded GetProducts pages, and the requests received."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.targets: list[str] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.targets.append(request.headers.get("X-Amz-Target", ""))
        body = json.loads(await request.read())
        self.requests.append(body)
        if self.status != 200:
            return web.json_response(
                {"__type": "AccessDeniedException", "Message": "not allowed"}, status=self.status
            )
        page = (DATA / PAGES[body.get("NextToken")]).read_text()
        return web.Response(text=page, content_type="application/x-amz-json-1.1")


@pytest.fixture
async def pricing(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakePricing]:
    fake = FakePricing()
    app = web.Application()
    app.router.add_post("/", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    yield fake
    await runner.cleanup()


async def test_update_prices_writes_a_newer_table(pricing: FakePricing, tmp_path: Path) -> None:
    aws = Aws(max_attempts=1)
    try:
        path = await update_prices(aws, tmp_path, taken_at="2999-12-31")
    finally:
        await aws.close()
    assert path == tmp_path / "prices.json"
    # three pages, followed by NextToken, each asking for Fargate prices of AmazonECS
    assert aws.calls["pricing"] == 3
    assert pricing.targets == ["AWSPriceListService.GetProducts"] * 3
    assert [r.get("NextToken") for r in pricing.requests] == [None, "token-page-2", "token-page-3"]
    assert all(r["ServiceCode"] == "AmazonECS" for r in pricing.requests)
    assert pricing.requests[0]["Filters"][0]["Value"] == "Fargate"

    table = load_price_table(tmp_path)
    assert table.taken_at == "2999-12-31"
    assert "AmazonECS" in table.source
    assert sorted(table.regions) == ["eu-west-1", "us-east-1"]  # Tokyo lacked a GB price
    us = table.regions["us-east-1"]
    assert us.linux_x86.vcpu_hour == Decimal("0.04048")
    assert us.linux_x86.gb_hour == Decimal("0.004445")
    assert us.linux_arm.vcpu_hour == Decimal("0.03238")
    assert us.windows_x86.gb_hour == Decimal("0.01005")
    assert us.windows_license_vcpu_hour == Decimal("0.046")
    assert us.storage_gb_hour == Decimal("0.000111")
    # Spot from the SpotUsage usage types, dated with the offer's effective date
    assert us.spot_x86.vcpu_hour == Decimal("0.012444")
    assert us.derived == ("spot_arm",) and us.spot_as_of == "2026-11-01"
    assert "SpotUsage" in us.spot_source
    # no USE1 ARM Spot in the answer: ARM on-demand x us-east-1's own x86 Spot ratio,
    # 0.03238 x 0.012444 / 0.04048 = 0.0099539703..., 0.00356 x 0.0013666 / 0.004445 = 0.0010945097...
    assert us.spot_arm == Rate(Decimal("0.00995397"), Decimal("0.00109451"))
    assert us.spot_arm_is_derived and us.spot_arm_as_of == ""
    assert "derived" in us.spot_arm_source
    eu = table.regions["eu-west-1"]
    assert eu.linux_arm.gb_hour == Decimal("0.00356")
    assert set(eu.derived) == {"windows_x86", "windows_license_vcpu_hour", "storage_gb_hour"}
    assert eu.spot_x86 == Rate(Decimal("0.01334053"), Decimal("0.00146489"))
    assert eu.spot_as_of == "2026-10-15"
    # ARM Spot from the EU-SpotUsage-Fargate-ARM usage types, dated by their own terms
    assert eu.spot_arm == Rate(Decimal("0.01067242"), Decimal("0.00117191"))
    assert not eu.spot_arm_is_derived and eu.spot_arm_as_of == "2026-10-22"
    assert "SpotUsage-Fargate-ARM" in eu.spot_arm_source
    written = json.loads((tmp_path / "prices.json").read_text())
    assert written["regions"]["eu-west-1"]["spot_arm"] == {
        "vcpu_hour": "0.01067242",
        "gb_hour": "0.00117191",
    }


def test_a_region_without_spot_prices_gets_a_derived_undated_figure() -> None:
    items = [
        json.loads(raw)
        for page in PAGES.values()
        for raw in json.loads((DATA / page).read_text())["PriceList"]
    ]
    no_spot = [i for i in items if "SpotUsage" not in i["product"]["attributes"]["usagetype"]]
    table = build_table(no_spot, "2999-01-01")
    eu = table.regions["eu-west-1"]
    assert "spot_x86" in eu.derived and eu.spot_is_derived and eu.spot_as_of == ""
    # 0.04048 x the published eu-west-1 ratio of 2026-09-28, 0.302385 = 0.0122405448
    assert eu.spot_x86.vcpu_hour == Decimal("0.01224054")
    assert "derived" in eu.spot_source
    # ARM Spot: ARM on-demand x the same ratio (0.03238 x 0.302385 = 0.009791226...)
    assert "spot_arm" in eu.derived and eu.spot_arm.vcpu_hour == Decimal("0.00979123")
    assert eu.spot_arm_as_of == ""


async def test_denied_refresh_raises_and_leaves_no_file(
    pricing: FakePricing, tmp_path: Path
) -> None:
    from botocore.exceptions import ClientError

    pricing.status = 400
    aws = Aws(max_attempts=1)
    try:
        with pytest.raises(ClientError, match="AccessDenied"):
            await update_prices(aws, tmp_path)
    finally:
        await aws.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("usagetype", "expected"),
    [
        ("USE1-Fargate-vCPU-Hours:perCPU", ("USE1", "x86", "vcpu")),
        ("EU-Fargate-GB-Hours", ("EU", "x86", "gb")),
        ("Fargate-ARM-GB-Hours", (None, "arm", "gb")),
        ("APN1-Fargate-Windows-OS-Hours:perCPU", ("APN1", "license", "vcpu")),
        ("USW2-SpotUsage-Fargate-ARM-vCPU-Hours:perCPU", ("USW2", "spot_arm", "vcpu")),
        ("EUC1-SpotUsage-Fargate-ARM-GB-Hours", ("EUC1", "spot_arm", "gb")),
        ("EU-SpotUsage-Fargate-GB-Hours", ("EU", "spot_x86", "gb")),
        ("USE1-Fargate-EphemeralStorage-GB-Hours", ("USE1", "storage", "gb")),
        ("USE1-ECS-EC2-vCPU-Hours:perCPU", None),
        ("USE1-SpotUsage-Fargate-Windows-vCPU-Hours:perCPU", None),
    ],
)
def test_classify(usagetype: str, expected: tuple[str | None, str, str] | None) -> None:
    assert classify(usagetype) == expected


def test_empty_answer_is_an_error() -> None:
    with pytest.raises(ValueError, match="no Fargate prices"):
        build_table([], "2999-01-01")

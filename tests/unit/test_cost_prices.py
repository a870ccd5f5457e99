"""The bundled price table and the loader that prefers the newest table."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from fgtop.cost.prices import (
    BUNDLED_PATH,
    load_price_table,
    parse_price_table,
    price_table_json,
)

REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
]


def test_bundled_table_covers_the_large_regions(tmp_path: Path) -> None:
    table = load_price_table(tmp_path)
    assert table.origin == "bundled"
    assert len(table.taken_at) == 10 and table.taken_at[4] == "-"
    assert "Fargate" in table.source and "AmazonECS" in table.source
    assert table.spot_is_estimate
    missing = [r for r in REGIONS if r not in table.regions]
    assert missing == []


def test_bundled_us_east_1_figures(tmp_path: Path) -> None:
    r = load_price_table(tmp_path).regions["us-east-1"]
    assert r.linux_x86.vcpu_hour == Decimal("0.04048")
    assert r.linux_x86.gb_hour == Decimal("0.004445")
    assert r.linux_arm.vcpu_hour == Decimal("0.03238")
    assert r.linux_arm.gb_hour == Decimal("0.00356")
    assert r.windows_x86.vcpu_hour == Decimal("0.09148")
    assert r.windows_license_vcpu_hour == Decimal("0.046")
    assert r.storage_gb_hour == Decimal("0.000111")
    assert r.spot_x86.vcpu_hour < r.linux_x86.vcpu_hour


def test_every_region_is_cheaper_on_arm_and_spot(tmp_path: Path) -> None:
    for name, r in load_price_table(tmp_path).regions.items():
        assert r.linux_arm.vcpu_hour < r.linux_x86.vcpu_hour, name
        assert r.spot_x86.gb_hour < r.linux_x86.gb_hour, name
        assert r.windows_x86.vcpu_hour > r.linux_x86.vcpu_hour, name


def _write(path: Path, taken_at: str, vcpu: str = "0.05") -> None:
    doc = json.loads(BUNDLED_PATH.read_text())
    doc["taken_at"] = taken_at
    doc["regions"]["us-east-1"]["linux_x86"]["vcpu_hour"] = vcpu
    path.mkdir(parents=True, exist_ok=True)
    (path / "prices.json").write_text(json.dumps(doc))


def test_newer_cached_table_wins(tmp_path: Path) -> None:
    _write(tmp_path, "2999-01-01")
    table = load_price_table(tmp_path)
    assert table.taken_at == "2999-01-01"
    assert table.origin == str(tmp_path / "prices.json")
    assert table.regions["us-east-1"].linux_x86.vcpu_hour == Decimal("0.05")


def test_older_cached_table_loses(tmp_path: Path) -> None:
    _write(tmp_path, "2001-01-01")
    table = load_price_table(tmp_path)
    assert table.origin == "bundled"
    assert table.regions["us-east-1"].linux_x86.vcpu_hour == Decimal("0.04048")


def test_default_cache_dir_is_the_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    cache = Path(os.environ["XDG_CACHE_HOME"]) / "fgtop"
    _write(cache, "2999-06-01")
    assert load_price_table().taken_at == "2999-06-01"


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[]", b'{"taken_at": "2999-01-01", "regions": {}}'],
)
def test_corrupt_cache_is_ignored_with_a_warning(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "prices.json").write_bytes(content)
    table = load_price_table(tmp_path)
    assert table.origin == "bundled"
    assert len(table.warnings) == 1
    assert "prices.json" in table.warnings[0] and "\n" not in table.warnings[0]


def test_bad_price_is_refused() -> None:
    doc = json.loads(BUNDLED_PATH.read_text())
    doc["regions"]["us-east-1"]["linux_x86"]["vcpu_hour"] = "-1"
    with pytest.raises(ValueError, match=r"us-east-1\.linux_x86"):
        parse_price_table(doc)


def test_json_round_trip() -> None:
    table = parse_price_table(json.loads(BUNDLED_PATH.read_text()))
    again = parse_price_table(json.loads(json.dumps(price_table_json(table))))
    assert again == table

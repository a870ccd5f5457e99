"""Issue 27: the cost panel's first lines say what the estate costs per hour and the safe
saving: the largest suggestion of each service (alternatives are not added up), with the
services in trouble held back."""

from __future__ import annotations

from decimal import Decimal

from fgtop.cost.rightsizing import ARM, RESIZE, SPOT, Held, Suggestion
from fgtop.ui.widgets.cost_panel import _safe_saving


def suggestion(service: str, kind: str, per_hour: str) -> Suggestion:
    h = Decimal(per_hour)
    arn = f"arn:aws:ecs:eu-west-1:210987654321:service/shop-prod/{service}"
    return Suggestion(
        kind, arn, service, "shop-prod", "eu-west-1", 2, (1024, 2048), (512, 1024), h, h * 730, ""
    )


def test_the_largest_suggestion_of_each_service_added_up() -> None:
    held = [
        Held(
            "arn:x",
            "shop-recs",
            "shop-prod",
            "eu-west-1",
            ("OOM kills",),
            3,
            97.0,
            "service",
            43200,
        )
    ]
    text = _safe_saving(
        [
            suggestion("shop-web", RESIZE, "0.10"),
            suggestion("shop-web", ARM, "0.25"),
            suggestion("shop-api", SPOT, "0.50"),
        ],
        held,
    ).plain
    assert text == (
        "\nSafe saving up to $0.7500/h ($547.50/month): the largest suggestion below for each "
        "of 2 services; 1 service in trouble held back"
    )


def test_no_suggestion_says_so() -> None:
    assert _safe_saving([], []).plain == "\nSafe saving none yet (no suggestion below)"

"""The canned Logs Insights queries and their time range."""

from __future__ import annotations

import re

from fgtop.derive.log_queries import (
    ERRORS_BY_MESSAGE,
    LAST_ERRORS,
    canned_queries,
    insights_regex,
    time_range,
)


def test_canned_queries_without_and_with_a_filter() -> None:
    assert canned_queries() == [ERRORS_BY_MESSAGE, LAST_ERRORS]
    [*_, matching] = canned_queries("timeout")
    assert matching.key == "filter" and "'timeout'" in matching.label
    assert "| filter @message like /(?i)timeout/" in matching.query
    assert "@logStream" in LAST_ERRORS.query and "limit 50" in LAST_ERRORS.query
    assert "stats count(*)" in ERRORS_BY_MESSAGE.query


def test_the_filter_becomes_a_safe_insights_regex() -> None:
    assert insights_regex("a.b") == "/(?i)a.b/"  # a regex stays one
    assert insights_regex("GET /api") == r"/(?i)GET \/api/"  # a slash cannot end the literal
    assert insights_regex(r"x\/y") == r"/(?i)x\/y/"  # already escaped: left alone
    assert insights_regex("f(x") == r"/(?i)f\(x/"  # not a regex: matched literally
    assert insights_regex("a\nb") == "/(?i)a b/"
    for pattern in ("GET /api", "f(x", "[", "a/b/c"):
        body = insights_regex(pattern)[5:-1]
        assert re.search(body.replace("\\/", "/"), f"-- {pattern} --", re.I)


def test_time_range_around_a_moment_or_the_last_hour() -> None:
    assert time_range(None, 10_000.0) == (6_400.0, 10_000.0)
    assert time_range(5_000.0, 10_000.0) == (3_200.0, 5_600.0)
    assert time_range(9_900.0, 10_000.0) == (8_100.0, 10_000.0)  # not past now
    assert time_range(10_500.0, 10_000.0) == (8_700.0, 11_100.0)  # a clock behind the moment

"""The pure checks of ``fgtop serve`` (fgtop.cli.serve_checks), case by case."""

from __future__ import annotations

import pytest

from fgtop.cli.serve_checks import (
    Limits,
    host_allowed,
    host_names,
    origin_allowed,
    scrub,
    terminal_size,
    viewer_environment,
)

LIMITS = Limits()


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [
        ("80", "24", (80, 24)),
        (120, 40, (120, 40)),
        ("100000", "100000", (LIMITS.columns, LIMITS.rows)),
        ("-5", "24", None),
        ("80", "0", None),
        ("abc", "24", None),
        ("8e2", "24", None),
        ("٣", "24", None),  # a digit, not an ASCII one
        ("9" * 40, "24", None),
        (True, 24, None),
        (80.5, 24, None),
        (None, 24, None),
    ],
)
def test_terminal_size(width: object, height: object, size: tuple[int, int] | None) -> None:
    assert terminal_size(width, height, LIMITS) == size


def test_host_names_and_hosts() -> None:
    names = host_names("0.0.0.0", "https://fgtop.example.com/base")
    assert {"localhost", "fgtop.example.com"} <= names
    for ok in ("127.0.0.1:8080", "localhost", "[::1]:8080", "10.1.2.3", "FGTOP.example.com:443"):
        assert host_allowed(ok, names), ok
    for bad in ("rebind.evil.example", "evil.example:8080", "", "localhost.evil.example", "[zz"):
        assert not host_allowed(bad, names), bad
    assert host_allowed(None, names)  # no Host at all: not a browser


def test_origins() -> None:
    assert origin_allowed("http://127.0.0.1:8080", "http", "127.0.0.1:8080", None)
    assert origin_allowed(None, "http", "127.0.0.1:8080", None)
    assert origin_allowed(
        "https://fgtop.example.com", "http", "10.0.0.5:8080", "https://fgtop.example.com/x"
    )
    for bad in ("http://evil.example", "null", "http://127.0.0.1:8081", "https://127.0.0.1:8080"):
        assert not origin_allowed(bad, "http", "127.0.0.1:8080", None), bad


def test_scrub_cuts_the_token_in_every_form() -> None:
    token = "a/b+c d"
    for text in (
        f"GET /?token={token}",
        "bytearray(b'/?token=a%2Fb%2Bc%20d&pad=x')",
        "b'Bearer zzzz'",
        "fgtop_token=whatever; pad=1",
        f"{token!r}",
    ):
        out = scrub(text, (token,))
        assert token not in out and "a%2Fb" not in out and "zzzz" not in out, out
        assert "whatever" not in out


def test_viewer_environment_keeps_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.setenv("FGTOP_SERVE_TOKEN", "t")
    monkeypatch.setenv("KUBECONFIG", "/k")
    monkeypatch.setenv("GITHUB_TOKEN", "g")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = viewer_environment(100, 30)
    assert env["COLUMNS"] == "100" and env["ROWS"] == "30" and env["LC_ALL"] == "C.UTF-8"
    assert not {"AWS_SECRET_ACCESS_KEY", "FGTOP_SERVE_TOKEN", "KUBECONFIG", "GITHUB_TOKEN"} & set(
        env
    )

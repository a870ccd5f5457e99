"""Hide secrets: secret-looking environment values, URL passwords, ``secrets`` references.

Pure functions, used by the describe view (what is shown) and by recording redaction (what
is written). Values are replaced by :data:`MASK`; names and ``valueFrom`` references are kept
so a reader still sees *which* secrets a task uses.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

MASK = "****"
"""What a hidden value is shown as."""

_SECRET_WORDS = (
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "PRIVATE",
    "APIKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "AUTHORIZATION",
    "SIGNATURE",
)
"""Words that make a name secret wherever they appear in it (``DBPASSWORD``, ``GH_TOKEN``)."""
_SECRET_TOKENS = frozenset(
    {"KEY", "KEYS", "AUTH", "PWD", "PASS", "PW", "DSN", "SALT", "CREDS", "COOKIE", "JWT", "PEM"}
)
"""Short words that make a name secret only as a whole part (``API_KEY``, not ``MONKEY``)."""

_MAY_HOLD_ENV = re.compile(r'"(?:env|environment|secrets|Variables|containerDefinitions)"')
"""A JSON text worth parsing for env values (kubectl's last-applied-configuration is one)."""
MAX_JSON_TEXT = 1_000_000
"""Longer JSON texts are not parsed (their URL passwords are still masked)."""

_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
# The lookbehind makes a scheme start only at the start of a word: without it a 100 KB run of
# letters costs quadratic time (each position would be tried as a scheme start).
_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*):(?P<pw>[^@\s/]+)@"
)


def is_secret_name(name: str) -> bool:
    """Whether an environment variable (or similar) name looks like it holds a secret.

    >>> is_secret_name("DB_PASSWORD"), is_secret_name("apiKey"), is_secret_name("MONKEY")
    (True, True, False)
    """
    upper = name.upper()
    if any(word in upper.replace("_", "").replace("-", "") for word in _SECRET_WORDS):
        return True
    parts = [p.upper() for p in _SPLIT.split(name) if p]
    return any(p in _SECRET_TOKENS for p in parts)


def mask_url_password(value: str) -> str:
    """Hide the password of URLs in ``value``: ``postgres://u:pw@host`` -> ``postgres://u:****@host``."""
    if "://" not in value:
        return value
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:{MASK}@", value)


def mask_value(name: str, value: str) -> str:
    """The value of variable ``name`` as it may be shown."""
    if is_secret_name(name):
        return MASK if value else value
    return mask_url_password(value)


def mask_env(env: dict[str, str]) -> dict[str, str]:
    """A copy of an environment mapping with secret-looking values hidden."""
    return {name: mask_value(name, value) for name, value in env.items()}


def mask_json_text(value: str) -> str:
    """A JSON document held in a string, masked like a document; any other string unchanged.

    Kubernetes annotations hold whole objects as JSON text: kubectl's
    ``kubectl.kubernetes.io/last-applied-configuration`` repeats the pod spec, env values
    included. The text is parsed, masked and written back compactly (as kubectl writes it);
    a text with nothing to hide is returned as it was.
    """
    stripped = value.strip()
    if (
        not stripped
        or stripped[0] not in "{["
        or len(stripped) > MAX_JSON_TEXT
        or _MAY_HOLD_ENV.search(stripped) is None
    ):
        return value
    try:
        doc = json.loads(stripped)
    except ValueError:
        return value
    masked = _walk(copy.deepcopy(doc))
    if masked == doc:
        return value
    out = json.dumps(masked, separators=(",", ":"), ensure_ascii=False)
    return out + "\n" if value.endswith("\n") else out


def mask_document(doc: Any) -> Any:
    """A masked deep copy of a raw AWS or Kubernetes document.

    Handles ECS ``containerDefinitions[].environment`` (name/value lists), Kubernetes
    ``env`` lists (name/value or valueFrom), ECS ``secrets`` (only name and valueFrom are
    kept, never a value), ``environment`` mappings, URL passwords in any string, and
    JSON documents held in strings (annotations such as ``last-applied-configuration``).
    """
    return _walk(copy.deepcopy(doc))


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("environment", "env") and isinstance(value, list):
                node[key] = [_mask_pair(item) for item in value]
            elif key in ("environment", "env", "Variables") and isinstance(value, dict):
                node[key] = {
                    k: mask_value(str(k), v) if isinstance(v, str) else _walk(v)
                    for k, v in value.items()
                }
            elif key == "secrets" and isinstance(value, list):
                node[key] = [_secret_ref(item) for item in value]
            else:
                node[key] = _walk(value)
        return node
    if isinstance(node, list):
        return [_walk(item) for item in node]
    if isinstance(node, str):
        return mask_url_password(mask_json_text(node))
    return node


def _mask_pair(item: Any) -> Any:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        out = {k: _walk(v) for k, v in item.items() if k != "value"}
        if "value" in item:
            value = item["value"]
            out["value"] = mask_value(item["name"], value) if isinstance(value, str) else value
        return out
    return _walk(item)


def _secret_ref(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: _walk(v) for k, v in item.items() if k in ("name", "valueFrom")}
    return MASK

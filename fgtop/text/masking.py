"""Hide secrets, by name and by value.

By name: the value of an environment variable, label, tag or log option whose name looks
secret (``DB_PASSWORD``, ``api-token``), and ``secrets`` references. By value, wherever a string
is (:func:`mask_text`): JWTs, AWS access key ids (``AKIA``/``ASIA``/``ABIA``/``ACCA`` then 16
letters or digits), 40-character strings shaped like an AWS secret access key, URL passwords,
and the value of ``name=value`` / ``name: value`` / ``--name VALUE`` forms whose name looks
secret (in commands, labels, free text and log lines). A 40-hex git SHA or an image digest is not a
secret: the 40-character rule wants upper case, lower case and digits mixed, which hex never is.

Pure functions, used by the describe view (what is shown) and by recording redaction (what
is written). Values are replaced by :data:`MASK`; names and ``valueFrom`` references are kept
so a reader still sees *which* secrets a task uses.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections import Counter
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


_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
"""A JSON Web Token: base64url header (``{"`` is ``eyJ``), payload and signature."""
_ACCESS_KEY = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")
"""AWS access key ids: long-term, temporary (STS), bearer token, context-specific credential."""
_SECRET40 = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
"""Forty base64 characters standing alone: the shape of an AWS secret access key."""
_ASSIGN = re.compile(
    r"""(?<![A-Za-z0-9_.-])(?P<q>["']?)(?P<key>-{0,2}[A-Za-z_][A-Za-z0-9_.-]*)(?P=q)"""
    r"""(?P<sep>\s*(?:=|:(?!//))\s*)(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s&,;"'<>)\]}]+)"""
)
"""``name=value``, ``name: value``, ``"name": "value"``, ``--name=value``, ``?name=value&``."""
_FLAG = re.compile(
    r"""(?<![A-Za-z0-9_-])(?P<key>--?[A-Za-z][A-Za-z0-9_-]*)(?P<sep>\s+)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s"'-][^\s"']*)"""
)
"""``--password VALUE`` on a command line."""
_SCHEME = re.compile(
    r"(?i)(?<![A-Za-z])(?P<key>bearer|basic)(?P<sep>\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})"
)
"""``Authorization: Bearer X``: the credential after the scheme."""
_FLAG_WORD = re.compile(r"^--?[A-Za-z][A-Za-z0-9_-]*$")
LABEL_MAPS = frozenset({"dockerLabels", "labels", "annotations", "tags", "options"})
"""Mappings whose values are masked by their keys' names (``com.example.api-token``)."""


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


def _random40(candidate: str) -> bool:
    """Whether 40 base64 characters look random: upper, lower and digits mixed (hex, a path or
    a word never has all three and this much variety)."""
    if not (
        any(c.isupper() for c in candidate)
        and any(c.islower() for c in candidate)
        and any(c.isdigit() for c in candidate)
    ):
        return False
    counts = Counter(candidate).values()
    entropy = -sum(n / 40 * math.log2(n / 40) for n in counts)
    return entropy >= 4.0


def _masked_value(m: re.Match[str]) -> str:
    key = m.group("key").lstrip("-")
    value = m.group("value")
    if not is_secret_name(key) or value.strip("\"'") in ("", MASK):
        return m.group(0)
    quoted = value[:1] in "\"'" and len(value) > 1
    value = value[0] + MASK + value[-1] if quoted else MASK
    return m.group(0)[: m.start("value") - m.start(0)] + value


def mask_text(value: str) -> str:
    """``value`` with every secret found by its shape or its context masked: JWTs, AWS access
    key ids, secret-key-shaped 40-character strings, URL passwords, and the value after a
    secret-looking name (``password=x``, ``token: x``, ``"apiKey": "x"``, ``--password x``,
    ``Bearer x``). Anything else is left as it is."""
    if len(value) < 8:
        return value
    if "://" in value:
        value = mask_url_password(value)
    if "eyJ" in value:
        value = _JWT.sub(MASK, value)
    if "A" in value:
        value = _ACCESS_KEY.sub(MASK, value)
    if len(value) >= 40:
        value = _SECRET40.sub(lambda m: MASK if _random40(m.group(0)) else m.group(0), value)
    lower = value.lower()
    if "bearer" in lower or "basic" in lower:
        value = _SCHEME.sub(lambda m: m.group(0)[: m.start("value") - m.start(0)] + MASK, value)
    if "=" in value or ":" in value:
        value = _ASSIGN.sub(_masked_value, value)
    if "-" in value:
        value = _FLAG.sub(_masked_value, value)
    return value


def mask_value(name: str, value: str) -> str:
    """The value of variable ``name`` as it may be shown: hidden whole when the name looks
    secret, else with what looks secret in it hidden (:func:`mask_text`)."""
    if is_secret_name(name):
        return MASK if value else value
    return mask_text(mask_json_text(value))


def mask_labels(labels: dict[Any, Any]) -> dict[Any, Any]:
    """A copy of a label, tag or option mapping with secret-named values hidden."""
    return {k: mask_value(str(k), v) if isinstance(v, str) else _walk(v) for k, v in labels.items()}


def mask_command(args: list[Any]) -> list[Any]:
    """A command line as a list: each argument masked, and the one after a secret-looking flag
    (``["--password", "x"]``) hidden."""
    out = [_walk(a) for a in args]
    for i in range(len(out) - 1):
        flag = args[i]
        secret_flag = isinstance(flag, str) and _FLAG_WORD.match(flag) is not None
        if secret_flag and is_secret_name(flag.lstrip("-")) and isinstance(out[i + 1], str):
            out[i + 1] = MASK if out[i + 1] else out[i + 1]
    return out


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
            elif key in ("environment", "env", "Variables", *LABEL_MAPS) and isinstance(
                value, dict
            ):
                node[key] = mask_labels(value)
            elif key in ("tags", "Tags") and isinstance(value, list):
                node[key] = [_mask_pair(item, "key", "value") for item in value]
            elif key == "secrets" and isinstance(value, list):
                node[key] = [_secret_ref(item) for item in value]
            elif isinstance(value, list):
                node[key] = mask_command(value)
            else:
                node[key] = _walk(value)
        return node
    if isinstance(node, list):
        return mask_command(node)
    if isinstance(node, str):
        return mask_text(mask_json_text(node))
    return node


def _mask_pair(item: Any, name: str = "name", val: str = "value") -> Any:
    if isinstance(item, dict):
        key = item.get(name, item.get(name.title()))
        field = val if val in item else val.title()
        if isinstance(key, str):
            out = {k: _walk(v) for k, v in item.items() if k != field}
            if field in item:
                value = item[field]
                out[field] = mask_value(key, value) if isinstance(value, str) else value
            return out
    return _walk(item)


def _secret_ref(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: _walk(v) for k, v in item.items() if k in ("name", "valueFrom")}
    return MASK

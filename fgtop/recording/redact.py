"""Redaction for shareable recordings (``fgtop record --redact``, ``fgtop snapshot --redact``).

A :class:`Redactor` maps account IDs and IPv4 addresses to stand-ins consistently (the same
account ID always becomes the same mask, ``000000000001`` for the first one seen; the same IP
the same ``198.18.x.y`` address, also inside ``ip-10-1-2-3`` host names), and hides secrets by
name and by value (:mod:`fgtop.text.masking`): secret-named environment values, labels, tags
and options; JWTs, AWS access key ids and secret-key-shaped strings, URL passwords, and
``password=x`` / ``--password x`` forms anywhere, also inside JSON held in strings such as
``last-applied-configuration`` annotations. It walks every string of a Snapshot, raw
documents included, and the messages of log lines.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from fgtop.model import LogLine, Snapshot
from fgtop.text.masking import mask_document, mask_env, mask_json_text, mask_labels, mask_text

# Twelve digits standing alone: not inside a longer token such as the last group of a task id
# (UUIDs like ...-8d60-790955544417 end in twelve hex digits that may all be decimal).
_ACCOUNT = re.compile(r"(?<![0-9A-Za-z-])[0-9]{12}(?![0-9A-Za-z-])")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IP = re.compile(rf"(?<![0-9.]){_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?![0-9]|\.[0-9])")
_IP_HOST = re.compile(rf"(?<![A-Za-z0-9])ip-({_OCTET})-({_OCTET})-({_OCTET})-({_OCTET})(?![0-9])")


class Redactor:
    """Consistent masking of account IDs, IP addresses and secrets.

    One Redactor should serve a whole recording so that masks stay consistent across frames.
    """

    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}
        """Real account ID -> mask."""
        self.ips: dict[str, str] = {}
        """Real IPv4 address -> mask."""
        self._cache: dict[int, tuple[Any, Any]] = {}

    # -- text ---------------------------------------------------------------------------------

    def account(self, account_id: str) -> str:
        """The mask of one account ID."""
        mask = self.accounts.get(account_id)
        if mask is None:
            mask = f"{len(self.accounts) + 1:012d}"
            self.accounts[account_id] = mask
        return mask

    def ip(self, address: str) -> str:
        """The mask of one IPv4 address (in 198.18.0.0/15, reserved for benchmarks)."""
        mask = self.ips.get(address)
        if mask is None:
            n = len(self.ips) + 1
            mask = f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}"
            self.ips[address] = mask
        return mask

    def text(self, value: str) -> str:
        """Redact account IDs, IP addresses, ip-a-b-c-d host names, and secrets by value."""
        if any(ch.isdigit() for ch in value):
            value = _ACCOUNT.sub(lambda m: self.account(m.group(0)), value)
            value = _IP_HOST.sub(
                lambda m: "ip-" + self.ip(".".join(m.groups())).replace(".", "-"), value
            )
            value = _IP.sub(lambda m: self.ip(m.group(0)), value)
        return mask_text(value)

    # -- model --------------------------------------------------------------------------------

    def snapshot(self, snapshot: Snapshot) -> Snapshot:
        """A redacted copy of ``snapshot`` (unchanged items are redacted once, then reused)."""
        cache: dict[int, tuple[Any, Any]] = {}
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(snapshot):
            value = getattr(snapshot, f.name)
            if isinstance(value, tuple):
                items = []
                for item in value:
                    hit = self._cache.get(id(item))
                    if hit is None or hit[0] is not item:
                        hit = (item, self.value(item))
                    cache[id(item)] = hit
                    items.append(hit[1])
                kwargs[f.name] = tuple(items)
            else:
                kwargs[f.name] = self.value(value)
        self._cache = cache
        return Snapshot(**kwargs)

    def log_line(self, line: LogLine) -> LogLine:
        """A redacted copy of a log line (target, stream and message)."""
        return dataclasses.replace(
            line,
            target=self.text(line.target),
            message=self.text(line.message),
            stream=self.text(line.stream),
        )

    def value(self, value: Any) -> Any:
        """Redact any model value: dataclasses, tuples, dicts (raw documents), strings."""
        if isinstance(value, str):
            return self.text(mask_json_text(value))  # annotations may hold a whole pod spec
        if isinstance(value, bool | int | float) or value is None:
            return value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes: dict[str, Any] = {}
            for f in dataclasses.fields(value):
                old = getattr(value, f.name)
                mask = f.metadata.get("mask")  # the model says which fields hold secrets
                if mask == "document" and isinstance(old, dict):
                    new = self.value(mask_document(old))
                elif mask == "environment" and isinstance(old, dict):
                    new = self.value(mask_env(old))
                elif mask == "labels" and isinstance(old, dict):
                    new = self.value(mask_labels(old))
                else:
                    new = self.value(old)
                if new is not old and new != old:
                    changes[f.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        if isinstance(value, tuple):
            if all(isinstance(v, int | float) for v in value):
                return value
            return tuple(self.value(v) for v in value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            if any(k in value for k in ("environment", "env", "secrets", "containerDefinitions")):
                value = mask_document(value)
            return {
                (self.text(k) if isinstance(k, str) else k): self.value(v) for k, v in value.items()
            }
        return value

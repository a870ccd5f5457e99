"""Errors the sources raise, and the one-line reasons the user sees."""

from __future__ import annotations

from botocore.exceptions import ClientError

from fgtop.errors import SetupError


class ReadOnlyViolation(RuntimeError):
    """Raised when code asks the AWS layer for an operation that could change something."""


class SourceTimeout(TimeoutError):
    """A call that took longer than its source allows; the message says which and how long."""


class CredentialsError(RuntimeError):
    """An account's credentials cannot be had (its role cannot be assumed, its SSO session
    expired): the message is one line naming the account and the reason."""


def one_line(exc: BaseException) -> str:
    """A one-line, human reason for an AWS or network failure."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code", "Error")
        msg = " ".join((err.get("Message") or "").split())  # one line, whatever it quotes
        op = getattr(exc, "operation_name", "") or ""
        if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
            service = exc.response.get("ResponseMetadata", {}).get("ServiceName", "")
            perm = f"{service}:{op}" if service and op else op
            return f"access denied: needs {perm}".strip() if perm else f"access denied: {msg}"
        if code in {"ThrottlingException", "Throttling", "TooManyRequestsException"}:
            return f"throttled by AWS ({op})" if op else "throttled by AWS"
        text = f"{code}: {msg}" if msg else code
        return f"{op}: {text}" if op else text
    if isinstance(exc, ReadOnlyViolation | SetupError | SourceTimeout | CredentialsError):
        return str(exc)
    status = getattr(exc, "status", None)
    if isinstance(status, int) and hasattr(exc, "reason"):  # kubernetes ApiException
        if status == 401:
            return "Kubernetes: unauthorized (token expired or invalid)"
        if status == 403:
            return "Kubernetes: forbidden by RBAC (needs get/list/watch on pods)"
        return f"Kubernetes: HTTP {status} {exc.reason}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip().splitlines()
    name = type(exc).__name__
    return f"{name}: {text[0]}" if text else name


NOUNS = {
    "pods": "pod",
    "events": "event",
    "deployments": "deployment",
    "tasks": "task",
    "services": "service",
    "clusters": "cluster",
    "service deployments": "service deployment",
    "service revisions": "service revision",
    "targets": "target",
    "alarms": "alarm",
    "alarm changes": "alarm change",
    "scalable targets": "scalable target",
    "scaling policies": "scaling policy",
    "scaling activities": "scaling activity",
}
"""The singular of each kind of object a parser can skip."""


def malformed_note(counts: dict[str, int]) -> str | None:
    """``1 malformed pod skipped; 2 malformed events skipped``, or None when all parsed."""
    parts = [
        f"{n} malformed {NOUNS.get(kind, kind)}{'' if n == 1 else 's'} skipped"
        for kind, n in counts.items()
        if n
    ]
    return "; ".join(parts) or None

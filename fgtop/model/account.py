"""The AWS accounts fgtop watches: who they are and how their credentials are doing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """One watched AWS account.

    Its ``name`` and ``alias`` are outside text (an organization's account names are chosen
    by whoever created the accounts): shown only through ``fgtop.text.sanitize``.
    """

    id: str
    """The 12-digit account id (empty while it is not known: its credentials failed)."""
    name: str | None = None
    """The display name: the ``[[accounts]]`` name, the profile, or the organization's name."""
    alias: str | None = None
    """The account alias, when known."""
    regions: tuple[str, ...] = ()
    """The regions watched in this account."""
    profile: str | None = None
    """The named profile its credentials come from (or the source profile of its role)."""
    role_arn: str | None = None
    """The role assumed to reach it, if any."""
    error: str | None = None
    """One line naming the account and why it cannot be read (its role cannot be assumed,
    its session expired and cannot be renewed), or None while its credentials work."""
    expires_at: float | None = None
    """When its current temporary credentials expire (POSIX seconds; None: they do not, or
    are not known). fgtop renews them before then."""

    @property
    def label(self) -> str:
        """What a screen calls it: its name, else its alias, else its id."""
        return self.name or self.alias or self.id or "?"


def arn_account(arn: str) -> str | None:
    """The account id an ARN names (``arn:aws:ecs:eu-west-1:123456789012:task/...``), or None.

    ECS resources live in the account their ARN names: the one definition of an ECS object's
    account.
    """
    parts = arn.split(":", 5)
    if len(parts) > 4 and parts[0] == "arn" and len(parts[4]) == 12 and parts[4].isdigit():
        return parts[4]
    return None

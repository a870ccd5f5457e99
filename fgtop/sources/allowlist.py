"""The exact AWS operations fgtop may call: the read-only guard's allow-list and the README's
IAM table, from one list.

An operation is allowed only if its (service, operation) pair is listed here; a name that
merely looks read-only (``sts:GetSessionToken``, ``ecr:GetAuthorizationToken``) is refused
like a mutating one. The service is botocore's name, which is also the IAM action prefix
(``cloudwatch:GetMetricData``) except where a permission names its own (``elbv2`` is
``elasticloadbalancing``). ``python bench/iam_table.py`` prints
the README table; ``tests/unit/test_allowlist.py`` fails when the README's table differs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    """One AWS operation fgtop calls, and the feature that needs it."""

    service: str
    """botocore service name = IAM action prefix (``ecs``, ``compute-optimizer``)."""
    operation: str
    """The API operation (``DescribeTasks``) = the IAM action name."""
    feature: str
    """What needs it, as the README's IAM table words it."""
    iam_prefix: str = ""
    """The IAM action prefix where it is not the botocore name (``elasticloadbalancing``)."""

    @property
    def action(self) -> str:
        """The IAM action: ``ecs:DescribeTasks``."""
        return f"{self.iam_prefix or self.service}:{self.operation}"


_TASKS = "tasks and services"
_DIFF = "`fgtop diff FAMILY` (finds the latest two revisions)"
_ACCOUNT = "account id in the header"
_METRICS = "metrics"
_OPTIMIZER = (
    "AWS Compute Optimizer's ECS recommendations in the cost panel "
    "(`compute_optimizer = false` turns it off)"
)
_LOGS = "logs"
_INSIGHTS = (
    "Logs Insights queries (`i`, `:insights`, `fgtop insights`); a query left running is stopped"
)
_EKS = "EKS discovery (`--eks`; the token needs credentials only)"
_PRICING = "`fgtop pricing update`"
_DEPLOYMENTS = "deployment history, circuit breaker and rollback (ECS service deployments)"
_ELB = "load-balancer target health of the services' target groups"
_ALARMS = "CloudWatch alarms of the services and their state changes"
_SCALING = "Service Auto Scaling: bounds, policies and activities"
_ASSUME = (
    "other accounts: `[[accounts]]` with `role_arn`, `--org-role` (from the account whose "
    "credentials assume the role; the only call that is not a read of the estate)"
)
_ORG = (
    "`--org-role`: the organization's accounts (in the management or a delegated "
    "administrator account)"
)

PERMISSIONS: tuple[Permission, ...] = (
    Permission("ecs", "ListClusters", _TASKS),
    Permission("ecs", "DescribeClusters", _TASKS),
    Permission("ecs", "ListServices", _TASKS),
    Permission("ecs", "DescribeServices", _TASKS),
    Permission("ecs", "ListTasks", _TASKS),
    Permission("ecs", "DescribeTasks", _TASKS),
    Permission("ecs", "DescribeTaskDefinition", _TASKS),  # also `fgtop diff`
    Permission("ecs", "ListTaskDefinitions", _DIFF),
    Permission("ecs", "ListServiceDeployments", _DEPLOYMENTS),  # also `fgtop diff --deployment`
    Permission("ecs", "DescribeServiceDeployments", _DEPLOYMENTS),
    Permission("ecs", "DescribeServiceRevisions", _DEPLOYMENTS),
    Permission("elbv2", "DescribeTargetHealth", _ELB, "elasticloadbalancing"),
    Permission("cloudwatch", "DescribeAlarms", _ALARMS),
    Permission("cloudwatch", "DescribeAlarmHistory", _ALARMS),
    Permission("application-autoscaling", "DescribeScalableTargets", _SCALING),
    Permission("application-autoscaling", "DescribeScalingPolicies", _SCALING),
    Permission("application-autoscaling", "DescribeScalingActivities", _SCALING),
    Permission("sts", "GetCallerIdentity", _ACCOUNT),
    Permission("cloudwatch", "GetMetricData", _METRICS),
    Permission("compute-optimizer", "GetECSServiceRecommendations", _OPTIMIZER),
    Permission("logs", "FilterLogEvents", _LOGS),
    Permission("logs", "StartQuery", _INSIGHTS),
    Permission("logs", "GetQueryResults", _INSIGHTS),
    Permission("logs", "StopQuery", _INSIGHTS),
    Permission("eks", "ListClusters", _EKS),
    Permission("eks", "DescribeCluster", _EKS),
    Permission("eks", "ListFargateProfiles", _EKS),
    Permission("eks", "DescribeFargateProfile", _EKS),
    Permission("pricing", "GetProducts", _PRICING),
    Permission("sts", "AssumeRole", _ASSUME),
    Permission("organizations", "ListAccounts", _ORG),
    Permission("organizations", "DescribeOrganization", _ORG),
)
"""Every AWS operation fgtop calls, grouped by feature in the README's order."""

NOT_READS: frozenset[tuple[str, str]] = frozenset({("sts", "AssumeRole")})
"""The operations on the list that are not a read of the estate (reaching other accounts)."""
DISCOVERY: frozenset[tuple[str, str]] = frozenset(
    {("organizations", "ListAccounts"), ("organizations", "DescribeOrganization")}
)
"""What only the account that runs ``--org-role`` calls."""

ALLOWED: frozenset[tuple[str, str]] = frozenset((p.service, p.operation) for p in PERMISSIONS)
"""The read-only guard's allow-list: (service, operation) pairs."""


def is_allowed(service: str, operation: str) -> bool:
    """Whether fgtop may call ``operation`` of ``service`` (``("ecs", "ListTasks")``)."""
    return (service, operation) in ALLOWED


def iam_table() -> str:
    """The README's IAM permissions table (Markdown) for :data:`PERMISSIONS`."""
    features: dict[str, list[str]] = {}
    for p in PERMISSIONS:
        features.setdefault(p.feature, []).append(f"`{p.action}`")
    lines = ["| feature | permissions |", "|---|---|"]
    lines += [f"| {feature} | {', '.join(actions)} |" for feature, actions in features.items()]
    return "\n".join(lines)


def iam_policy() -> dict:
    """A minimal IAM policy document allowing exactly :data:`PERMISSIONS`."""
    actions = sorted({p.action for p in PERMISSIONS})
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }


def member_policy() -> dict:
    """The policy of the role fgtop assumes in each watched account: the reads of the estate
    (not ``sts:AssumeRole``, not the organization's listing)."""
    skip = NOT_READS | DISCOVERY
    actions = sorted({p.action for p in PERMISSIONS if (p.service, p.operation) not in skip})
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }


def discovering_policy(role_name: str = "fgtop-read") -> dict:
    """The policy of the credentials that run ``--org-role ROLE_NAME``: list the accounts,
    assume the role in each (and, to watch their own account, :func:`member_policy`)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": sorted(f"{svc}:{op}" for svc, op in DISCOVERY),
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::*:role/{role_name}",
            },
        ],
    }

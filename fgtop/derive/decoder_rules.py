"""The rule table of :mod:`fgtop.derive.decoder`: reason patterns, their plain text, exit codes.

Data only (compiled regexes and strings); the matching is in :mod:`fgtop.derive.decoder`, which
re-exports the severities. Severity is an int: 1 critical, 2 high, 3 medium, 4 low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CRITICAL, HIGH, MEDIUM, LOW = 1, 2, 3, 4


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    reason: str
    next_step: str
    severity: int = HIGH
    abnormal: bool = True
    requires: re.Pattern[str] | None = None
    """A second pattern that must also match (e.g. the error family)."""


def _re(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE | re.DOTALL)


# fmt: off
_PULL = _re(r"CannotPullContainerError|ecr registry auth|ErrImagePull|ImagePullBackOff"
            r"|pull(ing)? (the )?image|failed to pull")
_NET = (r"i/o timeout|dial tcp|context deadline exceeded|Client\.Timeout|request canceled while"
        r" waiting|no such host|connection timed out|network is unreachable")
_SECRETS = r"secretsmanager|\basm\b|\bssm\b|secret|parameter"
_LOGGER = _re(r"logger|log stream|log group")
_ELB_NEXT = ("check the target group's health-check path and port answer 200 within the grace"
             " period, and that the security group lets the load balancer reach the container")
_TAG_NEXT = ("check the image name and tag in the task definition exist in the registry"
             " (tags are case-sensitive)")

# Checked in order against a reason string; the first match wins.
_RULES: tuple[_Rule, ...] = (
    _Rule("spot", _re(r"Spot Task was interrupted"),
          "AWS reclaimed the Fargate Spot capacity (2-minute warning, then SIGTERM)",
          "expected on FARGATE_SPOT; keep a FARGATE base in the capacity provider strategy"
          " if the service must not dip", LOW),
    _Rule("health-check-elb",
          _re(r"failed ELB health checks in \(target-group [^)]*?targetgroup/(?P<tg>[^/)\s]+)"),
          "failed the load balancer health checks of target group {tg}", _ELB_NEXT),
    _Rule("health-check-elb", _re(r"failed ELB health checks"),
          "failed the load balancer health checks", _ELB_NEXT),
    _Rule("health-check-container", _re(r"failed container health checks"),
          "the container HEALTHCHECK command kept failing, so ECS replaced the task",
          "run the healthCheck command by hand (ECS Exec) and check its startPeriod;"
          " read the logs just before the stop"),
    _Rule("image-pull-denied",
          _re(r"ecr:(GetAuthorizationToken|BatchGetImage|GetDownloadUrlForLayer)|not authorized"
              r" to perform: ecr|403 Forbidden|unauthorized|no basic auth credentials"),
          "not allowed to pull the image from the registry (ECR permission)",
          "give the task execution role ecr:GetAuthorizationToken, ecr:BatchGetImage and"
          " ecr:GetDownloadUrlForLayer (AmazonECSTaskExecutionRolePolicy); check the"
          " repository policy", requires=_PULL),
    _Rule("image-pull-denied", _re(r"pull access denied for (?P<repo>[^\s,]+)"),
          "pull access denied for {repo}: the repository does not exist or needs a login",
          "check the image name; for a private registry set repositoryCredentials"),
    _Rule("image-pull-network", _re(_NET),
          "could not reach the image registry (network timeout)",
          "give the task's subnets a route to the registry: a NAT gateway or public IP, or"
          " VPC endpoints for ecr.api, ecr.dkr and an S3 gateway endpoint", requires=_PULL),
    _Rule("log-group", _re(r"log group does not exist|ResourceNotFoundException"),
          "the awslogs log group does not exist, so the container could not start",
          "create the log group, or set awslogs-create-group=true (needs logs:CreateLogGroup"
          " on the execution role)", requires=_LOGGER),
    _Rule("log-group", _re(r"AccessDenied|not authorized"),
          "the task execution role may not write to the awslogs log group",
          "grant the execution role logs:CreateLogStream and logs:PutLogEvents"
          " (AmazonECSTaskExecutionRolePolicy)", requires=_LOGGER),
    _Rule("secrets", _re(rf"({_NET}).*({_SECRETS})|({_SECRETS}).*({_NET})"),
          "could not reach Secrets Manager/SSM to fetch the task's secrets (network timeout)",
          "give the task's subnets a route to Secrets Manager/SSM: a NAT gateway or public IP,"
          " or VPC endpoints for secretsmanager and ssm", requires=_re(r"secret|ssm")),
    _Rule("secrets", _re(r"AccessDenied\w*|not authorized to perform"),
          "the task execution role may not read a secret the task references",
          "grant the execution role secretsmanager:GetSecretValue / ssm:GetParameters"
          " (and kms:Decrypt for a customer-managed key) on that secret",
          requires=_re(r"secretsmanager|ssm|kms|retrieve secret")),
    _Rule("secrets", _re(r"ResourceNotFoundException|InvalidParameters?|ParameterNotFound|"
                         r"invalid ssm parameters|does not exist|not found|can't find"),
          "a secret or parameter the task definition references does not exist",
          "check the valueFrom ARN or name in the task definition's secrets (region, account"
          " and JSON key)", requires=_re(r"retrieve secret|secrets from ssm")),
    _Rule("secrets", _re(r"unable to pull secrets|retrieve secret"),
          "could not fetch the task's secrets or registry credentials",
          "check the execution role's access to Secrets Manager/SSM/ECR and the subnets'"
          " route to them (NAT or VPC endpoints)"),
    _Rule("image-platform", _re(r"no match for platform|matching platform|exec format error"),
          "the image has no build for the task's CPU architecture",
          "build a multi-arch image, or set runtimePlatform.cpuArchitecture to match it"),
    _Rule("image-not-found",
          _re(r"(failed to resolve ref(erence)?|manifest for) \"?(?P<image>[^\s\":]+:?[^\s\":]*)"
              r".*(not found|manifest unknown)"),
          "image {image} does not exist (wrong tag or repository)", _TAG_NEXT, requires=_PULL),
    _Rule("image-not-found", _re(r"not found|manifest unknown|repository does not exist"),
          "the image tag or repository does not exist", _TAG_NEXT, requires=_PULL),
    _Rule("image-pull", _PULL, "the image could not be pulled",
          "read the full reason; check the image name, the registry's reachability and the"
          " execution role's pull permissions"),
    _Rule("eni", _re(r"\bENI\b|network interface"),
          "the task could not get a network interface (ENI) in its subnet",
          "check the subnets have free IP addresses and the account's ENI quota; AWS capacity"
          " hiccups clear on retry"),
    _Rule("cannot-start", _re(r"CannotStartContainerError|CannotCreateContainerError|"
                              r"executable file not found|OCI runtime create failed"),
          "the container could not be started (bad entrypoint, command or mount)",
          "check the image's entrypoint and the task definition's command, and that the"
          " binary exists in the image"),
    _Rule("resource-init", _re(r"ResourceInitializationError"),
          "the task's resources (network, secrets, logging, storage) could not be set up",
          "read the full reason; check the execution role, subnets and VPC endpoints"),
    _Rule("oom", _re(r"OutOfMemoryError|OOMKilled|out of memory|killed due to memory usage"),
          "the container was killed for using more memory than its limit",
          "raise the task or container memory, or find the leak: open the logs and memory"
          " graph at the moment it stopped"),
    _Rule("scaling", _re(r"Scaling activity initiated by|ECS is performing maintenance"),
          "stopped by the service scheduler (scaling or a deployment replacing it)",
          "nothing to do: this is a normal replacement", LOW, False),
    _Rule("user-stopped", _re(r"Task stopped by user|stopped by user"),
          "stopped on purpose by a user or an API call (StopTask)",
          "nothing to do, unless nobody meant to stop it: check CloudTrail for StopTask",
          LOW, False),
    _Rule("deployment-rollback",
          _re(r"circuit breaker|deployment failed|detected failure\. Rolling back"),
          "the deployment failed (circuit breaker) and ECS rolled back",
          "open the stopped tasks of the new revision to see why they failed to start"),
)

# exit code -> (kind, what the container did, next step)
_EXIT_CODES: dict[int, tuple[str, str, str]] = {
    137: ("oom", "was killed with SIGKILL (exit 137), most often for running out of memory",
          "check the memory graph at the stop; raise memory, or handle SIGTERM within"
          " stopTimeout"),
    139: ("crash", "crashed with a segmentation fault (exit 139)",
          "read the last log lines; check native libraries and the image's architecture"),
    143: ("sigterm", "exited on SIGTERM (exit 143)",
          "find who stopped it (scaling, deployment, health check) in the timeline"),
    126: ("cannot-start", "could not run its command (exit 126: permission denied)",
          "check the entrypoint is executable in the image"),
    127: ("cannot-start", "could not find its command (exit 127: command not found)",
          "check the entrypoint and command in the task definition and image"),
}
# fmt: on

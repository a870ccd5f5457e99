"""The reason decoder against a table of real-world AWS and Kubernetes reason strings."""

from __future__ import annotations

import json

import pytest

from fgtop.derive.decoder import decode_deployment, decode_pod, decode_reason, decode_task
from fgtop.model import (
    Container,
    ContainerState,
    Deployment,
    FargateProfile,
    FargateSelector,
    KubeEvent,
    Pod,
    PodContainer,
    Service,
    ServiceEvent,
    Task,
)
from tests.fakes.snapshots import SAMPLES as SAMPLES_DIR  # noqa: E402

SAMPLES = SAMPLES_DIR
ACCT = "210987654321"
TG = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCT}:targetgroup/shop-api/6d0ecf831eec9f09"
ECR = f"{ACCT}.dkr.ecr.eu-west-1.amazonaws.com"
ROLE = f"arn:aws:sts::{ACCT}:assumed-role/ecsTaskExecutionRole/4c2b7e1d9a0f4e3b8c6d5a4b3c2d1e0f"

# (stoppedReason exactly as ECS prints it, expected kind, a word the plain reason must contain)
STOPPED_REASONS = [
    (f"Task failed ELB health checks in (target-group {TG})", "health-check-elb", "shop-api"),
    ("Task failed container health checks", "health-check-container", "HEALTHCHECK"),
    (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
        f" resolve ref {ECR}/shop-api:2026.11.27-9: {ECR}/shop-api:2026.11.27-9: not found",
        "image-not-found",
        "image shop-api:2026.11.27-9 does",
    ),
    (
        f"CannotPullContainerError: Error response from daemon: manifest for {ECR}/shop-api:latest"
        " not found: manifest unknown: Requested image not found",
        "image-not-found",
        "image shop-api:latest does",
    ),
    (
        "CannotPullContainerError: Error response from daemon: pull access denied for"
        " acme/private-app, repository does not exist or may require 'docker login': denied:"
        " requested access to the resource is denied",
        "image-pull-denied",
        "acme/private-app",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
        " retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3"
        f" time(s): AccessDeniedException: User: {ROLE} is not authorized to perform:"
        " ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the"
        " ecr:GetAuthorizationToken action",
        "image-pull-denied",
        "ECR",
    ),
    (
        "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to"
        f" resolve ref {ECR}/shop-api:57: pulling from host {ECR} failed with status code"
        " [manifests 57]: 403 Forbidden",
        "image-pull-denied",
        "permission",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
        " retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3"
        ' time(s): RequestError: send request failed caused by: Post "https://api.ecr.eu-west-1'
        '.amazonaws.com/": dial tcp 52.94.13.21:443: i/o timeout. Please check your task network'
        " configuration.",
        "image-pull-network",
        "registry",
    ),
    (
        f"CannotPullContainerError: Error response from daemon: Get https://{ECR}/v2/: net/http:"
        " request canceled while waiting for connection (Client.Timeout exceeded while awaiting"
        " headers)",
        "image-pull-network",
        "network",
    ),
    (
        "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy:"
        ' httpReadSeeker: failed open: failed to do request: Get "https://prod-eu-west-1-starport'
        '-layer-bucket.s3.eu-west-1.amazonaws.com/...": context deadline exceeded',
        "image-pull-network",
        "registry",
    ),
    (
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to unpack image on"
        " snapshotter overlayfs: no match for platform in manifest: not found",
        "image-platform",
        "architecture",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
        " retrieval failed: unable to retrieve secret from asm: service call has been retried 5"
        f" time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:{ACCT}:secret:shop/db"
        "-AbCdEf from secrets manager: RequestError: send request failed caused by: Post"
        ' "https://secretsmanager.eu-west-1.amazonaws.com/": dial tcp 10.20.0.9:443: i/o timeout',
        "secrets",
        "Secrets Manager",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
        " retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1"
        f" time(s): AccessDeniedException: User: {ROLE} is not authorized to perform:"
        f" ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:{ACCT}:parameter/shop/api-key",
        "secrets",
        "may not read",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource"
        " retrieval failed: unable to retrieve secret from asm: service call has been retried 1"
        f" time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:{ACCT}:secret:shop/db"
        " from secrets manager: ResourceNotFoundException: Secrets Manager can't find the"
        " specified secret.",
        "secrets",
        "does not exist",
    ),
    (
        "ResourceInitializationError: failed to validate logger args: create stream has been"
        " retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The"
        " specified log group does not exist. : exit status 1",
        "log-group",
        "log group",
    ),
    (
        "ResourceInitializationError: failed to validate logger args: create stream has been"
        " retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User:"
        f" {ROLE} is not authorized to perform: logs:CreateLogStream",
        "log-group",
        "may not write",
    ),
    ("ResourceInitializationError: unable to assign ENI to task", "eni", "network interface"),
    ("Timeout waiting for network interface provisioning to complete.", "eni", "ENI"),
    (
        "CannotStartContainerError: ResourceInitializationError: failed to create new container"
        " runtime task: failed to create shim task: OCI runtime create failed: runc create failed:"
        ' unable to start container process: exec: "/app/serve": stat /app/serve: no such file or'
        " directory: unknown",
        "cannot-start",
        "entrypoint",
    ),
    (
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes",
        "resource-init",
        "resources",
    ),
    ("Your Spot Task was interrupted.", "spot", "Spot"),
    ("Scaling activity initiated by (deployment ecs-svc/8315720496158370341)", "scaling", "scal"),
    ("Task stopped by user", "user-stopped", "StopTask"),
    ("OutOfMemoryError: Container killed due to memory usage", "oom", "memory"),
]


@pytest.mark.parametrize(("text", "kind", "word"), STOPPED_REASONS)
def test_stopped_reason_table(text: str, kind: str, word: str) -> None:
    decoded = decode_reason(text)
    assert decoded is not None, text
    assert decoded.kind == kind, (text, decoded)
    assert word.lower() in decoded.reason.lower()
    assert decoded.next_step and "\n" not in decoded.reason + decoded.next_step
    assert decoded.severity in (1, 2, 3, 4)


def test_unknown_reason_is_not_guessed() -> None:
    assert decode_reason("Everything is fine") is None
    assert decode_reason(None) is None
    assert decode_reason("", exit_code=0) is None


def test_benign_and_abnormal() -> None:
    assert decode_reason("Scaling activity initiated by (deployment ecs-svc/1)").abnormal is False
    assert decode_reason("Task stopped by user").abnormal is False
    assert decode_reason("Task failed container health checks").abnormal is True


def _task(**kw: object) -> Task:
    base: dict = dict(
        arn=f"arn:aws:ecs:eu-west-1:{ACCT}:task/shop-prod/b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2",
        cluster="shop-prod",
        region="eu-west-1",
        task_definition=f"arn:aws:ecs:eu-west-1:{ACCT}:task-definition/shop-worker:12",
        last_status="STOPPED",
        desired_status="STOPPED",
        service="shop-worker",
        group="service:shop-worker",
    )
    base.update(kw)
    return Task(**base)


def test_sample_oom_task_from_describe_tasks() -> None:
    raw = json.loads((SAMPLES / "ecs-describe-tasks.json").read_text())["tasks"][1]
    c = raw["containers"][0]
    task = _task(
        stop_code=raw["stopCode"],
        stopped_reason=raw["stoppedReason"],
        containers=(Container(c["name"], exit_code=c["exitCode"], reason=c["reason"]),),
    )
    decoded = decode_task(task)
    assert decoded is not None
    assert decoded.kind == "oom"
    assert "worker" in decoded.reason and "137" in decoded.reason


@pytest.mark.parametrize(
    ("code", "reason", "kind", "word"),
    [
        (1, None, "essential-exit", "code 1"),
        (137, None, "oom", "SIGKILL"),
        (139, None, "crash", "segmentation"),
        (127, None, "cannot-start", "command not found"),
        (0, None, "essential-exit", "must keep running"),
        (
            None,
            "CannotStartContainerError: Error response from daemon: failed to initialize logging"
            " driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The"
            " specified log group does not exist.",
            "log-group",
            "log group",
        ),
    ],
)
def test_essential_container_exited(
    code: int | None, reason: str | None, kind: str, word: str
) -> None:
    task = _task(
        stop_code="EssentialContainerExited",
        stopped_reason="Essential container in task exited",
        containers=(
            Container("log-router", exit_code=0),
            Container("api", exit_code=code, reason=reason),
        )
        if code != 0
        else (Container("api", exit_code=0),),
    )
    decoded = decode_task(task)
    assert decoded is not None and decoded.kind == kind, decoded
    assert word in decoded.reason
    assert "api" in decoded.reason


def test_standalone_task_exit_zero_is_benign() -> None:
    task = _task(
        service=None,
        group="family:nightly-report",
        stop_code="EssentialContainerExited",
        stopped_reason="Essential container in task exited",
        containers=(Container("report", exit_code=0),),
    )
    decoded = decode_task(task)
    assert decoded is not None and decoded.kind == "completed" and not decoded.abnormal


@pytest.mark.parametrize(
    ("stop_code", "reason", "kind", "abnormal"),
    [
        ("SpotInterruption", "Your Spot Task was interrupted.", "spot", True),
        ("UserInitiated", "Task stopped by user", "user-stopped", False),
        (
            "ServiceSchedulerInitiated",
            "Scaling activity initiated by (deployment ecs-svc/1)",
            "scaling",
            False,
        ),
        (
            "ServiceSchedulerInitiated",
            f"Task failed ELB health checks in (target-group {TG})",
            "health-check-elb",
            True,
        ),
        (
            "TaskFailedToStart",
            "Unexpected EC2 error while attempting to tag the network"
            " interface: InsufficientFreeAddressesInSubnet",
            "eni",
            True,
        ),
        (
            "TaskFailedToStart",
            "Fargate runtime could not start the task",
            "task-failed-to-start",
            True,
        ),
    ],
)
def test_stop_codes(stop_code: str, reason: str, kind: str, abnormal: bool) -> None:
    decoded = decode_task(_task(stop_code=stop_code, stopped_reason=reason))
    assert decoded is not None and decoded.kind == kind, decoded
    assert decoded.abnormal is abnormal


def test_running_tasks() -> None:
    healthy = _task(last_status="RUNNING", desired_status="RUNNING", health="HEALTHY")
    assert decode_task(healthy) is None
    sick = _task(
        last_status="RUNNING",
        desired_status="RUNNING",
        health="UNHEALTHY",
        containers=(Container("api", health="UNHEALTHY"), Container("envoy", health="HEALTHY")),
    )
    decoded = decode_task(sick)
    assert decoded is not None and decoded.kind == "health-check-container"
    assert "api" in decoded.reason and "envoy" not in decoded.reason


def _services() -> list[dict]:
    return json.loads((SAMPLES / "ecs-describe-services.json").read_text())["services"]


def _service(raw: dict) -> Service:
    deps = tuple(
        Deployment(
            id=d["id"],
            status=d["status"],
            task_definition=d["taskDefinition"],
            desired=d["desiredCount"],
            running=d["runningCount"],
            pending=d["pendingCount"],
            failed_tasks=d.get("failedTasks", 0),
            rollout_state=d.get("rolloutState"),
            rollout_state_reason=d.get("rolloutStateReason"),
        )
        for d in raw["deployments"]
    )
    events = tuple(ServiceEvent(e["id"], 0.0, e["message"]) for e in raw["events"])
    return Service(
        name=raw["serviceName"],
        arn=raw["serviceArn"],
        cluster="shop-prod",
        region="eu-west-1",
        status=raw["status"],
        desired=raw["desiredCount"],
        running=raw["runningCount"],
        pending=raw["pendingCount"],
        deployments=deps,
        events=events,
    )


def test_sample_rollback_deployment() -> None:
    rolling, failed = (_service(s) for s in _services())
    assert decode_deployment(rolling) is None
    decoded = decode_deployment(failed)
    assert decoded is not None and decoded.kind == "deployment-rollback"
    assert "shop-worker:12" in decoded.reason and "rolled back to shop-worker:11" in decoded.reason
    assert "tasks failed to start" in decoded.reason


def test_deployment_events() -> None:
    base = _service(_services()[0])
    events = [
        (
            "(service shop-api) (deployment ecs-svc/1) deployment failed: tasks failed to start.",
            "deployment-rollback",
        ),
        (
            "(service shop-api) is unable to consistently start tasks successfully. For more"
            " information, see the Troubleshooting section.",
            "deployment-failing",
        ),
        (
            "(service shop-worker) was unable to place a task. Reason: You've reached the limit on"
            " the number of tasks you can run concurrently.",
            "placement",
        ),
        ("(service shop-api) has reached a steady state.", None),
    ]
    for message, kind in events:
        svc = Service(
            **{**base.__dict__, "deployments": (), "events": (ServiceEvent("e", 1.0, message),)}
        )
        decoded = decode_deployment(svc)
        assert (decoded.kind if decoded else None) == kind, message
    placed = decode_deployment(
        Service(
            **{
                **base.__dict__,
                "deployments": (),
                "events": (ServiceEvent("e", 1.0, events[2][0]),),
            }
        )
    )
    assert placed is not None and "quota" in placed.next_step


def _pods() -> list[dict]:
    return json.loads((SAMPLES / "eks-fargate-pods.json").read_text())["items"]


def _pod(raw: dict) -> Pod:
    """A minimal parse of the sample pod list (the kube source has the real parser)."""

    def state(d: dict | None) -> ContainerState | None:
        if not d:
            return None
        ((name, body),) = d.items()
        return ContainerState(name, body.get("reason"), body.get("message"), body.get("exitCode"))

    statuses = {s["name"]: s for s in raw["status"].get("containerStatuses", ())}
    containers = tuple(
        PodContainer(
            name=c["name"],
            restarts=statuses.get(c["name"], {}).get("restartCount", 0),
            state=state(statuses.get(c["name"], {}).get("state")) or ContainerState("waiting"),
            last_state=state(statuses.get(c["name"], {}).get("lastState")),
        )
        for c in raw["spec"]["containers"]
    )
    conditions = tuple(
        (c["type"], c["status"], c.get("reason"), c.get("message"))
        for c in raw["status"].get("conditions", ())
    )
    md = raw["metadata"]
    return Pod(
        namespace=md["namespace"],
        name=md["name"],
        cluster="shop-eks",
        context=None,
        phase=raw["status"]["phase"],
        scheduler=raw["spec"]["schedulerName"],
        labels=md.get("labels", {}),
        containers=containers,
        conditions=conditions,
    )


PROFILES = (
    FargateProfile("fp-shop", "shop-eks", selectors=(FargateSelector("shop"),)),
    FargateProfile(
        "fp-system",
        "shop-eks",
        selectors=(FargateSelector("kube-system", {"k8s-app": "kube-dns"}),),
    ),
)


def test_sample_pods() -> None:
    running, crashing, pending = (_pod(p) for p in _pods())
    assert decode_pod(running) is None
    oom = decode_pod(crashing)
    assert oom is not None and oom.kind == "oom"
    assert "checkout" in oom.reason and "9 restarts" in oom.reason
    precise = decode_pod(pending, PROFILES)
    assert precise is not None and precise.kind == "pending-no-profile"
    assert "namespace analytics" in precise.reason and "app=spark-driver" in precise.reason
    vague = decode_pod(pending)
    assert vague is not None and vague.kind == "pending-no-profile"
    assert "no nodes available" in vague.reason
    selected = decode_pod(
        pending,
        (
            *PROFILES,
            FargateProfile("fp-analytics", "shop-eks", "CREATING", (FargateSelector("analytics"),)),
        ),
    )
    assert selected is not None and "not ACTIVE" in selected.reason


def _waiting_pod(reason: str, message: str, **kw: object) -> Pod:
    return Pod(
        namespace="shop",
        name="cart-7d9f6c5b8-x2k4p",
        cluster="shop-eks",
        context=None,
        phase=str(kw.pop("phase", "Pending")),
        scheduler="fargate-scheduler",
        containers=(PodContainer("cart", state=ContainerState("waiting", reason, message), **kw),),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("reason", "message", "event", "kind"),
    [
        ("ImagePullBackOff", f'Back-off pulling image "{ECR}/cart:1.20.0"', None, "image-pull"),
        (
            "ImagePullBackOff",
            f'Back-off pulling image "{ECR}/cart:1.20.0"',
            f'Failed to pull image "{ECR}/cart:1.20.0": rpc error: code = NotFound desc = failed to'
            f' pull and unpack image "{ECR}/cart:1.20.0": failed to resolve reference'
            f' "{ECR}/cart:1.20.0": {ECR}/cart:1.20.0: not found',
            "image-not-found",
        ),
        (
            "ErrImagePull",
            f'failed to pull and unpack image "{ECR}/cart:1.20.0": failed to resolve reference'
            f' "{ECR}/cart:1.20.0": pulling from host {ECR} failed with status code [manifests'
            " 1.20.0]: 403 Forbidden",
            None,
            "image-pull-denied",
        ),
        (
            "ErrImagePull",
            f'failed to pull and unpack image "{ECR}/cart:1.20.0": failed to resolve reference'
            f' "{ECR}/cart:1.20.0": failed to do request: Head "https://{ECR}/v2/cart/manifests/'
            '1.20.0": dial tcp 10.30.0.12:443: i/o timeout',
            None,
            "image-pull-network",
        ),
        ("CreateContainerConfigError", 'secret "cart-db" not found', None, "config"),
        ("CrashLoopBackOff", "back-off 5m0s restarting failed container=cart", None, "crash-loop"),
        ("RunContainerError", "context deadline exceeded", None, "waiting"),
        ("ContainerCreating", "", None, "pending"),
    ],
)
def test_pod_waiting_reasons(reason: str, message: str, event: str | None, kind: str) -> None:
    events = (
        [KubeEvent("shop-eks", "shop", "cart-7d9f6c5b8-x2k4p", "Failed", event, "Warning")]
        if event
        else []
    )
    decoded = decode_pod(_waiting_pod(reason, message), events=events)
    assert decoded is not None and decoded.kind == kind, decoded


def test_crash_loop_exit_code_and_not_supported() -> None:
    pod = _waiting_pod(
        "CrashLoopBackOff",
        "back-off",
        phase="Running",
        restarts=4,
        last_state=ContainerState("terminated", "Error", exit_code=3),
    )
    decoded = decode_pod(pod)
    assert decoded is not None and decoded.kind == "crash-loop" and "exit 3" in decoded.reason
    unsupported = Pod(
        namespace="shop",
        name="node-exporter-x1",
        cluster="shop-eks",
        context=None,
        phase="Pending",
        scheduler="fargate-scheduler",
        conditions=(
            (
                "PodScheduled",
                "False",
                "Unschedulable",
                "Pod not supported on Fargate:"
                " fields not supported: HostNetwork, port contains HostIP or HostPort",
            ),
        ),
    )
    decoded = decode_pod(unsupported)
    assert decoded is not None and decoded.kind == "fargate-unsupported"
    assert "HostNetwork" in decoded.reason


def test_oom_terminated_and_recovered() -> None:
    done = Pod(
        namespace="jobs",
        name="etl-28731-abcde",
        cluster="c",
        context=None,
        phase="Failed",
        containers=(
            PodContainer("etl", state=ContainerState("terminated", "OOMKilled", exit_code=137)),
        ),
    )
    assert decode_pod(done).kind == "oom"
    recovered = Pod(
        namespace="shop",
        name="cart-1",
        cluster="c",
        context=None,
        phase="Running",
        containers=(
            PodContainer(
                "cart",
                ready=True,
                restarts=1,
                state=ContainerState("running"),
                last_state=ContainerState("terminated", "OOMKilled", exit_code=137),
            ),
        ),
    )
    decoded = decode_pod(recovered)
    assert decoded is not None and decoded.kind == "oom" and decoded.severity == 3

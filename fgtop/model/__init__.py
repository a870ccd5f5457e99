"""Frozen dataclasses for everything fgtop observes. No I/O, no Textual."""

from fgtop.model.account import Account, arn_account
from fgtop.model.alarms import Alarm, AlarmChange
from fgtop.model.ecs import (
    Cluster,
    Container,
    ContainerDefinition,
    Deployment,
    LogConfig,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
)
from fgtop.model.elb import TargetHealth
from fgtop.model.health import Hints, SourceHealth
from fgtop.model.kube import (
    ContainerState,
    FargateProfile,
    FargateSelector,
    KubeCluster,
    KubeEvent,
    KubeWorkload,
    Pod,
    PodContainer,
)
from fgtop.model.logs import LogLine
from fgtop.model.metrics import MetricSeries, MetricsUsage
from fgtop.model.optimizer import EcsRecommendation, OptimizerOption, OptimizerStatus
from fgtop.model.scaling import NotScaled, ScalableTarget, ScalingActivity, ScalingPolicy
from fgtop.model.service_deployments import (
    ContainerImage,
    LoadBalancerRef,
    RevisionCount,
    ServiceDeployment,
    ServiceRevision,
)
from fgtop.model.snapshot import Snapshot

__all__ = [
    "Account",
    "Alarm",
    "AlarmChange",
    "Cluster",
    "Container",
    "ContainerDefinition",
    "ContainerImage",
    "ContainerState",
    "Deployment",
    "EcsRecommendation",
    "FargateProfile",
    "FargateSelector",
    "Hints",
    "KubeCluster",
    "KubeEvent",
    "KubeWorkload",
    "LoadBalancerRef",
    "LogConfig",
    "LogLine",
    "MetricSeries",
    "MetricsUsage",
    "NotScaled",
    "OptimizerOption",
    "OptimizerStatus",
    "Pod",
    "PodContainer",
    "RevisionCount",
    "ScalableTarget",
    "ScalingActivity",
    "ScalingPolicy",
    "Service",
    "ServiceDeployment",
    "ServiceEvent",
    "ServiceRevision",
    "Snapshot",
    "SourceHealth",
    "TargetHealth",
    "Task",
    "TaskDefinition",
    "arn_account",
]

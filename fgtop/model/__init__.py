"""Frozen dataclasses for everything fgtop observes. No I/O, no Textual."""

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
from fgtop.model.snapshot import Snapshot

__all__ = [
    "Cluster",
    "Container",
    "ContainerDefinition",
    "ContainerState",
    "Deployment",
    "EcsRecommendation",
    "FargateProfile",
    "FargateSelector",
    "Hints",
    "KubeCluster",
    "KubeEvent",
    "KubeWorkload",
    "LogConfig",
    "LogLine",
    "MetricSeries",
    "MetricsUsage",
    "OptimizerOption",
    "OptimizerStatus",
    "Pod",
    "PodContainer",
    "Service",
    "ServiceEvent",
    "Snapshot",
    "SourceHealth",
    "Task",
    "TaskDefinition",
]

"""Valid Fargate CPU/memory combinations, and Fargate's sizing rules for EKS pods.

One table (:data:`FARGATE_SIZES`) serves both the EKS rounding and the right-sizing.
CPU is in CPU units (1024 = 1 vCPU) and memory in MiB (1024 = 1 GB as Fargate counts it).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from fgtop.model.kube import Pod, PodContainer


def _combos() -> tuple[tuple[int, int], ...]:
    gb = 1024
    spec: list[tuple[int, list[int]]] = [
        (256, [512, 1024, 2048]),
        (512, [g * gb for g in range(1, 5)]),
        (1024, [g * gb for g in range(2, 9)]),
        (2048, [g * gb for g in range(4, 17)]),
        (4096, [g * gb for g in range(8, 31)]),
        (8192, [g * gb for g in range(16, 61, 4)]),
        (16384, [g * gb for g in range(32, 121, 8)]),
    ]
    return tuple((cpu, mem) for cpu, mems in spec for mem in mems)


FARGATE_SIZES: tuple[tuple[int, int], ...] = _combos()
"""Every valid (CPU units, memory MiB) pair, sorted by CPU then memory."""

VALID_SIZES: frozenset[tuple[int, int]] = frozenset(FARGATE_SIZES)
"""The same pairs, for membership tests."""

EKS_OVERHEAD_MIB = 256
"""Memory Fargate adds to every EKS pod for kubelet, kube-proxy and containerd."""


def is_valid_size(cpu_units: int, memory_mib: int) -> bool:
    """Whether (cpu, memory) is a combination Fargate accepts."""
    return (cpu_units, memory_mib) in VALID_SIZES


def round_up_to_fargate(
    cpu_units: float | Fraction, memory_mib: float | Fraction
) -> tuple[int, int]:
    """The smallest valid Fargate combination with at least this CPU and memory.

    Args:
        cpu_units: CPU wanted, in CPU units (1024 = 1 vCPU); may be fractional.
        memory_mib: Memory wanted, in MiB; may be fractional.

    Returns:
        ``(cpu_units, memory_mib)`` of the first combination (smallest CPU, then smallest
        memory) that covers both.

    Raises:
        ValueError: When nothing Fargate offers is that large (over 16 vCPU or 120 GB).
    """
    for cpu, mem in FARGATE_SIZES:
        if cpu >= cpu_units and mem >= memory_mib:
            return cpu, mem
    raise ValueError(
        f"no Fargate size has {float(cpu_units) / 1024:g} vCPU and {float(memory_mib) / 1024:g} GB "
        "(the largest is 16 vCPU, 120 GB)"
    )


_CAPACITY_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*vCPU\s+([0-9]*\.?[0-9]+)\s*GB\s*$", re.I)


def parse_capacity_provisioned(text: str) -> tuple[int, int]:
    """Parse an EKS ``CapacityProvisioned`` annotation.

    Args:
        text: e.g. ``"0.5vCPU 1GB"`` or ``"0.25vCPU 0.5GB"``.

    Returns:
        ``(cpu_units, memory_mib)``, e.g. ``(512, 1024)``.

    Raises:
        ValueError: When the text is not of that form.
    """
    m = _CAPACITY_RE.match(text or "")
    if not m:
        raise ValueError(f"not a CapacityProvisioned value: {text!r}")
    cpu = Fraction(m.group(1)) * 1024
    mem = Fraction(m.group(2)) * 1024
    return math.ceil(cpu), math.ceil(mem)


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Fraction | int] = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
}
_DECIMAL.update({"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18})
_QUANTITY_RE = re.compile(r"^\s*([+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*$")


def parse_quantity(text: str) -> Fraction:
    """Parse a Kubernetes quantity (``250m``, ``1.5``, ``512Mi``, ``1G``) into a number.

    Raises:
        ValueError: On anything that is not a quantity.
    """
    m = _QUANTITY_RE.match(str(text))
    if not m:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    number, suffix = m.groups()
    if suffix in _BINARY:
        return Fraction(number) * _BINARY[suffix]
    if suffix in _DECIMAL:
        return Fraction(number) * _DECIMAL[suffix]
    raise ValueError(f"unknown quantity suffix in {text!r}")


def _container_need(c: PodContainer) -> tuple[Fraction, Fraction]:
    """(CPU units, MiB) one container requests.

    The request counts, not the limit. A resource with a limit and no request takes the
    limit as its request, as the Kubernetes API server defaults it.
    """
    cpu = c.requests.get("cpu", c.limits.get("cpu"))
    mem = c.requests.get("memory", c.limits.get("memory"))
    return (
        parse_quantity(cpu) * 1024 if cpu is not None else Fraction(0),
        parse_quantity(mem) / 2**20 if mem is not None else Fraction(0),
    )


def pod_fargate_size(pod: Pod) -> tuple[int, int]:
    """The size Fargate gives an EKS pod from its containers' requests (the EKS rule).

    The largest request of any init container is the init requirement; the requests of
    all long-running containers are added up; the pod needs the larger of the two, plus
    256 MB for the Kubernetes components (kubelet, kube-proxy, containerd), rounded up to
    the nearest Fargate configuration. Limits do not count (a limit alone stands in for
    its missing request). The ``CapacityProvisioned`` annotation, when present, is what
    Fargate actually gave: :func:`fgtop.cost.estimate.pod_size` prefers it.

    Raises:
        ValueError: On a malformed quantity, or a pod larger than any Fargate size.
    """
    reg_cpu = reg_mem = Fraction(0)
    init_cpu = init_mem = Fraction(0)
    for c in pod.containers:
        cpu, mem = _container_need(c)
        if c.init:
            init_cpu, init_mem = max(init_cpu, cpu), max(init_mem, mem)
        else:
            reg_cpu, reg_mem = reg_cpu + cpu, reg_mem + mem
    cpu = max(reg_cpu, init_cpu)
    mem = max(reg_mem, init_mem) + EKS_OVERHEAD_MIB
    return round_up_to_fargate(cpu, mem)


def format_size(cpu_units: int, memory_mib: int) -> str:
    """``0.5 vCPU / 1 GB`` for (512, 1024)."""
    return f"{cpu_units / 1024:g} vCPU / {memory_mib / 1024:g} GB"

"""Cost: what Fargate tasks and pods cost, from a price table. Pure functions, no Textual.

- :mod:`fgtop.cost.sizes` — the valid Fargate CPU/memory combinations and EKS pod sizing.
- :mod:`fgtop.cost.prices` — the price table (bundled, or refreshed into the user's cache).
- :mod:`fgtop.cost.billing` — the billed window (image pull to stop), per-second rounding and
  the one-minute (Windows: 15-minute) minimum.
- :mod:`fgtop.cost.estimate` — $/h and cost so far per task, pod, service and estate, with
  an optional Savings Plan discount on on-demand compute.
- :mod:`fgtop.cost.summary` — :class:`CostSummary`, the estate's figures and their JSON.
- :mod:`fgtop.cost.rightsizing` — smaller sizes, ARM and Spot, with their savings.
- :mod:`fgtop.cost.holdbacks` — the rules that hold a sick service back from any of them.
Refreshing the table from the Price List API is I/O, so it lives in
:mod:`fgtop.sources.pricing` (``fgtop pricing update``).
"""

from fgtop.cost.estate import estate_cost
from fgtop.cost.estimate import CostSummary, pod_rate, task_cost_so_far, task_rate
from fgtop.cost.prices import PriceTable, load_price_table
from fgtop.cost.rightsizing import Suggestion, suggest

__all__ = [
    "CostSummary",
    "PriceTable",
    "Suggestion",
    "estate_cost",
    "load_price_table",
    "pod_rate",
    "suggest",
    "task_cost_so_far",
    "task_rate",
]

"""The staff pages: overview (``/ecs/``), one allocation's history, the usage CSV."""

from .export import usage_csv
from .history import AllocationHistoryView
from .overview import OverviewView

__all__ = ["AllocationHistoryView", "OverviewView", "usage_csv"]

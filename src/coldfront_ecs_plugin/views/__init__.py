"""The staff pages (overview, one allocation's history, usage CSV, S3 holders) and members' S3 page."""

from .export import usage_csv
from .history import AllocationHistoryView
from .overview import OverviewView
from .s3 import S3AccessView, S3HoldersView

__all__ = ["AllocationHistoryView", "OverviewView", "S3AccessView", "S3HoldersView", "usage_csv"]

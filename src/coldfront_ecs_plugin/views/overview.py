"""``GET /ecs/``: every ECS resource's capacity chart and last sync, the last drift report, the bindings table."""

from __future__ import annotations

from django.views.generic import TemplateView

from ..models import BindingState
from ..services import page_data
from ..services.display import percent_text, tb_text
from ..services.resources import ecs_resources
from .access import StaffOnlyMixin


class OverviewView(StaffOnlyMixin, TemplateView):
    template_name = "coldfront_ecs_plugin/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resources = list(ecs_resources().order_by("name"))
        filters = page_data.parse_filters(self.request.GET, {r.pk for r in resources})
        rows = page_data.table(filters)
        all_rows = rows if filters.resource_id is None and filters.state is None else page_data.load_rows()
        drift_report, _flags = page_data.drift_by_allocation()
        context.update(
            resources=resources,
            cards=page_data.resource_cards(resources, all_rows),
            filters=filters,
            rows=[_display(r) for r in rows],
            states=BindingState.values,
            drift_report=drift_report,
            drift_items=(drift_report.data.get("drift", [])[:200] if drift_report else []),
            columns=_columns(filters),
            query_base=_query_base(filters),
        )
        return context


def _display(row) -> dict:
    return {
        "row": row,
        "quota": tb_text(row.quota_tb),
        "used": tb_text(row.used_tb),
        "percent": percent_text(row.used_tb, row.quota_tb),
        "percent_value": row.percent_used,
    }


COLUMNS = [
    ("allocation", "Allocation"),
    ("project", "Project"),
    ("pi", "PI"),
    ("resource", "Resource"),
    ("namespace", "Namespace"),
    ("bucket", "Bucket"),
    ("quota", "Quota"),
    ("used", "Used"),
    ("percent", "% used"),
    ("state", "ECS Status"),
    ("synced", "Last synced"),
]


def _query_base(filters: page_data.Filters) -> str:
    parts = []
    if filters.resource_id is not None:
        parts.append(f"resource={filters.resource_id}")
    if filters.state:
        parts.append(f"state={filters.state}")
    return "&".join(parts)


def _columns(filters: page_data.Filters) -> list[dict]:
    """Header links: a click sorts by the column, a second click reverses it."""
    base = _query_base(filters)
    columns = []
    for key, label in COLUMNS:
        current = filters.sort == key
        direction = "desc" if current and not filters.descending else "asc"
        arrow = (" ▼" if filters.descending else " ▲") if current else ""
        columns.append(
            {"key": key, "label": label + arrow, "href": f"?{base + '&' if base else ''}sort={key}&dir={direction}"}
        )
    return columns

"""``GET /ecs/allocation/<pk>/?days=N``: one allocation's usage and quota over the chosen period."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from ..services import page_data
from ..services.charts import history_chart
from ..services.display import percent_text, tb_text
from ..services.history import load_series, summarise
from .access import StaffOnlyMixin

PERIODS = (7, 30, 90, 365, 1095)


class AllocationHistoryView(StaffOnlyMixin, TemplateView):
    template_name = "coldfront_ecs_plugin/allocation_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = page_data.parse_days(self.request.GET.get("days"))
        rows = page_data.load_rows(allocation_ids=[kwargs["pk"]])
        if not rows:
            raise Http404("This allocation has no ECS storage.")
        row = rows[0]
        end = timezone.now()
        start = end - dt.timedelta(days=days)
        series = load_series([row.allocation_id], start, end).get(row.allocation_id)
        used = series.used if series else []
        quota = series.quota if series else []
        stats = summarise(used, start, end, (end - start).total_seconds())
        context.update(
            row=row,
            days=days,
            periods=PERIODS,
            chart=history_chart(used, quota, start, end),
            start=start,
            end=end,
            quota=tb_text(row.quota_tb),
            used=tb_text(row.used_tb),
            percent=percent_text(row.used_tb, row.quota_tb),
            average=tb_text(stats.average),
            peak=tb_text(stats.peak),
            changes=[(t, tb_text(v)) for t, v in reversed(used)][:50],
            points=len(used),
        )
        return context

"""``GET /ecs/usage.csv?month=YYYY-MM``: per allocation, the month's average and peak used TB, quota, TB-months."""

from __future__ import annotations

import csv

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from ..services import page_data
from .access import bad_request, is_staff


def usage_csv(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_staff(request.user):
        raise PermissionDenied("The ECS pages are for staff only.")
    try:
        year, month = page_data.parse_month(request.GET.get("month"))
    except page_data.BadInput as exc:
        return bad_request(request, str(exc))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ecs-usage-{year:04d}-{month:02d}.csv"'
    writer = csv.writer(response)
    writer.writerow(page_data.CSV_HEADER)
    writer.writerows(page_data.usage_csv_rows(year, month))
    return response

"""Who may see the staff pages: staff and superusers; anyone else signed in gets 403, anonymous users the login page."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View

from ..services.page_data import BadInput


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


class StaffOnlyMixin(View):
    """Checks access before anything else; turns a ``BadInput`` into a 400 page that says what was wrong."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff(request.user):
            raise PermissionDenied("The ECS pages are for staff only.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadInput as exc:
            return bad_request(request, str(exc))


def bad_request(request, message: str):
    return render(request, "coldfront_ecs_plugin/bad_request.html", {"message": message}, status=400)

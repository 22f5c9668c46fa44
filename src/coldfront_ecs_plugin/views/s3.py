"""``/ecs/s3/``: a member's own S3 access (create, rotate, delete keys); ``/ecs/s3/users/``: who has keys (staff).

A new key is in one response only, the one answering the POST that made it: it is never stored,
never logged, never redirected to, and every response here says ``Cache-Control: no-store`` so the
browser does not keep it either.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .. import conf
from ..services import s3_keys
from .access import StaffOnlyMixin, is_staff

TEMPLATE = "coldfront_ecs_plugin/s3_access.html"
ACTIONS = ("create", "rotate", "delete")


def _enabled() -> bool:
    return _settings().s3_users


def _settings() -> conf.ECSSettings:
    try:
        return conf.load(require_credentials=False)
    except conf.SettingsError:
        return conf.ECSSettings(user="", password="")  # the defaults: S3 access off; manage.py check says why


@method_decorator(never_cache, name="dispatch")
class S3AccessView(View):
    """The signed-in user's object users only: the queryset is filtered by ``user`` before anything else."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._page(request)

    def post(self, request):
        action = request.POST.get("action", "")
        try:
            if not _enabled():
                raise s3_keys.KeyRequestError("S3 access is not enabled on this site.", 404)
            if action not in ACTIONS:
                raise s3_keys.KeyRequestError(f"Unknown action {action[:40]!r}: use create, rotate or delete.")
            row = s3_keys.own_row(request.user, request.POST.get("object_user"))
            if action == "delete":
                s3_keys.delete(row, request.POST.get("key", "").strip() or None)
                return self._page(
                    request,
                    message="The key was deleted."
                    if request.POST.get("key")
                    else "Every key of this S3 user was deleted.",
                )
            secret = s3_keys.create(row) if action == "create" else s3_keys.rotate(row)
        except s3_keys.KeyRequestError as exc:
            return self._page(request, error=exc.message, status=exc.status)
        return self._page(request, new_key={"row": row.pk, "secret": secret, "rotated": action == "rotate"})

    def _page(self, request, *, status: int = 200, **extra):
        enabled = _enabled()
        access = s3_keys.list_access(request.user) if enabled else []
        # every name the template reads is set: a missing one makes Django log the context at DEBUG
        context = {
            "access": access,
            "enabled": enabled,
            "is_staff": is_staff(request.user),
            "error": "",
            "message": "",
            "new_key": None,
            "rotation_minutes": _settings().key_rotation_minutes,
            **extra,
        }
        return render(request, TEMPLATE, context, status=status)


@method_decorator(never_cache, name="dispatch")
class S3HoldersView(StaffOnlyMixin, TemplateView):
    """Staff see who has S3 users and how many keys each has; the page has no key and no form."""

    template_name = "coldfront_ecs_plugin/s3_holders.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(holders=s3_keys.holders() if _enabled() else [], enabled=_enabled(), limit=s3_keys.HOLDERS_LIMIT)
        return context

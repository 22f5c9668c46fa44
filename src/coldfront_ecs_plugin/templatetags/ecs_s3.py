"""``{% ecs_s3_link allocation %}``: the allocation page's link to the member's S3 access page.

ColdFront has no plugin hook on the allocation page, so a site adds this tag through a template
override (``site_templates/allocation/allocation_detail.html``, see the README). It renders only
for a user who has an S3 user on that allocation, and a staff link to who has keys.
"""

from __future__ import annotations

from django import template

from ..services.s3_keys import served_rows
from ..views.access import is_staff

register = template.Library()


@register.inclusion_tag("coldfront_ecs_plugin/s3_link.html", takes_context=True)
def ecs_s3_link(context, allocation) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    allocation_id = getattr(allocation, "pk", allocation)
    if user is None or not user.is_authenticated or allocation_id is None:
        return {"show": False}
    mine = served_rows(user).filter(binding__allocation_id=allocation_id).exists()
    staff = is_staff(user) and served_rows().filter(binding__allocation_id=allocation_id).exists()
    return {"show": mine or staff, "mine": mine, "staff": staff}

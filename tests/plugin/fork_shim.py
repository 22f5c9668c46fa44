"""A stand-in for FASRC's ColdFront fork, just enough to drive the plugin's fork receivers.

The fork's ``coldfront.core.allocation.signals`` defines two extra signals.  ``install`` adds
them to the real (stock 1.1.10) module and re-runs the plugin's wiring, as ``ready()`` would
on the fork.  ``FakeForkViews`` sends them the way the fork's views do (prior-art report,
section 7): autocreate from the approval view *before* ``allocation_obj.save()`` while the
allocation still has its pending status; autoupdate from the change-request view with
``int(new_value)``; a falsy reply list or an exception becomes an error message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import django.dispatch


class AllocationDetailView:  # the fork's sender classes (only their identity matters)
    pass


class AllocationChangeDetailView:
    pass


@dataclass
class ForkResult:
    replies: list = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.replies)


class FakeForkViews:
    def __init__(self, module) -> None:
        self.module = module

    def approve_with_autocreate(self, allocation, resource, automation=()) -> ForkResult:
        """What the fork's AllocationDetailView.post does for action=approve, auto_create_opts=2."""
        from coldfront.core.allocation.models import AllocationStatusChoice

        form_data = {
            "sheetcheck": True,
            "auto_create_opts": "2",
            "path": "",
            "automation_specifications": list(automation),
        }
        try:
            responses = self.module.allocation_autocreate.send(
                sender=AllocationDetailView, allocation_obj=allocation, resource=resource, approval_form_data=form_data
            )
        except Exception as exc:  # the fork shows the text and redirects; nothing is saved
            return ForkResult(
                error=f"An error was encountered during autocreation: {exc} Please contact your administrator."
            )
        replies = [reply for _receiver, reply in responses if reply]
        if not replies:
            return ForkResult(error="The specified resource has no automated creation options at this time.")
        allocation.status = AllocationStatusChoice.objects.get(name="Active")
        allocation.save()
        self.module.allocation_activate.send(sender=AllocationDetailView, allocation_obj=allocation)
        return ForkResult(replies=replies)

    def approve_with_autoupdate(self, allocation, new_value: str) -> ForkResult:
        """What the fork's AllocationChangeDetailView.post does for action=approve, auto_update_opts=2."""
        new_quota_value = int(new_value)  # outside the try in the fork, as there
        try:
            responses = self.module.allocation_autoupdate.send(
                sender=AllocationChangeDetailView, allocation_obj=allocation, new_quota_value=new_quota_value
            )
        except Exception as exc:
            return ForkResult(error=f"An error was encountered while auto-updating the allocation quota ({exc})")
        replies = [reply for _receiver, reply in responses if reply]
        if not replies:
            return ForkResult(error="The specified resource has no automated update options at this time.")
        return ForkResult(replies=replies)


def install(monkeypatch) -> FakeForkViews:
    """Add the fork's two signals to the real module and connect the plugin's receivers to them."""
    from coldfront.core.allocation import signals as module

    from coldfront_ecs_plugin.signals import connect_receivers

    monkeypatch.setattr(module, "allocation_autocreate", django.dispatch.Signal(), raising=False)
    monkeypatch.setattr(module, "allocation_autoupdate", django.dispatch.Signal(), raising=False)
    connected = connect_receivers()
    assert {"allocation_autocreate", "allocation_autoupdate"} <= set(connected)
    return FakeForkViews(module)

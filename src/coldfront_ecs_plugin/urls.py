"""The plugin's pages, meant to be mounted at ``ecs/`` (see the README, "Staff page").

ColdFront 1.1.8+: ``COLDFRONT_URLS`` or a ``local_urls.py`` with
``urlpatterns += [path("ecs/", include("coldfront_ecs_plugin.urls"))]``; earlier releases: the
same line in the site's own URLconf.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.OverviewView.as_view(), name="ecs-overview"),
    path("allocation/<int:pk>/", views.AllocationHistoryView.as_view(), name="ecs-allocation-history"),
    path("usage.csv", views.usage_csv, name="ecs-usage-csv"),
    path("s3/", views.S3AccessView.as_view(), name="ecs-s3"),
    path("s3/users/", views.S3HoldersView.as_view(), name="ecs-s3-holders"),
]

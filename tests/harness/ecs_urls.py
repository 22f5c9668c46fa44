"""ColdFront's own URLconf plus the plugin's pages at ``ecs/``: what a site's ``local_urls.py`` adds.

Tests include it themselves (``settings.ROOT_URLCONF``) so the pages are tested on ColdFront 1.1.6
too, which has no ``COLDFRONT_URLS``/``local_urls.py`` mechanism.
"""

from coldfront.config.urls import urlpatterns as coldfront_urlpatterns
from django.urls import include, path

urlpatterns = [*coldfront_urlpatterns, path("ecs/", include("coldfront_ecs_plugin.urls"))]

"""The portal's URLs plus the load benchmark's baseline (bench/dashboard_load.py).

The baseline is what every logged-in page costs before it does its own work: it goes through the
same middleware (security, CSP, session read from the database, locale, CSRF, authentication and
the user, allauth, the two-factor check with the person's roles, messages, clickjacking) and the
same login_required, then runs one primary-key query and returns a few bytes.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from amnesty_portal.urls import handler403, handler404, handler500  # noqa: F401 -- the portal's error pages
from amnesty_portal.urls import urlpatterns as portal_urlpatterns
from regions.models import Region


@require_safe
@login_required
def baseline(request):
    try:
        pk = int(request.GET.get("region", "1"))
    except ValueError:
        pk = 1
    region = Region.objects.get(pk=pk)
    return HttpResponse(f"{region.pk} {region.name}\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *portal_urlpatterns]

"""The landing page that sends each person where their role starts, health, and error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_safe

from amnesty_portal.permissions import roles_of
from groups.models import Group
from regions.models import Region


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    roles = roles_of(request.user)
    if request.GET.get("stay") is None:
        if roles.is_admin:
            return redirect("regions:list")
        if roles.leader_region_ids or roles.coordinator_region_ids:
            region = Region.objects.filter(pk__in=roles.staff_region_ids).order_by("name").first()
            return redirect(region)
        if roles.contact_group_ids:
            return redirect("groups:detail", pk=min(roles.contact_group_ids))
    return my_page(request)


@login_required
def my_page(request):
    groups = Group.objects.filter(pk__in=roles_of(request.user).member_group_ids).select_related("region")
    return render(request, "my_page.html", {"groups": groups})


@require_safe
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors: the database may be what failed.
    template = loader.get_template("errors/500.html")
    return HttpResponse(template.render({"request": request}), status=500)

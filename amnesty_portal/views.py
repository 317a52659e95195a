"""The landing page that sends each person where their role starts, health, and error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_safe

from amnesty_portal.permissions import roles_of
from groups.models import Group, Invitation, JoinRequest
from groups.reports import reports_due
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
    user = request.user
    roles = roles_of(user)
    groups = Group.objects.filter(pk__in=roles.member_group_ids).select_related("region").order_by("name")
    context = {
        "groups": groups,
        "invitations": Invitation.objects.filter(person=user, accepted_at=None, declined_at=None)
        .filter(group__status__in=[Group.Status.PENDING, Group.Status.RECOGNISED])
        .select_related("group")
        .order_by("created_at"),
        "my_requests": JoinRequest.objects.pending().filter(person=user).select_related("group").order_by("created_at"),
        "registrations": Group.objects.filter(
            registered_by=user, status__in=[Group.Status.PENDING, Group.Status.REJECTED]
        ).order_by("-registered_at"),
        "to_answer": JoinRequest.objects.pending()
        .filter(group_id__in=roles.officer_group_ids)
        .select_related("group", "person")
        .order_by("created_at")
        if roles.officer_group_ids
        else [],
    }
    if roles.contact_group_ids:
        context["reports_due"], context["reporting_quarter"] = reports_due(roles.contact_group_ids)
    return render(request, "my_page.html", context)


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

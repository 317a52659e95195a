"""Regions: the list (admins see all five) and one region's page for its staff."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from amnesty_portal.permissions import get_for, require, roles_of
from groups import follow_up
from groups.models import FollowUp, Group, JoinRequest
from groups.quarters import Quarter
from regions.models import Region, RegionRole


def _with_figures(queryset):
    return queryset.annotate(
        group_count=Count("groups", filter=~Q(groups__status=Group.Status.CLOSED), distinct=True),
        county_count=Count("counties", distinct=True),
    ).prefetch_related(
        Prefetch("roles", queryset=RegionRole.objects.select_related("person").order_by("kind", "person__last_name"))
    )


@require_safe
@login_required
def region_list(request):
    roles = roles_of(request.user)
    require(request.user, roles.is_admin or roles.is_regional_staff, "region list", request)
    regions = _with_figures(Region.objects.visible_to(request.user))
    return render(request, "regions/region_list.html", {"regions": regions})


@require_safe
@login_required
def region_detail(request, slug):
    region = get_for(request.user, _with_figures(Region.objects.all()), slug=slug, request=request)
    counties = region.counties.order_by("name")
    groups = (
        Group.objects.filter(region=region)
        .select_related("municipality")
        .with_member_count()
        .order_by("status", "name")
    )
    standing = request.GET.get("standing", "")
    if standing in Group.Standing.values:
        groups = groups.filter(standing=standing, status__in=[Group.Status.PENDING, Group.Status.RECOGNISED])
    else:
        standing = ""
    follow_ups = FollowUp.objects.open().filter(region=region).select_related("group").order_by("due_on", "pk")
    join_requests = (
        JoinRequest.objects.pending()
        .filter(group__region=region)
        .select_related("group", "person")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "counties": counties,
            "groups": groups,
            "standing": standing,
            "standings": Group.Standing.choices,
            "follow_ups": follow_ups,
            "join_requests": join_requests,
            "pending_count": Group.objects.filter(region=region, status=Group.Status.PENDING).count(),
            "today": timezone.localdate(),
            **_follow_up_lists(region),
        },
    )


def _follow_up_lists(region):
    """The groups to contact this quarter or to visit, and the reports to read (groups.follow_up)."""
    today = timezone.localdate()
    quarter, since = Quarter.of(today), follow_up.visit_cutoff(today)
    return {
        "quarter": quarter,
        "months": follow_up.NOT_VISITED_MONTHS,
        "awaiting_review": follow_up.reports_awaiting_review(region),
        "not_contacted": follow_up.groups_not_contacted(region, quarter),
        "not_visited": follow_up.groups_not_visited(region, since),
    }

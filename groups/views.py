"""Groups: the list a person may see and one group's page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from amnesty_portal.permissions import can_change, get_for
from groups.models import Group, GroupMembership, Office


@require_safe
@login_required
def group_list(request):
    groups = (
        Group.objects.visible_to(request.user)
        .select_related("region", "municipality")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("name", "pk")
    )
    category = request.GET.get("category", "")
    if category in Group.Category.values:
        groups = groups.filter(category=category)
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/group_list.html",
        {"page": page, "category": category, "categories": Group.Category.choices},
    )


@require_safe
@login_required
def group_detail(request, pk):
    current_offices = Office.objects.current().select_related("person").order_by("kind", "started_on")
    group = get_for(
        request.user,
        Group.objects.select_related("region", "municipality__county").prefetch_related(
            Prefetch("offices", queryset=current_offices, to_attr="current_offices")
        ),
        pk=pk,
        request=request,
    )
    may_see_members = can_change(request.user, group)
    members = []
    if may_see_members:
        members = (
            GroupMembership.objects.filter(group=group, left_on__isnull=True)
            .select_related("person")
            .order_by("person__last_name", "person__first_name")
        )
    return render(
        request,
        "groups/group_detail.html",
        {"group": group, "members": members, "may_see_members": may_see_members},
    )

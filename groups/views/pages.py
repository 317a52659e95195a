"""Groups: the list a person may see, one group's page, and the directory of groups open to join."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_safe

from amnesty_portal.permissions import can_change, get_for, roles_of, supervises
from groups import criteria, history
from groups.forms import AnswerForm, RevisionForm
from groups.models import (
    CriterionStatus,
    FollowUp,
    Group,
    GroupMembership,
    JoinRequest,
    Office,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.views.common import filter_by_region


def _filters(request, groups):
    """The list filters shared by the group list and the directory: category, standing, region."""
    category = request.GET.get("category", "")
    if category in Group.Category.values:
        groups = groups.filter(category=category)
    else:
        category = ""
    standing = request.GET.get("standing", "")
    if standing in Group.Standing.values:
        # A closed or rejected group keeps the standing it had when it ended: it is not "at risk" now.
        groups = groups.filter(standing=standing, status__in=[Group.Status.PENDING, Group.Status.RECOGNISED])
    else:
        standing = ""
    return groups, {"category": category, "standing": standing}


@require_safe
@login_required
def group_list(request):
    groups = (
        Group.objects.visible_to(request.user)
        .select_related("region", "municipality")
        .with_member_count()
        .order_by("name", "pk")
    )
    groups, chosen = _filters(request, groups)
    status = request.GET.get("status", "")
    if status in Group.Status.values:
        groups = groups.filter(status=status)
    else:
        status = ""
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/group_list.html",
        {
            "page": page,
            "status": status,
            **chosen,
            "categories": Group.Category.choices,
            "standings": Group.Standing.choices,
            "statuses": Group.Status.choices,
        },
    )


@require_safe
@login_required
def group_detail(request, pk):
    user = request.user
    current_offices = Office.objects.current().select_related("person").order_by("kind", "started_on")
    group = get_for(
        user,
        Group.objects.select_related("region", "municipality__county", "registered_by").prefetch_related(
            Prefetch("offices", queryset=current_offices, to_attr="current_offices"),
            Prefetch("criteria", queryset=CriterionStatus.objects.order_by("number"), to_attr="criterion_list"),
            "priority_areas",
        ),
        pk=pk,
        request=request,
    )
    roles = roles_of(user)
    may_change = can_change(user, group)
    is_supervisor = supervises(user, group)
    is_officer = group.pk in roles.officer_group_ids or roles.is_admin
    context = {
        "group": group,
        "may_change": may_change,
        "is_supervisor": is_supervisor,
        "is_officer": is_officer,
        "is_member": group.pk in roles.member_group_ids,
        "has_contact": any(office.kind == Office.Kind.CONTACT for office in group.current_offices),
        "criteria": [
            (status, criteria.described(status, with_names=may_change), criteria.since_days(status))
            for status in group.criterion_list
        ],
        "revision_form": RevisionForm(initial={"revision": group.revision}),
        "answer_form": AnswerForm(),
        "past_offices": Office.objects.filter(group=group, ended_on__isnull=False)
        .select_related("person")
        .order_by("-ended_on", "kind"),
    }
    if may_change:
        context["members"] = (
            GroupMembership.objects.filter(group=group, left_on__isnull=True)
            .select_related("person")
            .order_by("person__last_name", "person__first_name", "pk")
        )
        context["join_requests"] = (
            JoinRequest.objects.pending().filter(group=group).select_related("person").order_by("created_at")
        )
    if is_officer and group.status in (Group.Status.PENDING, Group.Status.RECOGNISED):
        current = StatutesVersion.objects.current()
        accepted = current and StatutesAcceptance.objects.filter(group=group, version=current).exists()
        context["statutes_to_accept"] = None if accepted else current
    if is_supervisor:
        context["history"] = history.events_for(group)
        context["follow_ups"] = FollowUp.objects.open().filter(group=group).order_by("due_on", "pk")
    if not context["is_member"] and group.status == Group.Status.RECOGNISED and group.is_open:
        context["my_join_request"] = JoinRequest.objects.pending().filter(group=group, person=user).first()
    return render(request, "groups/group_detail.html", context)


@require_safe
@login_required
def group_directory(request):
    """Recognised groups that take new members, for anyone logged in: what they can ask to join."""
    groups = (
        Group.objects.recognised()
        .filter(is_open=True)
        .select_related("region", "municipality")
        .prefetch_related("priority_areas")
        .order_by("region__name", "name", "pk")
    )
    groups, chosen = _filters(request, groups)
    groups, region, regions = filter_by_region(request, groups)
    mine = roles_of(request.user).member_group_ids
    asked = set(JoinRequest.objects.pending().filter(person=request.user).values_list("group_id", flat=True))
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/group_directory.html",
        {
            "page": page,
            "region": region,
            "regions": regions,
            **chosen,
            "categories": Group.Category.choices,
            "mine": mine,
            "asked": asked,
        },
    )

"""The secretariat's review of groups that fail the criteria: warning, closing and reopening;
and the regional staff's follow-up items."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amnesty_portal.permissions import is_staff_of, require, require_admin
from groups import criteria, services
from groups.forms import CloseForm, ReasonForm, WarningForm
from groups.models import CriterionStatus, FollowUp, Group
from groups.views.common import attempt, filter_by_region


def _admin_group(request, pk):
    require_admin(request, f"group action {pk}")
    return get_object_or_404(Group.objects.select_related("region", "municipality"), pk=pk)


@require_safe
@login_required
def review(request):
    """Groups that fail the criteria or are at risk, or that reported stopping, with the evidence."""
    require_admin(request, "group review")
    failing = CriterionStatus.objects.exclude(state=Group.Standing.MEETS).order_by("number")
    groups = (
        Group.objects.filter(status=Group.Status.RECOGNISED)
        .filter(~Q(standing=Group.Standing.MEETS) | Q(stopping_reported_at__isnull=False))
        .select_related("region", "municipality")
        .prefetch_related(Prefetch("criteria", queryset=failing, to_attr="problems"))
        .with_member_count()
    )
    standing = request.GET.get("standing", "")
    if standing in (Group.Standing.AT_RISK, Group.Standing.FAILS):
        groups = groups.filter(standing=standing)
    else:
        standing = ""
    groups, region, regions = filter_by_region(request, groups)
    # Failing first, then the longest-failing criterion, then by name.
    rows = []
    for group in groups:
        problems = [
            (status, criteria.described(status, with_names=True), criteria.since_days(status))
            for status in group.problems
        ]
        longest = max((days for _status, _texts, days in problems), default=0)
        rows.append((group, problems, longest))
    rows.sort(key=lambda row: (row[0].standing != Group.Standing.FAILS, -row[2], row[0].name))
    closed = (
        Group.objects.filter(status=Group.Status.CLOSED).select_related("region").order_by("-closed_on", "name")[:20]
    )
    return render(
        request,
        "groups/review.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "closed": closed,
            "today": timezone.localdate(),
            "standing": standing,
            "region": region,
            "regions": regions,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def warn(request, pk):
    group = _admin_group(request, pk)
    form = WarningForm(request.POST if request.method == "POST" else None, initial={"revision": group.revision})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            services.warn_group,
            actor=request.user,
            group=group,
            deadline=data["deadline"],
            message=data["message"],
            revision=data["revision"],
        ):
            messages.success(request, _("The warning is sent to %(name)s's contact person.") % {"name": group.name})
            return redirect("groups:review")
    statuses = CriterionStatus.objects.filter(group=group).exclude(state=Group.Standing.MEETS).order_by("number")
    problems = [(status, criteria.described(status, with_names=True)) for status in statuses]
    return render(request, "groups/warn.html", {"group": group, "form": form, "problems": problems})


@require_http_methods(["GET", "POST"])
@login_required
def close(request, pk):
    group = _admin_group(request, pk)
    form = CloseForm(request.POST if request.method == "POST" else None, initial={"revision": group.revision})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            services.close_group,
            actor=request.user,
            group=group,
            reason=data["reason"],
            effective_on=data["effective_on"],
            revision=data["revision"],
        ):
            messages.success(request, _("%(name)s is closed. Its members have been told.") % {"name": group.name})
            return redirect(group)
    preview = services.closing_preview(group)
    return render(request, "groups/close.html", {"group": group, "form": form, "preview": preview})


@require_http_methods(["GET", "POST"])
@login_required
def reopen(request, pk):
    group = _admin_group(request, pk)
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        initial={"revision": group.revision},
        label=_("Why is the group reopened?"),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            services.reopen_group,
            actor=request.user,
            group=group,
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
        )
    ):
        messages.success(request, _("%(name)s is open again.") % {"name": group.name})
        return redirect(group)
    return render(request, "groups/reopen.html", {"group": group, "form": form})


@require_POST
@login_required
def complete_follow_up(request, pk):
    follow_up = get_object_or_404(FollowUp.objects.select_related("group"), pk=pk)
    require(request.user, is_staff_of(request.user, follow_up.region_id), f"follow-up {pk}", request)
    if services.complete_follow_up(actor=request.user, follow_up=follow_up):
        messages.success(request, _("“%(what)s” is done.") % {"what": follow_up.get_kind_display()})
    else:
        messages.info(request, _("Someone had already marked it as done."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(follow_up.group)

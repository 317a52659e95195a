"""The regional staff's and the secretariat's follow-up of groups: reviewing quarterly reports, the
contact log, the groups to contact or visit, and the CSV exports of reports and activities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amnesty_portal.permissions import get_for, is_staff_of, require, roles_of
from groups import follow_up
from groups.forms import ContactForm, ExportForm, ReviewForm
from groups.models import Contact, Group, QuarterlyReport, ReportVersion
from groups.quarters import Quarter
from groups.views.common import attempt
from regions.models import Region

# The region slug that stands for every region, for the secretariat.
ALL_REGIONS = "alle"


# --- Fetching with permission ---------------------------------------------------------------------


def _region(request, slug) -> Region | None:
    """The region's staff and the secretariat; ALL_REGIONS (None) for the secretariat only."""
    if slug == ALL_REGIONS:
        require(request.user, roles_of(request.user).is_admin, "all regions' follow-up", request)
        return None
    return get_for(request.user, Region.objects.all(), slug=slug, request=request)


def _group(request, pk) -> Group:
    group = get_object_or_404(Group.objects.select_related("region", "municipality"), pk=pk)
    require(request.user, is_staff_of(request.user, group.region_id), f"contact log of group {pk}", request)
    return group


def _report(request, pk) -> QuarterlyReport:
    report = get_object_or_404(
        QuarterlyReport.objects.select_related("group__region", "submitted_by", "reviewed_by"), pk=pk
    )
    require(request.user, is_staff_of(request.user, report.group.region_id), f"review of report {pk}", request)
    return report


# --- Pages ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def review_report(request, pk):
    """A submitted report, read-only with its activities and versions, and the form to acknowledge it."""
    report = _report(request, pk)
    form = ReviewForm(request.POST if request.method == "POST" else None, initial={"revision": report.revision})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            follow_up.review_report,
            actor=request.user,
            report=report,
            feedback=data["feedback"],
            needs_follow_up=data["needs_follow_up"],
            revision=data["revision"],
        ):
            messages.success(
                request,
                _("The report is acknowledged. Your feedback is emailed to %(name)s's contact person.")
                % {"name": report.group.name},
            )
            return redirect("groups:region_follow_up", slug=report.group.region.slug)
        # Show the report as it is now (acknowledged by someone else, or changed by the group), and
        # keep what the person wrote, with the current revision so that trying again can succeed.
        errors = form.non_field_errors()
        report = _report(request, pk)
        form = ReviewForm({**request.POST.dict(), "revision": report.revision})
        form.is_valid()
        for error in errors:
            form.add_error(None, error)
    context = {"report": report, "form": form}
    if report.status != QuarterlyReport.Status.DRAFT:
        context["activities"] = report.activities.select_related("priority_area").order_by("kind", "date", "pk")
        context["versions"] = ReportVersion.objects.filter(report=report).select_related("submitted_by")
    return render(request, "groups/follow_up/review_report.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def group_contacts(request, pk):
    """A group's contact log, and the form to record a contact."""
    group = _group(request, pk)
    form = ContactForm(request.POST if request.method == "POST" else None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            follow_up.record_contact,
            actor=request.user,
            group=group,
            date=data["date"],
            channel=data["channel"],
            note=data["note"],
        ):
            messages.success(request, _("The contact with %(name)s is recorded.") % {"name": group.name})
            return redirect("groups:contacts", pk=group.pk)
    contacts = Contact.objects.filter(group=group).select_related("by", "report").order_by("-date", "-pk")
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    return render(request, "groups/follow_up/group_contacts.html", {"group": group, "form": form, "page": page})


@require_safe
@login_required
def region_contacts(request, slug):
    """Every contact with the region's groups, newest first."""
    region = _region(request, slug)
    page = Paginator(follow_up.region_contacts(region), 50).get_page(request.GET.get("page"))
    return render(request, "groups/follow_up/region_contacts.html", {"region": region, "slug": slug, "page": page})


@require_safe
@login_required
def region_follow_up(request, slug):
    """What the region's staff should do: groups to contact this quarter, groups to visit, reports to read."""
    region = _region(request, slug)
    today = timezone.localdate()
    quarter, since = Quarter.of(today), follow_up.visit_cutoff(today)
    return render(
        request,
        "groups/follow_up/region_follow_up.html",
        {
            "region": region,
            "slug": slug,
            "quarter": quarter,
            "since": since,
            "months": follow_up.NOT_VISITED_MONTHS,
            "not_contacted": follow_up.groups_not_contacted(region, quarter),
            "not_visited": follow_up.groups_not_visited(region, since),
            "awaiting_review": follow_up.reports_awaiting_review(region),
        },
    )


@require_safe
@login_required
def export(request, slug):
    """Choose a period and a file; with both chosen, the CSV file itself."""
    region = _region(request, slug)
    form = ExportForm(request.GET if "period" in request.GET else None)
    if form.is_bound and form.is_valid():
        what = form.cleaned_data["file"]
        year, number = follow_up.parse_period(form.cleaned_data["period"])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = follow_up.export_filename(what, slug, year, number)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write = follow_up.write_reports_csv if what == "rapporter" else follow_up.write_activities_csv
        write(response, region, year, number)
        return response
    return render(request, "groups/follow_up/export.html", {"region": region, "slug": slug, "form": form})

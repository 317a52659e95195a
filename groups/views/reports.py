"""Quarterly reports as the group's contact and officers write them: the list of quarters, the report
form (drafts saved as they work, autosaved by static/js/report-autosave.js), submitting, and versions."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amnesty_portal.permissions import can_change, get_for
from groups import reports
from groups.forms import (
    SIGNING_SALT,
    ActivityForm,
    DoneFormSet,
    PlannedActivityForm,
    PlannedFormSet,
    ReportForm,
    area_choices,
)
from groups.models import ActivityType, Group, QuarterlyReport, ReportActivity
from groups.quarters import Quarter
from groups.services import GroupError
from groups.views.common import form_error

MAX_EXTRA_ROWS = 20


# --- Fetching --------------------------------------------------------------------------------------


def _group(request, pk, *, write=False):
    return get_for(request.user, Group.objects.select_related("region"), pk=pk, write=write, request=request)


def _quarter(text) -> Quarter:
    try:
        quarter = Quarter.parse(text)
    except ValueError:
        raise Http404 from None
    if quarter > Quarter.current() or quarter.year < 2000:
        raise Http404
    return quarter


def _report(group, quarter):
    return (
        QuarterlyReport.objects.for_quarter(quarter)
        .filter(group=group)
        .select_related("updated_by", "submitted_by", "reviewed_by")
        .first()
    )


def _signed(data: dict) -> str:
    return signing.dumps(data, salt=SIGNING_SALT, compress=True)


def _with_labels(data: dict) -> dict:
    """A report's content (live or a version) with the labels a page shows."""
    types = dict(ActivityType.choices)
    activities = [
        {
            **row,
            "type_label": types.get(row["type"], row["type"]),
            "date": datetime.date.fromisoformat(row["date"]) if row.get("date") else None,
        }
        for row in data.get("activities", [])
    ]
    return {
        **data,
        "done": [row for row in activities if row["kind"] == ReportActivity.Kind.DONE],
        "planned": [row for row in activities if row["kind"] == ReportActivity.Kind.PLANNED],
    }


# --- Views -----------------------------------------------------------------------------------------


@require_safe
@login_required
def report_list(request, pk):
    group = _group(request, pk)
    stored = QuarterlyReport.objects.filter(group=group).select_related("submitted_by")
    return render(
        request,
        "groups/reports/report_list.html",
        {
            "group": group,
            "rows": reports.quarter_rows(group, stored),
            "may_change": can_change(request.user, group),
            "reporting": reports.reporting_quarter(),
        },
    )


def _extra(request, name) -> int:
    try:
        return max(1, min(int(request.GET.get(name, 1)), MAX_EXTRA_ROWS))
    except ValueError:
        return 1


@require_http_methods(["GET", "POST"])
@login_required
def report(request, pk, quarter):
    quarter = _quarter(quarter)
    group = _group(request, pk, write=request.method == "POST")
    report = _report(group, quarter)
    may_change = can_change(request.user, group)
    editable = may_change and (
        report.status != QuarterlyReport.Status.REVIEWED
        if report is not None
        else group.status == Group.Status.RECOGNISED
    )
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This report can no longer be changed."))
            return redirect("groups:report", pk=group.pk, quarter=str(quarter))
        response, bound = _save(request, group, quarter, report)
        if response is not None:
            return response
        report = _report(group, quarter) if report is None else report
        return _page(request, group, quarter, report, editable, bound)
    return _page(request, group, quarter, report, editable)


def _save(request, group, quarter, report):
    """Validate the whole form, then call one service. Returns (response, None) when done, or
    (None, bound forms) to show the form again with its errors."""
    areas = area_choices()
    form = ReportForm(request.POST)
    done = DoneFormSet(request.POST, prefix="done", quarter=quarter, areas=areas)
    planned = PlannedFormSet(request.POST, prefix="planned", quarter=quarter, areas=areas)
    action = request.POST.get("action", "save")
    autosave = request.headers.get("X-Autosave") == "1"
    valid = all([form.is_valid(), done.is_valid(), planned.is_valid()])
    if not valid:
        if autosave:
            message = _("Not saved: some fields need attention. Save the draft to see where.")
            return JsonResponse({"error": message}, status=400), None
        return None, (form, done, planned)
    target = report or QuarterlyReport(group=group, year=quarter.year, quarter=quarter.number)
    service = reports.save_and_submit if action == "submit" else reports.save_draft
    try:
        saved = service(
            actor=request.user,
            report=target,
            data={name: form.cleaned_data[name] for name in reports.CONTENT_FIELDS},
            activities=done.rows() + planned.rows(),
            revision=form.cleaned_data["revision"],
            started_from=form.cleaned_data["started_from"],
        )
    except reports.ReportChanged as exc:
        if autosave:
            return JsonResponse({"error": exc.message}, status=409), None
        # Keep what the person wrote, but let a second save knowingly replace the other version.
        data = request.POST.copy()
        data["revision"], data["started_from"] = str(exc.report.revision), _signed(exc.content)
        form = ReportForm(data)
        form.is_valid()
        form.add_error(None, exc.message)
        return None, (form, done, planned)
    except GroupError as exc:
        if autosave:
            return JsonResponse({"error": exc.message}, status=400), None
        form_error(form, exc)
        return None, (form, done, planned)
    if autosave:
        when = date_format(timezone.localtime(saved.updated_at), "TIME_FORMAT")
        return JsonResponse(
            {
                "revision": saved.revision,
                "started_from": _signed(reports.content(saved)),
                "message": _("Draft saved at %(time)s.") % {"time": when},
            }
        ), None
    return _after_save(request, saved, action, done, planned), None


def _after_save(request, report, action, done, planned):
    params = {}
    done_rows, planned_rows = done.blank_count(), planned.blank_count()
    anchor = ""
    if action == "submit":
        text = _("The report is submitted. The regional leader can now read it.")
        if report.is_late:
            text = _("The report is submitted after the deadline and marked late. The regional leader can now read it.")
        messages.success(request, text)
    else:
        messages.success(request, _("The draft is saved. You or another officer of the group can continue it later."))
        if action == "add-done":
            done_rows, anchor = done_rows + 1, "#done-activities"
        elif action == "add-planned":
            planned_rows, anchor = planned_rows + 1, "#planned-activities"
        elif action.startswith("suggestion-") and action.removeprefix("suggestion-").isdigit():
            params["suggestion"] = action.removeprefix("suggestion-")
            anchor = "#done-activities"
        if done_rows > 1:
            params["done_rows"] = min(done_rows, MAX_EXTRA_ROWS)
        if planned_rows > 1:
            params["planned_rows"] = min(planned_rows, MAX_EXTRA_ROWS)
    query = f"?{urlencode(params)}" if params else ""
    return redirect(f"{report.get_absolute_url()}{query}{anchor}")


def _initial(activity: ReportActivity, fields) -> dict:
    initial = {name: getattr(activity, name) for name in fields if name != "priority_area"}
    initial["priority_area"] = activity.priority_area_id
    return initial


def _page(request, group, quarter, report, editable, bound=None):
    activities = list(report.activities.select_related("priority_area")) if report else []
    done_rows = [activity for activity in activities if activity.kind == ReportActivity.Kind.DONE]
    planned_rows = [activity for activity in activities if activity.kind == ReportActivity.Kind.PLANNED]
    context = {
        "group": group,
        "quarter": quarter,
        "report": report,
        "editable": editable,
        "reporting": reports.reporting_quarter(),
        "versions": list(report.versions.select_related("submitted_by")) if report else [],
    }
    if report is not None:
        live = reports.content(report, activities)
        context["content"] = _with_labels(live)
        latest = context["versions"][0] if context["versions"] else None
        context["unsubmitted_changes"] = latest is not None and latest.data != live
    if editable:
        suggestions = reports.suggestions(group, quarter, done_rows)
        if bound is not None:
            form, done, planned = bound
        else:
            areas = area_choices()
            chosen = request.GET.get("suggestion", "")
            extra_done = [
                _initial(activity, ActivityForm.base_fields) for activity in suggestions if str(activity.pk) == chosen
            ]
            suggestions = [activity for activity in suggestions if str(activity.pk) != chosen]
            for row in extra_done:
                # The day it was planned for is not the day it was done; the flag marks it on the page.
                row["date"], row["from_plan"] = None, True
            content = reports.content(report, activities) if report else reports.content(QuarterlyReport())
            initial = {"revision": report.revision if report else 0, "started_from": _signed(content)}
            if report is None:
                initial["members_count"] = group.memberships.filter(left_on__isnull=True).count()
            form = ReportForm(instance=report, initial=initial)
            done = DoneFormSet(
                prefix="done",
                quarter=quarter,
                areas=areas,
                initial=[_initial(activity, ActivityForm.base_fields) for activity in done_rows] + extra_done,
            )
            done.extra = _extra(request, "done_rows")
            planned = PlannedFormSet(
                prefix="planned",
                quarter=quarter,
                areas=areas,
                initial=[_initial(activity, PlannedActivityForm.base_fields) for activity in planned_rows],
            )
            planned.extra = _extra(request, "planned_rows")
        context.update({"form": form, "done": done, "planned": planned, "suggestions": suggestions})
    return render(request, "groups/reports/report.html", context)


@require_safe
@login_required
def report_version(request, pk, quarter, number):
    quarter = _quarter(quarter)
    group = _group(request, pk)
    report = _report(group, quarter)
    version = report and report.versions.select_related("submitted_by").filter(number=number).first()
    if version is None:
        raise Http404
    return render(
        request,
        "groups/reports/version.html",
        {
            "group": group,
            "quarter": quarter,
            "report": report,
            "version": version,
            "content": _with_labels(version.data),
        },
    )

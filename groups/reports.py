"""The group's side of quarterly reports: starting one, saving drafts, submitting, and last quarter's plans
as suggestions (seed 001, section 6). The review by the regional staff is elsewhere."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activists.models import User
from amnesty_portal import audit
from amnesty_portal.models import AuditEvent
from groups.models import ActivityType, Group, QuarterlyReport, ReportActivity, ReportVersion
from groups.quarters import Quarter
from groups.services import GroupError

# What a person writes in a report, besides its activities.
CONTENT_FIELDS = ("members_count", "support_needed", "comments")
DONE_FIELDS = (
    "date",
    "type",
    "outward",
    "priority_area",
    "campaign",
    "participants",
    "signatures",
    "people_reached",
    "description",
)
PLANNED_FIELDS = ("date", "type", "priority_area", "campaign", "description")
# Quarters the reports page lists, counting the one in progress.
LISTED_QUARTERS = 8
# Saving a draft again within this time adds no new audit row: autosave would flood the trail.
AUDIT_QUIET = datetime.timedelta(minutes=30)


class ReportChanged(GroupError):
    """Someone else saved the report after the person opened it: nothing of theirs was saved. Carries
    the report as it is now, so that the form can offer to save over it knowingly."""

    def __init__(self, message: str, report: QuarterlyReport, content: dict):
        super().__init__(message)
        self.report, self.content = report, content


# --- Which quarter is reported when ----------------------------------------------------------------


def reporting_quarter(today: datetime.date | None = None) -> Quarter:
    """The quarter being reported now: the one that has just ended, due its deadline into this one."""
    return Quarter.of(today or timezone.localdate()).previous


@dataclass
class QuarterRow:
    quarter: Quarter
    report: QuarterlyReport | None
    state: str  # missing, not_due, in_progress, draft, submitted, reviewed
    is_due_now: bool  # the report to write now (the quarter just ended, before its deadline)
    is_overdue: bool  # not submitted, and the deadline has passed

    @property
    def deadline(self) -> datetime.date:
        return self.quarter.deadline


def quarter_rows(group: Group, reports, today: datetime.date | None = None) -> list[QuarterRow]:
    """The group's reports and the quarters it has not reported yet, newest first: from the quarter it
    was founded in (at most LISTED_QUARTERS back) to the one in progress, and any older report."""
    today = today or timezone.localdate()
    running = Quarter.of(today)
    by_quarter = {report.period: report for report in reports}
    first = max(Quarter.of(group.founded_on), _back(running, LISTED_QUARTERS - 1))
    quarters, quarter = set(by_quarter), running
    while quarter >= first:
        quarters.add(quarter)
        quarter = quarter.previous
    rows = []
    for quarter in sorted(quarters, reverse=True):
        report = by_quarter.get(quarter)
        if report is not None and report.status != QuarterlyReport.Status.DRAFT:
            state = report.status
        elif quarter == running:
            state = "in_progress" if report is None else "draft"
        elif report is not None:
            state = "draft"
        else:
            state = "missing" if today > quarter.deadline else "not_due"
        due_now = quarter == running.previous and state in ("draft", "not_due")
        overdue = state in ("draft", "missing") and today > quarter.deadline
        rows.append(QuarterRow(quarter, report, state, due_now, overdue))
    return rows


def _back(quarter: Quarter, steps: int) -> Quarter:
    for _step in range(steps):
        quarter = quarter.previous
    return quarter


def groups_owing(quarter: Quarter):
    """Groups that owe the quarter's report: recognised, founded by its end, and approved before the
    next quarter began (a group approved later starts reporting with the quarter it was approved in)."""
    approved_by = timezone.make_aware(datetime.datetime.combine(quarter.next.start, datetime.time()))
    return (
        Group.objects.recognised()
        .filter(founded_on__lte=quarter.end)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=approved_by))
    )


def reports_due(group_ids, today: datetime.date | None = None) -> tuple[list[Group], Quarter]:
    """Of these groups (a contact's, for My page), the recognised ones whose report for the quarter just
    ended is not submitted yet, and that quarter. One query."""
    quarter = reporting_quarter(today)
    groups = (
        Group.objects.recognised()
        .filter(pk__in=group_ids, founded_on__lte=quarter.end)
        .exclude(pk__in=QuarterlyReport.objects.for_quarter(quarter).submitted().values("group_id"))
        .order_by("name", "pk")
    )
    return list(groups), quarter


# --- What a report says, as data ----------------------------------------------------------------------


def activity_data(activity: ReportActivity) -> dict:
    return {
        "kind": activity.kind,
        "date": activity.date.isoformat() if activity.date else None,
        "type": activity.type,
        "outward": activity.outward,
        "priority_area": activity.priority_area_id,
        "priority_area_name": activity.priority_area.name if activity.priority_area_id else "",
        "campaign": activity.campaign,
        "participants": activity.participants,
        "signatures": activity.signatures,
        "people_reached": activity.people_reached,
        "description": activity.description,
    }


def content(report: QuarterlyReport, activities=None) -> dict:
    """The report's content as JSON: what a version keeps, and what a person started editing from."""
    if activities is None:
        activities = report.activities.select_related("priority_area") if report.pk else []
    return {
        **{name: getattr(report, name) for name in CONTENT_FIELDS},
        "activities": [activity_data(activity) for activity in activities],
    }


def _activity_key(data: dict) -> tuple:
    return tuple(data.get(name) for name in ("kind", *DONE_FIELDS))


def describe_changes(before: dict, after: dict) -> list[str]:
    """Sentences saying how `after` differs from `before`: the fields, and how many activities."""
    sentences = []
    fields = [
        str(QuarterlyReport._meta.get_field(name).verbose_name)
        for name in CONTENT_FIELDS
        if before.get(name) != after.get(name)
    ]
    if fields:
        sentences.append(_("Changed: %(fields)s.") % {"fields": ", ".join(fields)})
    old = Counter(_activity_key(row) for row in before.get("activities", []))
    new = Counter(_activity_key(row) for row in after.get("activities", []))
    differ = max(sum((new - old).values()), sum((old - new).values()))
    if differ:
        sentences.append(
            ngettext(
                "%(count)s activity was added, changed or removed.",
                "%(count)s activities were added, changed or removed.",
                differ,
            )
            % {"count": differ}
        )
    return sentences


def _changed_message(report: QuarterlyReport, started_from: dict | None, now: dict) -> str:
    when = date_format(timezone.localtime(report.updated_at), "SHORT_DATETIME_FORMAT")
    who = str(report.updated_by) if report.updated_by else _("Someone")
    sentences = [
        _("%(name)s saved this report at %(when)s, after you opened it.") % {"name": who, "when": when},
    ]
    if started_from is not None:
        sentences += describe_changes(started_from, now) or [_("The content is as it was when you opened it.")]
    sentences.append(
        _(
            "Nothing of yours was saved. Your text is still in the form: save again to replace their version "
            "with yours, or reload the page to see theirs."
        )
    )
    return " ".join(sentences)


# --- The rules for an activity --------------------------------------------------------------------


def _period(quarter: Quarter) -> dict:
    return {
        "start": date_format(quarter.start, "SHORT_DATE_FORMAT"),
        "end": date_format(quarter.end, "SHORT_DATE_FORMAT"),
    }


def activity_errors(kind: str, values: dict, quarter: Quarter, today: datetime.date | None = None) -> dict:
    """What is wrong with one activity of a report for `quarter`, by field. The forms show these next
    to the fields; the services refuse a report that has any."""
    today = today or timezone.localdate()
    errors = {}
    day = values.get("date")
    if values.get("type") not in ActivityType.values:
        errors["type"] = _("Choose the type of activity.")
    if kind == ReportActivity.Kind.DONE:
        if day is None:
            errors["date"] = _("Give the date of the activity.")
        elif not quarter.contains(day):
            errors["date"] = _("The date must be within the quarter, %(start)s–%(end)s.") % _period(quarter)
        elif day > today:
            errors["date"] = _("A completed activity cannot be in the future.")
    elif kind == ReportActivity.Kind.PLANNED:
        if day is not None and not quarter.next.contains(day):
            errors["date"] = _("A planned activity is for the next quarter, %(start)s–%(end)s.") % _period(quarter.next)
    else:
        errors["kind"] = _("An activity is either completed or planned.")
    return errors


def _build_activities(quarter: Quarter, activities) -> list[ReportActivity]:
    """Check every activity before anything is written. Returns unsaved rows."""
    rows = []
    for number, values in enumerate(activities, start=1):
        kind = values.get("kind", ReportActivity.Kind.DONE)
        fields = DONE_FIELDS if kind == ReportActivity.Kind.DONE else PLANNED_FIELDS
        errors = activity_errors(kind, values, quarter)
        values = {name: values[name] for name in fields if name in values}
        area = values.pop("priority_area", None)
        row = ReportActivity(kind=kind, **values)
        # A priority area may come as the object or, from a form, as its primary key.
        row.priority_area_id = getattr(area, "pk", area)
        try:
            row.full_clean(exclude=["report"])
        except ValidationError as exc:
            errors.update({field: " ".join(messages) for field, messages in exc.message_dict.items()})
        if errors:
            raise GroupError(
                _("Activity %(number)s cannot be saved: %(errors)s")
                % {"number": number, "errors": " ".join(str(message) for message in errors.values())},
                "activities",
            )
        rows.append(row)
    return rows


def _clean_content(data: dict) -> dict:
    cleaned = {name: data.get(name, "") or "" for name in ("support_needed", "comments")}
    count = data.get("members_count")
    if count is not None and (not isinstance(count, int) or not 0 <= count <= 32767):
        raise GroupError(_("Give the number of members as a whole number."), "members_count")
    cleaned["members_count"] = count
    return cleaned


# --- The workflows ------------------------------------------------------------------------------------


def _check_quarter(group: Group, quarter: Quarter):
    if quarter > Quarter.current():
        raise GroupError(_("A quarter can only be reported once it has begun."))
    if group.status != Group.Status.RECOGNISED:
        raise GroupError(_("Only a recognised group writes quarterly reports."))


@transaction.atomic
def get_or_start_report(*, actor: User, group: Group, quarter: Quarter) -> QuarterlyReport:
    """The group's report for the quarter, started as an empty draft if there is none."""
    existing = QuarterlyReport.objects.for_quarter(quarter).filter(group=group).first()
    if existing is not None:
        return existing
    _check_quarter(group, quarter)
    report, created = QuarterlyReport.objects.get_or_create(
        group=group, year=quarter.year, quarter=quarter.number, defaults={"updated_by": actor}
    )
    if created:
        audit.record(actor=actor, action="report.started", target=report, quarter=str(quarter))
    return report


def _lock(report: QuarterlyReport, revision: int | None, started_from: dict | None = None) -> QuarterlyReport:
    """Lock the report's row for the transaction; refuse a reviewed report or a stale revision."""
    locked = QuarterlyReport.objects.select_for_update(of=("self",)).select_related("group", "updated_by")
    locked = locked.get(pk=report.pk)
    if locked.status == QuarterlyReport.Status.REVIEWED:
        raise GroupError(_("The regional leader has reviewed this report, so it can no longer be changed."))
    if revision is not None and locked.revision != revision:
        now = content(locked)
        raise ReportChanged(_changed_message(locked, started_from, now), locked, now)
    return locked


@transaction.atomic
def save_draft(
    *,
    actor: User,
    report: QuarterlyReport,
    data: dict,
    activities: list[dict],
    revision: int,
    started_from: dict | None = None,
) -> QuarterlyReport:
    """Save the report's fields and replace its activities. `report` may be one not stored yet (the
    first save starts it). `revision` is the one the person loaded; if someone saved since, nothing
    is saved and the message says who, when and what changed since `started_from` (the content the
    person loaded). Editing a submitted report is allowed until it is reviewed."""
    cleaned = _clean_content(data)
    rows = _build_activities(report.period, activities)
    if report.pk is None:
        report = get_or_start_report(actor=actor, group=report.group, quarter=report.period)
    report = _lock(report, revision, started_from)
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.updated_at, report.updated_by = timezone.now(), actor
    report.revision += 1
    report.save(update_fields=[*CONTENT_FIELDS, "updated_at", "updated_by", "revision"])
    report.activities.all().delete()
    for row in rows:
        row.report = report
    ReportActivity.objects.bulk_create(rows)
    if not _recently_audited(report, actor, "report.saved"):
        audit.record(actor=actor, action="report.saved", target=report, status=report.status)
    return report


def _recently_audited(report: QuarterlyReport, actor: User, action: str) -> bool:
    return AuditEvent.objects.filter(
        action=action,
        actor=actor,
        target_type=ContentType.objects.get_for_model(QuarterlyReport),
        target_id=str(report.pk),
        at__gte=timezone.now() - AUDIT_QUIET,
    ).exists()


@transaction.atomic
def submit_report(*, actor: User, report: QuarterlyReport, revision: int | None) -> QuarterlyReport:
    """Submit the report: it keeps a version of what was submitted. A report submitted after the
    deadline is accepted and marked late; submitting again after an edit keeps a new version."""
    report = _lock(report, revision)
    if report.members_count is None:
        raise GroupError(_("Say how many members the group has now before you submit the report."), "members_count")
    activities = list(report.activities.select_related("priority_area"))
    data = content(report, activities)
    latest = report.versions.order_by("-number").first()
    if latest is not None and latest.data == data and report.status == QuarterlyReport.Status.SUBMITTED:
        raise GroupError(_("This version of the report has already been submitted."))
    now = timezone.now()
    if report.submitted_at is None:
        # Late or not is decided by the first submission: correcting it later does not make it late.
        report.is_late = timezone.localdate() > report.period.deadline
    report.status, report.submitted_at, report.submitted_by = QuarterlyReport.Status.SUBMITTED, now, actor
    report.revision += 1
    report.save(update_fields=["status", "submitted_at", "submitted_by", "is_late", "revision"])
    number = (report.versions.aggregate(number=Max("number"))["number"] or 0) + 1
    ReportVersion.objects.create(report=report, number=number, submitted_at=now, submitted_by=actor, data=data)
    audit.record(actor=actor, action="report.submitted", target=report, version=number, late=report.is_late)
    return report


@transaction.atomic
def save_and_submit(
    *,
    actor: User,
    report: QuarterlyReport,
    data: dict,
    activities: list[dict],
    revision: int,
    started_from: dict | None = None,
) -> QuarterlyReport:
    """Save what the form holds and submit it, in one transaction: a refusal saves nothing."""
    report = save_draft(
        actor=actor, report=report, data=data, activities=activities, revision=revision, started_from=started_from
    )
    return submit_report(actor=actor, report=report, revision=report.revision)


# --- Last quarter's plans -----------------------------------------------------------------------------


def _suggestion_key(activity) -> tuple:
    return (activity.type, activity.description.strip(), activity.campaign.strip(), activity.priority_area_id)


def suggestions(group: Group, quarter: Quarter, done=()) -> list[ReportActivity]:
    """The activities the group planned for this quarter in last quarter's report, less those already
    among the completed ones (`done`). One query."""
    previous = quarter.previous
    planned = (
        ReportActivity.objects.filter(
            report__group=group,
            report__year=previous.year,
            report__quarter=previous.number,
            kind=ReportActivity.Kind.PLANNED,
        )
        .select_related("priority_area")
        .order_by("date", "pk")
    )
    taken = Counter(_suggestion_key(activity) for activity in done)
    left = []
    for activity in planned:
        key = _suggestion_key(activity)
        if taken[key]:
            taken[key] -= 1
        else:
            left.append(activity)
    return left

"""The regional staff's follow-up of groups: reviewing quarterly reports, the contact log, the groups
not contacted or visited lately, and the CSV exports of reports and activities (seed 001, sections 6–7)."""

import csv
import datetime

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activists.models import User
from amnesty_portal import audit, privacy, spreadsheets
from amnesty_portal.mail import notify
from groups.models import Contact, Group, QuarterlyReport, ReportActivity
from groups.quarters import Quarter
from groups.services import GroupError, current_contacts

# A group nobody from the region has visited for this many months is listed for a visit.
NOT_VISITED_MONTHS = 12
# Counts of people below this are shown as "<5": no aggregate may point at one or two persons.
# The channels a person records by hand; report feedback is recorded by review_report().
MANUAL_CHANNELS = [Contact.Channel.EMAIL, Contact.Channel.PHONE, Contact.Channel.MEETING, Contact.Channel.VISIT]


# --- Reviewing a report -----------------------------------------------------------------------------


@transaction.atomic
def review_report(
    *, actor: User, report: QuarterlyReport, feedback: str, needs_follow_up: bool, revision: int | None = None
) -> QuarterlyReport:
    """The regional staff acknowledge a submitted report with feedback to the group's contact. The
    feedback is a contact with the group. Two people acknowledging at once: the first one wins."""
    feedback = feedback.strip()
    if not feedback:
        raise GroupError(_("Write your feedback to the group: it is emailed to the contact person."), "feedback")
    claim = QuarterlyReport.objects.filter(pk=report.pk, status=QuarterlyReport.Status.SUBMITTED)
    if revision is not None:
        claim = claim.filter(revision=revision)
    now = timezone.now()
    # The conditional UPDATE is the claim: a second reviewer's row no longer matches.
    if not claim.update(
        status=QuarterlyReport.Status.REVIEWED,
        reviewed_at=now,
        reviewed_by=actor,
        feedback=feedback,
        needs_follow_up=needs_follow_up,
        revision=F("revision") + 1,
    ):
        raise _why_not_reviewed(report)
    report = QuarterlyReport.objects.select_related("group").get(pk=report.pk)
    # A report submitted again after a review is acknowledged again: the earlier feedback stays in
    # the log as a contact of its own, and the new one is linked to the report.
    Contact.objects.filter(report=report).update(report=None)
    contact = Contact.objects.create(
        group=report.group,
        date=timezone.localdate(),
        channel=Contact.Channel.REPORT_FEEDBACK,
        note=feedback,
        by=actor,
        report=report,
    )
    audit.record(
        actor=actor,
        action="report.reviewed",
        target=report,
        reason=feedback,
        needs_follow_up=needs_follow_up,
        contact=contact.pk,
    )
    notify(
        current_contacts(report.group),
        "report_feedback",
        {"group": report.group, "report": report, "quarter": str(report.period), "reviewer": actor},
        key=f"report-feedback:{report.pk}:{report.revision}",
    )
    return report


def _why_not_reviewed(report: QuarterlyReport) -> GroupError:
    status = QuarterlyReport.objects.filter(pk=report.pk).values_list("status", flat=True).first()
    if status == QuarterlyReport.Status.DRAFT:
        return GroupError(_("This report is a draft: it can be reviewed once the group has submitted it."))
    if status == QuarterlyReport.Status.REVIEWED:
        return GroupError(
            _(
                "Someone else acknowledged this report while you were reading it. Nothing was saved: "
                "their feedback is shown on the page."
            )
        )
    return GroupError(
        _(
            "The group changed the report while you were reading it. Nothing was saved: read the report "
            "as it is now and try again."
        )
    )


# --- The contact log --------------------------------------------------------------------------------


@transaction.atomic
def record_contact(*, actor: User, group: Group, date: datetime.date, channel: str, note: str = "") -> Contact:
    if date > timezone.localdate():
        raise GroupError(_("The date cannot be in the future: record a contact once it has happened."), "date")
    if channel not in MANUAL_CHANNELS:
        raise GroupError(_("Choose how you were in contact with the group."), "channel")
    contact = Contact.objects.create(group=group, date=date, channel=channel, note=note.strip(), by=actor)
    audit.record(actor=actor, action="contact.recorded", target=contact, channel=channel, date=date.isoformat())
    return contact


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier (the month's last day when that month is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (following - datetime.timedelta(days=1)).day))


def _active_groups(region):
    groups = Group.objects.active()
    if region is not None:
        groups = groups.filter(region=region)
    return groups.select_related("region", "municipality")


def groups_not_contacted(region, quarter: Quarter):
    """The region's active groups with no contact dated in the quarter, with the last contact's date.

    Both are looked up per group in the (group, -date) index: a NOT EXISTS and a latest-first
    subquery, rather than aggregating the whole contact log for every group of the region.
    """
    contacts = Contact.objects.filter(group=OuterRef("pk"))
    return (
        _active_groups(region)
        .exclude(Exists(contacts.filter(date__range=(quarter.start, quarter.end))))
        .annotate(last_contact=Subquery(contacts.order_by("-date").values("date")[:1]))
        .order_by(F("last_contact").asc(nulls_first=True), "name", "pk")
    )


def groups_not_visited(region, since: datetime.date):
    """The region's active groups with no visit on or after `since`, with the last visit's date."""
    visits = Contact.objects.filter(group=OuterRef("pk"), channel=Contact.Channel.VISIT)
    return (
        _active_groups(region)
        .exclude(Exists(visits.filter(date__gte=since)))
        .annotate(last_visit=Subquery(visits.order_by("-date").values("date")[:1]))
        .order_by(F("last_visit").asc(nulls_first=True), "name", "pk")
    )


def visit_cutoff(today: datetime.date | None = None) -> datetime.date:
    return months_before(today or timezone.localdate(), NOT_VISITED_MONTHS)


def reports_awaiting_review(region):
    """Submitted reports nobody has acknowledged yet, the oldest submission first."""
    reports = QuarterlyReport.objects.filter(status=QuarterlyReport.Status.SUBMITTED)
    if region is not None:
        reports = reports.filter(group__region=region)
    return reports.select_related("group__region").order_by("submitted_at", "pk")


def region_contacts(region):
    contacts = Contact.objects.all()
    if region is not None:
        contacts = contacts.filter(group__region=region)
    return contacts.select_related("group", "by", "report").order_by("-date", "-pk")


# --- CSV exports --------------------------------------------------------------------------------------
#
# Two files per region and period (a quarter, "2026-Q3", or a year, "2026"), for submitted reports
# only (a draft is not a report yet):
#   rapporter-<region>-<period>.csv    one row per report: status, lateness, review, totals;
#   aktiviteter-<region>-<period>.csv  one row per activity, with its report's group and status.
# Neither names a person: no members, contacts or reviewers. Totals of people in the report file
# below five (amnesty_portal.privacy) are written as "<5"; participants per activity are activity data.

EXPORTS = ("rapporter", "aktiviteter")


def parse_period(text: str) -> tuple[int, int | None]:
    """'2026-Q3' → (2026, 3); '2026' → (2026, None). Raises ValueError for anything else."""
    if text.isdigit() and len(text) == 4:
        return int(text), None
    quarter = Quarter.parse(text)
    if len(str(quarter.year)) != 4:
        raise ValueError(text)
    return quarter.year, quarter.number


def export_filename(what: str, region_slug: str, year: int, quarter: int | None) -> str:
    period = f"{year}-Q{quarter}" if quarter else str(year)
    return f"{what}-{region_slug}-{period}.csv"


def _reports(region, year: int, quarter: int | None):
    reports = QuarterlyReport.objects.submitted().filter(year=year)
    if quarter:
        reports = reports.filter(quarter=quarter)
    if region is not None:
        reports = reports.filter(group__region=region)
    return reports


def _people(count) -> str:
    return "" if count is None else str(privacy.protect(count))


def _text(value) -> str:
    return spreadsheets.text(value)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def write_reports_csv(out, region, year: int, quarter: int | None) -> int:
    """One row per submitted report, in the active language. Returns the number of rows."""
    reports = (
        _reports(region, year, quarter)
        .select_related("group__region")
        .annotate(
            done=Count("activities", filter=Q(activities__kind=ReportActivity.Kind.DONE)),
            planned=Count("activities", filter=Q(activities__kind=ReportActivity.Kind.PLANNED)),
            participants_total=Sum("activities__participants", filter=Q(activities__kind=ReportActivity.Kind.DONE)),
            signatures_total=Sum("activities__signatures", filter=Q(activities__kind=ReportActivity.Kind.DONE)),
            reached_total=Sum("activities__people_reached", filter=Q(activities__kind=ReportActivity.Kind.DONE)),
        )
        .order_by("group__region__name", "group__name", "year", "quarter", "pk")
    )
    writer = _writer(out)
    writer.writerow(
        [
            _("Group"),
            _("Region"),
            _("Year"),
            _("Quarter"),
            _("Status"),
            _("Late"),
            _("Submitted on"),
            _("Reviewed on"),
            _("Needs follow-up"),
            _("Members in the group"),
            _("Completed activities"),
            _("Planned activities"),
            _("Participants (sum over activities)"),
            _("Signatures collected"),
            _("People reached"),
            _("Support the group needs"),
        ]
    )
    rows = 0
    for report in reports:
        writer.writerow(
            [
                _text(report.group.name),
                _text(report.group.region.name),
                report.year,
                f"Q{report.quarter}",
                report.get_status_display(),
                _yes_no(report.is_late),
                _date(report.submitted_at),
                _date(report.reviewed_at),
                _yes_no(report.needs_follow_up),
                _people(report.members_count),
                report.done,
                report.planned,
                _people(report.participants_total),
                report.signatures_total if report.signatures_total is not None else "",
                _people(report.reached_total),
                _text(report.support_needed),
            ]
        )
        rows += 1
    return rows


def write_activities_csv(out, region, year: int, quarter: int | None) -> int:
    """One row per activity of a submitted report, in the active language. Returns the number of rows."""
    activities = (
        ReportActivity.objects.filter(report__in=_reports(region, year, quarter))
        .select_related("report__group__region", "priority_area")
        .order_by(
            "report__group__region__name",
            "report__group__name",
            "report__year",
            "report__quarter",
            "kind",
            "date",
            "pk",
        )
    )
    writer = _writer(out)
    writer.writerow(
        [
            _("Group"),
            _("Region"),
            _("Year"),
            _("Quarter"),
            _("Report status"),
            _("Late"),
            _("Completed or planned"),
            _("Date"),
            _("Type"),
            _("Outward-facing"),
            _("Priority area"),
            _("Campaign"),
            _("Participants from the group"),
            _("Signatures collected"),
            _("People reached"),
            _("Short description"),
        ]
    )
    rows = 0
    for activity in activities:
        report = activity.report
        writer.writerow(
            [
                _text(report.group.name),
                _text(report.group.region.name),
                report.year,
                f"Q{report.quarter}",
                report.get_status_display(),
                _yes_no(report.is_late),
                activity.get_kind_display(),
                _date(activity.date),
                activity.get_type_display(),
                _yes_no(activity.outward),
                _text(activity.priority_area.name if activity.priority_area else ""),
                _text(activity.campaign),
                "" if activity.participants is None else activity.participants,
                "" if activity.signatures is None else activity.signatures,
                "" if activity.people_reached is None else activity.people_reached,
                _text(activity.description),
            ]
        )
        rows += 1
    return rows


def _writer(out):
    # Norwegian Excel separates columns with ";" and reads UTF-8 only after a byte-order mark.
    out.write("\ufeff")
    return csv.writer(out, delimiter=";", lineterminator="\r\n")

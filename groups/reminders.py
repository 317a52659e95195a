"""Reminders about quarterly reports that are not in: before the deadline, after it, again, and then
the regional leader is told (issue 4).

For each recognised group and quarter without a submitted report, four steps, each on its day
(settings, counted from the quarter's deadline):

* ``before``: the contact person is reminded ``REPORT_REMINDER_DAYS_BEFORE`` days before;
* ``overdue``: the contact person is told ``REPORT_OVERDUE_DAYS_AFTER`` days after;
* ``second``: again ``REPORT_SECOND_OVERDUE_DAYS_AFTER`` days after, copied to the leader and deputy;
* ``regional``: the region's leaders are told ``REPORT_TELL_REGION_DAYS_AFTER`` days after.

`sweep()` runs every hour. Decisions worth knowing:

* **At most once.** A step is taken by inserting its `ReminderStep` row (unique per group, quarter
  and step) with `ignore_conflicts`, stamped with this sweep's own `taken_at`; the sweep then mails
  only the rows carrying its stamp. The claim and the outbox rows are written in one transaction:
  a crash rolls both back and the next sweep takes the step; a second sweep running at the same time
  waits on the first one's rows and skips them. Rows are claimed in (group, quarter, step) order so
  two sweeps never wait on each other in a circle. Should two sweeps ever get the same stamp (the
  same microsecond), the emails still go once: an outbox key names the group, quarter, step and
  recipient, and a key already in the outbox is kept as it is; only the counts returned would be off.
* **Who owes a report.** Groups recognised now that were founded by the quarter's last day and, if
  the approval date is known, approved by then: a group approved after the quarter owes none for it.
  Pending, rejected and closed groups get no reminders.
* **Stops on submission.** A step is due only while the quarter has no submitted (or reviewed)
  report; a report submitted between the look-up and the claim is checked again at the claim.
* **One step at a time.** A step stays due from its day until a later step's day comes: a sweep
  that was stopped for a while sends the latest step only, never a "friendly reminder" after the
  deadline. The last step stays due for `LATE_LIMIT`; a sweep stopped longer than that does not dig
  up old quarters (the skipped steps are not recorded, as nothing was sent).
* **No contact person.** The leader and deputy get the contact person's reminders instead. A group
  with none of them still has the step recorded (so it is not retried every hour) and nothing is
  written: criterion 4 already flags the group, and the regional leader's email at the last step
  says that it has no contact person.
* **Constant queries.** What is due is one query over all groups; recipients are fetched for all
  claimed groups at once; claims and emails are written in batches of `BATCH_SIZE`. The number of
  queries does not grow with the number of groups, only by one per batch of reminders written.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, IntegerField, OuterRef, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from amnesty_portal.mail import build, enqueue
from amnesty_portal.models import OutboxMessage
from groups.models import Group, Office, QuarterlyReport, ReminderStep
from groups.quarters import Quarter
from groups.reports import groups_owing
from regions.models import RegionRole

Step = ReminderStep.Step

# The email each step writes.
TEMPLATES = {
    Step.BEFORE_DEADLINE: "report_reminder_before",
    Step.OVERDUE: "report_overdue",
    Step.SECOND_OVERDUE: "report_second_overdue",
    Step.REGIONAL_LEADER: "report_region_told",
}
# How long the last step (and a step no later one replaces) stays due after its day.
LATE_LIMIT = datetime.timedelta(days=30)
# Rows written per INSERT (SQLite's limit on query parameters may make the batches smaller).
BATCH_SIZE = 1000


def step_days(quarter: Quarter) -> list[tuple[str, datetime.date]]:
    """Each step and its day for a quarter's report, in the order they are taken."""
    deadline, days = quarter.deadline, datetime.timedelta
    return [
        (Step.BEFORE_DEADLINE, deadline - days(days=settings.REPORT_REMINDER_DAYS_BEFORE)),
        (Step.OVERDUE, deadline + days(days=settings.REPORT_OVERDUE_DAYS_AFTER)),
        (Step.SECOND_OVERDUE, deadline + days(days=settings.REPORT_SECOND_OVERDUE_DAYS_AFTER)),
        (Step.REGIONAL_LEADER, deadline + days(days=settings.REPORT_TELL_REGION_DAYS_AFTER)),
    ]


def due_steps(today: datetime.date) -> list[tuple[Quarter, str]]:
    """The (quarter, step) pairs whose day has come and which no later step has replaced yet:
    normally none or one, for the quarter before today's."""
    due = []
    # Deadlines only move forward with the quarters: walk back from the next quarter until a
    # quarter's last step is too old to take.
    quarter = Quarter.of(today).next
    while True:
        days = step_days(quarter)
        if max(day for _step, day in days) + LATE_LIMIT <= today:
            return due
        for index, (step, day) in enumerate(days):
            later = [other for _step, other in days[index + 1 :] if other > day]
            until = min(later) if later else day + LATE_LIMIT
            if day <= today < until:
                due.append((quarter, step))
        quarter = quarter.previous


def _owing(quarter: Quarter, step: str):
    """Groups that owe the quarter's report, have not submitted it and have not had this step."""
    return (
        groups_owing(quarter)
        .exclude(
            Exists(
                QuarterlyReport.objects.submitted().filter(
                    group=OuterRef("pk"), year=quarter.year, quarter=quarter.number
                )
            )
        )
        .exclude(
            Exists(
                ReminderStep.objects.filter(group=OuterRef("pk"), year=quarter.year, quarter=quarter.number, step=step)
            )
        )
        .annotate(
            due_year=Value(quarter.year, IntegerField()),
            due_quarter=Value(quarter.number, IntegerField()),
            due_step=Value(str(step), CharField()),
        )
        .order_by()
        .values_list("pk", "due_year", "due_quarter", "due_step")
    )


def sweep(today: datetime.date | None = None) -> dict:
    """Take every reminder step that is due today. Safe to run at any time, any number of times,
    in several processes at once. Returns how many groups each step was taken for."""
    today = today or timezone.localdate()
    counts = {str(step): 0 for step in Step}
    pairs = due_steps(today)
    if not pairs:
        return counts
    first, *rest = [_owing(quarter, step) for quarter, step in pairs]
    candidates = sorted(first.union(*rest, all=True) if rest else first)
    if not candidates:
        return counts
    token = timezone.now()  # this sweep's stamp on the rows it claims
    with transaction.atomic():
        ReminderStep.objects.bulk_create(
            [
                ReminderStep(group_id=group_id, year=year, quarter=number, step=step, taken_at=token)
                for group_id, year, number, step in candidates
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        claimed = list(
            ReminderStep.objects.filter(taken_at=token)
            .annotate(
                submitted=Exists(
                    QuarterlyReport.objects.submitted().filter(
                        group=OuterRef("group_id"), year=OuterRef("year"), quarter=OuterRef("quarter")
                    )
                )
            )
            .select_related("group")
            .order_by("group_id", "year", "quarter", "step")
        )
        for reminder in claimed:
            counts[reminder.step] += 1
        rows = _emails([reminder for reminder in claimed if not reminder.submitted], token, today)
        for start in range(0, len(rows), BATCH_SIZE):
            enqueue(rows[start : start + BATCH_SIZE])
    return counts


def _emails(claimed: list[ReminderStep], token, today) -> list[OutboxMessage]:
    """The outbox rows for the steps this sweep took, with the recipients fetched for all at once."""
    if not claimed:
        return []
    officers = defaultdict(lambda: defaultdict(list))  # group id → office kind → people
    offices = (
        Office.objects.current(on=today)
        .filter(
            group_id__in=ReminderStep.objects.filter(taken_at=token).values("group_id"),
            kind__in=[Office.Kind.CONTACT, Office.Kind.LEADER, Office.Kind.DEPUTY],
        )
        .select_related("person")
        .order_by("group_id", "kind", "person_id")
    )
    for office in offices:
        officers[office.group_id][office.kind].append(office.person)
    leaders = defaultdict(list)  # region id → regional leaders
    if any(reminder.step == Step.REGIONAL_LEADER for reminder in claimed):
        roles = (
            RegionRole.objects.filter(
                kind=RegionRole.Kind.LEADER,
                region_id__in=Group.objects.filter(
                    reminder_steps__taken_at=token, reminder_steps__step=Step.REGIONAL_LEADER
                ).values("region_id"),
            )
            .select_related("person")
            .order_by("region_id", "person_id")
        )
        for role in roles:
            leaders[role.region_id].append(role.person)

    rows = []
    for reminder in claimed:
        group, quarter = reminder.group, Quarter(reminder.year, reminder.quarter)
        kinds = officers[group.pk]
        contacts, leader_and_deputy = kinds[Office.Kind.CONTACT], kinds[Office.Kind.LEADER] + kinds[Office.Kind.DEPUTY]
        cc = []
        if reminder.step == Step.REGIONAL_LEADER:
            recipients = leaders[group.region_id]
        elif reminder.step == Step.SECOND_OVERDUE:
            recipients, cc = contacts, leader_and_deputy
        else:
            recipients = contacts or leader_and_deputy
        context = {
            "group": group,
            "quarter": quarter,
            "deadline": quarter.deadline,
            "report_url": report_url(group.pk, quarter),
            "contacts": contacts,
            "copied": bool(cc) and any(person.email for person in contacts),
        }
        key = f"report-reminder:{group.pk}:{quarter}:{reminder.step}"
        rows += build(recipients, TEMPLATES[reminder.step], context, key=key, cc=cc)
    return rows


def report_url(group_id: int, quarter: Quarter) -> str:
    """The path of the group's report page for the quarter."""
    try:
        return reverse("groups:report", args=[group_id, str(quarter)])
    except NoReverseMatch:  # the report pages are not routed yet
        return f"/grupper/{group_id}/rapporter/{quarter}/"

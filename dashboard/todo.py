"""What waits on a regional leader: the to-do list at the top of the regional dashboard.

Each kind of task is one query that returns the first few items, the oldest deadline first, with
the number of all of them (a window count), so the list stays short and the query count fixed
however many groups a region has. The national overview counts the same tasks per region.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from dashboard.figures import quarter_label
from groups import follow_up
from groups.models import FollowUp, Group, JoinRequest, QuarterlyReport
from groups.quarters import Quarter
from groups.reports import groups_owing, reporting_quarter

SHOWN = 10  # items shown per kind; the rest are behind the kind's link
REVIEW_DAYS = 14  # a submitted report should be read and acknowledged within two weeks
DECIDE_DAYS = 14  # a new group's registration should be decided within two weeks


@dataclass
class Item:
    subject: str
    due: datetime.date | None
    url: str
    detail: str = ""


@dataclass
class Task:
    """One kind of task: its items (the first SHOWN), how many there are in all, and where to see all."""

    key: str
    title: str
    action: str
    items: list[Item] = field(default_factory=list)
    count: int = 0
    more_url: str = ""


def _first(queryset, order):
    """The first SHOWN rows, each carrying the number of all rows (one query)."""
    return list(queryset.annotate(all_count=Window(Count("pk"))).order_by(*order)[:SHOWN])


def _count(rows) -> int:
    return rows[0].all_count if rows else 0


def _day(moment) -> datetime.date:
    return timezone.localtime(moment).date()


def overdue_reports(region, today):
    quarter = reporting_quarter(today)
    if today <= quarter.deadline:
        return Group.objects.none(), quarter
    submitted = QuarterlyReport.objects.for_quarter(quarter).submitted().filter(group=OuterRef("pk"))
    groups = groups_owing(quarter).exclude(Exists(submitted))
    return (groups.filter(region=region) if region is not None else groups), quarter


def unreviewed_reports(region):
    return follow_up.reports_awaiting_review(region)


def not_contacted(region, today):
    return follow_up.groups_not_contacted(region, Quarter.of(today))


def failing(region):
    groups = Group.objects.active().filter(standing__in=[Group.Standing.AT_RISK, Group.Standing.FAILS])
    return groups.filter(region=region) if region is not None else groups


def registrations(region):
    groups = Group.objects.filter(status=Group.Status.PENDING)
    return groups.filter(region=region) if region is not None else groups


def waiting_join_requests(region, today):
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=settings.JOIN_REQUEST_WAIT_DAYS), datetime.time())
    )
    requests = JoinRequest.objects.pending().filter(created_at__lt=since)
    return requests.filter(group__region=region) if region is not None else requests


def open_follow_ups(region):
    follow_ups = FollowUp.objects.open()
    return follow_ups.filter(region=region) if region is not None else follow_ups


def silent_activists(region, today):
    """Individual activists not heard from for six months: the regional leader gets in touch."""
    from activists import individual

    return individual.in_region(individual.silent(individual.active_activists(), today), region)


def for_region(region, today: datetime.date | None = None) -> list[Task]:
    """The region's to-do list: eight queries, whatever the size of the region."""
    today = today or timezone.localdate()
    tasks = []
    follow_up_url = reverse("groups:region_follow_up", args=[region.slug])

    groups, quarter = overdue_reports(region, today)
    rows = _first(groups, ["name", "pk"])
    tasks.append(
        Task(
            "overdue_reports",
            _("Overdue quarterly reports"),
            _("See the group's reports"),
            [
                Item(g.name, quarter.deadline, reverse("groups:reports", args=[g.pk]), quarter_label(quarter))
                for g in rows
            ],
            _count(rows),
        )
    )
    rows = _first(unreviewed_reports(region), ["submitted_at", "pk"])
    tasks.append(
        Task(
            "unreviewed_reports",
            _("Reports to read and acknowledge"),
            _("Read the report"),
            [
                Item(
                    r.group.name,
                    _day(r.submitted_at) + datetime.timedelta(days=REVIEW_DAYS),
                    reverse("groups:review_report", args=[r.pk]),
                    quarter_label(r.period),
                )
                for r in rows
            ],
            _count(rows),
            follow_up_url,
        )
    )
    rows = _first(not_contacted(region, today), [F("last_contact").asc(nulls_first=True), "name", "pk"])
    this_quarter = Quarter.of(today)
    tasks.append(
        Task(
            "not_contacted",
            _("Groups not contacted this quarter"),
            _("Log a contact"),
            [Item(g.name, this_quarter.end, reverse("groups:contacts", args=[g.pk])) for g in rows],
            _count(rows),
            follow_up_url,
        )
    )
    rows = _first(failing(region), [F("warning_deadline").asc(nulls_last=True), "name", "pk"])
    tasks.append(
        Task(
            "failing",
            _("Groups failing or at risk on the criteria"),
            _("See the group's criteria"),
            [Item(g.name, g.warning_deadline, g.get_absolute_url(), g.get_standing_display()) for g in rows],
            _count(rows),
            reverse("regions:detail", args=[region.slug]) + "?standing=fails",
        )
    )
    rows = _first(registrations(region), [F("registered_at").asc(nulls_last=True), "pk"])
    tasks.append(
        Task(
            "registrations",
            _("New groups waiting for approval"),
            _("Approve or reject"),
            [
                Item(
                    g.name,
                    _day(g.registered_at) + datetime.timedelta(days=DECIDE_DAYS) if g.registered_at else None,
                    g.get_absolute_url(),
                )
                for g in rows
            ],
            _count(rows),
            reverse("groups:registrations"),
        )
    )
    rows = _first(waiting_join_requests(region, today).select_related("group"), ["created_at", "pk"])
    tasks.append(
        Task(
            "join_requests",
            _("Requests to join waiting more than %(days)s days") % {"days": settings.JOIN_REQUEST_WAIT_DAYS},
            _("Remind the group"),
            [
                Item(
                    r.group.name,
                    _day(r.created_at) + datetime.timedelta(days=settings.JOIN_REQUEST_WAIT_DAYS),
                    r.group.get_absolute_url(),
                )
                for r in rows
            ],
            _count(rows),
        )
    )
    rows = _first(open_follow_ups(region).select_related("group"), [F("due_on").asc(nulls_last=True), "pk"])
    tasks.append(
        Task(
            "follow_ups",
            _("Follow-ups: welcome packages, first contacts, new contact persons"),
            _("Open the group"),
            [Item(f.group.name, f.due_on, f.group.get_absolute_url(), f.get_kind_display()) for f in rows],
            _count(rows),
            reverse("regions:detail", args=[region.slug]),
        )
    )
    rows = _first(silent_activists(region, today).select_related("person"), ["last_heard_on", "pk"])
    tasks.append(
        Task(
            "silent_activists",
            _("Individual activists not heard from for six months"),
            _("Get in touch"),
            [
                Item(
                    str(a.person),
                    None,
                    reverse("activists:activist_detail", args=[a.pk]),
                    _("last heard from %(date)s") % {"date": date_format(a.last_heard_on, "SHORT_DATE_FORMAT")},
                )
                for a in rows
            ],
            _count(rows),
            reverse("activists:activist_list") + f"?region={region.slug}&stille=1",
        )
    )
    return tasks


def counts_by_region(today: datetime.date | None = None) -> dict[str, dict[int, int]]:
    """For the national overview: how many of each task wait in each region (eight queries)."""
    today = today or timezone.localdate()
    groups, _quarter = overdue_reports(None, today)
    querysets = {
        "overdue_reports": (groups, "region_id"),
        "unreviewed_reports": (unreviewed_reports(None), "group__region_id"),
        "not_contacted": (follow_up.groups_not_contacted(None, Quarter.of(today)), "region_id"),
        "failing": (failing(None), "region_id"),
        "registrations": (registrations(None), "region_id"),
        "join_requests": (waiting_join_requests(None, today), "group__region_id"),
        "follow_ups": (open_follow_ups(None), "region_id"),
        "silent_activists": (silent_activists(None, today), "person__postal_code__municipality__county__region_id"),
    }
    counts = {}
    for key, (queryset, region_field) in querysets.items():
        rows = queryset.order_by().values(region_field).annotate(n=Count("pk", distinct=True))
        counts[key] = {row[region_field]: row["n"] for row in rows}
    return counts


TASK_TITLES = {
    "overdue_reports": _("overdue reports"),
    "unreviewed_reports": _("reports to read"),
    "not_contacted": _("groups not contacted this quarter"),
    "failing": _("groups failing or at risk"),
    "registrations": _("new groups to approve"),
    "join_requests": _("requests to join waiting"),
    "follow_ups": _("open follow-ups"),
    "silent_activists": _("individual activists not heard from for six months"),
}

"""Every list, detail and dashboard view makes a fixed number of queries: no N+1.

Each test builds at least two of every related thing and then doubles them; the count must not
change.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from amnesty_portal import audit
from groups.criteria import refresh_standings
from groups.models import (
    ActivityType,
    FollowUp,
    Group,
    JoinRequest,
    Office,
    PriorityArea,
    QuarterlyReport,
    ReportActivity,
)
from groups.quarters import Quarter
from tests import factories as f

pytestmark = pytest.mark.django_db


def _grow(world, n):
    """Add n groups to Bergen, each with two members, a contact, a leader, a former leader, a join
    request, a to-do item and a history; a pending registration; and more of the same to world.group."""
    for _ in range(n):
        group = f.GroupFactory()
        f.make_contact(group)
        leader = f.PersonFactory()
        f.MembershipFactory(group=group, person=leader)
        f.OfficeFactory(group=group, person=leader, kind=Office.Kind.LEADER)
        f.MembershipFactory(group=group)
        group.priority_areas.set(PriorityArea.objects.all()[:2])
        pending = f.GroupFactory(status=Group.Status.PENDING, registered_by=world.member, registered_at=timezone.now())
        f.make_contact(pending)
        for target in (group, world.group):
            _history(target, world)
        JoinRequest.objects.create(group=group, person=world.member)
        _reports(world.group, world)
    refresh_standings()


def _reports(group, world):
    """More activities and a version on this quarter's report, more plans on last quarter's, and a
    report for one more earlier quarter."""
    quarter = Quarter.current()
    for period in (quarter, quarter.previous):
        report, _created = QuarterlyReport.objects.get_or_create(group=group, year=period.year, quarter=period.number)
        for kind in (ReportActivity.Kind.DONE, ReportActivity.Kind.PLANNED):
            area = PriorityArea.objects.first()
            report.activities.create(kind=kind, type=ActivityType.STAND, date=period.start, priority_area=area)
    report = group.reports.get(year=quarter.year, quarter=quarter.number)
    report.versions.create(number=report.versions.count() + 1, submitted_by=world.contact, data={"activities": []})
    earlier = quarter
    while QuarterlyReport.objects.for_quarter(earlier).filter(group=group).exists():
        earlier = earlier.previous
    QuarterlyReport.objects.create(group=group, year=earlier.year, quarter=earlier.number, status="submitted")


def _submitted_report(group):
    """This quarter's report of the group, submitted: `_reports` adds activities and versions to it."""
    quarter = Quarter.current()
    report, _created = QuarterlyReport.objects.get_or_create(
        group=group, year=quarter.year, quarter=quarter.number, defaults={"status": "submitted"}
    )
    return report


def _history(group, world):
    former = f.PersonFactory()
    f.MembershipFactory(group=group, person=former)
    f.OfficeFactory(
        group=group,
        person=former,
        kind=Office.Kind.LEADER,
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2025, 1, 1),
    )
    JoinRequest.objects.create(group=group, person=f.PersonFactory())
    for kind in (FollowUp.Kind.FIRST_CONTACT, FollowUp.Kind.WELCOME_PACKAGE):
        done = timezone.now() if FollowUp.objects.filter(group=group, kind=kind, done_at=None).exists() else None
        FollowUp.objects.create(group=group, region=group.region, kind=kind, done_at=done)
    audit.record(actor=world.admin, action="group.warned", target=group, reason="test", deadline="2026-12-31")


def _count(client, url, assert_num_queries, expected):
    with assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


# (url name, kwargs factory, role, queries) — the count is the same for 2 and for 6 extra groups.
VIEWS = [
    ("groups:list", None, "admin", 7),
    ("groups:list", None, "leader", 7),
    ("groups:detail", lambda w: {"pk": w.group.pk}, "leader", 16),
    ("groups:detail", lambda w: {"pk": w.group.pk}, "contact", 14),
    ("groups:detail", lambda w: {"pk": w.group.pk}, "member", 10),
    ("groups:directory", None, "member", 10),
    ("groups:registrations", None, "leader", 9),
    ("groups:review", None, "admin", 9),
    ("activists:person_list", None, "admin", 7),
    ("activists:person_list", None, "leader", 7),
    ("activists:person_detail", lambda w: {"pk": w.member.pk}, "leader", 9),
    ("regions:list", None, "admin", 7),
    ("regions:detail", lambda w: {"slug": "bergen"}, "leader", 15),
    ("groups:region_follow_up", lambda w: {"slug": "bergen"}, "leader", 9),
    ("groups:region_follow_up", lambda w: {"slug": "alle"}, "admin", 8),
    ("groups:region_contacts", lambda w: {"slug": "bergen"}, "leader", 7),
    ("groups:contacts", lambda w: {"pk": w.group.pk}, "leader", 7),
    ("groups:review_report", lambda w: {"pk": _submitted_report(w.group).pk}, "leader", 8),
    ("home", None, "member", 9),
    ("groups:reports", lambda w: {"pk": w.group.pk}, "contact", 7),
    ("groups:report", lambda w: {"pk": w.group.pk, "quarter": str(Quarter.current())}, "contact", 11),
    ("groups:report", lambda w: {"pk": w.group.pk, "quarter": str(Quarter.current())}, "member", 9),
    (
        "groups:report_version",
        lambda w: {"pk": w.group.pk, "quarter": str(Quarter.current()), "number": 1},
        "member",
        8,
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "role", "queries"), VIEWS, ids=[f"{v[0]}-{v[2]}" for v in VIEWS])
def test_query_count_does_not_grow_with_rows(world, login, assert_num_queries, settings, name, kwargs, role, queries):
    # With Redis, sessions come from the cache (one query fewer); count against the database alike.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    _grow(world, 2)
    f.MembershipFactory(group=world.group)
    client = login(world.user(role))
    _count(client, url, assert_num_queries, queries)
    _grow(world, 4)
    f.MembershipFactory(group=world.group)
    f.MembershipFactory(group=world.group)
    _count(client, url, assert_num_queries, queries)

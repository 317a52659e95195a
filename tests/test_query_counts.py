"""Every list, detail and dashboard view makes a fixed number of queries: no N+1.

Each test builds at least two of every related thing and then doubles them; the count must not
change. The dashboards are counted at 2 and at 50 groups, with people, reports and activities of
every kind for each.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activists.models import User
from amnesty_portal import audit
from dashboard import summaries
from groups.criteria import refresh_standings
from groups.models import (
    ActivityType,
    Contact,
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
    request, a to-do item and a history; a pending registration; and more of the same to world.group.
    Returns the new groups."""
    grown = []
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
        grown.append(group)
    refresh_standings()
    return grown


# The dashboards: groups counted at these sizes.
DASHBOARD_GROUPS = (2, 50)
_GENDERS = [User.Gender.MAN, User.Gender.WOMAN, User.Gender.NON_BINARY, ""]
_BIRTH_YEARS = [2008, 1985, 1950, None]
_POSTAL_CODES = ["5003", "5700", "6856", "0150", None]  # Bergen, Voss, Sogndal, Oslo, unknown
_ACTIVITY_TYPES = list(ActivityType)


def _dashboard_data(world, groups):
    """What the dashboards count, for each new group: founded last year, a member of another gender,
    age and place, an activist who is not a member, a new member who has not engaged, last quarter's
    report submitted with completed activities (each group its own campaign: at 50 groups, more than
    the dashboard lists by name) and a plan, a contact this quarter for every other group, and an
    at-risk standing for every third; then the summary tables are recomputed."""
    current = Quarter.current()
    last = current.previous
    for group in groups:
        i = group.pk
        Group.objects.filter(pk=group.pk).update(
            founded_on=datetime.date(current.year - 1, 1, 1),
            standing=Group.Standing.AT_RISK if i % 3 == 0 else Group.Standing.MEETS,
        )
        code = _POSTAL_CODES[i % len(_POSTAL_CODES)]
        person = f.PersonFactory(
            gender=_GENDERS[i % len(_GENDERS)],
            birth_year=_BIRTH_YEARS[i % len(_BIRTH_YEARS)],
            postal_code=f.PostalCode.objects.get(code=code) if code else None,
            member_since=datetime.date(current.year - 2, 1, 1),
        )
        f.MembershipFactory(group=group, person=person, joined_on=last.start)
        f.PersonFactory(member_since=current.start)
        f.MembershipFactory(group=group, person=f.PersonFactory(membership_status=User.Membership.NON_MEMBER))
        report = QuarterlyReport.objects.create(
            group=group,
            year=last.year,
            quarter=last.number,
            status=QuarterlyReport.Status.SUBMITTED,
            submitted_at=timezone.now(),
            is_late=i % 2 == 1,
        )
        for n in range(2):
            report.activities.create(
                kind=ReportActivity.Kind.DONE,
                type=_ACTIVITY_TYPES[(i + n) % len(_ACTIVITY_TYPES)],
                outward=n == 0,
                date=last.start,
                priority_area=PriorityArea.objects.order_by("pk")[i % 2],
                campaign=f"Kampanje {i}" if n == 0 else "",
                participants=3 + i,
            )
        report.activities.create(kind=ReportActivity.Kind.PLANNED, type=ActivityType.STAND, date=current.start)
        if i % 2 == 0:
            Contact.objects.create(group=group, channel=Contact.Channel.PHONE, by=world.leader)
    summaries.refresh()


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


# (url name, kwargs factory, role, queries) — the count is the same for 2 and for 6 extra groups
# (for the dashboards: DASHBOARD_GROUPS).
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
    # The dashboards, uncached (DASHBOARD_CACHE_SECONDS = 0), at 2 and at 50 groups (DASHBOARD_GROUPS).
    ("dashboard:region", lambda w: {"slug": "bergen"}, "leader", 21),
    ("dashboard:region", lambda w: {"slug": "bergen"}, "admin", 21),
    ("dashboard:overview", None, "admin", 22),
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
    dashboard = name.startswith("dashboard:")
    if dashboard:
        settings.DASHBOARD_CACHE_SECONDS = 0  # count the page as it is built, not as it is cached
    first, then = DASHBOARD_GROUPS if dashboard else (2, 6)
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    grown = _grow(world, first)
    if dashboard:
        _dashboard_data(world, grown)
    f.MembershipFactory(group=world.group)
    client = login(world.user(role))
    _count(client, url, assert_num_queries, queries)
    grown = _grow(world, then - first)
    if dashboard:
        _dashboard_data(world, grown)
    f.MembershipFactory(group=world.group)
    f.MembershipFactory(group=world.group)
    _count(client, url, assert_num_queries, queries)

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
from amnesty_portal.models import OutboxMessage
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
        _silent_activist(world, last)
    summaries.refresh()


def _silent_activist(world, quarter):
    """An individual activist in Bergen not heard from for seven months, with an activity logged."""
    from activists.models import ActivistActivity, IndividualActivist

    activist = IndividualActivist.objects.create(person=f.PersonFactory())
    IndividualActivist.objects.filter(pk=activist.pk).update(
        last_heard_on=datetime.date.today() - datetime.timedelta(days=213)
    )
    ActivistActivity.objects.create(
        activist=activist, date=quarter.start, type=ActivityType.OTHER, description="Skrivekafé", region=world.region
    )


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


def _erasure_requests(world):
    """Two people asking to be erased, one in a group with an office (what the list shows); no kwargs."""
    from activists.models import ErasureRequest

    for person in (world.outsider, world.member):
        ErasureRequest.objects.create(person=person, reason="Flytter")
    f.OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.TREASURER)
    return None


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
    # (One query each for the to-do list's individual activists not heard from for six months.)
    ("dashboard:region", lambda w: {"slug": "bergen"}, "leader", 22),
    ("dashboard:region", lambda w: {"slug": "bergen"}, "admin", 22),
    ("dashboard:overview", None, "admin", 23),
    ("groups:region_follow_up", lambda w: {"slug": "bergen"}, "leader", 9),
    ("groups:region_follow_up", lambda w: {"slug": "alle"}, "admin", 8),
    ("groups:region_contacts", lambda w: {"slug": "bergen"}, "leader", 7),
    ("groups:contacts", lambda w: {"pk": w.group.pk}, "leader", 7),
    ("groups:review_report", lambda w: {"pk": _submitted_report(w.group).pk}, "leader", 8),
    ("home", None, "member", 9),
    # Each person's own data: one query per table that refers to people, whatever the rows (the
    # member's join requests and registrations grow); the secretariat's erasure requests.
    ("activists:my_data", None, "member", 43),
    ("activists:erasure_requests", lambda w: _erasure_requests(w), "admin", 11),
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


# --- Individual activists, alumni and gatherings ----------------------------------------------------


def _individual_activists(world, n):
    """n more individual activists in Bergen (two themes, two chosen ideas, two logged activities
    each), n more logged activities of the member's own, n more former officers of world.group (two
    past offices each), and n more gatherings (regional and national) with the new activists invited."""
    from activists.models import ActivistActivity, ActivityIdea, Gathering, GatheringInvitation, IndividualActivist

    themes = list(PriorityArea.objects.order_by("pk")[:2])
    ideas = [
        ActivityIdea.objects.get_or_create(slug=f"ide-{i}", defaults={"title": f"Idé {i}", "summary": "-"})[0]
        for i in range(2)
    ]
    mine, _created = IndividualActivist.objects.get_or_create(person=world.member)
    mine.themes.set(themes)
    mine.ideas.set(ideas)
    for i in range(n):
        activist = IndividualActivist.objects.create(person=f.PersonFactory(), modes=["alone", "online"])
        activist.themes.set(themes)
        activist.ideas.set(ideas)
        for activity_of in (activist, activist, mine):
            ActivistActivity.objects.create(
                activist=activity_of,
                date=datetime.date.today(),
                type=ActivityType.STAND,
                description="Stand",
                idea=ideas[0],
                priority_area=themes[0],
                region=world.region,
            )
        former = f.PersonFactory()
        for kind in (Office.Kind.LEADER, Office.Kind.TREASURER):
            f.OfficeFactory(
                group=world.group,
                person=former,
                kind=kind,
                started_on=datetime.date(2023, 1, 1),
                ended_on=datetime.date(2024, 1, 1),
            )
        for region in (world.region, None):
            gathering = Gathering.objects.create(
                kind=Gathering.Kind.REGIONAL_MEETING if region else Gathering.Kind.NATIONAL_ASSEMBLY,
                title=f"Samling {i}",
                region=region,
                starts_at=timezone.now() + datetime.timedelta(days=10 + i),
                place="Bergen",
                created_by=world.leader,
            )
            for person in (activist.person, world.member):
                GatheringInvitation.objects.create(gathering=gathering, person=person, invited_by=world.leader)
    GatheringInvitation.objects.get_or_create(gathering=_first_meeting(), person=f.PersonFactory())


def _first_meeting():
    from activists.models import Gathering

    return Gathering.objects.filter(region__slug="bergen").order_by("pk").first()


def _member_activist(world):
    from activists.models import IndividualActivist

    return IndividualActivist.objects.get_or_create(person=world.member)[0]


def _meeting(world):
    _individual_activists(world, 1)
    return _first_meeting()


# (url name, kwargs factory, role, queries): the same with 3 and with 7 of everything.
ACTIVIST_VIEWS = [
    ("activists:my_activism", None, "member", 10),
    ("activists:activist_list", None, "leader", 9),
    ("activists:activist_list", None, "admin", 9),
    ("activists:activist_detail", lambda w: {"pk": _member_activist(w).pk}, "leader", 10),
    ("activists:alumni", None, "leader", 9),
    ("activists:alumni", None, "admin", 9),
    ("activists:gathering_list", None, "leader", 7),
    ("activists:gathering_detail", lambda w: {"pk": _meeting(w).pk}, "leader", 8),
    ("activists:gathering_invite", lambda w: {"pk": _meeting(w).pk}, "leader", 8),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "role", "queries"), ACTIVIST_VIEWS, ids=[f"{v[0]}-{v[2]}" for v in ACTIVIST_VIEWS]
)
def test_individual_activist_pages_make_a_fixed_number_of_queries(
    world, login, assert_num_queries, settings, name, kwargs, role, queries
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    _individual_activists(world, 2)
    client = login(world.user(role))
    _count(client, url, assert_num_queries, queries)
    _individual_activists(world, 4)
    _count(client, url, assert_num_queries, queries)


# --- Urgent actions (campaigns) ---------------------------------------------------------------------


def _urgent_actions(world, n):
    """n more urgent actions, each with two regions and two themes, half of them sent with their
    outbox rows; and n more people who would get one (members of world.group, which works on a theme,
    and individual activists)."""
    from activists.models import IndividualActivist
    from campaigns import alerts
    from campaigns.models import ActionAlert

    themes = list(PriorityArea.objects.order_by("pk")[:2])
    world.group.priority_areas.set(themes)
    for i in range(n):
        f.MembershipFactory(group=world.group)
        IndividualActivist.objects.create(person=f.PersonFactory()).themes.set(themes)
        alert = ActionAlert.objects.create(title=f"Hastesak {i}", body="Skriv til ambassaden.", created_by=world.admin)
        alert.regions.set([f.region("bergen"), f.region("oslo")])
        alert.themes.set(themes)
        if i % 2:
            alerts.send_alert(actor=world.admin, alert=alert, revision=alert.revision)


@pytest.mark.parametrize(
    ("name", "queries"),
    [("alert_list", 7), ("alert_detail", 9), ("alert_preview", 13), ("alert_send", 9)],
)
def test_urgent_action_pages_make_a_fixed_number_of_queries(world, login, assert_num_queries, settings, name, queries):
    from campaigns import alerts
    from campaigns.models import ActionAlert

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    _urgent_actions(world, 2)
    draft = ActionAlert.objects.create(title="Utkast", body="Tekst.", created_by=world.admin)
    draft.regions.set([f.region("bergen"), f.region("oslo")])
    draft.themes.set(PriorityArea.objects.order_by("pk")[:2])
    sent = ActionAlert.objects.create(title="Sendt", body="Tekst.", created_by=world.admin)
    alerts.send_alert(actor=world.admin, alert=sent, revision=sent.revision)
    url = {
        "alert_list": reverse("campaigns:alert_list"),
        "alert_detail": reverse("campaigns:alert_detail", args=[sent.pk]),
        "alert_preview": reverse("campaigns:alert_preview", args=[draft.pk]),
        "alert_send": reverse("campaigns:alert_send", args=[draft.pk]),
    }[name]
    client = login(world.admin)
    _count(client, url, assert_num_queries, queries)
    _urgent_actions(world, 4)
    # The sent alert's delivery grows too: more rows in every status.
    for i, status in enumerate(["pending", "sending", "sent", "failed"] * 2):
        OutboxMessage.objects.create(
            key=f"{sent.batch}:extra:{i}",
            kind="action_alert",
            to=f"x{i}@example.org",
            subject="S",
            text="T",
            status=status,
            batch=sent.batch,
        )
    _count(client, url, assert_num_queries, queries)


# --- Engage locally: the results page, at 2 and at 6 of every kind of group and idea ------------------


def _grow_engage(world, n):
    from activists.models import ActivityIdea

    area = PriorityArea.objects.filter(is_current=True).order_by("order", "pk").first()
    for i in range(n):
        f.make_contact(f.GroupFactory()).save()  # Bergen, where world.member lives
        f.GroupFactory(municipality=f.Municipality.objects.get(number="4621"))  # Voss, same county
        f.GroupFactory(municipality=None, region=f.region("oslo")).priority_areas.add(area)
        idea = ActivityIdea.objects.create(
            slug=f"idea-{ActivityIdea.objects.count()}-{i}", title="Idé", summary="Hva", how_to="Slik"
        )
        idea.priority_areas.add(area)
        JoinRequest.objects.create(group=f.GroupFactory(), person=world.member)
    return area


@pytest.mark.parametrize(("role", "queries"), [("anonymous", 7), ("member", 15)])
def test_engage_results_query_count_does_not_grow(world, login, assert_num_queries, settings, role, queries):
    from activists.engage import Answers, flow_url
    from activists.models import IndividualActivist

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    area = _grow_engage(world, 2)
    activist = IndividualActivist.objects.create(person=world.member)
    url = flow_url(Answers(postal_code="5003", modes=["with_others", "online"], themes=[area.pk]))
    client = login(world.user(role))
    _count(client, url, assert_num_queries, queries)
    _grow_engage(world, 4)
    activist.ideas.set(activist.ideas.model.objects.all())
    _count(client, url, assert_num_queries, queries)

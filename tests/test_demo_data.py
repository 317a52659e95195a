"""Demo data: realistic, the same every time, loaded once, and never with DEBUG off."""

import datetime
import random
from collections import Counter
from io import StringIO

import phonenumbers
import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from activists import demo_data
from activists.models import MembershipEvent, User
from groups.models import (
    Contact,
    CriterionStatus,
    FollowUp,
    Group,
    GroupMembership,
    JoinRequest,
    Office,
    QuarterlyReport,
    ReportActivity,
    ReportVersion,
    StatutesAcceptance,
)
from groups.quarters import Quarter
from regions.models import Region, RegionRole

OFFICE_CITIES = {"0301", "4601", "1103", "5001", "5501"}
NAMED_ACCOUNTS = [
    "admin@example.org",
    "region.oslo@example.org",
    "region.bergen@example.org",
    "region.stavanger@example.org",
    "region.trondheim@example.org",
    "region.tromso@example.org",
    "opplaering.oslo@example.org",
    "opplaering.bergen@example.org",
    "opplaering.stavanger@example.org",
    "opplaering.trondheim@example.org",
    "opplaering.tromso@example.org",
    "kontakt.bergen@example.org",
    "medlem@example.org",
    "ny@example.org",
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return demo_data.load()


def _current_members(group):
    return GroupMembership.objects.filter(group=group, left_on__isnull=True)


@pytest.mark.django_db
def test_loads_about_seventy_groups_and_six_hundred_people(demo):
    assert demo["loaded"] is True
    assert 65 <= Group.objects.count() <= 75
    assert 550 <= User.objects.count() <= 650
    assert demo["groups"] == Group.objects.count()
    assert demo["people"] == User.objects.count()
    assert Region.objects.count() == 5
    for region in Region.objects.all():
        kinds = set(RegionRole.objects.filter(region=region).values_list("kind", flat=True))
        assert kinds == {RegionRole.Kind.LEADER, RegionRole.Kind.TRAINING_COORDINATOR}


@pytest.mark.django_db
def test_about_half_the_groups_are_in_the_five_office_cities(demo):
    in_cities = Group.objects.filter(municipality__in=OFFICE_CITIES).count()
    assert 0.4 <= in_cities / Group.objects.count() <= 0.6
    rural = Group.objects.filter(municipality__centrality__gte=5)
    assert rural.count() >= 5
    assert set(rural.values_list("region__slug", flat=True)) == set(Region.objects.values_list("slug", flat=True))


@pytest.mark.django_db
def test_groups_cover_every_category_and_the_rules_later_checks_need(demo):
    assert set(Group.objects.values_list("category", flat=True)) == set(Group.Category.values)
    assert Group.objects.filter(status=Group.Status.PENDING).count() == 3
    assert Group.objects.filter(status=Group.Status.CLOSED).count() == 2
    assert Group.objects.filter(is_open=False).exists()
    digital = Group.objects.filter(municipality__isnull=True)
    assert digital.count() == 2
    assert set(digital.values_list("region__slug", flat=True)) == {"oslo"}
    for group in Group.objects.exclude(municipality__isnull=True).select_related("municipality__county"):
        assert group.region_id == group.municipality.county.region_id
    assert not Group.objects.filter(category=Group.Category.STUDENT, institution="").exists()
    assert not Group.objects.filter(category=Group.Category.YOUTH, institution="").exists()

    active = Group.objects.exclude(status=Group.Status.CLOSED)
    sizes = [_current_members(group).count() for group in active]
    assert min(sizes) >= 3 and max(sizes) <= 15
    assert sum(size < 5 for size in sizes) >= 5  # the privacy rule has something to hide

    contacts = Office.objects.current().filter(kind=Office.Kind.CONTACT)
    assert contacts.count() == active.count() - 2  # Harstad's contact lapsed, Sauda's stepped down
    assert Office.objects.exclude(ended_on__isnull=True).exists()
    assert not Office.objects.exclude(ended_on__isnull=True).filter(end_reason="").exists()
    assert not Office.objects.filter(ended_on__isnull=True).exclude(end_reason="").exists()
    # The portal ends the offices of a person whose membership lapses, on the day it lapses.
    assert not contacts.filter(person__membership_status=User.Membership.LAPSED).exists()
    for office in Office.objects.filter(person__membership_status=User.Membership.LAPSED).select_related("person"):
        assert office.ended_on <= max(office.person.lapsed_on, office.started_on)


@pytest.mark.django_db
def test_people_look_like_a_membership_register(demo):
    people = User.objects.all()
    total = people.count()
    assert people.filter(gender=User.Gender.WOMAN).count() / total > 0.5
    assert 0.25 < people.filter(gender=User.Gender.MAN).count() / total < 0.4
    assert 0.06 <= people.filter(membership_status=User.Membership.LAPSED).count() / total <= 0.10
    assert 0.03 <= people.filter(membership_status=User.Membership.NON_MEMBER).count() / total <= 0.07
    assert not people.filter(membership_status=User.Membership.LAPSED, lapsed_on__isnull=True).exists()
    assert not people.filter(membership_status=User.Membership.PAYING, member_since__isnull=True).exists()
    assert people.filter(language=User.Language.EN).exists()
    assert people.filter(postal_code__isnull=True).count() == 0
    for email, phone in people.values_list("email", "phone"):
        assert email.split("@")[1].startswith("example.")
        if phone:
            number = phonenumbers.parse(phone)
            assert phonenumbers.is_valid_number(number) and phone.startswith(("+474", "+479"))
    years = GroupMembership.objects.filter(group__category=Group.Category.YOUTH).values_list(
        "person__birth_year", flat=True
    )
    this_year = demo_data.timezone.localdate().year
    assert all(13 <= this_year - year <= 19 for year in years)
    # Every person's status is backed by a membership event.
    latest = {}
    for person_id, status in MembershipEvent.objects.order_by("effective_on", "pk").values_list("person", "status"):
        latest[person_id] = status
    assert latest == dict(people.values_list("pk", "membership_status"))
    # Register entries are not accounts.
    assert not people.exclude(email__in=NAMED_ACCOUNTS).filter(password__startswith="pbkdf2").exists()
    assert not people.exclude(email__in=NAMED_ACCOUNTS).filter(password__startswith="md5").exists()
    # The named accounts, every group contact, whoever registered a group or asked to join one have
    # a confirmed email address; nobody else does.
    contacts = set(Office.objects.filter(kind=Office.Kind.CONTACT).values_list("person__email", flat=True))
    registrants = set(Group.objects.exclude(registered_by=None).values_list("registered_by__email", flat=True))
    askers = set(JoinRequest.objects.values_list("person__email", flat=True))
    addresses = EmailAddress.objects.all()
    assert set(addresses.values_list("email", flat=True)) == set(NAMED_ACCOUNTS) | contacts | registrants | askers
    assert not addresses.filter(verified=False).exists()


@pytest.mark.django_db
def test_named_accounts_have_their_roles(demo):
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_secretariat and admin.is_staff and admin.is_superuser
    assert RegionRole.objects.filter(
        person__email="region.bergen@example.org", region__slug="bergen", kind=RegionRole.Kind.LEADER
    ).exists()
    assert RegionRole.objects.filter(
        person__email="region.oslo@example.org", region__slug="oslo", kind=RegionRole.Kind.LEADER
    ).exists()
    assert RegionRole.objects.filter(
        person__email="opplaering.tromso@example.org",
        region__slug="tromso",
        kind=RegionRole.Kind.TRAINING_COORDINATOR,
    ).exists()

    contact = Office.objects.current().get(person__email="kontakt.bergen@example.org", kind=Office.Kind.CONTACT)
    group = contact.group
    assert group.name == "Amnesty Bergen sentrum"
    assert group.municipality_id == "4601"
    assert group.status == Group.Status.RECOGNISED
    assert Office.objects.current().filter(group=group, person=contact.person, kind=Office.Kind.LEADER).exists()

    member = User.objects.get(email="medlem@example.org")
    assert member.membership_status == User.Membership.PAYING
    assert _current_members(group).filter(person=member).exists()
    assert not member.offices.exists()

    new = User.objects.get(email="ny@example.org")
    assert new.membership_status == User.Membership.PAYING
    assert (demo_data.timezone.localdate() - new.member_since).days <= 7
    assert not new.group_memberships.exists()
    assert new.postal_code.municipality_id not in OFFICE_CITIES


@pytest.mark.django_db
def test_named_accounts_can_log_in_with_the_demo_password(demo, client):
    for email in NAMED_ACCOUNTS:
        response = client.post(reverse("account_login"), {"login": email, "password": "amnesty-demo"})
        assert response.status_code == 302, email
        client.logout()


@pytest.mark.django_db
def test_second_run_changes_nothing(demo, settings):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "already loaded" in out.getvalue()
    assert demo_data.counts() == {key: value for key, value in demo.items() if key != "loaded"}


@pytest.mark.django_db
def test_interrupted_run_is_completed_not_duplicated(demo):
    standings = sorted(Group.objects.values_list("name", "standing"))
    User.objects.filter(email="admin@example.org").delete()
    User.objects.filter(email__endswith="@example.net").order_by("pk")[:1].get().delete()
    Group.objects.get(name="Amnesty Voss").delete()
    GroupMembership.objects.filter(group__name="Amnesty Tromsø").delete()

    again = demo_data.load()

    assert again["loaded"] is True
    assert again == demo
    assert sorted(Group.objects.values_list("name", "standing")) == standings


@pytest.mark.django_db
def test_plan_is_the_same_every_time(settings):
    today = demo_data.timezone.localdate()

    def plan():
        planner = demo_data._Planner(random.Random(demo_data.SEED), today)
        planner.build()
        return planner

    first, second = plan(), plan()
    assert first.people == second.people
    assert first.groups == second.groups


@pytest.mark.django_db
def test_command_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo_data", stdout=StringIO())
    assert not User.objects.exists()
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_command_prints_the_counts(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Demo data loaded" in out.getvalue()
    assert f"groups: {Group.objects.count()}" in out.getvalue()


def _active():
    return Group.objects.filter(status__in=[Group.Status.PENDING, Group.Status.RECOGNISED])


def _state(group, number):
    return CriterionStatus.objects.get(group=group, number=number)


@pytest.mark.django_db
def test_groups_stand_in_every_standing(demo):
    active = _active()
    standings = Counter(active.values_list("standing", flat=True))
    assert set(standings) == set(Group.Standing.values)
    assert 0.7 <= standings[Group.Standing.MEETS] / active.count() <= 0.8
    assert standings[Group.Standing.AT_RISK] >= 3
    assert standings[Group.Standing.FAILS] >= 5
    assert not active.filter(standing_checked_at=None).exists()
    assert CriterionStatus.objects.count() == 5 * active.count()
    # Each of the five criteria fails somewhere, and the two waiting times are both shown.
    failing = CriterionStatus.objects.filter(state=Group.Standing.FAILS)
    assert set(failing.values_list("number", flat=True)) == {1, 2, 3, 4, 5}
    codes = {e["code"] for evidence in CriterionStatus.objects.values_list("evidence", flat=True) for e in evidence}
    assert {"join_request_waiting", "members_not_paying", "not_open", "no_contact"} <= codes
    assert active.filter(standing=Group.Standing.AT_RISK, criteria__number=5, criteria__state="at_risk").exists()
    assert active.filter(standing=Group.Standing.AT_RISK, criteria__number=2, criteria__state="at_risk").exists()


@pytest.mark.django_db
def test_harstad_fails_criterion_four_after_its_contact_lapsed(demo):
    today = demo_data.timezone.localdate()
    harstad = Group.objects.get(name=demo_data.LAPSED_CONTACT_GROUP)
    assert harstad.status == Group.Status.RECOGNISED and harstad.standing == Group.Standing.FAILS
    assert not Office.objects.current().filter(group=harstad, kind=Office.Kind.CONTACT).exists()
    office = Office.objects.select_related("person").get(group=harstad, kind=Office.Kind.CONTACT)
    person = office.person
    assert person.membership_status == User.Membership.LAPSED
    assert person.lapsed_on == today - datetime.timedelta(days=70)
    assert (office.ended_on, office.end_reason) == (person.lapsed_on, Office.EndReason.MEMBERSHIP_LAPSED)
    contact = _state(harstad, CriterionStatus.Number.CONTACT)
    assert contact.state == Group.Standing.FAILS
    assert [e["code"] for e in contact.evidence] == ["no_contact"]
    assert contact.since == person.lapsed_on
    assert FollowUp.objects.open().filter(group=harstad, kind=FollowUp.Kind.NEW_CONTACT).exists()
    assert harstad.warned_at is None  # left for the secretariat to warn

    sauda = Group.objects.get(name=demo_data.NO_CONTACT_GROUP)
    assert _state(sauda, CriterionStatus.Number.CONTACT).state == Group.Standing.FAILS
    assert Office.objects.get(group=sauda, kind=Office.Kind.CONTACT).end_reason == Office.EndReason.STEPPED_DOWN
    assert sauda.warned_at and sauda.warning_deadline > today and sauda.warning_message


@pytest.mark.django_db
def test_bergen_sentrum_meets_every_criterion_and_has_a_request_to_answer(demo):
    group = Group.objects.get(name=demo_data.NAMED_GROUP)
    assert group.standing == Group.Standing.MEETS
    assert set(group.criteria.values_list("state", flat=True)) == {Group.Standing.MEETS}
    contact = Office.objects.current().get(group=group, kind=Office.Kind.CONTACT).person
    assert contact.email == "kontakt.bergen@example.org"
    assert EmailAddress.objects.filter(email=contact.email, verified=True).exists()
    assert StatutesAcceptance.objects.get(group=group).accepted_by == contact
    assert 1 <= group.priority_areas.filter(is_current=True).count() <= 3 and group.themes
    (request,) = JoinRequest.objects.pending().filter(group=group)
    assert not _current_members(group).filter(person=request.person).exists()
    assert request.person.membership_status == User.Membership.PAYING


@pytest.mark.django_db
def test_groups_have_what_recognition_rests_on(demo):
    recognised = Group.objects.filter(status=Group.Status.RECOGNISED)
    for group in recognised.prefetch_related("priority_areas"):
        areas = len(group.priority_areas.all())
        assert group.themes, group
        if group.name in demo_data.NO_PRIORITY_GROUPS:
            assert areas == 0
            assert _state(group, CriterionStatus.Number.PRIORITIES).state == Group.Standing.FAILS
        else:
            assert 1 <= areas <= 3, group
    # The contact accepted the statutes, except in two groups that fail criterion 1 for it.
    without = recognised.exclude(statutes_acceptances__isnull=False)
    assert set(without.values_list("name", flat=True)) == set(demo_data.NO_STATUTES_GROUPS)
    for group in without:
        assert _state(group, CriterionStatus.Number.STATUTES).state == Group.Standing.FAILS
    for acceptance in StatutesAcceptance.objects.filter(group__in=recognised, group__registered_by=None):
        assert Office.objects.filter(
            group=acceptance.group, person=acceptance.accepted_by, kind=Office.Kind.CONTACT
        ).exists()

    named_someone_else = 0
    for group in Group.objects.filter(status=Group.Status.PENDING).select_related("registered_by"):
        assert group.registered_by and group.registered_at
        contact = Office.objects.current().get(group=group, kind=Office.Kind.CONTACT)
        named_someone_else += contact.person != group.registered_by
        assert StatutesAcceptance.objects.get(group=group).accepted_by == group.registered_by
    assert named_someone_else == 1

    for group in Group.objects.filter(status=Group.Status.CLOSED):
        assert group.closed_on and group.closing_reason
        assert not Office.objects.current().filter(group=group).exists()

    # The newest groups' welcome package and first contact are on their regional leader's list.
    new = recognised.exclude(decided_at=None)
    assert set(new.values_list("name", flat=True)) == set(demo_data.NEW_GROUPS)
    open_items = FollowUp.objects.open()
    for group in new:
        assert open_items.filter(group=group, kind=FollowUp.Kind.FIRST_CONTACT, region=group.region).exists()
    assert open_items.filter(kind=FollowUp.Kind.WELCOME_PACKAGE).exists()
    assert FollowUp.objects.filter(kind=FollowUp.Kind.WELCOME_PACKAGE, done_at__isnull=False).exists()

    # Pending join requests: one waited over 30 days, which fails criterion 5.
    today = demo_data.timezone.localdate()
    pending = JoinRequest.objects.pending().select_related("group")
    assert pending.count() >= 4
    old = [r for r in pending if (today - demo_data.timezone.localdate(r.created_at)).days > 30]
    assert len(old) == 1
    assert _state(old[0].group, CriterionStatus.Number.OPEN).state == Group.Standing.FAILS
    for request in pending:
        assert request.group.status == Group.Status.RECOGNISED and request.group.is_open
        assert not _current_members(request.group).filter(person=request.person).exists()


@pytest.mark.django_db
def test_loading_twice_adds_nothing(demo):
    def snapshot():
        return (
            demo_data.counts(),
            Group.priority_areas.through.objects.count(),
            EmailAddress.objects.count(),
            sorted(Group.objects.values_list("name", "standing")),
        )

    before = snapshot()
    again = demo_data.load()
    assert again["loaded"] is False
    assert snapshot() == before


@pytest.mark.django_db
def test_writing_the_plan_again_adds_no_report_activity_version_or_contact(demo):
    # load() stops at the marker; the writers themselves must also be idempotent (an interrupted
    # run is completed by writing the whole plan again).
    plan = demo_data._Planner(random.Random(demo_data.SEED), demo_data.timezone.localdate())
    plan.build()
    before = demo_data.counts()
    demo_data._write(plan)
    assert demo_data.counts() == before
    assert before["quarterly_reports"] and before["report_activities"] and before["contacts"]


def _last_quarters(today, count=4):
    quarters = [Quarter.of(today).previous]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous)
    return quarters


@pytest.mark.django_db
def test_a_year_of_reports_some_late_some_missing_some_with_feedback(demo):
    today = demo_data.timezone.localdate()
    quarters = _last_quarters(today)
    recognised = Group.objects.filter(status=Group.Status.RECOGNISED)
    reports = QuarterlyReport.objects.select_related("group")
    assert set(reports.values_list("year", "quarter")) == {(q.year, q.number) for q in quarters}
    assert not reports.exclude(group__in=recognised).exists()
    assert not reports.filter(status=QuarterlyReport.Status.DRAFT).exists()
    assert not reports.filter(submitted_at=None).exists()
    assert not reports.filter(submitted_at__gt=demo_data.timezone.now() + datetime.timedelta(days=1)).exists()

    # The three older quarters: every group could have reported; about one in ten did not.
    old = reports.exclude(year=quarters[0].year, quarter=quarters[0].number)
    expected = 3 * recognised.count()
    assert 0.75 * expected <= old.count() <= 0.95 * expected
    for report in reports:
        quarter = report.period
        submitted = demo_data.timezone.localdate(report.submitted_at)
        assert submitted > quarter.end
        assert report.is_late == (submitted > quarter.deadline), report
        assert report.members_count and report.members_count >= 1
    late = reports.filter(is_late=True).count()
    assert 0.07 <= late / reports.count() <= 0.25

    # Most are reviewed with feedback by the region's leader, with a matching entry in the contact log.
    reviewed = reports.filter(status=QuarterlyReport.Status.REVIEWED).select_related("reviewed_by", "contact")
    assert old.filter(status=QuarterlyReport.Status.REVIEWED).count() / old.count() >= 0.85
    leaders = dict(RegionRole.objects.filter(kind=RegionRole.Kind.LEADER).values_list("region_id", "person_id"))
    for report in reviewed:
        assert report.feedback and report.reviewed_at > report.submitted_at
        assert report.reviewed_by_id == leaders[report.group.region_id]
        contact = report.contact
        assert contact.channel == Contact.Channel.REPORT_FEEDBACK and contact.group_id == report.group_id
        assert contact.by_id == report.reviewed_by_id and contact.date == demo_data.timezone.localdate(
            report.reviewed_at
        )
    assert reviewed.filter(needs_follow_up=True).exists()
    assert not reports.filter(status=QuarterlyReport.Status.SUBMITTED).exclude(feedback="").exists()
    # The newest quarter is partly still waiting for review.
    newest = reports.for_quarter(quarters[0])
    assert newest.filter(status=QuarterlyReport.Status.SUBMITTED).exists()
    assert Contact.objects.filter(channel=Contact.Channel.REPORT_FEEDBACK).count() == reviewed.count()

    # Activities: 1–5 done in the quarter, 1–2 planned, the types and campaigns a year has.
    activities = ReportActivity.objects.select_related("report")
    for report in reports.prefetch_related("activities", "group__priority_areas"):
        done = [a for a in report.activities.all() if a.kind == ReportActivity.Kind.DONE]
        planned = [a for a in report.activities.all() if a.kind == ReportActivity.Kind.PLANNED]
        assert 1 <= len(done) <= 5 and 1 <= len(planned) <= 2, report
        areas = set(report.group.priority_areas.all())
        for activity in done:
            assert report.period.contains(activity.date)
            assert 2 <= activity.participants <= 12
            assert activity.priority_area is None or activity.priority_area in areas
            assert activity.description
        for activity in planned:
            assert activity.date is None or report.period.next.contains(activity.date)
    done = activities.filter(kind=ReportActivity.Kind.DONE)
    assert done.filter(outward=True).count() / done.count() >= 0.8
    assert done.exclude(signatures=None).exists() and done.exclude(people_reached=None).exists()
    assert len(set(done.values_list("type", flat=True))) >= 8
    write_for_rights = done.filter(campaign="Skriv for liv")
    assert write_for_rights.exists() and all(a.report.quarter == 4 for a in write_for_rights)
    assert all(a.report.quarter in (2, 3) for a in done.filter(campaign="Pride"))

    # Each submitted report has a first version with the content as submitted.
    assert ReportVersion.objects.count() == reports.count()
    version = ReportVersion.objects.select_related("report").filter(number=1).first()
    assert version.submitted_at == version.report.submitted_at
    assert version.data["members_count"] == version.report.members_count
    assert len(version.data["activities"]) == version.report.activities.count()


@pytest.mark.django_db
def test_regions_log_calls_emails_meetings_and_visits(demo):
    recognised = Group.objects.filter(status=Group.Status.RECOGNISED)
    log = Contact.objects.exclude(channel=Contact.Channel.REPORT_FEEDBACK)
    assert not log.exclude(report=None).exists()
    for region in Region.objects.all():
        channels = set(log.filter(group__region=region).values_list("channel", flat=True))
        assert len(channels) >= 2, region
    assert set(log.values_list("channel", flat=True)) == {"phone", "email", "meeting", "visit"}
    visited = set(log.filter(channel=Contact.Channel.VISIT).values_list("group_id", flat=True))
    assert 0 < len(visited) < recognised.count() / 2  # some groups were never visited
    year_ago = demo_data.timezone.localdate() - datetime.timedelta(days=366)
    assert not log.filter(date__lt=year_ago).exists()
    staff = set(RegionRole.objects.values_list("person_id", flat=True))
    assert set(log.values_list("by", flat=True)) <= staff


@pytest.mark.django_db
def test_bergen_sentrum_has_its_last_quarters_report_to_file(demo):
    today = demo_data.timezone.localdate()
    newest, *older = _last_quarters(today)
    group = Group.objects.get(name=demo_data.NAMED_GROUP)
    reports = QuarterlyReport.objects.filter(group=group)
    assert not reports.for_quarter(Quarter.of(today)).exists()  # the running quarter
    assert not reports.for_quarter(newest).exists()  # the demo contact files this one
    for quarter in older:
        report = reports.for_quarter(quarter).get()
        assert report.status == QuarterlyReport.Status.REVIEWED and report.feedback and not report.is_late
        assert report.submitted_by.email == "kontakt.bergen@example.org"
        assert report.reviewed_by.email == "region.bergen@example.org"
        assert report.contact.channel == Contact.Channel.REPORT_FEEDBACK


@pytest.mark.django_db
def test_group_pages_show_a_history_with_its_dates(demo, client):
    from amnesty_portal.models import AuditEvent
    from groups import history

    harstad = Group.objects.get(name=demo_data.LAPSED_CONTACT_GROUP)
    events = [event for event, _text in history.events_for(harstad)]
    lapse = next(
        e for e in events if e.action == "office.ended" and e.data["why"] == Office.EndReason.MEMBERSHIP_LAPSED
    )
    assert lapse.actor is None  # the register import did it, not a person
    assert lapse.at.date() == Office.objects.get(group=harstad, end_reason=Office.EndReason.MEMBERSHIP_LAPSED).ended_on
    assert {"group.approved", "office.assigned"} & {e.action for e in events}
    closed = Group.objects.filter(status=Group.Status.CLOSED)
    assert AuditEvent.objects.filter(action="group.closed").count() == closed.count()
    client.force_login(User.objects.get(email="region.tromso@example.org"))
    page = client.get(harstad.get_absolute_url()).content.decode()
    assert "medlemskapet har opphørt" in page or "membership lapsed" in page

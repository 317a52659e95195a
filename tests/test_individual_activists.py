"""Individual activists: their profile and log, the regional staff's lists (privacy: only their
region), gatherings and invitations, alumni, non-members and groups, and the dashboard figures."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from activists import individual
from activists.models import ActivistActivity, Gathering, GatheringInvitation, IndividualActivist, User
from amnesty_portal.models import AuditEvent, OutboxMessage
from dashboard import figures, summaries, todo
from dashboard.models import ActivityFigure, PeopleFigure
from groups import services as group_services
from groups.models import ActivityType, JoinRequest, Office, PriorityArea, QuarterlyReport, ReportActivity
from groups.quarters import Quarter
from tests import factories as f

pytestmark = pytest.mark.django_db

MY_PAGE = reverse("activists:my_activism")
ADD = reverse("activists:activity_add")
LIST = reverse("activists:activist_list")


def today():
    return timezone.localdate()


@pytest.fixture
def english(login):
    """Log in with English as the page language, so the tests read the source texts."""

    def _login(user):
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


def shows(response, text):
    return escape(text) in response.content.decode()


def make_activist(person=None, *, heard=None, **kwargs):
    person = person or f.PersonFactory()
    activist = IndividualActivist.objects.create(person=person, **kwargs)
    if heard is not None:
        IndividualActivist.objects.filter(pk=activist.pk).update(last_heard_on=heard)
        activist.refresh_from_db()
    return activist


def in_oslo(**kwargs):
    return f.PersonFactory(postal_code=f.PostalCode.objects.get(code="0150"), **kwargs)


def activity_data(**overrides):
    data = {
        "type": ActivityType.OTHER,
        "date": (today() - datetime.timedelta(days=3)).isoformat(),
        "participants": "8",
        "outward": "on",
        "idea": "",
        "priority_area": "",
        "campaign": "Skriv for liv",
        "description": "Skrivekafé på biblioteket",
    }
    data.update(overrides)
    return data


# --- The activist's own pages -------------------------------------------------------------------------


def test_someone_who_is_not_an_activist_is_shown_the_way_into_the_engage_flow(world, english):
    client = english(world.member)
    page = client.get(MY_PAGE)
    assert page.status_code == 200
    assert shows(page, "You are not registered as an individual activist.")
    assert "/engasjer-deg/" in page.content.decode()
    assert client.get(reverse("activists:activist_edit")).status_code == 404
    assert client.get(ADD).status_code == 404


def test_my_page_links_to_the_activist_page(world, login):
    page = login(world.member).get(reverse("home"))
    assert MY_PAGE in page.content.decode()


def test_activist_edits_profile_with_an_audit_row_and_a_sign_of_life(world, english):
    activist = make_activist(world.outsider, heard=today() - datetime.timedelta(days=300))
    area = PriorityArea.objects.filter(is_current=True).first()
    response = english(world.outsider).post(
        reverse("activists:activist_edit"),
        {
            "modes": ["alone", "online"],
            "time": "monthly",
            "themes": [area.pk],
            "family_friendly": "on",
            "availability": "Weekday evenings",
        },
    )
    assert response.status_code == 302
    activist.refresh_from_db()
    assert activist.modes == ["alone", "online"] and activist.time == "monthly" and activist.family_friendly
    assert list(activist.themes.all()) == [area] and activist.availability == "Weekday evenings"
    assert activist.last_heard_on == today()
    assert AuditEvent.objects.filter(action="activist.profile_updated", actor=world.outsider).exists()


def test_profile_refuses_a_mode_that_does_not_exist(world, english):
    make_activist(world.outsider)
    response = english(world.outsider).post(reverse("activists:activist_edit"), {"modes": ["teleport"]})
    assert response.status_code == 200
    assert response.context["form"].errors["modes"]


def test_logging_an_activity_stores_the_region_and_updates_last_heard(world, english):
    activist = make_activist(world.outsider, heard=today() - datetime.timedelta(days=100))
    response = english(world.outsider).post(ADD, activity_data())
    assert response.status_code == 302
    activity = ActivistActivity.objects.get(activist=activist)
    assert activity.region == f.region("oslo")  # from the postal code 0150, when logged
    assert activity.participants == 8 and activity.outward and activity.campaign == "Skriv for liv"
    activist.refresh_from_db()
    assert activist.last_heard_on == today()
    assert AuditEvent.objects.filter(action="activist.activity_logged", actor=world.outsider).exists()
    # Moving house later does not move the activity.
    User.objects.filter(pk=world.outsider.pk).update(postal_code="5003")
    activity.refresh_from_db()
    assert activity.region == f.region("oslo")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", lambda: today() + datetime.timedelta(days=1), "The date cannot be in the future"),
        ("date", lambda: today() - datetime.timedelta(days=400), "The date cannot be more than a year ago."),
        ("participants", lambda: 0, "Count at least one participant: you."),
        ("participants", lambda: 5000, "Count at most 1000 participants"),
        ("description", lambda: "", "This field is required."),
    ],
)
def test_log_entry_errors_are_shown_next_to_their_field(world, english, field, value, message):
    make_activist(world.outsider)
    response = english(world.outsider).post(ADD, activity_data(**{field: str(value())}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert shows(response, errors[field][0])
    assert not ActivistActivity.objects.exists()


def test_the_service_refuses_what_the_form_would(world):
    activist = make_activist(world.outsider)
    with translation.override("en"), pytest.raises(individual.ActivistError) as refused:
        individual.log_activity(
            actor=world.outsider,
            activist=activist,
            data={"type": "other", "date": today() + datetime.timedelta(days=2), "participants": 3},
        )
    assert refused.value.field == "date"


def test_activist_edits_and_deletes_own_entries_but_not_others(world, english):
    activist = make_activist(world.outsider)
    other = make_activist(world.member)
    mine = individual.log_activity(
        actor=world.outsider,
        activist=activist,
        data={"type": "stand", "date": today(), "participants": 2, "description": "Stand"},
    )
    theirs = individual.log_activity(
        actor=world.member,
        activist=other,
        data={"type": "stand", "date": today(), "participants": 2, "description": "X"},
    )
    client = english(world.outsider)
    assert client.get(reverse("activists:activity_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("activists:activity_delete", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("activists:activity_edit", args=[mine.pk]), activity_data(description="Stand på torget")
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.description == "Stand på torget"
    assert client.post(reverse("activists:activity_delete", args=[mine.pk])).status_code == 302
    assert not ActivistActivity.objects.filter(pk=mine.pk).exists()
    assert ActivistActivity.objects.filter(pk=theirs.pk).exists()
    actions = set(AuditEvent.objects.filter(actor=world.outsider).values_list("action", flat=True))
    assert {"activist.activity_changed", "activist.activity_deleted"} <= actions


def test_stopping_removes_the_activist_from_the_lists_and_keeps_the_log(world, english):
    activist = make_activist(world.member)
    individual.log_activity(
        actor=world.member, activist=activist, data={"type": "stand", "date": today(), "participants": 2}
    )
    client = english(world.member)
    refused = client.post(reverse("activists:activist_stop"), {})
    assert refused.status_code == 200 and refused.context["form"].errors["confirm"]
    assert client.post(reverse("activists:activist_stop"), {"confirm": "on"}).status_code == 302
    activist.refresh_from_db()
    assert activist.stopped_at is not None
    assert not individual.active_activists().filter(pk=activist.pk).exists()
    assert ActivistActivity.objects.filter(activist=activist).count() == 1
    assert activist not in english(world.leader).get(LIST).context["page"].object_list


# --- The regional staff's list and detail ---------------------------------------------------------------


def test_leader_sees_only_the_activists_of_their_region(world, english):
    bergen = make_activist(f.PersonFactory(first_name="Berit"))
    oslo = make_activist(in_oslo(first_name="Ola"))
    stopped = make_activist(f.PersonFactory(), stopped_at=timezone.now())
    listed = list(english(world.leader).get(LIST).context["page"].object_list)
    assert listed == [bergen]
    assert list(english(world.other_leader).get(LIST).context["page"].object_list) == [oslo]
    assert set(english(world.admin).get(LIST).context["page"].object_list) == {bergen, oslo}
    assert stopped not in listed


@pytest.mark.parametrize("role", ["other_leader", "member", "contact", "outsider"])
def test_activist_detail_is_404_outside_the_region(world, login, role):
    activist = make_activist(f.PersonFactory())
    url = reverse("activists:activist_detail", args=[activist.pk])
    assert login(world.user(role)).get(url).status_code == 404
    assert login(world.leader).get(url).status_code == 200
    assert login(world.admin).get(url).status_code == 200


def test_the_list_shows_themes_modes_and_last_heard(world, english):
    area = PriorityArea.objects.filter(is_current=True).first()
    activist = make_activist(f.PersonFactory(), modes=["online"], heard=datetime.date(2026, 1, 5))
    activist.themes.add(area)
    page = english(world.leader).get(LIST)
    with translation.override("en"):
        heard = date_format(datetime.date(2026, 1, 5), "SHORT_DATE_FORMAT")
    assert shows(page, area.name) and shows(page, "online") and shows(page, heard)


def test_six_months_filter_lists_only_those_not_heard_from(world, english):
    day = today()
    silent = make_activist(f.PersonFactory(), heard=day - relativedelta(months=6) - datetime.timedelta(days=1))
    exactly = make_activist(f.PersonFactory(), heard=day - relativedelta(months=6))
    recent = make_activist(f.PersonFactory(), heard=day - datetime.timedelta(days=30))
    client = english(world.leader)
    assert list(client.get(LIST, {"stille": "1"}).context["page"].object_list) == [silent]
    assert set(client.get(LIST).context["page"].object_list) == {silent, exactly, recent}


def test_the_dashboard_to_do_list_names_the_silent_activists_with_a_link(world):
    silent = make_activist(f.PersonFactory(), heard=today() - datetime.timedelta(days=200))
    make_activist(f.PersonFactory(), heard=today())
    make_activist(in_oslo(), heard=today() - datetime.timedelta(days=200))
    task = next(t for t in todo.for_region(world.region) if t.key == "silent_activists")
    assert task.count == 1
    assert task.items[0].url == reverse("activists:activist_detail", args=[silent.pk])
    assert task.more_url == LIST + "?region=bergen&stille=1"
    counts = todo.counts_by_region()["silent_activists"]
    assert counts == {world.region.pk: 1, world.other_region.pk: 1}


# --- Gatherings and invitations ---------------------------------------------------------------------


def _meeting(world, **kwargs):
    defaults = {
        "kind": Gathering.Kind.REGIONAL_MEETING,
        "title": "Regionmøte",
        "region": world.region,
        "starts_at": timezone.now() + datetime.timedelta(days=10),
        "place": "Bergen",
        "created_by": world.leader,
    }
    return Gathering.objects.create(**{**defaults, **kwargs})


def test_leader_creates_a_regional_meeting_in_their_region_only(world, english):
    client = english(world.leader)
    starts = (timezone.localtime() + datetime.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "regional_meeting", "title": "Regionmøte", "starts_at": starts, "place": "Bergen"}
    refused = client.post(reverse("activists:gathering_new"), {**data, "region": world.other_region.pk})
    assert refused.status_code == 200 and "region" in refused.context["form"].errors
    national = client.post(reverse("activists:gathering_new"), {**data, "kind": "national_assembly"})
    assert national.status_code == 200 and "kind" in national.context["form"].errors
    past = client.post(
        reverse("activists:gathering_new"), {**data, "region": world.region.pk, "starts_at": "2020-01-01T18:00"}
    )
    assert "starts_at" in past.context["form"].errors
    response = client.post(reverse("activists:gathering_new"), {**data, "region": world.region.pk})
    gathering = Gathering.objects.get()
    assert response.status_code == 302 and response.url == reverse("activists:gathering_invite", args=[gathering.pk])
    assert gathering.region == world.region and gathering.created_by == world.leader
    assert AuditEvent.objects.filter(action="gathering.created").exists()


def test_admin_creates_the_national_assembly(world, english):
    starts = (timezone.localtime() + datetime.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    response = english(world.admin).post(
        reverse("activists:gathering_new"),
        {"kind": "national_assembly", "title": "Landsmøtet", "starts_at": starts, "place": "Oslo"},
    )
    assert response.status_code == 302
    assert Gathering.objects.get().region is None


def test_invitations_are_previewed_then_sent_once(world, english, django_capture_on_commit_callbacks):
    gathering = _meeting(world)
    first, second = make_activist(f.PersonFactory()), make_activist(f.PersonFactory(email_consent=False))
    make_activist(in_oslo())  # another region: not a candidate
    url = reverse("activists:gathering_invite", args=[gathering.pk])
    client = english(world.leader)
    preview = client.post(url, {"who": "all"})
    assert preview.status_code == 200
    assert (preview.context["preview"].new, preview.context["preview"].by_email) == (2, 1)
    assert not GatheringInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"who": "all", "confirm": "True"})
    assert sent.status_code == 302
    assert set(GatheringInvitation.objects.values_list("person_id", flat=True)) == {first.person_id, second.person_id}
    emails = OutboxMessage.objects.filter(kind="gathering_invitation")
    assert list(emails.values_list("to", flat=True)) == [first.person.email]  # the other does not want email
    assert emails.get().key == f"gathering:{gathering.pk}:{first.person_id}"
    assert [m.to for m in mail.outbox if "Regionmøte" in m.subject] == [[first.person.email]]
    # Inviting again invites nobody and emails nobody.
    third = make_activist(f.PersonFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"who": "all", "confirm": "True"})
    assert GatheringInvitation.objects.count() == 3
    assert emails.count() == 2 and emails.filter(to=third.person.email).exists()
    individual.invite_to_gathering(
        actor=world.leader, gathering=gathering, activists=individual.invitation_candidates(gathering)
    )
    assert GatheringInvitation.objects.count() == 3 and emails.count() == 2


def test_leader_invites_chosen_activists(world, english):
    gathering = _meeting(world)
    chosen, other = make_activist(f.PersonFactory()), make_activist(f.PersonFactory())
    url = reverse("activists:gathering_invite", args=[gathering.pk])
    client = english(world.leader)
    none_ticked = client.post(url, {"who": "chosen"})
    assert "activists" in none_ticked.context["form"].errors
    client.post(url, {"who": "chosen", "activists": [chosen.pk], "confirm": "True"})
    assert list(GatheringInvitation.objects.values_list("person_id", flat=True)) == [chosen.person_id]
    assert other.person_id not in GatheringInvitation.objects.values_list("person_id", flat=True)


def test_other_regions_leader_cannot_see_or_invite_to_the_meeting(world, login):
    gathering = _meeting(world)
    for name in ("activists:gathering_detail", "activists:gathering_invite"):
        assert login(world.other_leader).get(reverse(name, args=[gathering.pk])).status_code == 404
        assert login(world.member).get(reverse(name, args=[gathering.pk])).status_code == 404


def test_leader_invites_own_region_to_the_national_assembly_and_sees_only_them(world, english):
    assembly = _meeting(world, kind=Gathering.Kind.NATIONAL_ASSEMBLY, region=None, created_by=world.admin)
    bergen, oslo = make_activist(f.PersonFactory()), make_activist(in_oslo())
    english(world.leader).post(
        reverse("activists:gathering_invite", args=[assembly.pk]), {"who": "all", "confirm": "True"}
    )
    assert list(GatheringInvitation.objects.values_list("person_id", flat=True)) == [bergen.person_id]
    individual.invite_to_gathering(actor=world.admin, gathering=assembly, activists=IndividualActivist.objects.all())
    seen = english(world.leader).get(reverse("activists:gathering_detail", args=[assembly.pk])).context["page"]
    assert [invitation.person_id for invitation in seen] == [bergen.person_id]
    assert oslo.person_id in GatheringInvitation.objects.values_list("person_id", flat=True)


# --- Alumni --------------------------------------------------------------------------------------------


def test_alumni_are_former_officers_of_the_region_holding_no_office_now(world, english):
    former = f.PersonFactory(first_name="Frida")
    f.OfficeFactory(
        group=world.group,
        person=former,
        kind=Office.Kind.LEADER,
        started_on=datetime.date(2023, 1, 1),
        ended_on=datetime.date(2025, 1, 1),
    )
    still = f.PersonFactory()
    f.OfficeFactory(
        group=world.group,
        person=still,
        kind=Office.Kind.TREASURER,
        started_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2023, 1, 1),
    )
    f.OfficeFactory(group=world.group, person=still, kind=Office.Kind.DEPUTY)  # holds one now
    oslo_former = f.PersonFactory()
    f.OfficeFactory(
        group=world.other_group,
        person=oslo_former,
        kind=Office.Kind.LEADER,
        started_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2023, 1, 1),
    )
    page = english(world.leader).get(reverse("activists:alumni"))
    assert list(page.context["page"].object_list) == [former]
    assert shows(page, "leader in Amnesty Bergen sentrum")
    assert list(english(world.other_leader).get(reverse("activists:alumni")).context["page"].object_list) == [
        oslo_former
    ]
    assert set(english(world.admin).get(reverse("activists:alumni")).context["page"].object_list) == {
        former,
        oslo_former,
    }


def test_alumni_list_is_404_for_members(world, login):
    assert login(world.member).get(reverse("activists:alumni")).status_code == 404
    assert login(world.contact).get(reverse("activists:alumni")).status_code == 404


# --- Non-members: activists, but not in groups -------------------------------------------------------


def test_a_non_member_is_told_why_they_cannot_join_and_how_to_become_a_member(world, english):
    non_member = f.PersonFactory(membership_status=User.Membership.NON_MEMBER)
    client = english(non_member)
    page = client.get(reverse("groups:join", args=[world.group.pk]))
    assert shows(page, "Only paying members of Amnesty International Norway can join a group")
    assert "https://amnesty.no/bli-medlem" in page.content.decode()
    assert not shows(page, "Ask to join")
    response = client.post(reverse("groups:join", args=[world.group.pk]), {"message": "Hei"})
    assert response.status_code == 200
    assert not JoinRequest.objects.filter(person=non_member).exists()


def test_services_refuse_non_members_in_groups(world):
    lapsed = f.PersonFactory(membership_status=User.Membership.LAPSED)
    with translation.override("en"):
        with pytest.raises(group_services.GroupError, match="Only paying members"):
            group_services.request_to_join(actor=lapsed, group=world.group)
        join_request = JoinRequest.objects.create(group=world.group, person=lapsed)
        with pytest.raises(group_services.GroupError, match="not a paying member"):
            group_services.answer_join_request(actor=world.contact, join_request=join_request, accept=True)
        join_request.refresh_from_db()
        assert join_request.status == JoinRequest.Status.PENDING
        group_services.answer_join_request(actor=world.contact, join_request=join_request, accept=False)
        f.MembershipFactory(group=world.group, person=lapsed)
        with pytest.raises(group_services.GroupError, match="cannot hold an office"):
            group_services.assign_office(actor=world.contact, group=world.group, person=lapsed, kind="treasurer")


def test_a_non_member_may_be_an_individual_activist(world, english):
    non_member = f.PersonFactory(membership_status=User.Membership.NON_MEMBER)
    make_activist(non_member)
    assert english(non_member).post(ADD, activity_data()).status_code == 302


# --- The dashboard -------------------------------------------------------------------------------------


def test_logged_activities_count_in_the_regions_activity_figures(world):
    last = Quarter.current().previous
    report = QuarterlyReport.objects.create(
        group=world.group, year=last.year, quarter=last.number, status=QuarterlyReport.Status.SUBMITTED
    )
    for _n in range(5):
        report.activities.create(
            kind=ReportActivity.Kind.DONE, type=ActivityType.STAND, date=last.start, participants=4
        )
    activists = [make_activist(f.PersonFactory()) for _n in range(3)]
    logged = []
    for n in range(7):
        activity = ActivistActivity.objects.create(
            activist=activists[n % 3],
            date=last.start + datetime.timedelta(days=n),
            type=ActivityType.STAND if n < 2 else ActivityType.OTHER,
            description="x",
            participants=n + 1,
            outward=n % 2 == 0,
            region=world.region,
        )
        logged.append(activity)
    # Logged in Oslo, or in another quarter: not counted in Bergen's last quarter.
    ActivistActivity.objects.create(
        activist=activists[0], date=last.start, type="stand", description="x", region=world.other_region
    )
    ActivistActivity.objects.create(
        activist=activists[0],
        date=today(),  # the running quarter: not among the completed quarters the figures show
        type="stand",
        description="x",
        region=world.region,
    )
    summaries.refresh()

    def figure(dimension, value):
        row = ActivityFigure.objects.filter(
            region=world.region, year=last.year, quarter=last.number, dimension=dimension, value=value
        )
        return row.values_list("activities", "participants").first()

    stands = [a for a in logged if a.type == ActivityType.STAND]
    others = [a for a in logged if a.type == ActivityType.OTHER]
    assert figure("type", "stand") == (5 + len(stands), 5 * 4 + sum(a.participants for a in stands))
    assert figure("type", "other") == (len(others), sum(a.participants for a in others))
    outward = 5 + sum(1 for a in logged if a.outward)
    assert figure("outward", "yes")[0] == outward
    table = figures.regional(world.region).tables["activities_by_type"]
    column = table.columns.index(figures.quarter_label(last))
    row = table.rows.index(ActivityType.STAND.label)
    assert table.cells[row][column].value == 5 + len(stands)


def test_individual_activists_count_among_active_people_and_active_members(world):
    def active(scope):
        quarter = Quarter.current()
        row = PeopleFigure.objects.filter(
            region=world.region, year=quarter.year, quarter=quarter.number, scope=scope, dimension="total", value="all"
        ).first()
        return row.count if row else 0

    summaries.refresh()
    before = {scope: active(scope) for scope in (PeopleFigure.Scope.ACTIVE, PeopleFigure.Scope.ACTIVE_MEMBER)}
    make_activist(f.PersonFactory())  # a member on their own: active, active member
    make_activist(f.PersonFactory(membership_status=User.Membership.NON_MEMBER))  # active, not a member
    make_activist(world.member)  # in a group already: counted once
    make_activist(f.PersonFactory(), stopped_at=timezone.now() - datetime.timedelta(days=1))  # stopped
    later = make_activist(f.PersonFactory())
    IndividualActivist.objects.filter(pk=later.pk).update(signed_up_at=timezone.now() + datetime.timedelta(days=2))
    summaries.refresh()
    assert active(PeopleFigure.Scope.ACTIVE) == before[PeopleFigure.Scope.ACTIVE] + 2
    assert active(PeopleFigure.Scope.ACTIVE_MEMBER) == before[PeopleFigure.Scope.ACTIVE_MEMBER] + 1


# --- Demo data ----------------------------------------------------------------------------------------


def test_the_demo_bergen_leader_sees_activists_a_silent_one_and_an_upcoming_meeting(settings, english):
    from activists import demo_data

    settings.DEBUG = True
    demo_data.load()
    leader = User.objects.get(email="region.bergen@example.org")
    client = english(leader)
    listed = list(client.get(LIST).context["page"].object_list)
    assert len(listed) >= 5
    assert {a.person.region.slug for a in listed} == {"bergen"}
    assert any(a.person.postal_code.municipality_id != "4601" for a in listed)  # outside the city
    assert client.get(LIST, {"stille": "1"}).context["page"].paginator.count >= 1
    assert ActivistActivity.objects.filter(region__slug="bergen").exists()
    regions = set(
        IndividualActivist.objects.values_list("person__postal_code__municipality__county__region__slug", flat=True)
    )
    assert len(regions) == 5
    meeting = Gathering.objects.get(region__slug="bergen")
    assert meeting.starts_at > timezone.now()
    assert meeting in client.get(reverse("activists:gathering_list")).context["page"].object_list
    assert not IndividualActivist.objects.filter(person__email="ny@example.org").exists()

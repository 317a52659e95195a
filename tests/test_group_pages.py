"""The group pages as a person uses them: what each page shows to whom, the messages after each
action and the errors next to the fields, in Norwegian (the UI's default language).

Status codes per role are in test_permissions.py; the services' own rules in test_group_services.py.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.messages import get_messages
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from activists.models import User
from amnesty_portal.models import AuditEvent
from groups import services
from groups.criteria import refresh_standings
from groups.models import (
    CriterionStatus,
    FollowUp,
    Group,
    GroupMembership,
    Invitation,
    JoinRequest,
    Office,
    PriorityArea,
    StatutesVersion,
)
from regions.models import Municipality
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    PersonFactory,
    accept_current_statutes,
    make_group_meeting_criteria,
)

pytestmark = pytest.mark.django_db

CHANGED = (
    "Noen andre endret denne gruppa mens du jobbet med den. Ingenting ble lagret: "
    "sjekk siden slik den er nå, og prøv igjen."
)
REQUIRED = "Feltet er påkrevet."


def today():
    return timezone.localdate()


def short_date(day):
    return day.strftime("%d.%m.%Y")  # SHORT_DATE_FORMAT in bokmål


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def shows(response, text):
    """Whether the page shows the text as the person reads it (the HTML escapes quotes)."""
    return escape(text) in response.content.decode()


def stale(group):
    """Someone else changes the group after the page was loaded; returns the revision the page had."""
    revision = group.revision
    Group.objects.filter(pk=group.pk).update(revision=F("revision") + 1)
    return revision


def current_area():
    return PriorityArea.objects.filter(is_current=True).order_by("order", "pk").first()


def bergen():
    return Municipality.objects.get(number="4601")


def oslo():
    return Municipality.objects.get(number="0301")


# --- Registering a group -----------------------------------------------------------------------------

REGISTER = reverse("groups:register")


def registration(**changes):
    data = {
        "name": "Amnesty Fana",
        "category": Group.Category.LOCAL,
        "municipality": bergen().pk,
        "priority_areas": [current_area().pk],
        "is_open": "on",
        "accept_statutes": "on",
        "invitations": "",
    }
    return {**data, **changes}


def test_registering_a_local_group_creates_it_pending_with_the_registrant_as_contact(
    world, login, django_capture_on_commit_callbacks, mailoutbox
):
    client = login(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            REGISTER, registration(invitations=f"ny.person@example.org\n{world.outsider.email}"), follow=True
        )

    group = Group.objects.get(name="Amnesty Fana")
    assert response.redirect_chain == [(group.get_absolute_url(), 302)]
    assert group.status == Group.Status.PENDING
    assert (group.region, group.registered_by) == (world.region, world.member)
    assert [o.person for o in Office.objects.current().filter(group=group, kind=Office.Kind.CONTACT)] == [world.member]
    assert sorted(Invitation.objects.filter(group=group).values_list("email", flat=True)) == [
        "ny.person@example.org",
        "outsider@example.org",
    ]
    assert shows(
        response,
        "Amnesty Fana er registrert. Regionlederen ser snart på registreringen; "
        "du får en e-post når gruppa er godkjent.",
    )
    assert shows(response, "Denne registreringen venter på godkjenning fra regionlederen eller sekretariatet.")
    assert sorted(message.to[0] for message in mailoutbox) == [
        "leader@example.org",
        "ny.person@example.org",
        "outsider@example.org",
    ]


@pytest.mark.parametrize(
    "changes, field, error",
    [
        ({"municipality": ""}, "municipality", "Velg kommunen der gruppa møtes."),
        (
            {"category": Group.Category.STUDENT},
            "institution",
            "En studentgruppe må oppgi universitetet eller høyskolen sin.",
        ),
        ({"national": "on"}, "national", "Bare temagrupper kan være nasjonale og digitale."),
        (
            {"category": Group.Category.THEMATIC, "national": "on", "municipality": ""},
            "region",
            "Velg regionen som skal følge opp den nasjonale gruppa.",
        ),
        (
            {"contact_email": "nobody@example.org"},
            "contact_email",
            "Ingen i registeret har adressen nobody@example.org. "
            "Inviter personen som medlem først, eller la feltet stå tomt.",
        ),
        (
            {"contact_email": "lapsed@example.org"},
            "contact_email",
            "Liv Lund betaler ikke medlemskapet sitt og kan ikke være gruppekontakt.",
        ),
        (
            {"invitations": "ok@example.org\nikke-en-adresse"},
            "invitations",
            "Dette er ikke en e-postadresse: ikke-en-adresse.",
        ),
        (
            {"name": "amnesty  bergen   sentrum"},
            "name",
            "Det finnes allerede en gruppe som heter «amnesty bergen sentrum».",
        ),
    ],
    ids=[
        "no-municipality",
        "student-without-institution",
        "national-not-thematic",
        "national-without-region",
        "unknown-contact",
        "lapsed-contact",
        "bad-invitation",
        "duplicate-name",
    ],
)
def test_a_registration_error_is_shown_next_to_its_field_and_nothing_is_saved(world, login, changes, field, error):
    PersonFactory(
        email="lapsed@example.org", first_name="Liv", last_name="Lund", membership_status=User.Membership.LAPSED
    )
    groups_before = Group.objects.count()

    response = login(world.member).post(REGISTER, registration(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert shows(response, error)
    assert Group.objects.count() == groups_before
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="ok@example.org").exists()


def test_a_youth_group_whose_registrant_is_30_needs_an_age_exception(world, login):
    registrant = PersonFactory(first_name="Ola", last_name="Nordmann", birth_year=today().year - 30)
    client = login(registrant)
    data = registration(name="Amnesty Ungdom Fana", category=Group.Category.YOUTH)

    response = client.post(REGISTER, data)

    assert response.status_code == 200
    assert response.context["form"].errors["age_exception"] == [
        "Medlemmene i en ungdomsgruppe er 13–19 år. Utenfor denne alderen i år: Ola Nordmann (30). "
        "Forklar hvorfor de hører til gruppa, eller ta dem ut."
    ]
    assert not Group.objects.filter(name="Amnesty Ungdom Fana").exists()

    response = client.post(REGISTER, {**data, "age_exception": "Ola er voksenkontakt for gruppa."})

    group = Group.objects.get(name="Amnesty Ungdom Fana")
    assert response.url == group.get_absolute_url()
    assert group.age_exception == "Ola er voksenkontakt for gruppa."


def test_a_lapsed_registrant_is_told_only_paying_members_register_and_cannot_register(login):
    lapsed = PersonFactory(membership_status=User.Membership.LAPSED)
    client = login(lapsed)
    notice = (
        "Bare betalende medlemmer av Amnesty International Norge kan registrere en gruppe. "
        "Kom tilbake hit når medlemskapet ditt er registrert."
    )

    page = client.get(REGISTER)
    response = client.post(REGISTER, registration())

    assert shows(page, notice) and not shows(page, "Registrer gruppa")
    assert response.status_code == 200 and shows(response, notice)
    assert not Group.objects.filter(name="Amnesty Fana").exists()


# --- The registrations queue -------------------------------------------------------------------------


@pytest.fixture
def registrant():
    return PersonFactory(first_name="Randi", last_name="Rask", email="randi@example.org")


@pytest.fixture
def pending(world, registrant):
    data = {
        "name": "Amnesty Åsane",
        "category": Group.Category.LOCAL,
        "municipality": bergen(),
        "priority_areas": [current_area()],
    }
    return services.register_group(actor=registrant, data=data, contact=None, invite_emails=[])


def test_the_registrations_queue_shows_only_the_leaders_own_region(world, login, pending):
    GroupFactory(name="Amnesty Frogner", municipality=oslo(), status=Group.Status.PENDING, registered_at=timezone.now())

    response = login(world.leader).get(reverse("groups:registrations"))

    assert list(response.context["pending"]) == [pending]
    assert shows(response, "Amnesty Åsane") and not shows(response, "Amnesty Frogner")


def test_approving_recognises_the_group_and_says_so(world, login, pending):
    response = login(world.leader).post(reverse("groups:approve", args=[pending.pk]), {"revision": pending.revision})

    assert response.url == reverse("groups:registrations")
    assert messages_of(response) == ["Amnesty Åsane er godkjent og anerkjent. Gruppekontakten får en velkomst-e-post."]
    pending.refresh_from_db()
    assert pending.status == Group.Status.RECOGNISED


def test_approving_a_registration_someone_else_changed_says_so_and_approves_nothing(world, login, pending):
    revision = stale(pending)

    response = login(world.leader).post(reverse("groups:approve", args=[pending.pk]), {"revision": revision})

    assert response.url == reverse("groups:registrations")
    assert messages_of(response) == [CHANGED]
    pending.refresh_from_db()
    assert pending.status == Group.Status.PENDING


def test_rejecting_without_a_reason_shows_the_form_again_with_an_error(world, login, pending):
    response = login(world.leader).post(
        reverse("groups:reject", args=[pending.pk]), {"revision": pending.revision, "reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [REQUIRED]
    pending.refresh_from_db()
    assert pending.status == Group.Status.PENDING


def test_the_registrant_sees_the_rejection_reason_on_the_group_page_and_on_my_page(
    world, login, pending, registrant, django_capture_on_commit_callbacks, mailoutbox
):
    reason = "Det finnes allerede en gruppe i Åsane. Bli gjerne med i den!"
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.leader).post(
            reverse("groups:reject", args=[pending.pk]), {"revision": pending.revision, "reason": reason}
        )
    assert response.url == reverse("groups:registrations")
    assert messages_of(response) == ["Registreringen av Amnesty Åsane er avvist."]
    # (The outbox also delivers what the registration wrote earlier: the regional leader's notice.)
    rejected = [message for message in mailoutbox if message.to == [registrant.email]]
    assert len(rejected) == 1 and reason in rejected[0].body

    client = login(registrant)
    group_page = client.get(pending.get_absolute_url())
    my_page = client.get(reverse("home"))

    assert shows(group_page, "Registreringen ble avvist.")
    assert shows(group_page, f"Begrunnelse: {reason}")
    assert shows(my_page, "Grupper du har registrert")
    assert shows(my_page, f"registrering avvist – {reason}")


# --- A group's page ------------------------------------------------------------------------------------


def detail(group):
    return reverse("groups:detail", args=[group.pk])


@pytest.mark.parametrize("role, sees", [("contact", True), ("leader", True), ("admin", True), ("member", False)])
def test_members_and_join_requests_show_only_to_those_who_may_change_the_group(world, login, role, sees):
    MembershipFactory(group=world.group, person=PersonFactory(first_name="Kari", last_name="Medlem"))
    asker = PersonFactory(first_name="Amina", last_name="Ali")
    JoinRequest.objects.create(group=world.group, person=asker, message="Jeg har nettopp flyttet til Bergen.")

    response = login(world.user(role)).get(detail(world.group))

    assert ('id="members"' in response.content.decode()) is sees
    assert ('id="join-requests"' in response.content.decode()) is sees
    assert shows(response, "Kari Medlem") is sees
    assert shows(response, "Godta Amina Ali") is sees
    assert shows(response, "Jeg har nettopp flyttet til Bergen.") is sees


def test_criteria_evidence_names_people_only_to_those_who_may_see_the_members(world, login):
    lapsed = PersonFactory(first_name="Lars", last_name="Lapsus", membership_status=User.Membership.LAPSED)
    MembershipFactory(group=world.group, person=lapsed)
    refresh_standings([world.group.pk])

    officer_view = login(world.contact).get(detail(world.group))
    member_view = login(world.member).get(detail(world.group))

    assert shows(officer_view, "1 medlem betaler ikke medlemskapet sitt: Lars Lapsus.")
    assert shows(officer_view, f"Gruppekontakten, {world.contact}, har ikke bekreftet e-postadressen sin.")
    assert shows(member_view, "1 medlem betaler ikke medlemskapet sitt.")
    assert shows(member_view, "Gruppekontakten har ikke bekreftet e-postadressen sin.")
    assert not shows(member_view, "Lars Lapsus")


def test_officers_are_asked_to_accept_the_current_statutes_and_can_accept_them(world, login):
    version = StatutesVersion.objects.current().version
    banner = f"Gruppa har ikke godtatt versjon {version} av vedtektene, visjonen og retningslinjene."

    member_view = login(world.member).get(detail(world.group))
    client = login(world.contact)
    officer_view = client.get(detail(world.group))
    response = client.post(reverse("groups:accept_statutes", args=[world.group.pk]))
    after = client.get(detail(world.group))

    assert not shows(member_view, banner) and not shows(member_view, "Gruppa godtar dem")
    assert shows(officer_view, banner) and shows(officer_view, "Gruppa godtar dem")
    assert response.url == detail(world.group)
    assert messages_of(response) == [f"Gruppa har godtatt versjon {version}."]
    assert world.group.statutes_acceptances.get().accepted_by == world.contact
    assert not shows(after, banner)


def test_a_recognised_group_without_a_contact_person_says_so(world, login):
    alert = "Gruppa har ingen gruppekontakt."
    assert not shows(login(world.member).get(detail(world.group)), alert)

    Office.objects.filter(group=world.group, person=world.contact).update(ended_on=today())
    member_view = login(world.member).get(detail(world.group))
    leader_view = login(world.leader).get(detail(world.group))

    assert shows(member_view, alert) and not shows(member_view, "Velg en ny gruppekontakt.")
    assert shows(leader_view, alert) and shows(leader_view, "Velg en ny gruppekontakt.")


@pytest.mark.parametrize("role, sees", [("leader", True), ("admin", True), ("contact", False), ("member", False)])
def test_the_history_shows_only_to_the_regional_leader_and_the_secretariat(world, login, role, sees):
    services.accept_statutes(actor=world.contact, group=world.group)
    version = StatutesVersion.objects.current().version

    response = login(world.user(role)).get(detail(world.group))

    assert ("history" in response.context) is sees
    assert shows(response, f"godtok vedtektene (versjon {version})") is sees


def test_a_closed_group_shows_its_members_that_it_is_closed(world, login):
    services.close_group(actor=world.admin, group=world.group, reason="Ingen aktivitet på et år.", effective_on=today())

    response = login(world.member).get(detail(world.group))

    assert response.status_code == 200
    assert shows(response, f"Denne gruppa ble lagt ned {short_date(today())}.")
    assert shows(response, "Begrunnelse: Ingen aktivitet på et år.")


# --- Editing a group --------------------------------------------------------------------------------


def test_saving_the_details_records_an_audit_event_and_re_checks_the_standing(world, login):
    group = world.group
    area = current_area()

    response = login(world.contact).post(
        reverse("groups:edit", args=[group.pk]),
        {"revision": group.revision, "themes": "Flyktninger og asyl", "priority_areas": [area.pk]},
    )

    assert response.url == detail(group)
    assert messages_of(response) == ["Opplysningene om gruppa er lagret."]
    group.refresh_from_db()
    assert (group.themes, list(group.priority_areas.all()), group.is_open) == ("Flyktninger og asyl", [area], False)
    event = AuditEvent.objects.get(action="group.updated")
    assert event.actor == world.contact
    assert sorted(event.data["fields"]) == ["is_open", "priority_areas", "themes"]
    states = dict(CriterionStatus.objects.filter(group=group).values_list("number", "state"))
    assert (states[3], states[5]) == (Group.Standing.MEETS, Group.Standing.FAILS)
    assert group.standing == Group.Standing.FAILS


def test_editing_a_group_someone_else_changed_says_so_and_saves_nothing(world, login):
    group = world.group
    revision = stale(group)

    response = login(world.contact).post(
        reverse("groups:edit", args=[group.pk]),
        {"revision": revision, "themes": "Flyktninger og asyl", "priority_areas": [current_area().pk], "is_open": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [CHANGED]
    assert shows(response, CHANGED)
    group.refresh_from_db()
    assert group.themes == ""
    assert not AuditEvent.objects.filter(action="group.updated").exists()


# --- Offices ---------------------------------------------------------------------------------------


def offices(group):
    return reverse("groups:offices", args=[group.pk])


def office_data(group, person, kind=Office.Kind.CONTACT, title=""):
    return {"revision": group.revision, "person": person.pk, "kind": kind, "title": title, "started_on": today()}


def test_assigning_a_new_contact_ends_the_previous_ones_office(
    world, login, django_capture_on_commit_callbacks, mailoutbox
):
    previous = Office.objects.get(group=world.group, person=world.contact)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.contact).post(offices(world.group), office_data(world.group, world.member))

    assert response.url == offices(world.group)
    assert messages_of(response) == [f"{world.member} er nå gruppekontakt. Regionlederen har fått beskjed."]
    previous.refresh_from_db()
    assert (previous.ended_on, previous.end_reason) == (today(), Office.EndReason.REPLACED)
    assert [o.person for o in Office.objects.current().filter(group=world.group, kind=Office.Kind.CONTACT)] == [
        world.member
    ]
    assert [message.to for message in mailoutbox] == [["leader@example.org"]]


@pytest.mark.parametrize(
    "who, kind, field, error",
    [
        ("outsider", Office.Kind.CONTACT, "person", "Velg et gyldig valg. Valget er ikke av de tilgjengelige valgene."),
        (
            "lapsed",
            Office.Kind.TREASURER,
            "person",
            "Lise Lapset betaler ikke medlemskapet sitt og kan derfor ikke ha et verv.",
        ),
        ("member", Office.Kind.OTHER, "title", "Gi vervet et navn."),
    ],
    ids=["not-a-member", "lapsed", "other-without-title"],
)
def test_an_office_that_cannot_be_given_shows_why_next_to_the_field(world, login, who, kind, field, error):
    lapsed = PersonFactory(first_name="Lise", last_name="Lapset", membership_status=User.Membership.LAPSED)
    MembershipFactory(group=world.group, person=lapsed)
    person = lapsed if who == "lapsed" else world.user(who)
    offices_before = Office.objects.count()

    response = login(world.contact).post(offices(world.group), office_data(world.group, person, kind))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert shows(response, error)
    assert Office.objects.count() == offices_before


def test_ending_an_office(world, login):
    office = Office.objects.get(group=world.group, person=world.contact)

    response = login(world.contact).post(reverse("groups:end_office", args=[office.pk]))

    assert response.url == offices(world.group)
    assert messages_of(response) == [f"{world.contact} har ikke lenger vervet."]
    office.refresh_from_db()
    assert (office.ended_on, office.end_reason) == (today(), Office.EndReason.STEPPED_DOWN)
    assert FollowUp.objects.open().filter(group=world.group, kind=FollowUp.Kind.NEW_CONTACT).exists()


# --- Finding a group and asking to join -------------------------------------------------------------

DIRECTORY = reverse("groups:directory")


@pytest.fixture
def directory_groups(world):
    return {
        "thematic": GroupFactory(name="Amnesty Tema Oslo", category=Group.Category.THEMATIC, municipality=oslo()),
        "not_open": GroupFactory(name="Amnesty Lukket", is_open=False),
        "pending": GroupFactory(name="Amnesty Venter", status=Group.Status.PENDING),
        "closed": GroupFactory(name="Amnesty Nedlagt", status=Group.Status.CLOSED),
    }


def listed(response):
    return {group.name for group in response.context["page"]}


def test_the_directory_lists_only_recognised_groups_open_to_new_members(world, login, directory_groups):
    response = login(world.outsider).get(DIRECTORY)

    assert listed(response) == {"Amnesty Bergen sentrum", "Amnesty Grünerløkka", "Amnesty Tema Oslo"}
    for name in ("Amnesty Lukket", "Amnesty Venter", "Amnesty Nedlagt"):
        assert not shows(response, name)


@pytest.mark.parametrize(
    "query, names",
    [
        ("region=oslo", {"Amnesty Grünerløkka", "Amnesty Tema Oslo"}),
        ("region=bergen", {"Amnesty Bergen sentrum"}),
        ("category=thematic", {"Amnesty Tema Oslo"}),
        ("region=oslo&category=local", {"Amnesty Grünerløkka"}),
        ("region=nowhere&category=nothing", {"Amnesty Bergen sentrum", "Amnesty Grünerløkka", "Amnesty Tema Oslo"}),
    ],
)
def test_the_directory_filters_by_region_and_category(world, login, directory_groups, query, names):
    response = login(world.outsider).get(f"{DIRECTORY}?{query}")

    assert listed(response) == names


def test_the_directory_marks_the_groups_you_are_in_or_have_asked_to_join(world, login, directory_groups):
    JoinRequest.objects.create(group=world.other_group, person=world.member)

    response = login(world.member).get(DIRECTORY)

    assert shows(response, "Du er medlem") and shows(response, "Du har spurt")
    join_links = [reverse("groups:join", args=[group.pk]) for group in (world.group, world.other_group)]
    assert not any(link in response.content.decode() for link in join_links)
    assert reverse("groups:join", args=[directory_groups["thematic"].pk]) in response.content.decode()


def test_asking_to_join_sends_the_request_to_the_contact(world, login, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.outsider).post(reverse("groups:join", args=[world.group.pk]), {"message": "Hei!"})

    assert response.url == DIRECTORY
    assert messages_of(response) == ["Forespørselen din er sendt. Gruppekontakten vil svare deg på e-post."]
    join_request = JoinRequest.objects.pending().get(group=world.group)
    assert (join_request.person, join_request.message) == (world.outsider, "Hei!")
    assert [message.to for message in mailoutbox] == [["contact@example.org"]]


@pytest.mark.parametrize("which", ["not_open", "pending"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_group_closed_to_newcomers_or_not_yet_approved_cannot_be_joined(
    world, login, directory_groups, which, method
):
    group = directory_groups[which]

    response = getattr(login(world.outsider), method)(reverse("groups:join", args=[group.pk]))

    assert response.status_code == 404
    assert not JoinRequest.objects.exists()


def test_withdrawing_a_request_to_join(world, login):
    join_request = JoinRequest.objects.create(group=world.group, person=world.outsider)

    response = login(world.outsider).post(reverse("groups:withdraw_join_request", args=[join_request.pk]))

    assert response.url == DIRECTORY
    assert messages_of(response) == ["Forespørselen din om å bli med er trukket tilbake."]
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN


@pytest.mark.parametrize(
    "decision, message, status, becomes_member",
    [
        ("accept", "{name} er nå medlem.", JoinRequest.Status.ACCEPTED, True),
        ("decline", "Du avslo forespørselen fra {name}.", JoinRequest.Status.DECLINED, False),
    ],
)
def test_the_contact_answers_a_request_to_join_from_the_group_page(
    world, login, django_capture_on_commit_callbacks, mailoutbox, decision, message, status, becomes_member
):
    join_request = JoinRequest.objects.create(group=world.group, person=world.outsider)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.contact).post(
            reverse("groups:answer_join_request", args=[join_request.pk]),
            {"decision": decision, "answer": "Vi møtes på torsdag."},
        )

    assert response.url == detail(world.group)
    assert messages_of(response) == [message.format(name=world.outsider)]
    join_request.refresh_from_db()
    assert (join_request.status, join_request.answer) == (status, "Vi møtes på torsdag.")
    assert GroupMembership.objects.filter(group=world.group, person=world.outsider).exists() is becomes_member
    assert [message.to for message in mailoutbox] == [["outsider@example.org"]]


def test_an_answer_without_a_decision_is_refused_with_a_message(world, login):
    join_request = JoinRequest.objects.create(group=world.group, person=world.outsider)

    response = login(world.contact).post(reverse("groups:answer_join_request", args=[join_request.pk]), {})

    assert response.url == detail(world.group)
    assert messages_of(response) == ["Velg om du vil godta eller avslå forespørselen."]
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


# --- Leaving and stopping ---------------------------------------------------------------------------


def test_the_leave_page_lists_the_offices_that_will_end(world, login):
    leave = reverse("groups:leave", args=[world.group.pk])

    contact_view = login(world.contact).get(leave)
    member_view = login(world.member).get(leave)

    assert shows(contact_view, "Vervene dine i gruppa avsluttes i dag:")
    assert [office.kind for office in contact_view.context["offices"]] == [Office.Kind.CONTACT]
    assert not shows(member_view, "Vervene dine i gruppa avsluttes i dag:")


def test_leaving_a_group_ends_the_membership_and_the_offices(world, login):
    response = login(world.contact).post(reverse("groups:leave", args=[world.group.pk]))

    assert response.url == reverse("home")
    assert messages_of(response) == ["Du har gått ut av Amnesty Bergen sentrum."]
    assert GroupMembership.objects.get(group=world.group, person=world.contact).left_on == today()
    assert not Office.objects.current().filter(group=world.group, person=world.contact).exists()


def test_a_group_reporting_it_is_stopping_shows_on_the_review_page(world, login):
    reason = "De fleste av oss har flyttet fra Bergen."

    response = login(world.contact).post(reverse("groups:report_stopping", args=[world.group.pk]), {"reason": reason})
    review = login(world.admin).get(reverse("groups:review"))

    assert response.url == detail(world.group)
    assert messages_of(response) == ["Sekretariatet har fått beskjed om at gruppa avslutter arbeidet sitt."]
    assert [group.name for group, _problems, _days in review.context["page"]] == ["Amnesty Bergen sentrum"]
    assert shows(review, f"Meldte fra om avslutning {short_date(today())}:")
    assert shows(review, reason)


# --- The secretariat's review: warning, closing, reopening ------------------------------------------

REVIEW = reverse("groups:review")


@pytest.fixture
def standings(world):
    """Bergen sentrum fails (no statutes, no priority area), Grünerløkka is at risk (its contact has
    not confirmed the email address), and a third group meets every criterion."""
    accept_current_statutes(world.other_group, by=world.other_contact)
    world.other_group.priority_areas.add(current_area())
    make_group_meeting_criteria(name="Amnesty Trygg")
    refresh_standings()


def reviewed(response):
    return [group.name for group, _problems, _days in response.context["page"]]


@pytest.mark.parametrize(
    "query, names",
    [
        ("", ["Amnesty Bergen sentrum", "Amnesty Grünerløkka"]),
        ("standing=fails", ["Amnesty Bergen sentrum"]),
        ("standing=at_risk", ["Amnesty Grünerløkka"]),
        ("region=oslo", ["Amnesty Grünerløkka"]),
        ("region=bergen&standing=at_risk", []),
    ],
)
def test_the_review_lists_failing_and_at_risk_groups_by_standing_and_region(world, login, standings, query, names):
    response = login(world.admin).get(f"{REVIEW}?{query}")

    assert reviewed(response) == names
    assert not shows(response, "Amnesty Trygg")


def test_the_review_shows_the_evidence_with_names(world, login, standings):
    response = login(world.admin).get(REVIEW)

    assert shows(response, f"Gruppekontakten, {world.other_contact}, har ikke bekreftet e-postadressen sin.")


def warn_data(group, deadline):
    return {"revision": group.revision, "deadline": deadline, "message": "Velg en ny gruppekontakt før fristen."}


def test_a_warning_with_a_deadline_in_the_past_is_refused_next_to_the_field(world, login):
    response = login(world.admin).post(
        reverse("groups:warn", args=[world.group.pk]), warn_data(world.group, today() - datetime.timedelta(days=1))
    )

    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == ["Fristen må være etter i dag."]
    world.group.refresh_from_db()
    assert world.group.warned_at is None


def test_warning_a_group_tells_its_contact_with_the_leader_in_copy(
    world, login, django_capture_on_commit_callbacks, mailoutbox
):
    deadline = today() + datetime.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.admin).post(
            reverse("groups:warn", args=[world.group.pk]), warn_data(world.group, deadline)
        )

    assert response.url == REVIEW
    assert messages_of(response) == ["Advarselen er sendt til gruppekontakten for Amnesty Bergen sentrum."]
    world.group.refresh_from_db()
    assert world.group.warning_deadline == deadline
    assert [(message.to, message.cc) for message in mailoutbox] == [(["contact@example.org"], ["leader@example.org"])]


def test_the_close_page_says_which_offices_end_and_how_many_members_are_told(world, login):
    response = login(world.admin).get(reverse("groups:close", args=[world.group.pk]))

    assert shows(response, "1 verv avsluttes på nedleggelsesdatoen:")
    assert shows(response, f"gruppekontakt ({world.contact})")
    assert shows(response, "2 medlemmer får beskjed på e-post, med begrunnelsen.")


def test_closing_from_a_future_date_is_refused_next_to_the_field(world, login):
    response = login(world.admin).post(
        reverse("groups:close", args=[world.group.pk]),
        {
            "revision": world.group.revision,
            "reason": "Ingen aktivitet.",
            "effective_on": today() + datetime.timedelta(days=1),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["effective_on"] == ["Nedleggelsesdatoen kan ikke være fram i tid."]
    world.group.refresh_from_db()
    assert world.group.status == Group.Status.RECOGNISED


def test_closing_a_group(world, login):
    response = login(world.admin).post(
        reverse("groups:close", args=[world.group.pk]),
        {"revision": world.group.revision, "reason": "Ingen aktivitet.", "effective_on": today()},
    )

    assert response.url == detail(world.group)
    assert messages_of(response) == ["Amnesty Bergen sentrum er lagt ned. Medlemmene har fått beskjed."]
    world.group.refresh_from_db()
    assert (world.group.status, world.group.closed_on) == (Group.Status.CLOSED, today())


def test_reopening_a_closed_group(world, login):
    group = services.close_group(actor=world.admin, group=world.group, reason="Ingen aktivitet.", effective_on=today())

    response = login(world.admin).post(
        reverse("groups:reopen", args=[group.pk]), {"revision": group.revision, "reason": "Ny gruppekontakt funnet."}
    )

    assert response.url == detail(group)
    assert messages_of(response) == ["Amnesty Bergen sentrum er gjenåpnet."]
    group.refresh_from_db()
    assert (group.status, group.closed_on) == (Group.Status.RECOGNISED, None)
    assert AuditEvent.objects.get(action="group.reopened").reason == "Ny gruppekontakt funnet."


# --- Invitations -----------------------------------------------------------------------------------


def invite(world, person):
    return Invitation.objects.create(
        group=world.group, email=person.email, person=person, invited_by=world.contact, token="en-invitasjon"
    )


def invitation_url(invitation):
    return reverse("groups:invitation", args=[invitation.token])


@pytest.fixture
def newcomer():
    """An account made by an invitation: no password yet, the address not confirmed."""
    person = User.objects.create(email="ny.person@example.org", password=make_password(None))
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)
    return person


def is_member(group, person):
    return GroupMembership.objects.filter(group=group, person=person, left_on__isnull=True).exists()


def test_a_logged_in_invitee_accepts_and_becomes_a_member(world, login):
    invitation = invite(world, world.outsider)

    response = login(world.outsider).post(invitation_url(invitation), {"answer": "accept"})

    assert response.url == detail(world.group)
    assert messages_of(response) == ["Velkommen til Amnesty Bergen sentrum!"]
    assert is_member(world.group, world.outsider)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_a_logged_in_invitee_declines(world, login):
    invitation = invite(world, world.outsider)

    response = login(world.outsider).post(invitation_url(invitation), {"answer": "decline"})

    assert response.url == reverse("home")
    assert messages_of(response) == ["Du takket nei til invitasjonen til Amnesty Bergen sentrum."]
    assert not is_member(world.group, world.outsider)
    invitation.refresh_from_db()
    assert invitation.declined_at is not None


def test_someone_elses_invitation_is_not_found(world, login):
    invitation = invite(world, world.outsider)

    assert login(world.other_contact).get(invitation_url(invitation)).status_code == 404
    assert login(world.other_contact).post(invitation_url(invitation), {"answer": "accept"}).status_code == 404
    assert not is_member(world.group, world.other_contact)


def test_a_newcomer_is_asked_to_choose_a_password(world, client, newcomer):
    response = client.get(invitation_url(invite(world, newcomer)))

    assert response.context["password_form"] is not None
    assert shows(response, "Velg et passord for å opprette kontoen din og bli med i gruppa.")


def test_a_newcomer_typing_two_different_passwords_is_told_and_nothing_changes(world, client, newcomer):
    invitation = invite(world, newcomer)

    response = client.post(
        invitation_url(invitation),
        {"new_password1": "Lysløype-ved-Fløyen-2026", "new_password2": "Lysløype-ved-Ulriken-2026"},
    )

    assert response.status_code == 200
    assert response.context["password_form"].errors["new_password2"] == ["De to passordfeltene er ikke like."]
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()
    assert not is_member(world.group, newcomer)
    assert "_auth_user_id" not in client.session


def test_a_newcomer_choosing_a_password_is_logged_in_and_joins(world, client, newcomer):
    invitation = invite(world, newcomer)
    password = "Lysløype-ved-Fløyen-2026"

    response = client.post(
        invitation_url(invitation), {"new_password1": password, "new_password2": password}, follow=True
    )

    assert response.redirect_chain == [(detail(world.group), 302)]
    assert shows(response, "Velkommen til Amnesty Bergen sentrum!")
    assert int(client.session["_auth_user_id"]) == newcomer.pk
    assert is_member(world.group, newcomer)
    newcomer.refresh_from_db()
    assert newcomer.check_password(password)
    assert EmailAddress.objects.get(user=newcomer).verified


def test_an_invitee_with_a_password_is_sent_to_log_in(world, client):
    invitation = invite(world, world.outsider)

    response = client.get(invitation_url(invitation))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={invitation_url(invitation)}"


def test_an_answered_invitation_says_so(world, login):
    invitation = invite(world, world.outsider)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    response = login(world.outsider).get(invitation_url(invitation))

    assert shows(response, "Denne invitasjonen er allerede besvart.")
    assert not shows(response, "Bli med i gruppa") and not shows(response, "Nei takk")


# --- Lists filtered by standing ----------------------------------------------------------------------


@pytest.fixture
def groups_by_standing(world):
    Group.objects.filter(pk=world.group.pk).update(standing=Group.Standing.FAILS)
    Group.objects.filter(pk=world.other_group.pk).update(standing=Group.Standing.AT_RISK)
    GroupFactory(name="Amnesty Fana", standing=Group.Standing.AT_RISK)
    GroupFactory(name="Amnesty Nedlagt", status=Group.Status.CLOSED, standing=Group.Standing.AT_RISK)
    GroupFactory(name="Amnesty Trygg", standing=Group.Standing.MEETS)


@pytest.mark.parametrize(
    "standing, names",
    [
        ("fails", ["Amnesty Bergen sentrum"]),
        ("at_risk", ["Amnesty Fana", "Amnesty Grünerløkka"]),
        ("meets", ["Amnesty Trygg"]),
    ],
)
def test_the_group_list_filters_its_active_groups_by_standing(world, login, groups_by_standing, standing, names):
    response = login(world.admin).get(f"{reverse('groups:list')}?standing={standing}")

    assert [group.name for group in response.context["page"]] == names


@pytest.mark.parametrize(
    "standing, names",
    [("fails", ["Amnesty Bergen sentrum"]), ("at_risk", ["Amnesty Fana"]), ("meets", ["Amnesty Trygg"])],
)
def test_the_region_page_filters_its_active_groups_by_standing(world, login, groups_by_standing, standing, names):
    response = login(world.leader).get(f"{reverse('regions:detail', args=['bergen'])}?standing={standing}")

    assert sorted(group.name for group in response.context["groups"]) == names


# --- Follow-up items --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url, goes_to",
    [
        ("https://evil.example.com/", "group"),
        ("//evil.example.com/", "group"),
        ("/regioner/bergen/", "/regioner/bergen/"),
    ],
)
def test_marking_a_follow_up_done_never_redirects_to_another_site(world, login, next_url, goes_to):
    follow_up = FollowUp.objects.create(
        region=world.region, group=world.group, kind=FollowUp.Kind.WELCOME_PACKAGE, due_on=today()
    )

    response = login(world.leader).post(reverse("groups:complete_follow_up", args=[follow_up.pk]), {"next": next_url})

    assert response.url == (detail(world.group) if goes_to == "group" else goes_to)
    assert messages_of(response) == ["«Send velkomstpakken» er gjort."]
    follow_up.refresh_from_db()
    assert follow_up.done_by == world.leader

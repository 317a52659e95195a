"""groups.services: every change people make to groups, its records, its emails and its re-check of
the criteria; and the membership lapses from the admin service and the register import."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from activists.member_import import import_members
from activists.models import User
from activists.services import set_membership_status
from amnesty_portal import mail
from amnesty_portal.models import AuditEvent
from groups import services
from groups.criteria import AT_RISK, FAILS, MEETS, refresh_standings
from groups.models import (
    CriterionStatus,
    FollowUp,
    Group,
    GroupMembership,
    Invitation,
    JoinRequest,
    Office,
    PriorityArea,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.services import GroupChanged, GroupError
from regions.models import Municipality
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    OfficeFactory,
    PersonFactory,
    make_contact,
    make_group_meeting_criteria,
    region,
)

pytestmark = pytest.mark.django_db

STATUTES, MEMBERS, PRIORITIES, CONTACT, OPEN = 1, 2, 3, 4, 5


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


def at_noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def status(group, number):
    return CriterionStatus.objects.get(group=group, number=number)


def actions(group=None):
    events = AuditEvent.objects.order_by("pk")
    if group is not None:
        events = events.filter(target_id=str(group.pk), target_type__model="group")
    return [event.action for event in events]


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def to(mailoutbox, email):
    [message] = [message for message in mailoutbox if message.to == [email]]
    return message


@pytest.fixture
def rendered(monkeypatch):
    """Records each email template rendered: (template, active language, recipient's address)."""
    calls = []
    original = mail.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        if template_name != "email/base.html":  # the HTML frame around every email
            calls.append((template_name, translation.get_language(), getattr(context["recipient"], "email", None)))
        return original(template_name, context, *args, **kwargs)

    monkeypatch.setattr(mail, "render_to_string", spy)
    return calls


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and send the emails it leaves for after the commit."""

    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send


def bergen():
    return Municipality.objects.get(number="4601")


# --- Registration ---------------------------------------------------------------------------------


def registration_data(**overrides):
    data = {
        "name": "Amnesty Fana",
        "category": Group.Category.LOCAL,
        "municipality": bergen(),
        "themes": "Skriv for liv",
        "priority_areas": list(PriorityArea.objects.filter(is_current=True)[:1]),
    }
    data.update(overrides)
    return data


def test_register_group_creates_a_pending_group_with_its_contact_members_statutes_and_invitations(
    world, send, mailoutbox
):
    registrant = PersonFactory(email="registrant@example.org")
    contact = PersonFactory(email="new.contact@example.org", language="en")
    invited = PersonFactory(email="invited@example.org")

    group = send(
        services.register_group,
        actor=registrant,
        data=registration_data(),
        contact=contact,
        invite_emails=[" Ny.Person@Example.org ", "invited@example.org"],
    )

    group.refresh_from_db()
    assert (group.status, group.region, group.registered_by) == (Group.Status.PENDING, region("bergen"), registrant)
    assert group.registered_at is not None and group.decided_at is None
    assert group.founded_on == today()
    assert list(group.priority_areas.all()) == registration_data()["priority_areas"]
    assert set(GroupMembership.objects.filter(group=group).values_list("person", flat=True)) == {
        registrant.pk,
        contact.pk,
    }
    office = Office.objects.get(group=group)
    assert (office.person, office.kind, office.started_on, office.ended_on) == (contact, "contact", today(), None)
    acceptance = StatutesAcceptance.objects.get(group=group)
    assert (acceptance.version.version, acceptance.accepted_by) == ("2023", registrant)

    new_person = User.objects.get(email="ny.person@example.org")
    assert not new_person.has_usable_password()
    assert EmailAddress.objects.filter(user=new_person, email="ny.person@example.org", verified=False).exists()
    invitations = Invitation.objects.filter(group=group).order_by("email")
    assert [(i.email, i.person, i.invited_by, i.is_open) for i in invitations] == [
        ("invited@example.org", invited, registrant, True),
        ("ny.person@example.org", new_person, registrant, True),
    ]
    assert len({i.token for i in invitations}) == 2 and all(len(i.token) >= 32 for i in invitations)

    assert actions(group) == ["group.registered", "group.statutes_accepted"]
    assert AuditEvent.objects.get(action="group.registered").data == {
        "contact": contact.pk,
        "statutes": "2023",
        "invited": 2,
    }
    assert CriterionStatus.objects.filter(group=group).count() == 5
    assert recipients(mailoutbox) == sorted(
        ["new.contact@example.org", "leader@example.org", "ny.person@example.org", "invited@example.org"]
    )
    assert group.name in to(mailoutbox, "leader@example.org").subject


def test_register_group_without_a_named_contact_makes_the_registrant_the_contact(world, send, mailoutbox):
    registrant = PersonFactory(email="registrant@example.org")

    group = send(services.register_group, actor=registrant, data=registration_data(), contact=None, invite_emails=[])

    assert Office.objects.get(group=group).person == registrant
    assert GroupMembership.objects.filter(group=group).count() == 1
    assert recipients(mailoutbox) == ["leader@example.org"]  # no "you were named contact" to oneself
    assert not Invitation.objects.filter(group=group).exists()


def test_register_a_national_digital_group_takes_the_region_given(world, send, mailoutbox):
    registrant = PersonFactory()

    group = send(
        services.register_group,
        actor=registrant,
        data=registration_data(municipality=None, region=region("oslo"), category=Group.Category.THEMATIC),
        contact=None,
        invite_emails=[],
    )

    assert group.is_national and group.region == region("oslo")
    assert recipients(mailoutbox) == ["other.leader@example.org"]


def test_a_registered_group_is_checked_at_once():
    registrant = PersonFactory()

    group = services.register_group(actor=registrant, data=registration_data(), contact=None, invite_emails=[])

    assert [s.state for s in group.criteria.order_by("number")] == [MEETS, MEETS, MEETS, AT_RISK, MEETS]
    group.refresh_from_db()
    assert group.standing == Group.Standing.AT_RISK  # the contact has not confirmed their email yet


def test_register_group_without_any_statutes_published_records_no_acceptance():
    StatutesVersion.objects.all().delete()

    group = services.register_group(actor=PersonFactory(), data=registration_data(), contact=None, invite_emails=[])

    assert not StatutesAcceptance.objects.filter(group=group).exists()
    assert actions(group) == ["group.registered"]


# --- Approval and rejection --------------------------------------------------------------------------


@pytest.fixture
def pending(world):
    group = GroupFactory(status=Group.Status.PENDING, registered_by=world.member, name="Amnesty Åsane")
    make_contact(group, email="pending.contact@example.org")
    return group


def test_approve_recognises_the_group_and_puts_the_welcome_on_the_leaders_list(world, pending, send, mailoutbox):
    revision = pending.revision

    send(services.approve_group, actor=world.leader, group=pending, revision=revision)

    pending.refresh_from_db()
    assert pending.status == Group.Status.RECOGNISED
    assert pending.decided_at is not None
    assert pending.revision == revision + 1
    follow_ups = FollowUp.objects.filter(group=pending).order_by("kind")
    assert [(f.kind, f.region, f.due_on, f.done_at) for f in follow_ups] == [
        ("first_contact", pending.region, today() + datetime.timedelta(days=14), None),
        ("welcome_package", pending.region, today() + datetime.timedelta(days=14), None),
    ]
    assert actions(pending) == ["group.approved"]
    assert recipients(mailoutbox) == ["pending.contact@example.org"]
    assert CriterionStatus.objects.filter(group=pending).count() == 5
    assert pending.standing_checked_at is not None


def test_approving_twice_raises_and_adds_nothing(world, pending):
    services.approve_group(actor=world.leader, group=pending)

    with pytest.raises(GroupError):
        services.approve_group(actor=world.admin, group=pending)

    assert FollowUp.objects.filter(group=pending).count() == 2
    assert actions(pending) == ["group.approved"]


def test_reject_needs_a_reason(world, pending):
    with pytest.raises(GroupError) as error:
        services.reject_group(actor=world.leader, group=pending, reason="  ")

    assert error.value.field == "reason"
    pending.refresh_from_db()
    assert pending.status == Group.Status.PENDING


def test_reject_ends_the_offices_declines_invitations_and_tells_the_registrant(world, pending, send, mailoutbox):
    invitation = Invitation.objects.create(group=pending, email="x@example.org", token="t" * 40)

    send(services.reject_group, actor=world.leader, group=pending, reason="  Finnes allerede en gruppe her. ")

    pending.refresh_from_db()
    assert pending.status == Group.Status.REJECTED
    assert pending.rejection_reason == "Finnes allerede en gruppe her."
    assert pending.decided_at is not None
    office = Office.objects.get(group=pending)
    assert (office.ended_on, office.end_reason) == (today(), Office.EndReason.GROUP_CLOSED)
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert GroupMembership.objects.filter(group=pending, left_on__isnull=True).count() == 1  # kept
    assert actions(pending) == ["group.rejected"]
    assert recipients(mailoutbox) == ["member@example.org"]  # the registrant


def test_a_decided_registration_cannot_be_rejected(world, pending):
    services.approve_group(actor=world.leader, group=pending)

    with pytest.raises(GroupError):
        services.reject_group(actor=world.leader, group=pending, reason="For sent.")

    pending.refresh_from_db()
    assert pending.status == Group.Status.RECOGNISED


# --- Invitations ------------------------------------------------------------------------------------


@pytest.fixture
def invitation(world):
    services.register_group(
        actor=world.member, data=registration_data(), contact=None, invite_emails=["ny@example.org"]
    )
    return Invitation.objects.get(email="ny@example.org")


def test_accepting_an_invitation_makes_a_member(invitation):
    person = invitation.person

    membership = services.accept_invitation(invitation=invitation, person=person)

    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and not invitation.is_open
    assert (membership.group, membership.person, membership.left_on) == (invitation.group, person, None)
    assert actions(invitation.group)[-1] == "group.invitation_accepted"
    # A new account is no member of AiN yet: criterion 2 names it until the person joins AiN.
    assert status(invitation.group, MEMBERS).state == FAILS
    assert status(invitation.group, MEMBERS).evidence[0]["params"]["people"] == [[person.pk, str(person)]]


def test_an_invitation_is_answered_once(invitation):
    services.accept_invitation(invitation=invitation, person=invitation.person)

    with pytest.raises(GroupError):
        services.accept_invitation(invitation=invitation, person=invitation.person)
    with pytest.raises(GroupError):
        services.decline_invitation(invitation=invitation, person=invitation.person)
    assert GroupMembership.objects.filter(group=invitation.group, person=invitation.person).count() == 1


def test_declining_an_invitation_makes_no_member(invitation):
    services.decline_invitation(invitation=invitation, person=invitation.person)

    invitation.refresh_from_db()
    assert invitation.declined_at is not None and invitation.accepted_at is None
    assert not GroupMembership.objects.filter(person=invitation.person).exists()
    with pytest.raises(GroupError):
        services.accept_invitation(invitation=invitation, person=invitation.person)


def test_an_invitation_to_a_rejected_group_cannot_be_accepted(world, invitation):
    group = invitation.group
    group.status = Group.Status.REJECTED
    group.save()

    with pytest.raises(GroupError):
        services.accept_invitation(invitation=invitation, person=invitation.person)

    assert not GroupMembership.objects.filter(person=invitation.person).exists()


def test_set_invited_password_gives_the_account_a_password_and_confirms_the_address(invitation):
    person = services.set_invited_password(invitation=invitation, password="et langt og trygt passord")

    person.refresh_from_db()
    assert person.check_password("et langt og trygt passord")
    assert EmailAddress.objects.get(user=person, email="ny@example.org").verified
    assert AuditEvent.objects.filter(action="account.created_from_invitation", target_id=str(person.pk)).exists()


# --- The statutes ------------------------------------------------------------------------------------


def test_accept_statutes_records_the_acceptance_once_and_re_checks(world):
    group = world.group
    refresh_standings([group.pk])
    assert status(group, STATUTES).state == FAILS
    revision = group.revision

    acceptance = services.accept_statutes(actor=world.contact, group=group)
    again = services.accept_statutes(actor=world.member, group=group)

    assert again == acceptance
    assert (acceptance.version.version, acceptance.accepted_by) == ("2023", world.contact)
    assert StatutesAcceptance.objects.filter(group=group).count() == 1
    group.refresh_from_db()
    assert group.revision == revision + 1
    assert actions(group) == ["group.statutes_accepted"]
    assert status(group, STATUTES).state == MEETS


def test_accept_statutes_takes_the_newest_version_in_force(world):
    services.accept_statutes(actor=world.contact, group=world.group)
    StatutesVersion.objects.create(version="2026", published_on=days_ago(1), summary="Nye.")
    StatutesVersion.objects.create(version="2099", published_on=today() + datetime.timedelta(days=5), summary="-")

    acceptance = services.accept_statutes(actor=world.contact, group=world.group)

    assert acceptance.version.version == "2026"


def test_accept_statutes_before_any_are_published_is_refused(world):
    StatutesVersion.objects.all().delete()

    with pytest.raises(GroupError):
        services.accept_statutes(actor=world.contact, group=world.group)


# --- Offices ------------------------------------------------------------------------------------------


def test_assigning_the_contact_office_replaces_the_previous_holder(world, send, mailoutbox):
    group = world.group
    FollowUp.objects.create(group=group, region=group.region, kind=FollowUp.Kind.NEW_CONTACT)
    previous = Office.objects.get(group=group, person=world.contact)
    revision = group.revision

    office = send(
        services.assign_office,
        actor=world.contact,
        group=group,
        person=world.member,
        kind=Office.Kind.CONTACT,
        revision=revision,
    )

    previous.refresh_from_db()
    assert (previous.ended_on, previous.end_reason) == (today(), Office.EndReason.REPLACED)
    assert (office.person, office.kind, office.started_on, office.ended_on) == (world.member, "contact", today(), None)
    assert list(Office.objects.current().filter(group=group, kind="contact")) == [office]
    group.refresh_from_db()
    assert group.revision == revision + 1
    event = AuditEvent.objects.get(action="office.assigned")
    assert event.data["replaced"] == [str(world.contact)] and event.data["person"] == world.member.pk
    assert not FollowUp.objects.open().filter(group=group).exists()
    assert FollowUp.objects.get(group=group).done_by == world.contact
    assert recipients(mailoutbox) == ["leader@example.org"]
    assert status(group, CONTACT).evidence[0]["params"]["person"] == world.member.pk


def test_offices_several_people_may_hold_are_not_replaced(world):
    group = world.group
    MembershipFactory(group=group, person=(other := PersonFactory()))

    first = services.assign_office(actor=world.contact, group=group, person=world.member, kind="social_media")
    second = services.assign_office(actor=world.contact, group=group, person=other, kind="social_media")
    third = services.assign_office(actor=world.contact, group=group, person=other, kind="other", title="Kasserer 2")

    assert set(Office.objects.current().filter(group=group, kind="social_media")) == {first, second}
    assert third.title == "Kasserer 2" and third.label == "Kasserer 2"


def test_an_office_starting_later_ends_the_previous_holders_that_day(world):
    group = world.group
    start = today() + datetime.timedelta(days=10)

    services.assign_office(actor=world.contact, group=group, person=world.member, kind="contact", started_on=start)

    assert Office.objects.get(group=group, person=world.contact).ended_on == start
    assert Office.objects.current().get(group=group, kind="contact").person == world.contact
    assert Office.objects.current(on=start).get(group=group, kind="contact").person == world.member


@pytest.mark.parametrize(
    ("who", "kind", "title", "field"),
    [
        ("outsider", "leader", "", "person"),  # not a member of the group
        ("lapsed", "leader", "", "person"),  # does not pay
        ("member", "other", " ", "title"),  # an other office needs a name
        ("contact", "contact", "", "person"),  # already holds it
    ],
)
def test_assign_office_refuses(world, who, kind, title, field):
    if who == "lapsed":
        person = PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=days_ago(1))
        MembershipFactory(group=world.group, person=person)
    else:
        person = getattr(world, who)
    before = Office.objects.count()

    with pytest.raises(GroupError) as error:
        services.assign_office(actor=world.admin, group=world.group, person=person, kind=kind, title=title)

    assert error.value.field == field
    assert Office.objects.count() == before
    assert not AuditEvent.objects.filter(action="office.assigned").exists()


def test_assign_office_in_a_closed_group_is_refused(world):
    Group.objects.filter(pk=world.group.pk).update(status=Group.Status.CLOSED)

    with pytest.raises(GroupError):
        services.assign_office(actor=world.admin, group=world.group, person=world.member, kind="leader")


def test_ending_the_only_contact_office_asks_the_leader_to_find_a_new_one(world, send, mailoutbox):
    group = world.group
    office = Office.objects.get(group=group, person=world.contact)

    send(services.end_office, actor=world.contact, office=office)

    office.refresh_from_db()
    assert (office.ended_on, office.end_reason) == (today(), Office.EndReason.STEPPED_DOWN)
    follow_up = FollowUp.objects.get(group=group, kind=FollowUp.Kind.NEW_CONTACT)
    assert follow_up.due_on == today() + datetime.timedelta(days=7)
    assert recipients(mailoutbox) == ["leader@example.org"]
    assert actions(group) == ["office.ended"]
    assert status(group, CONTACT).state == FAILS


def test_ending_a_leader_office_needs_no_new_contact(world):
    office = OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.LEADER)

    services.end_office(actor=world.contact, office=office)

    assert not FollowUp.objects.filter(group=world.group).exists()


def test_an_office_ends_once_and_not_before_it_started(world):
    office = OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.LEADER, started_on=days_ago(3))

    with pytest.raises(GroupError) as error:
        services.end_office(actor=world.contact, office=office, ended_on=days_ago(4))
    assert error.value.field == "ended_on"

    services.end_office(actor=world.contact, office=office)
    with pytest.raises(GroupError):
        services.end_office(actor=world.contact, office=office)

    office.refresh_from_db()
    assert office.ended_on == today()


# --- Lapsed memberships -----------------------------------------------------------------------------


def test_membership_lapsed_ends_every_office_on_the_effective_date_and_tells_the_leader(world, send, mailoutbox):
    group = world.group
    leader_office = OfficeFactory(group=group, person=world.member, kind=Office.Kind.LEADER, started_on=days_ago(30))
    other_office = OfficeFactory(group=world.other_group, person=world.member, kind=Office.Kind.OTHER, title="Web")

    ended = send(services.membership_lapsed, actor=world.admin, lapses=[(world.member, days_ago(2))])

    assert {o.pk for o in ended} == {leader_office.pk, other_office.pk}
    leader_office.refresh_from_db()
    other_office.refresh_from_db()
    assert (leader_office.ended_on, leader_office.end_reason) == (days_ago(2), Office.EndReason.MEMBERSHIP_LAPSED)
    assert other_office.ended_on == other_office.started_on == today()  # never ends before it started
    assert AuditEvent.objects.filter(action="office.ended").count() == 2
    # The leaders of both regions are told, with the group's remaining contact in copy.
    assert recipients(mailoutbox) == ["leader@example.org", "other.leader@example.org"]
    assert to(mailoutbox, "leader@example.org").cc == ["contact@example.org"]
    assert not FollowUp.objects.exists()  # no contact office ended


def test_membership_lapsed_leaves_offices_that_ended_before_the_lapse(world):
    office = OfficeFactory(
        group=world.group,
        person=world.member,
        kind=Office.Kind.LEADER,
        started_on=days_ago(30),
        ended_on=days_ago(10),
        end_reason=Office.EndReason.STEPPED_DOWN,
    )

    assert services.membership_lapsed(actor=None, lapses=[(world.member, days_ago(2))]) == []

    office.refresh_from_db()
    assert (office.ended_on, office.end_reason) == (days_ago(10), Office.EndReason.STEPPED_DOWN)


def test_a_lapse_taking_effect_later_keeps_the_office_until_then(world):
    later = today() + datetime.timedelta(days=5)

    services.membership_lapsed(actor=None, lapses=[(world.contact, later)])

    assert Office.objects.current().filter(group=world.group, kind="contact").exists()
    assert not Office.objects.current(on=later).filter(group=world.group, kind="contact").exists()
    assert not FollowUp.objects.exists()


def test_membership_lapsed_of_nobody_reads_and_writes_nothing():
    with CaptureQueriesContext(connection) as context:
        assert services.membership_lapsed(actor=None, lapses=[]) == []

    assert [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]] == []


def test_membership_changed_re_checks_the_groups_the_people_are_in(world):
    groups = [make_group_meeting_criteria(), make_group_meeting_criteria()]
    person = PersonFactory()
    for group in groups:
        MembershipFactory(group=group, person=person)
    refresh_standings([g.pk for g in groups])
    User.objects.filter(pk=person.pk).update(membership_status=User.Membership.NON_MEMBER)

    assert services.membership_changed(person_ids=[person.pk]) == 2

    for group in groups:
        group.refresh_from_db()
        assert group.standing == Group.Standing.FAILS
    assert services.membership_changed(person_ids=[PersonFactory().pk]) == 0


def lapse_checks(group, contact, on):
    """What a lapse of the group's only contact on the day must have done."""
    office = Office.objects.get(group=group, person=contact)
    assert (office.ended_on, office.end_reason) == (on, Office.EndReason.MEMBERSHIP_LAPSED)
    assert not Office.objects.current().filter(group=group).exists()
    group.refresh_from_db()
    assert status(group, CONTACT).state == FAILS
    assert status(group, CONTACT).since == on
    assert group.standing == Group.Standing.FAILS
    assert FollowUp.objects.open().filter(group=group, kind=FollowUp.Kind.NEW_CONTACT).exists()


def test_a_lapse_from_the_admin_service_ends_offices_and_re_checks_the_group(world, send, mailoutbox):
    contact = PersonFactory(email="kontakt@example.org")
    group = make_group_meeting_criteria(contact=contact, municipality=bergen())
    refresh_standings([group.pk])
    group.refresh_from_db()
    assert group.standing == Group.Standing.MEETS

    changed = send(
        set_membership_status,
        actor=world.admin,
        person=contact,
        status=User.Membership.LAPSED,
        effective_on=today(),
        source="admin",
    )

    assert changed is True
    lapse_checks(group, contact, today())
    assert status(group, MEMBERS).state == AT_RISK
    assert recipients(mailoutbox) == ["leader@example.org"]


def test_a_lapse_from_the_register_import_ends_offices_on_its_date_and_re_checks_the_group(world, send, mailoutbox):
    contact = PersonFactory(email="kontakt@example.org", membership_number="77001")
    group = make_group_meeting_criteria(contact=contact, municipality=bergen(), founded_on=days_ago(400))
    GroupMembership.objects.filter(group=group).update(joined_on=days_ago(400))
    Office.objects.filter(group=group).update(started_on=days_ago(400))
    refresh_standings([group.pk])
    lapsed_on = days_ago(3)
    csv = f"medlemsnummer;status;utmeldt_dato\r\n77001;utmeldt;{lapsed_on:%d.%m.%Y}\r\n".encode()

    result = send(import_members, actor=world.admin, file=io.BytesIO(csv))

    assert (result.changed, result.rejected) == (1, 0)
    contact.refresh_from_db()
    assert (contact.membership_status, contact.lapsed_on) == (User.Membership.LAPSED, lapsed_on)
    lapse_checks(group, contact, lapsed_on)
    assert status(group, MEMBERS).state == AT_RISK
    assert status(group, MEMBERS).since == lapsed_on
    assert recipients(mailoutbox) == ["leader@example.org"]


def test_an_import_that_lapses_nobody_re_checks_but_ends_no_office(world):
    person = PersonFactory(membership_number="77002", membership_status=User.Membership.NON_MEMBER)
    group = make_group_meeting_criteria()
    MembershipFactory(group=group, person=person)
    refresh_standings([group.pk])
    assert status(group, MEMBERS).state == FAILS

    import_members(actor=None, file=io.BytesIO(b"medlemsnummer;status\r\n77002;betalende\r\n"))

    assert status(group, MEMBERS).state == MEETS
    assert not Office.objects.filter(ended_on__isnull=False).exists()


def test_paying_again_re_checks_but_does_not_give_the_offices_back(world):
    contact = PersonFactory()
    group = make_group_meeting_criteria(contact=contact)
    set_membership_status(actor=None, person=contact, status="lapsed", effective_on=today(), source="admin")

    set_membership_status(actor=None, person=contact, status="paying", effective_on=today(), source="admin")

    assert status(group, MEMBERS).state == MEETS
    assert status(group, CONTACT).state == FAILS
    assert not Office.objects.current().filter(group=group).exists()


# --- Joining and leaving ------------------------------------------------------------------------------


def test_request_to_join_waits_for_the_contact(world, send, mailoutbox):
    join_request = send(services.request_to_join, actor=world.outsider, group=world.group, message=" Hei! ")

    assert (join_request.status, join_request.person, join_request.message) == ("pending", world.outsider, "Hei!")
    assert recipients(mailoutbox) == ["contact@example.org"]
    assert actions(world.group) == ["group.join_requested"]
    assert status(world.group, OPEN).state == MEETS


@pytest.mark.parametrize("reason", ["closed_to_members", "pending_group", "member", "asked_already"])
def test_request_to_join_is_refused(world, reason):
    group, person = world.group, world.outsider
    if reason == "closed_to_members":
        Group.objects.filter(pk=group.pk).update(is_open=False)
    elif reason == "pending_group":
        Group.objects.filter(pk=group.pk).update(status=Group.Status.PENDING)
    elif reason == "member":
        person = world.member
    else:
        JoinRequest.objects.create(group=group, person=person)

    with pytest.raises(GroupError):
        services.request_to_join(actor=person, group=group)

    assert JoinRequest.objects.filter(group=group).count() == (1 if reason == "asked_already" else 0)


def test_accepting_a_join_request_makes_a_member_and_answers_the_person(world, send, mailoutbox):
    join_request = JoinRequest.objects.create(
        group=world.group, person=world.outsider, created_at=at_noon(days_ago(20))
    )
    refresh_standings([world.group.pk])
    assert status(world.group, OPEN).state == AT_RISK

    send(
        services.answer_join_request, actor=world.contact, join_request=join_request, accept=True, answer=" Velkommen "
    )

    join_request.refresh_from_db()
    assert (join_request.status, join_request.answered_by, join_request.answer) == (
        "accepted",
        world.contact,
        "Velkommen",
    )
    assert GroupMembership.objects.filter(group=world.group, person=world.outsider, left_on__isnull=True).exists()
    assert recipients(mailoutbox) == ["outsider@example.org"]
    assert status(world.group, OPEN).state == MEETS


def test_declining_a_join_request_makes_no_member_and_a_request_is_answered_once(world):
    join_request = JoinRequest.objects.create(group=world.group, person=world.outsider)

    services.answer_join_request(actor=world.contact, join_request=join_request, accept=False, answer="Fullt.")
    with pytest.raises(GroupError):
        services.answer_join_request(actor=world.admin, join_request=join_request, accept=True)

    join_request.refresh_from_db()
    assert (join_request.status, join_request.answered_by) == ("declined", world.contact)
    assert not GroupMembership.objects.filter(group=world.group, person=world.outsider).exists()
    assert actions(world.group) == ["group.join_declined"]


def test_a_person_withdraws_only_their_own_join_request(world):
    own = JoinRequest.objects.create(group=world.group, person=world.outsider)
    other = JoinRequest.objects.create(group=world.other_group, person=world.member)

    services.withdraw_join_request(actor=world.outsider, join_request=own)
    services.withdraw_join_request(actor=world.outsider, join_request=other)

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == "withdrawn" and own.answered_at is not None
    assert other.status == "pending"
    assert actions() == ["group.join_withdrawn"]


def test_leaving_a_group_ends_the_persons_offices_and_keeps_the_history(world, send, mailoutbox):
    group = world.group

    membership = send(services.leave_group, actor=world.contact, group=group)

    assert membership.left_on == today()
    office = Office.objects.get(group=group, person=world.contact)
    assert (office.ended_on, office.end_reason) == (today(), Office.EndReason.LEFT_GROUP)
    assert FollowUp.objects.open().filter(group=group, kind=FollowUp.Kind.NEW_CONTACT).exists()
    assert actions(group) == ["group.member_left"]
    assert recipients(mailoutbox) == ["leader@example.org"]
    assert GroupMembership.objects.filter(group=group, person=world.contact).exists()
    assert status(group, CONTACT).state == FAILS

    # Joining again later is a new membership beside the old one.
    services.answer_join_request(
        actor=world.admin,
        join_request=JoinRequest.objects.create(group=group, person=world.contact),
        accept=True,
    )
    assert GroupMembership.objects.filter(group=group, person=world.contact).count() == 2


def test_an_officer_removing_a_member_is_recorded_as_a_removal_and_sends_no_mail(world, send, mailoutbox):
    send(services.leave_group, actor=world.contact, group=world.group, person=world.member)

    assert actions(world.group) == ["group.member_removed"]
    assert mailoutbox == []  # the member held no office


def test_leaving_a_group_one_is_not_in_is_refused(world):
    with pytest.raises(GroupError):
        services.leave_group(actor=world.outsider, group=world.group)


# --- Stopping, warning, closing, reopening -------------------------------------------------------


def test_report_stopping_tells_the_regional_leader(world, send, mailoutbox):
    send(services.report_stopping, actor=world.contact, group=world.group, reason=" Alle har flyttet. ")

    world.group.refresh_from_db()
    assert world.group.stopping_reported_at is not None
    assert world.group.stopping_reason == "Alle har flyttet."
    assert world.group.status == Group.Status.RECOGNISED  # the secretariat decides
    assert recipients(mailoutbox) == ["leader@example.org"]


def test_report_stopping_needs_a_reason_and_a_recognised_group(world, pending):
    with pytest.raises(GroupError) as error:
        services.report_stopping(actor=world.contact, group=world.group, reason="")
    assert error.value.field == "reason"
    with pytest.raises(GroupError):
        services.report_stopping(actor=world.member, group=pending, reason="Vi gir oss.")


def test_warn_group_sets_the_deadline_and_tells_the_contact_with_the_leader_in_copy(world, send, mailoutbox):
    deadline = today() + datetime.timedelta(days=30)

    send(services.warn_group, actor=world.admin, group=world.group, deadline=deadline, message=" Finn en kontakt. ")

    world.group.refresh_from_db()
    assert (world.group.warning_deadline, world.group.warning_message) == (deadline, "Finn en kontakt.")
    assert world.group.warned_at is not None
    assert recipients(mailoutbox) == ["contact@example.org"]
    assert to(mailoutbox, "contact@example.org").cc == ["leader@example.org"]
    assert AuditEvent.objects.get(action="group.warned").data == {"deadline": deadline.isoformat()}


def test_a_group_without_a_contact_is_warned_through_its_members(world, send, mailoutbox):
    Office.objects.filter(group=world.group).update(ended_on=days_ago(1))

    send(
        services.warn_group,
        actor=world.admin,
        group=world.group,
        deadline=today() + datetime.timedelta(days=1),
        message="Finn en kontakt.",
    )

    assert recipients(mailoutbox) == ["contact@example.org", "member@example.org"]


@pytest.mark.parametrize(
    ("deadline_in", "message", "field"),
    [(0, "Gjør noe.", "deadline"), (-3, "Gjør noe.", "deadline"), (7, " ", "message")],
)
def test_warn_group_refuses_a_past_deadline_or_an_empty_message(world, deadline_in, message, field):
    with pytest.raises(GroupError) as error:
        services.warn_group(
            actor=world.admin,
            group=world.group,
            deadline=today() + datetime.timedelta(days=deadline_in),
            message=message,
        )

    assert error.value.field == field
    world.group.refresh_from_db()
    assert world.group.warned_at is None


def test_closing_preview_says_what_closing_will_do(world):
    JoinRequest.objects.create(group=world.group, person=world.outsider)
    FollowUp.objects.create(group=world.group, region=world.region, kind=FollowUp.Kind.NEW_CONTACT)
    OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.LEADER)
    OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.DEPUTY, ended_on=days_ago(0))

    preview = services.closing_preview(world.group)

    assert [(o.kind, o.person) for o in preview["offices"]] == [("contact", world.contact), ("leader", world.member)]
    assert (preview["member_count"], preview["pending_requests"], preview["open_follow_ups"]) == (2, 1, 1)


def count_rows():
    return {
        model.__name__: model.objects.count()
        for model in (GroupMembership, Office, JoinRequest, FollowUp, CriterionStatus, StatutesAcceptance, Invitation)
    }


def test_close_group_ends_offices_declines_requests_and_deletes_nothing(world, send, mailoutbox):
    group = world.group
    GroupMembership.objects.filter(group=group).update(joined_on=days_ago(100))
    Group.objects.filter(pk=group.pk).update(founded_on=days_ago(100))
    Office.objects.filter(group=group).update(started_on=days_ago(100))
    group.refresh_from_db()
    old = OfficeFactory(
        group=group,
        person=world.member,
        kind="leader",
        started_on=days_ago(90),
        ended_on=days_ago(50),
        end_reason=Office.EndReason.STEPPED_DOWN,
    )
    late = OfficeFactory(group=group, person=world.member, kind="treasurer", started_on=days_ago(2))
    join_request = JoinRequest.objects.create(group=group, person=world.outsider)
    follow_up = FollowUp.objects.create(group=group, region=group.region, kind=FollowUp.Kind.NEW_CONTACT)
    refresh_standings([group.pk])
    before = count_rows()
    effective_on = days_ago(5)

    send(
        services.close_group,
        actor=world.admin,
        group=group,
        reason=" Ingen aktivitet på et år. ",
        effective_on=effective_on,
        revision=group.revision,
    )

    group.refresh_from_db()
    assert (group.status, group.closed_on, group.closing_reason) == (
        Group.Status.CLOSED,
        effective_on,
        "Ingen aktivitet på et år.",
    )
    assert count_rows() == before  # nothing deleted
    contact_office = Office.objects.get(group=group, person=world.contact)
    assert (contact_office.ended_on, contact_office.end_reason) == (effective_on, Office.EndReason.GROUP_CLOSED)
    late.refresh_from_db()
    assert (late.ended_on, late.end_reason) == (late.started_on, Office.EndReason.GROUP_CLOSED)
    old.refresh_from_db()
    assert (old.ended_on, old.end_reason) == (days_ago(50), Office.EndReason.STEPPED_DOWN)
    assert not Office.objects.current().filter(group=group).exists()
    join_request.refresh_from_db()
    assert (join_request.status, join_request.answered_by, join_request.answer) == (
        "declined",
        world.admin,
        "Ingen aktivitet på et år.",
    )
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == world.admin
    assert GroupMembership.objects.filter(group=group, left_on__isnull=True).count() == 2  # members kept
    assert AuditEvent.objects.get(action="group.closed").data == {
        "effective_on": effective_on.isoformat(),
        "offices_ended": 2,
        "requests_declined": 1,
    }
    assert recipients(mailoutbox) == ["contact@example.org", "member@example.org"]
    assert all(message.cc == ["leader@example.org"] for message in mailoutbox)
    assert group not in Group.objects.active()
    checked = group.standing_checked_at
    refresh_standings()
    group.refresh_from_db()
    assert group.standing_checked_at == checked  # a closed group is no longer checked


@pytest.mark.parametrize(
    ("reason", "effective_in", "field"),
    [("", 0, "reason"), ("Lagt ned.", 1, "effective_on"), ("Lagt ned.", -1000, "effective_on")],
)
def test_close_group_refuses_an_empty_reason_a_future_date_or_a_date_before_founding(
    world, reason, effective_in, field
):
    Group.objects.filter(pk=world.group.pk).update(founded_on=days_ago(10))

    with pytest.raises(GroupError) as error:
        services.close_group(
            actor=world.admin,
            group=world.group,
            reason=reason,
            effective_on=today() + datetime.timedelta(days=effective_in),
        )

    assert error.value.field == field
    world.group.refresh_from_db()
    assert world.group.status == Group.Status.RECOGNISED
    assert Office.objects.current().filter(group=world.group).exists()


def test_a_closed_group_cannot_be_closed_again(world):
    services.close_group(actor=world.admin, group=world.group, reason="Lagt ned.", effective_on=today())

    with pytest.raises(GroupError):
        services.close_group(actor=world.admin, group=world.group, reason="Igjen.", effective_on=today())
    assert AuditEvent.objects.filter(action="group.closed").count() == 1


def test_reopen_group_recognises_it_again_and_asks_for_a_new_contact(world, send, mailoutbox):
    group = world.group
    services.warn_group(
        actor=world.admin, group=group, deadline=today() + datetime.timedelta(days=3), message="Finn en kontakt."
    )
    services.close_group(actor=world.admin, group=group, reason="Lagt ned.", effective_on=today())
    mail.deliver_all()  # the warning and the closing, written to the outbox above
    mailoutbox.clear()

    send(services.reopen_group, actor=world.admin, group=group, reason="Ny giv.")

    group.refresh_from_db()
    assert (group.status, group.closed_on, group.warned_at, group.warning_deadline) == (
        Group.Status.RECOGNISED,
        None,
        None,
        None,
    )
    assert group.closing_reason == "Lagt ned."  # the history stays
    assert FollowUp.objects.open().filter(group=group, kind=FollowUp.Kind.NEW_CONTACT).exists()
    assert recipients(mailoutbox) == ["contact@example.org", "member@example.org"]
    assert status(group, CONTACT).state == FAILS
    assert group in Group.objects.active()


def test_reopen_needs_a_reason_and_a_closed_group(world):
    with pytest.raises(GroupError) as error:
        services.reopen_group(actor=world.admin, group=world.group, reason=" ")
    assert error.value.field == "reason"
    with pytest.raises(GroupError):
        services.reopen_group(actor=world.admin, group=world.group, reason="Hvorfor?")


# --- Editing the group and the follow-ups ---------------------------------------------------------------


class EditForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["themes", "priority_areas", "is_open"]


def edit_form(group, **changes):
    data = {
        "themes": group.themes,
        "priority_areas": [area.pk for area in group.priority_areas.all()],
        "is_open": group.is_open,
    }
    data.update(changes)
    if not data["is_open"]:
        del data["is_open"]
    form = EditForm(data, instance=group)
    assert form.is_valid(), form.errors
    return form


def test_update_group_saves_the_form_records_the_fields_and_re_checks(world):
    group = world.group
    area = PriorityArea.objects.filter(is_current=True).first()
    revision = group.revision

    updated = services.update_group(
        actor=world.contact,
        group=group,
        form=edit_form(group, themes="Flyktninger", priority_areas=[area.pk], is_open=False),
        revision=revision,
    )

    updated.refresh_from_db()
    assert (updated.themes, updated.is_open, updated.revision) == ("Flyktninger", False, revision + 1)
    assert list(updated.priority_areas.all()) == [area]
    assert sorted(AuditEvent.objects.get(action="group.updated").data["fields"]) == [
        "is_open",
        "priority_areas",
        "themes",
    ]
    assert status(group, PRIORITIES).state == MEETS
    assert status(group, OPEN).state == FAILS


def test_update_group_without_changes_records_nothing(world):
    services.update_group(actor=world.contact, group=world.group, form=edit_form(world.group))

    assert not AuditEvent.objects.filter(action="group.updated").exists()


def test_complete_follow_up_once(world):
    follow_up = FollowUp.objects.create(group=world.group, region=world.region, kind=FollowUp.Kind.FIRST_CONTACT)

    assert services.complete_follow_up(actor=world.leader, follow_up=follow_up) is True
    assert services.complete_follow_up(actor=world.admin, follow_up=follow_up) is False

    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == world.leader
    assert actions(world.group) == ["follow_up.done"]


# --- Two people at once: a stale revision changes nothing -----------------------------------------------


def _approve(world, group, revision):
    services.approve_group(actor=world.leader, group=group, revision=revision)


def _reject(world, group, revision):
    services.reject_group(actor=world.leader, group=group, reason="Nei.", revision=revision)


def _assign(world, group, revision):
    services.assign_office(actor=world.contact, group=group, person=world.member, kind="leader", revision=revision)


def _warn(world, group, revision):
    deadline = today() + datetime.timedelta(days=9)
    services.warn_group(actor=world.admin, group=group, deadline=deadline, message="Svar.", revision=revision)


def _close(world, group, revision):
    services.close_group(actor=world.admin, group=group, reason="Slutt.", effective_on=today(), revision=revision)


def _reopen(world, group, revision):
    services.reopen_group(actor=world.admin, group=group, reason="Igjen.", revision=revision)


def _update(world, group, revision):
    services.update_group(actor=world.contact, group=group, form=edit_form(group, themes="Nytt"), revision=revision)


@pytest.mark.parametrize(
    ("change", "starting_status"),
    [
        (_approve, Group.Status.PENDING),
        (_reject, Group.Status.PENDING),
        (_assign, Group.Status.RECOGNISED),
        (_warn, Group.Status.RECOGNISED),
        (_close, Group.Status.RECOGNISED),
        (_reopen, Group.Status.CLOSED),
        (_update, Group.Status.RECOGNISED),
    ],
)
def test_a_stale_revision_raises_group_changed_and_changes_nothing(world, send, mailoutbox, change, starting_status):
    Group.objects.filter(pk=world.group.pk).update(status=starting_status, revision=4)
    group = Group.objects.get(pk=world.group.pk)  # the page was loaded at revision 4 ...
    Group.objects.filter(pk=group.pk).update(revision=5)  # ... then someone else saved
    before_group = Group.objects.values().get(pk=group.pk)
    before_rows, before_actions = count_rows(), actions()

    with pytest.raises(GroupChanged) as error:
        send(change, world=world, group=group, revision=4)

    assert isinstance(error.value, GroupError) and error.value.message
    assert Group.objects.values().get(pk=group.pk) == before_group
    assert count_rows() == before_rows
    assert actions() == before_actions
    assert mailoutbox == []

    # With the page reloaded, the same change goes through.
    group = Group.objects.get(pk=group.pk)
    change(world, group, 5)
    group.refresh_from_db()
    assert group.revision == 6


# --- Emails in the recipient's language ----------------------------------------------------------------


def test_emails_are_rendered_in_each_recipients_language(world, send, mailoutbox, rendered):
    User.objects.filter(pk=world.contact.pk).update(language="en")
    User.objects.filter(pk=world.leader.pk).update(language="en")

    with translation.override("nb"):  # the language of the admin who acts does not matter
        send(services.close_group, actor=world.admin, group=world.group, reason="Lagt ned.", effective_on=today())

    assert sorted(rendered) == [
        ("email/group_closed.txt", "en", "contact@example.org"),
        ("email/group_closed.txt", "nb", "member@example.org"),
        ("email/group_closed_subject.txt", "en", "contact@example.org"),
        ("email/group_closed_subject.txt", "nb", "member@example.org"),
    ]
    # The closing date is written the way each reader's language writes dates.
    assert f"{today():%m/%d/%Y}" in to(mailoutbox, "contact@example.org").body
    assert f"{today():%d.%m.%Y}" in to(mailoutbox, "member@example.org").body
    assert all(world.group.name in message.subject for message in mailoutbox)
    assert all("\n" not in message.subject for message in mailoutbox)


def test_the_regional_leader_is_written_to_in_their_own_language(world, send, mailoutbox, rendered):
    User.objects.filter(pk=world.leader.pk).update(language="en")

    with translation.override("nb"):
        send(services.assign_office, actor=world.contact, group=world.group, person=world.member, kind="leader")

    assert {(language, email) for _template, language, email in rendered} == {("en", "leader@example.org")}
    assert recipients(mailoutbox) == ["leader@example.org"]
    body = to(mailoutbox, "leader@example.org").body
    assert str(world.member) in body and f"{today():%m/%d/%Y}" in body


def test_a_new_account_is_invited_in_the_default_language(world, send, mailoutbox, rendered):
    send(
        services.register_group,
        actor=world.member,
        data=registration_data(),
        contact=None,
        invite_emails=["ny@example.org"],
    )

    assert ("email/group_invitation.txt", "nb", "ny@example.org") in rendered
    assert Invitation.objects.get(email="ny@example.org").token in to(mailoutbox, "ny@example.org").body


def test_leaving_a_group_also_ends_an_office_that_was_to_start_later(world):
    later = today() + datetime.timedelta(days=10)
    office = OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.TREASURER, started_on=later)

    services.leave_group(actor=world.member, group=world.group)

    office.refresh_from_db()
    assert (office.ended_on, office.end_reason) == (later, Office.EndReason.LEFT_GROUP)
    assert not Office.objects.current(on=later).filter(person=world.member).exists()

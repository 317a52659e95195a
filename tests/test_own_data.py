"""Each person's own data: the export finds every table that refers to the person, the download,
asking to be erased, the secretariat's answer, the erasure itself (no row in any table keeps the
person's name, email or phone, while histories and figures stay right) and pruning lapsed members."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from activists import own_data
from activists.models import (
    ActivistActivity,
    ConsentChange,
    ErasureRequest,
    Gathering,
    GatheringInvitation,
    IndividualActivist,
    MembershipEvent,
    User,
    WelcomeEnrolment,
    WelcomeSend,
    WelcomeStep,
)
from activists.tasks import prune_lapsed_members_task
from amnesty_portal import audit, mail
from amnesty_portal.models import AuditEvent, OutboxMessage
from campaigns.models import ActionAlert
from dashboard import summaries
from dashboard.models import ActivityFigure, PeopleFigure
from groups import follow_up, services
from groups.models import (
    Contact,
    FollowUp,
    GroupMembership,
    Invitation,
    JoinRequest,
    Office,
    PriorityArea,
    QuarterlyReport,
    ReportActivity,
    ReportVersion,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.quarters import Quarter
from regions.models import PostalCode, RegionRole
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIRST, LAST = "Åse", "Ødegård"
EMAIL, OLD_EMAIL, PHONE = "ase.odegard@example.org", "ase.gammel@example.org", "+4791234567"
FULL = f"{FIRST} {LAST}"
ROOT = Path(__file__).resolve().parent.parent


def _step():
    return WelcomeStep.objects.order_by("day").first() or WelcomeStep.objects.create(
        day=0, subject="Velkommen", body="Hei"
    )


def _person(**kwargs):
    defaults = {
        "first_name": FIRST,
        "last_name": LAST,
        "email": EMAIL,
        "phone": PHONE,
        "membership_number": "M765432",
        "postal_code": PostalCode.objects.get(code="5020"),
        "gender": User.Gender.WOMAN,
        "birth_year": 1975,
        "member_since": datetime.date(2020, 1, 1),
    }
    return f.PersonFactory(**{**defaults, **kwargs})


# --- Rows in every table that refers to a person ------------------------------------------------------
# One builder per relation to the user model (model label and field): the test below fails when a
# model with a relation to people is added without one, so the export and the erasure are proven on it.


def _report(group, person, **kwargs):
    quarter = Quarter.current().previous
    report, _created = QuarterlyReport.objects.get_or_create(
        group=group, year=quarter.year, quarter=quarter.number, defaults={"status": "draft"}
    )
    QuarterlyReport.objects.filter(pk=report.pk).update(**kwargs)
    return report


def _activist(person):
    activist, _created = IndividualActivist.objects.get_or_create(
        person=person, defaults={"availability": f"Ring {FULL} på {PHONE} etter klokka 17"}
    )
    return activist


def _enrolment(person):
    enrolment, _created = WelcomeEnrolment.objects.get_or_create(
        person=person, defaults={"started_on": timezone.localdate()}
    )
    return enrolment


def _someone(w, p):
    """Another person, for rows where the person acted on someone else."""
    return w.outsider if p.pk != w.outsider.pk else w.member


def _gathering(w):
    return Gathering.objects.create(
        kind=Gathering.Kind.REGIONAL_MEETING,
        title="Regionmøte Bergen",
        region=w.region,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        place="Bergen",
        created_by=w.leader,
    )


BUILDERS = {
    "admin.LogEntry.user": lambda w, p: LogEntry.objects.create(
        user=p,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(p.pk),
        object_repr=str(p),
        action_flag=CHANGE,
        change_message="[]",
    ),
    "account.EmailAddress.user": lambda w, p: EmailAddress.objects.create(user=p, email=OLD_EMAIL, verified=True),
    "mfa.Authenticator.user": lambda w, p: Authenticator.objects.create(
        user=p, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    ),
    "amnesty_portal.AuditEvent.actor": lambda w, p: audit.record(
        actor=p, action="group.join_requested", target=w.group
    ),
    "amnesty_portal.SecurityEvent.user": lambda w, p: audit.record_security_event("login", user=p),
    "amnesty_portal.OutboxMessage.recipient": lambda w, p: OutboxMessage.objects.create(
        key=f"test:{p.pk}", kind="test", recipient=p, to=p.email, subject=f"Hei {FULL}", text="Hei"
    ),
    "regions.RegionRole.person": lambda w, p: RegionRole.objects.create(
        region=w.region, person=p, kind=RegionRole.Kind.TRAINING_COORDINATOR
    ),
    "activists.MembershipEvent.person": lambda w, p: MembershipEvent.objects.create(
        person=p, status=User.Membership.PAYING, source=MembershipEvent.Source.IMPORT
    ),
    "activists.IndividualActivist.person": lambda w, p: _activist(p),
    "activists.Gathering.created_by": lambda w, p: (
        Gathering.objects.filter(pk=_gathering(w).pk).update(created_by=p) and Gathering.objects.get(created_by=p)
    ),
    "activists.GatheringInvitation.person": lambda w, p: GatheringInvitation.objects.create(
        gathering=_gathering(w), person=p, invited_by=w.leader
    ),
    "activists.GatheringInvitation.invited_by": lambda w, p: GatheringInvitation.objects.create(
        gathering=_gathering(w), person=_someone(w, p), invited_by=p
    ),
    "activists.WelcomeEnrolment.person": lambda w, p: _enrolment(p),
    "activists.ConsentChange.person": lambda w, p: ConsentChange.objects.create(
        person=p, consent=False, source=ConsentChange.Source.PROFILE
    ),
    "activists.ErasureRequest.person": lambda w, p: ErasureRequest.objects.create(
        person=p, reason=f"Jeg, {FULL}, vil ikke være med lenger", status=ErasureRequest.Status.WITHDRAWN
    ),
    "activists.ErasureRequest.decided_by": lambda w, p: ErasureRequest.objects.create(
        person=_someone(w, p), status=ErasureRequest.Status.REFUSED, decided_by=p, answer="Ikke nå"
    ),
    "groups.Group.registered_by": lambda w, p: f.GroupFactory(registered_by=p, name="Amnesty Åsane"),
    "groups.GroupMembership.person": lambda w, p: f.MembershipFactory(group=w.other_group, person=p),
    "groups.StatutesAcceptance.accepted_by": lambda w, p: StatutesAcceptance.objects.create(
        group=w.group, version=StatutesVersion.objects.current(), accepted_by=p
    ),
    "groups.JoinRequest.person": lambda w, p: JoinRequest.objects.create(
        group=w.group, person=p, message=f"Hei, dette er {FULL}, ring {PHONE}"
    ),
    "groups.JoinRequest.answered_by": lambda w, p: JoinRequest.objects.create(
        group=w.group,
        person=_someone(w, p),
        answered_by=p,
        status=JoinRequest.Status.DECLINED,
        answer="Nei takk",
    ),
    "groups.Invitation.person": lambda w, p: Invitation.objects.create(
        group=w.other_group, email=p.email, person=p, invited_by=w.other_contact, token=f"tok-{p.pk}"
    ),
    "groups.Invitation.invited_by": lambda w, p: Invitation.objects.create(
        group=w.other_group,
        email=_someone(w, p).email,
        person=_someone(w, p),
        invited_by=p,
        token=f"tok-by-{p.pk}",
    ),
    "groups.FollowUp.done_by": lambda w, p: FollowUp.objects.create(
        group=w.group, region=w.region, kind=FollowUp.Kind.WELCOME_PACKAGE, done_at=timezone.now(), done_by=p
    ),
    "groups.Office.person": lambda w, p: f.OfficeFactory(
        group=w.group,
        person=p,
        kind=Office.Kind.TREASURER,
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2025, 1, 1),
        end_reason=Office.EndReason.STEPPED_DOWN,
    ),
    "groups.QuarterlyReport.updated_by": lambda w, p: _report(w.group, p, updated_by=p),
    "groups.QuarterlyReport.submitted_by": lambda w, p: _report(
        w.group, p, submitted_by=p, status="submitted", submitted_at=timezone.now(), members_count=7
    ),
    "groups.QuarterlyReport.reviewed_by": lambda w, p: _report(w.other_group, p, reviewed_by=p),
    "groups.ReportVersion.submitted_by": lambda w, p: ReportVersion.objects.create(
        report=_report(w.group, p),
        number=ReportVersion.objects.filter(report__group=w.group).count() + 1,
        submitted_by=p,
        data={"comments": f"Skrevet av {FULL} ({EMAIL})", "activities": []},
    ),
    "groups.Contact.by": lambda w, p: Contact.objects.create(
        group=w.group, channel=Contact.Channel.PHONE, note="Ringte gruppen", by=p
    ),
    "campaigns.ActionAlert.created_by": lambda w, p: ActionAlert.objects.create(
        title="Haster", body="Nå", created_by=p
    ),
    "campaigns.ActionAlert.sent_by": lambda w, p: ActionAlert.objects.create(title="Sendt", body="Nå", sent_by=p),
}
# Rows that belong to a person's rows: a welcome enrolment's sends, an activist's log.
CHILD_BUILDERS = {
    "activists.WelcomeSend.enrolment.person": lambda w, p: WelcomeSend.objects.create(
        enrolment=_enrolment(p), step=_step()
    ),
    "activists.ActivistActivity.activist.person": lambda w, p: ActivistActivity.objects.create(
        activist=_activist(p),
        date=timezone.localdate(),
        type="other",
        description=f"Skrivekafé med {FULL}",
        participants=8,
        region=w.region,
    ),
    "account.EmailConfirmation.email_address.user": lambda w, p: apps.get_model(
        "account", "EmailConfirmation"
    ).objects.create(email_address=EmailAddress.objects.get(user=p, email=OLD_EMAIL), key=f"key-{p.pk}"),
}


def _fill(world, person):
    """One row in every table that refers to the person; returns {section key: row}."""
    rows = {key: build(world, person) for key, build in BUILDERS.items()}
    rows.update({key: build(world, person) for key, build in CHILD_BUILDERS.items()})
    return rows


def test_every_relation_to_people_has_a_builder():
    keys = set()
    for relation in own_data.relations():
        keys.add(relation.key)
        keys.update(f"{child._meta.label}.{fk.name}.{relation.field.name}" for child, fk in relation.children)
    assert keys == set(BUILDERS) | set(CHILD_BUILDERS)


def test_export_holds_a_row_of_every_table_that_refers_to_the_person(world):
    person = _person()
    rows = _fill(world, person)
    export = own_data.export_person(person)
    sections = {section["key"]: section for section in export["sections"]}
    for key, row in rows.items():
        assert row.pk in [item["id"] for item in sections[key]["rows"]], key
    assert export["person"]["email"] == EMAIL
    assert export["person"]["first_name"] == FIRST
    assert "password" not in export["person"]
    # Everything is JSON with ISO dates.
    text = json.dumps(export, ensure_ascii=False)
    assert json.loads(text)["person"]["date_joined"].startswith(str(person.date_joined.year))


def test_export_leaves_out_secrets_and_other_people(world):
    person = _person()
    _fill(world, person)
    text = own_data.export_json(person)
    assert "JBSWY3DPEHPK3PXP" not in text  # the TOTP secret
    assert f"key-{person.pk}" not in text  # an email confirmation key
    assert f"tok-{person.pk}" not in text  # an invitation token
    assert person.password not in text
    # Rows where the person only acted name neither the other person nor their words.
    assert world.outsider.email not in text
    assert str(world.outsider) not in text
    assert "Nei takk" not in text
    assert world.leader.email not in text
    # The person's own words are there.
    assert f"ring {PHONE}" in text


def test_export_speaks_of_audit_events_about_the_person(world):
    person = _person()
    audit.record(actor=world.admin, action="profile.updated", target=person, fields=["phone"])
    export = own_data.export_person(person)
    about = next(s for s in export["sections"] if s["key"] == "amnesty_portal.AuditEvent.about")
    assert [row["action"] for row in about["rows"]] == ["profile.updated"]
    assert "actor" not in about["rows"][0]


def test_my_data_page_shows_the_sections(world, login):
    _fill(world, world.member)
    response = login(world.member).get(reverse("activists:my_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.member.email in page
    assert "Regionmøte Bergen" in page
    assert reverse("activists:my_data_json") in page


def test_json_download_headers_and_content(world, login):
    _fill(world, world.member)
    response = login(world.member).get(reverse("activists:my_data_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="amnesty-portalen-mine-data-')
    assert "no-store" in response["Cache-Control"]  # personal data stays out of shared caches
    data = json.loads(response.content.decode("utf-8"))
    assert data["person"]["email"] == world.member.email
    assert "Åse" in response.content.decode("utf-8")  # UTF-8 as it is, not \u escapes


def test_own_data_is_only_ever_ones_own(world, login):
    """The pages work on the logged-in person alone: another's data never shows."""
    _fill(world, world.outsider)
    page = login(world.member).get(reverse("activists:my_data_json")).content.decode()
    assert world.outsider.email not in page
    assert "Amnesty Åsane" not in page


# --- Asking to be erased, and the answer ----------------------------------------------------------------


def test_person_asks_to_be_erased_and_withdraws(world, login):
    client = login(world.member)
    response = client.post(reverse("activists:erasure"), {"reason": "Flytter"})
    assert response.status_code == 200  # the confirmation box was not ticked
    assert "Tick the box" in response.content.decode()
    assert not ErasureRequest.objects.exists()
    response = client.post(reverse("activists:erasure"), {"reason": "Flytter", "confirm": "on"})
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get(person=world.member)
    assert erasure.status == ErasureRequest.Status.PENDING and erasure.reason == "Flytter"
    # One pending request at a time.
    with pytest.raises(own_data.ErasureError):
        own_data.request_erasure(actor=world.member, person=world.member)
    client.post(reverse("activists:erasure_withdraw"))
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="erasure.withdrawn").exists()


def test_withdrawing_touches_only_ones_own_request(world, login):
    theirs = ErasureRequest.objects.create(person=world.outsider)
    login(world.member).post(reverse("activists:erasure_withdraw"))
    theirs.refresh_from_db()
    assert theirs.status == ErasureRequest.Status.PENDING


def test_only_admins_see_and_answer_requests(world, login):
    erasure = ErasureRequest.objects.create(person=world.outsider)
    for role in ("member", "contact", "leader"):
        client = login(world.user(role))
        assert client.get(reverse("activists:erasure_requests")).status_code == 404
        response = client.post(
            reverse("activists:erasure_decide", args=[erasure.pk]), {"decision": "erase", "confirm": "on"}
        )
        assert response.status_code == 404
    world.outsider.refresh_from_db()
    assert world.outsider.erased_at is None
    page = login(world.admin).get(reverse("activists:erasure_requests")).content.decode()
    assert world.outsider.email in page


def test_admin_refuses_with_an_answer(world, login):
    f.OfficeFactory(group=world.group, person=world.member, kind=Office.Kind.LEADER)
    erasure = ErasureRequest.objects.create(person=world.member)
    client = login(world.admin)
    page = client.get(reverse("activists:erasure_decide", args=[erasure.pk])).content.decode()
    assert "Amnesty Bergen sentrum" in page
    url = reverse("activists:erasure_decide", args=[erasure.pk])
    response = client.post(url, {"decision": "refuse", "answer": ""})
    assert response.status_code == 200
    assert "Tell the person why" in response.content.decode()
    response = client.post(url, {"decision": "refuse", "answer": "Du er leder i gruppen. Gi vervet videre først."})
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.REFUSED and erasure.decided_by == world.admin
    message = OutboxMessage.objects.get(kind="erasure_refused")
    assert message.to == world.member.email and "Gi vervet videre" in message.text
    world.member.refresh_from_db()
    assert world.member.erased_at is None


def test_admin_confirms_and_the_person_is_erased(world, login):
    erasure = ErasureRequest.objects.create(person=world.outsider, reason="Vil slettes")
    client = login(world.admin)
    url = reverse("activists:erasure_decide", args=[erasure.pk])
    assert client.post(url, {"decision": "erase"}).status_code == 200  # not confirmed
    assert client.post(url, {"decision": "erase", "confirm": "on"}).status_code == 302
    erasure.refresh_from_db()
    person = User.objects.get(pk=world.outsider.pk)
    assert erasure.status == ErasureRequest.Status.ERASED and erasure.reason == ""
    assert person.erased_at is not None and not person.is_active and not person.has_usable_password()
    assert str(person) == f"Erased person #{person.pk}"
    confirmation = OutboxMessage.objects.get(kind="erasure_confirmed")
    assert confirmation.to == "outsider@example.org"
    # A second answer is refused.
    assert client.post(url, {"decision": "erase", "confirm": "on"}).status_code == 302
    assert AuditEvent.objects.filter(action="person.erased").count() == 1


# --- The erasure: nothing identifying is left anywhere -------------------------------------------------


def _mentions(needles):
    """Every (model, pk, field) whose value holds one of the needles: every text and JSON value of
    every row of every table, read in Python (independent of the erasure's own search)."""
    found = []
    lowered = [needle.lower() for needle in needles]
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for row in model._default_manager.all().values():
            for name, value in row.items():
                if value is None or isinstance(value, bool | int | float | datetime.date):
                    continue
                text = (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)).lower()
                if any(needle in text for needle in lowered):
                    found.append((model._meta.label, row.get("id", row.get("pk")), name))
    return found


def _figures():
    summaries.refresh()
    people = sorted(
        PeopleFigure.objects.values_list("region_id", "year", "quarter", "scope", "dimension", "value", "count")
    )
    activities = sorted(
        ActivityFigure.objects.values_list("region_id", "year", "quarter", "dimension", "value", "activities")
    )
    return people, activities


def _history(world, person):
    members = {
        group.pk: GroupMembership.objects.filter(group=group, left_on__isnull=True).count()
        for group in (world.group, world.other_group)
    }
    offices = sorted(
        Office.objects.filter(group__in=[world.group, world.other_group]).values_list(
            "group_id", "person_id", "kind", "started_on", "ended_on"
        )
    )
    reports = sorted(QuarterlyReport.objects.values_list("pk", "submitted_by_id", "status", "members_count"))
    activities = ActivistActivity.objects.filter(activist__person=person).count()
    return members, offices, reports, activities


def test_after_erasure_no_row_anywhere_holds_the_name_email_or_phone(world, client):
    person = _person()
    _fill(world, person)
    RegionRole.objects.filter(person=person).delete()
    f.verify_email(person)
    f.MembershipFactory(group=world.group, person=person)
    # Through the services, as it happens: audit details and emails that name the person.
    voss = f.GroupFactory(name="Amnesty Voss")
    voss_contact = f.make_contact(voss)
    join_request = services.request_to_join(actor=person, group=voss, message=f"Jeg er {FULL}")
    services.answer_join_request(
        actor=voss_contact, join_request=join_request, accept=True, answer=f"Velkommen, {FULL}!"
    )
    office = services.assign_office(actor=world.leader, group=world.group, person=person, kind=Office.Kind.DEPUTY)
    services.end_office(actor=world.leader, office=office)
    follow_up.record_contact(
        actor=world.leader,
        group=world.group,
        date=timezone.localdate(),
        channel=Contact.Channel.PHONE,
        note=f"Snakket med {FULL} ({PHONE}, {EMAIL})",
    )
    OutboxMessage.objects.create(
        key="copy", kind="test", to=world.leader.email, cc=[EMAIL, world.admin.email], subject="Kopi", text="…"
    )
    OutboxMessage.objects.create(
        key="pending", kind="test", recipient=person, to=EMAIL, subject=f"Til {FULL}", text=f"Hei {FULL}"
    )
    audit.record(actor=world.admin, action="profile.updated", target=person, fields=["phone"])
    audit.record_security_event("login_failed", identifier=EMAIL.upper())
    client.force_login(person)
    client.get(reverse("activists:my_data"))  # a session, and a security event with the browser
    needles = [FULL, EMAIL, OLD_EMAIL, PHONE]
    assert len({model for model, _pk, _field in _mentions(needles)}) >= 10  # the test has teeth
    figures = _figures()
    history = _history(world, person)
    stored = sorted(PeopleFigure.objects.values_list("region_id", "year", "quarter", "scope", "value", "count"))
    erasure = ErasureRequest.objects.create(person=person, reason=f"Slett meg, {PHONE}")
    # (Joining a group stopped the welcome series; the erasure stops one still running.)
    WelcomeEnrolment.objects.filter(person=person).update(stopped_at=None, stop_reason="")

    own_data.confirm_erasure(actor=world.admin, erasure=erasure)

    # The confirmation is the one row that keeps the address, until it is delivered and pruned.
    assert _mentions(needles) == [
        ("amnesty_portal.OutboxMessage", OutboxMessage.objects.get(kind="erasure_confirmed").pk, "to")
    ]
    mail.deliver_all()
    keys = {message.extra_headers["X-Amnesty-Portal-Key"]: message.to for message in django_mail.outbox}
    assert keys[f"erasure-confirmed:{person.pk}:{person.pk}"] == [EMAIL]
    assert own_data.prune_erased_outbox() == 1
    assert _mentions(needles) == []
    assert _mentions([f"{FIRST} {LAST}".upper(), "M765432"]) == []

    person.refresh_from_db()
    assert person.first_name == person.last_name == person.phone == ""
    assert person.email is None and person.membership_number is None and not person.email_consent
    assert person.postal_code.municipality.name == "Bergen" and person.postal_code.code == "5003"
    assert (person.birth_year, person.gender) == (1975, User.Gender.WOMAN)
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not RegionRole.objects.filter(person=person).exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(person.pk) for s in Session.objects.all())
    assert WelcomeEnrolment.objects.get(person=person).stop_reason == WelcomeEnrolment.StopReason.ERASED
    assert IndividualActivist.objects.get(person=person).stopped_at is not None
    assert not JoinRequest.objects.filter(person=person, status=JoinRequest.Status.PENDING).exists()
    pending = OutboxMessage.objects.get(key="pending")
    assert pending.status == OutboxMessage.Status.FAILED and pending.to == ""
    assert OutboxMessage.objects.get(key="copy").cc == [world.admin.email]
    # Histories and figures are as they were: memberships, offices, reports, the activity log,
    # the dashboard's stored figures and their recomputation.
    assert _history(world, person) == history
    assert sorted(PeopleFigure.objects.values_list("region_id", "year", "quarter", "scope", "value", "count")) == stored
    assert _figures() == figures
    # The group's history names an erased person.
    office_event = AuditEvent.objects.filter(action="office.assigned", data__person=person.pk).get()
    assert office_event.data["name"] == f"Erased person #{person.pk}"
    erased = AuditEvent.objects.get(action="person.erased")
    assert erased.target_repr == f"Erased person #{person.pk}" and erased.actor == world.admin
    # And the person can no longer log in.
    assert not client.login(email=EMAIL, password=f.PASSWORD)


def test_erasing_twice_changes_nothing(world):
    person = _person()
    own_data.erase_person(actor=world.admin, person=person)
    erased_at = User.objects.get(pk=person.pk).erased_at
    own_data.erase_person(actor=world.admin, person=person)
    assert User.objects.get(pk=person.pk).erased_at == erased_at
    assert AuditEvent.objects.filter(action="person.erased").count() == 1


def test_erasure_leaves_a_namesake_of_one_word_alone(world):
    """A one-word name is not searched for: it would damage other people's records."""
    person = f.PersonFactory(first_name="", last_name="Hansen")
    other = f.PersonFactory(first_name="Kari", last_name="Hansen")
    Contact.objects.create(group=world.group, channel="phone", note="Kari Hansen ringte", by=world.leader)
    own_data.erase_person(actor=world.admin, person=person)
    other.refresh_from_db()
    assert other.last_name == "Hansen"
    assert Contact.objects.get(group=world.group).note == "Kari Hansen ringte"


# --- Pruning lapsed members --------------------------------------------------------------------------


def test_pruning_erases_only_lapsed_members_past_the_retention(world, settings):
    settings.LAPSED_DATA_RETENTION_MONTHS = 24
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=365 * 2 + 40)
    lately = today - datetime.timedelta(days=300)
    gone = _person(membership_status=User.Membership.LAPSED, lapsed_on=long_ago)
    recent = f.PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=lately)
    in_group = f.PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=long_ago)
    f.MembershipFactory(group=world.group, person=in_group)
    activist = f.PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=long_ago)
    IndividualActivist.objects.create(person=activist)
    paying = f.PersonFactory()
    OutboxMessage.objects.create(
        key="old", kind="test", recipient=gone, to=EMAIL, status=OutboxMessage.Status.SENT, subject=FULL, text=FULL
    )

    assert prune_lapsed_members_task() == {"erased": 1, "mail_blanked": 0}
    assert prune_lapsed_members_task() == {"erased": 0, "mail_blanked": 0}  # idempotent
    erased = set(User.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {gone.pk}
    assert {recent.pk, in_group.pk, activist.pk, paying.pk}.isdisjoint(erased)
    assert _mentions([FULL, EMAIL, PHONE]) == []
    assert AuditEvent.objects.get(action="person.erased").data == {"source": "lapsed"}


def test_pruning_runs_in_chunks(world, settings):
    settings.LAPSED_DATA_RETENTION_MONTHS = 1
    long_ago = timezone.localdate() - datetime.timedelta(days=90)
    people = [f.PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=long_ago) for _ in range(5)]
    assert own_data.prune_lapsed_members(chunk=2, limit=3) == 3
    assert own_data.prune_lapsed_members(chunk=2) == 2
    assert User.objects.filter(pk__in=[p.pk for p in people], erased_at__isnull=False).count() == 5


def test_a_chunk_is_scrubbed_in_one_pass_with_each_persons_label(world):
    first = f.PersonFactory(first_name="Ola", last_name="Nordmann", phone="+4799887766")
    second = f.PersonFactory(first_name="Kari", last_name="Nordkvinne")
    Contact.objects.create(
        group=world.group, channel="meeting", note="Ola Nordmann (+4799887766) og kari nordkvinne kom", by=world.leader
    )
    erased = own_data.erase_people(actor=world.admin, people=[first, second], source="lapsed")
    assert [person.pk for person in erased] == sorted([first.pk, second.pk])
    note = Contact.objects.get(group=world.group).note
    assert note == (f"Erased person #{first.pk} (Erased person #{first.pk}) og Erased person #{second.pk} kom")
    assert own_data.erase_people(actor=world.admin, people=[first, second]) == []


def _settings_with(retention: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"LAPSED_DATA_RETENTION_MONTHS", "DJANGO_SETTINGS_MODULE"}}
    env["DEBUG"] = "true"
    if retention is not None:
        env["LAPSED_DATA_RETENTION_MONTHS"] = retention
    code = (
        "import amnesty_portal.settings as s; "
        "print(s.LAPSED_DATA_RETENTION_MONTHS, s.CELERY_BEAT_SCHEDULE['prune-lapsed-members']['task'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("bad", ["two years", "0"])
def test_retention_setting_is_strict(bad):
    result = _settings_with(bad)
    assert result.returncode != 0
    assert "LAPSED_DATA_RETENTION_MONTHS" in result.stderr


def test_retention_defaults_to_24_months_and_prunes_daily():
    result = _settings_with(None)
    assert result.stdout.split() == ["24", "activists.prune_lapsed_members_task"]


# --- Query counts -----------------------------------------------------------------------------------


def _grow_own(world, person, n):
    for _ in range(n):
        group = f.GroupFactory()
        f.MembershipFactory(group=group, person=person)
        f.OfficeFactory(group=group, person=person, kind=Office.Kind.LEADER)
        JoinRequest.objects.create(group=group, person=person, message="Hei")
        GatheringInvitation.objects.create(gathering=_gathering(world), person=person, invited_by=world.leader)
        ActivistActivity.objects.create(
            activist=_activist(person), date=timezone.localdate(), type="other", description="Kafé", region=world.region
        )
        WelcomeSend.objects.create(
            enrolment=_enrolment(person),
            step=WelcomeStep.objects.create(day=100 + WelcomeStep.objects.count(), subject="S", body="B"),
        )
        _activist(person).themes.add(*PriorityArea.objects.all()[:2])
        audit.record(actor=world.admin, action="profile.updated", target=person)
        audit.record(actor=person, action="group.join_requested", target=group)
        audit.record_security_event("login", user=person)
        OutboxMessage.objects.create(
            key=f"grow:{OutboxMessage.objects.count()}",
            kind="t",
            recipient=person,
            to="x@example.org",
            subject="s",
            text="t",
        )
        report = QuarterlyReport.objects.create(
            group=group, year=2025, quarter=1, submitted_by=person, status="submitted"
        )
        ReportVersion.objects.create(report=report, number=1, submitted_by=person, data={})
        ReportActivity.objects.create(report=report, type="stand")
        ConsentChange.objects.create(person=person, consent=True, source=ConsentChange.Source.PROFILE)


def test_my_data_page_query_count_does_not_grow(world, login, assert_num_queries, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client = login(world.member)
    url = reverse("activists:my_data")
    _grow_own(world, world.member, 2)
    with assert_num_queries(MY_DATA_QUERIES):
        assert client.get(url).status_code == 200
    _grow_own(world, world.member, 4)
    with assert_num_queries(MY_DATA_QUERIES):
        assert client.get(url).status_code == 200


def test_erasure_requests_query_count_does_not_grow(world, login, assert_num_queries, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client = login(world.admin)
    url = reverse("activists:erasure_requests")

    def grow(n):
        for _ in range(n):
            person = f.PersonFactory()
            f.MembershipFactory(group=world.group, person=person)
            f.OfficeFactory(group=world.group, person=person, kind=Office.Kind.OTHER, title="Kasserer")
            _report(f.GroupFactory(), person, updated_by=person)
            RegionRole.objects.create(region=world.region, person=person, kind=RegionRole.Kind.TRAINING_COORDINATOR)
            ErasureRequest.objects.create(person=person, reason="Hei")
            ErasureRequest.objects.create(
                person=f.PersonFactory(),
                status=ErasureRequest.Status.REFUSED,
                decided_by=world.admin,
                decided_at=timezone.now(),
            )

    grow(2)
    with assert_num_queries(ERASURE_REQUESTS_QUERIES):
        assert client.get(url).status_code == 200
    grow(4)
    with assert_num_queries(ERASURE_REQUESTS_QUERIES):
        assert client.get(url).status_code == 200


MY_DATA_QUERIES = 45
ERASURE_REQUESTS_QUERIES = 11

"""The emails the group services send: every template renders in both languages, with a one-line
subject, the recipient's first name and the group's name, and without HTML escaping."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from amnesty_portal.mail import render
from groups.models import Group, Invitation, JoinRequest, Office, StatutesVersion
from tests import factories as f

GROUP_NAME = "Amnesty Kvinner & likestilling Bergen"  # "&" shows whether the text was HTML-escaped
TODAY = datetime.date(2026, 3, 16)


@pytest.fixture
def cast():
    group = f.GroupFactory(
        name=GROUP_NAME,
        category=Group.Category.THEMATIC,
        rejection_reason="Det finnes allerede en kvinnegruppe i Bergen. Bli gjerne med i den!",
        warning_deadline=TODAY + datetime.timedelta(days=30),
        warning_message="Gruppa har ikke hatt kontaktperson siden januar. Velg en ny før fristen.",
        stopping_reason="De fleste av oss har flyttet fra Bergen.",
        closed_on=TODAY,
        closing_reason="Gruppa har ikke hatt kontaktperson eller aktivitet på et halvt år.",
    )
    actor = f.make_contact(group, first_name="Sigrid", last_name="Haugland")
    newcomer = f.PersonFactory(first_name="Jonas", last_name="Bakke")
    f.MembershipFactory(group=group, person=newcomer)
    leader = f.OfficeFactory(
        group=group, person=newcomer, kind=Office.Kind.LEADER, started_on=TODAY - datetime.timedelta(days=5)
    )
    former = f.PersonFactory(first_name="Kari", last_name="Nordmann")
    ended = [
        f.OfficeFactory(
            group=group,
            person=former,
            kind=kind,
            title=title,
            started_on=TODAY - datetime.timedelta(days=400),
            ended_on=TODAY - datetime.timedelta(days=5),
            end_reason=reason,
        )
        for kind, title, reason in [
            (Office.Kind.LEADER, "", Office.EndReason.REPLACED),
            (Office.Kind.CONTACT, "", Office.EndReason.MEMBERSHIP_LAPSED),
            (Office.Kind.OTHER, "Arrangementsansvarlig", Office.EndReason.MEMBERSHIP_LAPSED),
        ]
    ]
    asker = f.PersonFactory(first_name="Amina", last_name="Ali")
    invitee = f.PersonFactory(email="ny.person@example.org", first_name="", last_name="", password="!")
    invitation = Invitation.objects.create(
        group=group, email=invitee.email, person=invitee, invited_by=actor, token="a-token-for-the-test"
    )

    def join_request(status, answer=""):
        return JoinRequest(
            group=group,
            person=asker,
            status=status,
            message="Hei! Jeg har nettopp flyttet til Bergen og vil gjerne være med.",
            answer=answer,
        )

    return {
        "group": group,
        "actor": actor,
        "leader": leader,
        "ended": ended,
        "invitation": invitation,
        "join_request": join_request,
    }


def _contexts(w):
    """(template, context) as the services in groups/services.py pass them, with variants."""
    group, actor = w["group"], w["actor"]
    return {
        "group_contact_named": {"group": group, "actor": actor},
        "group_registered": {"group": group, "actor": actor},
        "group_invitation": {"group": group, "actor": actor, "invitation": w["invitation"], "new_account": False},
        "group_invitation/new_account": {
            "group": group,
            "actor": actor,
            "invitation": w["invitation"],
            "new_account": True,
        },
        "group_approved": {"group": group},
        "group_rejected": {"group": group},
        "office_changed": {"group": group, "office": w["leader"], "ended": w["ended"][:1], "actor": actor},
        "office_changed/ended": {
            "group": group,
            "office": None,
            "ended": w["ended"][1:2],
            "actor": actor,
            "without_contact": True,
        },
        "offices_lapsed": {
            "group": group,
            "office": None,
            "ended": w["ended"][1:],
            "actor": None,
            "without_contact": True,
        },
        "join_requested": {"group": group, "join_request": w["join_request"](JoinRequest.Status.PENDING)},
        "join_answered/accepted": {
            "group": group,
            "join_request": w["join_request"](JoinRequest.Status.ACCEPTED, "Velkommen! Vi møtes neste tirsdag."),
        },
        "join_answered/declined": {
            "group": group,
            "join_request": w["join_request"](JoinRequest.Status.DECLINED),
        },
        "group_stopping": {"group": group, "actor": actor},
        "group_warned": {"group": group},
        "group_closed": {"group": group},
        "group_reopened": {"group": group},
        "statutes_published": {
            "group": group,
            "version": StatutesVersion(
                version="2026",
                published_on=TODAY,
                summary="Gruppa stiller seg bak vedtektene til Amnesty International Norge.",
                url="https://amnesty.no/vedtekter",
            ),
        },
    }


CASES = [
    "group_contact_named",
    "group_registered",
    "group_invitation",
    "group_invitation/new_account",
    "group_approved",
    "group_rejected",
    "office_changed",
    "office_changed/ended",
    "offices_lapsed",
    "join_requested",
    "join_answered/accepted",
    "join_answered/declined",
    "group_stopping",
    "group_warned",
    "group_closed",
    "group_reopened",
    "statutes_published",
]


def _names_used_by_the_services() -> set[str]:
    source = (Path(django_settings.BASE_DIR) / "groups" / "services.py").read_text()
    return set(re.findall(r'notify\(\s*[^"]*?,\s*"(\w+)"', source, re.DOTALL)) | set(
        re.findall(r'template="(\w+)"', source)
    )


def test_every_email_the_services_send_has_its_templates():
    names = _names_used_by_the_services()
    assert len(names) >= 13
    assert names == {case.split("/")[0] for case in CASES}
    folder = Path(django_settings.BASE_DIR) / "templates" / "email"
    for name in names:
        assert (folder / f"{name}.txt").is_file(), name
        assert (folder / f"{name}_subject.txt").is_file(), name
        assert len((folder / f"{name}_subject.txt").read_text().strip().splitlines()) == 1, name


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("case", CASES)
def test_email_renders(cast, case, language):
    name = case.split("/")[0]
    context = _contexts(cast)[case]
    recipient = cast["invitation"].person if case == "group_invitation/new_account" else cast["actor"]
    recipient.language = language

    subject, body = render(name, recipient, context)

    with translation.override(language):
        raw_subject = render_to_string(f"email/{name}_subject.txt", {**context, "recipient": recipient})
    assert "\n" not in raw_subject.strip()
    assert subject.strip() and "\n" not in subject
    assert GROUP_NAME in body
    assert recipient.first_name in body.splitlines()[0]
    if name != "group_rejected":  # the group is gone: nothing to link to
        assert django_settings.SITE_URL in body
    for leftover in ("&amp;", "&#x27;", "None", "{{", "{%"):
        assert leftover not in subject and leftover not in body, leftover
    assert "\n\n\n" not in body
    assert body.endswith("Norway\n") or body.endswith("Norge\n")
    assert not body.startswith("\n")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "en"])
def test_emails_carry_the_details(cast, language):
    recipient = cast["actor"]
    recipient.language = language
    contexts = _contexts(cast)
    group = cast["group"]

    _subject, body = render("group_warned", recipient, contexts["group_warned"])
    with translation.override(language):
        deadline = formats.date_format(group.warning_deadline, "SHORT_DATE_FORMAT")
    assert deadline in body and group.warning_message in body

    _subject, body = render("group_rejected", recipient, contexts["group_rejected"])
    assert group.rejection_reason in body

    _subject, body = render("group_closed", recipient, contexts["group_closed"])
    assert group.closing_reason in body

    _subject, body = render("offices_lapsed", recipient, contexts["offices_lapsed"])
    assert "Kari Nordmann" in body and "Arrangementsansvarlig" in body

    _subject, body = render("group_invitation", recipient, contexts["group_invitation/new_account"])
    assert cast["invitation"].token in body

    _subject, body = render("join_answered", recipient, contexts["join_answered/accepted"])
    assert "Velkommen! Vi møtes neste tirsdag." in body

    _subject, body = render("statutes_published", recipient, contexts["statutes_published"])
    assert "(2026)" in body and "https://amnesty.no/vedtekter" in body

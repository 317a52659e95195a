"""The welcome series end to end: a new member from the register import gets the series through the
outbox and a real SMTP server, day by day on a moved clock, up to the invitation to be active with
the groups and activities near them; joining a group stops the rest; and the unsubscribe link in a
delivered email works in Chromium without logging in, with the keyboard alone."""

import datetime
import importlib
import io
import re

import pytest
from django.apps import apps

from activists import welcome
from activists.member_import import import_members
from activists.models import ActivityIdea, ConsentChange, User, WelcomeEnrolment, WelcomeStep
from amnesty_portal import mail
from groups import services as group_services
from tests import factories as f
from tests.browser.test_accessibility import _violations
from tests.smtp_sink import SMTPSink

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "ny.medlem@example.org"


@pytest.fixture
def sink(settings, live_server):
    with SMTPSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.SITE_URL = live_server.url
        yield sink


@pytest.fixture
def world(db):
    """The default series (a flushed database lost it) with a follow-up step after the invitation,
    as an admin may add; a recognised open group in Voss with a contact; two activities."""
    if not WelcomeStep.objects.exists():
        importlib.import_module("activists.migrations.0004_default_welcome_series").add(apps, None)
    WelcomeStep.objects.create(day=60, subject="Hvordan går det?", body="En hilsen to måneder etter.")
    voss = f.Municipality.objects.get(number="4621")
    group = f.GroupFactory(name="Amnesty Voss", municipality=voss)
    f.make_contact(group, email="kontakt.voss@example.org")
    ActivityIdea.objects.all().delete()  # the catalogue of the data migration, if it is there
    ActivityIdea.objects.create(
        slug="skrivekafe", title="Skrivekafé på biblioteket", summary="Skriv brev for fanger.", how_to="…", order=1
    )
    ActivityIdea.objects.create(
        slug="foredrag", title="Et foredrag for en klasse", summary="Fortell om rettighetene.", how_to="…", order=2
    )
    return group


def _import_new_member(today):
    data = (
        "medlemsnummer;fornavn;etternavn;epost;status;medlem_fra;samtykke_epost;postnummer;sprak\n"
        f"9001;Nora;Ny;{EMAIL};betalende;{today.isoformat()};ja;5700;nb\n"
    ).encode()
    result = import_members(actor=None, file=io.BytesIO(data))
    assert result.new == 1
    return User.objects.get(email=EMAIL)


def _run(sink, day, expected):
    """The daily run on `day`, the outbox delivered to the SMTP sink; returns what arrived for the member."""
    before = len(_arrived(sink))
    welcome.send_due_steps(day)
    mail.deliver_all()
    arrived = sink.wait_for(lambda m: m["To"] == EMAIL, count=before + expected, timeout=10)
    assert len(arrived) == before + expected, [m["Subject"] for m in arrived]
    return arrived[before:]


def _arrived(sink):
    return [message for message in sink.messages if message["To"] == EMAIL]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_new_member_gets_the_series_up_to_the_invitation_and_unsubscribes(page, sink, world, live_server):
    today = datetime.date.today()
    person = _import_new_member(today)
    assert WelcomeEnrolment.objects.get(person=person).started_on == today

    steps = list(WelcomeStep.objects.order_by("day"))
    day = lambda n: today + datetime.timedelta(days=n)  # noqa: E731
    [first] = _run(sink, day(0), 1)
    assert first["Subject"] == steps[0].subject
    _run(sink, day(1), 0)  # nothing new the next day
    _run(sink, day(7), 1)
    _run(sink, day(7), 0)  # the same day again: nothing twice
    _run(sink, day(21), 1)
    [invitation] = _run(sink, day(45), 1)

    # The invitation: the group in Voss, activities, and the flow with the postal code filled in.
    assert invitation["Subject"] == WelcomeStep.objects.get(invites_to_engage=True).subject
    text = _text(invitation)
    assert "Amnesty Voss" in text
    assert f"{live_server.url}/grupper/{world.pk}/bli-med/" in text
    assert "Skrivekafé på biblioteket" in text and "Et foredrag for en klasse" in text
    flow = re.search(rf"{re.escape(live_server.url)}/engasjer-deg/\S*postal_code=5700\S*", text)
    assert flow, text
    assert str(invitation["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"

    # The member asks to join the group and its contact accepts: the series stops.
    join_request = group_services.request_to_join(actor=person, group=world, message="")
    contact = User.objects.get(email="kontakt.voss@example.org")
    group_services.answer_join_request(actor=contact, join_request=join_request, accept=True)
    enrolment = WelcomeEnrolment.objects.get(person=person)
    assert enrolment.stop_reason == WelcomeEnrolment.StopReason.ENGAGED
    _run(sink, day(60), 0)

    # The flow link from the email opens without logging in, with the postal code filled in.
    page.goto(flow.group(0))
    assert "5700" in page.content()

    # The unsubscribe link from the delivered email, in a browser that is not logged in.
    page.context.clear_cookies()
    link = re.search(r"https?://\S+/avmelding/\S+/", text).group(0)
    assert str(invitation["List-Unsubscribe"]).strip() == f"<{link}>"
    page.goto(link)
    assert _violations(page) == []
    person.refresh_from_db()
    assert person.email_consent is True  # opening the link changes nothing
    button = page.locator("main form button[type=submit]")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the unsubscribe button cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).count() == 1
    assert _violations(page) == []
    person.refresh_from_db()
    assert person.email_consent is False
    change = ConsentChange.objects.get(person=person)
    assert change.source == ConsentChange.Source.UNSUBSCRIBE_LINK and change.message_kind == "welcome_step"

"""One-click unsubscribe (RFC 8058) and consent: the headers and the link, a page that changes nothing
on GET, POST from the page or from the mail program without login, bad tokens, the record kept."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from activists import consent
from activists.models import ConsentChange, WelcomeEnrolment
from amnesty_portal import mail
from amnesty_portal.models import AuditEvent, OutboxMessage
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def person(settings):
    settings.SITE_URL = "https://portal.example.org"
    return f.PersonFactory(email="kari@example.org", email_consent=True, language="en")


def path_of(url: str) -> str:
    return url.removeprefix("https://portal.example.org")


def test_emails_of_a_series_carry_the_headers_and_a_link_in_the_persons_language(person):
    mail.notify([person], "welcome_step", {"subject": "Welcome", "body": "Hello."}, key="t", unsubscribe=True)
    row = OutboxMessage.objects.get()
    url = consent.unsubscribe_url(person, "welcome_step")
    assert url.startswith("https://portal.example.org/avmelding/")
    assert row.headers == {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert f"Unsubscribe from these emails: {url}" in row.text
    assert f'<a href="{url}"' in row.html and "Unsubscribe from these emails</a>" in row.html
    message = mail._message(row)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_other_emails_have_no_unsubscribe(person):
    mail.notify([person], "welcome_step", {"subject": "Welcome", "body": "Hello."}, key="t")
    row = OutboxMessage.objects.get()
    assert row.headers == {} and "/avmelding/" not in row.text and "/avmelding/" not in row.html


def test_opening_the_link_asks_and_changes_nothing(client, person):
    url = path_of(consent.unsubscribe_url(person, "welcome_step"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"Yes, unsubscribe me" in response.content
    person.refresh_from_db()
    assert person.email_consent is True
    assert not ConsentChange.objects.exists()


def test_the_button_unsubscribes_without_login_and_is_recorded(person):
    WelcomeEnrolment.objects.update_or_create(person=person, defaults={"started_on": "2026-03-01"})
    client = Client(enforce_csrf_checks=True)
    url = path_of(consent.unsubscribe_url(person, "welcome_step"))
    response = client.post(url)
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    person.refresh_from_db()
    assert person.email_consent is False
    change = ConsentChange.objects.get()
    assert (change.person, change.consent, change.source, change.message_kind) == (
        person,
        False,
        ConsentChange.Source.UNSUBSCRIBE_LINK,
        "welcome_step",
    )
    assert WelcomeEnrolment.objects.get(person=person).stop_reason == WelcomeEnrolment.StopReason.UNSUBSCRIBED
    event = AuditEvent.objects.get(action="consent.unsubscribed")
    assert event.actor == person and event.data["source"] == "link"


def test_the_mail_programs_one_click_post_works_without_csrf_token_or_session(person):
    client = Client(enforce_csrf_checks=True)
    url = path_of(consent.unsubscribe_url(person, "action_alert"))
    response = client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email_consent is False
    change = ConsentChange.objects.get()
    assert change.source == ConsentChange.Source.ONE_CLICK and change.message_kind == "action_alert"


def test_unsubscribing_twice_records_it_once(person):
    client = Client(enforce_csrf_checks=True)
    url = path_of(consent.unsubscribe_url(person, "welcome_step"))
    assert client.post(url).status_code == 200
    assert (
        client.post(
            url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )
    assert ConsentChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="consent.unsubscribed").count() == 1
    response = client.get(url)
    assert b"You have already unsubscribed" in response.content


@pytest.mark.parametrize(
    "token",
    [
        lambda p: consent.unsubscribe_token(p, "welcome_step")[:-2] + "xx",  # signature changed
        lambda p: signing.Signer(salt=consent.SALT).sign_object([p.pk + 1000, "welcome_step"]),  # nobody
        lambda p: signing.Signer(salt="another.purpose").sign_object([p.pk, "welcome_step"]),  # other salt
        lambda p: signing.Signer(salt=consent.SALT).sign_object({"person": p.pk}),  # not our shape
        lambda p: "not-a-token",
    ],
    ids=["tampered", "unknown person", "other salt", "other shape", "garbage"],
)
def test_a_bad_token_gives_404_and_changes_nothing(client, person, token):
    url = reverse("unsubscribe", args=[token(person)])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    person.refresh_from_db()
    assert person.email_consent is True
    assert not ConsentChange.objects.exists()


def test_a_person_turns_email_off_and_on_in_their_profile(client, person):
    client.force_login(person)
    form = {"first_name": "Kari", "last_name": "Nordmann", "phone": "", "birth_year": "1985", "gender": "woman"}
    form.update(postal_code="5003", language="en")
    assert client.post(reverse("activists:profile"), form).status_code == 302  # the box left unticked
    person.refresh_from_db()
    assert person.email_consent is False
    assert client.post(reverse("activists:profile"), {**form, "email_consent": "on"}).status_code == 302
    person.refresh_from_db()
    assert person.email_consent is True
    changes = list(ConsentChange.objects.order_by("at", "pk").values_list("consent", "source"))
    assert changes == [(False, "profile"), (True, "profile")]
    client.post(reverse("activists:profile"), {**form, "email_consent": "on", "first_name": "Kari Anne"})
    assert ConsentChange.objects.count() == 2  # only a change of consent is recorded

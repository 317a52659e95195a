"""Login: by email, mandatory verification, rate limits in the shared cache, TOTP for staff, logged."""

import os
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from amnesty_portal.mail import deliver_all
from amnesty_portal.models import OutboxMessage, SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def verified_person(**kwargs):
    person = f.PersonFactory(**kwargs)
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return person


def post_login(client, email, password=f.PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_verified_person_logs_in_by_email_and_it_is_logged(client):
    person = verified_person(email="kari@example.org")
    response = post_login(client, "KARI@example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    event = SecurityEvent.objects.get(kind="login")
    assert event.user == person
    assert event.ip_address == "127.0.0.1"


def test_failed_login_is_logged_with_the_name_given(client):
    verified_person(email="kari@example.org")
    response = post_login(client, "kari@example.org", "wrong password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = SecurityEvent.objects.get(kind="login_failed")
    assert event.identifier == "kari@example.org"
    assert event.ip_address == "127.0.0.1"


def test_signup_requires_email_verification(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "ola@example.org", "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # Until verified, logging in sends the person back to verification instead.
    response = post_login(client, "ola@example.org", "a long enough passphrase")
    assert "_auth_user_id" not in client.session
    deliver_all()
    assert len(mail.outbox) >= 1
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", mail.outbox[0].body).group(0)
    client.post(link.split("testserver", 1)[1])
    assert EmailAddress.objects.get(email="ola@example.org").verified


def test_password_reset_sends_a_link(client):
    verified_person(email="kari@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "kari@example.org"})
    assert response.status_code == 302
    # allauth's emails go through the outbox too: written in the request, then delivered.
    assert OutboxMessage.objects.filter(to="kari@example.org", kind="allauth:password_reset_key").count() == 1
    deliver_all()
    assert len(mail.outbox) == 1
    assert "/konto/password/reset/key/" in mail.outbox[0].body


def test_repeated_failed_logins_are_rate_limited(client):
    verified_person(email="kari@example.org")
    for attempt in range(5):
        response = post_login(client, "kari@example.org", f"wrong {attempt}")
        assert "form" in response.context and response.context["form"].errors
    # Even the right password is refused while the limit holds, with a message saying why.
    response = post_login(client, "kari@example.org")
    assert "_auth_user_id" not in client.session
    assert "For mange innloggingsforsøk" in str(response.context["form"].non_field_errors())


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="make test provides Redis")
def test_rate_limits_live_in_redis_when_configured():
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("probe", 1)
    assert cache.get("probe") == 1


def test_demo_password_is_refused_when_debug_is_off(client, settings):
    settings.DEBUG = False
    person = verified_person(email="demo@example.org")
    person.set_password(settings.DEMO_PASSWORD)
    person.save()
    assert post_login(client, "demo@example.org", settings.DEMO_PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind="login_failed", identifier="demo@example.org").exists()


def test_demo_password_cannot_be_chosen_when_debug_is_off(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    settings.DEBUG = False
    with pytest.raises(ValidationError):
        validate_password(settings.DEMO_PASSWORD)


def test_staff_without_totp_must_set_it_up_first(client, settings, world):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    for person in (world.leader, world.admin):
        client.force_login(person)
        response = client.get(reverse("groups:list"))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    client.force_login(world.member)
    assert client.get(reverse("groups:list")).status_code == 200


def _current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_staff_with_totp_give_a_code_after_the_password(client, settings, world):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    EmailAddress.objects.create(user=world.leader, email=world.leader.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(world.leader, secret)
    response = post_login(client, world.leader.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.leader.pk)
    assert client.get(reverse("regions:detail", args=["bergen"])).status_code == 200


def test_django_admin_uses_the_portal_login(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_pages_and_logins_work_while_the_redis_cache_is_away(client, settings):
    """With Redis unreachable the cache answers as an empty one: nobody sees an error page."""
    settings.CACHES = {
        "default": {
            "BACKEND": "amnesty_portal.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    verified_person(email="kari@example.org")
    post_login(client, "kari@example.org")
    assert "_auth_user_id" in client.session
    assert client.get(reverse("activists:profile")).status_code == 200

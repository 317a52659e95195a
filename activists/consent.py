"""Consent to email: one-click unsubscribe links and headers (RFC 8058), and recording each change.

Every email of a series (the welcome series, urgent actions) carries a link and a `List-Unsubscribe`
header with a signed token naming the person and the kind of email. The token needs no login and
does not expire: a link in a years-old email must still work. It only ever turns consent off, so a
leaked token can do no more than that. Every change of consent is kept as a `ConsentChange`.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from activists.models import ConsentChange, User, WelcomeEnrolment
from amnesty_portal import audit

# A token signed for unsubscribing is useless anywhere else that signs with the same key.
SALT = "activists.consent.unsubscribe"


def unsubscribe_token(person, kind: str) -> str:
    return signing.Signer(salt=SALT).sign_object([person.pk, kind])


def read_token(token: str) -> tuple[int, str]:
    """The person's id and the kind of email a token names. Raises `signing.BadSignature` if the
    token was not made here or was changed."""
    try:
        person_id, kind = signing.Signer(salt=SALT).unsign_object(token)
    except (ValueError, TypeError) as exc:  # signed by us but not the shape we sign: treat as tampered
        raise signing.BadSignature(str(exc)) from exc
    if not isinstance(person_id, int) or not isinstance(kind, str):
        raise signing.BadSignature("unexpected token content")
    return person_id, kind


def unsubscribe_url(person, kind: str) -> str:
    """The absolute address of the unsubscribe page for this person and kind of email."""
    path = reverse("unsubscribe", args=[unsubscribe_token(person, kind)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_headers(person, kind: str, *, url: str = "") -> dict:
    """RFC 2369 and RFC 8058 headers: mail programs show an unsubscribe button that POSTs to the URL
    (`url`, when the caller has it already)."""
    return {
        "List-Unsubscribe": f"<{url or unsubscribe_url(person, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@transaction.atomic
def unsubscribe(*, person: User, source: str, kind: str = "") -> bool:
    """Turn the person's consent to email off, record it, and stop their welcome series. Safe to
    call again (a mail program may POST twice): returns whether consent was on until now."""
    from activists.welcome import stop_series

    person = User.objects.select_for_update().get(pk=person.pk)
    changed = person.email_consent
    if changed:
        person.email_consent = False
        person.save(update_fields=["email_consent"])
        ConsentChange.objects.create(person=person, consent=False, source=source, message_kind=kind[:60])
        audit.record(actor=person, action="consent.unsubscribed", target=person, source=source, kind=kind)
    stop_series(person, WelcomeEnrolment.StopReason.UNSUBSCRIBED)
    return changed


def record_change(*, person: User, consent: bool, source: str, kind: str = "") -> ConsentChange:
    """Keep a change of consent made elsewhere (the person's profile, an admin): call it in the
    transaction that saved the change."""
    return ConsentChange.objects.create(person=person, consent=consent, source=source, message_kind=kind[:60])

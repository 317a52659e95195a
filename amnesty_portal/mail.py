"""Emails to people, each rendered in the recipient's own language and sent after the commit.

Every email the portal sends about its work goes through `notify()`, so that moving delivery to an
outbox (issue 4) changes this module only. Templates live in `templates/email/<name>_subject.txt`
and `templates/email/<name>.txt` and get `recipient` and `site_url` besides the given context.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)


def render(name: str, recipient, context: dict) -> tuple[str, str]:
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        body = render_to_string(f"email/{name}.txt", context)
    return subject, body


def notify(recipients, name: str, context: dict | None = None, *, cc=()) -> int:
    """Send one email per recipient (people with an email address; others are skipped) once the
    current transaction commits. `cc` people get a copy of each, or the email itself when there is
    no recipient to copy. Returns how many will be sent."""
    context = context or {}
    recipients, cc = list(recipients), list(cc)
    if cc and not any(getattr(person, "email", None) for person in recipients):
        # Nobody to copy: the people on copy are told directly (a group closed with no members).
        recipients, cc = cc, []
    cc_emails = sorted({person.email for person in cc if getattr(person, "email", None)})
    messages = []
    seen = set()
    for person in recipients:
        email = getattr(person, "email", None)
        if not email or email in seen:
            continue
        seen.add(email)
        subject, body = render(name, person, context)
        copies = [address for address in cc_emails if address != email]
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email], cc=copies))

    def send():
        for message in messages:
            try:
                message.send()
            except Exception:  # a mail server hiccup must not undo the change that was made
                log.exception("Could not send %r to %s", message.subject, message.to)

    if messages:
        transaction.on_commit(send)
    return len(messages)

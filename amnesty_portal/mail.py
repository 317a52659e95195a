"""The one path for email: written to the outbox in the transaction that caused it, delivered by a task.

`notify()` renders an email per recipient in the recipient's language (templates
`email/<name>_subject.txt` and `email/<name>.txt`, wrapped in `email/base.html` for the HTML part,
with a footer saying why it was sent) and writes it to `OutboxMessage` under an idempotency key:
writing the same key twice stores one row. `deliver()` sends what is due: it claims rows so that
two workers never send the same one, sends up to 100 over one SMTP connection, marks each row sent
as soon as the server has taken it, retries transient failures with backoff and records permanent
ones with the server's answer. A claim left by a worker that died is taken over after
`OUTBOX_CLAIM_TIMEOUT` seconds.
"""

import datetime
import logging
import os
import smtplib
import socket
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from amnesty_portal.models import OutboxMessage

log = logging.getLogger(__name__)

# Why a person gets each kind of email: the footer says it, in their language.
REASONS = {
    "group_contact_named": _("You get this email because you were named contact person of a group."),
    "group_registered": _("You get this email because you are the regional leader of the group's region."),
    "group_invitation": _("You get this email because a group invited you to join it."),
    "group_approved": _("You get this email because you are the group's contact person."),
    "group_rejected": _("You get this email because you registered the group."),
    "office_changed": _("You get this email because you follow up the group as regional leader."),
    "offices_lapsed": _("You get this email because you follow up the group or are its contact person."),
    "join_requested": _("You get this email because you are the group's contact person."),
    "join_answered": _("You get this email because you asked to join the group."),
    "group_stopping": _("You get this email because you follow up the group as regional leader."),
    "group_warned": _("You get this email because you are the group's contact person or follow it up."),
    "group_closed": _("You get this email because you are a member of the group or follow it up."),
    "group_reopened": _("You get this email because you are a member of the group or follow it up."),
    "statutes_published": _("You get this email because you are the group's contact person."),
    "report_reminder_before": _("You get this email because you are the group's contact person or one of its leaders."),
    "report_overdue": _("You get this email because you are the group's contact person or one of its leaders."),
    "report_second_overdue": _("You get this email because you are the group's contact person or one of its leaders."),
    "report_region_told": _("You get this email because you follow up the group as regional leader."),
    "report_feedback": _("You get this email because you are the group's contact person."),
    "erasure_confirmed": _("You get this email because you asked for your personal data to be erased."),
    "erasure_refused": _("You get this email because you asked for your personal data to be erased."),
    "welcome_step": _("You get this email because you became a member of Amnesty International Norway."),
    "gathering_invitation": _("You get this email because you are registered as an individual activist."),
    "action_alert": _(
        "You get this email because you are active in Amnesty, in a group or as an individual activist, "
        "and have agreed to receive email from us."
    ),
}
DEFAULT_REASON = _("You get this email because you have an account in Amnesty-portalen.")
UNSUBSCRIBE_LINE = _("Unsubscribe from these emails: %(url)s")


def render(name: str, recipient, context: dict) -> tuple[str, str]:
    """The subject and the text an email template gives, in the recipient's language."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        text = render_to_string(f"email/{name}.txt", context)
    return subject, text


def render_all(name: str, recipient, context: dict, *, unsubscribe_url: str = "") -> tuple[str, str, str]:
    """Subject, plain text and HTML, each with the footer saying why the person gets it (and, for
    a series the person may leave, the link to unsubscribe)."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    subject, text = render(name, recipient, context)
    with translation.override(language):
        why = str(REASONS.get(name, DEFAULT_REASON))
        html = render_to_string(
            "email/base.html",
            {
                "subject": subject,
                "text": text,
                "reason": why,
                "language": language,
                "unsubscribe_url": unsubscribe_url,
            },
        )
        footer = f"{why}\n{UNSUBSCRIBE_LINE % {'url': unsubscribe_url}}\n" if unsubscribe_url else f"{why}\n"
    return subject, f"{text.rstrip()}\n\n-- \n{footer}", html


def notify(
    recipients, name: str, context: dict | None = None, *, key: str, cc=(), batch: str = "", unsubscribe: bool = False
) -> int:
    """Write one email per recipient (people with an address; others are skipped) to the outbox,
    in the current transaction, under `key:<recipient>`. `cc` people get a copy of each, or the
    email itself when there is nobody to copy. `batch` names the mailing the rows belong to (an
    urgent action), for counting its delivery. `unsubscribe` adds a one-click unsubscribe link
    and headers (`activists.consent`), for series a person may leave. Returns how many rows were written."""
    return enqueue(build(recipients, name, context or {}, key=key, cc=cc, batch=batch, unsubscribe=unsubscribe))


def build(
    recipients, name: str, context: dict, *, key: str, cc=(), batch: str = "", unsubscribe: bool = False
) -> list[OutboxMessage]:
    """The outbox rows `notify` writes, unsaved: a sweep builds many and stores them in a few INSERTs."""
    recipients, cc = list(recipients), list(cc)
    if cc and not any(getattr(person, "email", None) for person in recipients):
        # Nobody to copy: the people on copy are told directly (a group closed with no members).
        recipients, cc = cc, []
    cc_emails = sorted({person.email for person in cc if getattr(person, "email", None)})
    rows, seen = [], set()
    for person in recipients:
        email = getattr(person, "email", None)
        if not email or email in seen:
            continue
        seen.add(email)
        headers, link = {}, ""
        if unsubscribe and person.pk:
            from activists.consent import unsubscribe_headers, unsubscribe_url

            link = unsubscribe_url(person, name)
            headers = unsubscribe_headers(person, name, url=link)
        subject, text, html = render_all(name, person, context, unsubscribe_url=link)
        rows.append(
            OutboxMessage(
                key=f"{key}:{person.pk or email}"[:200],
                kind=name,
                recipient=person if person.pk else None,
                to=email,
                cc=[address for address in cc_emails if address != email],
                subject=subject[:300],
                text=text,
                html=html,
                batch=batch,
                headers=headers,
            )
        )
    return rows


def enqueue(rows: list[OutboxMessage]) -> int:
    """Store rows (a key already there is kept as it is) and ask a worker to deliver after commit."""
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(wake_delivery)
    return len(rows)


def wake_delivery():
    """Ask a worker to deliver now. If the broker is down, the periodic run delivers later."""
    from amnesty_portal.tasks import deliver_outbox_task

    app = deliver_outbox_task.app
    try:
        if app.conf.task_always_eager:
            deliver_outbox_task.apply_async()
            return
        with app.pool.acquire(block=True) as connection:
            # One try, no waiting: kombu would otherwise retry connecting for seconds on every
            # commit, holding up the request that wrote the mail while the broker is away.
            connection.ensure_connection(max_retries=0)
            deliver_outbox_task.apply_async(retry=False, connection=connection)
    except Exception:  # the broker being away must never fail the change that wrote the mail
        log.warning("Could not reach the task broker; the outbox will be delivered by the next periodic run.")


# --- Delivery ----------------------------------------------------------------------------------

BATCH_SIZE = 100
# Transient failures are retried after 1, 2, 4 … minutes, up to this many attempts in all.
MAX_ATTEMPTS = 8


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "OUTBOX_CLAIM_TIMEOUT", 300))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(batch_size: int = BATCH_SIZE, worker: str | None = None) -> list[OutboxMessage]:
    """Take up to `batch_size` due rows for this worker. Rows another worker holds are skipped."""
    worker = worker or worker_name()
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.due(now, claim_timeout())
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        # The conditional update is the claim; on SQLite (no row locks) it is what keeps two
        # workers apart.
        OutboxMessage.objects.due(now, claim_timeout()).filter(pk__in=ids).update(
            status=OutboxMessage.Status.SENDING, claimed_at=now, claimed_by=worker
        )
    # Sent oldest first, in the order they were claimed (not the model's newest-first ordering).
    return list(
        OutboxMessage.objects.filter(pk__in=ids, claimed_by=worker, status=OutboxMessage.Status.SENDING).order_by(
            "next_attempt_at", "pk"
        )
    )


def _message(row: OutboxMessage) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        row.subject,
        row.text,
        settings.DEFAULT_FROM_EMAIL,
        [row.to],
        cc=row.cc,
        headers={**row.headers, "X-Amnesty-Portal-Key": row.key, "Auto-Submitted": "auto-generated"},
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _answer in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _answer(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
            for address, (code, answer) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {error}"
    return f"{type(exc).__name__}: {exc}"


def _finish(row: OutboxMessage, worker: str, **fields):
    """Record a row's outcome, only if this worker still holds it."""
    OutboxMessage.objects.filter(pk=row.pk, claimed_by=worker, status=OutboxMessage.Status.SENDING).update(**fields)


def deliver(batch_size: int = BATCH_SIZE, worker: str | None = None) -> dict:
    """Deliver one batch over one SMTP connection. Safe to run in many workers at once."""
    worker = worker or worker_name()
    rows = claim(batch_size, worker)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not rows:
        return counts
    connection = get_connection(fail_silently=False)
    # A batch that takes longer than the claim timeout must not have its later rows taken over, and
    # sent twice, by another worker: what is left of it is renewed (one UPDATE) every third of the
    # timeout. A row another worker has taken over meanwhile is left to it.
    renew_every = claim_timeout() / 3
    renewed_at, held = timezone.now(), {row.pk for row in rows}
    try:
        for index, row in enumerate(rows):
            now = timezone.now()
            if now - renewed_at >= renew_every:
                held = _renew([later.pk for later in rows[index:]], worker, now)
                renewed_at = now
            if row.pk not in held:
                continue
            try:
                connection.open()
                connection.send_messages([_message(row)])
            except Exception as exc:
                attempts = row.attempts + 1
                if _is_permanent(exc) or attempts >= MAX_ATTEMPTS:
                    counts["failed"] += 1
                    _finish(row, worker, status=OutboxMessage.Status.FAILED, attempts=attempts, last_error=_answer(exc))
                else:
                    counts["retry"] += 1
                    delay = datetime.timedelta(minutes=2 ** (attempts - 1))
                    _finish(
                        row,
                        worker,
                        status=OutboxMessage.Status.PENDING,
                        attempts=attempts,
                        next_attempt_at=now + delay,
                        last_error=_answer(exc),
                    )
                # A refusal leaves the session usable; anything else (a dropped connection, a
                # timeout) means opening a new one for the next row.
                if not isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                    _close(connection)
                continue
            # Marked sent the moment the server took it: a worker killed after this loses nothing
            # and sends nothing twice; only a kill between the two can repeat this one message.
            counts["sent"] += 1
            _finish(
                row, worker, status=OutboxMessage.Status.SENT, attempts=row.attempts + 1, sent_at=now, last_error=""
            )
    finally:
        _close(connection)
    return counts


def _renew(ids: list[int], worker: str, now) -> set[int]:
    """Renew this worker's claim on these rows; returns the ones it still holds."""
    still = OutboxMessage.objects.filter(pk__in=ids, claimed_by=worker, status=OutboxMessage.Status.SENDING)
    still.update(claimed_at=now)
    return set(still.values_list("pk", flat=True))


def _close(connection):
    try:
        connection.close()
    except Exception:  # closing a broken connection must not hide the outcome
        log.debug("Closing the SMTP connection failed", exc_info=True)


def deliver_all(batch_size: int = BATCH_SIZE, limit: int = 10_000) -> dict:
    """Deliver batches until nothing is due (or `limit` rows were handled)."""
    total = {"sent": 0, "retry": 0, "failed": 0}
    worker = worker_name()
    while sum(total.values()) < limit:
        counts = deliver(batch_size, worker)
        for name, value in counts.items():
            total[name] += value
        if not any(counts.values()):
            break
    return total


def retry(row: OutboxMessage) -> bool:
    """An admin sends a failed message again."""
    return bool(
        OutboxMessage.objects.filter(pk=row.pk, status=OutboxMessage.Status.FAILED).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now(), attempts=0, claimed_by=""
        )
    )

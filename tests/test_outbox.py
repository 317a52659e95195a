"""The outbox (amnesty_portal.mail): written in the caller's transaction under an idempotency key,
rendered in the recipient's language with a footer saying why, claimed so that two deliveries never
send the same row, retried with backoff, and sent again by an admin. The faults a real deployment
meets (killed workers, Redis down, a misbehaving SMTP server) are in test_outbox_faults.py."""

import datetime
import smtplib
import threading

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from amnesty_portal import mail
from amnesty_portal.models import AuditEvent, OutboxMessage
from tests import factories as f

CHANGELIST = "admin:amnesty_portal_outboxmessage_changelist"
Status = OutboxMessage.Status

pytestmark = pytest.mark.django_db


def rows(count, prefix="row", **fields):
    made = [
        OutboxMessage(
            key=f"{prefix}:{i}", kind="test", to=f"{prefix}{i}@example.org", subject=f"{prefix} {i}", text="Hei."
        )
        for i in range(count)
    ]
    for row in made:
        for name, value in fields.items():
            setattr(row, name, value)
    OutboxMessage.objects.bulk_create(made)
    return list(OutboxMessage.objects.filter(key__startswith=f"{prefix}:").order_by("pk"))


# --- Writing -------------------------------------------------------------------------------------


def test_the_same_key_twice_stores_one_row(world):
    first = mail.notify([world.contact], "group_approved", {"group": world.group}, key="approved:1")
    world.group.name = "Another name"
    mail.notify([world.contact], "group_approved", {"group": world.group}, key="approved:1")

    [row] = OutboxMessage.objects.all()
    assert first == 1
    assert (row.key, row.to, row.recipient, row.status) == (
        f"approved:1:{world.contact.pk}",
        "contact@example.org",
        world.contact,
        Status.PENDING,
    )
    assert "Amnesty Bergen sentrum" in row.subject  # the first row is kept as it was


def test_notify_skips_people_without_an_address_and_sends_each_address_once(world):
    nobody = f.PersonFactory(email=None)

    written = mail.notify([world.contact, nobody, world.contact], "group_approved", {"group": world.group}, key="k")

    assert written == 1
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["contact@example.org"]


def test_notify_writes_in_the_callers_transaction_and_nothing_when_it_rolls_back(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        mail.notify([world.contact], "group_approved", {"group": world.group}, key="rolled-back")
        assert OutboxMessage.objects.filter(key__startswith="rolled-back:").exists()
        raise Boom

    assert not OutboxMessage.objects.exists()
    assert callbacks == [] and mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            mail.notify([world.contact], "group_approved", {"group": world.group}, key="committed")
        assert mailoutbox == []  # nothing is sent before the commit

    assert len(callbacks) == 1  # the wake-up, after the commit
    assert [message.to for message in mailoutbox] == [["contact@example.org"]]
    assert OutboxMessage.objects.get().status == Status.SENT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second connection to the same database")
@pytest.mark.django_db(transaction=True)
def test_other_connections_see_the_row_only_after_the_commit(world):
    seen = {}

    def look(name):
        seen[name] = OutboxMessage.objects.filter(key__startswith="visible:").exists()
        connections.close_all()

    with transaction.atomic():
        mail.notify([world.contact], "group_approved", {"group": world.group}, key="visible")
        thread = threading.Thread(target=look, args=("inside",))
        thread.start()
        thread.join()
    thread = threading.Thread(target=look, args=("after",))
    thread.start()
    thread.join()

    assert seen == {"inside": False, "after": True}


# --- Rendering -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_email_has_an_html_part_and_a_footer_with_the_reason_in_the_recipients_language(
    world, mailoutbox, language, django_capture_on_commit_callbacks
):
    world.contact.language = language
    world.contact.first_name = "Sigrid"
    world.contact.save()

    with django_capture_on_commit_callbacks(execute=True):
        mail.notify([world.contact], "group_approved", {"group": world.group}, key="render")

    [message] = mailoutbox
    with translation.override(language):
        reason = str(mail.REASONS["group_approved"])
        greeting = translation.gettext("Hi %(name)s,") % {"name": "Sigrid"}
    assert message.body.startswith(greeting)
    assert message.body.endswith(f"\n\n-- \n{reason}\n")
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    assert reason.replace("'", "&#x27;") in html
    assert "Amnesty Bergen sentrum" in html and "Sigrid" in html
    assert message.extra_headers["X-Amnesty-Portal-Key"] == f"render:{world.contact.pk}"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_footer_is_translated_for_the_recipient(world, monkeypatch):
    """Whatever the catalogue holds for the footers: a reason is rendered in the recipient's
    language, not the language of the request that wrote it."""
    monkeypatch.setitem(mail.REASONS, "group_approved", gettext_lazy("Best wishes,"))
    norwegian = f.PersonFactory(language="nb")
    english = f.PersonFactory(language="en")

    with translation.override("en"):
        _subject, nb_text, nb_html = mail.render_all("group_approved", norwegian, {"group": world.group})
    with translation.override("nb"):
        _subject, en_text, en_html = mail.render_all("group_approved", english, {"group": world.group})

    assert nb_text.endswith("-- \nVennlig hilsen\n") and "Vennlig hilsen" in nb_html
    assert en_text.endswith("-- \nBest wishes,\n") and "Best wishes," in en_html


# --- Claiming ------------------------------------------------------------------------------------


def test_a_claim_takes_due_rows_oldest_first_and_skips_rows_another_worker_holds():
    older, held, newer, later = rows(4)
    OutboxMessage.objects.filter(pk=held.pk).update(
        status=Status.SENDING, claimed_by="other", claimed_at=timezone.now()
    )
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))

    claimed = mail.claim(worker="me")

    assert [row.pk for row in claimed] == [older.pk, newer.pk]
    assert {row.status for row in claimed} == {Status.SENDING}
    assert OutboxMessage.objects.get(pk=held.pk).claimed_by == "other"
    assert mail.claim(worker="third") == []  # everything due is held


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_claim_skips_rows_locked_by_a_claim_in_progress_without_waiting():
    locked, free = rows(2)
    holding, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            list(OutboxMessage.objects.select_for_update().filter(pk=locked.pk))
            holding.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(10)
        claimed = mail.claim(worker="me")
    finally:
        release.set()
        thread.join()

    assert [row.pk for row in claimed] == [free.pk]


def test_a_stale_claim_is_taken_over_and_the_first_workers_late_outcome_is_ignored(settings):
    settings.OUTBOX_CLAIM_TIMEOUT = 60
    [row] = rows(1)
    [claimed] = mail.claim(worker="dead")
    OutboxMessage.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - datetime.timedelta(seconds=59))
    assert mail.claim(worker="alive") == []  # not stale yet

    OutboxMessage.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - datetime.timedelta(seconds=61))
    [taken] = mail.claim(worker="alive")
    mail._finish(claimed, "dead", status=Status.FAILED, last_error="too late")

    taken.refresh_from_db()
    assert (taken.status, taken.claimed_by, taken.last_error) == (Status.SENDING, "alive", "")


class HookBackend(BaseEmailBackend):
    """Sends into `sent`; `hook(message)` runs before each message and may raise."""

    sent: list = []
    hook = None

    def send_messages(self, messages):
        for message in messages:
            if HookBackend.hook:
                HookBackend.hook(message)
            HookBackend.sent.append(message)
        return len(messages)


@pytest.fixture
def backend(settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.HookBackend"
    HookBackend.sent, HookBackend.hook = [], None
    yield HookBackend
    HookBackend.sent, HookBackend.hook = [], None


def test_a_worker_whose_batch_outlasts_the_claim_timeout_leaves_taken_over_rows_alone(settings, backend, monkeypatch):
    """A batch slower than the claim timeout (the worker stalled): another worker takes over the
    rows not sent yet, and the first worker, renewing what is left of its batch every third of the
    timeout, finds them gone and does not send them twice."""
    settings.OUTBOX_CLAIM_TIMEOUT = 60
    first, *rest = rows(4)
    taken_over = []
    clock = {"now": timezone.now()}
    monkeypatch.setattr(mail.timezone, "now", lambda: clock["now"])

    def the_batch_is_slow(message):
        if not taken_over:
            # Five minutes pass during the first message: the other rows' claims go stale.
            clock["now"] += datetime.timedelta(minutes=5)
            taken_over.extend(mail.claim(worker="second"))

    backend.hook = the_batch_is_slow

    counts = mail.deliver(worker="first")

    # The stalled worker sent the message it was on, and none of the rows taken over from it.
    assert {row.pk for row in rest} <= {row.pk for row in taken_over}
    assert counts["sent"] == 1
    assert [message.to for message in backend.sent] == [[first.to]]
    assert set(OutboxMessage.objects.exclude(pk=first.pk).values_list("status", "claimed_by")) == {
        (Status.SENDING, "second")
    }


def test_delivery_sends_oldest_first(backend):
    made = rows(5)

    mail.deliver_all()

    assert [message.to[0] for message in backend.sent] == [row.to for row in made]


# --- Failing and retrying ------------------------------------------------------------------------


def test_transient_failures_are_retried_after_1_2_4_minutes_and_so_on_then_recorded_as_failed(backend):
    def disconnect(message):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    backend.hook = disconnect
    [row] = rows(1)
    delays = []
    for attempt in range(1, mail.MAX_ATTEMPTS):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        assert mail.deliver() == {"sent": 0, "retry": 1, "failed": 0}
        after = timezone.now()
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.PENDING, attempt)
        assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        delay = datetime.timedelta(minutes=2 ** (attempt - 1))
        assert before + delay <= row.next_attempt_at <= after + delay
        delays.append(round((row.next_attempt_at - before).total_seconds() / 60))
        assert mail.deliver() == {"sent": 0, "retry": 0, "failed": 0}  # not due before then

    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert mail.deliver() == {"sent": 0, "retry": 0, "failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, mail.MAX_ATTEMPTS)
    assert delays == [1, 2, 4, 8, 16, 32, 64]


@pytest.mark.parametrize(
    "error, permanent, answer",
    [
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), True, "554 5.7.1 Message rejected"),
        (smtplib.SMTPDataError(451, b"4.3.0 Try again later"), False, "451 4.3.0 Try again later"),
        (
            smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 User unknown")}),
            True,
            "a@example.org: 550 5.1.1 User unknown",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"4.2.1 Mailbox busy")}),
            False,
            "a@example.org: 450 4.2.1 Mailbox busy",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            False,
            "ConnectionRefusedError: [Errno 111] Connection refused",
        ),
    ],
)
def test_a_permanent_failure_is_recorded_at_once_with_the_servers_answer(backend, error, permanent, answer):
    def fail(message):
        raise error

    backend.hook = fail
    first, second = rows(2)

    counts = mail.deliver()

    assert counts == ({"sent": 0, "retry": 0, "failed": 2} if permanent else {"sent": 0, "retry": 2, "failed": 0})
    for row in (first, second):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (
            Status.FAILED if permanent else Status.PENDING,
            1,
            answer,
        )


def test_retry_puts_a_failed_row_back_and_leaves_others_alone():
    failed, sent = rows(2)
    OutboxMessage.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=8, claimed_by="w")
    OutboxMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)

    assert mail.retry(failed) and not mail.retry(sent)

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.claimed_by) == (Status.PENDING, 0, "")
    assert failed.next_attempt_at <= timezone.now()
    assert OutboxMessage.objects.get(pk=sent.pk).status == Status.SENT


# --- The admin -----------------------------------------------------------------------------------


def test_an_admin_sends_failed_emails_again_and_it_is_audited(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    failed, other_failed, sent = rows(3)
    OutboxMessage.objects.filter(pk__in=[failed.pk, other_failed.pk]).update(
        status=Status.FAILED, attempts=1, last_error="550 5.1.1 User unknown"
    )
    OutboxMessage.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=timezone.now())
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk], "index": 0},
            follow=True,
        )

    assert response.status_code == 200
    with translation.override(django_settings.LANGUAGE_CODE):
        expected = ngettext("%(count)s email will be sent again.", "%(count)s emails will be sent again.", 1) % {
            "count": 1
        }
    assert [str(message) for message in response.context["messages"]] == [expected]
    [event] = AuditEvent.objects.filter(action="outbox.retried")
    assert (event.actor, event.data) == (world.admin, {"count": 1})
    # Delivered again after the commit; the row not selected and the sent one are left alone.
    assert [message.to for message in mailoutbox] == [[failed.to]]
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {failed.pk: Status.SENT, other_failed.pk: Status.FAILED, sent.pk: Status.SENT}


def test_sending_again_rows_that_did_not_fail_changes_nothing_and_audits_nothing(world, client):
    [sent] = rows(1, status=Status.SENT)
    client.force_login(world.admin)

    response = client.post(reverse(CHANGELIST), {"action": "send_again", "_selected_action": [sent.pk], "index": 0})

    assert response.status_code == 302
    assert OutboxMessage.objects.get().status == Status.SENT
    assert not AuditEvent.objects.filter(action="outbox.retried").exists()


def test_the_outbox_admin_pages_render_for_an_admin(world, client):
    [row] = rows(1, status=Status.FAILED, last_error="550 5.1.1 <row0@example.org>: User unknown")
    client.force_login(world.admin)

    for url in [
        reverse(CHANGELIST),
        reverse(CHANGELIST) + "?status__exact=failed",
        reverse(CHANGELIST) + "?q=row0",
        reverse("admin:amnesty_portal_outboxmessage_change", args=[row.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "row0@example.org" in response.content.decode(), url
    assert "550 5.1.1" in response.content.decode()  # the server's answer, on the row's page
    assert client.get(reverse("admin:amnesty_portal_outboxmessage_add")).status_code == 403


def test_the_outbox_admin_is_closed_to_people_who_are_not_staff(world, client):
    client.force_login(world.contact)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))

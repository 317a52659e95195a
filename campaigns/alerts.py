"""Urgent actions (seed 002: mobilise quickly in a human-rights crisis): who gets an alert, writing
and sending it once through the outbox, and counting its delivery."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activists.models import IndividualActivist, User
from amnesty_portal import audit, mail, privacy
from amnesty_portal.models import AuditEvent, OutboxMessage
from campaigns.models import ActionAlert
from groups.models import Group, GroupMembership

EMAIL = "action_alert"
# People rendered and written to the outbox per round: memory stays flat however many get the alert.
CHUNK = 500


class AlertError(Exception):
    """An alert that cannot be changed or sent, with a message for the admin who tried."""

    def __init__(self, message: str, field: str | None = None, revision: int | None = None):
        super().__init__(message)
        self.message, self.field, self.revision = message, field, revision


# --- Who gets an alert ----------------------------------------------------------------------------


def audience(region_ids=(), theme_ids=()):
    """Consenting activists in those regions working on those themes (empty: all), each once.

    Active means a current member of a recognised group (its region and priority areas count) or
    an individual activist who has not stopped (the region of their postal code, their themes).
    One query, whatever the number of groups and people."""
    region_ids, theme_ids = list(region_ids), list(theme_ids)
    today = timezone.localdate()
    memberships = GroupMembership.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today), group__status=Group.Status.RECOGNISED
    )
    activists = IndividualActivist.objects.active()
    if region_ids:
        memberships = memberships.filter(group__region_id__in=region_ids)
        activists = activists.filter(person__postal_code__municipality__county__region_id__in=region_ids)
    if theme_ids:
        memberships = memberships.filter(group__priority_areas__in=theme_ids)
        activists = activists.filter(themes__in=theme_ids)
    return (
        User.objects.filter(email_consent=True, email__isnull=False, erased_at__isnull=True, is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=memberships.values("person_id")) | Q(pk__in=activists.values("person_id")))
    )


def chosen(alert: ActionAlert) -> tuple[list[int], list[int]]:
    """The primary keys of the alert's regions and themes (two queries)."""
    return (
        list(alert.regions.order_by("pk").values_list("pk", flat=True)),
        list(alert.themes.order_by("pk").values_list("pk", flat=True)),
    )


def recipients(alert: ActionAlert):
    """The people the alert goes to, as a queryset."""
    region_ids, theme_ids = chosen(alert)
    return audience(region_ids, theme_ids)


def preview_count(region_ids=(), theme_ids=()) -> privacy.Cell:
    """How many would get an alert sent to these regions and themes, as admins may see it: "<5"
    under five, 0 as 0."""
    return privacy.protect(audience(region_ids, theme_ids).count())


# --- Writing and sending --------------------------------------------------------------------------


TEXT_FIELDS = ("title", "body", "action_url")


def _set(alert: ActionAlert, data: dict):
    for field in TEXT_FIELDS:
        if field in data:
            setattr(alert, field, (data[field] or "").strip())


def _described(alert: ActionAlert) -> dict:
    regions, themes = chosen(alert)
    return {"title": alert.title, "action_url": alert.action_url, "regions": regions, "themes": themes}


@transaction.atomic
def create_alert(*, actor: User, data: dict) -> ActionAlert:
    """An admin writes a draft. Nothing is sent until `send_alert`."""
    alert = ActionAlert(created_by=actor)
    _set(alert, data)
    alert.save()
    alert.regions.set(data.get("regions") or [])
    alert.themes.set(data.get("themes") or [])
    audit.record(actor=actor, action="alert.created", target=alert, **_described(alert))
    return alert


def _changed(alert: ActionAlert, *, sending: bool = False) -> AlertError:
    """Refusal for a stale form or confirmation: who saved the draft last, and when."""
    last = (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(ActionAlert),
            target_id=str(alert.pk),
            action__in=["alert.created", "alert.updated"],
        )
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    params = {
        "name": last.actor if last is not None and last.actor is not None else _("Another admin"),
        "time": formats.date_format(timezone.localtime(last.at if last else alert.created_at), "SHORT_DATETIME_FORMAT"),
    }
    if sending:
        message = _(
            "%(name)s changed this urgent action at %(time)s, after you opened this page. Nothing was "
            "sent: check who gets it now, then send it again."
        )
    else:
        message = _(
            "%(name)s saved this urgent action at %(time)s, after you opened it. Nothing of yours was "
            "saved: your text is still in the form, and the version saved now is shown above it. "
            "Compare the two, then save again."
        )
    return AlertError(message % params, revision=alert.revision)


def _already_sent(alert: ActionAlert) -> AlertError:
    return AlertError(
        _("This urgent action was sent by %(name)s at %(time)s; it can no longer be changed or sent again.")
        % {
            "name": alert.sent_by or _("another admin"),
            "time": formats.date_format(timezone.localtime(alert.sent_at), "SHORT_DATETIME_FORMAT")
            if alert.sent_at
            else "",
        }
    )


@transaction.atomic
def update_alert(*, actor: User, alert: ActionAlert, revision: int, data: dict) -> ActionAlert:
    """Change a draft. A form loaded before someone else saved is refused, so that nothing is lost.

    `data` may hold only some of title, body, action_url, regions and themes (the preview page
    changes only who gets it)."""
    alert = ActionAlert.objects.select_for_update(of=("self",)).select_related("sent_by").get(pk=alert.pk)
    if alert.status != ActionAlert.Status.DRAFT:
        raise _already_sent(alert)
    if alert.revision != revision:
        raise _changed(alert)
    _set(alert, data)
    alert.revision += 1
    alert.save(update_fields=[*TEXT_FIELDS, "revision"])
    if "regions" in data:
        alert.regions.set(data["regions"] or [])
    if "themes" in data:
        alert.themes.set(data["themes"] or [])
    audit.record(actor=actor, action="alert.updated", target=alert, **_described(alert))
    return alert


def _context(alert: ActionAlert) -> dict:
    """What the email template shows: the alert, and the names of its regions and themes (why the
    person gets it)."""
    return {
        "alert": alert,
        "regions": list(alert.regions.order_by("name").values_list("name", flat=True)),
        "themes": list(alert.themes.values_list("name", flat=True)),
    }


def render_preview(alert: ActionAlert, person: User) -> OutboxMessage:
    """The email as `person` would get it (unsaved): the preview shows an admin their own copy."""
    rows = mail.build([person], EMAIL, _context(alert), key=f"preview:{alert.pk}", batch="", unsubscribe=True)
    if rows:
        return rows[0]
    subject, text, html = mail.render_all(EMAIL, person, _context(alert))
    return OutboxMessage(subject=subject, text=text, html=html)


@transaction.atomic
def send_alert(*, actor: User, alert: ActionAlert, revision: int) -> ActionAlert:
    """Send a draft to everyone it is meant for, once: claimed by a conditional UPDATE, so a double
    click or two admins at once send it one time; the second is told who sent it."""
    now = timezone.now()
    claimed = ActionAlert.objects.filter(pk=alert.pk, status=ActionAlert.Status.DRAFT, revision=revision).update(
        status=ActionAlert.Status.SENT, sent_by=actor, sent_at=now, revision=F("revision") + 1
    )
    if not claimed:
        current = ActionAlert.objects.select_related("sent_by").get(pk=alert.pk)
        if current.status == ActionAlert.Status.SENT:
            raise _already_sent(current)
        raise _changed(current, sending=True)
    alert = ActionAlert.objects.get(pk=alert.pk)
    context = _context(alert)
    people = recipients(alert).order_by("pk")
    written, last = 0, 0
    while True:
        # Keyset pages: each round holds CHUNK people and their emails, and no more.
        chunk = list(people.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            break
        rows = mail.build(chunk, EMAIL, context, key=alert.batch, batch=alert.batch, unsubscribe=True)
        written += mail.enqueue(rows)
        last = chunk[-1].pk
    ActionAlert.objects.filter(pk=alert.pk).update(recipient_count=written)
    alert.recipient_count = written
    audit.record(
        actor=actor,
        action="alert.sent",
        target=alert,
        recipients=written,
        **{k: context[k] for k in ("regions", "themes")},
    )
    return alert


# --- Delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far the alert's emails have come, each figure protected ("<5" under five)."""

    pending: privacy.Cell
    sending: privacy.Cell
    sent: privacy.Cell
    failed: privacy.Cell
    total: privacy.Cell
    done_share: privacy.Cell  # sent or failed, as a percentage of all; hidden with its figures
    in_progress: bool  # something is still waiting or being sent: the page keeps polling

    @property
    def rows(self) -> list[tuple[str, privacy.Cell]]:
        return [
            (_("waiting to be sent"), self.pending),
            (_("being sent"), self.sending),
            (_("sent"), self.sent),
            (_("failed"), self.failed),
        ]


STATUSES = [
    OutboxMessage.Status.PENDING,
    OutboxMessage.Status.SENDING,
    OutboxMessage.Status.SENT,
    OutboxMessage.Status.FAILED,
]


def progress(alert: ActionAlert) -> Progress:
    """The alert's outbox rows counted by status, in one query. They are messages to people, so
    the counts follow the privacy rule as a row with its total: a count under five is hidden, and
    so is the next smallest where the hidden one could be worked out from the total."""
    counts = OutboxMessage.objects.filter(batch=alert.batch).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in STATUSES}
    )
    values = [counts[status] for status in STATUSES]
    table = privacy.Table(
        name="progress", title="", rows=[""], columns=list(STATUSES), counts=[values], total_column=True
    )
    pending, sending, sent, failed, total = table.cells[0]
    # The share is computed only from shown figures (share() hides it otherwise, and when nothing
    # was written yet).
    done = privacy.Cell(None if sent.hidden or failed.hidden else sent.value + failed.value)
    return Progress(
        pending=pending,
        sending=sending,
        sent=sent,
        failed=failed,
        total=total,
        done_share=privacy.share(done, total),
        in_progress=bool(values[0] or values[1]),
    )

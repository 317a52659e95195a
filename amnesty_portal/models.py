"""Cross-cutting records: the audit trail of people's changes, the security log and the outbox of email."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who changed what, when, on which object and why. Never edited, never deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("what"), max_length=100)
    # A default rather than auto_now_add: history written after the fact (demo data) keeps its dates.
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(_("object"), max_length=300, blank=True)
    reason = models.TextField(_("why"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class SecurityEvent(models.Model):
    """Logins, failed logins and refused requests, with who, when and from where."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        PERMISSION_DENIED = "permission_denied", _("permission refused")

    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    identifier = models.CharField(_("login name given"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.identifier}"


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now, claim_timeout):
        """Rows a delivery run may take: pending and due, or claimed by a run that never finished."""
        return self.filter(
            models.Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            | models.Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - claim_timeout)
        )


class OutboxMessage(models.Model):
    """One email to one person, written in the transaction of the change that caused it and
    delivered by `amnesty_portal.tasks.deliver_outbox_task`. The record of what was sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind of email"), max_length=60, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.SET_NULL, null=True, blank=True
    )
    to = models.EmailField(_("to"), max_length=254)
    cc = models.JSONField(_("copy to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("the server's last answer"), blank=True)
    # Extra headers (List-Unsubscribe), and the mailing a message belongs to (an urgent action's
    # "alert:<pk>"), whose delivery progress is counted from these rows.
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    batch = models.CharField(_("mailing"), max_length=60, blank=True, db_index=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.to}: {self.subject}"

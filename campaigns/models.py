"""Campaigns: urgent actions sent to consenting activists in a crisis (seed 002)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActionAlert(models.Model):
    """An urgent action: written by an admin, sent once to consenting activists chosen by region
    and theme, delivered through the outbox (its rows carry the batch ``alert:<pk>``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    action_url = models.URLField(_("where to act"), blank=True)
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions"), blank=True, help_text=_("Empty: every region.")
    )
    themes = models.ManyToManyField(
        "groups.PriorityArea", verbose_name=_("themes"), blank=True, help_text=_("Empty: every theme.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("urgent action")
        verbose_name_plural = _("urgent actions")

    def __str__(self):
        return self.title

    @property
    def batch(self) -> str:
        return f"alert:{self.pk}"

"""The Django admin for urgent actions: drafts may be corrected here, a sent alert is a record and
read-only. Sending happens only on the portal's pages, which preview and confirm it."""

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from amnesty_portal import audit
from campaigns.models import ActionAlert


@admin.register(ActionAlert)
class ActionAlertAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "created_at", "created_by", "sent_at", "sent_by"]
    list_filter = ["status"]
    search_fields = ["title", "body"]
    filter_horizontal = ["regions", "themes"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        "title",
        "body",
        "action_url",
        "regions",
        "themes",
        "status",
        "created_by",
        "created_at",
        "sent_by",
        "sent_at",
        "recipient_count",
    ]
    readonly_fields = ["status", "created_by", "created_at", "sent_by", "sent_at", "recipient_count"]

    def _is_sent(self, obj) -> bool:
        return obj is not None and obj.status == ActionAlert.Status.SENT

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_sent(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_sent(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "sent_by")

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change:
            # A draft open in the portal at the same time then carries a stale revision and is
            # refused with a message, rather than overwriting this change. The status is checked
            # again in the UPDATE: a draft sent meanwhile is not changed.
            saved = ActionAlert.objects.filter(pk=obj.pk, status=ActionAlert.Status.DRAFT).update(
                title=obj.title, body=obj.body, action_url=obj.action_url, revision=F("revision") + 1
            )
            if not saved:
                obj._sent_meanwhile = True
                self.message_user(
                    request, _("The urgent action was sent meanwhile: your change was not saved."), messages.ERROR
                )
                return
            obj.refresh_from_db(fields=["revision"])
        else:
            obj.created_by = request.user
            obj.save()
        audit.record(actor=request.user, action="alert.updated" if change else "alert.created", target=obj, via="admin")

    def save_related(self, request, form, formsets, change):
        if not getattr(form.instance, "_sent_meanwhile", False):
            super().save_related(request, form, formsets, change)

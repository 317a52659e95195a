"""The Django admin for the shared records: audit trail, security log (read-only) and the outbox."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from amnesty_portal import audit, mail
from amnesty_portal.models import AuditEvent, OutboxMessage, SecurityEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["target_repr", "actor__email"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "identifier", "ip_address", "path"]
    list_filter = ["kind"]
    search_fields = ["identifier", "ip_address"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """What the portal has sent, is sending and failed to send; a failed message can be sent again."""

    list_display = ["created_at", "status", "kind", "to", "subject", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "key"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["send_again"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    @admin.action(description=_("Send the selected failed emails again"))
    def send_again(self, request, queryset):
        retried = sum(mail.retry(row) for row in queryset.filter(status=OutboxMessage.Status.FAILED))
        if retried:
            audit.record(actor=request.user, action="outbox.retried", count=retried)
            transaction.on_commit(mail.wake_delivery)
        self.message_user(
            request,
            ngettext("%(count)s email will be sent again.", "%(count)s emails will be sent again.", retried)
            % {"count": retried},
        )

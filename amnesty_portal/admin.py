from django.contrib import admin

from amnesty_portal.models import AuditEvent, SecurityEvent


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

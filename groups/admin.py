"""The Django admin for groups: reference lists (priority areas, statutes versions) are edited here;
a group's status, offices and members change only through the portal's pages, which record why."""

from django.contrib import admin

from groups import services
from groups.models import FollowUp, Group, GroupMembership, Office, PriorityArea, StatutesVersion


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OfficeInline(ReadOnlyInline):
    model = Office
    fields = ["kind", "title", "person", "started_on", "ended_on", "end_reason"]


class MembershipInline(ReadOnlyInline):
    model = GroupMembership
    fields = ["person", "joined_on", "left_on"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "status", "standing", "region", "municipality"]
    list_filter = ["category", "status", "standing", "region"]
    search_fields = ["name"]
    raw_id_fields = ["municipality"]
    filter_horizontal = ["priority_areas"]
    fields = [
        "name",
        "category",
        "municipality",
        "region",
        "institution",
        "themes",
        "priority_areas",
        "is_open",
        "status",
        "standing",
        "registered_by",
        "registered_at",
        "decided_at",
        "rejection_reason",
        "warned_at",
        "warning_deadline",
        "closed_on",
        "closing_reason",
    ]
    # Approving, closing and reopening go through the portal's pages: they notify and record.
    readonly_fields = [
        "status",
        "standing",
        "registered_by",
        "registered_at",
        "decided_at",
        "rejection_reason",
        "warned_at",
        "warning_deadline",
        "closed_on",
        "closing_reason",
    ]
    inlines = [OfficeInline, MembershipInline]


@admin.register(PriorityArea)
class PriorityAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "is_current", "order"]
    list_editable = ["is_current", "order"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.reference_changed(actor=request.user)


@admin.register(StatutesVersion)
class StatutesVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "published_on"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.statutes_published(actor=request.user, version=obj)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["group", "kind", "region", "due_on", "done_at"]
    list_filter = ["kind", "region"]
    raw_id_fields = ["group", "done_by"]

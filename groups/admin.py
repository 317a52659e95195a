from django.contrib import admin

from groups.models import Group, GroupMembership, Office


class OfficeInline(admin.TabularInline):
    model = Office
    raw_id_fields = ["person"]
    extra = 0


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "status", "region", "municipality"]
    list_filter = ["category", "status", "region"]
    search_fields = ["name"]
    raw_id_fields = ["municipality"]
    inlines = [OfficeInline, MembershipInline]

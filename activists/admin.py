from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from activists.models import MembershipEvent, User


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    readonly_fields = ["status", "effective_on", "source", "recorded_at"]
    can_delete = False


@admin.register(User)
class PersonAdmin(UserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "membership_number", "membership_status", "is_secretariat"]
    list_filter = ["membership_status", "is_secretariat", "is_prize_jury", "gender", "language"]
    search_fields = ["email", "first_name", "last_name", "membership_number"]
    raw_id_fields = ["postal_code"]
    inlines = [MembershipEventInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Person"),
            {"fields": ["first_name", "last_name", "phone", "birth_year", "gender", "postal_code", "language"]},
        ),
        (
            _("Membership"),
            {"fields": ["membership_number", "membership_status", "member_since", "lapsed_on", "email_consent"]},
        ),
        (_("Roles"), {"fields": ["is_secretariat", "is_prize_jury", "is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

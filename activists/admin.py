from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activists import services
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

    def save_model(self, request, obj, form, change):
        # A status change goes through the service, so it is dated and recorded like an import's.
        new_status = obj.membership_status
        if change and "membership_status" in form.changed_data:
            obj.membership_status = form.initial["membership_status"]
            super().save_model(request, obj, form, change)
            effective_on = (obj.lapsed_on if new_status == User.Membership.LAPSED else None) or timezone.localdate()
            services.set_membership_status(
                actor=request.user, person=obj, status=new_status, effective_on=effective_on, source="admin"
            )
        else:
            super().save_model(request, obj, form, change)

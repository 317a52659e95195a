from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activists import services
from activists.models import (
    ActivistActivity,
    ActivityIdea,
    Gathering,
    GatheringInvitation,
    IndividualActivist,
    MembershipEvent,
    User,
    WelcomeEnrolment,
    WelcomeSend,
    WelcomeStep,
)


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


@admin.register(ActivityIdea)
class ActivityIdeaAdmin(admin.ModelAdmin):
    """The engage-locally catalogue: the guided flow shows the published ideas in this order."""

    list_display = ["title", "slug", "family_friendly", "is_meeting_place", "is_published", "order"]
    list_editable = ["is_published", "order"]
    list_filter = ["is_published", "family_friendly", "activity_type"]
    search_fields = ["title", "title_en", "slug"]
    filter_horizontal = ["priority_areas"]
    fields = [
        "slug",
        ("title", "title_en"),
        ("summary", "summary_en"),
        ("how_to", "how_to_en"),
        "material_url",
        "modes",
        "times",
        "family_friendly",
        "priority_areas",
        "activity_type",
        "is_meeting_place",
        "is_published",
        "order",
    ]


@admin.register(WelcomeStep)
class WelcomeStepAdmin(admin.ModelAdmin):
    """The welcome series: each email's day, text in both languages, and which one invites to be active."""

    list_display = ["day", "subject", "invites_to_engage", "is_active"]
    list_editable = ["is_active"]
    ordering = ["day"]
    fields = ["day", "subject", "body", "subject_en", "body_en", "invites_to_engage", "is_active"]


class WelcomeSendInline(admin.TabularInline):
    model = WelcomeSend
    extra = 0
    fields = readonly_fields = ["step", "sent_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WelcomeEnrolment)
class WelcomeEnrolmentAdmin(admin.ModelAdmin):
    """Who is in the welcome series and why it stopped: written by the series itself, read-only here."""

    list_display = ["person", "started_on", "stopped_at", "stop_reason"]
    list_filter = ["stop_reason", "started_on"]
    search_fields = ["person__email", "person__membership_number"]
    list_select_related = ["person"]
    fields = readonly_fields = ["person", "started_on", "stopped_at", "stop_reason"]
    inlines = [WelcomeSendInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Individual activists and gatherings ---------------------------------------------------------


class ActivistActivityInline(admin.TabularInline):
    model = ActivistActivity
    extra = 0
    fields = ["date", "type", "description", "participants", "outward", "region"]
    readonly_fields = ["region"]


@admin.register(IndividualActivist)
class IndividualActivistAdmin(admin.ModelAdmin):
    list_display = ["person", "time", "family_friendly", "signed_up_at", "last_heard_on", "stopped_at"]
    list_filter = ["time", "family_friendly", "stopped_at"]
    search_fields = ["person__email", "person__first_name", "person__last_name"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    filter_horizontal = ["themes", "ideas"]
    fields = [
        "person",
        "modes",
        "time",
        "themes",
        "family_friendly",
        "ideas",
        "availability",
        "in_meeting_place_since",
        "signed_up_at",
        "stopped_at",
        "last_heard_on",
    ]
    inlines = [ActivistActivityInline]


@admin.register(ActivistActivity)
class ActivistActivityAdmin(admin.ModelAdmin):
    list_display = ["date", "activist", "type", "participants", "outward", "region"]
    list_filter = ["type", "outward", "region"]
    search_fields = ["description", "campaign", "activist__person__email"]
    list_select_related = ["activist__person", "region"]
    raw_id_fields = ["activist"]
    date_hierarchy = "date"
    fields = [
        "activist",
        "date",
        "type",
        "idea",
        "description",
        "participants",
        "outward",
        "priority_area",
        "campaign",
        "region",
    ]


class GatheringInvitationInline(admin.TabularInline):
    model = GatheringInvitation
    extra = 0
    raw_id_fields = ["person", "invited_by"]
    fields = ["person", "invited_by", "invited_at"]


@admin.register(Gathering)
class GatheringAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "region", "starts_at", "place"]
    list_filter = ["kind", "region"]
    search_fields = ["title", "place"]
    list_select_related = ["region"]
    fields = ["kind", "title", "region", "starts_at", "place", "description", "created_by"]
    raw_id_fields = ["created_by"]
    inlines = [GatheringInvitationInline]

"""Forms for registering a group, editing it, its offices, join requests, the secretariat's actions,
quarterly reports, their review, the contact log and exports."""

import datetime

from django import forms
from django.core import signing
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activists.models import User
from groups import reports
from groups.criteria import YOUTH_AGES
from groups.follow_up import MANUAL_CHANNELS
from groups.models import ActivityType, Group, Office, PriorityArea, QuarterlyReport, ReportActivity, StatutesVersion
from groups.quarters import Quarter
from regions.models import Municipality, Region

MAX_INVITATIONS = 50


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.county.name})"


class RevisionForm(forms.Form):
    """Carries the group's revision, so that a change made meanwhile by someone else is noticed."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class GroupRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Group.Category.choices, widget=forms.RadioSelect)
    national = forms.BooleanField(
        label=_("National digital group with no home municipality"),
        required=False,
        help_text=_("Only for thematic groups that meet online."),
    )
    municipality = MunicipalityChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.select_related("county").order_by("name"),
        required=False,
        empty_label=_("Choose the municipality"),
    )
    region = forms.ModelChoiceField(
        label=_("Region (national groups)"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Choose the region that follows the group up"),
    )
    institution = forms.CharField(
        label=_("School or institution"),
        max_length=200,
        required=False,
        help_text=_("Required for student groups; for youth groups, the school if there is one."),
    )
    themes = forms.CharField(
        label=_("Themes"), max_length=300, required=False, help_text=_("What the group works on, in a few words.")
    )
    priority_areas = forms.ModelMultipleChoiceField(
        label=_("AiN's priority areas the group will work on"),
        queryset=PriorityArea.objects.filter(is_current=True),
        widget=forms.CheckboxSelectMultiple,
    )
    is_open = forms.BooleanField(label=_("The group is open to new members"), required=False, initial=True)
    contact_email = forms.EmailField(
        label=_("Contact person's email"),
        required=False,
        help_text=_("Leave empty to be the contact person yourself. Someone else must already be in the register."),
    )
    invitations = forms.CharField(
        label=_("First members' email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. Each gets an invitation; someone who is not in the register yet gets an account."),
    )
    age_exception = forms.CharField(
        label=_("Why members outside 13–19 belong to the group"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for youth groups with members younger than 13 or older than 19."),
    )
    accept_statutes = forms.BooleanField(label=_("The group accepts the statutes, vision and guidelines"))

    def __init__(self, *args, registrant: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrant = registrant
        self.statutes = StatutesVersion.objects.current()
        if self.statutes is not None:
            self.fields["accept_statutes"].help_text = _("Version %(version)s: %(summary)s") % {
                "version": self.statutes.version,
                "summary": self.statutes.summary,
            }
        else:
            self.fields["accept_statutes"].required = False

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Group.objects.active().filter(name__iexact=name).exists():
            raise forms.ValidationError(_("There is already a group called “%(name)s”."), params={"name": name})
        return name

    def clean_contact_email(self):
        email = self.cleaned_data["contact_email"].strip().lower()
        if not email or email == (self.registrant.email or ""):
            self.contact = self.registrant
            return ""
        self.contact = User.objects.filter(email=email).first()
        if self.contact is None:
            raise forms.ValidationError(
                _(
                    "Nobody in the register has the address %(email)s. "
                    "Invite them as a member first, or leave the field empty."
                ),
                params={"email": email},
            )
        if not self.contact.is_member:
            raise forms.ValidationError(
                _("%(name)s does not pay their membership and cannot be the contact person."),
                params={"name": self.contact},
            )
        return email

    def clean_invitations(self):
        emails, bad = [], []
        for line in self.cleaned_data["invitations"].replace(",", "\n").replace(";", "\n").splitlines():
            email = line.strip().lower()
            if not email:
                continue
            try:
                validate_email(email)
            except forms.ValidationError:
                bad.append(email)
                continue
            if email not in emails and email != (self.registrant.email or ""):
                emails.append(email)
        if bad:
            raise forms.ValidationError(
                ngettext(
                    "This is not an email address: %(emails)s.",
                    "These are not email addresses: %(emails)s.",
                    len(bad),
                ),
                params={"emails": ", ".join(bad)},
            )
        if len(emails) > MAX_INVITATIONS:
            raise forms.ValidationError(
                _("Invite at most %(count)s people at once."), params={"count": MAX_INVITATIONS}
            )
        return emails

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if data.get("national"):
            if category != Group.Category.THEMATIC:
                self.add_error("national", _("Only thematic groups can be national and digital."))
            if not data.get("region"):
                self.add_error("region", _("Choose the region that will follow the national group up."))
            data["municipality"] = None
        elif not data.get("municipality") and "municipality" not in self.errors:
            self.add_error("municipality", _("Choose the municipality where the group meets."))
        if category == Group.Category.STUDENT and not data.get("institution"):
            self.add_error("institution", _("A student group names its university or college."))
        if category == Group.Category.YOUTH and not data.get("age_exception"):
            outside = self._outside_youth_ages(data)
            if outside:
                self.add_error(
                    "age_exception",
                    _(
                        "A youth group's members are 13–19 years old. Outside that age this year: %(names)s. "
                        "Explain why they belong to the group, or leave them out."
                    )
                    % {"names": ", ".join(outside)},
                )
        return data

    def _outside_youth_ages(self, data) -> list[str]:
        low, high = YOUTH_AGES
        year = timezone.localdate().year
        people = [self.registrant, getattr(self, "contact", None)]
        people += list(User.objects.filter(email__in=data.get("invitations") or []).order_by("pk"))
        seen, outside = set(), []
        for person in people:
            if person is None or person.pk in seen:
                continue
            seen.add(person.pk)
            age = person.age_in(year)
            if age is not None and not low <= age <= high:
                outside.append(f"{person} ({age})")
        return outside


class GroupEditForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["themes", "priority_areas", "is_open", "institution", "age_exception"]
        widgets = {
            "priority_areas": forms.CheckboxSelectMultiple,
            "age_exception": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority_areas"].queryset = PriorityArea.objects.filter(is_current=True)
        if self.instance.category != Group.Category.YOUTH:
            del self.fields["age_exception"]
        if self.instance.category not in (Group.Category.STUDENT, Group.Category.YOUTH):
            del self.fields["institution"]

    def clean_institution(self):
        institution = self.cleaned_data["institution"].strip()
        if self.instance.category == Group.Category.STUDENT and not institution:
            raise forms.ValidationError(_("A student group names its university or college."))
        return institution


class OfficeForm(RevisionForm):
    person = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("Office"), choices=Office.Kind.choices)
    title = forms.CharField(
        label=_("Name of the office"), max_length=100, required=False, help_text=_("Only for other offices.")
    )
    started_on = forms.DateField(
        label=_("From"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(
            group_memberships__group=group, group_memberships__left_on__isnull=True
        ).order_by("last_name", "first_name", "pk")

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on > timezone.localdate() + datetime.timedelta(days=365):
            raise forms.ValidationError(_("Choose a date within the next year."))
        return started_on


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("A few words to the group (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Message to the person (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(RevisionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text


class StoppingForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the group stopping its work?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The secretariat reads this and closes the group. Its history is kept."),
    )


class WarningForm(RevisionForm):
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        label=_("What the group must do"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Emailed to the contact person, with a copy to the regional leader."),
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise forms.ValidationError(_("The deadline must be after today."))
        return deadline


class CloseForm(RevisionForm):
    effective_on = forms.DateField(
        label=_("Closed from"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason for closing"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The members see this in the email telling them the group is closed."),
    )

    def clean_effective_on(self):
        effective_on = self.cleaned_data["effective_on"]
        if effective_on > timezone.localdate():
            raise forms.ValidationError(_("The closing date cannot be in the future."))
        return effective_on


# --- Quarterly reports ------------------------------------------------------------------------------

SIGNING_SALT = "groups.report.started-from"


class ReportForm(forms.ModelForm):
    """The report's own fields, with the revision and the content the person started from."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    started_from = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = QuarterlyReport
        fields = ["members_count", "support_needed", "comments"]
        widgets = {
            "support_needed": forms.Textarea(attrs={"rows": 3}),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_started_from(self):
        try:
            return signing.loads(self.cleaned_data["started_from"], salt=SIGNING_SALT)
        except signing.BadSignature:
            return None  # the message then cannot list the differences, but the refusal still stands


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlannedActivityForm(forms.Form):
    kind = ReportActivity.Kind.PLANNED

    date = forms.DateField(label=_("Date (if known)"), required=False, widget=_date_widget())
    type = forms.ChoiceField(label=_("Type"))
    priority_area = forms.TypedChoiceField(label=_("Priority area"), coerce=int, required=False, empty_value=None)
    campaign = forms.CharField(label=_("Campaign"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Short description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, quarter, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter = quarter
        self.fields["type"].choices = [("", _("Choose the type"))] + ActivityType.choices
        self.fields["priority_area"].choices = [("", _("None"))] + areas

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for field, message in reports.activity_errors(self.kind, cleaned, self.quarter).items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class ActivityForm(PlannedActivityForm):
    kind = ReportActivity.Kind.DONE

    date = forms.DateField(label=_("Date"), widget=_date_widget())
    outward = forms.BooleanField(
        label=_("Outward-facing"),
        required=False,
        initial=True,
        help_text=_("Had a recipient outside the group."),
    )
    participants = forms.IntegerField(
        label=_("Participants from the group"), min_value=0, max_value=2**31 - 1, required=False
    )
    signatures = forms.IntegerField(label=_("Signatures collected"), min_value=0, max_value=2**31 - 1, required=False)
    people_reached = forms.IntegerField(label=_("People reached"), min_value=0, max_value=2**31 - 1, required=False)

    field_order = list(reports.DONE_FIELDS)


class ActivityFormSet(forms.BaseFormSet):
    def __init__(self, *args, quarter, areas, **kwargs):
        super().__init__(*args, form_kwargs={"quarter": quarter, "areas": areas}, **kwargs)

    def _construct_form(self, i, **kwargs):
        # A row left blank is skipped wherever it is: clearing a row removes the activity.
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True
        return form

    def rows(self) -> list[dict]:
        return [
            {"kind": form.kind, **{k: v for k, v in form.cleaned_data.items() if k != "DELETE"}}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def blank_count(self) -> int:
        return sum(1 for form in self.forms if not form.cleaned_data)


DoneFormSet = forms.formset_factory(ActivityForm, formset=ActivityFormSet, extra=0, can_delete=True)
PlannedFormSet = forms.formset_factory(PlannedActivityForm, formset=ActivityFormSet, extra=0, can_delete=True)


def area_choices() -> list:
    """Every priority area, once per page (a choice field per row must not query per row)."""
    choices = []
    for area in PriorityArea.objects.order_by("order", "name"):
        label = area.name if area.is_current else _("%(name)s (no longer a priority)") % {"name": area.name}
        choices.append((area.pk, label))
    return choices


# --- Review, contact log and exports -------------------------------------------------------------


class ReviewForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback to the group"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Emailed to the group's contact person, and recorded as a contact with the group."),
    )
    needs_follow_up = forms.BooleanField(label=_("The group needs follow-up"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ContactForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    channel = forms.ChoiceField(label=_("How"), choices=[(channel.value, channel.label) for channel in MANUAL_CHANNELS])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you talked about and what was agreed. Do not write anything sensitive."),
    )


def _periods(today):
    """The periods to export: this year's and the two previous years' quarters, and those years."""
    quarter, choices = Quarter.of(today), []
    for year in range(today.year, today.year - 3, -1):
        choices.append((str(year), _("All of %(year)s") % {"year": year}))
        choices += [
            (str(Quarter(year, n)), _("Quarter %(number)s %(year)s") % {"number": n, "year": year})
            for n in range(4, 0, -1)
            if Quarter(year, n) <= quarter
        ]
    return choices


class ExportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"))
    file = forms.ChoiceField(
        label=_("File"),
        widget=forms.RadioSelect,
        choices=[
            ("rapporter", _("Reports: one row per report")),
            ("aktiviteter", _("Activities: one row per activity")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _periods(timezone.localdate())

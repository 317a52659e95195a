"""Forms for individual activists' profile and log, and for gatherings and their invitations."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activists import individual
from activists.models import ActivityIdea, Gathering, Mode, TimeOnOffer
from groups.models import ActivityType, PriorityArea
from regions.models import Region


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdeaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.localized("title")


class ActivistProfileForm(forms.Form):
    modes = forms.MultipleChoiceField(
        label=_("How would you like to take part?"),
        choices=Mode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time = forms.ChoiceField(
        label=_("How much time do you have?"),
        choices=TimeOnOffer.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes that matter to you"),
        queryset=PriorityArea.objects.filter(is_current=True).order_by("order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    family_friendly = forms.BooleanField(label=_("I would like family-friendly activities"), required=False)
    ideas = IdeaChoiceField(
        label=_("Activities you would like to do"),
        queryset=ActivityIdea.objects.published().order_by("order", "title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.CharField(
        label=_("When can you take part?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: weekday evenings, or a weekend now and then."),
    )

    @classmethod
    def for_activist(cls, activist, data=None):
        initial = {
            "modes": activist.modes,
            "time": activist.time,
            "themes": list(activist.themes.all()),
            "family_friendly": activist.family_friendly,
            "ideas": list(activist.ideas.all()),
            "availability": activist.availability,
        }
        return cls(data, initial=initial)


class ActivityForm(forms.Form):
    """One entry in the activist's log: "a writing café on 3 March with 8 people"."""

    type = forms.ChoiceField(label=_("What kind of activity was it?"), choices=ActivityType.choices)
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    participants = forms.IntegerField(
        label=_("How many took part, you included?"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    outward = forms.BooleanField(
        label=_("Outward-facing: it reached people outside Amnesty"), required=False, initial=True
    )
    idea = forms.ModelChoiceField(
        label=_("Activity from the list of ideas (if any)"),
        queryset=ActivityIdea.objects.published().order_by("order", "title"),
        required=False,
        empty_label=_("None of them"),
    )
    priority_area = forms.ModelChoiceField(
        label=_("Priority area"),
        queryset=PriorityArea.objects.order_by("order", "name"),
        required=False,
        empty_label=_("None in particular"),
    )
    campaign = forms.CharField(label=_("Campaign"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What did you do?"),
        max_length=300,
        help_text=_("In a few words, for example: writing café at the library."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idea"].label_from_instance = lambda idea: idea.localized("title")

    @classmethod
    def for_activity(cls, activity, data=None):
        initial = {name: getattr(activity, name) for name in individual.ACTIVITY_FIELDS}
        return cls(data, initial=initial)

    def _check(self, check, value):
        try:
            check(value)
        except individual.ActivistError as exc:
            raise forms.ValidationError(exc.message) from None
        return value

    def clean_date(self):
        return self._check(individual.check_date, self.cleaned_data.get("date"))

    def clean_participants(self):
        return self._check(individual.check_participants, self.cleaned_data.get("participants"))


class StopForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I no longer want to be registered as an individual activist"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class GatheringForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of gathering"), choices=Gathering.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    region = forms.ModelChoiceField(
        label=_("Region (for a regional meeting)"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Choose the region"),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("An address, or a link for a digital meeting.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )

    def __init__(self, *args, regions, is_admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if not is_admin:
            # A regional leader calls regional meetings; the national ones are the secretariat's.
            self.fields["kind"].choices = [(Gathering.Kind.REGIONAL_MEETING, Gathering.Kind.REGIONAL_MEETING.label)]
            self.fields["kind"].initial = Gathering.Kind.REGIONAL_MEETING
            if len(regions) == 1:
                self.fields["region"].initial = regions[0].pk

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at < timezone.now():
            raise forms.ValidationError(_("The gathering must start in the future."))
        return starts_at

    def clean(self):
        data = super().clean()
        if data.get("kind") == Gathering.Kind.REGIONAL_MEETING and not data.get("region"):
            self.add_error("region", _("Choose the region of the regional meeting."))
        return data


class ActivistChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        place = obj.person.postal_code.municipality.name if obj.person.postal_code_id else ""
        return f"{obj.person} ({place})" if place else str(obj.person)


class InviteForm(forms.Form):
    EVERYONE, CHOSEN = "all", "chosen"
    who = forms.ChoiceField(
        label=_("Whom do you invite?"),
        choices=[
            ("all", _("Every individual activist listed here who has not been invited yet")),
            ("chosen", _("Only the activists I tick below")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
    activists = ActivistChoiceField(
        label=_("Activists"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["activists"].queryset = candidates.filter(invited=False)

    def clean(self):
        data = super().clean()
        if data.get("who") == self.CHOSEN and not data.get("activists"):
            self.add_error("activists", _("Tick at least one activist, or choose to invite everyone."))
        return data

    def chosen(self):
        """The activists to invite, as a queryset the preview and the service both read."""
        not_invited = self.candidates.filter(invited=False)
        if self.cleaned_data["who"] == self.CHOSEN:
            return not_invited.filter(pk__in=[activist.pk for activist in self.cleaned_data["activists"]])
        return not_invited

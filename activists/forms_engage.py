"""The forms of the guided "engage locally" flow: one small form per step, sent by GET."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activists.engage import find_place
from activists.models import Mode, TimeOnOffer


class PlaceForm(forms.Form):
    postal_code = forms.CharField(
        label=_("Your postal code"),
        max_length=4,
        help_text=_("Four digits, for example 5700. We use it only to find what is near you."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "size": 6}),
        error_messages={"required": _("Write your postal code, so that we can find what is near you.")},
    )

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if not (len(code) == 4 and code.isdigit()):
            raise forms.ValidationError(
                _("A postal code has four digits, for example 5700. Check what you wrote."), code="format"
            )
        self.place = find_place(code)
        if self.place is None:
            raise forms.ValidationError(
                _("We do not know the postal code %(code)s. Check it, or write the postal code of a place near you."),
                code="unknown",
                params={"code": code},
            )
        return code


class ModesForm(forms.Form):
    modes = forms.MultipleChoiceField(
        label=_("Ways of taking part"),
        choices=Mode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more. If you choose none, we show you everything."),
    )


class TimeForm(forms.Form):
    time = forms.ChoiceField(
        label=_("Time you have"),
        choices=TimeOnOffer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how much time you have.")},
    )


class ThemesForm(forms.Form):
    themes = forms.TypedMultipleChoiceField(
        label=_("Themes"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more. If you choose none, we show groups and activities on every theme."),
    )

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [(area.pk, area.name) for area in themes]


class FamilyForm(forms.Form):
    family = forms.TypedChoiceField(
        label=_("Family-friendly activities"),
        choices=[("1", _("Yes, children will come along")), ("0", _("No, just me (or other adults)"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )


STEP_FORMS = {1: PlaceForm, 2: ModesForm, 3: TimeForm, 4: ThemesForm, 5: FamilyForm}

"""Forms for a person's own profile."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activists.models import User
from activists.validators import normalise_phone
from regions.models import PostalCode


class PostalCodeField(forms.CharField):
    """A four-digit Norwegian postal code that must exist in Posten's register."""

    default_error_messages = {
        "format": _("A Norwegian postal code has four digits, for example 5003."),
        "unknown": _("%(code)s is not a Norwegian postal code."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("min_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code", "pattern": "[0-9]{4}"})

    def prepare_value(self, value):
        if isinstance(value, PostalCode):
            return value.code
        return value

    def to_python(self, value):
        value = super().to_python(value).strip().replace(" ", "")
        if not value:
            return None
        if not (len(value) == 4 and value.isdigit()):
            raise forms.ValidationError(self.error_messages["format"], code="format")
        try:
            return PostalCode.objects.select_related("municipality__county__region").get(code=value)
        except PostalCode.DoesNotExist:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": value}
            ) from None


class ProfileForm(forms.ModelForm):
    postal_code = PostalCodeField(label=_("Postal code"), required=False)

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "phone",
            "birth_year",
            "gender",
            "postal_code",
            "language",
            "email_consent",
        ]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "birth_year": forms.NumberInput(attrs={"autocomplete": "bday-year"}),
        }

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

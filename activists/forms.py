"""Forms for a person's own profile and for the member-register import."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from activists.models import User
from activists.validators import normalise_phone
from regions.models import PostalCode


class PostalCodeField(forms.Field):
    """A four-digit Norwegian postal code that must exist in Posten's register."""

    widget = forms.TextInput
    default_error_messages = {
        "format": _("A Norwegian postal code has four digits, for example 5003."),
        "unknown": _("%(code)s is not a Norwegian postal code."),
    }

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": "4", "size": "4"})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, PostalCode):
            return value.code
        return value

    def to_python(self, value):
        value = str(value or "").strip().replace(" ", "")
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


class MemberImportForm(forms.Form):
    """Step one of the member-register import: the CSV file exported from the CRM."""

    MAX_SIZE = 100 * 1024 * 1024

    file = forms.FileField(
        label=_("CSV export from the member register"),
        help_text=_("UTF-8 or Windows-1252, separated by semicolons or commas. Nothing is saved before you confirm."),
        validators=[FileExtensionValidator(["csv", "txt"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > self.MAX_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), code="too_large", params={"size": self.MAX_SIZE // 2**20}
            )
        return file


class MemberImportConfirmForm(forms.Form):
    """Step two: confirms the preview the person saw, named by the token the upload was stored under."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

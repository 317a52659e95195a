"""Forms for a person's own data: asking to be erased, and the secretariat's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you want to be erased? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the secretariat reads this, and it is removed when your data is erased."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that I can no longer log in once my data is erased, and that it cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to be erased.")},
    )


class ConfirmErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked what the person holds, and their personal data is to be erased now."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class RefuseErasureForm(forms.Form):
    answer = forms.CharField(
        label=_("Why can the data not be erased now?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Emailed to the person. For example: they hold an office, or a report they started is unfinished."),
        error_messages={"required": _("Tell the person why their data cannot be erased now.")},
    )

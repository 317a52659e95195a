"""Forms for writing an urgent action, choosing who gets it, and sending it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import ActionAlert
from groups.models import PriorityArea
from regions.models import Region


def _regions():
    return forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to send it to every region."),
    )


def _themes():
    return forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=PriorityArea.objects.order_by("order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Activists in groups working on these priority areas, or who chose them themselves. "
            "Choose none to send it whatever people work on."
        ),
    )


class AlertForm(forms.ModelForm):
    """The draft: what it says, where to act, and who gets it. `revision` is the draft's revision
    when the form was loaded (absent for a new alert)."""

    # An address typed without its scheme ("www.amnesty.no/...") is taken as https.
    action_url = forms.URLField(
        label=_("Where to act (web address)"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("The page of the online action, the petition or the letter to send. Optional."),
    )
    regions = _regions()
    themes = _themes()
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = ActionAlert
        fields = ["title", "body", "action_url", "regions", "themes"]
        labels = {
            "title": _("Title"),
            "body": _("Text"),
        }
        help_texts = {
            "title": _("Also the email's subject, after “Urgent action:”."),
            "body": _("What has happened and what you ask people to do. Plain text; links are shown as links."),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class AudienceForm(forms.Form):
    """Who gets it, changed on the preview page: a GET form recomputes the count, a POST keeps it.
    A missing or stale revision is the service's to refuse, with its message."""

    regions = _regions()
    themes = _themes()
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class SendForm(forms.Form):
    """The confirmation: carries the revision the admin saw, so a draft changed meanwhile is not sent."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

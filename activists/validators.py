"""Validators for people's data: postal codes that exist, phone numbers, the demo password."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(raw: str) -> str:
    """Return the number in E.164 (+4712345678); Norwegian numbers may omit the country code."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "NO")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Norwegian numbers have 8 digits; others need +country code."),
            code="invalid_phone",
            params={"value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class DemoPasswordValidator:
    """The demo password exists only in demo data: outside DEBUG nobody may choose it."""

    def validate(self, password, user=None):
        if not settings.DEBUG and password == settings.DEMO_PASSWORD:
            raise ValidationError(_("This password is reserved for demo data."), code="demo_password")

    def get_help_text(self):
        return ""

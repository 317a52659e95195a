"""django-allauth adapter: refuses the demo password outside DEBUG, lands people on their page."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request, **credentials):
        if not settings.DEBUG and credentials.get("password") == settings.DEMO_PASSWORD:
            # Counted and logged as a failed login like any other wrong password.
            from django.contrib.auth.signals import user_login_failed

            user_login_failed.send(
                sender=__name__, credentials={"email": credentials.get("email", "")}, request=request
            )
            return None
        return super().authenticate(request, **credentials)

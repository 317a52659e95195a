"""Login, logout and failed-login events go to the security log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from amnesty_portal.audit import record_security_event


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record_security_event("login", user=user, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_security_event("logout", user=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("email") or credentials.get("username") or ""
    record_security_event("login_failed", identifier=identifier, request=request)

"""Request-wide middleware: the request in context for the security log, and enforced 2FA."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from amnesty_portal.audit import current_request
from amnesty_portal.permissions import roles_of


class RequireTwoFactorMiddleware:
    """Admins and regional leaders must set up TOTP before they can use the portal."""

    allowed_prefixes = ("/konto/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            if settings.REQUIRE_TWO_FACTOR_FOR_STAFF and self._must_set_up(request):
                return redirect(reverse("mfa_activate_totp"))
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def _must_set_up(self, request) -> bool:
        if not request.user.is_authenticated or request.path.startswith(self.allowed_prefixes):
            return False
        if not roles_of(request.user).needs_two_factor:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()

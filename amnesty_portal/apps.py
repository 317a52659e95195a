from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmnestyPortalConfig(AppConfig):
    name = "amnesty_portal"
    verbose_name = _("Portal records")

    def ready(self):
        from amnesty_portal import signals  # noqa: F401

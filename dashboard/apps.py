from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = _("Dashboards")

    def ready(self):
        from dashboard import signals  # noqa: F401  (drops cached dashboards when their data changes)

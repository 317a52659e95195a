from django.apps import AppConfig


class ActivistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activists"

    def ready(self):
        from activists import signals  # noqa: F401 (connects the receivers)

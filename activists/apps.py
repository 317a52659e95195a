from django.apps import AppConfig


class ActivistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activists"

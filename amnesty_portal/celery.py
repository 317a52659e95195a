"""The Celery app. Broker: Redis in production, a filesystem transport (no server) by default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")

app = Celery("amnesty_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The Celery app. Broker: Redis in production, a filesystem transport (no server) by default."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amnesty_portal.settings")

app = Celery("amnesty_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_heartbeat_on_beat_start(sender, **kwargs):
    """Beat announces itself at once, so `make run` and the tests see the whole chain work
    (beat → broker → worker) without waiting for the first interval."""
    sender.app.send_task("amnesty_portal.heartbeat_task")

"""Portal-wide periodic tasks."""

from celery import shared_task
from django.utils import timezone

from amnesty_portal.models import SecurityEvent


@shared_task(name="amnesty_portal.heartbeat_task")
def heartbeat_task():
    """Proves that beat and a worker run: records the time of the last beat in the cache."""
    from django.core.cache import cache

    now = timezone.now()
    cache.set("celery-heartbeat", now.isoformat(), timeout=None)
    return now.isoformat()


@shared_task(name="amnesty_portal.prune_security_events_task")
def prune_security_events_task(days: int = 365):
    """Security events are personal data: keep them one year. Safe to run twice."""
    cutoff = timezone.now() - timezone.timedelta(days=days)
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


@shared_task(name="amnesty_portal.deliver_outbox_task")
def deliver_outbox_task():
    """Deliver the outbox until nothing is due. Woken after each commit that writes mail, and run
    every minute by beat for what a missed wake-up or a retry left. Safe to run in many workers."""
    from amnesty_portal import mail

    return mail.deliver_all()

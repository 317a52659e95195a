"""Writing the audit trail and the security log."""

import contextvars
import logging

from django.contrib.contenttypes.models import ContentType

from amnesty_portal.models import AuditEvent, SecurityEvent

security_log = logging.getLogger("amnesty_portal.security")
current_request = contextvars.ContextVar("current_request", default=None)


def record(*, actor, action: str, target=None, reason: str = "", **data) -> AuditEvent:
    """Record a change a person made. Call inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        reason=reason,
        data=data,
    )


def client_ip(request) -> str | None:
    # Behind a proxy, SecurityMiddleware's SECURE_PROXY_SSL_HEADER says we trust it; the proxy
    # must then overwrite X-Forwarded-For. Otherwise REMOTE_ADDR is the only honest source.
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def record_security_event(kind: str, *, user=None, identifier: str = "", request=None, detail=None) -> SecurityEvent:
    request = request or current_request.get()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user if authenticated else None,
        identifier=(identifier or (user.email if authenticated else "") or "")[:254],
        ip_address=client_ip(request) if request else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        path=(request.get_full_path() if request else "")[:500],
        detail=detail or {},
    )
    security_log.info(
        "%s user=%s identifier=%s ip=%s path=%s detail=%s",
        kind,
        event.user_id,
        event.identifier,
        event.ip_address,
        event.path,
        event.detail,
    )
    return event

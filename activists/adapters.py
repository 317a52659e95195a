"""django-allauth adapter: its emails go through the outbox; the demo password is refused outside DEBUG."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's own emails (confirmations, password resets) go through the outbox too."""
        import uuid

        from amnesty_portal import mail
        from amnesty_portal.models import OutboxMessage

        user = context.get("user")
        # In the person's own language when we know it; otherwise in the language of the request.
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        mail.enqueue(
            [
                OutboxMessage(
                    # Each request for a code or a link is its own email.
                    key=f"allauth:{template_prefix.rsplit('/', 1)[-1]}:{email}:{uuid.uuid4().hex}"[:200],
                    kind=f"allauth:{template_prefix.rsplit('/', 1)[-1]}"[:60],
                    recipient=user if getattr(user, "pk", None) else None,
                    to=email,
                    subject=message.subject[:300],
                    text=message.body,
                    html=html,
                )
            ]
        )

    def authenticate(self, request, **credentials):
        if not settings.DEBUG and credentials.get("password") == settings.DEMO_PASSWORD:
            # Counted and logged as a failed login like any other wrong password.
            from django.contrib.auth.signals import user_login_failed

            user_login_failed.send(
                sender=__name__, credentials={"email": credentials.get("email", "")}, request=request
            )
            return None
        return super().authenticate(request, **credentials)

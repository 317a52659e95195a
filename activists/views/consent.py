"""Unsubscribing from a series of emails with the link in it, without logging in (RFC 8058)."""

from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from activists import consent
from activists.models import ConsentChange, User


def _person(token: str) -> tuple[User, str]:
    try:
        person_id, kind = consent.read_token(token)
    except signing.BadSignature:
        raise Http404 from None
    person = User.objects.filter(pk=person_id).only("pk", "email_consent", "erased_at").first()
    if person is None:
        raise Http404
    return person, kind


# The token in the address is the authentication: a mail program's one-click POST carries no CSRF
# token and no session (RFC 8058), and a forged POST could do no more than the link itself.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation and changes nothing (link scanners open links); POST unsubscribes,
    from the page's button or from the mail program's one-click button."""
    person, kind = _person(token)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        source = ConsentChange.Source.ONE_CLICK if one_click else ConsentChange.Source.UNSUBSCRIBE_LINK
        consent.unsubscribe(person=person, source=source, kind=kind)
        return render(request, "activists/consent/unsubscribed.html")
    return render(request, "activists/consent/unsubscribe.html", {"already": not person.email_consent})

"""The permission matrix: every URL pattern × every role × GET and POST, with the expected status.

A URL pattern without an entry here fails `test_every_url_pattern_has_an_entry`, so no page can
be added unchecked. Objects of another group or region answer 404, never 403: their existence
is not revealed.
"""

import pytest
from django.urls import reverse

from groups.models import FollowUp, Invitation, JoinRequest
from groups.quarters import Quarter
from tests.urlconf import all_url_patterns

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "contact", "other_contact", "leader", "other_leader", "admin"]

# Each row: GET/POST status for the roles in ROLES order. The objects in the URL belong to the
# group and region of "member", "contact" and "leader" (Bergen); the "other_" roles are in Oslo.
MATRIX = {
    # name: (kwargs factory, "anonymous member contact other_contact leader other_leader admin")
    "home": (None, "200/405 200/405 302/405 302/405 302/405 302/405 302/405"),
    "health": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "activists:person_list": (None, "302/405 404/405 200/405 200/405 200/405 200/405 200/405"),
    "activists:person_detail": (
        lambda w: {"pk": w.member.pk},
        "302/405 200/405 200/405 404/405 200/405 404/405 200/405",
    ),
    "activists:profile": (None, "302/302 200/200 200/200 200/200 200/200 200/200 200/200"),
    "activists:import_members": (None, "302/302 404/404 404/404 404/404 404/404 404/404 200/200"),
    # POST only; without a previewed file the admin is sent back to the upload step.
    "activists:import_members_confirm": (None, "405/302 405/404 405/404 405/404 405/404 405/404 405/302"),
    # Each person's own data: the pages work on the logged-in person alone (no person in the address);
    # an empty POST shows the erasure form again with its error, withdrawing with nothing pending
    # says so. The secretariat alone sees and answers erasure requests.
    "activists:my_data": (None, "302/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "activists:my_data_json": (None, "302/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "activists:erasure": (None, "302/302 200/200 200/200 200/200 200/200 200/200 200/200"),
    "activists:erasure_withdraw": (None, "405/302 405/302 405/302 405/302 405/302 405/302 405/302"),
    "activists:erasure_requests": (None, "302/405 404/405 404/405 404/405 404/405 404/405 200/405"),
    "activists:erasure_decide": (
        lambda w: {"pk": _erasure_request(w.outsider).pk},
        "302/302 404/404 404/404 404/404 404/404 404/404 200/200",
    ),
    "groups:list": (None, "302/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "groups:detail": (lambda w: {"pk": w.group.pk}, "302/405 200/405 200/405 404/405 200/405 404/405 200/405"),
    # Any logged-in person may look for a group to join and ask to join a recognised open one.
    "groups:directory": (None, "302/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "groups:join": (lambda w: {"pk": w.group.pk}, "302/302 200/200 200/200 200/302 200/302 200/302 200/302"),
    "groups:withdraw_join_request": (
        lambda w: {"pk": _join_request(w.other_group, w.member).pk},
        "405/302 405/302 405/404 405/404 405/404 405/404 405/404",
    ),
    # Registering: any member (an empty form answers 200 with its errors); the review queue and
    # its actions are for the group's regional leader and the secretariat.
    "groups:register": (None, "302/302 200/200 200/200 200/200 200/200 200/200 200/200"),
    "groups:registrations": (None, "302/405 404/405 404/405 404/405 200/405 200/405 200/405"),
    "groups:approve": (lambda w: {"pk": w.group.pk}, "405/302 405/404 405/404 405/404 405/302 405/404 405/302"),
    "groups:reject": (lambda w: {"pk": w.group.pk}, "302/302 404/404 404/404 404/404 200/200 404/404 200/200"),
    "groups:invitation": (
        lambda w: {"token": _invitation(w.other_group, w.member).token},
        "302/302 200/200 404/404 404/404 404/404 404/404 404/404",
    ),
    # The group's officers, its regional leader and the secretariat change it; members read only.
    "groups:edit": (lambda w: {"pk": w.group.pk}, "302/302 403/403 200/200 404/404 200/200 404/404 200/200"),
    "groups:offices": (lambda w: {"pk": w.group.pk}, "302/302 403/403 200/200 404/404 200/200 404/404 200/200"),
    "groups:report_stopping": (
        lambda w: {"pk": w.group.pk},
        "302/302 403/403 200/200 404/404 200/200 404/404 200/200",
    ),
    "groups:accept_statutes": (
        lambda w: {"pk": w.group.pk},
        "405/302 405/403 405/302 405/404 405/302 405/404 405/302",
    ),
    "groups:end_office": (
        lambda w: {"pk": w.group.offices.get(person=w.contact).pk},
        "405/302 405/403 405/302 405/404 405/302 405/404 405/302",
    ),
    "groups:answer_join_request": (
        lambda w: {"pk": _join_request(w.group, w.outsider).pk},
        "405/302 405/403 405/302 405/404 405/302 405/404 405/302",
    ),
    "groups:leave": (lambda w: {"pk": w.group.pk}, "302/302 200/302 200/302 404/404 404/404 404/404 404/404"),
    # The secretariat's follow-up: admins only; the regional staff tick off their to-do items.
    # Review, contact log and exports: the group's regional staff and the secretariat; others 404.
    "groups:review_report": (
        lambda w: {"pk": w.group.reports.create(year=2026, quarter=1, status="submitted").pk},
        "302/302 404/404 404/404 404/404 200/200 404/404 200/200",
    ),
    "groups:contacts": (lambda w: {"pk": w.group.pk}, "302/302 404/404 404/404 404/404 200/200 404/404 200/200"),
    "groups:region_follow_up": (
        lambda w: {"slug": "bergen"},
        "302/405 404/405 404/405 404/405 200/405 404/405 200/405",
    ),
    "groups:region_contacts": (
        lambda w: {"slug": "bergen"},
        "302/405 404/405 404/405 404/405 200/405 404/405 200/405",
    ),
    "groups:export": (lambda w: {"slug": "bergen"}, "302/405 404/405 404/405 404/405 200/405 404/405 200/405"),
    "groups:review": (None, "302/405 404/405 404/405 404/405 404/405 404/405 200/405"),
    "groups:warn": (lambda w: {"pk": w.group.pk}, "302/302 404/404 404/404 404/404 404/404 404/404 200/200"),
    "groups:close": (lambda w: {"pk": w.group.pk}, "302/302 404/404 404/404 404/404 404/404 404/404 200/200"),
    "groups:reopen": (lambda w: {"pk": w.group.pk}, "302/302 404/404 404/404 404/404 404/404 404/404 200/200"),
    "groups:complete_follow_up": (
        lambda w: {"pk": _follow_up(w.group).pk},
        "405/302 405/404 405/404 405/404 405/302 405/404 405/302",
    ),
    # Quarterly reports: everyone who sees the group reads them; its officers, its regional leader
    # and the secretariat write them (an empty POST shows the form again with its errors).
    "groups:reports": (lambda w: {"pk": w.group.pk}, "302/405 200/405 200/405 404/405 200/405 404/405 200/405"),
    "groups:report": (
        lambda w: {"pk": w.group.pk, "quarter": str(Quarter.current())},
        "302/302 200/403 200/200 404/404 200/200 404/404 200/200",
    ),
    "groups:report_version": (
        lambda w: {"pk": w.group.pk, "quarter": str(_report_version(w.group).report.period), "number": 1},
        "302/405 200/405 200/405 404/405 200/405 404/405 200/405",
    ),
    "regions:list": (None, "302/405 404/405 404/405 404/405 200/405 200/405 200/405"),
    "regions:detail": (lambda w: {"slug": "bergen"}, "302/405 404/405 404/405 404/405 200/405 404/405 200/405"),
    # Dashboards: admins get the national overview, regional staff are sent on to their region's
    # dashboard; the national exports are the admins' alone.
    "dashboard:overview": (None, "302/405 404/405 404/405 404/405 302/405 302/405 200/405"),
    "dashboard:region": (lambda w: {"slug": "bergen"}, "302/405 404/405 404/405 404/405 200/405 404/405 200/405"),
    "dashboard:region_export": (
        lambda w: {"slug": "bergen", "table": "members", "fmt": "csv"},
        "302/405 404/405 404/405 404/405 200/405 404/405 200/405",
    ),
    "dashboard:national_export": (
        lambda w: {"table": "members", "fmt": "xlsx"},
        "302/405 404/405 404/405 404/405 404/405 404/405 200/405",
    ),
    # Unsubscribe (welcome series): the signed token in the address is the permission, for anyone
    # holding the link, logged in or not; GET asks, POST unsubscribes (no CSRF: RFC 8058 one-click).
    "unsubscribe": (
        lambda w: {"token": _unsubscribe_token(w.member)},
        "200/200 200/200 200/200 200/200 200/200 200/200 200/200",
    ),
    # Urgent actions (campaigns): the secretariat's alone; everyone else 404. An empty POST shows
    # the form again with its errors (or, without a revision, the stale-form message).
    "campaigns:alert_list": (None, "302/405 404/405 404/405 404/405 404/405 404/405 200/405"),
    "campaigns:alert_new": (None, "302/302 404/404 404/404 404/404 404/404 404/404 200/200"),
    "campaigns:alert_detail": (
        lambda w: {"pk": _action_alert(w).pk},
        "302/405 404/405 404/405 404/405 404/405 404/405 200/405",
    ),
    "campaigns:alert_edit": (
        lambda w: {"pk": _action_alert(w).pk},
        "302/302 404/404 404/404 404/404 404/404 404/404 200/200",
    ),
    "campaigns:alert_preview": (
        lambda w: {"pk": _action_alert(w).pk},
        "302/302 404/404 404/404 404/404 404/404 404/404 200/200",
    ),
    "campaigns:alert_send": (
        lambda w: {"pk": _action_alert(w).pk},
        "302/302 404/404 404/404 404/404 404/404 404/404 200/200",
    ),
    # Engage locally: the steps and results are public; the actions need an account (anonymous
    # visitors are sent to log in and back), and anyone logged in may use them.
    "engage:start": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "engage:modes": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "engage:time": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "engage:themes": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "engage:family": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "engage:results": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "engage:join_group": (lambda w: {"pk": w.group.pk}, "405/302 405/302 405/302 405/302 405/302 405/302 405/302"),
    "engage:sign_up": (None, "405/302 405/302 405/302 405/302 405/302 405/302 405/302"),
    "engage:meeting_place": (None, "405/302 405/302 405/302 405/302 405/302 405/302 405/302"),
    # Individual activists. Their own pages answer the logged-in person (here "member", made an
    # activist by the kwargs factory); anyone who is not an activist gets 404 there, except on the
    # page that shows them the way into the engage flow. The region's list, alumni and gatherings
    # are for regional staff (their region only) and the secretariat; a regional leader calls a
    # regional meeting, and invites only to their region's gatherings.
    "activists:my_activism": (None, "302/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "activists:activist_edit": (
        lambda w: _activist(w.member) and {},
        "302/302 200/302 404/404 404/404 404/404 404/404 404/404",
    ),
    "activists:activist_stop": (
        lambda w: _activist(w.member) and {},
        "302/302 200/200 404/404 404/404 404/404 404/404 404/404",
    ),
    "activists:activity_add": (
        lambda w: _activist(w.member) and {},
        "302/302 200/200 404/404 404/404 404/404 404/404 404/404",
    ),
    "activists:activity_edit": (
        lambda w: {"pk": _activist_activity(w.member).pk},
        "302/302 200/200 404/404 404/404 404/404 404/404 404/404",
    ),
    "activists:activity_delete": (
        lambda w: {"pk": _activist_activity(w.member).pk},
        "302/302 200/302 404/404 404/404 404/404 404/404 404/404",
    ),
    "activists:activist_list": (None, "302/405 404/405 404/405 404/405 200/405 200/405 200/405"),
    "activists:activist_detail": (
        lambda w: {"pk": _activist(w.member).pk},
        "302/405 404/405 404/405 404/405 200/405 404/405 200/405",
    ),
    "activists:alumni": (None, "302/405 404/405 404/405 404/405 200/405 200/405 200/405"),
    "activists:gathering_list": (None, "302/405 404/405 404/405 404/405 200/405 200/405 200/405"),
    "activists:gathering_new": (None, "302/302 404/404 404/404 404/404 200/200 200/200 200/200"),
    "activists:gathering_detail": (
        lambda w: {"pk": _gathering(w).pk},
        "302/405 404/405 404/405 404/405 200/405 404/405 200/405",
    ),
    "activists:gathering_invite": (
        lambda w: {"pk": _gathering(w).pk},
        "302/302 404/404 404/404 404/404 200/200 404/404 200/200",
    ),
    # Django's language switcher redirects back.
    "set_language": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    # django-allauth's pages: public ones answer everyone, account pages send anonymous to login.
    "account_login": (None, "200/200 302/302 302/302 302/302 302/302 302/302 302/302"),
    "account_logout": (None, "302/302 200/302 200/302 200/302 200/302 200/302 200/302"),
    "account_inactive": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "account_signup": (None, "200/200 302/302 302/302 302/302 302/302 302/302 302/302"),
    "account_reauthenticate": (None, "302/302 200/200 200/200 200/200 200/200 200/200 200/200"),
    "account_email": (None, "302/302 200/302 200/302 200/302 200/302 200/302 200/302"),
    "account_email_verification_sent": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "account_change_password": (None, "302/302 200/200 200/200 200/200 200/200 200/200 200/200"),
    "account_set_password": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    "account_reset_password": (None, "200/200 200/200 200/200 200/200 200/200 200/200 200/200"),
    "account_confirm_login_code": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    "account_confirm_email": (
        lambda w: {"key": "not-a-key"},
        "200/404 200/404 200/404 200/404 200/404 200/404 200/404",
    ),
    "account_reset_password_from_key_done": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "account_reset_password_from_key": (
        lambda w: {"uidb36": "0", "key": "not-a-key"},
        "200/200 200/200 200/200 200/200 200/200 200/200 200/200",
    ),
    "account_reset_password_done": (None, "200/405 200/405 200/405 200/405 200/405 200/405 200/405"),
    "mfa_index": (None, "302/302 200/405 200/405 200/405 200/405 200/405 200/405"),
    "mfa_authenticate": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    "mfa_reauthenticate": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    "mfa_activate_totp": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    "mfa_deactivate_totp": (None, "302/302 404/404 404/404 404/404 404/404 404/404 404/404"),
    "mfa_view_recovery_codes": (None, "302/302 404/405 404/405 404/405 404/405 404/405 404/405"),
    "mfa_generate_recovery_codes": (None, "302/302 302/302 302/302 302/302 302/302 302/302 302/302"),
    "mfa_download_recovery_codes": (None, "302/302 404/404 404/404 404/404 404/404 404/404 404/404"),
}


def _join_request(group, person):
    return JoinRequest.objects.create(group=group, person=person)


def _invitation(group, person):
    return Invitation.objects.create(group=group, email=person.email, person=person, token=f"token-{person.pk}")


def _report_version(group):
    quarter = Quarter.current()
    report = group.reports.create(year=quarter.year, quarter=quarter.number, status="submitted")
    return report.versions.create(number=1, data={"activities": []})


def _unsubscribe_token(person):
    from activists.consent import unsubscribe_token

    return unsubscribe_token(person, "welcome_step")


def _erasure_request(person):
    from activists.models import ErasureRequest

    return ErasureRequest.objects.create(person=person, reason="Flytter")


def _follow_up(group):
    return FollowUp.objects.create(group=group, region=group.region, kind=FollowUp.Kind.FIRST_CONTACT)


def _activist(person):
    from activists.models import IndividualActivist

    return IndividualActivist.objects.get_or_create(person=person)[0]


def _activist_activity(person):
    import datetime

    return _activist(person).activities.create(date=datetime.date.today(), type="stand", description="Stand")


def _gathering(world):
    import datetime

    from django.utils import timezone

    from activists.models import Gathering

    return Gathering.objects.create(
        kind=Gathering.Kind.REGIONAL_MEETING,
        title="Regionmøte",
        region=world.region,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Bergen",
    )


def _action_alert(world):
    from campaigns.models import ActionAlert

    return ActionAlert.objects.create(title="Hastesak", body="Skriv til ambassaden.", created_by=world.admin)


# Patterns that are not pages: static files in DEBUG.
NOT_PAGES = {None}


def _cases():
    for name, (kwargs, row) in MATRIX.items():
        for role, cell in zip(ROLES, row.split(), strict=True):
            get_status, post_status = (int(part) for part in cell.split("/"))
            yield pytest.param(name, kwargs, role, "get", get_status, id=f"{name}-{role}-GET")
            yield pytest.param(name, kwargs, role, "post", post_status, id=f"{name}-{role}-POST")


def test_every_url_pattern_has_an_entry():
    names = {name for name, _route, _pattern in all_url_patterns()}
    missing = sorted(n for n in names - set(MATRIX) - NOT_PAGES if not n.startswith("admin:"))
    assert missing == [], f"URL patterns without a permission-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert stale == [], f"Permission-matrix entries without a URL pattern: {stale}"


@pytest.mark.parametrize(("name", "kwargs", "role", "method", "expected"), list(_cases()))
def test_permission_matrix(world, login, name, kwargs, role, method, expected):
    client = login(world.user(role))
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    response = getattr(client, method)(url, {})
    assert response.status_code == expected, f"{method.upper()} {url} as {role}"
    if role == "anonymous" and expected == 302 and not name.startswith(("account_", "mfa_", "set_language")):
        assert response["Location"].startswith(reverse("account_login")), "anonymous must be sent to login"


def _admin_urls():
    for name, route, _pattern in all_url_patterns():
        if name and name.startswith("admin:") and "<" not in route and "(?P" not in route:
            yield name


@pytest.mark.parametrize("name", sorted(_admin_urls()))
@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_for_admins_only(world, login, name, role):
    client = login(world.user(role))
    response = client.get(reverse(name))
    if role == "admin" and name == "admin:logout":
        assert response.status_code == 405  # logging out takes a POST
    elif role == "admin":
        # 403 only where the admin itself forbids it (adding rows to the read-only audit log).
        assert response.status_code in (200, 302, 403)
        assert not response.get("Location", "").startswith(reverse("account_login"))
    elif role == "anonymous" or name != "admin:login":
        # Behind allauth's login (secure_admin_login): no second, unprotected admin login.
        assert response.status_code == 302
        location = response["Location"]
        # (the admin's logout sends everyone who is not an admin to the admin index, which is behind login)
        assert location.startswith((reverse("account_login"), reverse("admin:login"), reverse("admin:index")))
    else:
        assert response.status_code == 403  # logged in, but not an admin


def test_admin_object_pages_answer_no_one_but_admins(world, login):
    url = reverse("admin:activists_user_change", args=[world.member.pk])
    for role in ROLES:
        response = login(world.user(role)).get(url)
        assert response.status_code == (200 if role == "admin" else 302), role


def test_refusal_is_logged_with_who_and_where(world, login):
    from amnesty_portal.models import SecurityEvent

    login(world.other_leader).get(reverse("groups:detail", args=[world.group.pk]))
    event = SecurityEvent.objects.filter(kind="permission_denied").latest("at")
    assert event.user == world.other_leader
    assert event.path == reverse("groups:detail", args=[world.group.pk])
    assert event.ip_address == "127.0.0.1"

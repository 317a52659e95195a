"""The group journey in Chromium with the demo accounts: a contact registers a group, the regional
leader approves it; a contact's membership lapses, the secretariat warns the group and closes it,
and its members see it closed. Every page on the way passes axe-core. Joining a group is also
done with the keyboard alone."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from activists import demo_data
from activists.models import User
from groups.models import CriterionStatus, FollowUp, Group, Invitation, JoinRequest, Office
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)

NEW_GROUP = "Amnesty Fyllingsdalen"
NAMED_GROUP = "Amnesty Bergen sentrum"


def _submit(page, selector="main form button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).first.click()


def _log_in(page, email):
    page.context.clear_cookies()
    log_in(page, email)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    demo_data.load()


def test_register_approve_lapse_warn_close(page, demo, mailoutbox):
    # 1. The Bergen contact registers a new group.
    _log_in(page, "kontakt.bergen@example.org")
    page.goto("/grupper/ny/")
    assert _violations(page) == []
    page.locator("#id_name").fill(NEW_GROUP)
    page.locator("input[name=category][value=local]").check()
    page.locator("#id_municipality").select_option(value="4601")
    page.locator("#id_themes").fill("Skrivekafé på biblioteket, stands")
    page.locator("input[name=priority_areas]").nth(0).check()
    page.locator("input[name=priority_areas]").nth(2).check()
    page.locator("#id_invitations").fill("medlem@example.org\nny.venn@example.net")
    page.locator("#id_accept_statutes").check()
    _submit(page)
    group = Group.objects.get(name=NEW_GROUP)
    assert group.status == Group.Status.PENDING
    assert page.url.endswith(group.get_absolute_url())
    assert _violations(page) == []
    assert Invitation.objects.filter(group=group).count() == 2
    newcomer = User.objects.get(email="ny.venn@example.net")
    assert not newcomer.has_usable_password()  # an account invitation, to be completed by its owner

    # 2. The Bergen regional leader approves it from the review queue.
    _log_in(page, "region.bergen@example.org")
    page.goto("/grupper/til-godkjenning/")
    assert NEW_GROUP in page.locator("main").inner_text()
    assert _violations(page) == []
    mailoutbox.clear()
    _submit(page, f"form[action='/grupper/{group.pk}/godkjenn/'] button")
    group.refresh_from_db()
    assert group.status == Group.Status.RECOGNISED
    kinds = set(FollowUp.objects.open().filter(group=group).values_list("kind", flat=True))
    assert kinds == {FollowUp.Kind.WELCOME_PACKAGE, FollowUp.Kind.FIRST_CONTACT}
    assert [message.to for message in mailoutbox] == [["kontakt.bergen@example.org"]]
    # The to-do items are on the leader's region page.
    page.goto("/regioner/bergen/")
    assert NEW_GROUP in page.locator("#to-do").locator("..").inner_text()
    assert _violations(page) == []

    # 3. The contact of Amnesty Bergen sentrum stops paying: an admin records it in the admin.
    named = Group.objects.get(name=NAMED_GROUP)
    contact = User.objects.get(email="kontakt.bergen@example.org")
    _log_in(page, "admin@example.org")
    page.goto(f"/admin/activists/user/{contact.pk}/change/")
    page.locator("#id_membership_status").select_option(value=User.Membership.LAPSED)
    _submit(page, "input[name=_save]")
    contact.refresh_from_db()
    assert contact.membership_status == User.Membership.LAPSED
    # Her offices in both her groups end that day; both groups now fail criterion 4.
    assert not Office.objects.current().filter(person=contact).exists()
    for lost in (named, group):
        lost.refresh_from_db()
        assert lost.standing == Group.Standing.FAILS
        assert CriterionStatus.objects.get(group=lost, number=4).state == Group.Standing.FAILS

    # 4. The admin finds the group on the review page and warns it.
    page.goto("/grupper/oppfolging/")
    assert NAMED_GROUP in page.locator("main").inner_text()
    assert _violations(page) == []
    with page.expect_navigation():
        page.locator(f"a[href='/grupper/{named.pk}/advarsel/']").click()
    assert _violations(page) == []
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.locator("#id_message").fill("Gruppa må velge en ny gruppekontakt som betaler medlemskapet.")
    mailoutbox.clear()
    _submit(page)
    named.refresh_from_db()
    assert named.warning_deadline == deadline
    # The group has no contact now, so its members are warned, with a copy to the regional leader.
    assert mailoutbox and all("region.bergen@example.org" in message.cc for message in mailoutbox)

    # 5. ... and closes it, after seeing what will happen.
    page.goto(f"/grupper/{named.pk}/legg-ned/")
    assert _violations(page) == []
    page.locator("#id_reason").fill("Gruppa har ikke hatt en gruppekontakt på over en måned.")
    mailoutbox.clear()
    _submit(page, "main form button.btn-danger")
    named.refresh_from_db()
    assert named.status == Group.Status.CLOSED
    assert named.closed_on == timezone.localdate()
    assert not Office.objects.current().filter(group=named).exists()
    assert named.memberships.filter(left_on__isnull=True).count() > 0  # nothing deleted
    recipients = {address for message in mailoutbox for address in message.to}
    assert "medlem@example.org" in recipients
    assert _violations(page) == []

    # 6. A member sees the group closed, on My page and on the group's page.
    _log_in(page, "medlem@example.org")
    page.goto("/")
    assert NAMED_GROUP in page.locator("#my-groups").locator("..").inner_text()
    page.goto(named.get_absolute_url())
    assert page.locator(".alert-secondary").is_visible()
    assert _violations(page) == []
    # And it has left the directory of groups one can join.
    page.goto("/grupper/finn/")
    assert NAMED_GROUP not in page.locator("main").inner_text()


def test_newcomer_accepts_the_invitation_by_choosing_a_password(page, demo):
    _log_in(page, "kontakt.bergen@example.org")
    page.goto("/grupper/ny/")
    page.locator("#id_name").fill(NEW_GROUP)
    page.locator("input[name=category][value=local]").check()
    page.locator("#id_municipality").select_option(value="4601")
    page.locator("input[name=priority_areas]").nth(1).check()
    page.locator("#id_invitations").fill("ny.venn@example.net")
    page.locator("#id_accept_statutes").check()
    _submit(page)
    invitation = Invitation.objects.get(email="ny.venn@example.net")
    page.context.clear_cookies()
    page.goto(f"/grupper/invitasjon/{invitation.token}/")
    assert _violations(page) == []
    page.locator("#id_new_password1").fill("en lang og god passfrase 2026")
    page.locator("#id_new_password2").fill("en lang og god passfrase 2026")
    _submit(page)
    # On the group's page and still logged in (not sent to the login page with ?next=).
    assert urlsplit(page.url).path == invitation.group.get_absolute_url()
    page.reload()
    assert urlsplit(page.url).path == invitation.group.get_absolute_url()
    assert page.locator("form[action='/konto/logout/']").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.group.memberships.filter(person__email="ny.venn@example.net").exists()


def test_registration_errors_are_shown_next_to_the_fields(page, demo):
    _log_in(page, "kontakt.bergen@example.org")
    page.goto("/grupper/ny/")
    page.locator("input[name=category][value=student]").check()
    page.locator("#id_invitations").fill("ikke-en-adresse")
    _submit(page)
    assert not Group.objects.filter(registered_by__email="kontakt.bergen@example.org").exists()
    for field in ("id_name", "id_municipality", "id_institution", "id_invitations", "id_accept_statutes"):
        described = page.locator(f"#{field}").get_attribute("aria-describedby") or ""
        assert described, f"{field} has no error tied to it"
    assert _violations(page) == []


def _tab_to(page, predicate_js, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"never reached: {predicate_js}")


def test_ask_to_join_with_the_keyboard_alone(page, demo):
    _log_in(page, "ny@example.org")
    page.goto("/grupper/finn/?region=bergen")
    group = Group.objects.recognised().filter(is_open=True, region__slug="bergen").order_by("name").first()
    _tab_to(page, f"() => document.activeElement.getAttribute('href') === '/grupper/{group.pk}/bli-med/'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "() => document.activeElement.name === 'message'")
    page.keyboard.type("Jeg vil gjerne være med!")
    _tab_to(page, "() => document.activeElement.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    join_request = JoinRequest.objects.get(group=group, person__email="ny@example.org")
    assert join_request.message == "Jeg vil gjerne være med!"
    assert join_request.status == JoinRequest.Status.PENDING

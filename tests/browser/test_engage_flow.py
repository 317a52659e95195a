"""Engage locally in Chromium, with the keyboard alone: ny@example.org (a new member in Voss, outside
the five office cities) goes through the guided flow, sees groups near her and activities, asks to
join Amnesty Bergen sentrum and signs up as an individual activist; the group's contact,
kontakt.bergen@example.org, sees the request. Every step passes axe-core."""

import importlib

import pytest
from django.apps import apps

from activists import demo_data
from activists.models import IndividualActivist, User
from groups.models import Group, JoinRequest
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)

NEARBY_GROUP = "Amnesty Bergen sentrum"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    demo_data.load()
    # A transactional test starts from a flushed database: the catalogue comes from a migration.
    importlib.import_module("activists.migrations.0005_activity_catalogue").add(apps, None)


def _tab_to(page, selector, limit=80):
    """Press Tab until the element matching the selector has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus")


def _press_and_wait(page, key="Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)


def _step(page, number):
    assert f"{number}" in page.locator("h1").inner_text()
    assert page.locator("[aria-current=step]").count() == 1
    assert _violations(page) == [], f"step {number}"


def test_new_member_finds_groups_and_activities_asks_to_join_and_signs_up(page, demo):
    ny = User.objects.get(email="ny@example.org")
    assert ny.postal_code_id == "5700" and ny.is_member

    log_in(page, "ny@example.org")
    # From the navigation, with the keyboard.
    _tab_to(page, "header nav a[href='/engasjer-deg/']")
    _press_and_wait(page)

    # 1. Where do you live: her postal code from the profile is filled in.
    _step(page, 1)
    _tab_to(page, "#id_postal_code")
    assert page.locator("#id_postal_code").input_value() == "5700"
    _press_and_wait(page)

    # 2. How: with others and online.
    _step(page, 2)
    assert "Voss" in page.locator("main").inner_text()
    _tab_to(page, "input[value=with_others]")
    page.keyboard.press("Space")
    _tab_to(page, "input[value=online]")
    page.keyboard.press("Space")
    _tab_to(page, "main button[type=submit]")
    _press_and_wait(page)

    # 3. Time: a few hours a month (the arrow keys move within the radio group).
    _step(page, 3)
    _tab_to(page, "input[name=time]")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[value=monthly]").is_checked()
    _tab_to(page, "main button[type=submit]")
    _press_and_wait(page)

    # 4. Themes: the first one.
    _step(page, 4)
    _tab_to(page, "input[name=themes]")
    page.keyboard.press("Space")
    _tab_to(page, "main button[type=submit]")
    _press_and_wait(page)

    # 5. Family: no (already chosen); on to the results.
    _step(page, 5)
    _tab_to(page, "main button[type=submit]")
    _press_and_wait(page)

    assert "/engasjer-deg/forslag/?postal_code=5700" in page.url
    assert "modes=with_others" in page.url and "time=monthly" in page.url
    assert "ny%40example" not in page.url and "ny@example" not in page.url
    assert _violations(page) == []
    groups = page.locator("#group-list h3").all_inner_texts()
    assert groups[0] == "Amnesty Voss"
    assert NEARBY_GROUP in groups
    activities = page.locator("#idea-list h3").all_inner_texts()
    assert "Skrivecafé der du bor" in activities
    assert page.locator("#share-link").inner_text() == page.url

    # Ask to join Amnesty Bergen sentrum.
    group = Group.objects.get(name=NEARBY_GROUP)
    _tab_to(page, f"form[action^='/engasjer-deg/forslag/bli-med/{group.pk}/'] button", limit=200)
    _press_and_wait(page)
    assert JoinRequest.objects.pending().filter(person=ny, group__name=NEARBY_GROUP).exists()
    assert _violations(page) == []

    # Tick the writing café, and sign up as an individual activist.
    _tab_to(page, "input[name=ideas]", limit=200)
    page.keyboard.press("Space")
    _tab_to(page, "#sign-up-form button[type=submit]", limit=200)
    _press_and_wait(page)
    activist = IndividualActivist.objects.get(person=ny)
    assert activist.modes == ["with_others", "online"]
    assert activist.time == "monthly"
    assert activist.ideas.count() == 1
    assert page.locator("main").get_by_text("You are signed up as an individual activist.").count() or (
        page.locator("main").get_by_text("Du er meldt på som enkeltaktivist.").count()
    )
    assert _violations(page) == []

    # The group's contact sees the request on the group's page.
    page.context.clear_cookies()
    log_in(page, "kontakt.bergen@example.org")
    assert NEARBY_GROUP in page.locator("h1").inner_text()
    assert "Amina Ali" in page.locator("#join-requests").locator("xpath=..").inner_text()


def test_each_step_passes_axe_for_a_visitor_and_a_bad_postal_code_is_explained(page, demo):
    page.goto("/engasjer-deg/")
    _tab_to(page, "#id_postal_code")
    page.keyboard.type("9999")
    _press_and_wait(page)
    assert page.locator("#id_postal_code_error").is_visible()
    assert _violations(page) == []
    for path in ["delta/", "tid/", "tema/", "familie/", "forslag/"]:
        page.goto(f"/engasjer-deg/{path}?postal_code=5700")
        assert _violations(page) == [], path

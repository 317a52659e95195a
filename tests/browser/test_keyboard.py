"""The frame works with the keyboard alone: skip link, login, navigation and the language switcher."""

import pytest

from activists import demo_data

pytestmark = pytest.mark.django_db(transaction=True)


def _focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return e && (e.id || e.name || e.textContent.trim()); }"
    )


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert _focused(page) in ("Hopp til hovedinnholdet", "Skip to main content")
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


def test_log_in_and_reach_profile_with_keyboard_only(page, settings):
    settings.DEBUG = True
    demo_data.load()
    page.goto("/konto/login/")
    # Tab from the top of the page until the email field has focus.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "login":
            break
    page.keyboard.type("medlem@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("amnesty-demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(("Velkommen", "Welcome"))
    # Reach "My profile" in the navigation by tabbing, and follow it with Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('href')") == "/personer/meg/":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/personer/meg/")
    # Focus is visible: the focused element has an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_language_switcher_works_with_keyboard(page):
    page.goto("/")
    page.locator("#language-select").focus()
    page.keyboard.press("ArrowDown")  # from bokmål to English
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Log in").first.is_visible()

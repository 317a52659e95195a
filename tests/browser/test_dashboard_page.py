"""The dashboards in Chromium with the demo data: Bergen's regional leader reaches her region's
dashboard from the menu with the keyboard, sees the to-do list, the figures and the charts; the
admin sees the national overview; on a phone the page does not scroll sideways; every page passes
axe-core; and a chart's data holds no hidden figure."""

import json

import pytest

from activists import demo_data
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DASHBOARD_CACHE_SECONDS = 0
    demo_data.load()


def _charts(page) -> dict:
    """Every chart's data as the page ships it to Chart.js."""
    scripts = page.locator("script[type='application/json'][id^='chart-']")
    return {
        scripts.nth(i).get_attribute("id"): json.loads(scripts.nth(i).text_content()) for i in range(scripts.count())
    }


def test_the_regional_leader_reaches_her_dashboard_with_the_keyboard(page, demo):
    log_in(page, "region.bergen@example.org")
    # Tab from the top of the page to the menu's "Oversikt" link and follow it with Enter.
    link = page.get_by_role("link", name="Oversikt", exact=True)
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("The dashboard link in the menu cannot be reached with Tab.")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/oversikt/bergen/")
    assert page.get_by_role("heading", name="Oversikt for Bergen", level=1).is_visible()
    todo = page.locator("section[aria-labelledby=to-do]")
    # The demo data: Bergen sentrum has not submitted last quarter's report, and it is past the deadline.
    assert todo.get_by_role("link", name="Amnesty Bergen sentrum").first.is_visible()
    assert page.get_by_role("heading", name="Målgruppene", level=2).is_visible()
    # The charts are drawn (Chart.js attaches itself to each canvas), each beside its table.
    page.wait_for_function("() => document.querySelectorAll('canvas[id^=chart-]').length > 0")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[id^=chart-]')].every(c => window.Chart && Chart.getChart(c))"
    )
    assert drawn
    for canvas in page.locator("canvas[id^=chart-]").all():
        name = canvas.get_attribute("id").removeprefix("chart-")
        assert canvas.get_attribute("role") == "img"
        assert page.locator(f"#table-{name}").count() == 1
    assert _violations(page) == []


def test_a_chart_never_carries_a_hidden_figure(page, demo):
    log_in(page, "region.bergen@example.org")
    page.goto("/oversikt/bergen/")
    charts = _charts(page)
    assert charts
    for chart_id, data in charts.items():
        name = chart_id.removeprefix("chart-").removesuffix("-data")
        rows = page.locator(f"#table-{name} tbody tr")
        shown = {cell.strip() for cell in rows.locator("td").all_inner_texts()}
        for dataset in data["datasets"]:
            for value in dataset["data"]:
                # A number in a chart is a number shown in its table; "<5" cells are null.
                assert value is None or not (0 < value < 5) or data["unit"] == "%", (chart_id, value)
        if any(value is None for dataset in data["datasets"] for value in dataset["data"]):
            assert "<5" in shown


def test_the_admin_sees_the_national_overview(page, demo):
    log_in(page, "admin@example.org")
    page.goto("/oversikt/")
    assert page.get_by_role("heading", name="Nasjonal oversikt", level=1).is_visible()
    table = page.locator("#table-groups_by_region")
    for region in ("Bergen", "Oslo", "Stavanger", "Tromsø", "Trondheim"):
        assert table.get_by_role("rowheader", name=region).count() == 1
    assert _violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name="Bergen").first.click()
    assert page.url.endswith("/oversikt/bergen/")


def test_the_dashboard_fits_a_phone(browser, live_server, demo, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", viewport={"width": 375, "height": 800}, is_mobile=True
    )
    page = context.new_page()
    try:
        log_in(page, "region.bergen@example.org")
        page.goto("/oversikt/bergen/")
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        assert _violations(page) == []
    finally:
        context.close()

"""An urgent action in Chromium with the demo data: the secretariat admin finds "Urgent actions" in the
menu, writes a draft for Bergen, narrows it in the preview, sends it after confirming, and sees the
delivery on the alert's page. Every page on the way passes axe-core."""

import pytest
from playwright.sync_api import expect

from activists import demo_data
from amnesty_portal.models import OutboxMessage
from campaigns.models import ActionAlert
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)


def _click(page, locator):
    with page.expect_navigation():
        locator.click()


def test_the_admin_sends_an_urgent_action_and_follows_its_delivery(page, settings):
    settings.DEBUG = True
    demo_data.load()
    log_in(page, "admin@example.org")
    _click(page, page.locator("header nav a[href='/kampanjer/hasteaksjoner/']"))
    assert page.url.endswith("/kampanjer/hasteaksjoner/")
    assert _violations(page) == []

    _click(page, page.locator("main a[href$='/hasteaksjoner/ny/']"))
    assert _violations(page) == []
    page.locator("#id_title").fill("Løslat menneskerettighetsforkjemperen")
    page.locator("#id_body").fill("Hun ble arrestert i går. Skriv til ambassaden i dag.")
    page.locator("#id_action_url").fill("https://www.amnesty.no/aksjon")
    page.get_by_label("Bergen").first.check()
    _click(page, page.locator("main form button[type=submit]"))
    alert = ActionAlert.objects.get(title="Løslat menneskerettighetsforkjemperen")
    assert page.url.endswith(f"/hasteaksjoner/{alert.pk}/forhandsvisning/")
    assert _violations(page) == []
    saved_count = page.locator("main [role=status] strong").inner_text()

    # A narrower choice is previewed, then kept.
    page.locator("fieldset").nth(1).locator("input[type=checkbox]").first.check()
    _click(page, page.locator("button[name=update]"))
    assert _violations(page) == []
    _click(page, page.locator("main form[method=post] button[type=submit]"))
    assert alert.themes.count() == 1
    narrowed = page.locator("main [role=status] strong").inner_text()
    assert narrowed == "<5" or int(narrowed) <= int(saved_count.replace("\xa0", "").replace(" ", ""))

    _click(page, page.locator("main a[href$='/send/']"))
    assert _violations(page) == []
    _click(page, page.locator("main form button[type=submit]"))
    alert.refresh_from_db()
    assert alert.status == ActionAlert.Status.SENT
    assert page.url.endswith(f"/hasteaksjoner/{alert.pk}/")
    assert page.locator("progress").count() == 1
    assert _violations(page) == []
    assert OutboxMessage.objects.filter(batch=alert.batch).count() == alert.recipient_count


def test_the_alert_page_follows_delivery_without_reloading(page, settings):
    """While emails wait, a static script fetches the figures again and updates the live region."""
    from django.utils import timezone

    from tests import factories as f

    admin = f.verify_email(f.PersonFactory(email="sekretariat@example.org", is_secretariat=True))
    alert = ActionAlert.objects.create(
        title="Hastesak", body="Tekst.", created_by=admin, status=ActionAlert.Status.SENT, sent_at=timezone.now()
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=f"{alert.batch}:{i}",
            kind="action_alert",
            to=f"p{i}@example.org",
            subject="S",
            text="T",
            batch=alert.batch,
            next_attempt_at=timezone.now() + timezone.timedelta(days=1),
        )
        for i in range(10)
    )
    log_in(page, admin.email, password=f.PASSWORD)
    page.goto(f"/kampanjer/hasteaksjoner/{alert.pk}/")
    assert page.locator("#alert-progress progress").get_attribute("value") == "0.0"
    assert _violations(page) == []
    OutboxMessage.objects.filter(batch=alert.batch).update(status=OutboxMessage.Status.SENT)
    # (CSP forbids evaluating strings, so the wait is Playwright's own, polling the attribute.)
    expect(page.locator("#alert-progress progress")).to_have_attribute("value", "100.0", timeout=20_000)
    assert page.locator("#alert-progress").get_attribute("aria-live") == "polite"

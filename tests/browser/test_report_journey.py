"""The quarterly report in Chromium with the demo accounts: the contact of Amnesty Bergen sentrum writes
the report due now, adds two activities, saves the draft, comes back to it and submits it. Every page
on the way passes axe-core. The form can also be filled and submitted with the keyboard alone."""

import datetime

import pytest

from activists import demo_data
from activists.models import User
from groups import reports
from groups.models import Group, QuarterlyReport
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)

NAMED_GROUP = "Amnesty Bergen sentrum"


@pytest.fixture
def group(settings):
    settings.DEBUG = True
    demo_data.load()
    group = Group.objects.get(name=NAMED_GROUP)
    quarter = reports.reporting_quarter()
    # The demo data may hold a report for the quarter; this journey starts from none.
    QuarterlyReport.objects.for_quarter(quarter).filter(group=group).delete()
    return group


def _click(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_the_contact_files_the_report_due_now(page, group):
    quarter = reports.reporting_quarter()
    log_in(page, "kontakt.bergen@example.org")
    page.goto(group.get_absolute_url())
    assert _violations(page) == []
    _click(page, f"#actions ~ ul a[href='/grupper/{group.pk}/rapporter/']")
    assert _violations(page) == []
    report_url = f"/grupper/{group.pk}/rapporter/{quarter}/"
    _click(page, f"main a[href='{report_url}']")
    assert _violations(page) == []

    # The first activity, then "add another", which saves the draft and gives an empty row.
    first_day = quarter.start + datetime.timedelta(days=10)
    page.locator("#id_done-0-date").fill(first_day.isoformat())
    page.locator("#id_done-0-type").select_option(value="stand")
    page.locator("#id_done-0-participants").fill("4")
    page.locator("#id_done-0-people_reached").fill("120")
    page.locator("#id_done-0-description").fill("Stand på Torgallmenningen")
    _click(page, "button[value=add-done]")
    report = QuarterlyReport.objects.for_quarter(quarter).get(group=group)
    assert report.status == QuarterlyReport.Status.DRAFT and report.activities.count() == 1
    assert _violations(page) == []
    page.locator("#id_done-1-date").fill((first_day + datetime.timedelta(days=20)).isoformat())
    page.locator("#id_done-1-type").select_option(value="signatures")
    page.locator("#id_done-1-signatures").fill("85")
    page.locator("#id_done-1-outward").check()
    page.locator("#id_planned-0-type").select_option(value="lobbying")
    page.locator("#id_planned-0-description").fill("Møte med ordføreren om flyktninger")
    _click(page, "button[value=save]")
    assert report.activities.count() == 3

    # The browser is closed and opened again: the draft is on the server.
    page.context.clear_cookies()
    log_in(page, "kontakt.bergen@example.org")
    page.goto(report_url)
    assert page.locator("#id_done-1-signatures").input_value() == "85"
    assert page.locator("#id_planned-0-description").input_value() == "Møte med ordføreren om flyktninger"
    assert _violations(page) == []
    page.locator("#id_support_needed").fill("Materiell til stand")
    _click(page, "button[value=submit]")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert report.support_needed == "Materiell til stand"
    assert report.versions.count() == 1
    assert page.locator("#versions").is_visible()
    assert _violations(page) == []
    _click(page, f"a[href='{report_url}versjon/1/']")
    assert "Torgallmenningen" in page.locator("main").inner_text()
    assert _violations(page) == []


def test_an_error_is_shown_next_to_its_field(page, group):
    quarter = reports.reporting_quarter()
    log_in(page, "kontakt.bergen@example.org")
    page.goto(f"/grupper/{group.pk}/rapporter/{quarter}/")
    page.locator("#id_done-0-type").select_option(value="stand")
    page.locator("#id_done-0-date").fill((quarter.end + datetime.timedelta(days=1)).isoformat())
    _click(page, "button[value=save]")
    assert page.locator("#id_done-0-date").get_attribute("aria-describedby") == "id_done-0-date_error"
    assert page.locator("#id_done-0-date_error").is_visible()
    assert not QuarterlyReport.objects.for_quarter(quarter).filter(group=group).exists()
    assert _violations(page) == []


def _tab_to(page, predicate_js, limit=120):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"never reached: {predicate_js}")


def test_fill_and_submit_the_report_with_the_keyboard_alone(page, group):
    quarter = reports.reporting_quarter()
    day = quarter.start + datetime.timedelta(days=14)
    log_in(page, "kontakt.bergen@example.org")
    page.goto(f"/grupper/{group.pk}/rapporter/{quarter}/")
    _tab_to(page, "() => document.activeElement.name === 'done-0-date'")
    # The date field's segments follow Chromium's own language (not the page's): month first here,
    # else day first; Shift+Tab goes back through the segments to try the other order.
    page.keyboard.type(day.strftime("%m%d%Y"))
    if page.locator("#id_done-0-date").input_value() != day.isoformat():
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(day.strftime("%d%m%Y"))
    assert page.locator("#id_done-0-date").input_value() == day.isoformat()
    _tab_to(page, "() => document.activeElement.name === 'done-0-type'", limit=5)
    page.keyboard.press("ArrowDown")  # the first type in the list
    assert page.locator("#id_done-0-type").input_value() != ""
    _tab_to(page, "() => document.activeElement.name === 'done-0-description'")
    page.keyboard.type("Skrivekafé på biblioteket")
    _tab_to(page, "() => document.activeElement.value === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    report = QuarterlyReport.objects.for_quarter(quarter).get(group=group)
    assert report.status == QuarterlyReport.Status.SUBMITTED
    activity = report.activities.get()
    assert activity.date == day and activity.description == "Skrivekafé på biblioteket"


def test_the_draft_is_autosaved_and_a_save_by_someone_else_is_reported(page, group):
    quarter = reports.reporting_quarter()
    log_in(page, "kontakt.bergen@example.org")
    page.clock.install()
    page.goto(f"/grupper/{group.pk}/rapporter/{quarter}/")
    page.locator("#id_comments").fill("Skrevet uten å trykke på lagre")
    page.clock.run_for(31_000)
    status = page.locator("#autosave-status")
    assert status.get_attribute("aria-live") == "polite"
    page.wait_for_function("() => document.getElementById('autosave-status').textContent.trim() !== ''")
    report = QuarterlyReport.objects.for_quarter(quarter).get(group=group)
    assert report.comments == "Skrevet uten å trykke på lagre"
    # Someone else saves; the next autosave is refused and says who.
    other = User.objects.get(email="region.bergen@example.org")
    reports.save_draft(actor=other, report=report, data={"comments": "Annen"}, activities=[], revision=report.revision)
    page.locator("#id_comments").fill("Min neste endring")
    page.clock.run_for(31_000)
    page.wait_for_function(f"() => document.getElementById('autosave-status').textContent.includes({str(other)!r})")
    report.refresh_from_db()
    assert report.comments == "Annen"


def test_the_regional_leader_reviews_the_report_with_feedback(page, group, mailoutbox):
    """The Bergen contact's submitted report reaches the regional leader's page; she reads it,
    acknowledges it with feedback and marks the group for follow-up; the contact gets the feedback."""
    from groups.models import Contact

    quarter = reports.reporting_quarter()
    contact = User.objects.get(email="kontakt.bergen@example.org")
    report = reports.get_or_start_report(actor=contact, group=group, quarter=quarter)
    activity = {
        "kind": "done",
        "date": quarter.start + datetime.timedelta(days=5),
        "type": "stand",
        "outward": True,
        "description": "Stand for Skriv for liv",
    }
    reports.save_draft(actor=contact, report=report, data={"members_count": 12}, activities=[activity], revision=0)
    report.refresh_from_db()
    reports.submit_report(actor=contact, report=report, revision=report.revision)

    log_in(page, "region.bergen@example.org")
    page.goto("/regioner/bergen/")
    assert _violations(page) == []
    _click(page, f"main a[href='/grupper/rapporter/{report.pk}/gjennomgang/']")
    assert "Stand for Skriv for liv" in page.locator("main").inner_text()
    assert _violations(page) == []
    page.locator("#id_feedback").fill("Takk for en fin rapport! Vi tar gjerne en prat om verving.")
    page.locator("#id_needs_follow_up").check()
    mailoutbox.clear()
    _click(page, "section[aria-labelledby=review] button[type=submit]")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.REVIEWED
    assert report.needs_follow_up and report.reviewed_by.email == "region.bergen@example.org"
    assert Contact.objects.get(report=report).channel == Contact.Channel.REPORT_FEEDBACK
    feedback = [message for message in mailoutbox if message.to == ["kontakt.bergen@example.org"]]
    assert len(feedback) == 1 and "verving" in feedback[0].body
    assert _violations(page) == []

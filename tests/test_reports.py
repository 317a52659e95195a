"""Quarterly reports as the group's contact and officers write them: drafts, a second officer going on,
two people saving at once, submitting (late or not), versions, the end of editing at review, errors
next to their fields, and last quarter's plans coming back as suggestions.

Status codes per role are in test_permissions.py; query counts in test_query_counts.py.
"""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from amnesty_portal.models import AuditEvent
from groups import reports
from groups.forms import SIGNING_SALT
from groups.models import ActivityType, Office, PriorityArea, QuarterlyReport, ReportActivity, ReportVersion
from groups.quarters import Quarter
from groups.services import GroupError
from tests import factories as f

pytestmark = pytest.mark.django_db


def running():
    return Quarter.current()


def just_ended():
    return Quarter.current().previous


def url(group, quarter):
    return reverse("groups:report", args=[group.pk, str(quarter)])


def done(day, **values):
    return {"kind": "done", "date": day, "type": ActivityType.STAND, "outward": True, **values}


def planned(**values):
    return {"kind": "planned", "type": ActivityType.LOBBYING, **values}


def new_report(group, quarter):
    return QuarterlyReport(group=group, year=quarter.year, quarter=quarter.number)


def draft(world, quarter=None, activities=None, **data):
    quarter = quarter or running()
    data = {"members_count": 5, "support_needed": "", "comments": "", **data}
    activities = [done(timezone.localdate())] if activities is None else activities
    return reports.save_draft(
        actor=world.contact, report=new_report(world.group, quarter), data=data, activities=activities, revision=0
    )


def second_officer(world):
    person = f.PersonFactory(email="leder@example.org", first_name="Lene", last_name="Leder")
    f.MembershipFactory(group=world.group, person=person)
    f.OfficeFactory(group=world.group, person=person, kind=Office.Kind.LEADER)
    return person


def post_data(quarter, *, revision=0, started_from=None, done_rows=(), planned_rows=(), action="save", **fields):
    """What the report form posts: the main fields, and both formsets."""
    data = {
        "revision": revision,
        "started_from": signing.dumps(started_from, salt=SIGNING_SALT, compress=True) if started_from else "",
        "members_count": 7,
        "support_needed": "",
        "comments": "",
        "action": action,
        **fields,
    }
    for prefix, rows in (("done", done_rows), ("planned", planned_rows)):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows) + 1  # and one blank row, as the page has
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for index, row in enumerate(rows):
            for name, value in row.items():
                if name == "outward":
                    if value:
                        data[f"{prefix}-{index}-outward"] = "on"
                else:
                    data[f"{prefix}-{index}-{name}"] = "" if value is None else value
        if prefix == "done":
            data[f"done-{len(rows)}-outward"] = "on"  # the blank row's box is ticked by default
    return data


def stand(day, **values):
    return {"date": day.isoformat(), "type": "stand", "outward": True, "participants": 3, **values}


# --- Services -------------------------------------------------------------------------------------


def test_first_save_starts_the_report_and_a_second_officer_continues_it(world):
    report = draft(world, comments="Godt kvartal")
    assert report.status == QuarterlyReport.Status.DRAFT
    assert report.revision == 1 and report.updated_by == world.contact
    leader = second_officer(world)
    again = reports.save_draft(
        actor=leader,
        report=report,
        data={"members_count": 6, "comments": "Godt kvartal"},
        activities=[done(timezone.localdate()), done(timezone.localdate(), type=ActivityType.SIGNATURES)],
        revision=1,
    )
    assert again.pk == report.pk and again.revision == 2 and again.updated_by == leader
    assert again.activities.count() == 2 and again.members_count == 6
    assert AuditEvent.objects.filter(action="report.started", target_id=str(report.pk)).count() == 1


def test_get_or_start_report_returns_the_one_there_is(world):
    first = reports.get_or_start_report(actor=world.contact, group=world.group, quarter=running())
    assert reports.get_or_start_report(actor=world.contact, group=world.group, quarter=running()) == first
    with pytest.raises(GroupError):
        reports.get_or_start_report(actor=world.contact, group=world.group, quarter=running().next)


def test_a_stale_save_says_who_saved_when_and_what_changed(world):
    report = draft(world)
    started_from = reports.content(report)
    leader = second_officer(world)
    reports.save_draft(
        actor=leader,
        report=report,
        data={"members_count": 9, "support_needed": "Hjelp med stand", "comments": ""},
        activities=[done(timezone.localdate()), done(timezone.localdate(), description="Ny")],
        revision=1,
    )
    with pytest.raises(reports.ReportChanged) as refused:
        reports.save_draft(
            actor=world.contact,
            report=report,
            data={"members_count": 5, "comments": "Mitt"},
            activities=[],
            revision=1,
            started_from=started_from,
        )
    message = refused.value.message
    assert "Lene Leder" in message
    assert timezone.localtime(QuarterlyReport.objects.get().updated_at).strftime("%H:%M") in message
    for label in ("members in the group now", "support the group needs from the secretariat"):
        assert str(QuarterlyReport._meta.get_field(label_to_field(label)).verbose_name) in message
    assert "comments" not in message.split(":")[1]  # unchanged by the other person
    assert "1" in message  # one activity added
    report.refresh_from_db()
    assert report.comments == "" and report.members_count == 9  # nothing of the stale save
    assert report.activities.count() == 2


def label_to_field(label):
    return {
        "members in the group now": "members_count",
        "support the group needs from the secretariat": "support_needed",
    }[label]


def test_two_people_starting_the_same_report_do_not_overwrite_each_other(world):
    draft(world)
    with pytest.raises(reports.ReportChanged):
        reports.save_draft(
            actor=second_officer(world),
            report=new_report(world.group, running()),
            data={"members_count": 1},
            activities=[],
            revision=0,
            started_from=reports.content(QuarterlyReport()),
        )
    assert QuarterlyReport.objects.get().members_count == 5


def test_submitting_keeps_a_version_and_on_time_is_not_late(world):
    report = draft(world, comments="Første")
    report = reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert report.submitted_by == world.contact and report.submitted_at is not None
    assert report.is_late is False
    version = ReportVersion.objects.get(report=report)
    assert version.number == 1 and version.submitted_by == world.contact
    assert version.data["comments"] == "Første" and len(version.data["activities"]) == 1
    assert AuditEvent.objects.filter(action="report.submitted", target_id=str(report.pk)).exists()


def test_a_report_submitted_after_the_deadline_is_accepted_and_marked_late(world, settings):
    quarter = just_ended()
    settings.REPORT_DEADLINE_DAYS = (timezone.localdate() - quarter.end).days - 1
    report = draft(world, quarter=quarter, activities=[done(quarter.start)])
    report = reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    assert report.is_late is True and report.status == QuarterlyReport.Status.SUBMITTED


def test_the_deadline_is_configurable(world, settings):
    quarter = just_ended()
    settings.REPORT_DEADLINE_DAYS = (timezone.localdate() - quarter.end).days
    assert quarter.deadline == timezone.localdate()
    report = draft(world, quarter=quarter, activities=[done(quarter.start)])
    assert reports.submit_report(actor=world.contact, report=report, revision=report.revision).is_late is False


def test_editing_after_submitting_and_submitting_again_keeps_both_versions(world):
    report = draft(world, comments="v1")
    report = reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    with pytest.raises(GroupError):  # nothing changed: no second copy of the same version
        reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    report = reports.save_draft(
        actor=world.contact, report=report, data={"members_count": 5, "comments": "v2"}, activities=[], revision=2
    )
    assert report.status == QuarterlyReport.Status.SUBMITTED
    report = reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    versions = list(report.versions.order_by("number").values_list("number", "data__comments"))
    assert versions == [(1, "v1"), (2, "v2")]


def test_a_reviewed_report_can_no_longer_be_changed(world):
    report = draft(world)
    report = reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    QuarterlyReport.objects.filter(pk=report.pk).update(status=QuarterlyReport.Status.REVIEWED)
    with pytest.raises(GroupError):
        reports.save_draft(actor=world.contact, report=report, data={}, activities=[], revision=report.revision)
    with pytest.raises(GroupError):
        reports.submit_report(actor=world.contact, report=report, revision=report.revision)


def test_submitting_needs_the_number_of_members(world):
    report = draft(world, members_count=None)
    with pytest.raises(GroupError) as refused:
        reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    assert refused.value.field == "members_count"
    assert not ReportVersion.objects.exists()


def test_a_bad_activity_saves_nothing(world):
    report = draft(world, comments="før")
    with pytest.raises(GroupError):
        reports.save_draft(
            actor=world.contact,
            report=report,
            data={"members_count": 1, "comments": "etter"},
            activities=[done(timezone.localdate()), done(running().start - datetime.timedelta(days=1))],
            revision=report.revision,
        )
    report.refresh_from_db()
    assert report.comments == "før" and report.revision == 1 and report.activities.count() == 1


def test_a_bad_activity_in_a_new_report_does_not_even_start_it(world):
    with pytest.raises(GroupError):
        draft(world, activities=[done(None)])
    assert not QuarterlyReport.objects.exists()


def test_planned_activities_come_back_as_suggestions_until_added(world):
    area = PriorityArea.objects.first()
    previous = draft(
        world,
        quarter=just_ended(),
        activities=[
            done(just_ended().start),
            planned(description="Møte med ordføreren", priority_area=area),
            planned(type=ActivityType.STAND, description="Stand på torget"),
        ],
    )
    assert previous.activities.filter(kind="planned").count() == 2
    suggested = reports.suggestions(world.group, running())
    assert [s.description for s in suggested] == ["Møte med ordføreren", "Stand på torget"]
    report = draft(
        world, activities=[done(timezone.localdate(), type=ActivityType.STAND, description="Stand på torget")]
    )
    left = reports.suggestions(world.group, running(), report.activities.all())
    assert [s.description for s in left] == ["Møte med ordføreren"]


def test_quarter_rows_show_missing_draft_submitted_and_late(world, settings):
    world.group.founded_on = datetime.date(2025, 1, 1)
    today = datetime.date(2026, 2, 20)  # 2025-Q4 is due 14 January
    reported = QuarterlyReport(group=world.group, year=2025, quarter=3, status="submitted", is_late=True)
    rows = reports.quarter_rows(world.group, [reported], today=today)
    states = {str(row.quarter): (row.state, row.is_overdue, row.is_due_now) for row in rows}
    assert states["2026-Q1"] == ("in_progress", False, False)
    assert states["2025-Q4"] == ("missing", True, False)
    assert states["2025-Q3"] == ("submitted", False, False)
    assert str(rows[-1].quarter) == "2025-Q1"
    early = {
        str(row.quarter): row.is_due_now for row in reports.quarter_rows(world.group, [], datetime.date(2026, 1, 5))
    }
    assert early["2025-Q4"] is True


# --- Views ----------------------------------------------------------------------------------------


def test_the_contact_saves_a_draft_and_a_second_officer_continues_it(world, login):
    quarter = running()
    today = timezone.localdate()
    response = login(world.contact).post(
        url(world.group, quarter), post_data(quarter, done_rows=[stand(today)], comments="Utkast")
    )
    assert response.status_code == 302
    report = QuarterlyReport.objects.get()
    assert report.comments == "Utkast" and report.activities.count() == 1
    leader = second_officer(world)
    page = login(leader).get(url(world.group, quarter))
    assert page.status_code == 200
    assert page.context["editable"] is True
    assert page.context["done"].initial[0]["type"] == "stand"
    form = page.context["form"]
    response = login(leader).post(
        url(world.group, quarter),
        post_data(
            quarter,
            revision=form.initial["revision"],
            done_rows=[stand(today), stand(today, type="signatures", signatures=40)],
            comments="Utkast, fortsatt",
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.updated_by == leader and report.activities.count() == 2


def test_a_stale_form_is_shown_again_with_what_changed_and_can_then_be_saved(world, login):
    quarter = running()
    report = draft(world)
    started_from = reports.content(report)
    reports.save_draft(
        actor=world.leader, report=report, data={"members_count": 11}, activities=[], revision=report.revision
    )
    client = login(world.contact)
    data = post_data(quarter, revision=1, started_from=started_from, comments="Mitt")
    response = client.post(url(world.group, quarter), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and str(world.leader) in errors[0]
    assert str(QuarterlyReport._meta.get_field("members_count").verbose_name) in errors[0]
    report.refresh_from_db()
    assert report.comments == "" and report.members_count == 11
    # The form kept the person's text and now carries the new revision: saving again is a choice.
    form = response.context["form"]
    assert form.data["comments"] == "Mitt" and form.data["revision"] == "2"
    response = client.post(url(world.group, quarter), {**data, "revision": 2})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.comments == "Mitt"


def test_autosave_answers_json_and_409_when_stale(world, login):
    quarter = running()
    client = login(world.contact)
    response = client.post(url(world.group, quarter), post_data(quarter, comments="auto"), HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200
    assert response.json()["revision"] == 1 and response.json()["started_from"]
    response = client.post(url(world.group, quarter), post_data(quarter, comments="gammel"), HTTP_X_AUTOSAVE="1")
    assert response.status_code == 409 and response.json()["error"]
    assert QuarterlyReport.objects.get().comments == "auto"


def test_submit_from_the_form(world, login):
    quarter = running()
    response = login(world.contact).post(
        url(world.group, quarter), post_data(quarter, done_rows=[stand(timezone.localdate())], action="submit")
    )
    assert response.status_code == 302
    report = QuarterlyReport.objects.get()
    assert report.status == QuarterlyReport.Status.SUBMITTED and report.versions.count() == 1
    page = login(world.contact).get(url(world.group, quarter))
    assert [version.number for version in page.context["versions"]] == [1]
    assert reverse("groups:report_version", args=[world.group.pk, str(quarter), 1]) in page.content.decode()


def test_errors_are_shown_next_to_their_fields_and_nothing_is_saved(world, login):
    quarter = running()
    before = quarter.start - datetime.timedelta(days=1)
    response = login(world.contact).post(
        url(world.group, quarter),
        post_data(
            quarter,
            members_count=-1,
            done_rows=[stand(timezone.localdate()), stand(before), {"type": "stand", "participants": "mange"}],
        ),
    )
    assert response.status_code == 200
    assert not QuarterlyReport.objects.exists()
    assert "members_count" in response.context["form"].errors
    forms = response.context["done"].forms
    assert forms[0].errors == {}
    assert list(forms[1].errors) == ["date"]
    assert set(forms[2].errors) == {"date", "participants"}
    html = response.content.decode()
    assert 'aria-describedby="id_done-1-date_error"' in html
    assert 'aria-describedby="id_done-2-participants_error"' in html


def test_a_bad_activity_row_leaves_the_stored_draft_as_it_was(world, login):
    quarter = running()
    report = draft(world, comments="lagret")
    response = login(world.contact).post(
        url(world.group, quarter),
        post_data(quarter, revision=1, comments="ny", done_rows=[stand(timezone.localdate()), {"type": "stand"}]),
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.comments == "lagret" and report.revision == 1 and report.activities.count() == 1


def test_submitting_without_the_number_of_members_shows_the_error_next_to_it(world, login):
    quarter = running()
    response = login(world.contact).post(
        url(world.group, quarter), post_data(quarter, members_count="", action="submit")
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["members_count"]
    assert not QuarterlyReport.objects.exists()


def test_add_another_activity_saves_and_shows_one_more_row(world, login):
    quarter = running()
    client = login(world.contact)
    response = client.post(
        url(world.group, quarter), post_data(quarter, done_rows=[stand(timezone.localdate())], action="add-done")
    )
    assert response.status_code == 302 and "done_rows=2" in response["Location"]
    page = client.get(response["Location"])
    assert len(page.context["done"].forms) == 3  # the saved one and two empty ones
    assert QuarterlyReport.objects.get().activities.count() == 1


def test_a_suggestion_is_added_as_a_prefilled_completed_row(world, login):
    draft(world, quarter=just_ended(), activities=[planned(description="Møte med ordføreren")])
    suggestion = ReportActivity.objects.get(kind="planned")
    quarter = running()
    client = login(world.contact)
    page = client.get(url(world.group, quarter))
    assert [s.pk for s in page.context["suggestions"]] == [suggestion.pk]
    response = client.post(url(world.group, quarter), post_data(quarter, action=f"suggestion-{suggestion.pk}"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    prefilled = page.context["done"].forms[0]
    assert prefilled.initial["description"] == "Møte med ordføreren" and prefilled.initial["date"] is None
    assert page.context["suggestions"] == []


def test_a_reviewed_report_is_shown_read_only_and_posting_is_refused(world, login):
    report = draft(world)
    QuarterlyReport.objects.filter(pk=report.pk).update(status=QuarterlyReport.Status.REVIEWED, feedback="Bra!")
    client = login(world.contact)
    page = client.get(url(world.group, running()))
    assert page.context["editable"] is False and "form" not in page.context
    assert "Bra!" in page.content.decode()
    response = client.post(url(world.group, running()), post_data(running(), revision=1, comments="endret"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.comments == ""


def test_a_member_reads_but_may_not_write(world, login):
    draft(world, comments="Synlig for medlemmer")
    client = login(world.member)
    page = client.get(url(world.group, running()))
    assert page.status_code == 200 and page.context["editable"] is False
    assert "Synlig for medlemmer" in page.content.decode()
    assert client.post(url(world.group, running()), post_data(running(), revision=1)).status_code == 403
    assert QuarterlyReport.objects.get().comments == "Synlig for medlemmer"


def test_the_contact_of_another_group_gets_404(world, login):
    draft(world)
    client = login(world.other_contact)
    assert client.get(url(world.group, running())).status_code == 404
    assert client.post(url(world.group, running()), post_data(running(), revision=1)).status_code == 404
    assert client.get(reverse("groups:reports", args=[world.group.pk])).status_code == 404


@pytest.mark.parametrize("quarter", ["2026-Q5", "tull", "2999-Q1"])
def test_a_quarter_that_is_not_one_or_not_begun_is_404(world, login, quarter):
    assert login(world.contact).get(reverse("groups:report", args=[world.group.pk, quarter])).status_code == 404


def test_the_reports_page_lists_the_quarters(world, login):
    world.group.founded_on = datetime.date(2024, 1, 1)
    world.group.save()
    draft(world)
    page = login(world.contact).get(reverse("groups:reports", args=[world.group.pk]))
    rows = page.context["rows"]
    assert len(rows) == reports.LISTED_QUARTERS
    assert rows[0].quarter == running() and rows[0].state == "draft"
    assert url(world.group, just_ended()) in page.content.decode()


def test_the_group_page_links_to_the_reports(world, login):
    page = login(world.member).get(reverse("groups:detail", args=[world.group.pk]))
    assert reverse("groups:reports", args=[world.group.pk]) in page.content.decode()


def test_my_page_links_the_contact_to_the_report_due(world, login):
    world.group.founded_on = datetime.date(2024, 1, 1)
    world.group.save()
    client = login(world.contact)
    page = client.get(reverse("home") + "?stay")
    assert url(world.group, just_ended()) in page.content.decode()
    draft(world, quarter=just_ended(), activities=[done(just_ended().start)])
    report = QuarterlyReport.objects.get()
    reports.submit_report(actor=world.contact, report=report, revision=report.revision)
    page = client.get(reverse("home") + "?stay")
    assert url(world.group, just_ended()) not in page.content.decode()

"""Urgent actions (seed 002): an admin sends an alert to consenting activists chosen by region and
theme, sees beforehand how many will get it ("<5" under five), sends it exactly once through the
outbox, and follows its delivery. Nobody else finds the pages."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from activists.models import IndividualActivist
from amnesty_portal import mail
from amnesty_portal.models import AuditEvent, OutboxMessage
from campaigns import alerts
from campaigns.models import ActionAlert
from groups.models import Group, PriorityArea
from regions.models import PostalCode
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BERGEN, OSLO = "5003", "0150"  # postal codes in the regions Bergen and Oslo


def _activist(postal_code=BERGEN, themes=(), stopped=False, **person):
    person = f.PersonFactory(postal_code=PostalCode.objects.get(code=postal_code), **person)
    activist = IndividualActivist.objects.create(person=person, stopped_at=timezone.now() if stopped else None)
    activist.themes.set(themes)
    return person


class Cast:
    """world's two groups (Bergen works on theme A, Oslo on B), an individual activist in each
    region (the one in Oslo on theme A, the one in Bergen on B), someone in both groups, and people
    who must never get an alert."""

    def __init__(self, world):
        self.world = world
        self.theme_a, self.theme_b, self.theme_c = PriorityArea.objects.order_by("pk")[:3]
        world.group.priority_areas.set([self.theme_a])
        world.other_group.priority_areas.set([self.theme_b])
        self.both = f.PersonFactory(email="both@example.org", postal_code=None)
        f.MembershipFactory(group=world.group, person=self.both)
        f.MembershipFactory(group=world.other_group, person=self.both)
        self.oslo_activist = _activist(OSLO, [self.theme_a], email="oslo.activist@example.org")
        self.bergen_activist = _activist(BERGEN, [self.theme_b], email="bergen.activist@example.org")
        # Never: no consent, erased, no email, a stopped activist, a former member, members of a
        # pending and of a closed group, and a deactivated account.
        self.excluded = [
            f.PersonFactory(email="no.consent@example.org", email_consent=False),
            f.PersonFactory(email="erased@example.org", erased_at=timezone.now()),
            f.PersonFactory(email=None),
            _activist(BERGEN, [self.theme_a], stopped=True, email="stopped@example.org"),
            f.PersonFactory(email="former@example.org"),
            f.PersonFactory(email="pending.group@example.org"),
            f.PersonFactory(email="closed.group@example.org"),
            f.PersonFactory(email="inactive@example.org", is_active=False),
        ]
        for person in self.excluded[:3] + self.excluded[7:]:
            f.MembershipFactory(group=world.group, person=person)
        f.MembershipFactory(
            group=world.group, person=self.excluded[4], left_on=timezone.localdate() - timezone.timedelta(days=1)
        )
        pending = f.GroupFactory(status=Group.Status.PENDING)
        closed = f.GroupFactory(status=Group.Status.CLOSED)
        f.MembershipFactory(group=pending, person=self.excluded[5])
        f.MembershipFactory(group=closed, person=self.excluded[6])
        pending.priority_areas.set([self.theme_a])
        closed.priority_areas.set([self.theme_a])

    def alert(self, regions=(), themes=(), **fields):
        fields = {"title": "Løslat Ahmed nå", "body": "Ahmed er fengslet for en tweet.", **fields}
        alert = ActionAlert.objects.create(created_by=self.world.admin, **fields)
        alert.regions.set([f.region(slug) for slug in regions])
        alert.themes.set(themes)
        return alert


@pytest.fixture
def cast(world):
    return Cast(world)


def _emails(people):
    return sorted(person.email for person in people)


# --- Who gets it ---------------------------------------------------------------------------------


def test_with_no_region_or_theme_every_consenting_active_person_gets_it(cast):
    w = cast.world
    assert _emails(alerts.recipients(cast.alert())) == _emails(
        [w.contact, w.member, w.other_contact, cast.both, cast.oslo_activist, cast.bergen_activist]
    )


def test_region_is_the_groups_region_or_the_activists_postal_code(cast):
    w = cast.world
    assert _emails(alerts.recipients(cast.alert(regions=["bergen"]))) == _emails(
        [w.contact, w.member, cast.both, cast.bergen_activist]
    )
    assert _emails(alerts.recipients(cast.alert(regions=["oslo"]))) == _emails(
        [w.other_contact, cast.both, cast.oslo_activist]
    )
    assert list(alerts.recipients(cast.alert(regions=["tromso"]))) == []


def test_theme_is_the_groups_priority_areas_or_the_activists_themes(cast):
    w = cast.world
    assert _emails(alerts.recipients(cast.alert(themes=[cast.theme_a]))) == _emails(
        [w.contact, w.member, cast.both, cast.oslo_activist]
    )
    assert _emails(alerts.recipients(cast.alert(themes=[cast.theme_b]))) == _emails(
        [w.other_contact, cast.both, cast.bergen_activist]
    )
    assert list(alerts.recipients(cast.alert(themes=[cast.theme_c]))) == []


def test_region_and_theme_together_must_both_match(cast):
    assert _emails(alerts.recipients(cast.alert(regions=["oslo"], themes=[cast.theme_a]))) == _emails(
        [cast.oslo_activist]
    )
    both_regions = cast.alert(regions=["oslo", "bergen"], themes=[cast.theme_b])
    assert _emails(alerts.recipients(both_regions)) == _emails(
        [cast.world.other_contact, cast.both, cast.bergen_activist]
    )


def test_no_consent_erased_stopped_former_and_inactive_people_never_get_it(cast):
    everyone = {person.pk for person in alerts.recipients(cast.alert())}
    assert everyone.isdisjoint({person.pk for person in cast.excluded})
    # Nor do people who are not active at all: staff, admins, members in no group.
    w = cast.world
    assert everyone.isdisjoint({w.leader.pk, w.other_leader.pk, w.admin.pk, w.outsider.pk})


def test_choosing_recipients_is_one_query_whatever_the_numbers(cast, assert_num_queries):
    bergen = f.region("bergen").pk
    with assert_num_queries(1):
        first = len(alerts.audience([bergen], [cast.theme_a.pk]))
    for _ in range(3):
        f.MembershipFactory(group=cast.world.group)
        _activist(BERGEN, [cast.theme_a])
    with assert_num_queries(1):
        assert len(alerts.audience([bergen], [cast.theme_a.pk])) == first + 6


# --- The preview -----------------------------------------------------------------------------------


def _count_shown(response):
    return response.context["count"]


@pytest.mark.parametrize(("people", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (7, "7")])
def test_preview_shows_fewer_than_five_as_lt5_and_none_as_0(world, login, people, shown):
    theme = PriorityArea.objects.order_by("pk")[3]
    for _ in range(people):
        _activist(BERGEN, [theme])
    alert = ActionAlert.objects.create(title="Hastesak", body="Tekst.", created_by=world.admin)
    alert.themes.set([theme])
    response = login(world.admin).get(reverse("campaigns:alert_preview", args=[alert.pk]))
    assert response.status_code == 200
    assert str(_count_shown(response)) == shown
    assert f"<strong>{shown.replace('<', '&lt;')}</strong>" in response.content.decode()
    assert str(alerts.preview_count([], [theme.pk])) == shown


def test_preview_shows_the_email_as_recipients_will_see_it(cast, login):
    alert = cast.alert(regions=["bergen"], action_url="https://www.amnesty.no/aksjon/ahmed")
    response = login(cast.world.admin).get(reverse("campaigns:alert_preview", args=[alert.pk]))
    page = response.content.decode()
    assert "Løslat Ahmed nå" in page and "Ahmed er fengslet for en tweet." in page
    assert 'href="https://www.amnesty.no/aksjon/ahmed"' in page
    # The admin's own copy, with the footer every recipient gets: why, and how to unsubscribe.
    assert "/avmelding/" in page
    assert response.context["email"].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_update_preview_recomputes_the_count_and_keeping_it_saves_the_choice(cast, login):
    client = login(cast.world.admin)
    alert = cast.alert()
    url = reverse("campaigns:alert_preview", args=[alert.pk])
    assert str(client.get(url).context["count"]) == "6"
    oslo = f.region("oslo")
    response = client.get(url, {"update": "1", "regions": [oslo.pk], "themes": [cast.theme_a.pk]})
    assert str(response.context["count"]) == "<5"  # the Oslo activist alone
    assert response.context["unsaved"] is True
    assert reverse("campaigns:alert_send", args=[alert.pk]) not in response.content.decode()
    # Not saved until the admin keeps it.
    assert list(alert.regions.all()) == []
    response = client.post(url, {"revision": alert.revision, "regions": [oslo.pk], "themes": [cast.theme_a.pk]})
    assert response.status_code == 302
    assert list(alert.regions.all()) == [oslo] and list(alert.themes.all()) == [cast.theme_a]
    response = client.get(url)
    assert response.context["unsaved"] is False
    assert reverse("campaigns:alert_send", args=[alert.pk]) in response.content.decode()


# --- Writing, and two admins at once ---------------------------------------------------------------


def _form(alert=None, **data):
    base = {"title": "Løslat Ahmed", "body": "Skriv til ambassaden.", "action_url": "", "regions": [], "themes": []}
    if alert is not None:
        base["revision"] = alert.revision
    return {**base, **data}


def test_admin_writes_a_draft_and_is_taken_to_the_preview(world, login):
    bergen = f.region("bergen")
    response = login(world.admin).post(reverse("campaigns:alert_new"), _form(regions=[bergen.pk]))
    alert = ActionAlert.objects.get()
    assert response["Location"] == reverse("campaigns:alert_preview", args=[alert.pk])
    assert (alert.status, alert.created_by, list(alert.regions.all())) == ("draft", world.admin, [bergen])
    assert AuditEvent.objects.filter(action="alert.created", target_id=str(alert.pk)).exists()


def test_a_draft_needs_a_title_and_a_text(world, login):
    response = login(world.admin).post(reverse("campaigns:alert_new"), _form(title="", body=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "body"}
    assert not ActionAlert.objects.exists()


def test_second_admin_saving_a_stale_draft_is_told_and_loses_nothing(cast, login, client):
    w = cast.world
    second = f.PersonFactory(email="admin2@example.org", first_name="Siri", last_name="Berg", is_secretariat=True)
    alert = cast.alert()
    url = reverse("campaigns:alert_edit", args=[alert.pk])
    loaded = alert.revision  # both admins open the form
    login(w.admin)
    assert client.post(url, _form(alert, title="Versjon A")).status_code == 302
    login(second)
    response = client.post(url, {**_form(title="Versjon B"), "revision": loaded})
    assert response.status_code == 200
    page = response.content.decode()
    assert str(w.admin) in page and "after you opened it" in page
    assert response.context["current"].title == "Versjon A"  # their version, shown beside ours
    assert "Versjon A" in page
    alert.refresh_from_db()
    assert alert.title == "Versjon A"  # the first admin's change stands
    # The second admin's text is still in the form, which now carries the current revision:
    # saving again after a look goes through.
    form = response.context["form"]
    assert form["title"].value() == "Versjon B"
    assert int(form["revision"].value()) == alert.revision
    assert client.post(url, {**_form(title="Versjon B"), "revision": form["revision"].value()}).status_code == 302
    alert.refresh_from_db()
    assert alert.title == "Versjon B"


def test_stale_revision_in_the_service_raises_a_clear_error(cast):
    alert = cast.alert()
    alerts.update_alert(actor=cast.world.admin, alert=alert, revision=alert.revision, data={"title": "Ny"})
    with pytest.raises(alerts.AlertError) as error:
        alerts.update_alert(actor=cast.world.admin, alert=alert, revision=0, data={"title": "Gammel"})
    assert "after you opened it" in error.value.message
    assert error.value.revision == 1


def test_a_sent_alert_cannot_be_edited(cast, login):
    alert = cast.alert()
    alerts.send_alert(actor=cast.world.admin, alert=alert, revision=alert.revision)
    client = login(cast.world.admin)
    for name in ("campaigns:alert_edit", "campaigns:alert_preview", "campaigns:alert_send"):
        response = client.get(reverse(name, args=[alert.pk]))
        assert response["Location"] == reverse("campaigns:alert_detail", args=[alert.pk]), name
    alert.refresh_from_db()
    with pytest.raises(alerts.AlertError):
        alerts.update_alert(actor=cast.world.admin, alert=alert, revision=alert.revision, data={"title": "Nei"})


# --- Sending ----------------------------------------------------------------------------------------


def test_sending_writes_one_outbox_row_per_person_with_batch_and_unsubscribe(cast, login):
    alert = cast.alert(action_url="https://www.amnesty.no/aksjon/ahmed")
    client = login(cast.world.admin)
    confirm = client.get(reverse("campaigns:alert_send", args=[alert.pk]))
    assert confirm.status_code == 200 and str(confirm.context["count"]) == "6"
    response = client.post(reverse("campaigns:alert_send", args=[alert.pk]), {"revision": alert.revision})
    assert response["Location"] == reverse("campaigns:alert_detail", args=[alert.pk])
    alert.refresh_from_db()
    assert (alert.status, alert.sent_by, alert.recipient_count) == ("sent", cast.world.admin, 6)
    rows = OutboxMessage.objects.filter(batch=f"alert:{alert.pk}")
    assert rows.count() == 6
    # The person in two matching groups gets one email.
    assert rows.filter(to="both@example.org").count() == 1
    for row in rows:
        assert row.kind == "action_alert"
        assert row.headers["List-Unsubscribe"].startswith("<http")
        assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Løslat Ahmed nå" in row.subject
        assert "https://www.amnesty.no/aksjon/ahmed" in row.text
    event = AuditEvent.objects.get(action="alert.sent")
    assert (event.actor, event.target_id, event.data["recipients"]) == (cast.world.admin, str(alert.pk), 6)


def test_sending_twice_sends_once_and_the_second_click_is_told(cast, login):
    alert = cast.alert()
    client = login(cast.world.admin)
    url = reverse("campaigns:alert_send", args=[alert.pk])
    client.post(url, {"revision": alert.revision})
    response = client.post(url, {"revision": alert.revision}, follow=True)
    assert response.status_code == 200
    assert "can no longer be changed or sent again" in response.content.decode()
    assert OutboxMessage.objects.filter(batch=alert.batch).count() == 6
    assert AuditEvent.objects.filter(action="alert.sent").count() == 1


def test_a_draft_changed_after_the_confirmation_was_loaded_is_not_sent(cast, login):
    alert = cast.alert()
    loaded = alert.revision
    alerts.update_alert(actor=cast.world.admin, alert=alert, revision=loaded, data={"regions": [f.region("oslo")]})
    response = login(cast.world.admin).post(reverse("campaigns:alert_send", args=[alert.pk]), {"revision": loaded})
    assert response.status_code == 200
    assert "after you opened this page. Nothing was sent" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "draft" and not OutboxMessage.objects.filter(batch=alert.batch).exists()
    # The confirmation shown again carries the current revision and the new count.
    assert int(response.context["form"]["revision"].value()) == alert.revision
    assert str(response.context["count"]) == "<5"


def test_big_lists_are_written_in_chunks(cast, monkeypatch, assert_num_queries):
    monkeypatch.setattr(alerts, "CHUNK", 2)
    alert = cast.alert()
    sent = alerts.send_alert(actor=cast.world.admin, alert=alert, revision=alert.revision)
    assert sent.recipient_count == 6
    assert OutboxMessage.objects.filter(batch=alert.batch).values("to").distinct().count() == 6


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_email_has_the_title_text_action_link_and_why(cast, language):
    alert = cast.alert(regions=["bergen"], themes=[cast.theme_a], action_url="https://www.amnesty.no/aksjon")
    person = cast.world.member
    person.language = language
    subject, text = mail.render("action_alert", person, alerts._context(alert))
    assert "Løslat Ahmed nå" in subject and "\n" not in subject
    assert person.first_name in text.splitlines()[0]
    assert "Ahmed er fengslet for en tweet." in text and "https://www.amnesty.no/aksjon" in text
    assert "Bergen" in text and cast.theme_a.name in text
    for leftover in ("&amp;", "&#x27;", "None", "{{", "{%"):
        assert leftover not in subject and leftover not in text
    with translation.override(language):
        assert str(mail.REASONS["action_alert"])


@pytest.mark.django_db(transaction=True)
def test_two_admins_sending_at_the_same_moment_send_it_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves; make test runs it on PostgreSQL")
    cast = Cast(world)
    alert = cast.alert()
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait()
            alerts.send_alert(actor=world.admin, alert=ActionAlert.objects.get(pk=alert.pk), revision=alert.revision)
            outcomes.append("sent")
        except alerts.AlertError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "sent"]
    assert OutboxMessage.objects.filter(batch=alert.batch).count() == 6
    assert AuditEvent.objects.filter(action="alert.sent").count() == 1


# --- Delivery progress ------------------------------------------------------------------------------


def _rows(alert, **statuses):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=f"{alert.batch}:{status}:{i}",
            kind="action_alert",
            to=f"{status}{i}@example.org",
            subject="S",
            text="T",
            status=status,
            batch=alert.batch,
        )
        for status, count in statuses.items()
        for i in range(count)
    )


def test_progress_counts_the_alerts_outbox_rows_by_status_in_one_query(cast, assert_num_queries):
    alert = cast.alert()
    _rows(alert, pending=10, sending=6, sent=30, failed=5)
    _rows(cast.alert(), sent=3)  # another alert's rows are not counted
    with assert_num_queries(1):
        progress = alerts.progress(alert)
    assert [str(cell) for _label, cell in progress.rows] == ["10", "6", "30", "5"]
    assert str(progress.total) == "51"
    assert str(progress.done_share) == "68.6"
    assert progress.in_progress is True


def test_progress_hides_counts_under_five_and_what_would_give_them_away(cast):
    alert = cast.alert()
    _rows(alert, sent=40, failed=2)
    progress = alerts.progress(alert)
    # Failed (2) is hidden; with pending and sending at 0 the total would give it away, so the
    # next smallest shown cell is hidden too.
    cells = dict(zip(["pending", "sending", "sent", "failed"], (c for _l, c in progress.rows), strict=True))
    assert cells["failed"].hidden
    assert sum(cell.hidden for cell in cells.values()) + progress.total.hidden >= 2
    assert progress.done_share.hidden
    assert progress.in_progress is False


def test_progress_of_nothing_yet_is_zero_not_hidden(cast):
    progress = alerts.progress(cast.alert())
    assert [str(cell) for _label, cell in progress.rows] == ["0", "0", "0", "0"]
    assert str(progress.total) == "0"
    assert progress.done_share.hidden  # no share of nothing


def test_the_alert_page_shows_delivery_progress(cast, login, django_capture_on_commit_callbacks):
    alert = cast.alert()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_alert(actor=cast.world.admin, alert=alert, revision=alert.revision)
    response = login(cast.world.admin).get(reverse("campaigns:alert_detail", args=[alert.pk]))
    page = response.content.decode()
    # Delivered at commit in tests: all six are sent.
    assert str(response.context["progress"].sent) == "6"
    assert '<progress id="alert-progress-bar" max="100" value="100.0">' in page
    assert 'aria-live="polite"' in page
    assert "data-refresh-seconds" not in page  # nothing left to wait for: no polling


def test_while_delivery_runs_the_page_polls_with_a_static_script(cast, login):
    alert = cast.alert()
    alerts.send_alert(actor=cast.world.admin, alert=alert, revision=alert.revision)
    page = login(cast.world.admin).get(reverse("campaigns:alert_detail", args=[alert.pk])).content.decode()
    assert 'data-refresh-seconds="5"' in page
    assert "js/alert-progress.js" in page
    assert "<script>" not in page  # CSP: no inline scripts


# --- Who may see the pages -------------------------------------------------------------------------

PAGES = ["alert_list", "alert_new", "alert_detail", "alert_edit", "alert_preview", "alert_send"]


@pytest.mark.parametrize("role", ["member", "contact", "other_contact", "leader", "other_leader", "outsider"])
def test_everyone_but_admins_gets_404_on_every_page(cast, login, role):
    alert = cast.alert()
    client = login(getattr(cast.world, role))
    for name in PAGES:
        url = reverse(f"campaigns:{name}", kwargs={} if name in ("alert_list", "alert_new") else {"pk": alert.pk})
        assert client.get(url).status_code == 404, name
        if name not in ("alert_list", "alert_detail"):
            assert client.post(url, _form(alert)).status_code == 404, name
    assert ActionAlert.objects.get(pk=alert.pk).status == "draft"
    assert not OutboxMessage.objects.exists()


def test_admins_find_urgent_actions_in_the_navigation(world, login):
    url = reverse("campaigns:alert_list")
    assert url in login(world.admin).get(reverse("activists:profile")).content.decode()
    assert url not in login(world.leader).get(reverse("activists:profile")).content.decode()


def test_in_the_django_admin_a_draft_can_be_corrected_and_a_sent_alert_is_read_only(cast, login):
    client = login(cast.world.admin)
    draft = cast.alert()
    url = reverse("admin:campaigns_actionalert_change", args=[draft.pk])
    response = client.post(url, {"title": "Rettet tittel", "body": "Rettet tekst.", "action_url": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.revision) == ("Rettet tittel", 1)  # a form open in the portal is now stale
    assert AuditEvent.objects.filter(action="alert.updated", target_id=str(draft.pk)).exists()
    alerts.send_alert(actor=cast.world.admin, alert=draft, revision=draft.revision)
    client.post(url, {"title": "Etterpå", "body": "Etterpå.", "action_url": ""})
    draft.refresh_from_db()
    assert draft.title == "Rettet tittel"
    assert 'name="title"' not in client.get(url).content.decode()

"""Two people acting on the same group at once produce one outcome, and the second is told so
clearly: never an error page, never half a change."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from amnesty_portal.models import AuditEvent
from groups import services
from groups.models import Group, JoinRequest

pytestmark = pytest.mark.django_db


def test_second_admin_closing_a_group_sees_a_message_not_an_error(world, client, django_capture_on_commit_callbacks):
    second_admin = type(world.admin).objects.create(
        email="admin2@example.org", is_secretariat=True, membership_status="paying"
    )
    url = reverse("groups:close", args=[world.group.pk])
    data = {"revision": world.group.revision, "reason": "Ingen aktivitet.", "effective_on": timezone.localdate()}
    # Both load the form with the same revision; the first submits.
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    # The second submits the form they loaded before.
    client.force_login(second_admin)
    response = client.post(url, {**data, "reason": "Annen grunn."})
    assert response.status_code == 200
    assert (
        "Noen andre endret denne gruppa" in response.content.decode()
        or "Someone else changed" in response.content.decode()
    )
    world.group.refresh_from_db()
    assert world.group.closing_reason == "Ingen aktivitet."
    assert AuditEvent.objects.filter(action="group.closed").count() == 1


def test_second_leader_approving_a_registration_is_told_it_is_done(world, client):
    world.group.status = Group.Status.PENDING
    world.group.save()
    url = reverse("groups:approve", args=[world.group.pk])
    client.force_login(world.leader)
    assert client.post(url, {"revision": world.group.revision}).status_code == 302
    client.force_login(world.admin)
    response = client.post(url, {"revision": world.group.revision}, follow=True)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="group.approved").count() == 1


def test_a_join_request_is_answered_once(world, client):
    join_request = JoinRequest.objects.create(group=world.group, person=world.outsider)
    url = reverse("groups:answer_join_request", args=[join_request.pk])
    client.force_login(world.contact)
    client.post(url, {"decision": "accept"})
    client.force_login(world.leader)
    response = client.post(url, {"decision": "decline"}, follow=True)
    assert response.status_code == 200
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.ACCEPTED
    assert world.group.memberships.filter(person=world.outsider, left_on__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_closings_in_two_transactions_make_one_outcome(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves; make test runs it on PostgreSQL")
    revision = world.group.revision
    barrier = threading.Barrier(2)
    outcomes = []

    def close(reason):
        try:
            barrier.wait()
            services.close_group(
                actor=world.admin,
                group=Group.objects.get(pk=world.group.pk),
                reason=reason,
                effective_on=timezone.localdate(),
                revision=revision,
            )
            outcomes.append("closed")
        except services.GroupChanged:
            outcomes.append("changed")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(reason,)) for reason in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed", "closed"]
    assert AuditEvent.objects.filter(action="group.closed").count() == 1


def test_after_a_conflict_the_form_shown_again_lets_the_person_retry_deliberately(world, client):
    url = reverse("groups:warn", args=[world.group.pk])
    stale = world.group.revision
    services.report_stopping(actor=world.contact, group=world.group, reason="Vi har ikke tid lenger.")
    client.force_login(world.admin)
    data = {"revision": stale, "deadline": timezone.localdate() + timezone.timedelta(days=30), "message": "Svar oss."}
    response = client.post(url, data)
    assert response.status_code == 200
    world.group.refresh_from_db()
    assert world.group.warned_at is None
    # The page now carries the current revision: sending the same form again goes through.
    shown = response.context["form"]["revision"].value()
    assert int(shown) == world.group.revision
    assert client.post(url, {**data, "revision": shown}).status_code == 302

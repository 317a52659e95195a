"""The Django admin's part in groups: a new statutes version asks every group to accept again,
the nightly task re-checks every group, and a group's status is not edited by hand."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.criteria import refresh_standings
from groups.models import CriterionStatus, Group, JoinRequest
from groups.tasks import refresh_standings_task
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_new_statutes_version_asks_every_active_group_to_accept_again(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    group = f.make_group_meeting_criteria()
    refresh_standings()
    assert CriterionStatus.objects.get(group=group, number=1).state == Group.Standing.MEETS
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:groups_statutesversion_add"),
            {
                "version": "2027",
                "published_on": timezone.localdate().isoformat(),
                "summary": "Nye vedtekter.",
                "url": "",
            },
        )
    assert response.status_code == 302
    assert CriterionStatus.objects.get(group=group, number=1).state == Group.Standing.AT_RISK
    contact = group.offices.get(kind="contact").person
    assert any(message.to == [contact.email] and "2027" in message.subject for message in mailoutbox)


def test_the_nightly_task_rechecks_every_group_and_is_safe_to_run_twice(world):
    group = f.make_group_meeting_criteria()
    refresh_standings()

    JoinRequest.objects.create(
        group=group, person=world.outsider, created_at=timezone.now() - datetime.timedelta(days=40)
    )
    assert refresh_standings_task() >= 1
    assert Group.objects.get(pk=group.pk).standing == Group.Standing.FAILS
    assert refresh_standings_task() == 0


def test_a_groups_status_cannot_be_edited_in_the_django_admin(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("admin:groups_group_change", args=[world.group.pk])).content.decode()
    assert 'name="status"' not in page
    assert 'name="closed_on"' not in page

"""Each demo account logs in with the demo password and lands on the page that fits its role."""

import pytest
from django.urls import reverse

from activists import demo_data
from groups.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    demo_data.load()


@pytest.mark.parametrize(
    ("email", "landing"),
    [
        ("admin@example.org", lambda: reverse("regions:list")),
        ("region.bergen@example.org", lambda: reverse("regions:detail", args=["bergen"])),
        ("region.oslo@example.org", lambda: reverse("regions:detail", args=["oslo"])),
        (
            "kontakt.bergen@example.org",
            lambda: reverse("groups:detail", args=[Group.objects.get(name="Amnesty Bergen sentrum").pk]),
        ),
        ("medlem@example.org", lambda: reverse("home")),
        ("ny@example.org", lambda: reverse("home")),
    ],
)
def test_demo_account_lands_on_its_page(client, demo, email, landing):
    response = client.post(reverse("account_login"), {"login": email, "password": "amnesty-demo"}, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == landing()


def test_member_sees_their_group_on_my_page(client, demo):
    client.post(reverse("account_login"), {"login": "medlem@example.org", "password": "amnesty-demo"})
    response = client.get(reverse("home"))
    assert "Amnesty Bergen sentrum" in response.content.decode()


def test_error_pages_use_the_portal_design(client, rf):
    from amnesty_portal.views import server_error

    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert b"skip-link" in response.content
    request = rf.get("/")
    response = server_error(request)
    assert response.status_code == 500
    assert b"skip-link" in response.content

"""A person's own profile: validation with clear messages next to the field, nothing half-saved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activists.models import User
from activists.services import set_membership_status
from activists.validators import normalise_phone
from amnesty_portal.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Kari",
    "last_name": "Nordmann",
    "phone": "412 34 567",
    "birth_year": "1985",
    "gender": "woman",
    "postal_code": "5003",
    "language": "nb",
    "email_consent": "on",
}


def test_profile_saves_and_derives_municipality_county_and_region(client):
    person = f.PersonFactory(postal_code=None)
    client.force_login(person)
    response = client.post(reverse("activists:profile"), VALID)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+4741234567"
    assert person.municipality.name == "Bergen"
    assert person.municipality.county.name == "Vestland"
    assert person.region.name == "Bergen"
    assert AuditEvent.objects.filter(action="profile.updated", target_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "0000", "0000 er ikke et norsk postnummer."),
        ("postal_code", "50A3", "Et norsk postnummer har fire sifre, for eksempel 5003."),
        ("phone", "12", "er ikke et gyldig telefonnummer"),
        ("birth_year", "1890", "er ikke et troverdig fødselsår"),
        ("birth_year", str(timezone.localdate().year), "er ikke et troverdig fødselsår"),
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_nothing_is_saved(client, field, value, message):
    person = f.PersonFactory(first_name="Original")
    client.force_login(person)
    response = client.post(reverse("activists:profile"), {**VALID, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    person.refresh_from_db()
    assert person.first_name == "Original"


def test_profile_errors_are_in_english_for_english_speakers(client):
    person = f.PersonFactory()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("activists:profile"), {**VALID, "postal_code": "0000"})
    assert "0000 is not a Norwegian postal code." in response.context["form"].errors["postal_code"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("41234567", "+4741234567"), ("+47 412 34 567", "+4741234567"), ("0047 22 33 44 55", "+4722334455"), ("", "")],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


def test_lapse_is_recorded_with_its_date(world):
    lapse_day = timezone.localdate() - timezone.timedelta(days=3)
    changed = set_membership_status(
        actor=world.admin, person=world.member, status=User.Membership.LAPSED, effective_on=lapse_day, source="admin"
    )
    assert changed
    world.member.refresh_from_db()
    assert world.member.lapsed_on == lapse_day
    event = world.member.membership_events.get()
    assert (event.status, event.effective_on) == ("lapsed", lapse_day)
    # Setting the same status again changes nothing.
    assert not set_membership_status(
        actor=world.admin, person=world.member, status="lapsed", effective_on=lapse_day, source="admin"
    )


def test_people_list_is_scoped_to_the_role(world, login):
    names = lambda client: {p.pk for p in client.get(reverse("activists:person_list")).context["page"]}  # noqa: E731
    assert names(login(world.contact)) == {world.contact.pk, world.member.pk}
    leader_sees = names(login(world.leader))
    assert world.member.pk in leader_sees and world.outsider.pk not in leader_sees
    assert world.outsider.pk in names(login(world.other_leader))


def test_admin_edit_of_membership_status_is_dated_and_recorded(world, login):
    from django.forms.models import model_to_dict

    client = login(world.admin)
    url = reverse("admin:activists_user_change", args=[world.member.pk])
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(world.member).items()
        if k not in {"groups", "user_permissions", "password", "last_login"}
    }
    data.update(membership_status="lapsed", lapsed_on="2026-10-01", date_joined_0="2026-01-01", date_joined_1="10:00")
    data.update({"membership_events-TOTAL_FORMS": "0", "membership_events-INITIAL_FORMS": "0"})
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    world.member.refresh_from_db()
    assert world.member.membership_status == "lapsed"
    event = world.member.membership_events.get()
    assert str(event.effective_on) == "2026-10-01" and event.source == "admin"
